package benchmarks

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/lambda/lambda-go"
)

// The list walked: 100,000 instances in pages of 100; heap is sampled after
// heapEarly items and again after allItems.
const (
	allItems  = 100_000
	heapEarly = 10_000
	pageSize  = 100
)

// One instance of a page, cut around its number so a page is built by
// appending: the server answers from pre-built bytes, not encoding/json.
const (
	itemHead = `{"id":"inst_`
	itemName = `","name":"web-`
	itemTail = `","instance_type":"compute-4x","region":"us-west-1","image":"ubuntu-22.04",` +
		`"status":"running","ssh_keys":["key_abc123"],"public_ip":"203.0.113.42","private_ip":"10.0.0.7",` +
		`"tags":{"env":"prod"},"created_at":"2026-01-24T10:30:00Z","updated_at":"2026-01-24T10:31:00Z"}`
)

// pagesServer serves GET /v1/instances?page=N&limit=100 over total
// instances, building each page when it is asked for, with the canonical
// envelope and pagination object.
func pagesServer(b *testing.B, total int) *httptest.Server {
	b.Helper()
	pages := (total + pageSize - 1) / pageSize
	bufs := sync.Pool{New: func() any { return new([]byte) }}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		page, err := strconv.Atoi(q.Get("page"))
		if err != nil || page < 1 || q.Get("limit") != strconv.Itoa(pageSize) {
			http.Error(w, "bad page or limit", http.StatusBadRequest)
			return
		}
		bp := bufs.Get().(*[]byte)
		defer bufs.Put(bp)
		p := append((*bp)[:0], `{"success":true,"data":[`...)
		for i := (page - 1) * pageSize; i < min(page*pageSize, total); i++ {
			if i > (page-1)*pageSize {
				p = append(p, ',')
			}
			p = append(p, itemHead...)
			p = strconv.AppendInt(p, int64(i), 10)
			p = append(p, itemName...)
			p = strconv.AppendInt(p, int64(i), 10)
			p = append(p, itemTail...)
		}
		p = append(p, `],"metadata":{"request_id":"req_xyz789","timestamp":"2026-01-24T10:30:00Z"},"pagination":{"page":`...)
		p = strconv.AppendInt(p, int64(page), 10)
		p = append(p, `,"limit":100,"total_items":`...)
		p = strconv.AppendInt(p, int64(total), 10)
		p = append(p, `,"total_pages":`...)
		p = strconv.AppendInt(p, int64(pages), 10)
		p = append(p, `,"has_next":`...)
		p = strconv.AppendBool(p, page < pages)
		p = append(p, `,"has_prev":`...)
		p = strconv.AppendBool(p, page > 1)
		p = append(p, "}}"...)
		*bp = p
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(p)))
		w.Write(p)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// handAll is the floor: the page loop written by hand, visiting each
// instance in turn.
func handAll(ctx context.Context, hc *http.Client, base string, visit func(*handInstance)) error {
	for page := 1; ; page++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet,
			base+"/v1/instances?limit=100&page="+strconv.Itoa(page), nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+apiKey)
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		var env struct {
			Data       []handInstance `json:"data"`
			Pagination struct {
				HasNext bool `json:"has_next"`
			} `json:"pagination"`
		}
		if resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("status %d", resp.StatusCode)
		} else {
			err = json.NewDecoder(resp.Body).Decode(&env)
		}
		io.Copy(io.Discard, resp.Body) // so the connection goes back to the pool
		resp.Body.Close()
		if err != nil {
			return err
		}
		for i := range env.Data {
			visit(&env.Data[i])
		}
		if !env.Pagination.HasNext || len(env.Data) == 0 {
			return nil
		}
	}
}

// sdkAll walks the list with Instances.All, calling at(n) after the nth
// instance.
func sdkAll(ctx context.Context, c *lambda.Client, at func(n int)) error {
	n := 0
	opts := &lambda.ListInstancesOptions{ListOptions: lambda.ListOptions{Limit: pageSize}}
	for inst, err := range c.Instances.All(ctx, opts) {
		if err != nil {
			return err
		}
		if inst.ID == "" {
			return fmt.Errorf("instance %d has no ID", n)
		}
		n++
		if at != nil {
			at(n)
		}
	}
	if n != allItems {
		return fmt.Errorf("walked %d instances, want %d", n, allItems)
	}
	return nil
}

// heapInUse is the heap in use once garbage is collected.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// BenchmarkInstancesAll walks 100,000 instances in pages of 100 with
// Instances.All and with a page loop written by hand, in turn, and reports
// the time of one walk of each and their ratio (the median over at least
// five interleaved rounds). Target: ≤ 1.10×. Before the
// timed walks, one walk samples the heap in use (after a GC) after 10,000
// and after 100,000 instances: it must not grow with the number of pages.
func BenchmarkInstancesAll(b *testing.B) {
	srv := pagesServer(b, allItems)
	ctx := context.Background()
	sdk := newSDK(b, srv.URL)
	hc := tunedClient()

	var early, late uint64
	must(b, sdkAll(ctx, sdk, func(n int) {
		switch n {
		case heapEarly:
			early = heapInUse()
		case allItems:
			late = heapInUse()
		}
	}))

	handN := 0
	sdkWalk := func() error { return sdkAll(ctx, sdk, nil) }
	handWalk := func() error {
		handN = 0
		if err := handAll(ctx, hc, srv.URL, func(i *handInstance) { handN++ }); err != nil {
			return err
		}
		if handN != allItems {
			return fmt.Errorf("walked %d instances by hand, want %d", handN, allItems)
		}
		return nil
	}
	must(b, handWalk()) // warm the hand client's connection too

	// One walk a side per round, each side first in every other round, at
	// least five rounds: time-ratio is the median of the rounds' ratios.
	rounds := max(b.N, 5)
	var sdkCost, handCost cost
	ratios := make([]float64, 0, rounds)
	b.ResetTimer()
	for i := range rounds {
		var s, h cost
		if i%2 == 0 {
			s = measure(b, 1, sdkWalk)
			h = measure(b, 1, handWalk)
		} else {
			h = measure(b, 1, handWalk)
			s = measure(b, 1, sdkWalk)
		}
		sdkCost, handCost = sdkCost.add(s), handCost.add(h)
		ratios = append(ratios, float64(s.d)/float64(h.d))
	}
	b.StopTimer()
	n := float64(rounds)
	b.ReportMetric(float64(sdkCost.d.Milliseconds())/n, "sdk-ms/walk")
	b.ReportMetric(float64(handCost.d.Milliseconds())/n, "hand-ms/walk")
	b.ReportMetric(median(ratios), "time-ratio")
	b.ReportMetric(float64(sdkCost.d)/float64(handCost.d), "mean-time-ratio")
	b.ReportMetric(float64(sdkCost.allocs)/n/allItems, "sdk-allocs/item")
	b.ReportMetric(float64(handCost.allocs)/n/allItems, "hand-allocs/item")
	b.ReportMetric(float64(early)/(1<<20), "heap-MiB@10k")
	b.ReportMetric(float64(late)/(1<<20), "heap-MiB@100k")
	b.ReportMetric(float64(late)/float64(early), "heap-ratio")
}
