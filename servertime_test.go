package lambda_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// TestResponseInfoServerTime: ServerTime is the body's metadata.timestamp,
// on successes and errors alike, and zero when there is none to trust.
func TestResponseInfoServerTime(t *testing.T) {
	t.Parallel()
	stamp := time.Date(2026, 1, 24, 10, 30, 0, 0, time.UTC)
	tests := []struct {
		name   string
		status int
		body   string
		want   time.Time
		err    bool
	}{
		{"success envelope", 200, `{"success":true,"data":` + instanceJSON + `,"metadata":{"request_id":"req_1","timestamp":"2026-01-24T10:30:00Z"}}`, stamp, false},
		{"fractional seconds and an offset", 200, `{"success":true,"data":` + instanceJSON + `,"metadata":{"request_id":"req_1","timestamp":"2026-01-24T11:30:00.5+01:00"}}`, stamp.Add(500 * time.Millisecond), false},
		{"error envelope", 404, `{"success":false,"error":{"code":"not_found","message":"no"},"metadata":{"request_id":"req_1","timestamp":"2026-01-24T10:30:00Z"}}`, stamp, true},
		{"no timestamp", 200, `{"success":true,"data":` + instanceJSON + `,"metadata":{"request_id":"req_1"}}`, time.Time{}, false},
		{"not a time: data still decoded", 200, `{"success":true,"data":` + instanceJSON + `,"metadata":{"request_id":"req_1","timestamp":"yesterday"}}`, time.Time{}, false},
		{"not a string", 200, `{"success":true,"data":` + instanceJSON + `,"metadata":{"request_id":"req_1","timestamp":1706092200}}`, time.Time{}, false},
		{"bare object", 200, instanceJSON, time.Time{}, false},
		{"error that is not JSON", 502, `<html>bad gateway</html>`, time.Time{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t, lambda.WithMaxRetries(0))
			mux.HandleFunc("/instances/inst_abc123", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			})
			var info lambda.ResponseInfo
			inst, err := client.Instances.Get(testCtx(t), "inst_abc123", lambda.WithResponseInfo(&info))
			if tc.err {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
				assert.Equal(t, "inst_abc123", inst.ID)
			}
			assert.True(t, tc.want.Equal(info.ServerTime), "ServerTime %v, want %v", info.ServerTime, tc.want)
		})
	}
}

// TestResponseInfoServerTimeFromTheSimulator: the simulator stamps every
// envelope, errors included.
func TestResponseInfoServerTimeFromTheSimulator(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	// On the simulator's clock, not this machine's: they differ under
	// lambdatest.ClockOffsetEnv.
	before := srv.Now().Add(-time.Second)
	var info lambda.ResponseInfo
	_, err := client.Instances.Create(ctx, createReq, lambda.WithResponseInfo(&info))
	require.NoError(t, err)
	assert.WithinRange(t, info.ServerTime, before, srv.Now().Add(time.Second))
	info = lambda.ResponseInfo{}
	_, err = client.Instances.Get(ctx, "inst_missing", lambda.WithResponseInfo(&info))
	require.ErrorIs(t, err, lambda.ErrNotFound)
	assert.WithinRange(t, info.ServerTime, before, srv.Now().Add(time.Second))
}
