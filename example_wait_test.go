package lambda_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

// WaitFor polls any getter until a condition of your own holds, with the
// backoff, deadline and fail-fast rules of WaitUntilReady: here, until an
// instance has its public IP.
func ExampleWaitFor() {
	srv := lambdatest.NewServer(lambdatest.WithTransitionDelay(20 * time.Millisecond))
	defer srv.Close()
	client, err := lambda.NewClient(lambda.WithAPIKey(lambdatest.DefaultAPIKey), lambda.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	inst, err := client.Instances.Create(ctx, &lambda.CreateInstanceRequest{
		Name: "web", InstanceType: lambda.InstanceTypeCompute2x, Region: "us-west-1", Image: "ubuntu-22.04"})
	if err != nil {
		fmt.Println(err)
		return
	}
	inst, err = lambda.WaitFor(ctx,
		func(ctx context.Context) (*lambda.Instance, error) { return client.Instances.Get(ctx, inst.ID) },
		lambda.WaitCondition[lambda.Instance]{
			Name:   "instance " + inst.ID,
			Done:   func(i *lambda.Instance) bool { return i.PublicIP != "" },
			Failed: func(i *lambda.Instance) bool { return i.Status == lambda.InstanceStatusError },
			Status: func(i *lambda.Instance) string { return string(i.Status) },
		},
		lambda.WithWaitDelay(10*time.Millisecond, 100*time.Millisecond))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("has a public IP:", inst.PublicIP != "")
	// Output:
	// has a public IP: true
}

// Waiting on many resources at once: one goroutine per wait, all under one
// deadline, and a tally that WithWaitProgress keeps as each resource gets
// there. Progress runs on each wait's own goroutine, so the tally takes a
// lock. The same shape tears a fleet down: Delete each, then
// WaitUntilDeleted each, which reports lambda.StatusDeleted at the end.
func ExampleWaitFor_many() {
	srv := lambdatest.NewServer(lambdatest.WithTransitionDelay(20 * time.Millisecond))
	defer srv.Close()
	client, err := lambda.NewClient(lambda.WithAPIKey(lambdatest.DefaultAPIKey), lambda.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	fast := lambda.WithWaitDelay(10*time.Millisecond, 100*time.Millisecond)

	var ids []string
	for _, name := range []string{"web-1", "web-2", "web-3"} {
		inst, err := client.Instances.Create(ctx, &lambda.CreateInstanceRequest{
			Name: name, InstanceType: lambda.InstanceTypeCompute2x, Region: "us-west-1", Image: "ubuntu-22.04"})
		if err != nil {
			fmt.Println(err)
			return
		}
		ids = append(ids, inst.ID)
	}

	// waitAll runs wait for every ID at once and prints the tally each time
	// one of them reaches want.
	waitAll := func(label, want string, wait func(id string, progress lambda.WaitOption) error) error {
		var (
			mu   sync.Mutex
			done int
			wg   sync.WaitGroup
			errs = make([]error, len(ids))
		)
		progress := lambda.WithWaitProgress(func(status string) {
			if status != want {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			done++
			fmt.Printf("%s: %d/%d\n", label, done, len(ids))
		})
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = wait(id, progress)
			}()
		}
		wg.Wait()
		return errors.Join(errs...)
	}

	err = waitAll("running", string(lambda.InstanceStatusRunning), func(id string, progress lambda.WaitOption) error {
		_, err := client.Instances.WaitUntilReady(ctx, id, fast, progress)
		return err
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, id := range ids {
		if err := client.Instances.Delete(ctx, id); err != nil {
			fmt.Println(err)
			return
		}
	}
	err = waitAll("deleted", lambda.StatusDeleted, func(id string, progress lambda.WaitOption) error {
		return client.Instances.WaitUntilDeleted(ctx, id, fast, progress)
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Output:
	// running: 1/3
	// running: 2/3
	// running: 3/3
	// deleted: 1/3
	// deleted: 2/3
	// deleted: 3/3
}
