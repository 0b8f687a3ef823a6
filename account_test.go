package lambda_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

// seededSimAccount is the account every simulator starts with.
func seededSimAccount() *lambda.Account {
	return &lambda.Account{ID: "acct_7d1c4e9a", Name: "Test Account", Email: "dev@example.com",
		Company: "Example Inc.", Plan: lambda.PlanProfessional, CreatedAt: time.Date(2024, 3, 14, 9, 26, 53, 0, time.UTC)}
}

func TestAccountGet(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	acct, err := client.Account.Get(testCtx(t))
	require.NoError(t, err)
	assert.Equal(t, seededSimAccount(), acct)

	r := platformOnlyRequest(t, srv)
	assert.Equal(t, "GET", r.Method)
	assert.Equal(t, "/v1/account", r.Path)
	assert.Empty(t, r.RawQuery)
}

func TestAccountUpdate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		req      *lambda.UpdateAccountRequest
		wantBody string
		want     func(*lambda.Account)
	}{
		{"name only", &lambda.UpdateAccountRequest{Name: lambda.Ptr("Renamed")}, `{"name":"Renamed"}`,
			func(a *lambda.Account) { a.Name = "Renamed" }},
		{"email and company", &lambda.UpdateAccountRequest{Email: lambda.Ptr("ops@example.org"), Company: lambda.Ptr("Other")},
			`{"email":"ops@example.org","company":"Other"}`,
			func(a *lambda.Account) { a.Email, a.Company = "ops@example.org", "Other" }},
		{"clear the company", &lambda.UpdateAccountRequest{Company: lambda.Ptr("")}, `{"company":""}`,
			func(a *lambda.Account) { a.Company = "" }},
		{"nothing set", &lambda.UpdateAccountRequest{}, `{}`, func(*lambda.Account) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, srv := newSim(t)
			ctx := testCtx(t)
			got, err := client.Account.Update(ctx, tt.req)
			require.NoError(t, err)

			r := platformOnlyRequest(t, srv)
			assert.Equal(t, "PATCH", r.Method)
			assert.Equal(t, "/v1/account", r.Path)
			assert.JSONEq(t, tt.wantBody, string(r.Body))

			want := seededSimAccount()
			tt.want(want)
			assert.Equal(t, want, got)
			again, err := client.Account.Get(ctx)
			require.NoError(t, err)
			assert.Equal(t, want, again, "the change is kept")
		})
	}
}

func TestAccountUpdateRefused(t *testing.T) {
	t.Parallel()
	client, _ := newSim(t)
	_, err := client.Account.Update(testCtx(t), &lambda.UpdateAccountRequest{Email: lambda.Ptr("not an email")})
	require.ErrorIs(t, err, lambda.ErrInvalidRequest)
	var lerr *lambda.Error
	require.ErrorAs(t, err, &lerr)
	require.NotNil(t, lerr.Details)
	assert.Equal(t, "email", lerr.Details.Field)
}

func TestAccountQuota(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	_, err := srv.SeedFunction("f", "go1.23", "active")
	require.NoError(t, err)
	srv.ResetRequests()

	q, err := client.Account.Quota(ctx)
	require.NoError(t, err)
	r := platformOnlyRequest(t, srv)
	assert.Equal(t, "GET", r.Method)
	assert.Equal(t, "/v1/account/quota", r.Path)

	assert.Equal(t, &lambda.Quota{
		Plan: lambda.PlanProfessional, RequestsPerHour: 10000, Burst: 200,
		Instances: lambda.QuotaItem{Used: 0, Limit: 10000},
		Volumes:   lambda.QuotaItem{Used: 0, Limit: 1000},
		Snapshots: lambda.QuotaItem{Used: 0, Limit: 1000},
		Functions: lambda.QuotaItem{Used: 1, Limit: 1000},
		StorageGB: lambda.QuotaItem{Used: 0, Limit: 100000},
	}, q)
}

// leaks lists the ways a value can be printed, logged or encoded by
// accident, each as the text it produces.
func platformLeaks(t *testing.T, v any) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X"} {
		out[verb] = fmt.Sprintf(verb, v)
	}
	out["Sprint"] = fmt.Sprint(v)
	out["Sprintln"] = fmt.Sprintln(v)
	var jsonLog, textLog bytes.Buffer
	slog.New(slog.NewJSONHandler(&jsonLog, nil)).Info("created", "key", v)
	slog.New(slog.NewTextHandler(&textLog, nil)).Info("created", "key", v)
	out["slog JSON"], out["slog text"] = jsonLog.String(), textLog.String()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	out["json.Marshal"] = string(b)
	return out
}

func TestAPIKeysCreateShowsTheSecretOnlyThroughReveal(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)

	key, err := client.APIKeys.Create(ctx, &lambda.CreateAPIKeyRequest{Name: "ci", Permissions: []string{"read"}})
	require.NoError(t, err)
	r := platformOnlyRequest(t, srv)
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, "/v1/account/api-keys", r.Path)
	assert.JSONEq(t, `{"name":"ci","permissions":["read"]}`, string(r.Body))

	secret := key.Key.Reveal()
	require.True(t, strings.HasPrefix(secret, "λ_sk_"), "the secret, as the API sent it")
	assert.Regexp(t, `^key_`, key.ID)
	assert.Equal(t, "ci", key.Name)
	assert.Equal(t, []string{"read"}, key.Permissions)
	assert.Equal(t, string([]rune(secret)[:8]), key.Prefix)
	assert.WithinDuration(t, srv.Now(), key.CreatedAt, time.Minute)
	assert.Nil(t, key.LastUsedAt)

	for name, v := range map[string]any{"*APIKey": key, "APIKey": *key, "Secret": key.Key, "*Secret": &key.Key} {
		for how, text := range platformLeaks(t, v) {
			assert.NotContains(t, text, secret, "%s printed with %s", name, how)
			assert.NotContains(t, text, key.Key.Reveal()[len("λ_sk_"):], "%s printed with %s", name, how)
		}
	}
	assert.Contains(t, fmt.Sprintf("%+v", key), "Key:[REDACTED]")

	// The revealed secret is the real one: it authenticates.
	other := simClient(t, srv, lambda.WithAPIKey(secret))
	acct, err := other.Account.Get(ctx)
	require.NoError(t, err)
	assert.Equal(t, "acct_7d1c4e9a", acct.ID)

	// The API shows it once: listed keys carry no secret.
	for k, err := range client.APIKeys.All(ctx, nil) {
		require.NoError(t, err)
		assert.True(t, k.Key.IsZero(), "listed key %s has a secret", k.ID)
		assert.Empty(t, k.Key.Reveal())
	}
}

func TestAPIKeysAll(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	first, err := client.APIKeys.List(ctx, nil)
	require.NoError(t, err)
	require.Len(t, first.Items, 1, "the simulator's own key")
	want := []string{first.Items[0].ID}
	for _, name := range []string{"a", "b", "c", "d"} {
		k, err := client.APIKeys.Create(ctx, &lambda.CreateAPIKeyRequest{Name: name})
		require.NoError(t, err)
		assert.Equal(t, []string{"read", "write"}, k.Permissions, "the API's default")
		want = append(want, k.ID)
	}
	srv.ResetRequests()

	var got []string
	for k, err := range client.APIKeys.All(ctx, &lambda.ListAPIKeysOptions{ListOptions: lambda.ListOptions{Limit: 2}}) {
		require.NoError(t, err)
		got = append(got, k.ID)
	}
	assert.Equal(t, want, got)
	reqs := platformRequests(srv, "GET", "/v1/account/api-keys")
	require.Len(t, reqs, 3)
	for i, r := range reqs {
		assert.Equal(t, url.Values{"page": {fmt.Sprint(i + 1)}, "limit": {"2"}}, platformQuery(t, r))
	}

	srv.ResetRequests()
	page, err := client.APIKeys.List(ctx, &lambda.ListAPIKeysOptions{Sort: "name", Order: lambda.SortDescending,
		ListOptions: lambda.ListOptions{Page: 1, Limit: 3}})
	require.NoError(t, err)
	r := platformOnlyRequest(t, srv)
	assert.Equal(t, url.Values{"page": {"1"}, "limit": {"3"}, "sort": {"name"}, "order": {"desc"}}, platformQuery(t, r))
	var names []string
	for _, k := range page.Items {
		names = append(names, k.Name)
	}
	assert.Equal(t, []string{"d", "c", "b"}, names)
	assert.Equal(t, lambda.Pagination{Page: 1, Limit: 3, TotalItems: 5, TotalPages: 2, HasNext: true}, page.Pagination)
}

func TestAPIKeysDelete(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	key, err := client.APIKeys.Create(ctx, &lambda.CreateAPIKeyRequest{Name: "temp"})
	require.NoError(t, err)
	revoked := simClient(t, srv, lambda.WithAPIKey(key.Key.Reveal()))
	_, err = revoked.Account.Get(ctx)
	require.NoError(t, err)
	srv.ResetRequests()

	require.NoError(t, client.APIKeys.Delete(ctx, key.ID))
	r := platformOnlyRequest(t, srv)
	assert.Equal(t, "DELETE", r.Method)
	assert.Equal(t, "/v1/account/api-keys/"+key.ID, r.Path)
	assert.Empty(t, r.Body)

	for k, err := range client.APIKeys.All(ctx, nil) {
		require.NoError(t, err)
		assert.NotEqual(t, key.ID, k.ID, "deleted key still listed")
	}
	_, err = revoked.Account.Get(ctx)
	assert.ErrorIs(t, err, lambda.ErrUnauthorized, "a revoked key no longer authenticates")
	assert.ErrorIs(t, client.APIKeys.Delete(ctx, key.ID), lambda.ErrNotFound)

	srv.ResetRequests()
	assert.ErrorIs(t, client.APIKeys.Delete(ctx, ""), lambda.ErrInvalidRequest)
	assert.Empty(t, srv.Requests())
}

func TestSecret(t *testing.T) {
	t.Parallel()
	s := lambda.NewSecret("hunter2")
	assert.Equal(t, "hunter2", s.Reveal())
	assert.False(t, s.IsZero())
	assert.Equal(t, "[REDACTED]", s.String())
	assert.Equal(t, `"[REDACTED]"`, fmt.Sprintf("%q", s))
	assert.Equal(t, "lambda.Secret{/* [REDACTED] */}", fmt.Sprintf("%#v", s))
	assert.Equal(t, "[REDACTED]", fmt.Sprintf("%10.3x", s))

	var zero lambda.Secret
	assert.True(t, zero.IsZero())
	assert.Equal(t, "", zero.String(), "an empty secret shows that it is empty")
	assert.Equal(t, "lambda.Secret{}", fmt.Sprintf("%#v", zero))

	var decoded struct{ Key lambda.Secret }
	require.NoError(t, json.Unmarshal([]byte(`{"Key":"λ_sk_abc"}`), &decoded))
	assert.Equal(t, "λ_sk_abc", decoded.Key.Reveal())
	require.NoError(t, json.Unmarshal([]byte(`{"Key":null}`), &decoded))
	assert.Equal(t, "λ_sk_abc", decoded.Key.Reveal(), "null leaves it")
	err := json.Unmarshal([]byte(`{"Key":12345}`), &decoded)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "12345")
}

// A created key works as the client's credential, and simulators can be
// told to accept only created keys: the secret is real, not a placeholder.
func TestAPIKeysCreatedKeyIsTheCredential(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	key, err := client.APIKeys.Create(ctx, &lambda.CreateAPIKeyRequest{Name: "header"})
	require.NoError(t, err)
	viaHeader := simClient(t, srv, lambda.WithAPIKey(key.Key.Reveal()), lambda.WithAPIKeyHeader())
	_, err = viaHeader.Account.Quota(ctx)
	require.NoError(t, err)
	last := srv.Requests()[len(srv.Requests())-1]
	assert.Equal(t, key.Key.Reveal(), last.Header.Get("X-API-Key"))
	assert.NotEqual(t, lambdatest.DefaultAPIKey, key.Key.Reveal())
}

func ExampleAPIKeysService_Create() {
	srv := lambdatest.NewServer()
	defer srv.Close()
	client, err := lambda.NewClient(lambda.WithAPIKey(lambdatest.DefaultAPIKey), lambda.WithBaseURL(srv.BaseURL()))
	if err != nil {
		panic(err)
	}

	key, err := client.APIKeys.Create(context.Background(), &lambda.CreateAPIKeyRequest{Name: "ci", Permissions: []string{"read"}})
	if err != nil {
		panic(err)
	}
	// The secret never prints by accident...
	fmt.Printf("%s %v\n", key.Name, key.Key)
	// ...and is there when asked for: store it now, the API shows it once.
	fmt.Println(strings.HasPrefix(key.Key.Reveal(), "λ_sk_"))
	// Output:
	// ci [REDACTED]
	// true
}
