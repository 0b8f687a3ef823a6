package lambdatest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/lambda/lambda-go/lambdatest"
)

// post sends a POST as the SDK would, to a path under srv.BaseURL(): key,
// JSON body, Idempotency-Key.
func post(srv *lambdatest.Server, path, key, body string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, srv.BaseURL()+path, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+lambdatest.DefaultAPIKey)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	return srv.Client().Do(req)
}

// A simulator is a real HTTP server: any client, the SDK or net/http, talks
// to it at srv.BaseURL().
func ExampleNewServer() {
	srv := lambdatest.NewServer(lambdatest.WithTransitionDelay(20 * time.Millisecond))
	defer srv.Close()

	res, err := post(srv, "/instances", "create-web-1",
		`{"name":"web","instance_type":"compute-4x","region":"us-west-1","image":"ubuntu-22.04"}`)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Body.Close()
	var env struct {
		Data struct {
			Name   string `json:"name"`
			Status string `json:"status"`
		} `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&env); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.StatusCode, env.Data.Name, env.Data.Status)
	// Output: 201 web pending
}

// InjectFault with AfterHandling changes the state and still fails the
// request: the retry, with the same Idempotency-Key, gets the first answer
// instead of a second instance.
func ExampleServer_InjectFault() {
	srv := lambdatest.NewServer()
	defer srv.Close()
	srv.InjectFault(lambdatest.Fault{Method: "POST", Path: "/v1/instances", Status: 503, AfterHandling: true})

	body := `{"name":"web","instance_type":"compute-1x","region":"us-west-1","image":"ubuntu-22.04"}`
	for i := 0; i < 2; i++ {
		res, err := post(srv, "/instances", "same-key", body)
		if err != nil {
			fmt.Println(err)
			return
		}
		res.Body.Close()
		fmt.Printf("%d replayed=%q\n", res.StatusCode, res.Header.Get("Idempotent-Replayed"))
	}
	// Output:
	// 503 replayed=""
	// 201 replayed="true"
}

// WithClock pins the simulator's time, so that a test of dates reads the
// same on every day it runs; a clock the test moves itself makes time pass
// without waiting. Statuses still move after their real-time delays.
func ExampleWithClock() {
	now := time.Date(2031, time.May, 17, 8, 30, 0, 0, time.UTC)
	srv := lambdatest.NewServer(lambdatest.WithClock(func() time.Time { return now }))
	defer srv.Close()

	res, err := post(srv, "/instances", "create-web-2",
		`{"name":"web","instance_type":"compute-4x","region":"us-west-1","image":"ubuntu-22.04"}`)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Body.Close()
	var env struct {
		Data struct {
			CreatedAt string `json:"created_at"`
		} `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&env); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(env.Data.CreatedAt)
	fmt.Println(res.Header.Get("Date"))
	fmt.Println(res.Header.Get("X-RateLimit-Reset") == fmt.Sprint(now.Add(time.Hour).Unix()))
	// Output:
	// 2031-05-17T08:30:00Z
	// Sat, 17 May 2031 08:30:00 GMT
	// true
}
