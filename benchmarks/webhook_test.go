package benchmarks

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/lambda/lambda-go"
)

// handVerify is the floor: the signature check written by hand with
// crypto/hmac, hex and hmac.Equal.
func handVerify(payload []byte, signature, secret string) error {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(payload)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(signature)) {
		return errors.New("bad signature")
	}
	return nil
}

// BenchmarkVerifyWebhookSignature checks the signature of a 1 KiB payload
// with the SDK and by hand, in turn. Target: SDK ≤ 1.2× the hand-written
// check's ns/op.
func BenchmarkVerifyWebhookSignature(b *testing.B) {
	const secret = "whsec_0123456789abcdef0123456789abcdef"
	payload := bytes.Repeat([]byte(`{"id":"evt_1","type":"instance.created"}`), 1024/40+1)[:1024]
	sig := lambda.SignWebhookPayload(payload, secret)
	sdk := func() error { return lambda.VerifyWebhookSignature(payload, sig, secret) }
	hand := func() error { return handVerify(payload, sig, secret) }
	compare(b, sdk, hand)
}
