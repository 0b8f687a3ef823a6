package lambda

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Every path the client sends is built here, from fixed segments and IDs,
// and checked here again before it is sent (checkPath, called by do and by
// the metrics stream): a service method that forgot requireID still cannot
// send an ID that is not one opaque path segment.
//
// url.PathEscape makes any string one segment for a server that reads the
// path as sent. Not every hop does: Go's ServeMux, nginx, CDNs and API
// gateways clean dot segments ("/a/b/.." is "/a"), many decode %2F, %5C or
// %2E before they do, some treat "\" as "/" or cut ";…" off a segment
// (Tomcat reads "..;" as ".."), and a hop that decodes once and forwards
// the decoded path turns "%252e" into "%2e" for the next hop to decode. So
// an ID that could become anything else on its way is refused: those are
// never real IDs ("inst_abc123"), and a refused call loses nothing, while
// DELETE /account/api-keys/.. answered by DELETE /account would report a
// revoked key that still works.

// path joins escaped segments: path("instances", id, "start").
func path(segments ...string) string {
	n := 0
	for _, s := range segments {
		n += 1 + len(s) // exact unless a segment needs escaping
	}
	var b strings.Builder
	b.Grow(n)
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

// requireID refuses, before any request is sent, an ID that would not
// travel as exactly one opaque path segment. what names the resource
// ("instance"); the error names the argument, id.
func requireID(what, id string) error {
	if reason := badSegment(id); reason != "" {
		return invalidID(what+" ID", "id", reason)
	}
	return nil
}

// checkPath refuses a path built by path whose segments are not each one
// opaque segment: the guard behind requireID.
func checkPath(p string) error { return checkPathOf(p, "id") }

// checkPathOf is checkPath for a path the caller gave as the argument
// field (Client.Do's path), which its error names.
func checkPathOf(p, field string) error {
	rest := strings.TrimPrefix(p, "/")
	for more := true; more; {
		var seg string
		seg, rest, more = strings.Cut(rest, "/") // no slice of segments: this runs on every call
		raw, err := url.PathUnescape(seg)
		if err != nil {
			return invalidID("a path segment", field, "is not escaped properly")
		}
		if reason := badSegment(raw); reason != "" {
			return invalidID("a path segment", field, reason)
		}
	}
	return nil
}

// invalidID is the refusal of an ID. It does not quote the ID: a caller
// may have passed something else by mistake (a key, say), and the reason
// says what is wrong with it.
func invalidID(what, field, reason string) *Error {
	return &Error{
		Code:    CodeInvalidRequest,
		Message: fmt.Sprintf("%s (argument %s) %s; refused before sending", what, field, reason),
		Details: &ErrorDetails{Field: field},
	}
}

// badSegment says why s cannot be one opaque path segment, or "".
func badSegment(s string) string {
	switch {
	case strings.TrimSpace(s) == "":
		return "is empty"
	case strings.Trim(s, ".") == "":
		return "is only dots, which a hop that cleans paths reads as a step up or nothing"
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	}
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return "contains a control character"
		case unicode.IsSpace(r):
			return "contains white space"
		case r == '/' || r == '\\':
			return fmt.Sprintf("contains %q, which a hop that decodes the path reads as a separator", r)
		case r == '%':
			return `contains "%": an ID already escaped, which a hop that decodes the path twice reads as something else`
		case r == ';':
			return `contains ";", which some servers read as the start of path parameters`
		case r == '?' || r == '#':
			return fmt.Sprintf("contains %q, which a hop that decodes the path reads as the start of a query or fragment", r)
		case lookalike(r):
			return fmt.Sprintf("contains %q, which Unicode normalization turns into a path character", r)
		}
	}
	return ""
}

// lookalike reports a character whose compatibility normalization (NFKC,
// which some gateways apply) is one of . / \ % ; ? #.
func lookalike(r rune) bool {
	switch r {
	case '．', '／', '＼', '％', '；', '？', '＃', // fullwidth forms
		'\u2024', '\u2025', '\u2026', // one and two dot leaders, ellipsis
		'\ufe52', '\ufe54', '\ufe56', '\ufe5f', '\ufe68', '\ufe6a', // small forms
		'\u037e',                                         // Greek question mark, which is ";"
		'\u2215', '\u2044', '\u29f5', '\u29f8', '\u29f9': // slashes that best-fit mappings turn into / and \
		return true
	}
	return false
}
