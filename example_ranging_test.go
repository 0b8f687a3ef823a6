package lambda_test

import (
	"context"
	"fmt"
	"time"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

// Deleting inside an All loop skips items: each delete shifts the items
// after it one place towards the front, onto pages the iterator has already
// read. Collect the IDs first, then delete (or, for a list too long to hold,
// delete what List returns for page 1 until it comes back empty).
func ExampleInstancesService_All_deleting() {
	srv := lambdatest.NewServer(lambdatest.WithTransitionDelay(20 * time.Millisecond))
	defer srv.Close()
	client, err := lambda.NewClient(lambda.WithAPIKey(lambdatest.DefaultAPIKey), lambda.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	fleet := &lambda.ListInstancesOptions{ListOptions: lambda.ListOptions{Limit: 2}, Region: "eu-west-1", Sort: "name"}
	create := func() error {
		for i := 1; i <= 5; i++ {
			_, err := client.Instances.Create(ctx, &lambda.CreateInstanceRequest{Name: fmt.Sprintf("batch-%d", i),
				InstanceType: lambda.InstanceTypeCompute1x, Region: "eu-west-1", Image: "ubuntu-22.04"})
			if err != nil {
				return err
			}
		}
		return nil
	}
	count := func() int {
		page, err := client.Instances.List(ctx, fleet)
		if err != nil {
			return -1
		}
		return page.Pagination.TotalItems
	}
	if err := create(); err != nil {
		fmt.Println(err)
		return
	}

	// Wrong: page 2 is read after two deletes, so it starts at the fifth.
	for inst, err := range client.Instances.All(ctx, fleet) {
		if err != nil {
			fmt.Println(err)
			return
		}
		if err := client.Instances.Delete(ctx, inst.ID); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println("deleting while ranging left", count())

	// Right: collect every ID, then delete.
	var ids []string
	for inst, err := range client.Instances.All(ctx, fleet) {
		if err != nil {
			fmt.Println(err)
			return
		}
		ids = append(ids, inst.ID)
	}
	for _, id := range ids {
		if err := client.Instances.Delete(ctx, id); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println("collecting first left", count())
	// Output:
	// deleting while ranging left 2
	// collecting first left 0
}
