package envelope

import (
	"errors"
	"strings"
	"testing"
	"time"
)

type thing struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

func TestDecodeShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		body   string
		want   thing
		reqID  string
		paging bool
	}{
		{"canonical", `{"success":true,"data":{"id":"inst_1","status":"running"},"metadata":{"request_id":"req_1"}}`, thing{"inst_1", "running"}, "req_1", false},
		{"canonical with pagination", `{"success":true,"data":{"id":"a"},"pagination":{"page":1,"limit":20,"has_next":true}}`, thing{ID: "a"}, "", true},
		{"bare object", ` {"id":"RES_1","status":"active"} `, thing{"RES_1", "active"}, "", false},
		{"bare object with a data field of its own", `{"id":"x","data":{"id":"y"}}`, thing{ID: "x"}, "", false},
		{"status shape", `{"status":"success","data":{"id":"w-1","status":"running"}}`, thing{"w-1", "running"}, "", false},
		{"unknown fields ignored", `{"success":true,"data":{"id":"a","new_field":[1,2]},"extra":{}}`, thing{ID: "a"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got thing
			meta, err := Decode([]byte(tt.body), &got)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || meta.RequestID != tt.reqID || (meta.Pagination != nil) != tt.paging {
				t.Fatalf("got %+v %+v", got, meta)
			}
		})
	}
}

func TestDecodeLists(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		ids  string
	}{
		{"canonical", `{"success":true,"data":[{"id":"a"},{"id":"b"}]}`, "a,b"},
		{"bare array", `[{"id":"RES_1"},{"id":"RES_2"}]`, "RES_1,RES_2"},
		{"status shape wrapped", `{"status":"success","data":{"workloads":[{"id":"w-1"}],"count":1}}`, "w-1"},
		{"empty", `{"success":true,"data":[]}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []thing
			if _, err := Decode([]byte(tt.body), &got); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, g := range got {
				ids = append(ids, g.ID)
			}
			if s := strings.Join(ids, ","); s != tt.ids {
				t.Fatalf("ids %q, want %q", s, tt.ids)
			}
		})
	}
}

func TestDecodeFailures(t *testing.T) {
	t.Parallel()
	var apiErr *APIError
	var out thing
	_, err := Decode([]byte(`{"success":false,"error":{"code":"not_found","message":"gone"},"metadata":{"request_id":"req_9"}}`), &out)
	if !errors.As(err, &apiErr) || apiErr.Body.Code != "not_found" || apiErr.Meta.RequestID != "req_9" {
		t.Fatalf("success:false: %v", err)
	}
	_, err = Decode([]byte(`{"status":"error","error":"boom"}`), &out)
	if !errors.As(err, &apiErr) || apiErr.Body.Message != "boom" {
		t.Fatalf("status error: %v", err)
	}
	if _, err := Decode(nil, &out); !errors.Is(err, ErrEmpty) {
		t.Fatalf("empty: %v", err)
	}
	if _, err := Decode([]byte(`{"success":true,"data":{"id":"a"`), &out); err == nil {
		t.Fatal("truncated JSON decoded")
	}
	if _, err := Decode([]byte(`{"success":true,"data":{"id":7}}`), &out); err == nil {
		t.Fatal("wrong type decoded")
	}
	if _, err := Decode(nil, nil); err != nil {
		t.Fatalf("no body, no data wanted: %v", err)
	}
	var list []thing
	if _, err := Decode([]byte(`{"status":"success","data":{"a":[],"b":[]}}`), &list); err == nil {
		t.Fatal("an object with two arrays is not a wrapped list")
	}
}

func TestDecodeError(t *testing.T) {
	t.Parallel()
	body := `{"success":false,"error":{"code":"invalid_request","message":"Invalid instance type specified",
	  "details":{"field":"instance_type","value":"invalid-type","allowed_values":["compute-1x","compute-2x"]}},
	  "metadata":{"request_id":"req_xyz789"}}`
	e, meta, ok := DecodeError([]byte(body))
	if !ok || e.Code != "invalid_request" || e.Details.Field != "instance_type" || e.Details.Value != "invalid-type" ||
		len(e.Details.AllowedValues) != 2 || meta.RequestID != "req_xyz789" {
		t.Fatalf("%+v %+v %v", e, meta, ok)
	}
	for _, notJSON := range []string{"", "<html><body>502 Bad Gateway</body></html>", "{}", `{"error": 5}`, "[1]"} {
		if _, _, ok := DecodeError([]byte(notJSON)); ok {
			t.Fatalf("%q taken for an error envelope", notJSON)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body string
		want time.Duration
		ok   bool
	}{
		{`{"error":{"code":"rate_limit_exceeded","retry_after":3600}}`, time.Hour, true},
		{`{"error":{"code":"rate_limit_exceeded","retry_after":1.5}}`, 1500 * time.Millisecond, true},
		{`{"error":{"code":"rate_limit_exceeded","retry_after":-1}}`, 0, false},
		{`{"error":{"code":"rate_limit_exceeded","retry_after":1e300}}`, 0, false},
		{`{"error":{"code":"rate_limit_exceeded"}}`, 0, false},
		{`not json`, 0, false},
	}
	for _, tt := range tests {
		got, ok := RetryAfter([]byte(tt.body))
		if got != tt.want || ok != tt.ok {
			t.Errorf("RetryAfter(%s) = %v, %v", tt.body, got, ok)
		}
	}
}

func TestExcerpt(t *testing.T) {
	t.Parallel()
	page := "<html>\n<body>" + strings.Repeat("λ", 500) + "</body></html>"
	got := Excerpt([]byte(page), 64)
	if len(got) > 64+len("…") || strings.ContainsAny(got, "\n\r") || !strings.HasSuffix(got, "…") {
		t.Fatalf("excerpt %q", got)
	}
}

// TestDecodeStatusShapeRule: only the real status envelope is an envelope;
// a bare resource whose own status is "error" or "success" is a resource.
func TestDecodeStatusShapeRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want thing
	}{
		{"bare resource in status error", `{"id":"inst_1","status":"error"}`, thing{"inst_1", "error"}},
		{"bare resource in status success", `{"id":"job_1","status":"success"}`, thing{"job_1", "success"}},
		{"bare resource in status error with an error message of its own", `{"id":"inst_1","status":"error","error":"disk failed"}`, thing{"inst_1", "error"}},
		{"bare resource in status success with a data field of its own", `{"id":"job_1","status":"success","data":{"id":"other"}}`, thing{"job_1", "success"}},
		{"status envelope", `{"status":"success","data":{"id":"w-1","status":"running"},"metadata":{"request_id":"r"}}`, thing{"w-1", "running"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got thing
			if _, err := Decode([]byte(tt.body), &got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	var apiErr *APIError
	if _, err := Decode([]byte(`{"status":"error","message":"maintenance","code":"server_error"}`), new(thing)); !errors.As(err, &apiErr) {
		t.Fatalf("status error envelope with a message: %v", err)
	}
}

// TestDecodeSuccessWithoutData: a success that carries nothing where a
// value was expected is an error, never a zero value.
func TestDecodeSuccessWithoutData(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body string
		want error
	}{
		{`{"success":true,"data":null}`, ErrNoData},
		{`{"success":true}`, ErrNoData},
		{`{"success":true,"metadata":{"request_id":"r","data":1}}`, ErrNoData},
		{`{"status":"success","data":null}`, ErrNoData},
		{`{"status":"success"}`, ErrNoData}, // found by FuzzServerBehaviour: once read as a bare resource
		{`{"status":"success","metadata":{"request_id":"r"}}`, ErrNoData},
		{`null`, ErrNoData},
		{` null `, ErrNoData},
		{`{"success":true,"data":{"id":"a"},"error":{"code":"server_error"}}`, ErrErrorInSuccess},
		{`{"success":true,"error":{"code":"not_found"}}`, ErrErrorInSuccess},
	}
	for _, tt := range tests {
		var one thing
		if _, err := Decode([]byte(tt.body), &one); !errors.Is(err, tt.want) {
			t.Errorf("%s into a resource: %v, want %v", tt.body, err, tt.want)
		}
		var list []thing
		if _, err := Decode([]byte(tt.body), &list); !errors.Is(err, tt.want) {
			t.Errorf("%s into a list: %v, want %v", tt.body, err, tt.want)
		}
	}
	// A zero resource that was really sent is data.
	var zeroThing thing
	if _, err := Decode([]byte(`{"success":true,"data":{}}`), &zeroThing); err != nil {
		t.Errorf("an empty object sent as data: %v", err)
	}
	if _, err := Decode([]byte(`{"success":true,"data":null}`), nil); err != nil {
		t.Errorf("no data wanted: %v", err)
	}
}

// TestDecodeErrorDetailsOfAnyType: details of unexpected types never cost
// the error its code and message.
func TestDecodeErrorDetailsOfAnyType(t *testing.T) {
	t.Parallel()
	body := `{"success":false,"error":{"code":"invalid_request","message":"bad size",
	  "details":{"field":"size_gb","value":7,"allowed_values":[10,20,"x",null,{"a":1}]}}}`
	e, _, ok := DecodeError([]byte(body))
	if !ok || e.Code != "invalid_request" || e.Message != "bad size" || e.Details == nil || e.Details.Field != "size_gb" {
		t.Fatalf("%+v %v", e, ok)
	}
	if got := strings.Join(e.Details.AllowedValues, ","); got != `10,20,x,,{"a":1}` {
		t.Fatalf("allowed values %q", got)
	}
	for _, details := range []string{`"oops"`, `[1]`, `{"field":{"a":1},"allowed_values":"a"}`} {
		e, _, ok := DecodeError([]byte(`{"error":{"code":"conflict","message":"m","details":` + details + `}}`))
		if !ok || e.Code != "conflict" || e.Message != "m" {
			t.Errorf("details %s: %+v %v", details, e, ok)
		}
	}
}

// refusing is a value whose own decoding fails, as a malformed amount's
// does: encoding/json stops at it.
type refusing struct{}

func (*refusing) UnmarshalJSON([]byte) error { return errors.New("refused") }

// TestDecodeFailureKeepsTheMembersAfterData: a value in data that fails its
// own decoding stops encoding/json there; the members after data are read
// all the same, so the error keeps the request ID, a success stays a
// success whatever the order of its members, and an error envelope keeps
// its code.
func TestDecodeFailureKeepsTheMembersAfterData(t *testing.T) {
	t.Parallel()
	type out struct {
		ID    string    `json:"id"`
		Money *refusing `json:"money"`
	}
	tests := []struct {
		name, body, wantID, wantCode string
	}{
		{"metadata after data", `{"success":true,"data":{"id":"a","money":"x"},"metadata":{"request_id":"req_1"}}`, "req_1", ""},
		{"success after data", `{"data":{"id":"a","money":"x"},"success":true,"metadata":{"request_id":"req_2"}}`, "req_2", ""},
		{"status after data", `{"data":{"id":"a","money":"x"},"status":"success","metadata":{"request_id":"req_3"}}`, "req_3", ""},
		{"error after data", `{"success":false,"data":{"money":"x"},"error":{"code":"not_found","message":"gone"},"metadata":{"request_id":"req_4"}}`, "req_4", "not_found"},
	}
	for _, tt := range tests {
		var o out
		meta, err := Decode([]byte(tt.body), &o)
		if err == nil {
			t.Fatalf("%s: decoded", tt.name)
		}
		if meta.RequestID != tt.wantID {
			t.Errorf("%s: request ID %q, want %q", tt.name, meta.RequestID, tt.wantID)
		}
		var apiErr *APIError
		if tt.wantCode != "" && (!errors.As(err, &apiErr) || apiErr.Body.Code != tt.wantCode) {
			t.Errorf("%s: %v, want the API's %s", tt.name, err, tt.wantCode)
		}
		if tt.wantCode == "" && !strings.Contains(err.Error(), "refused") {
			t.Errorf("%s: %v, want the value's own error", tt.name, err)
		}
	}
}
