package lambda

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRedactor: whatever text surrounds a secret, and whichever of its
// forms a server echoes (or the secret in upper case), with a line break
// put into it when it asks, the redacted text holds no form of it, even folded the
// way the redactor searches.
// Run: go test -run '^$' -fuzz '^FuzzRedactor$' -fuzztime 2m .
func FuzzRedactor(f *testing.F) {
	f.Add("λ_sk_1234567890abcdef", "refused ", " today", uint8(0), false, uint8(0))
	f.Add("whsec_ü/9+x=Q7k2", "Authorization: Bearer ", "\n", uint8(3), true, uint8(7))
	f.Add("tok-secret-9f8e7d", `{"message":"`, `"}`, uint8(20), false, uint8(5))
	f.Add("Zq7-cutsecret-Kx93mW2pLr", "xxxx", "yyyy", uint8(25), true, uint8(1))
	f.Fuzz(func(t *testing.T, secret, before, after string, which uint8, upper bool, breakAt uint8) {
		if len(secret) < minSecretLen || !utf8.ValidString(secret) || strings.ContainsAny(secret, " \t\r\n\v\f\\") {
			return
		}
		red := newRedactor(secret)
		forms := secretForms(secret)
		echo := forms[int(which)%len(forms)]
		if upper { // the secret itself, in upper case
			echo = strings.ToUpper(secret)
		}
		if len(skeleton(echo, true)) < minSecretLen {
			return // too short to redact without blotting out ordinary words
		}
		if i := int(breakAt); i > 0 && i < len(echo) && utf8.RuneStart(echo[i]) {
			echo = echo[:i] + "\n  " + echo[i:]
		}
		got := red.String(before + echo + after)
		for _, form := range red.forms {
			if strings.Contains(skeleton(got, true), form) || strings.Contains(skeleton(got, false), form) {
				t.Fatalf("redacting %q left the form %q in %q", before+echo+after, form, got)
			}
		}
		if !strings.Contains(got, "REDACTED") {
			t.Fatalf("redacting %q found nothing: %q", before+echo+after, got)
		}
	})
}
