package lambda

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strings"
	"unicode/utf8"
)

// The forms a server may write a secret back in, which the redactor
// (redact.go) searches for.

// secretForms returns s as a server may write it back: as is, in upper or
// lower case, JSON-escaped (Go's escaping, and the ASCII-only \u escaping
// of Python's json.dumps and PHP, with "/" as "\/"), percent-encoded (as a
// query or a path, once or twice), HTML-escaped, in base64 (standard and
// URL alphabets; at each of the three offsets a longer encoded text can
// put it at, such as HTTP Basic credentials or a whole header), read as
// Latin-1, and with its non-ASCII characters replaced. The case of ASCII
// letters, and so of hex digits, is left to the search.
func secretForms(s string) []string {
	forms := []string{s, strings.ToUpper(s), strings.ToLower(s)}
	if b, err := json.Marshal(s); err == nil {
		forms = append(forms, string(b[1:len(b)-1]))
	}
	ascii := jsonASCII(s)
	forms = append(forms, ascii, jsonASCII(strings.ToUpper(s)), jsonASCII(strings.ToLower(s)),
		strings.ReplaceAll(ascii, "/", `\/`), strings.ReplaceAll(s, "/", `\/`))
	for _, p := range []string{url.QueryEscape(s), url.PathEscape(s)} {
		forms = append(forms, p, url.QueryEscape(p))
	}
	forms = append(forms, url.QueryEscape(strings.ToUpper(s)), url.QueryEscape(strings.ToLower(s)))
	forms = append(forms, strings.ReplaceAll(url.QueryEscape(s), "+", "%20"), html.EscapeString(s))
	// A server that reads headers as Latin-1 (WSGI does) sees each byte of
	// a non-ASCII key as one character; one that cannot show a character
	// writes "?" or U+FFFD instead.
	latin1 := mojibake(s)
	forms = append(forms, latin1, jsonASCII(latin1),
		replaceNonASCII(s, "?"), replaceNonASCII(s, "\ufffd"))
	// In base64, the secret's bytes from each offset, encoded alone: these
	// are in every encoding of a text holding s, whatever comes before or
	// after it. A core too short to tell from chance is left out.
	for k := 0; k < 3 && k < len(s); k++ {
		m := (len(s) - k) / 3 * 3
		for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
			if core := enc.EncodeToString([]byte(s[k : k+m])); len(core) >= minBase64Core {
				forms = append(forms, core)
			}
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		forms = append(forms, enc.EncodeToString([]byte(s)))
	}
	return forms
}

// minBase64Core is the shortest base64 core of a secret redacted: eight
// characters, what six bytes (minSecretLen) encode to.
const minBase64Core = 8

// jsonASCII escapes every non-ASCII character of s as \uXXXX (a pair of
// them beyond the BMP), as json.dumps does by default.
func jsonASCII(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case r > 0xffff:
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// mojibake is s read as Latin-1: one character per byte.
func mojibake(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}

// replaceNonASCII replaces each non-ASCII character of s by with.
func replaceNonASCII(s, with string) string {
	var b strings.Builder
	for _, r := range s {
		if r < utf8.RuneSelf {
			b.WriteRune(r)
		} else {
			b.WriteString(with)
		}
	}
	return b.String()
}
