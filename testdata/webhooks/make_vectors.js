// make_vectors.js computes the expected verdict of the reference webhook check
// (the API overview's verifyWebhook, copied below unchanged) over a fixed list of
// cases, so the Go tests can assert that VerifyWebhookSignature agrees with it
// byte for byte without trusting the SDK's own signing code.
//
// How vectors.json was made (Node v20, no dependencies):
//
//     cd testdata/webhooks && node make_vectors.js > vectors.json
//
// The API overview's verifyWebhook throws when the two buffers differ in length
// (crypto.timingSafeEqual does); a throw is recorded as verified: false.
// Payloads are written out as hex so that bytes which are not valid UTF-8
// survive the trip through JSON; secrets are JavaScript strings, written out
// both as JSON strings and as the hex of their UTF-8 bytes (what createHmac
// uses as the key), so the Go side can check it decoded the same key.
"use strict";
const crypto = require("crypto");

// The API overview's verifyWebhook, verbatim.
function verifyWebhook(payload, signature, secret) {
  const hmac = crypto.createHmac("sha256", secret);
  const digest = "sha256=" + hmac.update(payload).digest("hex");
  return crypto.timingSafeEqual(Buffer.from(signature), Buffer.from(digest));
}

function verdict(payload, signature, secret) {
  try {
    return verifyWebhook(payload, signature, secret);
  } catch (e) {
    return false;
  }
}

// sign is the API overview's digest, computed here only to build signatures for the
// cases; each case's verdict still comes from verifyWebhook above.
function sign(payload, secret) {
  return "sha256=" + crypto.createHmac("sha256", secret).update(payload).digest("hex");
}

const secret = "whsec_test_secret";
const event = Buffer.from(
  '{"id":"evt_abc123","type":"instance.created","timestamp":"2026-01-24T10:30:00Z",' +
    '"data":{"instance_id":"inst_abc123","name":"my-instance","status":"running"},"signature":"sha256=..."}',
  "utf8",
);
const good = sign(event, secret);
const unicodeSecret = "sécret-λ-🔑";
const unicodePayload = '{"name":"café λ 🚀","note":"naïve"}'; // passed to verifyWebhook as a string, as JSON text often is
const binaryPayload = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x7f, 0x0a, 0xc3, 0x28]); // not valid UTF-8

const cases = [
  { name: "valid", payload: event, secret, signature: good },
  { name: "valid, empty payload", payload: Buffer.alloc(0), secret, signature: sign(Buffer.alloc(0), secret) },
  { name: "valid, non-ASCII secret", payload: event, secret: unicodeSecret, signature: sign(event, unicodeSecret) },
  { name: "valid, non-ASCII payload given as a string", payload: unicodePayload, secret, signature: sign(unicodePayload, secret) },
  { name: "valid, non-ASCII payload and secret", payload: unicodePayload, secret: unicodeSecret, signature: sign(unicodePayload, unicodeSecret) },
  { name: "valid, payload not valid UTF-8", payload: binaryPayload, secret, signature: sign(binaryPayload, secret) },
  { name: "valid, single-byte secret", payload: event, secret: "k", signature: sign(event, "k") },
  { name: "valid, secret longer than the SHA-256 block", payload: event, secret: "s".repeat(100), signature: sign(event, "s".repeat(100)) },
  // The API overview's verifyWebhook accepts an empty secret; the Go SDK deliberately refuses it (ErrWebhookNoSecret).
  { name: "valid under an empty secret", payload: event, secret: "", signature: sign(event, "") },
  { name: "empty signature", payload: event, secret, signature: "" },
  { name: "prefix only", payload: event, secret, signature: "sha256=" },
  { name: "not hex", payload: event, secret, signature: "sha256=zz" },
  { name: "not hex, full length", payload: event, secret, signature: "sha256=" + "z".repeat(64) },
  { name: "upper-case hex", payload: event, secret, signature: "sha256=" + good.slice(7).toUpperCase() },
  { name: "upper-case prefix", payload: event, secret, signature: "SHA256=" + good.slice(7) },
  { name: "no prefix", payload: event, secret, signature: good.slice(7) },
  { name: "other prefix", payload: event, secret, signature: "sha1=" + good.slice(7) },
  { name: "truncated by one", payload: event, secret, signature: good.slice(0, -1) },
  { name: "truncated by half", payload: event, secret, signature: good.slice(0, 39) },
  { name: "one extra hex digit", payload: event, secret, signature: good + "0" },
  { name: "last digit changed", payload: event, secret, signature: good.slice(0, -1) + (good.endsWith("0") ? "1" : "0") },
  { name: "leading space", payload: event, secret, signature: " " + good },
  { name: "trailing space", payload: event, secret, signature: good + " " },
  { name: "trailing newline", payload: event, secret, signature: good + "\n" },
  { name: "space after the prefix", payload: event, secret, signature: "sha256= " + good.slice(7) },
  { name: "two signatures", payload: event, secret, signature: good + "," + good },
  { name: "non-ASCII signature", payload: event, secret, signature: good.slice(0, -1) + "é" },
  { name: "signature of another secret", payload: event, secret, signature: sign(event, "another_secret") },
  { name: "signature of a secret differing in case", payload: event, secret, signature: sign(event, secret.toUpperCase()) },
  { name: "signature of another payload", payload: event, secret, signature: sign(Buffer.from("{}"), secret) },
  { name: "payload with one extra byte", payload: Buffer.concat([event, Buffer.from("\n")]), secret, signature: good },
  { name: "payload re-encoded", payload: Buffer.from(JSON.stringify(JSON.parse(event.toString("utf8")), null, 2)), secret, signature: good },
  { name: "non-ASCII secret signed as Latin-1 bytes", payload: event, secret: unicodeSecret, signature: sign(event, Buffer.from(unicodeSecret, "latin1")) },
];

const out = cases.map((c) => ({
  name: c.name,
  payload_hex: Buffer.from(c.payload).toString("hex"),
  secret: c.secret,
  secret_hex: Buffer.from(c.secret, "utf8").toString("hex"),
  signature: c.signature,
  verified: verdict(c.payload, c.signature, c.secret),
}));

process.stdout.write(JSON.stringify({ generator: "make_vectors.js", node: process.version, cases: out }, null, 2) + "\n");
