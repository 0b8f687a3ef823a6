package lambda

import (
	"errors"
	"net/url"
	"strings"
)

// Header values and names are checked where an option gives them, not when
// net/http refuses them on every call: a value with a control byte other
// than tab can never be sent, so a client built with one would only fail,
// call after call, with "invalid header field value". The rule for values
// is auth.HeaderValueProblem, which the credential meets too.

// isToken reports whether k is an HTTP token (RFC 9110 §5.6.2), as a
// header name (§5.1) and a method (§9.1) must be.
func isToken(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		b := k[i]
		switch {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0:
		default:
			return false
		}
	}
	return true
}

// madeByClient reports an error net/http raises about a request the client
// built, before anything is sent: sending it again cannot help. net/http
// gives these no type, only their text.
func madeByClient(err error) bool {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	if err == nil {
		return false
	}
	msg := err.Error()
	for _, s := range []string{
		"net/http: invalid header field",
		"net/http: invalid method",
		"net/http: can't write control character",
		"unsupported protocol scheme",
		"net/http: invalid Host header",
	} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
