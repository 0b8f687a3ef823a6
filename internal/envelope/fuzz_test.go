package envelope

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// maxSeconds is the cap Seconds puts on any wait a response asks for.
const maxSeconds = 366 * 24 * 3600

// fuzzItem is a resource shape with the field kinds the API uses.
type fuzzItem struct {
	ID    string            `json:"id"`
	Name  string            `json:"name"`
	Count int64             `json:"count"`
	Ready bool              `json:"ready"`
	Tags  map[string]string `json:"tags,omitempty"`
}

var decodeSeeds = []string{
	``,
	`   `,
	`null`,
	`[]`,
	`[{"id":"a"},{"id":"b"}]`,
	`{"success":true,"data":{"id":"inst_1","name":"web"},"metadata":{"request_id":"req_1"}}`,
	`{"success":true,"data":[{"id":"a"}],"pagination":{"page":1,"limit":20,"total_items":1,"total_pages":1}}`,
	`{"success":true,"data":{"workloads":[{"id":"w-1"}]}}`,
	`{"success":true,"data":{"a":[1],"b":[2]}}`,
	`{"success":false,"error":{"code":"not_found","message":"gone"},"metadata":{"request_id":"req_2"}}`,
	`{"success":false,"error":"plain string"}`,
	`{"success":false,"error":{"code":42}}`,
	`{"success":false}`,
	`{"status":"success","data":{"id":"x"}}`,
	`{"status":"error","error":{"code":"server_error"}}`,
	`{"status":{"nested":true},"data":1}`,
	`{"id":"bare","data":{"id":"inner"}}`,
	`{"success":true,"data":{"id":"inst_1","na`,
	`{"success":"yes","data":{}}`,
	`{"success":true,"data":{"id":42}}`,
	`{"success":true,"data":null}`,
	`<html><body>502 Bad Gateway</body></html>`,
	"\xff\xfe{\"id\":\"\xc3\"}",
	`{"success":false,"error":{"code":"rate_limit_exceeded","retry_after":1e308}}`,
	`{"success":false,"error":{"code":"rate_limit_exceeded","retry_after":-5}}`,
	`{"success":false,"error":{"code":"rate_limit_exceeded","retry_after":"7"}}`,
	`{"message":"upstream timeout"}`,
	`{"error":{"code":"x","details":{"field":"f","value":{"a":[1,2]},"allowed_values":["a","b"]}}}`,
	`{"error":{"code":"x","details":{"field":7,"allowed_values":[1,null,"b",{"c":1}]}}}`,
	`{"id":"inst_1","status":"error"}`,
	`{"status":"success"}`,
	`{"success":true,"error":{"code":"x"},"data":{"id":"a"}}`,
	`{"success":true,"metadata":{"request_id":"r"}}`,
}

// FuzzDecode feeds arbitrary bodies to every decoder of a response: none
// may panic, and what they report must stay within bounds.
func FuzzDecode(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var one fuzzItem
		meta, err := Decode(body, &one)
		checkDecodeResult(t, meta, err)
		var many []fuzzItem
		meta, err = Decode(body, &many)
		checkDecodeResult(t, meta, err)
		var anything any
		meta, err = Decode(body, &anything)
		checkDecodeResult(t, meta, err)
		if _, err := Decode(body, nil); err != nil {
			// Discarding the data fails only on an error envelope, well
			// formed (*APIError) or not, or a success carrying an error.
			var apiErr *APIError
			if !errors.As(err, &apiErr) && !errors.Is(err, ErrErrorInSuccess) && !strings.Contains(err.Error(), "error envelope") {
				t.Fatalf("discarding the data gave %v; only an error envelope may fail", err)
			}
		}

		eb, _, ok := DecodeError(body)
		if !ok && !reflect.DeepEqual(eb, ErrorBody{}) {
			t.Fatalf("DecodeError not ok but returned %+v", eb)
		}
		if d, ok := RetryAfter(body); d < 0 || d > maxSeconds*1e9 || (!ok && d != 0) {
			t.Fatalf("RetryAfter = %v, %v", d, ok)
		}
		for _, n := range []int{0, 1, 7, 200} {
			checkExcerpt(t, body, n)
		}
	})
}

// checkDecodeResult: an error envelope always has a code (the client maps
// it to a sentinel), and its metadata is the response's.
func checkDecodeResult(t *testing.T, meta Meta, err error) {
	t.Helper()
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		if apiErr.Body.Code == "" {
			t.Fatalf("an error envelope without a code: %+v", apiErr)
		}
		if apiErr.Meta.RequestID != meta.RequestID {
			t.Fatalf("error envelope meta %+v differs from %+v", apiErr.Meta, meta)
		}
	}
}

// checkExcerpt holds Excerpt to its promise: at most n characters of the
// body (plus an ellipsis), printable, valid UTF-8.
func checkExcerpt(t *testing.T, body []byte, n int) {
	t.Helper()
	s := Excerpt(body, n)
	if !utf8.ValidString(s) {
		t.Fatalf("Excerpt(%q, %d) = %q: not valid UTF-8", body, n, s)
	}
	runes := utf8.RuneCountInString(strings.TrimSuffix(s, "…"))
	if runes > n {
		t.Fatalf("Excerpt(%q, %d) = %q: %d characters", body, n, s, runes)
	}
	if len(s) > 3*n+len("…") {
		t.Fatalf("Excerpt(%q, %d) is %d bytes", body, n, len(s))
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			t.Fatalf("Excerpt(%q, %d) = %q: control character %U", body, n, s, r)
		}
	}
}

// FuzzCanonicalRoundTrip builds the canonical envelope from fuzzed fields,
// as the API would, and checks that Decode gives every field back, into a
// struct and, as a one-element list, into a slice.
func FuzzCanonicalRoundTrip(f *testing.F) {
	f.Add("inst_1", "web", int64(3), true, "req_1", 1, 20, true)
	f.Add("", "", int64(0), false, "", 0, 0, false)
	f.Add("λ_ünïcode", "a\"b\\c\n", int64(-1<<63), false, "req_\u2028", 2, 100, false)
	f.Add("\xff\xfe", "<html>", int64(1<<62), true, "\x00", -1, -20, true)
	f.Fuzz(func(t *testing.T, id, name string, count int64, ready bool, reqID string, page, limit int, hasNext bool) {
		item := fuzzItem{ID: id, Name: name, Count: count, Ready: ready}
		pg := Pagination{Page: page, Limit: limit, TotalItems: page * 3, TotalPages: page, HasNext: hasNext, HasPrev: !hasNext}
		want := jsonRoundTrip(t, item) // json.Marshal replaces invalid UTF-8: compare with what the wire carries

		var got fuzzItem
		meta, err := Decode(canonical(t, item, reqID, nil), &got)
		if err != nil {
			t.Fatalf("Decode: %v", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("data: got %+v, want %+v", got, want)
		}
		if meta.RequestID != jsonRoundTrip(t, reqID) || meta.Pagination != nil {
			t.Fatalf("meta: %+v, want request ID %q", meta, reqID)
		}

		var list []fuzzItem
		meta, err = Decode(canonical(t, []fuzzItem{item}, reqID, &pg), &list)
		if err != nil {
			t.Fatalf("Decode list: %v", err)
		}
		if len(list) != 1 || !reflect.DeepEqual(list[0], want) {
			t.Fatalf("list: got %+v, want [%+v]", list, want)
		}
		if meta.Pagination == nil || *meta.Pagination != pg {
			t.Fatalf("pagination: got %+v, want %+v", meta.Pagination, pg)
		}

		// The error envelope built from the same fields round-trips too.
		body, _ := json.Marshal(map[string]any{"success": false,
			"error":    map[string]any{"code": id, "message": name},
			"metadata": map[string]any{"request_id": reqID}})
		_, err = Decode(body, &got)
		var apiErr *APIError
		if !errors.As(err, &apiErr) {
			t.Fatalf("an error envelope decoded as %v", err)
		}
		wantCode := jsonRoundTrip(t, id)
		if wantCode == "" {
			wantCode = "unknown_error"
		}
		if apiErr.Body.Code != wantCode || apiErr.Body.Message != jsonRoundTrip(t, name) {
			t.Fatalf("error envelope: %+v", apiErr.Body)
		}
		eb, meta, ok := DecodeError(body)
		if !ok || eb.Code != jsonRoundTrip(t, id) || meta.RequestID != jsonRoundTrip(t, reqID) {
			t.Fatalf("DecodeError: %+v %+v %v", eb, meta, ok)
		}
	})
}

func canonical(t *testing.T, data any, reqID string, pg *Pagination) []byte {
	t.Helper()
	env := map[string]any{"success": true, "data": data, "metadata": map[string]any{"request_id": reqID}}
	if pg != nil {
		env["pagination"] = pg
	}
	b, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jsonRoundTrip returns v as it reads after a trip through JSON.
func jsonRoundTrip[T any](t *testing.T, v T) T {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
