package lambda_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// pagedInstances serves total instances in pages, with the pagination
// object unless bare is set, and counts the requests.
func pagedInstances(t *testing.T, mux *http.ServeMux, total int, bare bool, served *atomic.Int32) {
	mux.HandleFunc("/instances", func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		if page < 1 {
			page = 1
		}
		if limit < 1 {
			limit = 20
		}
		var items []string
		for i := (page - 1) * limit; i < min(page*limit, total); i++ {
			items = append(items, fmt.Sprintf(`{"id":"inst_%03d","status":"running"}`, i))
		}
		data := "[" + strings.Join(items, ",") + "]"
		if bare {
			fmt.Fprint(w, data)
			return
		}
		pages := (total + limit - 1) / limit
		fmt.Fprintf(w, `{"success":true,"data":%s,"pagination":{"page":%d,"limit":%d,"total_items":%d,"total_pages":%d,"has_next":%t,"has_prev":%t}}`,
			data, page, limit, total, pages, page < pages, page > 1)
	})
}

func collect(t *testing.T, seq func(func(lambda.Instance, error) bool)) []string {
	t.Helper()
	var ids []string
	for inst, err := range seq {
		require.NoError(t, err)
		ids = append(ids, inst.ID)
	}
	return ids
}

func TestListReturnsOnePage(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var served atomic.Int32
	pagedInstances(t, mux, 156, false, &served)
	page, err := client.Instances.List(context.Background(), &lambda.ListInstancesOptions{ListOptions: lambda.ListOptions{Page: 2, Limit: 20}})
	require.NoError(t, err)
	assert.Len(t, page.Items, 20)
	assert.Equal(t, "inst_020", page.Items[0].ID)
	assert.Equal(t, lambda.Pagination{Page: 2, Limit: 20, TotalItems: 156, TotalPages: 8, HasNext: true, HasPrev: true}, page.Pagination)
}

func TestListSendsFiltersAndSorting(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var query string
	mux.HandleFunc("/instances", func(w http.ResponseWriter, r *http.Request) {
		query = r.URL.RawQuery
		writeData(w, 200, `[]`)
	})
	_, err := client.Instances.List(context.Background(), &lambda.ListInstancesOptions{
		Status: lambda.InstanceStatusRunning, Region: "us-west-1", Sort: "name", Order: lambda.SortDescending,
		ListOptions: lambda.ListOptions{Limit: 50},
	})
	require.NoError(t, err)
	assert.Equal(t, "limit=50&order=desc&region=us-west-1&sort=name&status=running", query)
}

func TestAllWalksEveryPage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		total    int
		bare     bool
		opts     *lambda.ListInstancesOptions
		requests int32
	}{
		{"paginated, default page size 100", 250, false, nil, 3},
		{"paginated, small pages", 45, false, &lambda.ListInstancesOptions{ListOptions: lambda.ListOptions{Limit: 10}}, 5},
		{"paginated, exact multiple", 40, false, &lambda.ListInstancesOptions{ListOptions: lambda.ListOptions{Limit: 10}}, 4},
		{"bare array stops on a short page", 45, true, &lambda.ListInstancesOptions{ListOptions: lambda.ListOptions{Limit: 10}}, 5},
		{"bare array stops on an empty page", 40, true, &lambda.ListInstancesOptions{ListOptions: lambda.ListOptions{Limit: 10}}, 5},
		{"empty list", 0, false, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			var served atomic.Int32
			pagedInstances(t, mux, tt.total, tt.bare, &served)
			ids := collect(t, client.Instances.All(context.Background(), tt.opts))
			require.Len(t, ids, tt.total)
			for i, id := range ids {
				assert.Equal(t, fmt.Sprintf("inst_%03d", i), id)
			}
			assert.Equal(t, tt.requests, served.Load())
		})
	}
}

func TestAllStopsFetchingWhenTheCallerBreaks(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var served atomic.Int32
	pagedInstances(t, mux, 1000, false, &served)
	n := 0
	for _, err := range client.Instances.All(context.Background(), &lambda.ListInstancesOptions{ListOptions: lambda.ListOptions{Limit: 10}}) {
		require.NoError(t, err)
		if n++; n == 15 {
			break
		}
	}
	assert.EqualValues(t, 2, served.Load())
}

func TestAllCopiesTheCallersOptions(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var served atomic.Int32
	pagedInstances(t, mux, 30, false, &served)
	opts := &lambda.ListInstancesOptions{ListOptions: lambda.ListOptions{Limit: 10}}
	seq := client.Instances.All(context.Background(), opts)
	opts.Limit = 1 // changing the options after All must not matter
	assert.Len(t, collect(t, seq), 30)
	assert.Equal(t, lambda.ListOptions{Limit: 1}, opts.ListOptions, "All must not write to the caller's options")
	assert.Len(t, collect(t, seq), 30, "the sequence can be walked twice")
}

func TestAllRefusesAServerThatIgnoresPages(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	// Always page 1, always "more": trusting has_next alone would loop forever.
	mux.HandleFunc("/instances", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"success":true,"data":[{"id":"a"}],"pagination":{"page":1,"limit":1,"has_next":true}}`)
	})
	var errs, items int
	for _, err := range client.Instances.All(context.Background(), nil) {
		if err != nil {
			errs++
			require.ErrorIs(t, err, lambda.ErrInvalidResponse)
			continue
		}
		items++
	}
	assert.Equal(t, 1, errs)
	assert.Equal(t, 1, items, "page 1 is yielded, then page 2's answer (page 1 again) is refused, its item not yielded twice")
}

func TestAllYieldsTheFirstErrorOnce(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t, lambda.WithMaxRetries(0))
	var served atomic.Int32
	mux.HandleFunc("/instances", func(w http.ResponseWriter, r *http.Request) {
		if served.Add(1) == 2 {
			writeError(w, 500, "server_error", "boom")
			return
		}
		fmt.Fprint(w, `{"success":true,"data":[{"id":"a"},{"id":"b"}],"pagination":{"page":1,"limit":2,"has_next":true}}`)
	})
	var ids []string
	var errs []error
	for inst, err := range client.Instances.All(context.Background(), &lambda.ListInstancesOptions{ListOptions: lambda.ListOptions{Limit: 2}}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, inst.ID)
	}
	assert.Equal(t, []string{"a", "b"}, ids)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], lambda.ErrServer)
}
