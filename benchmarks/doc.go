// Package benchmarks measures the SDK against the same requests written by
// hand with net/http and encoding/json, on the same loopback server, in the
// same run. It holds only benchmarks: run them with
//
//	go test -run '^$' -bench . -benchmem ./benchmarks
//
// Each benchmark reports the SDK's and the hand-written figures side by side
// and their ratio, measured in interleaved rounds so that a noisy machine
// affects both alike. BENCHMARKS.md at the module root lists the targets and
// the figures of a run.
package benchmarks
