package lambdatest_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go/lambdatest"
)

// reportTB records what WithResponseValidation reports, instead of failing
// the test.
type reportTB struct {
	testing.TB
	mu      sync.Mutex
	reports []string
}

func (r *reportTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reports = append(r.reports, fmt.Sprintf(format, args...))
}

func (r *reportTB) Helper() {}

func (r *reportTB) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.reports...)
}

// TestResponseValidationReportsABrokenAnswer: WithResponseValidation
// reports an answer that breaks the contract (here a metadata.timestamp in
// the year 10000, which RFC 3339 cannot write), naming the route and the
// member, and leaves alone the answers InjectFault makes up.
func TestResponseValidationReportsABrokenAnswer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		year  int
		fault bool
		want  int
	}{
		{"a valid answer", 2030, false, 0},
		{"a broken answer", 10000, false, 1},
		{"a broken fault", 2030, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tb := &reportTB{TB: t}
			at := time.Date(tc.year, 1, 1, 0, 0, 0, 0, time.UTC)
			srv := lambdatest.NewServer(lambdatest.WithResponseValidation(tb), lambdatest.WithClock(func() time.Time { return at }))
			t.Cleanup(srv.Close)
			if tc.fault {
				srv.InjectFault(lambdatest.Fault{Path: "/v1/account", Status: http.StatusOK, Body: `{"not":"an account"}`})
			}
			mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "")
			reports := tb.got()
			require.Len(t, reports, tc.want, "%q", reports)
			if tc.want > 0 {
				assert.Contains(t, reports[0], "GET /v1/account")
				assert.Contains(t, reports[0], "metadata.timestamp")
				assert.Contains(t, reports[0], "not a valid date-time")
			}
		})
	}
}
