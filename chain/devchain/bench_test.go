package devchain_test

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trustbot/trustbot/chain/devchain"
)

// BenchmarkDevChainPeakRSS reports the peak RSS of a process that only starts the embedded dev
// chain (the contracts deployed, four funded members) and leaves it idle for 3 s: the part of the
// playground's memory that the go-ethereum node takes before any bot, store or page runs. Run it
// alone so nothing else raises the peak.
func BenchmarkDevChainPeakRSS(b *testing.B) {
	for b.Loop() {
		dc, err := devchain.Start(context.Background(), devchain.Options{Members: []string{"alice", "bob", "carol", "dave"}})
		if err != nil {
			b.Fatal(err)
		}
		time.Sleep(3 * time.Second)
		dc.Close()
	}
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Skipf("no /proc/self/status: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		if k != "VmHWM" && k != "RssAnon" && k != "RssFile" {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		if err != nil {
			b.Fatalf("%s %q: %v", k, v, err)
		}
		b.ReportMetric(kb/1024, map[string]string{"VmHWM": "peak-rss-MB", "RssAnon": "anon-MB", "RssFile": "file-MB"}[k])
	}
}
