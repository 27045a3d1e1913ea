package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// TestWebPicture: after a small two-layer story (Bob's reserve backed by Alice-tokens, Bob
// trusting Carol), /web in the playground writes the trust web as a PNG into the data dir.
func TestWebPicture(t *testing.T) {
	p, run := testPlayground(t)
	mustContain(t, "/web (empty)", run("/web"), "no reserves yet")
	for _, m := range []string{"alice", "bob", "carol"} {
		run("/as " + m)
		run("/wallet link")
		mustContain(t, "/approve (link "+m+")", run("/approve"), "Linked ")
	}
	run("/as alice")
	run("/reserve create")
	mustContain(t, "/approve (create)", run("/approve"), "Confirmed")
	run("/reserve deposit 300")
	mustContain(t, "/approve (deposit)", run("/approve"), "Confirmed")
	run("/trust @bob 100")
	mustContain(t, "/approve (trust bob)", run("/approve"), "Confirmed")

	run("/as bob")
	mustContain(t, "/reserve create backed-by:@alice", run("/reserve create backed-by:@alice"), "Sign to create")
	mustContain(t, "/approve (layer)", run("/approve"), "Confirmed")
	run("/reserve deposit 50")
	mustContain(t, "/approve (layer deposit)", run("/approve"), "Confirmed")
	run("/trust @carol 20")
	mustContain(t, "/approve (trust carol)", run("/approve"), "Confirmed")

	path := filepath.Join(p.Console.Dir, "trust-web.png")
	mustContain(t, "/web", run("/web"), "The trust web: 3 members, 2 reserves, 2 budgets.", "Wrote trust-web.png (", path)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", path, err)
	}
	t.Logf("%s: %v, %d bytes", path, img.Bounds().Size(), len(data))
	if out := os.Getenv("WEB_PNG"); out != "" {
		_ = os.WriteFile(out, data, 0o644)
	}
}
