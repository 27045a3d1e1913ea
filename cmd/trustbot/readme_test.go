package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// txSuffix is a notice's transaction, which the comparison leaves out: the README's run and the
// test's may mine in different blocks.
var txSuffix = regexp.MustCompile(`tx 0x[0-9a-f]{8}…[0-9a-f]{4}`)

// TestReadmeSplitTrip runs docs/split-a-trip.txt through the playground and checks the README's
// "Split a trip" transcript against what it printed: every command line shown is a line of the
// file, in order, and every other line is a line the console printed (data dir and transaction
// hashes aside). The chart /trip end writes must be docs/trip-chart.png, byte for byte; with
// TRUSTBOT_UPDATE_DOCS=1 the test writes it there instead.
func TestReadmeSplitTrip(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)
	i := strings.Index(section, "## Split a trip")
	if i < 0 {
		t.Fatal(`README.md has no "## Split a trip" section`)
	}
	section = section[i:]
	start := strings.Index(section, "```\n")
	end := strings.Index(section[start+4:], "```")
	if start < 0 || end < 0 {
		t.Fatal("the README's Split a trip section has no transcript")
	}
	shown := strings.Split(strings.TrimRight(section[start+4:start+4+end], "\n"), "\n")

	story, err := os.ReadFile("../../docs/split-a-trip.txt")
	if err != nil {
		t.Fatal(err)
	}
	p, run := testPlayground(t)
	var out strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(story)), "\n") {
		out.WriteString(run(line))
	}
	printed := map[string]bool{}
	for _, l := range strings.Split(strings.ReplaceAll(out.String(), p.Console.Dir, "trustbot-data"), "\n") {
		printed[txSuffix.ReplaceAllString(l, "tx …")] = true
	}
	lines := strings.Split(strings.TrimSpace(string(story)), "\n")
	next := 0
	prompt := regexp.MustCompile(`^[a-z]+> +(/.*)$`)
	for _, l := range shown {
		if m := prompt.FindStringSubmatch(l); m != nil {
			for next < len(lines) && lines[next] != m[1] {
				next++
			}
			if next == len(lines) {
				t.Errorf("README line %q: no such command in docs/split-a-trip.txt after the ones before it", l)
			}
			continue
		}
		if !printed[txSuffix.ReplaceAllString(l, "tx …")] {
			t.Errorf("README line %q: the playground printed no such line", l)
		}
	}
	if t.Failed() {
		t.Logf("the playground printed:\n%s", out.String())
	}

	chart, err := os.ReadFile(filepath.Join(p.Console.Dir, "trip-chart.png"))
	if err != nil {
		t.Fatalf("/trip end wrote no chart: %v", err)
	}
	if os.Getenv("TRUSTBOT_UPDATE_DOCS") != "" {
		if err := os.WriteFile("../../docs/trip-chart.png", chart, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if doc, err := os.ReadFile("../../docs/trip-chart.png"); err != nil || !bytes.Equal(doc, chart) {
		t.Errorf("docs/trip-chart.png is not the chart this run drew (%v); run with TRUSTBOT_UPDATE_DOCS=1 to redraw it", err)
	}
}
