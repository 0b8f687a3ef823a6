package lambda_test

import (
	"os"
	"os/exec"
	"testing"
)

// serviceTests are the tests of the services, which run on the simulator
// (newSim): TestServicesUnderDocumentedShapes runs them again with every
// route answering in the shape its API documentation shows.
const serviceTests = "^Test(Functions|Billing|Workloads|Deployments|Resources|Instances|Volumes|Snapshots|Firewall|VPN|Account|APIKeys|Webhooks|Simulator|Networking)"

// TestServicesUnderDocumentedShapes: the service tests pass against the
// shapes the original API documentation shows (bare arrays for functions and
// invoices, a bare function on create, no paging on workloads) as well as
// against the canonical envelope. It runs this test binary again, with the service tests only and
// LAMBDATEST_SEED_SHAPES=1, which newSim turns into
// lambdatest.WithSeedShapes.
func TestServicesUnderDocumentedShapes(t *testing.T) {
	if underDocumentedShapes() {
		t.Skip("this run is the one under the documented shapes")
	}
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run", serviceTests, "-test.count=1")
	cmd.Env = append(os.Environ(), documentedShapesEnv+"=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the service tests fail under the documented shapes: %v\n%s", err, out)
	}
}
