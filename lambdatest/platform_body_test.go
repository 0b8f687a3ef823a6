package lambdatest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestPlatformBlamesTheBodyNotItsContentType: the platform reads a body as
// JSON whatever its Content-Type, so a body that is not JSON is refused
// for what it is, the API documentation's "Invalid JSON in request body",
// whatever label it came with; it used to be told "request body must be
// application/json" (field Content-Type), which sends whoever used curl -d
// after the wrong fix. WithStrictRequests still names the Content-Type.
func TestPlatformBlamesTheBodyNotItsContentType(t *testing.T) {
	t.Parallel()
	for _, ct := range []string{"", "application/x-www-form-urlencoded", "text/plain", "application/json"} {
		r := mustCall(t, newPlatform(t), http.StatusBadRequest, "POST", "/v1/instances", `{"name":"web",`, "Content-Type", ct)
		assert.Equal(t, "invalid_request", r.errCode(), ct)
		assert.NotEqual(t, "Content-Type", r.errField(), ct)
		e, _ := r.json["error"].(map[string]any)
		assert.Contains(t, e["message"], "Invalid JSON in request body", "Content-Type %q", ct)
	}
	r := mustCall(t, newServer(t), http.StatusBadRequest, "POST", "/v1/instances", `{"name":"web",`, "Content-Type", "text/plain")
	assert.Equal(t, "Content-Type", r.errField(), "strict")
}
