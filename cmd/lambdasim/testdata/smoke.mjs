// A smoke test of lambdasim from another language: Node with nothing but its
// standard library. It walks the API documentation's "Create and Start Instance" flow,
// subscribes a webhook receiver of its own, and verifies the delivery with
// the API documentation's own verifyWebhook function, copied verbatim.
//
// Usage: node smoke.mjs <base URL> <API key> <admin token>
import crypto from "node:crypto";
import http from "node:http";

// --- the API documentation's "Verify Signature", verbatim ---
function verifyWebhook(payload, signature, secret) {
const hmac = crypto.createHmac("sha256", secret);
const digest = "sha256=" + hmac.update(payload).digest("hex");
return crypto.timingSafeEqual(Buffer.from(signature), Buffer.from(digest));
}
// --- end of the API documentation's code ---

const [base, key, adminToken] = process.argv.slice(2);
if (!base || !key || !adminToken) throw new Error("usage: node smoke.mjs <base URL> <API key> <admin token>");
const root = new URL(base).origin;
const fail = (msg) => { console.error("FAIL: " + msg); process.exit(1); };

// Keys hold non-ASCII bytes ("λ_sk_…"). fetch takes header values as Latin-1
// strings, so the key's UTF-8 bytes are passed that way and go out unchanged.
const authorization = "Bearer " + Buffer.from(key, "utf8").toString("latin1");

async function api(method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { Authorization: authorization, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

const secret = "your-webhook-secret";
const received = [];
const receiver = http.createServer((req, res) => {
  let chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const payload = Buffer.concat(chunks).toString("utf8");
    const signature = req.headers["x-lambda-signature"] || "";
    const ok = signature.length === 71 && verifyWebhook(payload, signature, secret);
    received.push({ ok, event: JSON.parse(payload) });
    res.writeHead(ok ? 204 : 401).end();
  });
});
await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
const hookURL = `http://127.0.0.1:${receiver.address().port}/webhook`;

try {
  // Subscribe, as the API documentation's webhook example does.
  let r = await api("POST", "/webhooks", { url: hookURL, events: ["instance.created", "instance.stopped"], secret });
  if (r.status !== 201) fail(`subscribe: ${r.status} ${JSON.stringify(r.json)}`);

  // 1. Create instance (the documented example's body, no Idempotency-Key, as its curl sends).
  r = await api("POST", "/instances", {
    name: "my-api-instance", instance_type: "compute-4x", region: "us-west-1",
    image: "ubuntu-22.04", ssh_keys: ["key_abc123"],
  });
  if (r.status !== 201 || !r.json.success || !r.json.data.id.startsWith("inst_")) fail(`create: ${r.status} ${JSON.stringify(r.json)}`);
  const id = r.json.data.id;
  console.log(`Instance created: ${id}`);

  // 2. Wait for instance to be ready.
  let inst;
  for (let i = 0; i < 200; i++) {
    r = await api("GET", `/instances/${id}`);
    if (r.status !== 200) fail(`get: ${r.status}`);
    inst = r.json.data;
    if (inst.status === "running") break;
    await new Promise((res) => setTimeout(res, 25));
  }
  if (inst.status !== "running") fail(`never running: ${inst.status}`);
  // 3. Connect via SSH: the address to use.
  console.log(`SSH: ssh lambda@${inst.public_ip}`);

  // The webhook, verified with the API documentation's code.
  for (let i = 0; i < 200 && !received.some((d) => d.event.type === "instance.created"); i++) {
    await new Promise((res) => setTimeout(res, 25));
  }
  const created = received.find((d) => d.event.type === "instance.created");
  if (!created) fail("no instance.created delivery");
  if (!created.ok) fail("the delivery's signature does not verify with the API documentation's verifyWebhook");
  if (created.event.data.instance_id !== id) fail(`the event is about ${created.event.data.instance_id}, not ${id}`);
  console.log(`webhook ${created.event.id} ${created.event.type} verified`);

  // The admin API: the simulator saw the create.
  const log = await (await fetch(root + "/_lambdasim/requests", { headers: { Authorization: `Bearer ${adminToken}` } })).json();
  if (!log.requests.some((q) => q.method === "POST" && q.path === "/v1/instances")) fail("the admin request log has no create");
  console.log("1 passed, 0 failed");
} finally {
  receiver.close();
}
