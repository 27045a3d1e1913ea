package render_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot/commands"
	"github.com/trustbot/trustbot/render"
)

func units(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1_000_000)) }

// generatedWeb is a web shaped like internal/bigweb's, without a chain: n members, the first k
// issue a reserve each, in up to three layers (a layer's reserve is backed by the trust token of
// one in the layer below, which holds it), and every member is given up to trusts budgets by
// reserves not their own.
func generatedWeb(n, k, trusts int) commands.Graph {
	addr := func(i int) common.Address { return common.BigToAddress(big.NewInt(int64(0x1000 + i))) }
	resAddr := func(i int) common.Address { return common.BigToAddress(big.NewInt(int64(0x9000 + i))) }
	tUSD := common.HexToAddress("0x7505d")
	in := commands.WebInput{Names: map[common.Address]string{}}
	for i := range n {
		in.Names[addr(i)] = fmt.Sprintf("@member%02d", i)
	}
	layerOf := func(i int) int { return i * min(3, k) / k }
	symbol := func(i int) string {
		s := "tUSD"
		for j := i; ; {
			s = fmt.Sprintf("M%02d-", j) + s
			if layerOf(j) == 0 {
				return s
			}
			j = j - (k+2)/3
			if j < 0 {
				return s
			}
		}
	}
	for i := range k {
		r := commands.WebReserve{Address: resAddr(i), Issuer: addr(i), Asset: tUSD, Symbol: symbol(i), AssetSymbol: "tUSD",
			Decimals: 6, Backing: units(int64(2000 - 37*i)), Outstanding: units(int64(300 + 11*i))}
		if l := layerOf(i); l > 0 && i-(k+2)/3 >= 0 {
			r.Asset, r.AssetSymbol, r.Backing = resAddr(i-(k+2)/3), symbol(i-(k+2)/3), units(400)
		}
		in.Reserves = append(in.Reserves, r)
	}
	for i := range k {
		for j := range k {
			if in.Reserves[j].Asset == resAddr(i) {
				in.Reserves[i].Holders = append(in.Reserves[i].Holders, commands.WebHolder{Addr: resAddr(j), Balance: units(400), Budget: new(big.Int)})
			}
		}
	}
	for m := range n {
		given := map[int]bool{}
		for t := range trusts {
			i := (m*7 + t) % k
			if i == m || given[i] {
				continue
			}
			given[i] = true
			in.Reserves[i].Holders = append(in.Reserves[i].Holders,
				commands.WebHolder{Addr: addr(m), Budget: units(int64(100 + 10*t)), Balance: units(int64((m * 13) % 90))})
		}
	}
	return commands.TrustGraph(in)
}

// TestWebPictureSize: the picture of a web of 2, 8 and 30 members (and the story's) keeps an
// aspect ratio between 2:1 and 1:2 and sets its text at least 11 px high when shown 1,000 px
// wide. Every text is render.FontSize points at render.DPI, so it is FontSize × DPI/72 ×
// 1000/width pixels high, width read from the decoded PNG. A web too dense to meet that (30
// members given 3 budgets each by 10 reserves: 92 arrows) and one of 31 members are refused
// with commands.ErrIllegible, the first in seconds, the second before any layout.
func TestWebPictureSize(t *testing.T) {
	ctx := context.Background()
	r := newRenderer(t)
	for _, tc := range []struct {
		name    string
		g       commands.Graph
		refused bool
		within  time.Duration
	}{
		{name: "2 members", g: generatedWeb(2, 1, 1), within: 10 * time.Second},
		{name: "8 members", g: generatedWeb(8, 3, 2), within: 10 * time.Second},
		{name: "30 members", g: generatedWeb(30, 3, 2), within: 30 * time.Second},
		{name: "story", g: web(), within: 10 * time.Second},
		{name: "30 members, 92 arrows", g: generatedWeb(30, 10, 3), refused: true, within: 30 * time.Second},
		{name: "31 members", g: generatedWeb(31, 3, 1), refused: true, within: 10 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			data, err := r.RenderWeb(ctx, tc.g)
			took := time.Since(start)
			if took > tc.within {
				t.Errorf("took %v, want at most %v", took, tc.within)
			}
			if tc.refused {
				if !errors.Is(err, commands.ErrIllegible) {
					t.Fatalf("%d members, %d edges: got %v, want commands.ErrIllegible", len(tc.g.Nodes), len(tc.g.Edges), err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := png.DecodeConfig(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("not a PNG: %v", err)
			}
			w, h := float64(cfg.Width), float64(cfg.Height)
			text := render.FontSize * render.DPI / 72 * 1000 / w
			t.Logf("%d members, %d edges: %d × %d px, %d bytes, text %.1f px high at 1000 px wide, %v", len(tc.g.Nodes), len(tc.g.Edges), cfg.Width, cfg.Height, len(data), text, took)
			if w > 2*h || h > 2*w {
				t.Errorf("picture %d × %d px, want an aspect ratio between 2:1 and 1:2", cfg.Width, cfg.Height)
			}
			if text < 11 {
				t.Errorf("text %.1f px high at 1000 px wide (a picture %d px wide), want at least 11", text, cfg.Width)
			}
			if dir := os.Getenv("WEB_PNG_DIR"); dir != "" {
				if err := os.WriteFile(filepath.Join(dir, tc.name+".png"), data, 0o644); err != nil {
					t.Error(err)
				}
			}
		})
	}
}
