package lambdatest

import (
	"net/http"
	"regexp"
)

// The admin API's request log is read by tools and people (and printed by
// them), so it shows no credential a request carried: Server.Requests,
// for tests in Go, keeps them so that a test can check the exact bytes.

// adminRedacted is what the log shows in place of a credential.
const adminRedacted = "REDACTED"

// credentialHeaders carry credentials, whoever sends them.
var credentialHeaders = []string{"Authorization", "X-Api-Key", "Cookie", "Proxy-Authorization"}

// secretMember is a member of a JSON body that holds a secret, with its
// string value: a webhook's signing secret, OAuth's tokens, code and
// client secret, a password, a key.
var secretMember = regexp.MustCompile(
	`("(?i:secret|client_secret|access_token|refresh_token|id_token|code|code_verifier|client_assertion|password|token|key)"\s*:\s*)"(?:[^"\\]|\\.)*"`)

// secretField is a field of a form body (the token endpoint's) that holds
// a secret, with its value.
var secretField = regexp.MustCompile(
	`(^|&)((?i:client_secret|refresh_token|access_token|code|code_verifier|client_assertion|password|token|assertion)=)[^&]*`)

// loggedHeader is h as the admin API shows it: every value of a credential
// header replaced, the empty ones too (a second value may hold the key).
func loggedHeader(h http.Header) http.Header {
	out := h.Clone()
	for _, k := range credentialHeaders {
		for i := range out[k] {
			out[k][i] = adminRedacted
		}
	}
	return out
}

// loggedBody is body as the admin API shows it: the value of every member
// or form field that holds a secret replaced. A body that is neither JSON
// nor a form shows as it came.
func loggedBody(body []byte) string {
	body = secretMember.ReplaceAll(body, []byte(`${1}"`+adminRedacted+`"`))
	return string(secretField.ReplaceAll(body, []byte(`${1}${2}`+adminRedacted)))
}
