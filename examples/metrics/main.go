// Metrics streams an instance's live metrics over a WebSocket for a few
// seconds and draws them as text sparklines. The stream reconnects by itself
// after a dropped connection; it ends when the loop breaks or its context
// does.
//
// With LAMBDA_API_KEY set it streams the metrics of the instance named by
// LAMBDA_INSTANCE_ID (or of your first running one); without it, it creates
// an instance on the in-process simulator, which sends 5 samples a second.
//
// This file is the whole recipe: the simulator fallback lives in sim.go,
// which a copy of main.go leaves behind.
//
//	go run ./examples/metrics
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/lambda/lambda-go"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "metrics:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client, id, err := setup(ctx)
	if err != nil {
		return err
	}

	// Stream for 3 seconds: the stream's own context bounds it.
	streamCtx, stop := context.WithTimeout(ctx, 3*time.Second)
	defer stop()
	var cpu, mem []float64
	fmt.Println("streaming metrics of", id)
	for s, err := range client.Instances.StreamMetrics(streamCtx, id, nil) {
		if errors.Is(err, context.DeadlineExceeded) && streamCtx.Err() != nil {
			break // our 3 seconds are up
		}
		if err != nil {
			return fmt.Errorf("stream: %w", err)
		}
		cpu, mem = append(cpu, s.CPUPercent), append(mem, s.MemoryPercent)
		fmt.Printf("%s  cpu %5.1f%%  mem %5.1f%%  %s\n", s.Timestamp.Local().Format("15:04:05.000"),
			s.CPUPercent, s.MemoryPercent, sparkline(cpu, 30))
	}
	if len(cpu) == 0 {
		return errors.New("no samples in 3 seconds")
	}
	fmt.Printf("\n%d samples\ncpu %s\nmem %s\n", len(cpu), sparkline(cpu, 60), sparkline(mem, 60))
	return nil
}

// sparkline draws the last n percentages (0 to 100) as block characters.
func sparkline(values []float64, n int) string {
	const bars = "▁▂▃▄▅▆▇█"
	levels := []rune(bars)
	values = values[max(0, len(values)-n):]
	var b strings.Builder
	for _, v := range values {
		i := int(v / 100 * float64(len(levels)))
		b.WriteRune(levels[min(max(i, 0), len(levels)-1)])
	}
	return b.String()
}

// setup returns a client and the instance to watch: LAMBDA_INSTANCE_ID, or
// else the first running instance.
func setup(ctx context.Context) (*lambda.Client, string, error) {
	client, err := lambda.NewClient() // reads LAMBDA_API_KEY (and LAMBDA_BASE_URL)
	if err != nil {
		return nil, "", err
	}
	if id := os.Getenv("LAMBDA_INSTANCE_ID"); id != "" {
		return client, id, nil
	}
	page, err := client.Instances.List(ctx, &lambda.ListInstancesOptions{Status: lambda.InstanceStatusRunning})
	if err != nil {
		return nil, "", err
	}
	if len(page.Items) == 0 {
		return nil, "", errors.New("no running instance: set LAMBDA_INSTANCE_ID")
	}
	return client, page.Items[0].ID, nil
}
