// Package lambdatest is an in-memory simulator of the Lambda API, for tests.
//
// NewServer starts a stateful server on loopback that speaks the same wire
// format as the platform, as the API's contract describes it (openapi.yaml
// at the module's root, returned by lambda.OpenAPISpec and enforced by
// Contract): instances go pending → provisioning → running, volumes attach
// and detach, webhooks are signed and delivered, metrics stream over
// WebSocket. A client points at it with lambda.WithBaseURL(srv.BaseURL()):
//
//	srv := lambdatest.NewServer(lambdatest.WithTransitionDelay(20 * time.Millisecond))
//	defer srv.Close()
//	client, _ := lambda.NewClient(lambda.WithAPIKey(lambdatest.DefaultAPIKey),
//		lambda.WithBaseURL(srv.BaseURL()))
//
// Beyond the API, the Server lets a test steer and observe the platform:
// InjectFault makes chosen requests fail (a status, a raw body, a delay, a
// dropped connection, or a failure after the state already changed),
// Requests records the latest requests, Deliveries the latest webhook attempts,
// SetAPIKeys rotates credentials, ExpireTokens and RevokeTokens end OAuth
// tokens, DropStreams cuts metric streams, and
// WithResponseValidation checks every answer against the OpenAPI contract.
//
// # What it accepts
//
// By default the simulator accepts what the platform accepts, so code
// written from the API's documents works on it as on the platform: a POST
// without Idempotency-Key is carried out (and, as on the platform, not
// protected against replays), a JSON body is read as JSON whatever its
// Content-Type, unknown query parameters and unknown body fields are
// ignored (JSON names are case-sensitive: "Name" is unknown where "name" is
// known), so is a JSON body sent to an operation that takes none, a number
// such as 10.0 is the integer 10, limit has no upper bound and sort takes
// any field of the listed objects. What the platform refuses is refused: a
// missing or mistyped required field, a malformed body, an unknown
// operation (404).
// WithStrictRequests adds the checks of the contract as written, for an
// SDK's own tests; WithSeedShapes answers every route in its API document's
// shape.
//
// # Behaviour beyond the wire shapes
//
//   - Every request is checked against the OpenAPI contract (see Contract):
//     a violation is a 400 invalid_request naming the field in
//     error.details.field; an operation the contract does not know is a 404.
//     Under WithStrictRequests the contract requires an Idempotency-Key on
//     every POST.
//   - The pipeline runs in this order: request log, request ID, auth (401),
//     rate limit (429), permissions (403), injected faults, route (404), contract (400),
//     idempotency, handler. Faults therefore hit only authenticated requests,
//     and every answer, faults included, carries X-Request-Id and the
//     X-RateLimit headers.
//   - An idempotent replay repeats the first answer byte for byte, with its
//     X-Request-Id, and adds the header "Idempotent-Replayed: true". Answers
//     with status 500 or more are not stored, so a retry runs for real.
//   - Rate limits are counted per API key in two windows: the plan's hour
//     (every route but the workloads routes) and the workloads routes' own
//     500 a minute; each answer's X-RateLimit-* headers describe the window
//     of its route. They are enforced with WithPlan (burst included) or
//     WithRateLimit; by default they are shown, never enforced.
//   - Keys created with POST /account/api-keys authenticate until deleted;
//     so does the first key the server was given, which GET
//     /account/api-keys lists (Reset brings it back).
//   - The server is also an OAuth 2.0 authorization server. WithOAuthClient
//     registers a client; TokenURL is its token endpoint (under /v1; it
//     is served under /v2 too, like every operation), which takes
//     form-encoded grant_type=client_credentials and refresh_token, the
//     client authenticated by HTTP Basic or by client_id and client_secret
//     fields, and answers RFC 6749's error JSON (invalid_client,
//     invalid_grant, …). Access tokens carry expires_in (30 days unless
//     WithTokenLifetime); refresh tokens rotate, each good for one refresh.
//     IssueToken hands a client a token pair as an authorization-code flow
//     would; ExpireTokens makes every access token issued so far expire now
//     and RevokeTokens revokes access and refresh tokens alike. An expired
//     or revoked access token is a 401 authentication_failed; a revoked or
//     spent refresh token is invalid_grant.
//   - Permissions: keys created with permissions, and tokens asked for with
//     a scope, are refused outside them with 403 forbidden, whose
//     error.required_permission names the permission missing. A permission
//     is "read" or "write" (every resource) or "<resource>:read" or
//     "<resource>:write" ("instances:write"), the resource being the first
//     path segment; "write" includes "read", GET needs read and every other
//     method write. The pipeline checks them after the rate limit.
//   - Life cycles move on their own (one timer goroutine per server), so
//     webhook events fire even when nobody polls.
//   - Instances get their public_ip when they first leave provisioning;
//     resizing changes instance_type (and volume size_gb) at once, the
//     status follows after the delay.
//
// # Time
//
// The server reads one clock for every instant it shows: its own, which is
// time.Now shifted by LAMBDATEST_CLOCK_OFFSET (below) and moved by SetClock
// and AdvanceClock, unless WithClock gives another. Now returns its reading.
// It is the clock of:
//
//   - created_at, updated_at and every other timestamp of an object, the
//     initial data's included (the initial account, key and workloads date from
//     2024-03-14, or the same day of the latest year before the clock);
//   - the Date header of every answer, and metadata.timestamp of every
//     envelope that carries one;
//   - the rate-limit windows (WithRateLimit's, the plan's hour, its burst
//     second and the workloads' minute): when a window starts and resets,
//     hence X-RateLimit-Reset and Retry-After (a window resets only when
//     the clock passes its end, so under a stopped clock it never does);
//   - the metrics window (start and end default to the hour before the
//     clock) and every sample's timestamp, streamed samples included;
//   - the timestamp of webhook events, and Delivery.Time;
//   - invoice dates (the last days of the three months before the clock's
//     month) and the billing period (the clock's month, in UTC);
//   - the expiry of idempotency keys: a key is remembered for 24 hours of
//     the clock, so moving the clock past that lets the key run again;
//   - Request.Time.
//
// Durations still run on this machine's timers, whatever the clock says:
// the life-cycle delays (WithTransitionDelay), the metrics stream's pace
// (WithMetricsInterval), webhook retries and their timeout, and injected
// Delays. A status therefore moves on after its delay under a stopped
// clock too; its updated_at is the clock's reading when it moved. To assert
// a transitional status without racing its delay, hold every status with
// Server.PauseTransitions and let them go with Server.ResumeTransitions.
//
// The environment variable LAMBDATEST_CLOCK_OFFSET (ClockOffsetEnv), a
// duration such as "8760h", shifts the default clock of every server that
// has no WithClock: running a suite once more with it set catches a test
// that only passes near the day it was written, because it mixes a fixed
// date or time.Now with the simulator's "now". Such a test should compare
// with Server.Now instead (and give lambda.WithWebhookClock(srv.Now) to a
// webhook handler that checks the simulator's events). The SDK measures
// X-RateLimit-Reset and Retry-After dates against the Date header, so its
// rate-limit waits are the same under any offset.
//
// The simulator describes the API from the wire side: it does not import the
// SDK's types, so a mistake in one cannot hide the same mistake in the other.
package lambdatest
