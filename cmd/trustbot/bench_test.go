package main

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"
)

// benchPlayground is testPlayground for a benchmark: the whole playground (embedded chain,
// SQLite in a temp dir, signing server on loopback, watcher polling every 100 ms) and a function
// that runs one console line and returns what it printed.
func benchPlayground(tb testing.TB) (*playground, func(line string) string) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	cfg := &Config{DataDir: tb.TempDir(), ListenAddr: "127.0.0.1:0", DevRPCAddr: "127.0.0.1:0",
		LinkTTL: 15 * time.Minute, PollInterval: 100 * time.Millisecond}
	out := &syncBuffer{}
	p, err := startPlayground(ctx, cfg, out, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		tb.Fatalf("start playground: %v", err)
	}
	tb.Cleanup(p.Close)
	p.Console.Wait = 30 * time.Second
	_, offset := out.Since(0)
	return p, func(line string) string {
		p.Console.Exec(ctx, line)
		var got string
		got, offset = out.Since(offset)
		return got
	}
}

// roundTripsPerOp is how many signing round trips one iteration of BenchmarkSigningRoundTrip makes.
const roundTripsPerOp = 10

// BenchmarkSigningRoundTrip measures a signing request end to end in the playground: /trust
// creates the signing link (command, store, web server); /approve then does what a wallet page
// does over HTTP (GET the request's JSON, send the transaction to the embedded chain, POST its
// hash to /s/{id}/tx) and polls the request's JSON until the watcher has confirmed it. Setup
// (linking wallets, creating and funding a reserve) is not timed. Reports ms/roundtrip over
// 10 round trips per iteration.
func BenchmarkSigningRoundTrip(b *testing.B) {
	_, run := benchPlayground(b)
	for _, m := range []string{"alice", "bob"} {
		run("/as " + m)
		run("/wallet link")
		mustContain(b, "/approve (link)", run("/approve"), "Linked ")
	}
	run("/as alice")
	mustContain(b, "/reserve create", run("/reserve create"), "/s/")
	mustContain(b, "/approve (create)", run("/approve"), "Confirmed")
	mustContain(b, "/reserve deposit 300", run("/reserve deposit 300"), "Sign to deposit")
	mustContain(b, "/approve (deposit)", run("/approve"), "Confirmed")

	var elapsed time.Duration
	for range b.N {
		for range roundTripsPerOp {
			t0 := time.Now()
			mustContain(b, "/trust @bob 1", run("/trust @bob 1"), "/s/")
			mustContain(b, "/approve (trust)", run("/approve"), "Confirmed")
			elapsed += time.Since(t0)
		}
	}
	b.ReportMetric(float64(elapsed.Microseconds())/1000/float64(b.N*roundTripsPerOp), "ms/roundtrip")
}

// tripStory runs the README's trip through the console (as TestTripStory does, with lighter
// checks): link three wallets, create and fund a reserve, trust, redeem, re-up and revoke.
func tripStory(tb testing.TB, run func(string) string) {
	tb.Helper()
	for _, m := range []string{"alice", "bob", "carol"} {
		run("/as " + m)
		mustContain(tb, "/wallet link", run("/wallet link"), "/l/")
		mustContain(tb, "/approve (link)", run("/approve"), "Linked ")
	}
	run("/as alice")
	mustContain(tb, "/reserve create", run("/reserve create"), "/s/")
	mustContain(tb, "/approve (create)", run("/approve"), "Confirmed")
	mustContain(tb, "/reserve deposit 300", run("/reserve deposit 300"), "Sign to deposit 300 tUSD")
	mustContain(tb, "/approve (deposit)", run("/approve"), "Confirmed")
	run("/trust @bob 100")
	mustContain(tb, "/approve (trust bob)", run("/approve"), "@alice extended @bob a budget of 100 tUSD")
	run("/trust member:@carol amount:100")
	mustContain(tb, "/approve (trust carol)", run("/approve"), "@alice extended @carol a budget of 100 tUSD")
	run("/as bob")
	run("/redeem 60")
	mustContain(tb, "/approve (redeem)", run("/approve"), "@bob redeemed 60 tUSD")
	run("/as alice")
	run("/reup @bob")
	mustContain(tb, "/approve (reup)", run("/approve"), "re-upped @bob")
	run("/revoke @carol")
	mustContain(tb, "/approve (revoke)", run("/approve"), "revoked all of @carol's trust")
	mustContain(tb, "/reserve show", run("/reserve show"), "240 tUSD backing, 100 outstanding")
}

// peakRSS is the process's peak resident set size in MB (VmHWM from /proc/self/status).
func peakRSS(tb testing.TB) float64 {
	tb.Helper()
	return procMemory(tb, 0)["VmHWM"]
}

// BenchmarkPlaygroundPeakRSS starts the playground, runs the trip story, and reports the test
// process's peak RSS (VmHWM) as peak-rss-MB. The figure is the whole test binary's: the embedded
// chain, the store, the signing server, the watcher and the console all run in it. Run it on
// its own (-run '^$' -bench BenchmarkPlaygroundPeakRSS) so no other test raises the peak.
func BenchmarkPlaygroundPeakRSS(b *testing.B) {
	for range b.N {
		_, run := benchPlayground(b)
		tripStory(b, run)
	}
	b.ReportMetric(peakRSS(b), "peak-rss-MB")
}
