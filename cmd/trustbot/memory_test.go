package main

import (
	"os"
	"strconv"
	"testing"
	"time"
)

// TestDiscordIdleRSS measures the Discord transport idle: the bot started against the fake
// Discord REST server and gateway of TestDiscordStory (commands registered, gateway identified,
// embedded chain, store, signing server and watcher running), left alone for 3 s, then the
// process's peak RSS (VmHWM) is logged. Like BenchmarkPlaygroundPeakRSS the figure is the whole
// test binary's, fakes included. It runs only with TRUSTBOT_MEASURE_RSS=1, and should run alone
// (-run '^TestDiscordIdleRSS$') so no other test raises the peak. With TRUSTBOT_RSS_LIMIT_MB set
// it fails when the peak is above that many MB: the check for the memory goal.
func TestDiscordIdleRSS(t *testing.T) {
	if os.Getenv("TRUSTBOT_MEASURE_RSS") == "" {
		t.Skip("set TRUSTBOT_MEASURE_RSS=1 and run alone to measure")
	}
	startTestDiscord(t)
	time.Sleep(3 * time.Second)
	mb := peakRSS(t)
	if mb <= 0 {
		t.Fatalf("peak RSS: got %.1f MB, want a reading from /proc/self/status", mb)
	}
	t.Logf("discord transport idle: peak RSS %.1f MB (test binary)", mb)
	if limit, err := strconv.ParseFloat(os.Getenv("TRUSTBOT_RSS_LIMIT_MB"), 64); err == nil && mb > limit {
		t.Errorf("discord transport idle: peak RSS %.1f MB, want at most %.0f MB", mb, limit)
	}
}
