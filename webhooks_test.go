package lambda_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	lambda "github.com/lambda/lambda-go"
)

const testSecret = "whsec_test_secret"

// testNow is the fixed "now" of the timestamp checks; events stamped with
// testEventTime are exactly this old.
var testNow = time.Date(2026, 1, 24, 10, 30, 0, 0, time.UTC)

func fixedClock() time.Time { return testNow }

// hmacSign signs payload with crypto/hmac directly, so that no test trusts
// SignWebhookPayload to check VerifyWebhookSignature.
func hmacSign(payload []byte, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(payload)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// eventBody is a delivery body as the platform sends it, signature field included.
func eventBody(id, typ, ts, data string) []byte {
	return []byte(fmt.Sprintf(`{"id":%q,"type":%q,"timestamp":%q,"data":%s,"signature":"sha256=..."}`, id, typ, ts, data))
}

func stampedBody(ts time.Time) []byte {
	return eventBody("evt_abc123", "instance.created", ts.Format(time.RFC3339Nano),
		`{"instance_id":"inst_abc123","name":"my-instance","status":"running"}`)
}

var validBody = stampedBody(testNow)

// webhookSentinels are every error a refused webhook may match.
var webhookSentinels = []error{
	lambda.ErrWebhookNotSigned, lambda.ErrWebhookInvalidSignature, lambda.ErrWebhookNoSecret,
	lambda.ErrWebhookTooOld, lambda.ErrWebhookMalformed, lambda.ErrWebhookTooLarge,
}

func isWebhookSentinel(err error) bool {
	for _, s := range webhookSentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// nodeVector is one case of testdata/webhooks/vectors.json, whose verdicts
// come from the API overview's JavaScript run under Node (see
// make_vectors.js).
type nodeVector struct {
	Name       string `json:"name"`
	PayloadHex string `json:"payload_hex"`
	Secret     string `json:"secret"`
	SecretHex  string `json:"secret_hex"`
	Signature  string `json:"signature"`
	Verified   bool   `json:"verified"`
}

func loadNodeVectors(t *testing.T) []nodeVector {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "webhooks", "vectors.json"))
	require.NoError(t, err)
	var file struct {
		Cases []nodeVector `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(raw, &file))
	return file.Cases
}

func TestVerifyWebhookSignatureAgreesWithNode(t *testing.T) {
	t.Parallel()
	vectors := loadNodeVectors(t)
	// Guard against a truncated or regenerated file that would make this test vacuous.
	require.GreaterOrEqual(t, len(vectors), 30)
	var accepted, refused int
	for _, v := range vectors {
		if v.Verified {
			accepted++
		} else {
			refused++
		}
	}
	require.GreaterOrEqual(t, accepted, 8)
	require.GreaterOrEqual(t, refused, 20)

	for _, v := range vectors {
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			payload, err := hex.DecodeString(v.PayloadHex)
			require.NoError(t, err)
			require.Equal(t, v.SecretHex, hex.EncodeToString([]byte(v.Secret)), "the secret did not survive JSON decoding byte for byte")

			err = lambda.VerifyWebhookSignature(payload, v.Signature, v.Secret)
			if v.Secret == "" {
				// The one deliberate difference from the API overview's
				// verifyWebhook: an empty key is refused.
				require.ErrorIs(t, err, lambda.ErrWebhookNoSecret)
				return
			}
			if v.Verified {
				require.NoError(t, err)
				assert.Equal(t, v.Signature, lambda.SignWebhookPayload(payload, v.Secret))
				return
			}
			require.Error(t, err)
			if v.Signature == "" {
				assert.ErrorIs(t, err, lambda.ErrWebhookNotSigned)
			} else {
				assert.ErrorIs(t, err, lambda.ErrWebhookInvalidSignature)
			}
		})
	}
}

func TestSignWebhookPayload(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		payload []byte
		secret  string
	}{
		{"event", validBody, testSecret},
		{"empty payload", nil, testSecret},
		{"non-ASCII", []byte("café λ"), "sécret-λ-🔑"},
		{"binary", []byte{0, 0xff, 0xfe}, "k"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sig := lambda.SignWebhookPayload(tc.payload, tc.secret)
			assert.Equal(t, hmacSign(tc.payload, tc.secret), sig)
			assert.Regexp(t, `^sha256=[0-9a-f]{64}$`, sig)
			assert.NoError(t, lambda.VerifyWebhookSignature(tc.payload, sig, tc.secret))
		})
	}
	// A known answer, so that SignWebhookPayload and hmacSign cannot agree on a wrong digest.
	assert.Equal(t, "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
		lambda.SignWebhookPayload([]byte("The quick brown fox jumps over the lazy dog"), "key"))
}

func TestVerifyWebhookSignature(t *testing.T) {
	t.Parallel()
	good := hmacSign(validBody, testSecret)
	tampered := append([]byte(nil), validBody...)
	tampered[len(tampered)-3] ^= 1

	for _, tc := range []struct {
		name      string
		payload   []byte
		signature string
		secret    string
		want      error // nil: accepted
	}{
		{"accepted", validBody, good, testSecret, nil},
		{"empty payload", []byte{}, hmacSign(nil, testSecret), testSecret, nil},
		{"tampered payload", tampered, good, testSecret, lambda.ErrWebhookInvalidSignature},
		{"payload with a trailing newline", append(append([]byte(nil), validBody...), '\n'), good, testSecret, lambda.ErrWebhookInvalidSignature},
		{"wrong secret", validBody, hmacSign(validBody, "another_secret"), testSecret, lambda.ErrWebhookInvalidSignature},
		{"missing header", validBody, "", testSecret, lambda.ErrWebhookNotSigned},
		{"prefix only", validBody, "sha256=", testSecret, lambda.ErrWebhookInvalidSignature},
		{"not hex", validBody, "sha256=zz", testSecret, lambda.ErrWebhookInvalidSignature},
		{"upper-case hex", validBody, "sha256=" + strings.ToUpper(good[7:]), testSecret, lambda.ErrWebhookInvalidSignature},
		{"upper-case prefix", validBody, "SHA256=" + good[7:], testSecret, lambda.ErrWebhookInvalidSignature},
		{"no prefix", validBody, good[7:], testSecret, lambda.ErrWebhookInvalidSignature},
		{"truncated", validBody, good[:len(good)-1], testSecret, lambda.ErrWebhookInvalidSignature},
		{"too long", validBody, good + "0", testSecret, lambda.ErrWebhookInvalidSignature},
		{"surrounding whitespace", validBody, " " + good + "\n", testSecret, lambda.ErrWebhookInvalidSignature},
		{"empty secret", validBody, hmacSign(validBody, ""), "", lambda.ErrWebhookNoSecret},
		{"empty secret and no signature", validBody, "", "", lambda.ErrWebhookNoSecret},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := lambda.VerifyWebhookSignature(tc.payload, tc.signature, tc.secret)
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.want)
			assertNoSecretIn(t, err, tc.payload, tc.secret)
		})
	}
}

// assertNoSecretIn checks that err names neither the secret nor the
// signature it would have produced.
func assertNoSecretIn(t *testing.T, err error, payload []byte, secret string) {
	t.Helper()
	msg := err.Error()
	if len(secret) >= 6 {
		assert.NotContains(t, msg, secret)
	}
	assert.NotContains(t, msg, hmacSign(payload, secret)[7:])
}

func TestConstructEvent(t *testing.T) {
	t.Parallel()
	sign := func(b []byte) string { return hmacSign(b, testSecret) }
	stale := stampedBody(testNow.Add(-5*time.Minute - time.Second))
	future := stampedBody(testNow.Add(5*time.Minute + time.Second))
	old := stampedBody(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	noStamp := []byte(`{"id":"evt_1","type":"instance.created","data":{}}`)

	for _, tc := range []struct {
		name      string
		payload   []byte
		signature string
		secret    string
		opts      []lambda.WebhookOption
		want      error // nil: accepted
	}{
		{"accepted", validBody, sign(validBody), testSecret, nil, nil},
		{"tampered payload", validBody[1:], sign(validBody), testSecret, nil, lambda.ErrWebhookInvalidSignature},
		{"wrong secret", validBody, hmacSign(validBody, "nope"), testSecret, nil, lambda.ErrWebhookInvalidSignature},
		// No header: the body's own "signature" member is checked, and the API overview's "sha256=..." is no signature.
		{"no header, the body's placeholder signature", validBody, "", testSecret, nil, lambda.ErrWebhookInvalidSignature},
		{"not signed anywhere", noStamp, "", testSecret, nil, lambda.ErrWebhookNotSigned},
		{"malformed header", validBody, "sha256=zz", testSecret, nil, lambda.ErrWebhookInvalidSignature},
		{"upper-case hex", validBody, "sha256=" + strings.ToUpper(sign(validBody)[7:]), testSecret, nil, lambda.ErrWebhookInvalidSignature},
		{"no secret", validBody, hmacSign(validBody, ""), "", nil, lambda.ErrWebhookNoSecret},
		{"no secret, even with others", validBody, hmacSign(validBody, "old"), "", []lambda.WebhookOption{lambda.WithWebhookSecrets("old")}, lambda.ErrWebhookNoSecret},
		{"signed but not JSON", []byte("hello"), sign([]byte("hello")), testSecret, nil, lambda.ErrWebhookMalformed},
		{"signed but empty", []byte{}, sign(nil), testSecret, nil, lambda.ErrWebhookMalformed},
		{"signed JSON null", []byte("null"), sign([]byte("null")), testSecret, nil, lambda.ErrWebhookMalformed},
		{"signed but an array", []byte("[]"), sign([]byte("[]")), testSecret, nil, lambda.ErrWebhookMalformed},
		{"no id", eventBody("", "instance.created", "2026-01-24T10:30:00Z", "{}"), sign(eventBody("", "instance.created", "2026-01-24T10:30:00Z", "{}")), testSecret, nil, lambda.ErrWebhookMalformed},
		{"no type", eventBody("evt_1", "", "2026-01-24T10:30:00Z", "{}"), sign(eventBody("evt_1", "", "2026-01-24T10:30:00Z", "{}")), testSecret, nil, lambda.ErrWebhookMalformed},
		{"timestamp not RFC 3339", eventBody("evt_1", "instance.created", "yesterday", "{}"), sign(eventBody("evt_1", "instance.created", "yesterday", "{}")), testSecret, nil, lambda.ErrWebhookMalformed},
		{"no timestamp", noStamp, sign(noStamp), testSecret, nil, lambda.ErrWebhookMalformed},
		{"stale", stale, sign(stale), testSecret, nil, lambda.ErrWebhookTooOld},
		{"future", future, sign(future), testSecret, nil, lambda.ErrWebhookTooOld},
		{"exactly the tolerance old", stampedBody(testNow.Add(-5 * time.Minute)), sign(stampedBody(testNow.Add(-5 * time.Minute))), testSecret, nil, nil},
		{"exactly the tolerance ahead", stampedBody(testNow.Add(5 * time.Minute)), sign(stampedBody(testNow.Add(5 * time.Minute))), testSecret, nil, nil},
		{"wider tolerance", stale, sign(stale), testSecret, []lambda.WebhookOption{lambda.WithWebhookTolerance(time.Hour)}, nil},
		{"narrower tolerance", stampedBody(testNow.Add(-2 * time.Second)), sign(stampedBody(testNow.Add(-2 * time.Second))), testSecret, []lambda.WebhookOption{lambda.WithWebhookTolerance(time.Second)}, lambda.ErrWebhookTooOld},
		{"redelivery window widens the past", stampedBody(testNow.Add(-time.Hour)), sign(stampedBody(testNow.Add(-time.Hour))), testSecret, []lambda.WebhookOption{lambda.WithWebhookRedeliveryWindow(2 * time.Hour)}, nil},
		{"redelivery window, still too old", stampedBody(testNow.Add(-3 * time.Hour)), sign(stampedBody(testNow.Add(-3 * time.Hour))), testSecret, []lambda.WebhookOption{lambda.WithWebhookRedeliveryWindow(2 * time.Hour)}, lambda.ErrWebhookTooOld},
		{"redelivery window leaves the future alone", future, sign(future), testSecret, []lambda.WebhookOption{lambda.WithWebhookRedeliveryWindow(2 * time.Hour)}, lambda.ErrWebhookTooOld},
		{"timestamp check disabled", old, sign(old), testSecret, []lambda.WebhookOption{lambda.WithoutWebhookTimestampCheck()}, nil},
		{"timestamp check disabled, future", future, sign(future), testSecret, []lambda.WebhookOption{lambda.WithoutWebhookTimestampCheck()}, nil},
		{"timestamp check disabled, no timestamp", noStamp, sign(noStamp), testSecret, []lambda.WebhookOption{lambda.WithoutWebhookTimestampCheck()}, nil},
		{"timestamp check disabled, still signed", old, hmacSign(old, "nope"), testSecret, []lambda.WebhookOption{lambda.WithoutWebhookTimestampCheck()}, lambda.ErrWebhookInvalidSignature},
		{"re-enabled by a later tolerance", old, sign(old), testSecret, []lambda.WebhookOption{lambda.WithoutWebhookTimestampCheck(), lambda.WithWebhookTolerance(time.Minute)}, lambda.ErrWebhookTooOld},
		{"rotation: new secret", validBody, hmacSign(validBody, "new"), "new", []lambda.WebhookOption{lambda.WithWebhookSecrets("old")}, nil},
		{"rotation: old secret", validBody, hmacSign(validBody, "old"), "new", []lambda.WebhookOption{lambda.WithWebhookSecrets("old")}, nil},
		{"rotation: several", validBody, hmacSign(validBody, "older"), "new", []lambda.WebhookOption{lambda.WithWebhookSecrets("old"), lambda.WithWebhookSecrets("", "older")}, nil},
		{"rotation: a third secret", validBody, hmacSign(validBody, "third"), "new", []lambda.WebhookOption{lambda.WithWebhookSecrets("old")}, lambda.ErrWebhookInvalidSignature},
		{"rotation: empty extra secret skipped", validBody, hmacSign(validBody, ""), "new", []lambda.WebhookOption{lambda.WithWebhookSecrets("")}, lambda.ErrWebhookInvalidSignature},
		{"handler-only options ignored", validBody, sign(validBody), testSecret, []lambda.WebhookOption{lambda.WithWebhookMaxBodyBytes(1), lambda.WithWebhookErrorLog(nil)}, nil},
		{"nil option ignored", validBody, sign(validBody), testSecret, []lambda.WebhookOption{nil}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := append([]lambda.WebhookOption{lambda.WithWebhookClock(fixedClock)}, tc.opts...)
			ev, err := lambda.ConstructEvent(tc.payload, tc.signature, tc.secret, opts...)
			if tc.want == nil {
				require.NoError(t, err)
				require.NotNil(t, ev)
				assert.NotEmpty(t, ev.ID)
				return
			}
			require.ErrorIs(t, err, tc.want)
			assert.Nil(t, ev)
			assertNoSecretIn(t, err, tc.payload, tc.secret)
		})
	}
}

func TestConstructEventFields(t *testing.T) {
	t.Parallel()
	ev, err := lambda.ConstructEvent(validBody, hmacSign(validBody, testSecret), testSecret, lambda.WithWebhookClock(fixedClock))
	require.NoError(t, err)
	assert.Equal(t, "evt_abc123", ev.ID)
	assert.Equal(t, lambda.EventInstanceCreated, ev.Type)
	assert.True(t, testNow.Equal(ev.Timestamp), "timestamp %s", ev.Timestamp)
	assert.JSONEq(t, `{"instance_id":"inst_abc123","name":"my-instance","status":"running"}`, string(ev.Data))
}

func TestConstructEventDeliversUnknownTypes(t *testing.T) {
	t.Parallel()
	body := eventBody("evt_9", "gpu.melted", "2026-01-24T10:29:00Z", `{"gpu_id":"gpu_1"}`)
	ev, err := lambda.ConstructEvent(body, hmacSign(body, testSecret), testSecret, lambda.WithWebhookClock(fixedClock))
	require.NoError(t, err)
	assert.Equal(t, lambda.EventType("gpu.melted"), ev.Type)
	assert.JSONEq(t, `{"gpu_id":"gpu_1"}`, string(ev.Data))
}

func TestConstructEventDefaultClockIsNow(t *testing.T) {
	t.Parallel()
	fresh := stampedBody(time.Now())
	_, err := lambda.ConstructEvent(fresh, hmacSign(fresh, testSecret), testSecret)
	require.NoError(t, err)

	stale := stampedBody(time.Now().Add(-lambda.DefaultWebhookTolerance - time.Minute))
	_, err = lambda.ConstructEvent(stale, hmacSign(stale, testSecret), testSecret)
	require.ErrorIs(t, err, lambda.ErrWebhookTooOld)
}

func TestConstructEventInvalidOptions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opt  lambda.WebhookOption
	}{
		{"zero tolerance", lambda.WithWebhookTolerance(0)},
		{"negative tolerance", lambda.WithWebhookTolerance(-time.Minute)},
		{"nil clock", lambda.WithWebhookClock(nil)},
		{"zero body cap", lambda.WithWebhookMaxBodyBytes(0)},
		{"negative body cap", lambda.WithWebhookMaxBodyBytes(-1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev, err := lambda.ConstructEvent(validBody, hmacSign(validBody, testSecret), testSecret, tc.opt)
			require.Error(t, err)
			assert.Nil(t, ev)
			assert.False(t, isWebhookSentinel(err), "an option error must not look like a refused delivery: %v", err)
		})
	}
}

func FuzzVerifyWebhookSignature(f *testing.F) {
	f.Add(validBody, hmacSign(validBody, testSecret), testSecret)
	f.Add(validBody, "", testSecret)
	f.Add(validBody, "sha256=", testSecret)
	f.Add(validBody, "sha256=zz", testSecret)
	f.Add(validBody, "sha256="+strings.ToUpper(hmacSign(validBody, testSecret)[7:]), testSecret)
	f.Add([]byte{}, hmacSign(nil, ""), "")
	f.Add([]byte("café"), hmacSign([]byte("café"), "sécret"), "sécret")
	f.Fuzz(func(t *testing.T, payload []byte, signature, secret string) {
		want := hmacSign(payload, secret)
		err := lambda.VerifyWebhookSignature(payload, signature, secret)
		if err == nil {
			if secret == "" || signature != want || signature != lambda.SignWebhookPayload(payload, secret) {
				t.Fatalf("accepted signature %q for payload %q under secret %q; want %q", signature, payload, secret, want)
			}
			return
		}
		if !isWebhookSentinel(err) {
			t.Fatalf("error %v matches no sentinel", err)
		}
		if secret != "" && signature == want {
			t.Fatalf("refused a correct signature: %v", err)
		}
		if strings.Contains(err.Error(), want[7:]) {
			t.Fatalf("error %q reveals the expected signature", err)
		}
		if secret != "" {
			if err := lambda.VerifyWebhookSignature(payload, want, secret); err != nil {
				t.Fatalf("refused the payload's own signature: %v", err)
			}
		}
	})
}

func FuzzConstructEvent(f *testing.F) {
	f.Add(validBody, "", testSecret, true)
	f.Add(validBody, "sha256=zz", testSecret, false)
	f.Add(stampedBody(testNow.Add(-time.Hour)), "", testSecret, true)
	f.Add(stampedBody(testNow.Add(time.Hour)), "", testSecret, true)
	f.Add([]byte(`{"id":"e","type":"volume.attached","timestamp":"2026-01-24T10:30:00Z","data":null}`), "", "k", true)
	f.Add([]byte(`{"id":"e","type":"x","timestamp":"2026-01-24T10:30:00+01:00"}`), "", "k", true)
	f.Add([]byte(`not json`), "", testSecret, true)
	f.Add(validBody, "", "", true)
	f.Fuzz(func(t *testing.T, payload []byte, signature, secret string, signIt bool) {
		if signIt {
			signature = hmacSign(payload, secret)
		}
		ev, err := lambda.ConstructEvent(payload, signature, secret, lambda.WithWebhookClock(fixedClock))
		if err != nil {
			if ev != nil {
				t.Fatalf("an event together with error %v", err)
			}
			if !isWebhookSentinel(err) {
				t.Fatalf("error %v matches no sentinel", err)
			}
			if signIt && secret != "" && (errors.Is(err, lambda.ErrWebhookNotSigned) || errors.Is(err, lambda.ErrWebhookInvalidSignature)) {
				t.Fatalf("refused a correct signature: %v", err)
			}
			return
		}
		if secret == "" || signature != lambda.SignWebhookPayload(payload, secret) || signature != hmacSign(payload, secret) {
			t.Fatalf("accepted signature %q for payload %q under secret %q", signature, payload, secret)
		}
		if ev == nil || ev.ID == "" || ev.Type == "" {
			t.Fatalf("accepted an incomplete event %+v", ev)
		}
		if d := ev.Timestamp.Sub(testNow); d > lambda.DefaultWebhookTolerance || d < -lambda.DefaultWebhookTolerance {
			t.Fatalf("accepted timestamp %s, %s from now", ev.Timestamp, d)
		}
		// The accessors must not panic on whatever data was signed.
		_, _ = ev.InstanceData()
		_, _ = ev.VolumeData()
		_, _ = ev.SnapshotData()
	})
}
