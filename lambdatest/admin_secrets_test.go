package lambdatest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go/lambdatest"
)

// TestAdminRequestLogShowsNoSecret: the admin API's request log is read
// by tools and people, so no credential a request carried shows in it:
// not in a credential header (the first of two empty, in any case, or
// another header that carries one: Cookie, Proxy-Authorization), and not
// in a body (a webhook's signing secret, the token endpoint's client
// secret, refresh token or code, as a form or as JSON), nor in a query.
func TestAdminRequestLogShowsNoSecret(t *testing.T) {
	t.Parallel()
	const admin = "admin-token-for-the-log"
	secrets := []string{"whsec_logged_9a8b7c", "cs_logged_6d5e4f", "rt_logged_3c2b1a", "sess_logged_0f9e8d",
		"proxy_logged_7a6b5c", "key_logged_4d3c2b", "code_logged_1a2b3c", "pw_logged_5f6e7d"}
	requests := map[string]struct {
		method, path, body string
		header             http.Header
	}{
		"webhook with its signing secret": {http.MethodPost, "/v1/webhooks",
			`{"url":"https://hooks.example.com/x","events":["instance.created"],"secret":"whsec_logged_9a8b7c"}`,
			http.Header{"Content-Type": {"application/json"}}},
		"token request, form": {http.MethodPost, "/v1/oauth/token", url.Values{"grant_type": {"refresh_token"},
			"refresh_token": {"rt_logged_3c2b1a"}, "client_id": {"app"}, "client_secret": {"cs_logged_6d5e4f"},
			"code": {"code_logged_1a2b3c"}, "password": {"pw_logged_5f6e7d"}}.Encode(),
			http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}},
		"JSON body with secrets in any member": {http.MethodPost, "/v1/instances",
			`{"name":"x","client_secret":"cs_logged_6d5e4f","nested":{"refresh_token":"rt_logged_3c2b1a","password":"pw_logged_5f6e7d"}}`,
			http.Header{"Content-Type": {"application/json"}}},
		"token in the query": {http.MethodGet, "/v1/instances?access_token=key_logged_4d3c2b&page=2", "", nil},
		"credential headers": {http.MethodGet, "/v1/instances", "", http.Header{
			"Authorization":       {"", "Bearer key_logged_4d3c2b"},
			"X-Api-Key":           {"key_logged_4d3c2b"},
			"Cookie":              {"session=sess_logged_0f9e8d"},
			"Proxy-Authorization": {"Basic proxy_logged_7a6b5c"},
		}},
	}
	srv := lambdatest.NewServer(lambdatest.WithAdminAPI(admin))
	defer srv.Close()
	for name, r := range requests {
		req, err := http.NewRequest(r.method, srv.URL+r.path, strings.NewReader(r.body))
		require.NoError(t, err, name)
		for k, vs := range r.header {
			req.Header[k] = vs
		}
		if req.Header["Authorization"] == nil && !strings.Contains(r.path, "oauth") {
			req.Header.Set("Authorization", "Bearer "+lambdatest.DefaultAPIKey)
		}
		res, err := srv.Client().Do(req)
		require.NoError(t, err, name)
		res.Body.Close()
	}
	status, _, raw := adminSend(t, srv, admin, http.MethodGet, "/_lambdasim/requests", "")
	require.Equal(t, http.StatusOK, status)
	log := string(raw)
	require.Contains(t, log, "/v1/webhooks", "the log holds the requests")
	for _, s := range append(secrets, lambdatest.DefaultAPIKey, url.QueryEscape(lambdatest.DefaultAPIKey)) {
		if strings.Contains(log, s) {
			t.Errorf("the admin API's request log shows %q: %s", s, log)
		}
	}
}
