package idempotency

import (
	"regexp"
	"testing"
)

func TestNewKeyIsRandom128BitHex(t *testing.T) {
	t.Parallel()
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	seen := make(map[string]bool)
	for range 1000 {
		k := NewKey()
		if !hex32.MatchString(k) {
			t.Fatalf("key %q is not 32 lowercase hex characters", k)
		}
		if seen[k] {
			t.Fatalf("key %q repeated", k)
		}
		seen[k] = true
	}
}
