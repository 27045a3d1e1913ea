package commands_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustbot/trustbot"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot/chain"
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
	if l := labels[alice.Hex()]; l != "@alice\n300 tUSD · 240%" {
		t.Errorf("alice's label %q, want %q", l, "@alice\n300 tUSD · 240%")
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

// webStore and webChain serve /web a one-reserve web: Alice's tUSD reserve trusts Bob with 100,
// of which he holds 40, and trusts the extra holders (if any) with 1 each. Only the reads /web
// makes are implemented.
type webStore struct {
	commands.Store
	extra int
}

func (s webStore) Web(context.Context) (trustbot.Web, error) {
	w := trustbot.Web{
		Reserves: []trustbot.Reserve{{Address: resA, Issuer: alice, Symbol: "ALICE-tUSD", Decimals: 6,
			Asset: trustbot.Token{Address: tUSD, Symbol: "tUSD", Decimals: 6}, Outstanding: tusd(40), Backing: tusd(300)}},
		Accounts: []trustbot.Account{{Reserve: resA, Holder: bob, Balance: tusd(40), Budget: tusd(100)}},
		Links:    []trustbot.WalletLink{{UserID: "dev-alice", Address: alice}},
	}
	for i := range s.extra {
		w.Accounts = append(w.Accounts, trustbot.Account{Reserve: resA, Holder: common.BigToAddress(big.NewInt(int64(0x5000 + i))),
			Balance: new(big.Int), Budget: tusd(1)})
	}
	return w, nil
}

type webChain struct{ commands.Chain }

func (webChain) Live(_ context.Context, reserves []common.Address) (chain.Live, error) {
	live := chain.Live{Head: 1, Backing: map[common.Address]*big.Int{}}
	for _, r := range reserves {
		live.Backing[r] = tusd(300)
	}
	return live, nil
}

// renderFunc is a commands.Renderer from a function.
type renderFunc func(ctx context.Context, g commands.Graph) ([]byte, error)

func (f renderFunc) RenderWeb(ctx context.Context, g commands.Graph) ([]byte, error) {
	return f(ctx, g)
}

func (f renderFunc) RenderTrip(context.Context, commands.TripChart) ([]byte, error) {
	return nil, errors.New("renderFunc draws the trust web only")
}

// TestWebReply: /web hands the graph it built to the renderer and attaches the picture; when the
// renderer fails, or there is none, it answers in words with the web's figures, and a failure is
// logged. A web of more than commands.MaxPictureMembers members is answered in words without a
// render, and so is one the renderer finds too dense to draw legibly.
func TestWebReply(t *testing.T) {
	picture := []byte("\x89PNG picture")
	drawn := renderFunc(func(context.Context, commands.Graph) ([]byte, error) { return picture, nil })
	for _, tc := range []struct {
		name        string
		extra       int // holders besides Bob
		render      commands.Renderer
		text, logs  string
		attachment  bool
		private     bool
		renderCalls int
	}{
		{name: "30 members", extra: 28, render: drawn, attachment: true, renderCalls: 1,
			text: "The trust web: 30 members, 1 reserve, 29 budgets."},
		{name: "31 members", extra: 29, render: drawn, private: true,
			text: "The trust web has 31 members, 1 reserve, 30 budgets, too many to draw legibly as one picture (a picture shows at most 30 members, with few enough arrows among them); /credit and /balance show your part of it."},
		{name: "too dense", render: renderFunc(func(context.Context, commands.Graph) ([]byte, error) {
			return nil, fmt.Errorf("render: 2 members and 1 edges need a picture 2000 pt wide: %w", commands.ErrIllegible)
		}), private: true, renderCalls: 1,
			text: "The trust web has 2 members, 1 reserve, 1 budget, too many to draw legibly as one picture (a picture shows at most 30 members, with few enough arrows among them); /credit and /balance show your part of it."},
		{name: "drawn", text: "The trust web: 2 members, 1 reserve, 1 budget.", attachment: true, renderCalls: 1,
			render: renderFunc(func(context.Context, commands.Graph) ([]byte, error) { return picture, nil })},
		{name: "renderer fails", private: true, renderCalls: 1,
			text: "The trust web has 2 members, 1 reserve, 1 budget, but its picture could not be drawn this time; please try again.",
			logs: "render trust web", render: renderFunc(func(context.Context, commands.Graph) ([]byte, error) {
				return nil, errors.New("graphviz render: out of memory")
			})},
		{name: "no renderer", private: true,
			text: "The trust web has 2 members, 1 reserve, 1 budget, but this bot was started without pictures, so there is none to show."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			calls := 0
			var drawn commands.Graph
			var render commands.Renderer
			if tc.render != nil {
				render = renderFunc(func(ctx context.Context, g commands.Graph) ([]byte, error) {
					calls++
					drawn = g
					return tc.render.RenderWeb(ctx, g)
				})
			}
			set := commands.New(commands.Services{Store: webStore{extra: tc.extra}, Chain: webChain{}, Render: render,
				Log: slog.New(slog.NewTextHandler(&logs, nil))})
			reply := set.Handle(context.Background(), &commands.Request{Command: "web", User: trustbot.Member{ID: "dev-alice", Name: "alice"}})
			if reply.Text != tc.text || reply.Private != tc.private {
				t.Errorf("reply %q (private %v), want %q (private %v)", reply.Text, reply.Private, tc.text, tc.private)
			}
			if got := len(reply.Files) == 1; got != tc.attachment {
				t.Fatalf("attachment %v, want %v", got, tc.attachment)
			}
			if tc.attachment && (!bytes.Equal(reply.Files[0].Data, picture) || reply.Files[0].ContentType != "image/png") {
				t.Errorf("attachment %q (%s), want the renderer's picture as image/png", reply.Files[0].Data, reply.Files[0].ContentType)
			}
			if calls != tc.renderCalls {
				t.Errorf("%d renders, want %d", calls, tc.renderCalls)
			}
			if calls > 0 && (len(drawn.Nodes) != 2+tc.extra || len(drawn.Edges) != 1+tc.extra || drawn.Nodes[0].Label != "@alice\n300 tUSD · 750%") {
				t.Errorf("rendered graph %+v, want @alice and bob with one budget", drawn)
			}
			if tc.logs == "" && logs.Len() > 0 {
				t.Errorf("logged %q, want nothing", logs.String())
			}
			if tc.logs != "" && (!strings.Contains(logs.String(), tc.logs) || !strings.Contains(logs.String(), "out of memory")) {
				t.Errorf("logged %q, want %q with the renderer's error", logs.String(), tc.logs)
			}
		})
	}
}

// TestTrustGraphTwoReserves: an issuer with two reserves has a line per reserve naming its
// token, and the arrows from either name the token their figures are in.
func TestTrustGraphTwoReserves(t *testing.T) {
	resX := common.HexToAddress("0x00000000000000000000000000000000000000f1")
	dai := common.HexToAddress("0x00000000000000000000000000000000000000d1")
	g := commands.TrustGraph(commands.WebInput{
		Reserves: []commands.WebReserve{
			{Address: resA, Issuer: alice, Asset: tUSD, Symbol: "ALICE-tUSD", AssetSymbol: "tUSD", Decimals: 6, Backing: tusd(300), Outstanding: tusd(100),
				Holders: []commands.WebHolder{{Addr: bob, Balance: tusd(40), Budget: tusd(100)}}},
			{Address: resX, Issuer: alice, Asset: dai, Symbol: "ALICE-tDAI", AssetSymbol: "tDAI", Decimals: 6, Backing: tusd(50), Outstanding: new(big.Int),
				Holders: []commands.WebHolder{{Addr: bob, Balance: tusd(5), Budget: new(big.Int)}}},
		},
		Names: map[common.Address]string{alice: "@alice", bob: "@bob"},
	})
	want := commands.Graph{
		Nodes: []commands.Node{
			{ID: alice.Hex(), Label: "@alice\nALICE-tDAI: 50 tDAI · nothing outstanding\nALICE-tUSD: 300 tUSD · 300%"},
			{ID: bob.Hex(), Label: "@bob"},
		},
		Edges: []commands.Edge{
			{From: alice.Hex(), To: bob.Hex(), Style: "solid", Label: "0 · 5 ALICE-tDAI"},
			{From: alice.Hex(), To: bob.Hex(), Style: "solid", Label: "100 · 40 ALICE-tUSD"},
		},
	}
	got, _ := json.MarshalIndent(g, "", "  ")
	wantJSON, _ := json.MarshalIndent(want, "", "  ")
	if !bytes.Equal(got, wantJSON) {
		t.Errorf("got %s, want %s", got, wantJSON)
	}
	if g.Budgets() != 1 {
		t.Errorf("got %d budgets, want 1", g.Budgets())
	}
}
