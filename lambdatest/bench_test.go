package lambdatest_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/lambda/lambda-go/lambdatest"
)

// BenchmarkListInstances measures one page of 100 out of 1,000 seeded
// instances, through the whole pipeline (auth, contract, JSON).
func BenchmarkListInstances(b *testing.B) {
	srv := lambdatest.NewServer()
	defer srv.Close()
	srv.SeedInstances(1000)
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/v1/instances?limit=100&page=3", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+lambdatest.DefaultAPIKey)
	client := srv.Client()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
}
