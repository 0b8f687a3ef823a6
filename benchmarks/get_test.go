package benchmarks

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
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

// instanceHandler answers every request with one instance in the envelope.
func instanceHandler(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-RateLimit-Limit", "10000")
	w.Header().Set("X-RateLimit-Remaining", "9999")
	w.Header().Set("X-RateLimit-Reset", "1706097600")
	io.WriteString(w, instanceBody)
}

// instanceServer serves instanceHandler.
func instanceServer(b *testing.B) *httptest.Server {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(instanceHandler))
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
// rounds so that machine noise hits both alike, and reports per-call time,
// allocations and bytes of each and the ratios. It returns the totals and
// the number of calls each side made.
//
// time-ratio is the median of the rounds' ratios: on a shared machine a
// burst of load from elsewhere can fall on one side of one round, and the
// median ignores it where the mean (mean-time-ratio) does not.
func compare(b *testing.B, sdk, hand func() error) (sdkCost, handCost cost, calls int) {
	b.Helper()
	for range 200 { // warm both up: connections, pools
		must(b, sdk())
		must(b, hand())
	}
	// Many short rounds, each side going first in every other one.
	const rounds = 50
	per := max(b.N/rounds, 1)
	ratios := make([]float64, 0, rounds)
	b.ResetTimer()
	for i := range rounds {
		var s, h cost
		if i%2 == 0 {
			s = measure(b, per, sdk)
			h = measure(b, per, hand)
		} else {
			h = measure(b, per, hand)
			s = measure(b, per, sdk)
		}
		sdkCost, handCost = sdkCost.add(s), handCost.add(h)
		ratios = append(ratios, float64(s.d)/float64(h.d))
	}
	b.StopTimer()
	calls = per * rounds
	n := float64(calls)
	b.ReportMetric(float64(sdkCost.d.Nanoseconds())/n, "sdk-ns/op")
	b.ReportMetric(float64(handCost.d.Nanoseconds())/n, "hand-ns/op")
	b.ReportMetric(median(ratios), "time-ratio")
	b.ReportMetric(float64(sdkCost.d)/float64(handCost.d), "mean-time-ratio")
	b.ReportMetric(float64(sdkCost.allocs)/n, "sdk-allocs/op")
	b.ReportMetric(float64(handCost.allocs)/n, "hand-allocs/op")
	b.ReportMetric((float64(sdkCost.allocs)-float64(handCost.allocs))/n, "extra-allocs/op")
	b.ReportMetric(float64(sdkCost.bytes)/n, "sdk-B/op")
	b.ReportMetric(float64(handCost.bytes)/n, "hand-B/op")
	return sdkCost, handCost, calls
}

// median returns the median of xs, which it sorts.
func median(xs []float64) float64 {
	slices.Sort(xs)
	if len(xs)%2 == 1 {
		return xs[len(xs)/2]
	}
	return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
}

func must(b *testing.B, err error) {
	if err != nil {
		b.Fatal(err)
	}
}
