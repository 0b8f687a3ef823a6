// Package idempotency makes the keys that let the Lambda API recognise a
// repeated POST: every attempt of one call carries the same key, so a create
// retried after a lost response is answered with the original resource
// instead of making a second one.
package idempotency

import (
	"crypto/rand"
	"encoding/hex"
)

// Header is the request header that carries the key.
const Header = "Idempotency-Key"

// NewKey returns 128 random bits as 32 lowercase hex characters.
func NewKey() string {
	var b [16]byte
	// crypto/rand.Read never returns an error on the platforms Go supports
	// (it panics internally instead), so there is nothing to handle here.
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
