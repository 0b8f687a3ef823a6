package lambda_test

// Iterators against servers that repeat pages, ignore paging, or choose
// their own page size: none yields an item twice, none runs for ever, and
// none stops early in silence. pagination.go states the end-of-list rule
// of each list style; RELIABILITY.md lists these cases.

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// items returns the JSON of n items with IDs prefix000… from offset.
func items(prefix string, from, n int) string {
	parts := make([]string, 0, n)
	for i := from; i < from+n; i++ {
		parts = append(parts, fmt.Sprintf(`{"id":"%s%03d","status":"active"}`, prefix, i))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func queryInt(r *http.Request, name string, def int) int {
	if n, err := strconv.Atoi(r.URL.Query().Get(name)); err == nil {
		return n
	}
	return def
}

// walk runs seq to its end, with a deadline: an iterator that never ends
// fails the test instead of hanging it.
func walk[T any](t *testing.T, seq iter.Seq2[T, error], id func(T) string) (ids []string, errs []error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for v, err := range seq {
		if time.Now().After(deadline) || len(ids) > 10000 {
			t.Fatalf("the iterator is still going after %d items", len(ids))
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, id(v))
	}
	return ids, errs
}

func instID(i lambda.Instance) string { return i.ID }
func resID(r lambda.Resource) string  { return r.ID }
func wlID(w lambda.Workload) string   { return w.ID }
func funcID(f lambda.Function) string { return f.ID }
func noDuplicates(t *testing.T, ids []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, id := range ids {
		require.False(t, seen[id], "item %s yielded twice", id)
		seen[id] = true
	}
}

// TestPagedIteratorAgainstHostileServers: page/limit lists that carry a
// pagination object.
func TestPagedIteratorAgainstHostileServers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		page     func(page, limit int) string // the body for a request
		items    int                          // items the caller must get
		err      bool                         // whether the loop ends with ErrInvalidResponse
		requests int32                        // at most
	}{
		{"has_next stuck, page echoed, the same items", func(p, l int) string {
			return fmt.Sprintf(`{"success":true,"data":%s,"pagination":{"page":%d,"limit":3,"has_next":true}}`, items("i", 0, 3), p)
		}, 3, true, 2},
		{"has_next stuck, page omitted, the same items", func(p, l int) string {
			return `{"success":true,"data":` + items("i", 0, 3) + `,"pagination":{"has_next":true}}`
		}, 3, true, 2},
		{"has_next stuck, page omitted, two pages in turn", func(p, l int) string {
			return `{"success":true,"data":` + items("i", (p-1)%2*3, 3) + `,"pagination":{"has_next":true}}`
		}, 6, true, 3},
		{"has_next stuck, pages honoured: the empty page ends it", func(p, l int) string {
			return fmt.Sprintf(`{"success":true,"data":%s,"pagination":{"page":%d,"has_next":true}}`, items("i", (p-1)*40, max(0, min(40, 100-(p-1)*40))), p)
		}, 100, false, 4},
		{"the server chooses a smaller page size", func(p, l int) string {
			n := min(7, 20-(p-1)*7)
			return fmt.Sprintf(`{"success":true,"data":%s,"pagination":{"page":%d,"limit":7,"total_items":20,"total_pages":3,"has_next":%v}}`,
				items("i", (p-1)*7, n), p, p < 3)
		}, 20, false, 3},
		{"a short page at the limit asked is the end, whatever has_next says", func(p, l int) string {
			return fmt.Sprintf(`{"success":true,"data":%s,"pagination":{"page":%d,"limit":%d,"has_next":true}}`, items("i", 0, 3), p, l)
		}, 3, false, 1},
		{"a page shifted by a concurrent create repeats one item", func(p, l int) string {
			from := map[int]int{1: 0, 2: 99}[p] // the 100th item reappears at the top of page 2
			n := map[int]int{1: 100, 2: 11}[p]
			return fmt.Sprintf(`{"success":true,"data":%s,"pagination":{"page":%d,"limit":%d,"has_next":%v}}`, items("i", from, n), p, l, p < 2)
		}, 110, false, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			var served atomic.Int32
			mux.HandleFunc("/instances", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Request-Id", fmt.Sprintf("req_page_%d", served.Add(1)))
				fmt.Fprint(w, tt.page(queryInt(r, "page", 1), queryInt(r, "limit", 20)))
			})
			ids, errs := walk(t, client.Instances.All(context.Background(), nil), instID)
			noDuplicates(t, ids)
			assert.Len(t, ids, tt.items)
			if tt.err {
				require.Len(t, errs, 1)
				require.ErrorIs(t, errs[0], lambda.ErrInvalidResponse)
				assertFromLastPage(t, errs[0], served.Load())
			} else {
				require.Empty(t, errs)
			}
			assert.LessOrEqual(t, served.Load(), tt.requests, "requests")
		})
	}
}

// TestUnpagedIteratorsAgainstHostileServers: routes that answer without a
// pagination object (bare arrays, the status shape), by page/limit
// (Workloads, Functions in the resources and functions documentation's
// shape) and by limit/offset
// (Resources).
func TestUnpagedIteratorsAgainstHostileServers(t *testing.T) {
	t.Parallel()
	// window answers the items [from, from+n) of a list of total, capped at
	// cap items (0: as asked).
	type window func(from, n int) string
	honest := func(total int) window {
		return func(from, n int) string { return items("x", from, max(0, min(n, total-from))) }
	}
	ignoring := func(total int) window { return func(int, int) string { return items("x", 0, total) } }
	tests := []struct {
		name     string
		w        window
		cap      int // the largest limit the server honours, 0 for any
		limit    int // the caller's, 0 for none
		items    int
		err      bool
		requests int32
	}{
		// More than asked says the route ignores the limit (the workloads documentation's workloads): that was everything.
		{"ignores paging, more items than the limit", ignoring(150), 0, 0, 150, false, 1},
		{"ignores paging, exactly the limit", ignoring(100), 0, 0, 100, true, 2},
		{"ignores paging, fewer items than the limit: everything at once", ignoring(3), 0, 0, 3, false, 2},
		{"caps the limit below what was asked", honest(120), 50, 0, 120, false, 4},
		{"caps the caller's limit", honest(12), 5, 10, 12, false, 4},
		{"honours the limit: a short page after a full one is the end", honest(25), 0, 10, 25, false, 3},
		{"honours the limit: an exact multiple ends on an empty page", honest(20), 0, 10, 20, false, 3},
		{"an empty list", honest(0), 0, 0, 0, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			var served atomic.Int32
			limit := func(r *http.Request, def int) int {
				if l := queryInt(r, "limit", def); tt.cap == 0 || l < tt.cap {
					return l
				}
				return tt.cap
			}
			count := func(w http.ResponseWriter) {
				w.Header().Set("X-Request-Id", fmt.Sprintf("req_page_%d", served.Add(1)))
			}
			mux.HandleFunc("/resources", func(w http.ResponseWriter, r *http.Request) {
				count(w)
				fmt.Fprint(w, tt.w(queryInt(r, "offset", 0), limit(r, 50)))
			})
			mux.HandleFunc("/workloads", func(w http.ResponseWriter, r *http.Request) {
				count(w)
				l := limit(r, 20)
				fmt.Fprint(w, `{"status":"success","data":{"workloads":`+tt.w((queryInt(r, "page", 1)-1)*l, l)+`}}`)
			})
			mux.HandleFunc("/functions", func(w http.ResponseWriter, r *http.Request) {
				count(w)
				l := limit(r, 20)
				fmt.Fprint(w, tt.w((queryInt(r, "page", 1)-1)*l, l))
			})
			check := func(what string, ids []string, errs []error) {
				t.Helper()
				noDuplicates(t, ids)
				assert.Len(t, ids, tt.items, what)
				if tt.err {
					require.Len(t, errs, 1, what)
					require.ErrorIs(t, errs[0], lambda.ErrInvalidResponse, what)
					assertFromLastPage(t, errs[0], served.Load())
				} else {
					require.Empty(t, errs, what)
				}
				assert.LessOrEqual(t, served.Swap(0), tt.requests, what+": requests")
			}
			ids, errs := walk(t, client.Resources.All(context.Background(), &lambda.ListResourcesOptions{OffsetOptions: lambda.OffsetOptions{Limit: tt.limit}}), resID)
			check("Resources.All", ids, errs)
			ids, errs = walk(t, client.Workloads.All(context.Background(), &lambda.ListWorkloadsOptions{ListOptions: lambda.ListOptions{Limit: tt.limit}}), wlID)
			check("Workloads.All", ids, errs)
			ids, errs = walk(t, client.Functions.All(context.Background(), &lambda.ListFunctionsOptions{ListOptions: lambda.ListOptions{Limit: tt.limit}}), funcID)
			check("Functions.All", ids, errs)
		})
	}
}

// assertFromLastPage checks that an iterator's paging error names the
// answer it found wrong, the last of served pages, as every error about an
// answer does: its status and request ID are what a support ticket needs.
func assertFromLastPage(t *testing.T, err error, served int32) {
	t.Helper()
	var lerr *lambda.Error
	require.ErrorAs(t, err, &lerr)
	assert.Equal(t, http.StatusOK, lerr.HTTPStatus, "the status of the page the error is about")
	assert.Equal(t, fmt.Sprintf("req_page_%d", served), lerr.RequestID, "the request ID of the page the error is about")
}

// TestFunctionsWaitUntilReadyEndsOnAServerThatIgnoresPaging: the wait
// scans the function list, so an endless list would make it endless too.
func TestFunctionsWaitUntilReadyEndsOnAServerThatIgnoresPaging(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var served atomic.Int32
	mux.HandleFunc("/functions", func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		fmt.Fprint(w, items("FUNC_", 0, 150))
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := client.Functions.WaitUntilReady(ctx, "FUNC_missing", fastWait)
	// 150 items for a limit of 100: the route ignores the limit, so that
	// was the whole list, and the function is not in it.
	require.ErrorIs(t, err, lambda.ErrNotFound)
	assert.NoError(t, ctx.Err(), "the wait ended on its own, not by its deadline")
	assert.LessOrEqual(t, served.Load(), int32(10))
}
