// Package simulator lets the examples run with no account: when
// LAMBDA_API_KEY is unset, Start runs the in-process simulator (lambdatest)
// and points the example at it through the very variables a real run reads,
// LAMBDA_API_KEY and LAMBDA_BASE_URL.
//
// Each example calls it from its sim.go, apart from its main.go, so that the
// file a user copies (examples/<name>/main.go) holds the recipe alone: a
// program built from it links neither the simulator nor kin-openapi.
package simulator

import (
	"fmt"
	"os"

	"github.com/lambda/lambda-go/lambdatest"
)

// DocumentedShapesEnv is the environment variable that, set to 1, makes the
// simulator answer every route in the shape the original API documentation
// shows (lambdatest.WithSeedShapes): .ci/run runs every example both ways, so
// that none depends on the canonical envelope.
const DocumentedShapesEnv = "LAMBDATEST_SEED_SHAPES"

// Start starts a simulator configured by opts and exports its URL and key,
// unless LAMBDA_API_KEY is set: then it does nothing and returns nil. The
// server lives as long as the process, which is as long as an example runs.
// note, when not empty, tells the reader what the simulator was given.
func Start(note string, opts ...lambdatest.Option) *lambdatest.Server {
	if os.Getenv("LAMBDA_API_KEY") != "" {
		return nil
	}
	if os.Getenv(DocumentedShapesEnv) == "1" {
		opts = append(opts, lambdatest.WithSeedShapes())
		if note != "" {
			note += ", "
		}
		note += "answering in the API documentation's shapes"
	}
	srv := lambdatest.NewServer(opts...)
	// Setenv fails only on a malformed name; these are constants.
	_ = os.Setenv("LAMBDA_API_KEY", lambdatest.DefaultAPIKey)
	_ = os.Setenv("LAMBDA_BASE_URL", srv.BaseURL())
	msg := "LAMBDA_API_KEY is not set: running against the in-process simulator (lambdatest)"
	if note != "" {
		msg += ", " + note
	}
	fmt.Println(msg + ".")
	return srv
}
