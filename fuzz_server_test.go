package lambda_test

// FuzzServerBehaviour is the generic guard of "never hang, never lie": its
// input is how the server behaves (status, Retry-After, X-RateLimit-*,
// Content-Encoding, Content-Length, Location, body shape, data present,
// null or missing, pagination, truncation), and every kind of call runs
// against it. Whatever the server does, each call returns within its
// context's deadline, never panics, and returns either a fully decoded
// value or an error that is an *Error, a context error or matches
// ErrUnavailable; a success rests on an answer to the call's own method
// (not a GET a redirect put in its place); an iterator never yields more
// items than the server holds, nor one twice. The seed corpus (testdata/fuzz/FuzzServerBehaviour)
// runs with every `go test`; to search further:
//
//	go test -run XXX -fuzz FuzzServerBehaviour -fuzztime 10m -parallel 1 .

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lambda/lambda-go"
)

// behaviour is one server's way of answering, decoded from fuzz input.
type behaviour struct {
	status     int    // of the answers that fail; 2xx answers carry data
	failFirst  int    // the first failFirst requests answer status, later ones 200; 0: every one does
	retryAfter string // Retry-After, sent when not empty
	remaining  string // X-RateLimit-Remaining
	reset      string // X-RateLimit-Reset; "+n" is n seconds from now
	encoding   uint8  // 0 none, 1 gzip, 2 labelled gzip but plain, 3 an unknown coding
	length     uint8  // 0 as net/http does, 1 longer than the body (cut), 2 shorter than the body
	location   string // Location, sent when not empty
	shape      uint8  // 0 canonical envelope, 1 bare, 2 status envelope
	data       uint8  // 0 present, 1 null, 2 missing, 3 present beside an error object
	paging     uint8  // see window
	total      int    // items the server holds in each list
	limitCap   int    // the largest page the server serves, 0 for any
	truncate   int    // cut the body to truncate % (len+1) bytes when > 0
}

var statuses = []int{200, 201, 204, 200, 301, 302, 304, 307, 400, 401, 404, 409, 429, 500, 502, 503, 504, 200}

func newBehaviour(status, failFirst uint8, retryAfter, remaining, reset string, encoding, length uint8,
	location string, shape, data, paging, total, limitCap uint8, truncate uint16) *behaviour {
	return &behaviour{
		status: statuses[int(status)%len(statuses)], failFirst: int(failFirst % 8),
		retryAfter: retryAfter, remaining: remaining, reset: reset,
		encoding: encoding % 4, length: length % 3, location: location,
		shape: shape % 3, data: data % 4, paging: paging % 7,
		total: int(total % 64), limitCap: int(limitCap % 16), truncate: int(truncate),
	}
}

const fuzzInstance = `{"id":"inst_fz","name":"web","instance_type":"compute-1x","region":"us-west-1","image":"ubuntu-22.04",` +
	`"status":"running","created_at":"2026-01-24T10:30:00Z","updated_at":"2026-01-24T10:31:00Z"}`

func fuzzItem(i int) string {
	return fmt.Sprintf(`{"id":"it_%03d","name":"n%d","status":"running","created_at":"2026-01-24T10:30:00Z"}`, i, i)
}

// fuzzServer answers every request as the current behaviour says.
type fuzzServer struct {
	b        atomic.Pointer[behaviour]
	requests atomic.Int32
	answered atomic.Value // string: the method of the last request answered with a 2xx
}

func (s *fuzzServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b := s.b.Load()
	n := int(s.requests.Add(1))
	h := w.Header()
	h.Set("X-Request-Id", "req_fz")
	if b.retryAfter != "" {
		h.Set("Retry-After", b.retryAfter)
	}
	if b.remaining != "" {
		h.Set("X-RateLimit-Limit", "1000")
		h.Set("X-RateLimit-Remaining", b.remaining)
	}
	if rest, ok := strings.CutPrefix(b.reset, "+"); ok {
		secs, _ := strconv.Atoi(rest)
		h.Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Unix()+int64(secs%120), 10))
	} else if b.reset != "" {
		h.Set("X-RateLimit-Reset", b.reset)
	}
	if b.location != "" {
		h.Set("Location", b.location)
	}
	status := b.status
	if b.failFirst > 0 && n > b.failFirst {
		status = http.StatusOK
	}
	var body []byte
	switch {
	case status == http.StatusNoContent || status == http.StatusNotModified:
	case status >= 300:
		body = errorBody(b, status)
	default:
		body = successBody(b, r)
	}
	if b.truncate > 0 {
		body = body[:b.truncate%(len(body)+1)]
	}
	switch b.encoding {
	case 1:
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(body)
		zw.Close()
		body = gz.Bytes()
		h.Set("Content-Encoding", "gzip")
	case 2:
		h.Set("Content-Encoding", "gzip")
	case 3:
		h.Set("Content-Encoding", "x-fuzz")
	}
	if len(body) > 0 {
		switch b.length {
		case 1:
			h.Set("Content-Length", strconv.Itoa(len(body)+10))
		case 2:
			h.Set("Content-Length", strconv.Itoa(len(body)-1))
		}
	}
	if status < 300 {
		s.answered.Store(r.Method)
	}
	w.WriteHeader(status)
	w.Write(body)
}

func errorBody(b *behaviour, status int) []byte {
	switch b.shape {
	case 1:
		return []byte("<html><body>" + http.StatusText(status) + "</body></html>")
	case 2:
		return []byte(`{"status":"error","message":"fuzzed failure"}`)
	}
	return []byte(fmt.Sprintf(`{"success":false,"error":{"code":"fuzzed","message":"failure","retry_after":0.01,` +
		`"details":{"field":"f","allowed_values":[1,"a",null]}},"metadata":{"request_id":"req_fz_err"}}`))
}

// successBody is the answer to r: one instance, or a window of a list.
func successBody(b *behaviour, r *http.Request) []byte {
	p := strings.TrimPrefix(r.URL.Path, "/v1")
	data, pagination := fuzzInstance, ""
	if r.Method == http.MethodGet && (p == "/instances" || p == "/workloads" || p == "/functions" || p == "/resources") {
		data, pagination = window(b, r)
		if p == "/workloads" && b.shape == 2 {
			data = `{"workloads":` + data + `}`
		}
	}
	switch b.shape {
	case 1: // bare
		switch b.data {
		case 1:
			return []byte("null")
		case 2:
			return nil
		}
		return []byte(data)
	case 2: // status envelope
		return []byte(`{"status":"success"` + dataMember(b, data) + `}`)
	}
	return []byte(`{"success":true` + dataMember(b, data) + pagination + `,"metadata":{"request_id":"req_fz_ok"}}`)
}

func dataMember(b *behaviour, data string) string {
	switch b.data {
	case 1:
		return `,"data":null`
	case 2:
		return ""
	case 3:
		return `,"data":` + data + `,"error":{"code":"server_error","message":"half done"}`
	}
	return `,"data":` + data
}

// window cuts the page a list request asks for, as the paging mode says:
// 0 honest; 1 ignores paging (everything, always); 2 has_next stuck true;
// 3 echoes page 1 whatever was asked; 4 page omitted, has_next stuck, the
// first page always; 5 two pages in turn; 6 no pagination object.
func window(b *behaviour, r *http.Request) (data, pagination string) {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 {
		limit = 20
	}
	if b.limitCap > 0 {
		limit = min(limit, b.limitCap)
	}
	from, _ := strconv.Atoi(q.Get("offset"))
	if !q.Has("offset") {
		from = (min(page, 1000) - 1) * limit
	}
	from = max(0, min(from, b.total))
	n := min(limit, b.total-from)
	hasNext := from+n < b.total
	echo := strconv.Itoa(page)
	switch b.paging {
	case 1:
		from, n = 0, b.total
	case 2:
		hasNext = true
	case 3:
		echo = "1"
	case 4:
		from, n, hasNext, echo = 0, min(limit, b.total), true, ""
	case 5:
		from = (page - 1) % 2 * limit
		n = max(0, min(limit, b.total-from))
		hasNext = true
	}
	items := make([]string, 0, n)
	for i := from; i < from+n; i++ {
		items = append(items, fuzzItem(i))
	}
	data = "[" + strings.Join(items, ",") + "]"
	if b.paging == 6 {
		return data, ""
	}
	pg := fmt.Sprintf(`"limit":%d,"total_items":%d,"total_pages":%d,"has_next":%v`, limit, b.total, (b.total+limit-1)/limit, hasNext)
	if echo != "" {
		pg = `"page":` + echo + "," + pg
	}
	return data, `,"pagination":{` + pg + `}`
}

// fuzzDeadline bounds every call; fuzzSlack is how late past it a call may
// return on a loaded machine.
const (
	fuzzDeadline = 2 * time.Second
	fuzzSlack    = 2 * time.Second
)

// typedError reports whether err is something a caller can act on.
func typedError(err error) bool {
	var lerr *lambda.Error
	return errors.As(err, &lerr) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.Is(err, lambda.ErrUnavailable)
}

func FuzzServerBehaviour(f *testing.F) {
	// status, failFirst, Retry-After, remaining, reset, encoding, length, Location, shape, data, paging, total, limitCap, truncate
	f.Add(uint8(0), uint8(0), "", "", "", uint8(0), uint8(0), "", uint8(0), uint8(0), uint8(0), uint8(45), uint8(0), uint16(0))
	f.Add(uint8(0), uint8(0), "", "", "", uint8(0), uint8(0), "", uint8(0), uint8(0), uint8(4), uint8(30), uint8(7), uint16(0))
	f.Add(uint8(0), uint8(0), "", "", "", uint8(0), uint8(0), "", uint8(1), uint8(0), uint8(1), uint8(50), uint8(0), uint16(0))
	f.Add(uint8(0), uint8(0), "", "", "", uint8(0), uint8(0), "", uint8(2), uint8(1), uint8(5), uint8(20), uint8(3), uint16(0))
	f.Add(uint8(15), uint8(2), "0", "0", "+0", uint8(1), uint8(0), "", uint8(0), uint8(0), uint8(2), uint8(12), uint8(5), uint16(0))
	f.Add(uint8(12), uint8(0), "3600", "0", "+90", uint8(0), uint8(0), "", uint8(0), uint8(0), uint8(0), uint8(3), uint8(0), uint16(0))
	f.Add(uint8(5), uint8(0), "", "", "", uint8(0), uint8(0), "/v1/instances/inst_fz", uint8(0), uint8(0), uint8(0), uint8(3), uint8(0), uint16(0))
	f.Add(uint8(7), uint8(1), "", "", "", uint8(2), uint8(1), "http://127.0.0.1:1/v1", uint8(0), uint8(3), uint8(3), uint8(9), uint8(0), uint16(0))
	f.Add(uint8(0), uint8(0), "0.01", "5", "1706097600", uint8(0), uint8(2), "", uint8(0), uint8(2), uint8(6), uint8(25), uint8(10), uint16(57))
	// A 301 or 302 answered once, then 200s: net/http would follow a POST,
	// PATCH or DELETE with a GET, and its 200 is not theirs.
	f.Add(uint8(4), uint8(1), "", "", "", uint8(0), uint8(0), "/v1/instances/inst_fz", uint8(0), uint8(0), uint8(0), uint8(3), uint8(0), uint16(0))
	f.Add(uint8(5), uint8(1), "", "", "", uint8(0), uint8(0), "/v1/instances/inst_fz", uint8(0), uint8(0), uint8(0), uint8(3), uint8(0), uint16(0))
	f.Add(uint8(2), uint8(0), "", "", "", uint8(3), uint8(0), "%zz", uint8(2), uint8(0), uint8(1), uint8(0), uint8(0), uint16(0))

	srv := &fuzzServer{}
	ts := httptest.NewServer(srv)
	f.Cleanup(ts.Close)

	f.Fuzz(func(t *testing.T, status, failFirst uint8, retryAfter, remaining, reset string, encoding, length uint8,
		location string, shape, data, paging, total, limitCap uint8, truncate uint16) {
		b := newBehaviour(status, failFirst, retryAfter, remaining, reset, encoding, length, location, shape, data, paging, total, limitCap, truncate)
		srv.b.Store(b)
		limit := int(limitCap%5) * 4 // the caller's page size: 0 (the iterator's), 4, 8, 12, 16
		for _, c := range fuzzCalls(limit) {
			srv.requests.Store(0)
			srv.answered.Store("")
			client := newTestClient(t, ts.URL+"/v1",
				lambda.WithRetryBackoff(100*time.Microsecond, 500*time.Microsecond), lambda.WithMaxRetryWait(5*time.Millisecond))
			ctx, cancel := context.WithTimeout(context.Background(), fuzzDeadline)
			start := time.Now()
			// A call that ignores its context would hang the fuzzer with no
			// report: crash instead, with every goroutine's stack.
			watchdog := time.AfterFunc(fuzzDeadline+2*fuzzSlack, func() {
				buf := make([]byte, 1<<20)
				panic(fmt.Sprintf("%s hangs past its deadline:\n%s", c.name, buf[:runtime.Stack(buf, true)]))
			})
			err := c.run(ctx, client, b)
			watchdog.Stop()
			took := time.Since(start)
			cancel()
			if took > fuzzDeadline+fuzzSlack {
				t.Fatalf("%s took %v, past its %v deadline", c.name, took, fuzzDeadline)
			}
			if err != nil && !typedError(err) {
				t.Fatalf("%s: untyped error %v (%T)", c.name, err, err)
			}
			// A success answered for another method (a redirect followed
			// with a GET in place of a DELETE, say) is a request never made.
			if m := srv.answered.Load().(string); err == nil && m != "" && m != c.method {
				t.Fatalf("%s (a %s) succeeded on the answer to a %s", c.name, c.method, m)
			}
		}
	})
}

// fuzzCall is one kind of call, sent with method; run returns its error
// after checking that a success carries a fully decoded value.
type fuzzCall struct {
	name   string
	method string
	run    func(ctx context.Context, c *lambda.Client, b *behaviour) error
}

func fuzzCalls(limit int) []fuzzCall {
	lo := lambda.ListOptions{Limit: limit}
	return []fuzzCall{
		{"Instances.Get", http.MethodGet, func(ctx context.Context, c *lambda.Client, _ *behaviour) error {
			return wholeInstance(c.Instances.Get(ctx, "inst_fz"))
		}},
		{"Instances.Create", http.MethodPost, func(ctx context.Context, c *lambda.Client, _ *behaviour) error {
			return wholeInstance(c.Instances.Create(ctx, &lambda.CreateInstanceRequest{Name: "web", InstanceType: "compute-1x",
				Region: "us-west-1", Image: "ubuntu-22.04"}))
		}},
		{"Instances.Update", http.MethodPatch, func(ctx context.Context, c *lambda.Client, _ *behaviour) error {
			return wholeInstance(c.Instances.Update(ctx, "inst_fz", &lambda.UpdateInstanceRequest{Name: lambda.Ptr("x")}))
		}},
		{"Instances.Delete", http.MethodDelete, func(ctx context.Context, c *lambda.Client, _ *behaviour) error {
			return c.Instances.Delete(ctx, "inst_fz")
		}},
		{"Instances.List", http.MethodGet, func(ctx context.Context, c *lambda.Client, b *behaviour) error {
			p, err := c.Instances.List(ctx, &lambda.ListInstancesOptions{ListOptions: lo})
			if err != nil {
				return err
			}
			return checkItems(b, p.Items, func(i lambda.Instance) string { return i.ID })
		}},
		{"Instances.All", http.MethodGet, func(ctx context.Context, c *lambda.Client, b *behaviour) error {
			return checkIterator(b, c.Instances.All(ctx, &lambda.ListInstancesOptions{ListOptions: lo}), func(i lambda.Instance) string { return i.ID })
		}},
		{"Workloads.All", http.MethodGet, func(ctx context.Context, c *lambda.Client, b *behaviour) error {
			return checkIterator(b, c.Workloads.All(ctx, &lambda.ListWorkloadsOptions{ListOptions: lo}), func(w lambda.Workload) string { return w.ID })
		}},
		{"Functions.All", http.MethodGet, func(ctx context.Context, c *lambda.Client, b *behaviour) error {
			return checkIterator(b, c.Functions.All(ctx, &lambda.ListFunctionsOptions{ListOptions: lo}), func(f lambda.Function) string { return f.ID })
		}},
		{"Resources.All", http.MethodGet, func(ctx context.Context, c *lambda.Client, b *behaviour) error {
			return checkIterator(b, c.Resources.All(ctx, &lambda.ListResourcesOptions{OffsetOptions: lambda.OffsetOptions{Limit: limit}}),
				func(r lambda.Resource) string { return r.ID })
		}},
		{"Instances.WaitUntilReady", http.MethodGet, func(ctx context.Context, c *lambda.Client, _ *behaviour) error {
			inst, err := c.Instances.WaitUntilReady(ctx, "inst_fz", lambda.WithWaitDelay(100*time.Microsecond, 500*time.Microsecond))
			if err != nil {
				return err
			}
			if inst == nil || inst.ID != "inst_fz" || inst.Status != lambda.InstanceStatusRunning {
				return fmt.Errorf("a wait returned %+v and no error", inst)
			}
			return nil
		}},
	}
}

// errLie marks a success that carried a value the server never sent; it is
// untyped on purpose, so the fuzz test reports it.
var errLie = errors.New("a success without the value the server sent")

func wholeInstance(inst *lambda.Instance, err error) error {
	if err != nil {
		return err
	}
	if inst == nil || inst.ID != "inst_fz" || inst.Name != "web" {
		return fmt.Errorf("%w: %+v", errLie, inst)
	}
	return nil
}

// checkItems holds a page to the server's list: known, distinct items.
func checkItems[T any](b *behaviour, items []T, id func(T) string) error {
	seen := map[string]bool{}
	for _, it := range items {
		k := id(it)
		n, err := strconv.Atoi(strings.TrimPrefix(k, "it_"))
		if err != nil || n < 0 || n >= b.total || seen[k] {
			return fmt.Errorf("%w: item %q (the server holds %d)", errLie, k, b.total)
		}
		seen[k] = true
	}
	return nil
}

// checkIterator walks seq: at most the server's items, none twice, at most
// one error and nothing after it.
func checkIterator[T any](b *behaviour, seq iter.Seq2[T, error], id func(T) string) error {
	var items []T
	var last error
	for v, err := range seq {
		if last != nil {
			return fmt.Errorf("the iterator went on after its error %v", last)
		}
		if err != nil {
			last = err
			continue
		}
		items = append(items, v)
		if len(items) > b.total {
			return fmt.Errorf("%w: %d items yielded, the server holds %d", errLie, len(items), b.total)
		}
	}
	if err := checkItems(b, items, id); err != nil {
		return err
	}
	return last
}
