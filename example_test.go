package lambda_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"golang.org/x/oauth2"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

// startSimulator starts the in-process simulator with short transitions and
// returns a client for it; the examples stop it with srv.Close.
func startSimulator(opts ...lambdatest.Option) (*lambda.Client, *lambdatest.Server) {
	srv := lambdatest.NewServer(append([]lambdatest.Option{lambdatest.WithTransitionDelay(20 * time.Millisecond)}, opts...)...)
	client, err := lambda.NewClient(lambda.WithAPIKey(lambdatest.DefaultAPIKey), lambda.WithBaseURL(srv.BaseURL()))
	if err != nil {
		srv.Close()
		log.Fatal(err)
	}
	return client, srv
}

// A client is made once and shared: it is safe for concurrent use. Options
// check their input, and the client never prints its credential.
func ExampleNewClient() {
	client, err := lambda.NewClient(
		lambda.WithAPIKey("λ_sk_live_1234"), // or set LAMBDA_API_KEY and pass nothing
		lambda.WithBaseURL("https://api.lambda.io/v1"),
		lambda.WithMaxRetries(5),
		lambda.WithUserAgent("my-app/1.0"),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client)

	_, err = lambda.NewClient(lambda.WithAPIKey("λ_sk_live_1234"), lambda.WithBaseURL("http://api.lambda.io/v1"))
	fmt.Println(err)
	// Output:
	// lambda.Client{BaseURL: https://api.lambda.io/v1, Auth: api-key}
	// lambda: invalid_request: base URL "http://api.lambda.io/v1": plain http is only allowed on loopback; use https
}

// The simulator (package lambdatest) serves the whole API on loopback: point
// a client at it to test your own code without a network or an account.
func ExampleNewClient_simulator() {
	srv := lambdatest.NewServer()
	defer srv.Close()
	client, err := lambda.NewClient(lambda.WithAPIKey(lambdatest.DefaultAPIKey), lambda.WithBaseURL(srv.BaseURL()))
	if err != nil {
		log.Fatal(err)
	}
	page, err := client.Instances.List(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Items), "instances")
	// Output: 0 instances
}

// OAuth 2.0 with a token that renews itself: the client renews the access
// token with the refresh token before it expires, and once after a 401;
// WithTokenNotify gets each new token, to persist the rotated refresh token.
// Here the simulator plays the authorization server, and has expired the
// token early.
func ExampleWithOAuth2() {
	srv := lambdatest.NewServer(lambdatest.WithOAuthClient("my-app", "my-app-secret"))
	defer srv.Close()
	conf := &oauth2.Config{ClientID: "my-app", ClientSecret: "my-app-secret",
		Endpoint: oauth2.Endpoint{TokenURL: srv.TokenURL()}}
	tok := srv.IssueToken("my-app") // as an authorization-code flow gives it
	srv.ExpireTokens()

	renewed := 0
	client, err := lambda.NewClient(lambda.WithOAuth2(conf, tok), lambda.WithBaseURL(srv.BaseURL()),
		lambda.WithTokenNotify(func(*oauth2.Token) { renewed++ }))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := client.Account.Get(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println("renewed", renewed, "time")
	// Output: renewed 1 time
}

// OAuth 2.0 with a source that manages its own tokens: the client reuses a
// token until its expiry and asks the source again after a 401, sending
// the request once more only if the source gives another token.
func ExampleWithTokenSource() {
	srv := lambdatest.NewServer(lambdatest.WithAPIKeys("oauth-access-token"))
	defer srv.Close()
	ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "oauth-access-token"})
	client, err := lambda.NewClient(lambda.WithTokenSource(ts), lambda.WithBaseURL(srv.BaseURL()))
	if err != nil {
		log.Fatal(err)
	}
	var info lambda.ResponseInfo
	if _, err := client.Instances.List(context.Background(), nil, lambda.WithResponseInfo(&info)); err != nil {
		log.Fatal(err)
	}
	fmt.Println(info.StatusCode)
	// Output: 200
}

func ExampleInstancesService_Create() {
	client, srv := startSimulator()
	defer srv.Close()
	ctx := context.Background()

	inst, err := client.Instances.Create(ctx, &lambda.CreateInstanceRequest{
		Name:         "my-api-instance",
		InstanceType: lambda.InstanceTypeCompute4x,
		Region:       "us-west-1",
		Image:        "ubuntu-22.04",
		SSHKeys:      []string{"key_abc123"},
		Tags:         map[string]string{"team": "api"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(inst.Name, inst.InstanceType, inst.Region, inst.Status, inst.Tags["team"])
	// Output: my-api-instance compute-4x us-west-1 pending api
}

// An Idempotency-Key makes a create safe to repeat: after a crash, a
// timeout, or a retry of your own, the API answers with the instance it
// already made. The client sends a generated key on every POST anyway, the
// same one on each of its own retries.
func ExampleWithIdempotencyKey() {
	client, srv := startSimulator()
	defer srv.Close()
	ctx := context.Background()

	req := &lambda.CreateInstanceRequest{Name: "worker", InstanceType: lambda.InstanceTypeCompute1x,
		Region: "us-west-1", Image: "ubuntu-22.04"}
	first, err := client.Instances.Create(ctx, req, lambda.WithIdempotencyKey("order-1234-worker"))
	if err != nil {
		log.Fatal(err)
	}
	again, err := client.Instances.Create(ctx, req, lambda.WithIdempotencyKey("order-1234-worker"))
	if err != nil {
		log.Fatal(err)
	}
	page, err := client.Instances.List(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(first.ID == again.ID, len(page.Items))
	// Output: true 1
}

// WaitUntilReady polls until the instance runs, with backoff, and fails fast
// when it never will: give the context a deadline.
func ExampleInstancesService_WaitUntilReady() {
	client, srv := startSimulator()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	inst, err := client.Instances.Create(ctx, &lambda.CreateInstanceRequest{Name: "web",
		InstanceType: lambda.InstanceTypeCompute2x, Region: "us-west-1", Image: "ubuntu-22.04"})
	if err != nil {
		log.Fatal(err)
	}
	inst, err = client.Instances.WaitUntilReady(ctx, inst.ID, lambda.WithWaitDelay(10*time.Millisecond, 100*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(inst.Status, inst.PublicIP != "")

	// An instance that failed will not become ready: the wait ends at once.
	broken := srv.SeedInstances(1)[0]
	if err := srv.SetInstanceStatus(broken, "error"); err != nil {
		log.Fatal(err)
	}
	_, err = client.Instances.WaitUntilReady(ctx, broken)
	fmt.Println(errors.Is(err, lambda.ErrWaitFailed))

	// A deadline that comes first is ErrWaitTimeout, and the context's error too.
	stuck := srv.SeedInstances(1)[0]
	if err := srv.SetInstanceStatus(stuck, "provisioning"); err != nil { // and there it stays
		log.Fatal(err)
	}
	short, cancelShort := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancelShort()
	_, err = client.Instances.WaitUntilReady(short, stuck, lambda.WithWaitDelay(10*time.Millisecond, 20*time.Millisecond))
	fmt.Println(errors.Is(err, lambda.ErrWaitTimeout), errors.Is(err, context.DeadlineExceeded))
	// Output:
	// running true
	// true
	// true true
}

// List fetches one page, with the API's page numbers.
func ExampleInstancesService_List() {
	client, srv := startSimulator()
	defer srv.Close()
	srv.SeedInstances(25) // seed-1 … seed-25, all running

	page, err := client.Instances.List(context.Background(), &lambda.ListInstancesOptions{
		ListOptions: lambda.ListOptions{Page: 3, Limit: 10},
		Status:      lambda.InstanceStatusRunning,
		Sort:        "created_at",
		Order:       lambda.SortAscending,
	})
	if err != nil {
		log.Fatal(err)
	}
	p := page.Pagination
	fmt.Printf("page %d of %d, %d items in all, has next: %v\n", p.Page, p.TotalPages, p.TotalItems, p.HasNext)
	for _, inst := range page.Items {
		fmt.Println(inst.Name)
	}
	// Output:
	// page 3 of 3, 25 items in all, has next: false
	// seed-21
	// seed-22
	// seed-23
	// seed-24
	// seed-25
}

// All walks every page lazily: the loop sees instances, not pages, and
// breaking out of it stops the fetching.
func ExampleInstancesService_All() {
	client, srv := startSimulator()
	defer srv.Close()
	srv.SeedInstances(250) // three pages of 100

	ctx := context.Background()
	count := 0
	for _, err := range client.Instances.All(ctx, &lambda.ListInstancesOptions{Region: "us-east-1"}) {
		if err != nil {
			log.Fatal(err) // the first error ends the loop
		}
		count++
	}
	fmt.Println(count, "instances in us-east-1")

	for inst, err := range client.Instances.All(ctx, &lambda.ListInstancesOptions{Sort: "name", Order: lambda.SortDescending}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("last by name:", inst.Name)
		break
	}
	// Output:
	// 83 instances in us-east-1
	// last by name: seed-99
}

// Errors match their kind with errors.Is, and give their details with
// errors.As; quote RequestID when you contact support.
func ExampleError() {
	client, srv := startSimulator()
	defer srv.Close()
	ctx := context.Background()

	_, err := client.Instances.Get(ctx, "inst_doesnotexist")
	fmt.Println(errors.Is(err, lambda.ErrNotFound))

	_, err = client.Instances.Create(ctx, &lambda.CreateInstanceRequest{Name: "web",
		InstanceType: "compute-3x", Region: "us-west-1", Image: "ubuntu-22.04"})
	var lerr *lambda.Error
	if errors.As(err, &lerr) {
		fmt.Println(lerr.HTTPStatus, lerr.Code, lerr.Details.Field, lerr.RequestID != "")
	}
	fmt.Println(errors.Is(err, lambda.ErrInvalidRequest))
	// Output:
	// true
	// 400 invalid_request instance_type true
	// true
}

// A rate-limit error carries how long the API asked to wait; with
// WithMaxRetryWait the client returns it instead of sleeping that long.
func ExampleError_rateLimited() {
	srv := lambdatest.NewServer(lambdatest.WithRateLimit(2, time.Minute))
	defer srv.Close()
	client, err := lambda.NewClient(lambda.WithAPIKey(lambdatest.DefaultAPIKey), lambda.WithBaseURL(srv.BaseURL()),
		lambda.WithMaxRetryWait(time.Second))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		_, err := client.Instances.List(ctx, nil)
		var lerr *lambda.Error
		if errors.As(err, &lerr) && errors.Is(err, lambda.ErrRateLimited) {
			fmt.Println("call", i, "rate limited, retry after about a minute:", lerr.RetryAfter > 50*time.Second)
			continue
		}
		fmt.Println("call", i, "error:", err)
	}
	// Output:
	// call 1 error: <nil>
	// call 2 error: <nil>
	// call 3 rate limited, retry after about a minute: true
}

// WithResponseInfo reports what the response said about itself: the status,
// the request ID, the rate-limit budget and how many attempts it took.
func ExampleWithResponseInfo() {
	client, srv := startSimulator()
	defer srv.Close()

	var info lambda.ResponseInfo
	if _, err := client.Instances.List(context.Background(), nil, lambda.WithResponseInfo(&info)); err != nil {
		log.Fatal(err)
	}
	fmt.Println(info.StatusCode, info.Attempts, info.RateLimit.Limit, info.RateLimit.Remaining, info.RequestID != "")

	rl, ok := client.RateLimit() // the latest figures, across calls
	fmt.Println(rl.Remaining, ok)
	// Output:
	// 200 1 10000 9999 true
	// 9999 true
}
