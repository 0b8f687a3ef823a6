// Package lambda is the Go client for the Lambda compute platform API:
// instances, volumes, snapshots, firewall rules and VPNs, live metrics,
// serverless functions, billing, account, API keys and webhooks.
//
// # Creating a client
//
// Make one [Client] with [NewClient] and share it: it is safe for concurrent
// use and keeps connections alive between calls. Options check their input,
// so a bad one is an error from NewClient, never a panic later.
//
//	client, err := lambda.NewClient(lambda.WithAPIKey(os.Getenv("LAMBDA_API_KEY")))
//	if err != nil {
//		log.Fatal(err)
//	}
//	inst, err := client.Instances.Create(ctx, &lambda.CreateInstanceRequest{
//		Name:         "my-api-instance",
//		InstanceType: lambda.InstanceTypeCompute4x,
//		Region:       "us-west-1",
//		Image:        "ubuntu-22.04",
//	})
//
// # Options
//
// Every option follows one rule: a bad value is an error matching
// [ErrInvalidRequest], returned before anything is sent, and never a value
// silently kept at its default or corrected. Client options ([Option])
// fail [NewClient]; a per-call [RequestOption] fails the call; a
// [WaitOption] fails the wait before its first poll; bad
// [StreamMetricsOptions] are the stream's first and only error; a
// [WebhookOption] fails [ConstructEvent] and [WebhookHandler]. A zero
// value is not bad: it means the documented default.
//
// # Authentication
//
// An API key goes in "Authorization: Bearer <key>" ([WithAPIKey]), or in
// X-API-Key with [WithAPIKeyHeader]. For OAuth 2.0, [WithOAuth2] takes an
// oauth2.Config and a token pair, and the client renews the access token
// itself: before it expires, and once after a 401 whatever its expiry said
// (concurrent calls share one renewal); [WithTokenNotify] hands each new
// token over to be persisted; [WithOAuth2ClientCredentials] does the same
// for the client credentials grant. [WithTokenSource] takes a source that
// manages itself (see its doc for what it can do on a 401). A key or token
// limited to permissions gets [ErrForbidden], with Error.Permission naming
// the one missing. With no credential option,
// NewClient reads LAMBDA_API_KEY, and LAMBDA_BASE_URL replaces the default
// base URL. The credential is sent only to the API's own host, and never
// appears in an error, a log line or a formatted Client.
//
// # Base URL and versions
//
// The default base URL is [DefaultBaseURL], "https://api.lambda.io/v1".
// [WithBaseURL] (or LAMBDA_BASE_URL) points the client elsewhere, and the
// path must end in the API version: NewClient refuses
// "http://127.0.0.1:1234" with an error that suggests
// "http://127.0.0.1:1234/v1", because without the version every resource
// would answer 404. [WithAPIVersion] selects "v1" (stable) or "v2", which is
// in beta: its preview features may change without the notice stable
// versions get.
//
// # Services
//
// The endpoint groups are fields of the Client: Instances, Volumes,
// Snapshots, Firewall, VPNs, Functions, Billing, Account, APIKeys, Webhooks,
// Resources, Workloads and Deployments. Their methods follow one pattern:
//
//	Create(ctx, *CreateXRequest, ...RequestOption) (*X, error)
//	Get(ctx, id, ...RequestOption) (*X, error)
//	List(ctx, *ListXOptions, ...RequestOption) (*Page[X], error)
//	All(ctx, *ListXOptions, ...RequestOption) iter.Seq2[X, error]
//	Delete(ctx, id, ...RequestOption) error
//
// A nil options pointer means "none": the API's defaults. A nil request
// pointer is refused, since a create, update or action has nothing to send
// without one; so are an empty ID, a nil context and a bad option. Every
// argument the client refuses before sending is an [*Error] with
// HTTPStatus 0 matching
// [ErrInvalidRequest], the same sentinel as the API's own 400. Every method
// takes [RequestOption] values:
// [WithIdempotencyKey], [WithHeader] and [WithResponseInfo], which reports
// the status, request ID, rate-limit figures and number of attempts.
//
// # Errors
//
// Every failure the API reports is an [*Error] with the HTTP status, the
// API's code and message, the refused field (Details) and the request ID to
// quote to support. Match its kind with errors.Is and the sentinels
// ([ErrNotFound], [ErrInvalidRequest], [ErrUnauthorized], [ErrRateLimited],
// …); read the fields with errors.As:
//
//	_, err := client.Instances.Get(ctx, id)
//	var lerr *lambda.Error
//	switch {
//	case errors.Is(err, lambda.ErrNotFound):
//		// gone
//	case errors.As(err, &lerr):
//		log.Printf("%s (field %v, request %s)", lerr.Code, lerr.Details, lerr.RequestID)
//	}
//
// An answer that is not the API's JSON (a proxy's HTML page, say) is still
// an *Error, with the status and a short excerpt of the body.
//
// # Retries and idempotency
//
// Calls that fail with 429, 500, 502, 503, 504 or a broken connection are
// retried, DefaultMaxRetries times by default ([WithMaxRetries]), after the
// wait the API asks for or a jittered exponential backoff
// ([WithRetryBackoff]). Every POST carries an Idempotency-Key, generated or
// given with WithIdempotencyKey, and the same key on every retry: a create
// whose response was lost is not made twice. PATCH is never retried. Once a
// response says the rate-limit budget is spent, calls wait for the window to
// reset instead of earning a 429. A wait longer than [WithMaxRetryWait], or
// past the context's deadline, is not slept: the call returns a rate-limit
// error whose RetryAfter says how long to wait. [Client.RateLimit] gives the
// latest figures; [WithRateLimiter] paces calls on the client's side.
//
// # Paging
//
// List returns one [Page] with its [Pagination]; All is an iterator over
// every item of every page, fetched as the loop needs them, that stops at the
// first error and the moment the loop breaks. It never yields an item twice
// nor runs for ever: a page/limit list with a pagination object ends on
// has_next false, the last of total_pages, an empty page, or a short page at
// the limit the pagination object reports as asked; a list without one
// (page/limit or limit/offset) ends on an empty page, or on a short page
// once the server has shown it honours the limit with a full one. A page
// that brings no new item (a server that repeats a page or ignores paging)
// ends the loop with an error matching ErrInvalidResponse.
//
//	for inst, err := range client.Instances.All(ctx, &lambda.ListInstancesOptions{Region: "us-west-1"}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(inst.Name)
//	}
//
// Do not delete inside an All loop: each delete moves the items after it
// onto pages already read, and the loop skips them. Collect the IDs first,
// then delete, as the example of InstancesService.All shows; or, for a list
// too long to hold, delete what List returns for page 1 until it is empty.
//
// # Waiting
//
// WaitUntilReady polls a resource until it has settled (an instance
// running, a volume available or attached), with jittered exponential
// backoff squeezed to land before the context's deadline. It fails fast,
// with an error matching [ErrWaitFailed], when the resource reaches a state
// it will not leave on its own, and with [ErrWaitTimeout] when the context
// ends first. Tune it with [WithWaitDelay] and watch it with
// [WithWaitProgress].
//
//	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
//	defer cancel()
//	inst, err = client.Instances.WaitUntilReady(ctx, inst.ID)
//
// Instances.WaitUntilStopped waits for a stopped instance, and
// WaitUntilDeleted, on every service with Get and Delete, for a 404. [WaitFor]
// runs the same loop over any getter and [WaitCondition]; to wait on many
// resources at once, run one wait per goroutine under one deadline (see
// the example of WaitFor).
//
// # Webhooks
//
// [WebhookHandler] is an http.Handler that accepts the platform's deliveries
// only when the signature (HMAC-SHA256, compared in constant time), the
// timestamp (within [DefaultWebhookTolerance]) and the size are right, and
// passes each [Event] to your function. [ConstructEvent] does the same for
// one request body; [SignWebhookPayload] signs payloads for your tests.
// Subscribe a URL with client.Webhooks.Create.
//
//	http.Handle("/hooks", lambda.WebhookHandler(secret, func(ctx context.Context, ev *lambda.Event) error {
//		log.Println(ev.Type, ev.ID)
//		return nil
//	}))
//
// # Webhook signatures
//
// Where the signature travels, and what it signs, is our reading of the API
// documents, stated here once. The API documentation shows the payload with a
// "signature": "sha256=..." member inside the body, names no header, and
// verifies with verifyWebhook(payload, signature, secret): "sha256=" and
// the lower-case hex HMAC-SHA256 of payload under the secret, compared byte
// for byte. The SDK's contract (openapi.yaml) settles on a header, X-Lambda-Signature
// ([SignatureHeader]), over the raw body. A receiver accepts both, so that
// a platform signing either way is heard:
//
//  1. When the request carries the signature header (named
//     [SignatureHeader] unless [WithWebhookSignatureHeader] names another;
//     for [ConstructEvent], when its signature argument is not empty), that
//     value decides, and it signs the raw body exactly as received.
//  2. Otherwise the body's own top-level "signature" member is the
//     signature, and it signs the body without that member: the received
//     bytes with the member ("signature", its colon, its string value) and
//     the comma that separated it from its neighbour cut out, every other
//     byte kept, since a signature cannot sign the bytes that hold it. A
//     platform that signs body B and then appends the member (B without its
//     closing brace, then ,"signature":"sha256=…"}), as the simulator's
//     lambdatest.WithWebhookSignatureInBody does, is verified exactly. A body
//     with two such members, or one that is not a string, is not signed.
//  3. With neither, the delivery is refused with [ErrWebhookNotSigned].
//
// Either way the check is the same HMAC with the same secrets, in constant
// time. The body's "signature" member, checked or not, is kept in
// [Event.Signature].
//
// # Logging, middleware and debugging
//
// [WithLogger] logs each attempt (with its duration), the metrics stream's
// connections and reconnects, and one warning per route the API marks
// deprecated; the Deprecation and Sunset headers also fill [ResponseInfo].
// [WithMiddleware] runs your code around every attempt, before the
// credential is added, to log, count or trace calls. [WithDebugWriter]
// dumps the traffic with every credential and secret redacted.
//
// # Values
//
// Money arrives as [Money] (exact cents, never a float), usage as
// [Quantity], calendar days as [Date]; times are time.Time.
//
// # Testing code that uses the client
//
// Each service has an interface holding all of its methods ([InstancesAPI],
// [VolumesAPI], … one per field of Client), satisfied by the service: take
// the interface in your own code and hand it a stub in unit tests of your
// logic. To test behaviour across calls (life cycles, paging, retries), run
// the simulator instead.
//
// # The simulator
//
// Package github.com/lambda/lambda-go/lambdatest is an in-memory simulator
// of the whole API on loopback, for your own tests: life cycles that move on
// their own, paging, rate limits, idempotency, signed webhook deliveries,
// metric streams, fault injection and a request log.
//
//	srv := lambdatest.NewServer()
//	defer srv.Close()
//	client, err := lambda.NewClient(lambda.WithAPIKey(lambdatest.DefaultAPIKey),
//		lambda.WithBaseURL(srv.BaseURL()))
//
// The examples directory of the repository holds complete programs that run
// against the simulator when LAMBDA_API_KEY is not set.
//
// # How a call travels
//
// Every call goes through the same layers, in this order: the call is
// built once (path checked, body encoded, Idempotency-Key set); the retry
// loop (go-retryablehttp, whose CheckRetry hook is the retry policy) runs
// each attempt through the middleware ([WithMiddleware]), the HTTP client
// (redirects followed only within the API's origin), the credential (put
// only on requests to the API's origin), the debug dump
// ([WithDebugWriter]), the rate-limit budget (which reads each answer's
// headers once), the client-side limiter ([WithRateLimiter]) and the
// attempt's bound ([WithAttemptTimeout]), down to net/http's connection
// pool. The answer comes back up the same way and is decoded into the
// caller's value or an [*Error]. The file chain.go lays the layers out in
// one function, for whoever maintains them.
package lambda
