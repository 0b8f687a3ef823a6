package benchmarks

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// goroutines is how many callers share one client.
const goroutines = 64

// countingServer is instanceServer that counts the TCP connections it accepts.
func countingServer(b *testing.B) (*httptest.Server, *atomic.Int64) {
	b.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(instanceHandler))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	b.Cleanup(srv.Close)
	return srv, &conns
}

// parallel makes n calls of f from goroutines goroutines and returns the
// wall time they took.
func parallel(b *testing.B, n int, f func() error) time.Duration {
	b.Helper()
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
		err     error
	)
	start := time.Now()
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if e := f(); e != nil {
					errOnce.Do(func() { err = e })
					return
				}
			}
		}()
	}
	wg.Wait()
	d := time.Since(start)
	must(b, err)
	return d
}

// timed runs parallel and returns its wall time, and cpu plus the CPU time
// the whole process (server included) used meanwhile.
func timed(b *testing.B, n int, f func() error, cpu time.Duration) (time.Duration, time.Duration) {
	b.Helper()
	c := cpuTime()
	d := parallel(b, n, f)
	return d, cpu + cpuTime() - c
}

// BenchmarkConcurrentGet has 64 goroutines share one SDK client, then 64
// share one tuned http.Client making the request by hand, in interleaved
// rounds, each against its own server, and reports the throughput of each,
// their ratio (target ≥ 0.9) and the TCP connections each server accepted
// over the whole benchmark, warm-up included (target ≤ 64). It also reports
// the process's CPU time per call on each side, a steadier figure than
// throughput on a shared machine.
func BenchmarkConcurrentGet(b *testing.B) {
	sdkSrv, sdkConns := countingServer(b)
	handSrv, handConns := countingServer(b)
	ctx := context.Background()
	sdk := newSDK(b, sdkSrv.URL)
	hc := tunedClient()
	handURL := handSrv.URL + "/v1/instances/inst_abc123"
	sdkCall := func() error { _, err := sdk.Instances.Get(ctx, "inst_abc123"); return err }
	handCall := func() error { _, err := handGet(ctx, hc, handURL); return err }

	parallel(b, 20*goroutines, sdkCall) // warm up: the pools fill
	parallel(b, 20*goroutines, handCall)

	// As in compare: many short rounds, each side first in every other
	// one; the ratio is the median of the rounds'.
	const per = 8 * goroutines
	rounds := max(b.N/per, 10)
	var sdkD, handD, sdkCPU, handCPU time.Duration
	ratios := make([]float64, 0, rounds)
	b.ResetTimer()
	for i := range rounds {
		var s, h time.Duration
		if i%2 == 0 {
			s, sdkCPU = timed(b, per, sdkCall, sdkCPU)
			h, handCPU = timed(b, per, handCall, handCPU)
		} else {
			h, handCPU = timed(b, per, handCall, handCPU)
			s, sdkCPU = timed(b, per, sdkCall, sdkCPU)
		}
		sdkD, handD = sdkD+s, handD+h
		ratios = append(ratios, h.Seconds()/s.Seconds())
	}
	b.StopTimer()
	n := float64(per * rounds)
	b.ReportMetric(n/sdkD.Seconds(), "sdk-calls/s")
	b.ReportMetric(n/handD.Seconds(), "hand-calls/s")
	b.ReportMetric(median(ratios), "throughput-ratio")
	b.ReportMetric(handD.Seconds()/sdkD.Seconds(), "mean-throughput-ratio")
	b.ReportMetric(float64(sdkCPU.Nanoseconds())/n/1000, "sdk-cpu-us/op")
	b.ReportMetric(float64(handCPU.Nanoseconds())/n/1000, "hand-cpu-us/op")
	b.ReportMetric(float64(sdkConns.Load()), "sdk-conns")
	b.ReportMetric(float64(handConns.Load()), "hand-conns")
}
