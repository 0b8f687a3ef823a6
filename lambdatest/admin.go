package lambdatest

import (
	"crypto/subtle"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// AdminPrefix is the path under which WithAdminAPI serves the admin API. The
// platform has no route there, so it never hides one of the API's.
const AdminPrefix = "/_lambdasim/"

// AdminContract is the OpenAPI description of the admin API, so that a
// program in any language can drive the simulator. The server also serves it
// at /_lambdasim/openapi.yaml.
//
//go:embed admin.yaml
var AdminContract []byte

// WithAdminAPI serves the admin API under AdminPrefix, for steering the
// simulator over HTTP as a Go test steers it through Server's methods: inject
// and clear faults, read the request log and webhook deliveries, set a
// resource's status, seed data, read, set and move the clock, drop streams,
// and reset the world. Every admin request must carry
// "Authorization: Bearer <token>"; the API's own keys are not accepted there,
// nor the admin token on the API. An empty token leaves the admin API off.
// AdminContract describes it.
func WithAdminAPI(token string) Option {
	return func(c *config) { c.adminToken = token }
}

// serveAdmin answers a request under AdminPrefix.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.adminToken)) != 1 {
		adminError(w, http.StatusUnauthorized, "send the admin token printed at start as Authorization: Bearer <token>")
		return
	}
	s.adminMux().ServeHTTP(w, r)
}

// adminMux routes the admin API; each handler is a thin shell over the
// Server method of the same job.
func (s *Server) adminMux() *http.ServeMux {
	mux := http.NewServeMux()
	p := strings.TrimSuffix(AdminPrefix, "/")
	mux.HandleFunc("GET "+p+"/openapi.yaml", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(AdminContract)
	})
	mux.HandleFunc("GET "+p+"/health", func(w http.ResponseWriter, _ *http.Request) {
		adminJSON(w, http.StatusOK, map[string]any{"status": "ok", "base_url": s.BaseURL(), "now": s.Now().UTC()})
	})
	mux.HandleFunc("POST "+p+"/faults", s.adminInjectFault)
	mux.HandleFunc("DELETE "+p+"/faults", func(w http.ResponseWriter, _ *http.Request) {
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET "+p+"/requests", s.adminRequests)
	mux.HandleFunc("DELETE "+p+"/requests", func(w http.ResponseWriter, _ *http.Request) {
		s.ResetRequests()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET "+p+"/deliveries", s.adminDeliveries)
	mux.HandleFunc("PUT "+p+"/status/{kind}/{id}", s.adminSetStatus)
	mux.HandleFunc("POST "+p+"/seed", s.adminSeed)
	mux.HandleFunc("GET "+p+"/clock", s.adminClock)
	mux.HandleFunc("PUT "+p+"/clock", s.adminSetClock)
	mux.HandleFunc("POST "+p+"/clock/advance", s.adminAdvanceClock)
	mux.HandleFunc("POST "+p+"/streams/drop", func(w http.ResponseWriter, _ *http.Request) {
		s.DropStreams()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST "+p+"/transitions/pause", func(w http.ResponseWriter, _ *http.Request) {
		s.PauseTransitions()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST "+p+"/transitions/resume", func(w http.ResponseWriter, _ *http.Request) {
		s.ResumeTransitions()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST "+p+"/reset", func(w http.ResponseWriter, _ *http.Request) {
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc(AdminPrefix, func(w http.ResponseWriter, r *http.Request) {
		// The catch-all takes every method, so ServeMux never answers 405
		// itself: a known path with another method is told so here.
		if allow := allowedMethods(mux, r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			adminError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s takes %s, not %s", r.URL.Path, strings.Join(allow, " or "), r.Method))
			return
		}
		adminError(w, http.StatusNotFound, fmt.Sprintf("no admin route for %s %s; see %sopenapi.yaml", r.Method, r.URL.Path, AdminPrefix))
	})
	return mux
}

// allowedMethods lists the methods of mux's routes, other than its
// catch-all, that r's path has.
func allowedMethods(mux *http.ServeMux, r *http.Request) []string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != AdminPrefix {
			allow = append(allow, m)
		}
	}
	return allow
}

// adminFault is a Fault as the admin API takes it: durations as Go duration
// strings ("250ms") and headers as a map of one value each.
type adminFault struct {
	Method        string            `json:"method"`
	Path          string            `json:"path"`
	Times         int               `json:"times"`
	Status        int               `json:"status"`
	Body          string            `json:"body"`
	Header        map[string]string `json:"header"`
	Delay         string            `json:"delay"`
	Drop          bool              `json:"drop"`
	AfterHandling bool              `json:"after_handling"`
}

func (s *Server) adminInjectFault(w http.ResponseWriter, r *http.Request) {
	var in adminFault
	if !adminDecode(w, r, &in) {
		return
	}
	f := Fault{Method: strings.ToUpper(in.Method), Path: in.Path, Times: in.Times, Status: in.Status, Body: in.Body,
		Drop: in.Drop, AfterHandling: in.AfterHandling}
	if in.Status != 0 && (in.Status < 100 || in.Status > 599) {
		adminError(w, http.StatusBadRequest, fmt.Sprintf("status %d is not an HTTP status", in.Status))
		return
	}
	if in.Delay != "" {
		d, err := time.ParseDuration(in.Delay)
		if err != nil || d < 0 {
			adminError(w, http.StatusBadRequest, fmt.Sprintf("delay %q is not a duration such as \"250ms\"", in.Delay))
			return
		}
		f.Delay = d
	}
	if len(in.Header) > 0 {
		f.Header = http.Header{}
		for k, v := range in.Header {
			f.Header.Set(k, v)
		}
	}
	s.InjectFault(f)
	w.WriteHeader(http.StatusNoContent)
}

// adminRequest is one entry of the request log on the admin API. Credentials
// are left out, in headers and bodies alike (adminredact.go): the log is
// meant to be read by tools and people.
type adminRequest struct {
	Method      string              `json:"method"`
	Path        string              `json:"path"`
	EscapedPath string              `json:"escaped_path"`
	Query       string              `json:"query"`
	Header      map[string][]string `json:"header"`
	Body        string              `json:"body"`
	Time        time.Time           `json:"time"`
}

func (s *Server) adminRequests(w http.ResponseWriter, _ *http.Request) {
	reqs := s.Requests()
	out := make([]adminRequest, len(reqs))
	for i, r := range reqs {
		out[i] = adminRequest{Method: r.Method, Path: r.Path, EscapedPath: r.EscapedPath, Query: loggedBody([]byte(r.RawQuery)),
			Header: loggedHeader(r.Header), Body: loggedBody(r.Body), Time: r.Time.UTC()}
	}
	adminJSON(w, http.StatusOK, map[string]any{"requests": out})
}

// adminDelivery is one webhook delivery attempt on the admin API.
type adminDelivery struct {
	EventID    string    `json:"event_id"`
	Type       string    `json:"type"`
	WebhookID  string    `json:"webhook_id"`
	URL        string    `json:"url"`
	Attempt    int       `json:"attempt"`
	StatusCode int       `json:"status_code"`
	Error      string    `json:"error,omitempty"`
	Time       time.Time `json:"time"`
}

func (s *Server) adminDeliveries(w http.ResponseWriter, _ *http.Request) {
	ds := s.Deliveries()
	out := make([]adminDelivery, len(ds))
	for i, d := range ds {
		out[i] = adminDelivery{EventID: d.EventID, Type: d.Type, WebhookID: d.WebhookID, URL: d.URL, Attempt: d.Attempt,
			StatusCode: d.StatusCode, Error: d.Err, Time: d.Time.UTC()}
	}
	adminJSON(w, http.StatusOK, map[string]any{"deliveries": out})
}

func (s *Server) adminSetStatus(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Status string `json:"status"`
	}
	if !adminDecode(w, r, &in) {
		return
	}
	if err := s.SetStatus(r.PathValue("kind"), r.PathValue("id"), in.Status); err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, errNoSuchObject) {
			status = http.StatusNotFound
		}
		adminError(w, status, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// adminSeedRequest says what POST /_lambdasim/seed adds.
type adminSeedRequest struct {
	Instances int `json:"instances"`
	Functions []struct {
		Name    string   `json:"name"`
		Runtime string   `json:"runtime"`
		Status  string   `json:"status"`
		Tags    []string `json:"tags"`
	} `json:"functions"`
}

func (s *Server) adminSeed(w http.ResponseWriter, r *http.Request) {
	var in adminSeedRequest
	if !adminDecode(w, r, &in) {
		return
	}
	if in.Instances < 0 || in.Instances > 10_000 {
		adminError(w, http.StatusBadRequest, "instances must be between 0 and 10000")
		return
	}
	functions := []string{}
	for _, f := range in.Functions {
		if f.Status == "" {
			f.Status = "active"
		}
		if f.Runtime == "" {
			f.Runtime = "python3.11"
		}
		id, err := s.SeedFunction(f.Name, f.Runtime, f.Status, f.Tags...)
		if err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
		functions = append(functions, id)
	}
	instances := s.SeedInstances(in.Instances)
	adminJSON(w, http.StatusOK, map[string]any{"instances": instances, "functions": functions})
}

func (s *Server) adminClock(w http.ResponseWriter, _ *http.Request) {
	adminJSON(w, http.StatusOK, map[string]any{"now": s.Now().UTC()})
}

func (s *Server) adminSetClock(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Now time.Time `json:"now"`
	}
	if !adminDecode(w, r, &in) {
		return
	}
	if in.Now.IsZero() {
		adminError(w, http.StatusBadRequest, `want {"now": "<RFC 3339 time>"}`)
		return
	}
	if err := s.SetClock(in.Now); err != nil {
		adminError(w, http.StatusConflict, err.Error())
		return
	}
	s.adminClock(w, r)
}

func (s *Server) adminAdvanceClock(w http.ResponseWriter, r *http.Request) {
	var in struct {
		By string `json:"by"`
	}
	if !adminDecode(w, r, &in) {
		return
	}
	d, err := time.ParseDuration(in.By)
	if err != nil {
		adminError(w, http.StatusBadRequest, fmt.Sprintf(`want {"by": "<Go duration such as 1h30m>"}, not %q`, in.By))
		return
	}
	if err := s.AdvanceClock(d); err != nil {
		adminError(w, http.StatusConflict, err.Error())
		return
	}
	s.adminClock(w, r)
}

// adminDecode reads a JSON body into v (an empty body leaves v as it is) and
// answers 400 itself when it cannot.
func adminDecode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		adminError(w, http.StatusBadRequest, "the body is unreadable or too large")
		return false
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return true
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		adminError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
		return false
	}
	return true
}

func adminJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func adminError(w http.ResponseWriter, status int, msg string) {
	adminJSON(w, status, map[string]any{"error": map[string]string{"message": msg}})
}
