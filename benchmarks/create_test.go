package benchmarks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lambda/lambda-go"
)

// createServer reads each request body to the end, as a real server
// would, and answers 201 with one instance in the envelope.
func createServer(b *testing.B) *httptest.Server {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, instanceBody)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// handCreateRequest is the hand-written side's copy of the request body.
type handCreateRequest struct {
	Name         string            `json:"name"`
	InstanceType string            `json:"instance_type"`
	Region       string            `json:"region"`
	Image        string            `json:"image"`
	SSHKeys      []string          `json:"ssh_keys,omitempty"`
	Tags         map[string]string `json:"tags,omitempty"`
}

// handCreate is the floor: one POST written by hand.
func handCreate(ctx context.Context, hc *http.Client, url string, body *handCreateRequest) (*handInstance, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+apiKey)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
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

// BenchmarkInstancesCreate sends a create with a 64 KiB body (ssh_keys and
// tags) with the SDK and by hand, in turn, and reports the bytes each
// allocates per call. Target: the SDK's extra bytes are at most one more
// copy of the body (extra-body-copies ≤ 1).
func BenchmarkInstancesCreate(b *testing.B) {
	srv := createServer(b)
	ctx := context.Background()
	sdk := newSDK(b, srv.URL)
	hc := tunedClient()
	url := srv.URL + "/v1/instances"

	keys := make([]string, 512)
	for i := range keys {
		keys[i] = fmt.Sprintf("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI%037d", i) // 75 bytes
	}
	tags := make(map[string]string, 256)
	for i := range 256 {
		tags[fmt.Sprintf("tag-%03d", i)] = strings.Repeat("v", 100)
	}
	sdkReq := &lambda.CreateInstanceRequest{Name: "web", InstanceType: lambda.InstanceTypeCompute4x,
		Region: "us-west-1", Image: "ubuntu-22.04", SSHKeys: keys, Tags: tags}
	handReq := &handCreateRequest{Name: "web", InstanceType: "compute-4x",
		Region: "us-west-1", Image: "ubuntu-22.04", SSHKeys: keys, Tags: tags}
	body, err := json.Marshal(sdkReq)
	must(b, err)

	sdkCall := func() error { _, err := sdk.Instances.Create(ctx, sdkReq); return err }
	handCall := func() error { _, err := handCreate(ctx, hc, url, handReq); return err }
	sdkCost, handCost, calls := compare(b, sdkCall, handCall)
	n := float64(calls)
	extra := (float64(sdkCost.bytes) - float64(handCost.bytes)) / n
	b.ReportMetric(float64(len(body)), "body-bytes")
	b.ReportMetric(extra/float64(len(body)), "extra-body-copies")
}
