package lambdatest

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Operation is one operation of the contract: what a route of the API is
// called and where it lives.
type Operation struct {
	ID     string // the operationId: "getInstance"
	Method string // "GET"
	Path   string // the path template under the version prefix: "/instances/{id}"
	// JSONBody says whether the operation takes a JSON request body.
	JSONBody bool
}

// Operations returns every operation of the contract, sorted by path, then
// method. The simulator routes exactly these: a test can walk them to prove
// that each one is served and called.
func (c *Contract) Operations() []Operation { return slices.Clone(c.ops) }

// operationsOf lists the operations of doc; each must have an operationId
// of its own, since the simulator finds its handler by that ID.
func operationsOf(doc *openapi3.T) ([]Operation, error) {
	var ops []Operation
	seen := map[string]string{}
	var errs []error
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			switch {
			case op.OperationID == "":
				errs = append(errs, fmt.Errorf("%s has no operationId", name))
			case seen[op.OperationID] != "":
				errs = append(errs, fmt.Errorf("%s and %s share the operationId %q", seen[op.OperationID], name, op.OperationID))
			default:
				seen[op.OperationID] = name
			}
			body := op.RequestBody != nil && op.RequestBody.Value != nil &&
				op.RequestBody.Value.Content.Get("application/json") != nil
			ops = append(ops, Operation{ID: op.OperationID, Method: method, Path: path, JSONBody: body})
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	return ops, errors.Join(errs...)
}

// handler is the simulator's side of one operation.
type handler struct {
	handle func(c *call) reply
	stream bool // the handler writes to the connection itself (WebSocket)
	// token marks the authorization server's endpoint: serveHTTP answers it
	// with serveToken, before authentication and only at its path (under
	// /v1 or /v2), so it has no place in the routing table.
	token bool
}

// handlers maps every operation ID of the contract (openapi.yaml) to its
// handler. The method and path of each come from the contract; newRoutes
// refuses an operation without a handler and a handler without an
// operation.
func (s *Server) handlers() map[string]handler {
	return map[string]handler{
		"createInstance":        {handle: s.createInstance},
		"listInstances":         {handle: s.listInstances},
		"getInstance":           {handle: s.getInstance},
		"updateInstance":        {handle: s.updateInstance},
		"deleteInstance":        {handle: s.deleteInstance},
		"startInstance":         {handle: s.startInstance},
		"stopInstance":          {handle: s.stopInstance},
		"restartInstance":       {handle: s.restartInstance},
		"resizeInstance":        {handle: s.resizeInstance},
		"getInstanceNetwork":    {handle: s.instanceNetwork},
		"getInstanceMetrics":    {handle: s.instanceMetrics},
		"streamInstanceMetrics": {handle: s.streamMetrics, stream: true},

		"createVolume": {handle: s.createVolume},
		"listVolumes":  {handle: s.listVolumes},
		"getVolume":    {handle: s.getVolume},
		"deleteVolume": {handle: s.deleteVolume},
		"attachVolume": {handle: s.attachVolume},
		"detachVolume": {handle: s.detachVolume},
		"resizeVolume": {handle: s.resizeVolume},

		"createSnapshot":  {handle: s.createSnapshot},
		"listSnapshots":   {handle: s.listSnapshots},
		"getSnapshot":     {handle: s.getSnapshot},
		"deleteSnapshot":  {handle: s.deleteSnapshot},
		"restoreSnapshot": {handle: s.restoreSnapshot},

		"createFirewallRule": {handle: s.createRule},
		"listFirewallRules":  {handle: s.listRules},
		"deleteFirewallRule": {handle: s.deleteRule},
		"createVPN":          {handle: s.createVPN},
		"listVPNs":           {handle: s.listVPNs},

		"listFunctions":  {handle: s.listFunctions},
		"createFunction": {handle: s.createFunction},

		"getUsage":       {handle: s.billingUsage},
		"getUsageLegacy": {handle: s.bareUsage},
		"listInvoices":   {handle: s.listInvoices},
		"getInvoice":     {handle: s.getInvoice},
		"getEstimate":    {handle: s.billingEstimate},

		"getAccount":    {handle: s.getAccount},
		"updateAccount": {handle: s.updateAccount},
		"getQuota":      {handle: s.getQuota},
		"createAPIKey":  {handle: s.createAPIKey},
		"listAPIKeys":   {handle: s.listAPIKeys},
		"deleteAPIKey":  {handle: s.deleteAPIKey},
		"requestToken":  {token: true},

		"createWebhook": {handle: s.createWebhook},

		"listResources":  {handle: s.listResources},
		"createResource": {handle: s.createResource},
		"getResource":    {handle: s.getResource},
		"updateResource": {handle: s.updateResource},
		"deleteResource": {handle: s.deleteResource},

		"listWorkloads":    {handle: s.listWorkloads},
		"createDeployment": {handle: s.createDeployment},
		// The workloads documentation's example URL for the same call.
		"createDeploymentAtWorkloads": {handle: s.createDeployment},
	}
}

// route is one operation the simulator routes: the operation, its path
// template split into segments, and its handler.
type route struct {
	Operation
	segs  []string // "instances", "{id}", "start"
	param int      // the index of the one {…} segment; -1 when none
	handler
}

// newRoutes joins the operations of the contract to their handlers. It
// returns the routing table, most specific path first, and the route of
// the token endpoint. It fails, naming each, on an operation without a
// handler, a handler without an operation, a path with more than one
// parameter (a call carries one ID), and a token endpoint the contract
// puts elsewhere than tokenPath.
func newRoutes(ops []Operation, hs map[string]handler) (table []route, token route, err error) {
	var errs []error
	known := map[string]bool{}
	for _, op := range ops {
		known[op.ID] = true
		h, ok := hs[op.ID]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("operation %s (%s %s) of openapi.yaml has no handler in lambdatest's handlers()", op.ID, op.Method, op.Path))
			continue
		case h.token:
			if op.Method != http.MethodPost || op.Path != tokenOpPath {
				errs = append(errs, fmt.Errorf("operation %s is %s %s in openapi.yaml, but lambdatest serves the token endpoint at POST %s", op.ID, op.Method, op.Path, tokenPath))
			}
			token = route{Operation: op, param: -1, handler: h}
			continue
		case h.handle == nil:
			errs = append(errs, fmt.Errorf("operation %s has a handler without a function", op.ID))
			continue
		}
		rt := route{Operation: op, segs: strings.Split(strings.TrimPrefix(op.Path, "/"), "/"), param: -1, handler: h}
		for i, seg := range rt.segs {
			if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
				if rt.param >= 0 {
					errs = append(errs, fmt.Errorf("operation %s (%s) has more than one path parameter; the simulator's call carries one ID", op.ID, op.Path))
				}
				rt.param = i
			}
		}
		table = append(table, rt)
	}
	var extra []string
	for id := range hs {
		if !known[id] {
			extra = append(extra, id)
		}
	}
	sort.Strings(extra)
	for _, id := range extra {
		errs = append(errs, fmt.Errorf("lambdatest's handlers() names %s, which is no operation of openapi.yaml", id))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, route{}, fmt.Errorf("lambdatest: the routes do not match the contract: %w", err)
	}
	// A literal segment wins over a parameter at the same place, as with
	// http.ServeMux: "/instances/quota" would never be instance "quota".
	sort.SliceStable(table, func(i, j int) bool { return moreSpecific(table[i], table[j]) })
	return table, token, nil
}

// moreSpecific reports whether a is tried before b. Only routes of one
// method and length can both match a path; of those, the one whose
// parameter comes later has a literal segment where the other has a
// parameter, and wins.
func moreSpecific(a, b route) bool {
	pa, pb := a.param, b.param
	if pa < 0 {
		pa = len(a.segs)
	}
	if pb < 0 {
		pb = len(b.segs)
	}
	return pa > pb
}

// unversioned cuts the version segment (/v1 or /v2, the versions the
// simulator serves) off an escaped path: "/v1/instances" → "/instances".
// ok is false for a path without one.
func unversioned(path string) (rest string, ok bool) {
	rest, ok = strings.CutPrefix(path, "/v1")
	if !ok {
		rest, ok = strings.CutPrefix(path, "/v2")
	}
	return rest, ok && strings.HasPrefix(rest, "/")
}

// match finds the route of method and path, the request's escaped path
// ("/v1/instances/inst_1"), and the value of its {id}, if any. Both /v1
// and /v2 serve the same API. It splits on the "/" that were sent, then
// unescapes each segment, as the platform does: "x%2Fnetwork" is one ID,
// never the network route of instance x.
func match(routes []route, method, path string) (*route, string, bool) {
	rest, ok := unversioned(path)
	if !ok {
		return nil, "", false
	}
	segs, ok := segments(rest[1:])
	if !ok {
		return nil, "", false
	}
	for i := range routes {
		rt := &routes[i]
		if rt.Method != method || len(rt.segs) != len(segs) {
			continue
		}
		hit := true
		for j, p := range rt.segs {
			if j == rt.param {
				hit = segs[j] != ""
			} else {
				hit = p == segs[j]
			}
			if !hit {
				break
			}
		}
		if hit {
			id := ""
			if rt.param >= 0 {
				id = segs[rt.param]
			}
			return rt, id, true
		}
	}
	return nil, "", false
}

// segments splits an escaped path on its "/" and unescapes each segment;
// ok is false for a malformed escape.
func segments(escaped string) ([]string, bool) {
	segs := strings.Split(escaped, "/")
	for i, s := range segs {
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil, false
		}
		segs[i] = u
	}
	return segs, true
}
