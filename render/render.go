// Package render draws the bot's pictures as PNG: the trust web, laid out by Graphviz's dot.
// main makes one Renderer at startup and hands it to the commands (commands.Services.Render).
package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/goccy/go-graphviz"
	"github.com/goccy/go-graphviz/cgraph"
	"github.com/goccy/go-graphviz/gvc"

	"github.com/trustbot/trustbot/commands"
)

// go-graphviz runs every Graphviz instance inside one WebAssembly module per process (made at
// its package initialisation), and calls into that module must not overlap. The lock is the
// module's, so it is per process as the module is; it guards no data of this package.
var wasmMu sync.Mutex

// Renderer draws pictures with one Graphviz instance. Creating it is cheap (about 1 ms measured;
// go-graphviz compiles its WebAssembly module once per process) while a render of a five-member
// web takes about 80 ms. Safe for concurrent use: renders in a process run one at a time.
type Renderer struct {
	gv *graphviz.Graphviz // nil once closed
}

var _ commands.Renderer = (*Renderer)(nil)

// New makes a Renderer. Its Graphviz instance draws PNG outlines as outlines: go-graphviz
// v0.2.10's image renderer is told every shape is filled (goccy/go-graphviz#106: unfilled node
// boxes vanish, edges become black blobs), so pngEngine decides from the object instead.
func New(ctx context.Context) (*Renderer, error) {
	wasmMu.Lock()
	defer wasmMu.Unlock()
	plugin, err := gvc.NewRenderPlugin(ctx, "png", pngEngine{&gvc.ImageRenderer{DefaultRenderEngine: new(gvc.DefaultRenderEngine)}})
	if err != nil {
		return nil, fmt.Errorf("graphviz png renderer: %w", err)
	}
	device, err := gvc.PNGDevicePlugin(ctx)
	if err != nil {
		return nil, fmt.Errorf("graphviz png device: %w", err)
	}
	gv, err := graphviz.NewWithPlugins(ctx, plugin, device)
	if err != nil {
		return nil, fmt.Errorf("graphviz: %w", err)
	}
	return &Renderer{gv: gv}, nil
}

// Close frees the Graphviz instance; renders after it fail. Closing twice does nothing.
func (r *Renderer) Close() error {
	wasmMu.Lock()
	defer wasmMu.Unlock()
	if r.gv == nil {
		return nil
	}
	err := r.gv.Close()
	r.gv = nil
	if err != nil {
		return fmt.Errorf("graphviz close: %w", err)
	}
	return nil
}

// errClosed is what a render after Close returns.
var errClosed = errors.New("render: the renderer is closed")

// pngEngine fills the page background and arrowheads, and leaves node outlines and edge curves
// unfilled (the trust web never uses style=filled).
type pngEngine struct{ *gvc.ImageRenderer }

func (e pngEngine) Polygon(ctx context.Context, job *gvc.Job, p []*gvc.PointFloat, _ bool) error {
	t := job.Object().Type()
	return e.ImageRenderer.Polygon(ctx, job, p, t != gvc.NodeObjectType && t != gvc.ClusterObjectType)
}

func (e pngEngine) BezierCurve(ctx context.Context, job *gvc.Job, p []*gvc.PointFloat, _ bool) error {
	return e.ImageRenderer.BezierCurve(ctx, job, p, false)
}

func (e pngEngine) Ellipse(ctx context.Context, job *gvc.Job, p []*gvc.PointFloat, _ bool) error {
	return e.ImageRenderer.Ellipse(ctx, job, p, job.Object().Type() == gvc.EdgeObjectType)
}

// RenderWeb lays the trust web out with dot, left to right, and draws it as a PNG: members as
// rounded boxes, budgets as solid arrows, layers as dashed gray ones.
func (r *Renderer) RenderWeb(ctx context.Context, g commands.Graph) ([]byte, error) {
	ids := make(map[string]bool, len(g.Nodes))
	for _, n := range g.Nodes {
		ids[n.ID] = true
	}
	for i, e := range g.Edges {
		if !ids[e.From] || !ids[e.To] {
			return nil, fmt.Errorf("render: edge %d (%s → %s) has an end that is not a node", i, e.From, e.To)
		}
	}
	wasmMu.Lock()
	defer wasmMu.Unlock()
	if r.gv == nil {
		return nil, errClosed
	}
	graph, err := r.gv.Graph()
	if err != nil {
		return nil, fmt.Errorf("graphviz graph: %w", err)
	}
	defer graph.Close()
	graph.SetRankDir(cgraph.LRRank)
	graph.SetPad(0.3)
	graph.SetNodeSeparator(0.4)
	graph.SetRankSeparator(1.0)
	nodes := make(map[string]*cgraph.Node, len(g.Nodes))
	for _, n := range g.Nodes {
		node, err := graph.CreateNodeByName(n.ID)
		if err != nil {
			return nil, fmt.Errorf("graphviz node: %w", err)
		}
		node.SetLabel(n.Label).SetShape(cgraph.BoxShape).SetStyle(cgraph.RoundedNodeStyle).SetFontName("Helvetica").SetFontSize(12)
		nodes[n.ID] = node
	}
	for i, e := range g.Edges {
		edge, err := graph.CreateEdgeByName(fmt.Sprintf("e%d", i), nodes[e.From], nodes[e.To])
		if err != nil {
			return nil, fmt.Errorf("graphviz edge: %w", err)
		}
		edge.SetLabel(e.Label).SetFontName("Helvetica").SetFontSize(10)
		if e.Style == "dashed" {
			edge.SetStyle(cgraph.DashedEdgeStyle).SetColor("gray40")
		}
	}
	var buf bytes.Buffer
	if err := r.gv.Render(ctx, graph, graphviz.PNG, &buf); err != nil {
		return nil, fmt.Errorf("graphviz render: %w", err)
	}
	return buf.Bytes(), nil
}
