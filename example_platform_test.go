package lambda_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"time"

	"github.com/lambda/lambda-go"
)

// A subscription delivers signed events to a URL; WebhookHandler on the
// other end checks each one before your function sees it. Here the
// simulator delivers to a receiver on loopback, which checks the events'
// timestamps against the simulator's clock (srv.Now): a test may set that
// clock apart from this machine's.
func ExampleWebhooksService_Create_delivery() {
	client, srv := startSimulator()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	const secret = "whsec_example"
	events := make(chan *lambda.Event, 1)
	receiver := httptest.NewServer(lambda.WebhookHandler(secret, func(ctx context.Context, ev *lambda.Event) error {
		events <- ev
		return nil
	}, lambda.WithWebhookClock(srv.Now)))
	defer receiver.Close()

	_, err := client.Webhooks.Create(ctx, &lambda.CreateWebhookRequest{
		URL:    receiver.URL + "/hooks",
		Events: []lambda.EventType{lambda.EventInstanceCreated},
		Secret: lambda.NewSecret(secret),
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := client.Instances.Create(ctx, &lambda.CreateInstanceRequest{Name: "web",
		InstanceType: lambda.InstanceTypeCompute1x, Region: "us-west-1", Image: "ubuntu-22.04"}); err != nil {
		log.Fatal(err)
	}
	select {
	case ev := <-events:
		d, err := ev.InstanceData()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(ev.Type, d.Name, d.Status)
	case <-ctx.Done():
		fmt.Println("no event")
	}
	// Output: instance.created web pending
}

// Functions filter on the server by status, runtime and tag.
func ExampleFunctionsService_All_filters() {
	client, srv := startSimulator()
	defer srv.Close()
	for _, f := range []struct{ name, runtime, status, tag string }{
		{"send-email", "Node.js 20", "active", "prod"},
		{"thumbnails", "Node.js 20", "active", "staging"},
		{"report", "python3.12", "active", "prod"},
		{"legacy-export", "Node.js 20", "deprecated", "prod"},
	} {
		if _, err := srv.SeedFunction(f.name, f.runtime, f.status, f.tag); err != nil {
			log.Fatal(err)
		}
	}

	opts := &lambda.ListFunctionsOptions{Status: lambda.FunctionStatusActive, Runtime: "Node.js 20", Tag: "prod"}
	for f, err := range client.Functions.All(context.Background(), opts) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(f.Name, f.Runtime, f.Status)
	}
	// Output: send-email Node.js 20 active
}

// Amounts are lambda.Money: exact cents that add up without rounding.
func ExampleBillingService_Estimate_breakdown() {
	client, srv := startSimulator()
	defer srv.Close()

	est, err := client.Billing.Estimate(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	var sum lambda.Money
	for _, item := range est.Breakdown {
		fmt.Printf("%-10s %10s\n", item.Category, item.Amount)
		if sum, err = sum.Add(item.Amount); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("%-10s %10s\n%-10s %10s\n", "so far", sum, "estimated", est.EstimatedCost)
	// Output:
	// compute     $1,800.00
	// storage       $320.50
	// functions     $210.00
	// network        $14.50
	// so far      $2,345.00
	// estimated   $3,517.50
}
