package lambda_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/lambda/lambda-go"
)

// TestEveryServiceHasItsInterface: each service of the Client has an
// interface with all of its methods, so that a new method cannot be left
// out of what stubs implement. (That the service satisfies it is checked
// at compile time, in interfaces.go.)
func TestEveryServiceHasItsInterface(t *testing.T) {
	t.Parallel()
	interfaces := map[string]reflect.Type{
		"Instances":   reflect.TypeFor[lambda.InstancesAPI](),
		"Volumes":     reflect.TypeFor[lambda.VolumesAPI](),
		"Snapshots":   reflect.TypeFor[lambda.SnapshotsAPI](),
		"Firewall":    reflect.TypeFor[lambda.FirewallAPI](),
		"VPNs":        reflect.TypeFor[lambda.VPNsAPI](),
		"Functions":   reflect.TypeFor[lambda.FunctionsAPI](),
		"Billing":     reflect.TypeFor[lambda.BillingAPI](),
		"Account":     reflect.TypeFor[lambda.AccountAPI](),
		"APIKeys":     reflect.TypeFor[lambda.APIKeysAPI](),
		"Webhooks":    reflect.TypeFor[lambda.WebhooksAPI](),
		"Resources":   reflect.TypeFor[lambda.ResourcesAPI](),
		"Workloads":   reflect.TypeFor[lambda.WorkloadsAPI](),
		"Deployments": reflect.TypeFor[lambda.DeploymentsAPI](),
	}
	ct := reflect.TypeFor[lambda.Client]()
	services := 0
	for i := 0; i < ct.NumField(); i++ {
		f := ct.Field(i)
		if !f.IsExported() || f.Type.Kind() != reflect.Pointer {
			continue
		}
		services++
		it, ok := interfaces[f.Name]
		if !assert.True(t, ok, "client.%s has no interface", f.Name) {
			continue
		}
		assert.True(t, f.Type.Implements(it), "%s does not implement %s", f.Type, it)
		for j := 0; j < f.Type.NumMethod(); j++ {
			name := f.Type.Method(j).Name
			_, ok := it.MethodByName(name)
			assert.True(t, ok, "%s lacks %s.%s", it, f.Name, name)
		}
	}
	assert.Equal(t, len(interfaces), services, "an interface for a service the client does not have")
}

// restartAll is code of the caller's own, written against the interface so
// that a unit test can hand it a stub.
func restartAll(ctx context.Context, instances lambda.InstancesAPI, ids []string) error {
	var errs []error
	for _, id := range ids {
		if _, err := instances.Restart(ctx, id); err != nil {
			errs = append(errs, fmt.Errorf("restarting %s: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// stubInstances implements lambda.InstancesAPI with only the method the
// code under test calls: the embedded interface is nil, so any other call
// panics and shows the test reached further than meant.
type stubInstances struct {
	lambda.InstancesAPI
	restarted []string
}

func (s *stubInstances) Restart(_ context.Context, id string, _ ...lambda.RequestOption) (*lambda.Instance, error) {
	if id == "inst_gone" {
		return nil, &lambda.Error{HTTPStatus: 404, Code: lambda.CodeNotFound, Message: "Instance not found"}
	}
	s.restarted = append(s.restarted, id)
	return &lambda.Instance{ID: id, Status: lambda.InstanceStatusRestarting}, nil
}

// Stub a service's interface in a unit test of your own code: production
// passes client.Instances, the test a stub with the methods it needs. To
// test against the API's real behaviour (life cycles, paging, retries),
// run lambdatest instead.
func ExampleInstancesAPI() {
	stub := &stubInstances{}
	err := restartAll(context.Background(), stub, []string{"inst_1", "inst_gone", "inst_2"})
	fmt.Println(stub.restarted)
	fmt.Println(errors.Is(err, lambda.ErrNotFound))

	// In production, the service itself:
	//	err = restartAll(ctx, client.Instances, ids)
	// Output:
	// [inst_1 inst_2]
	// true
}
