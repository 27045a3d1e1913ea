package render_test

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trustbot/trustbot/commands"
	"github.com/trustbot/trustbot/render"
)

// web is the three-layer story's trust web as commands.TrustGraph writes it: five members, three
// budgets, a holding without a budget and two layers (dashed).
func web() commands.Graph {
	const alice, bob, carol, dave, erin = "0xA1", "0xB0", "0xCa", "0xDa", "0xE0"
	return commands.Graph{
		Nodes: []commands.Node{
			{ID: alice, Label: "@alice\n300 tUSD · 240%"},
			{ID: bob, Label: "@bob\n80 ALICE-tUSD · 400%"},
			{ID: carol, Label: "@carol\n10 BOB-ALICE-tUSD · 166%"},
			{ID: dave, Label: "@dave"},
			{ID: erin, Label: "0x0000…00E0"},
		},
		Edges: []commands.Edge{
			{From: alice, To: bob, Style: "dashed", Label: "backs"},
			{From: alice, To: bob, Style: "solid", Label: "100 · 40"},
			{From: alice, To: erin, Style: "solid", Label: "0 · 5"},
			{From: bob, To: carol, Style: "dashed", Label: "backs"},
			{From: bob, To: carol, Style: "solid", Label: "50 · 10"},
			{From: carol, To: dave, Style: "solid", Label: "20 · 6"},
		},
	}
}

func newRenderer(t *testing.T) *render.Renderer {
	t.Helper()
	start := time.Now()
	r, err := render.New(context.Background())
	if err != nil {
		t.Fatalf("render.New: %v", err)
	}
	t.Logf("render.New: %v", time.Since(start))
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return r
}

func TestRenderWeb(t *testing.T) {
	ctx := context.Background()
	r := newRenderer(t)
	start := time.Now()
	data, err := r.RenderWeb(ctx, web())
	if err != nil {
		t.Fatal(err)
	}
	first := time.Since(start)
	start = time.Now()
	again, err := r.RenderWeb(ctx, web())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("render: first %v, then %v; %d bytes", first, time.Since(start), len(data))
	if !bytes.Equal(data, again) {
		t.Errorf("the same graph drawn twice gave %d and %d different bytes", len(data), len(again))
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 200 || b.Dy() < 100 {
		t.Errorf("picture is %v, too small for five members", b)
	}
	if out := os.Getenv("WEB_PNG"); out != "" {
		if err := os.WriteFile(out, data, 0o644); err != nil {
			t.Error(err)
		}
	}
}

// TestRenderWebBadGraph: an edge to a node the graph does not have is refused before Graphviz
// sees it, and the renderer goes on drawing.
func TestRenderWebBadGraph(t *testing.T) {
	ctx := context.Background()
	r := newRenderer(t)
	g := web()
	g.Edges = append(g.Edges, commands.Edge{From: g.Nodes[0].ID, To: "0xF0", Style: "solid", Label: "1 · 0"})
	if _, err := r.RenderWeb(ctx, g); err == nil || !strings.Contains(err.Error(), "0xF0") {
		t.Fatalf("edge to an unknown node: got %v, want an error naming 0xF0", err)
	}
	if _, err := r.RenderWeb(ctx, web()); err != nil {
		t.Fatalf("render after a refused graph: %v", err)
	}
}

// TestRendererClose: a closed renderer refuses to draw instead of using a freed instance; a
// second Close does nothing; another renderer made afterwards draws.
func TestRendererClose(t *testing.T) {
	ctx := context.Background()
	r, err := render.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := r.RenderWeb(ctx, web()); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("render after Close: got %v, want an error saying it is closed", err)
	}
	if _, err := newRenderer(t).RenderWeb(ctx, web()); err != nil {
		t.Fatalf("a new renderer after another was closed: %v", err)
	}
}

// TestRenderWebConcurrent: two renderers (go-graphviz runs both in one WebAssembly module) drawn
// from several goroutines at once give the same picture as one render alone.
func TestRenderWebConcurrent(t *testing.T) {
	ctx := context.Background()
	a, b := newRenderer(t), newRenderer(t)
	want, err := a.RenderWeb(ctx, web())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for i := range 8 {
		r := a
		if i%2 == 1 {
			r = b
		}
		wg.Go(func() {
			got, err := r.RenderWeb(ctx, web())
			switch {
			case err != nil:
				errs <- err.Error()
			case !bytes.Equal(got, want):
				errs <- "a concurrent render drew a different picture"
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
