package benchmarks

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/lambda/lambda-go"
)

const apiKey = "λ_sk_bench_0123456789abcdef"

const instanceBody = `{"success":true,"data":{"id":"inst_abc123","name":"web","instance_type":"compute-4x",` +
	`"region":"us-west-1","image":"ubuntu-22.04","status":"running","ssh_keys":["key_abc123"],` +
	`"public_ip":"203.0.113.42","private_ip":"10.0.0.7","tags":{"env":"prod"},` +
	`"created_at":"2026-01-24T10:30:00Z","updated_at":"2026-01-24T10:31:00Z"},` +
	`"metadata":{"request_id":"req_xyz789","timestamp":"2026-01-24T10:30:00Z"}}`

// instanceServer answers every request with one instance in the envelope.
func instanceServer(b *testing.B) *httptest.Server {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-RateLimit-Limit", "10000")
		w.Header().Set("X-RateLimit-Remaining", "9999")
		w.Header().Set("X-RateLimit-Reset", "1706097600")
		io.WriteString(w, instanceBody)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// tunedClient is what a careful engineer writing the request by hand would use.
func tunedClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 128,
		IdleConnTimeout:     90 * time.Second,
	}}
}

// handInstance is the hand-written side's own copy of the wire shape.
type handInstance struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	InstanceType string            `json:"instance_type"`
	Region       string            `json:"region"`
	Image        string            `json:"image"`
	Status       string            `json:"status"`
	SSHKeys      []string          `json:"ssh_keys"`
	PublicIP     string            `json:"public_ip"`
	PrivateIP    string            `json:"private_ip"`
	Tags         map[string]string `json:"tags"`
	CreatedAt    time.Time         `json:"created_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
}

// handGet is the floor: one GET written by hand, checking the status.
func handGet(ctx context.Context, hc *http.Client, url string) (*handInstance, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+apiKey)
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	var env struct {
		Data handInstance `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return nil, err
	}
	return &env.Data, nil
}

func newSDK(b *testing.B, url string) *lambda.Client {
	b.Helper()
	c, err := lambda.NewClient(lambda.WithAPIKey(apiKey), lambda.WithBaseURL(url+"/v1"))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkInstancesGet runs the SDK and the hand-written request in turn,
// in the same benchmark, and reports both and their ratio. Target: SDK
// ≤ 1.10× the hand-written ns/op and ≤ 15 more allocations per call.
func BenchmarkInstancesGet(b *testing.B) {
	srv := instanceServer(b)
	ctx := context.Background()
	sdk := newSDK(b, srv.URL)
	hc := tunedClient()
	url := srv.URL + "/v1/instances/inst_abc123"

	sdkCall := func() error { _, err := sdk.Instances.Get(ctx, "inst_abc123"); return err }
	handCall := func() error { _, err := handGet(ctx, hc, url); return err }
	compare(b, sdkCall, handCall)
}

// compare measures two functions over b.N calls each, interleaved in
// rounds so that machine noise hits both alike, and reports per-call time
// and allocations of each and the ratios.
func compare(b *testing.B, sdk, hand func() error) {
	b.Helper()
	for range 200 { // warm both up: connections, pools
		must(b, sdk())
		must(b, hand())
	}
	const rounds = 10
	var sdkNS, handNS time.Duration
	var sdkAllocs, handAllocs uint64
	per := max(b.N/rounds, 1)
	b.ResetTimer()
	for range rounds {
		d, a := measure(b, per, sdk)
		sdkNS, sdkAllocs = sdkNS+d, sdkAllocs+a
		d, a = measure(b, per, hand)
		handNS, handAllocs = handNS+d, handAllocs+a
	}
	b.StopTimer()
	n := float64(per * rounds)
	b.ReportMetric(float64(sdkNS.Nanoseconds())/n, "sdk-ns/op")
	b.ReportMetric(float64(handNS.Nanoseconds())/n, "hand-ns/op")
	b.ReportMetric(float64(sdkNS)/float64(handNS), "time-ratio")
	b.ReportMetric(float64(sdkAllocs)/n, "sdk-allocs/op")
	b.ReportMetric(float64(handAllocs)/n, "hand-allocs/op")
	b.ReportMetric((float64(sdkAllocs)-float64(handAllocs))/n, "extra-allocs/op")
}

func must(b *testing.B, err error) {
	if err != nil {
		b.Fatal(err)
	}
}
