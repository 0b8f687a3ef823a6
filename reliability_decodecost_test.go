package lambda_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// TestDenseAnswersAreRefusedBeforeDecoding: a 15 MiB answer of tiny
// objects ("{}", {"id":"x"}, empty arrays), whatever the call decodes it
// into (a page of instances, a resource's nested list, Client.Do's any),
// is refused with ErrInvalidResponse before it is decoded, having
// allocated a few times its size (5 GB before, for a page of "{}"); and an
// honest answer as large still decodes. Not parallel: it measures the
// process's allocations.
func TestDenseAnswersAreRefusedBeforeDecoding(t *testing.T) {
	const n = 15 << 20
	dense := map[string]string{
		`"{}"`:        "{},",
		`{"id":"x"}`:  `{"id":"x"},`,
		`empty lists`: "[],",
	}
	calls := map[string]func(ctx context.Context, c *lambda.Client) error{
		"Instances.List": func(ctx context.Context, c *lambda.Client) error {
			_, err := c.Instances.List(ctx, nil)
			return err
		},
		"Instances.Metrics": func(ctx context.Context, c *lambda.Client) error {
			_, err := c.Instances.Metrics(ctx, "inst_1", nil)
			return err
		},
		"Client.Do into any": func(ctx context.Context, c *lambda.Client) error {
			var v any
			return c.Do(ctx, http.MethodGet, "/instances", nil, &v)
		},
	}
	for dname, item := range dense {
		body := `{"success":true,"data":{"instance_id":"inst_1","period":60,"samples":[` + strings.Repeat(item, n/len(item)) + `{}]}}`
		list := `{"success":true,"data":[` + strings.Repeat(item, n/len(item)) + `{}]}`
		for cname, call := range calls {
			name := cname + " of " + dname
			answer := list
			if cname == "Instances.Metrics" {
				answer = body
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, answer) }))
			client := newTestClient(t, srv.URL+"/v1")
			var err error
			allocated := allocatedBy(func() { err = call(context.Background(), client) })
			srv.Close()
			require.ErrorIs(t, err, lambda.ErrInvalidResponse, name)
			assert.Less(t, allocated, uint64(8*n), "%s: %d MiB allocated for a %d MiB answer", name, allocated>>20, n>>20)
		}
	}
	// An honest answer of the same size decodes.
	items := make([]string, 0, 40000)
	for i := 0; len(items)*len(instanceJSON) < n; i++ {
		items = append(items, strings.Replace(instanceJSON, "inst_abc123", fmt.Sprintf("inst_%d", i), 1))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"success":true,"data":[`+strings.Join(items, ",")+`]}`)
	}))
	defer srv.Close()
	page, err := newTestClient(t, srv.URL+"/v1").Instances.List(context.Background(), nil)
	require.NoError(t, err)
	assert.Len(t, page.Items, len(items))
}
