// Webhooks receives the platform's events: lambda.WebhookHandler checks each
// delivery's signature and age before your code sees it. The example starts
// a receiver, subscribes it to instance events, creates an instance, prints
// the event that announces it, and exits.
//
// Without LAMBDA_API_KEY it runs against the in-process simulator, which
// delivers on loopback. With the real API, set LAMBDA_WEBHOOK_URL to a public
// https URL (a tunnel, say) that forwards to LAMBDA_WEBHOOK_ADDR, where the
// receiver listens; the instance it creates is deleted at the end.
//
// This file is the whole recipe: the simulator fallback lives in sim.go,
// which a copy of main.go leaves behind.
//
//	go run ./examples/webhooks
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/lambda/lambda-go"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "webhooks:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// 1. The receiver. Keep the secret out of your code: an env var, a vault.
	secretBytes := make([]byte, 24)
	if _, err := rand.Read(secretBytes); err != nil {
		return err
	}
	secret := "whsec_" + hex.EncodeToString(secretBytes)
	events := make(chan *lambda.Event, 16)
	handler := lambda.WebhookHandler(secret, func(ctx context.Context, ev *lambda.Event) error {
		select { // answer quickly: the platform waits for the 2xx
		case events <- ev:
			return nil
		case <-ctx.Done():
			return ctx.Err() // a 500: the platform delivers the event again later
		}
	})
	addr := os.Getenv("LAMBDA_WEBHOOK_ADDR")
	if addr == "" {
		addr = "127.0.0.1:0" // any free port; for a tunnel, choose one
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	receiver := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = receiver.Serve(ln) }() // returns when Close closes the listener
	defer receiver.Close()

	// 2. Subscribe it.
	client, err := lambda.NewClient() // reads LAMBDA_API_KEY (and LAMBDA_BASE_URL)
	if err != nil {
		return err
	}
	// The real platform needs a public https URL that reaches the receiver;
	// the receiver's own loopback address serves only a platform on this
	// machine, such as the simulator.
	hookURL := os.Getenv("LAMBDA_WEBHOOK_URL")
	if hookURL == "" {
		hookURL = "http://" + ln.Addr().String() + "/hooks"
	}
	sub, err := client.Webhooks.Create(ctx, &lambda.CreateWebhookRequest{
		URL:    hookURL,
		Events: []lambda.EventType{lambda.EventInstanceCreated, lambda.EventInstanceDeleted},
		Secret: lambda.NewSecret(secret),
	})
	if err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	fmt.Println("subscribed", sub.ID, "to", sub.Events)

	// 3. Something happens: an instance is created.
	inst, err := client.Instances.Create(ctx, &lambda.CreateInstanceRequest{Name: "webhook-demo",
		InstanceType: lambda.InstanceTypeCompute1x, Region: "us-west-1", Image: "ubuntu-22.04"})
	if err != nil {
		return fmt.Errorf("create instance: %w", err)
	}
	defer func() {
		if err := client.Instances.Delete(context.Background(), inst.ID); err != nil {
			fmt.Fprintln(os.Stderr, "webhooks: cleanup:", err)
		}
	}()

	// 4. The event arrives, signed and checked.
	for {
		select {
		case ev := <-events:
			fmt.Printf("event %s %s at %s\n", ev.ID, ev.Type, ev.Timestamp.Format(time.RFC3339))
			d, err := ev.InstanceData()
			if err != nil {
				return err
			}
			fmt.Printf("  instance %s (%s) is %s\n", d.InstanceID, d.Name, d.Status)
			if ev.Type == lambda.EventInstanceCreated && d.InstanceID == inst.ID {
				return nil
			}
		case <-ctx.Done():
			return errors.New("no event arrived before the deadline; is the receiver reachable?")
		}
	}
}
