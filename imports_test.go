package trustbot_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportRules holds the house's layering: the chain client knows no database, and the
// adapters (Discord, the console, the pages) import the domain but neither the store nor one
// another; the store's concrete type reaches them only through main's wiring.
func TestImportRules(t *testing.T) {
	const mod = "github.com/trustbot/trustbot/"
	rules := map[string][]string{
		"chain":    {"store", "index", "commands", "web", "bot", "console"},
		"bot":      {"store", "index", "web", "console"},
		"console":  {"store", "index", "web", "bot"},
		"web":      {"store", "index", "commands", "bot", "console"},
		"commands": {"store", "index", "web", "bot", "console", "render"},
		// The ledger's arithmetic is pure: money in, money out.
		"ledger": {"chain", "store", "index", "commands", "web", "bot", "console", "render"},
	}
	for pkg, forbidden := range rules {
		out, err := exec.Command("go", "list", "-deps", "./"+pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps ./%s: %v", pkg, err)
		}
		deps := map[string]bool{}
		for _, d := range strings.Fields(string(out)) {
			deps[d] = true
		}
		for _, f := range forbidden {
			if deps[mod+f] {
				t.Errorf("%s imports %s (directly or not); got it in go list -deps, want it absent", pkg, f)
			}
		}
	}
}
