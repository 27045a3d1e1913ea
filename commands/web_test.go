package commands_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"image/png"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trustbot/trustbot"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot/commands"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata golden files")

// tusd is whole tUSD in units (6 decimals).
func tusd(v int64) *big.Int { return new(big.Int).Mul(big.NewInt(v), big.NewInt(1_000_000)) }

// webStory is the three-layer story as /web reads it: Alice's tUSD reserve trusts Bob; Bob's
// reserve is backed by Alice-tokens and trusts Carol; Carol's reserve is backed by Bob-tokens and
// trusts Dave. Erin, unlinked, was sent some Alice-tokens.
func webStory() commands.WebInput {
	return commands.WebInput{
		Reserves: []commands.WebReserve{
			{Address: resC, Issuer: carol, Asset: resB, Symbol: "CAROL-BOB-ALICE-tUSD", AssetSymbol: "BOB-ALICE-tUSD", Decimals: 6,
				Backing: tusd(10), Outstanding: tusd(6),
				Holders: []commands.WebHolder{{Addr: dave, Balance: tusd(6), Budget: tusd(20)}}},
			{Address: resA, Issuer: alice, Asset: tUSD, Symbol: "ALICE-tUSD", AssetSymbol: "tUSD", Decimals: 6,
				Backing: tusd(300), Outstanding: tusd(125),
				Holders: []commands.WebHolder{
					{Addr: bob, Balance: tusd(40), Budget: tusd(100)},
					{Addr: resB, Balance: tusd(80), Budget: new(big.Int)}, // Bob's backing: a layer, not a holder
					{Addr: erin, Balance: tusd(5), Budget: new(big.Int)},
				}},
			{Address: resB, Issuer: bob, Asset: resA, Symbol: "BOB-ALICE-tUSD", AssetSymbol: "ALICE-tUSD", Decimals: 6,
				Backing: tusd(80), Outstanding: tusd(20),
				Holders: []commands.WebHolder{
					{Addr: carol, Balance: tusd(10), Budget: tusd(50)},
					{Addr: resC, Balance: tusd(10), Budget: new(big.Int)},
					{Addr: dave, Balance: new(big.Int), Budget: new(big.Int)}, // neither: left out
				}},
		},
		Names: map[common.Address]string{alice: "@alice", bob: "@bob", carol: "@carol", dave: "@dave"},
	}
}

func TestTrustGraphGolden(t *testing.T) {
	g := commands.TrustGraph(webStory())
	got, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "web.golden.json")
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./commands/ -run TestTrustGraphGolden -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("trust graph differs from %s (rerun with -update if intended):\n%s", path, got)
	}
	// Same input in another order: same graph.
	in := webStory()
	in.Reserves[0], in.Reserves[2] = in.Reserves[2], in.Reserves[0]
	again, _ := json.MarshalIndent(commands.TrustGraph(in), "", "  ")
	if !bytes.Equal(append(again, '\n'), want) {
		t.Fatalf("trust graph depends on the reserves' order:\n%s", again)
	}
}

func TestTrustGraphShape(t *testing.T) {
	g := commands.TrustGraph(webStory())
	labels := map[string]string{}
	for _, n := range g.Nodes {
		labels[n.ID] = n.Label
	}
	for a, name := range map[common.Address]string{alice: "@alice", bob: "@bob", carol: "@carol", dave: "@dave", erin: trustbot.ShortAddress(erin)} {
		if !strings.HasPrefix(labels[a.Hex()], name) {
			t.Errorf("node %s: label %q, want it to start with %q", a.Hex(), labels[a.Hex()], name)
		}
	}
	if len(g.Nodes) != 5 {
		t.Errorf("%d nodes, want 5 (reserves holding a layer's tokens are not nodes): %+v", len(g.Nodes), g.Nodes)
	}
	if l := labels[alice.Hex()]; l != "@alice\n300 tUSD backing · 240%" {
		t.Errorf("alice's label %q", l)
	}
	var dashed, solid int
	for _, e := range g.Edges {
		if e.Style == "dashed" {
			dashed++
		} else {
			solid++
		}
	}
	if dashed != 2 || solid != 4 || g.Budgets() != 3 {
		t.Errorf("%d layer edges, %d budget edges; want 2 and 4 (3 with a budget): %+v", dashed, solid, g.Edges)
	}
}

func TestRenderPNG(t *testing.T) {
	ctx := context.Background()
	g := commands.TrustGraph(webStory())
	start := time.Now()
	data, err := commands.RenderPNG(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	first := time.Since(start)
	start = time.Now()
	if _, err := commands.RenderPNG(ctx, g); err != nil {
		t.Fatal(err)
	}
	t.Logf("render: first %v (creates the Graphviz instance), then %v; %d bytes", first, time.Since(start), len(data))
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 200 || b.Dy() < 100 {
		t.Errorf("picture is %v, too small for five members", b)
	}
	if os.Getenv("WEB_PNG") != "" {
		_ = os.WriteFile(os.Getenv("WEB_PNG"), data, 0o644)
	}
}
