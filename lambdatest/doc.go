// Package lambdatest is an in-memory simulator of the Lambda API, for tests.
//
// NewServer starts a stateful server on loopback that speaks the same wire
// format as the platform (see design/WIRE.md): instances go pending →
// provisioning → running, volumes attach and detach, webhooks are signed and
// delivered, metrics stream over WebSocket. A client points at it with
// lambda.WithBaseURL(srv.URL + "/v1"):
//
//	srv := lambdatest.NewServer(lambdatest.WithTransitionDelay(20 * time.Millisecond))
//	defer srv.Close()
//	client, _ := lambda.NewClient(lambda.WithAPIKey(lambdatest.DefaultAPIKey),
//		lambda.WithBaseURL(srv.URL+"/v1"))
//
// Beyond the API, the Server lets a test steer and observe the platform:
// InjectFault makes chosen requests fail (a status, a raw body, a delay, a
// dropped connection, or a failure after the state already changed),
// Requests records every request, Deliveries records every webhook attempt,
// SetAPIKeys rotates credentials, DropStreams cuts metric streams, and
// WithResponseValidation checks every answer against the OpenAPI contract.
//
// The simulator describes the API from the wire side: it does not import the
// SDK's types, so a mistake in one cannot hide the same mistake in the other.
package lambdatest
