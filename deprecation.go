package lambda

import (
	"bufio"
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The platform promises 12 months' notice before an API version or route
// ends, given on the answers themselves: a Deprecation header (RFC 9745:
// a structured-field date, "@1688169599") says since or from when a route
// is deprecated, a Sunset header (RFC 8594: an HTTP date) when it stops
// answering, and a Link with rel="deprecation" or rel="sunset" where to
// read more. The client puts them in ResponseInfo and, with WithLogger,
// warns once per route (method and path template, "DELETE
// /instances/{id}") per client, so that a log is not flooded by every call.

// deprecationOf reads the deprecation notice of h. A value that does not
// parse is ignored: the server is not trusted to send well-formed headers.
func deprecationOf(h http.Header) (deprecated bool, since, sunset time.Time, link string) {
	if v := strings.TrimSpace(h.Get("Deprecation")); v != "" {
		deprecated, since = parseDeprecation(v)
	}
	if v := strings.TrimSpace(h.Get("Sunset")); v != "" {
		if t, err := http.ParseTime(v); err == nil {
			sunset = t.UTC()
		}
	}
	if deprecated || !sunset.IsZero() {
		link = deprecationLink(h.Values("Link"))
	}
	return deprecated, since, sunset, link
}

// parseDeprecation reads RFC 9745's "@<unix seconds>", and the forms of the
// drafts before it that servers still send: "true" (no date) and an HTTP
// date.
func parseDeprecation(v string) (bool, time.Time) {
	switch {
	case strings.HasPrefix(v, "@"):
		secs, err := strconv.ParseInt(v[1:], 10, 64)
		// RFC 9651 dates are integers of at most 15 digits.
		if err != nil || secs < -999_999_999_999_999 || secs > 999_999_999_999_999 {
			return false, time.Time{}
		}
		return true, time.Unix(secs, 0).UTC()
	case strings.EqualFold(v, "true") || v == "?1":
		return true, time.Time{}
	}
	if t, err := http.ParseTime(v); err == nil {
		return true, t.UTC()
	}
	return false, time.Time{}
}

// deprecationLink returns the https target of the first Link with
// rel="deprecation" or rel="sunset", or "". Only an absolute http(s) URL of
// at most 2,048 bytes is kept: it ends up in log lines.
func deprecationLink(links []string) string {
	for _, l := range links {
		for _, part := range strings.Split(l, ",") {
			part = strings.TrimSpace(part)
			end := strings.IndexByte(part, '>')
			if !strings.HasPrefix(part, "<") || end < 0 {
				continue
			}
			target, params := part[1:end], strings.ToLower(part[end+1:])
			if !strings.Contains(params, `rel="deprecation"`) && !strings.Contains(params, "rel=deprecation") &&
				!strings.Contains(params, `rel="sunset"`) && !strings.Contains(params, "rel=sunset") {
				continue
			}
			if len(target) <= 2048 && (strings.HasPrefix(target, "https://") || strings.HasPrefix(target, "http://")) &&
				!strings.ContainsAny(target, " \t\r\n\"") {
				return target
			}
		}
	}
	return ""
}

// warnDeprecated logs the deprecation notice of resp, once per route per
// client, to the client's logger (none: nothing, and nothing to remember).
func (c *Client) warnDeprecated(ctx context.Context, method, path string, resp *http.Response) {
	if c.logger == nil || resp == nil {
		return
	}
	deprecated, since, sunset, link := deprecationOf(resp.Header)
	if !deprecated && sunset.IsZero() {
		return
	}
	route := method + " " + routeTemplate(path)
	if _, warned := c.deprecationWarned.LoadOrStore(route, struct{}{}); warned {
		return
	}
	attrs := []slog.Attr{slog.String("route", route)}
	if !since.IsZero() {
		attrs = append(attrs, slog.Time("deprecation", since))
	}
	if !sunset.IsZero() {
		attrs = append(attrs, slog.Time("sunset", sunset))
	}
	if link != "" {
		attrs = append(attrs, slog.String("link", link))
	}
	c.logger.LogAttrs(ctx, slog.LevelWarn, "lambda: the API deprecated this route", attrs...)
}

// routeTemplate turns a path the client sent ("/instances/inst_1/start")
// into its template in the contract ("/instances/{id}/start"): a route is
// what is deprecated, not one resource. A path the contract does not know
// keeps the segments the contract uses as literals and replaces the others
// with {id}, so that IDs never make routes without end.
func routeTemplate(p string) string {
	segs := strings.Split(strings.Trim(p, "/"), "/")
	tpls := contractPaths()
	best, bestLiterals := "", -1
	for _, tpl := range tpls.templates {
		ts := strings.Split(strings.Trim(tpl, "/"), "/")
		if len(ts) != len(segs) {
			continue
		}
		literals, ok := 0, true
		for i, t := range ts {
			switch {
			case strings.HasPrefix(t, "{"):
			case t == segs[i]:
				literals++
			default:
				ok = false
			}
		}
		if ok && literals > bestLiterals {
			best, bestLiterals = tpl, literals
		}
	}
	if best != "" {
		return best
	}
	for i, s := range segs {
		if !tpls.literals[s] {
			segs[i] = "{id}"
		}
	}
	return "/" + strings.Join(segs, "/")
}

// contractPaths are the path templates of the embedded contract, and the
// literal segments they use, read once when the first notice comes.
var contractPaths = sync.OnceValue(func() (r struct {
	templates []string
	literals  map[string]bool
}) {
	r.literals = map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(openAPISpec))
	inPaths := false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "paths:":
			inPaths = true
		case inPaths && len(line) > 0 && line[0] != ' ' && line[0] != '#':
			inPaths = false // the next top-level key
		case inPaths && strings.HasPrefix(line, "  /") && strings.HasSuffix(line, ":"):
			tpl := strings.TrimSuffix(strings.TrimSpace(line), ":")
			r.templates = append(r.templates, tpl)
			for _, s := range strings.Split(strings.Trim(tpl, "/"), "/") {
				if !strings.HasPrefix(s, "{") {
					r.literals[s] = true
				}
			}
		}
	}
	return r
})
