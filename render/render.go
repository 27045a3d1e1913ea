// Package render draws the bot's pictures as PNG: the trust web, laid out by Graphviz's dot, and
// the trip chart, drawn with gonum/plot.
// main makes one Renderer at startup and hands it to the commands (commands.Services.Render).
package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"regexp"
	"strconv"
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
// web takes about 80 ms. Safe for concurrent use: the trust webs of a process are drawn one at a
// time, the trip charts (no Graphviz) alongside them.
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

// FontSize is the size, in points, of every text of the picture: names, figures and the legend.
// The picture is drawn at DPI dots per inch, so a picture W pixels wide shown 1,000 pixels wide
// sets its text FontSize × DPI/72 × 1000/W pixels high; RenderWeb keeps that at least MinTextPx.
const (
	FontSize  = 14
	DPI       = 96
	MinTextPx = 11
)

// pad is the margin around the drawing, in inches.
const pad = 0.1

// legend is the picture's key, drawn under the web.
const legend = `Box: member, backing · coverage (backing ÷ tokens out)\l` +
	`Solid arrow: issuer → holder, budget · tokens held\l` +
	`Dashed arrow: a layer, the tail's tokens back the head's reserve\l`

// RenderWeb lays the trust web out with dot and draws it as a PNG: members as rounded boxes,
// budgets as solid arrows, layers as dashed gray ones, a legend under them. It lays the web out
// each way of layouts (top to bottom, holders spread over one to three ranks; left to right),
// keeps the one that shows its text largest at a fixed width once padded, and pads the picture
// with white to an aspect ratio between 2:1 and 1:2. A graph of more than
// commands.MaxPictureMembers members is refused before it is laid out (dot takes minutes on a
// few hundred), and one whose picture would set its text under MinTextPx at 1,000 pixels wide
// is refused with commands.ErrIllegible after it is.
func (r *Renderer) RenderWeb(ctx context.Context, g commands.Graph) ([]byte, error) {
	if len(g.Nodes) > commands.MaxPictureMembers {
		return nil, fmt.Errorf("render: %d members, more than %d: %w", len(g.Nodes), commands.MaxPictureMembers, commands.ErrIllegible)
	}
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
	var best *graphviz.Graph
	var bestW float64 // the padded picture's width, in points
	for _, l := range layouts {
		graph, err := r.build(g, l)
		if err != nil {
			return nil, err
		}
		defer graph.Close()
		w, h, err := r.boundingBox(ctx, graph)
		if err != nil {
			return nil, err
		}
		if w := max(w+2*72*pad, (h+2*72*pad)/2); best == nil || w < bestW {
			best, bestW = graph, w
		}
	}
	if textPx(bestW*DPI/72) < MinTextPx {
		return nil, fmt.Errorf("render: %d members and %d edges need a picture %.0f pt wide: %w", len(g.Nodes), len(g.Edges), bestW, commands.ErrIllegible)
	}
	img, err := r.gv.RenderImage(ctx, best)
	if err != nil {
		return nil, fmt.Errorf("graphviz render: %w", err)
	}
	img = padToAspect(img)
	if px := textPx(float64(img.Bounds().Dx())); px < MinTextPx {
		return nil, fmt.Errorf("render: a picture %d px wide sets its text %.1f px high at 1000 px: %w", img.Bounds().Dx(), px, commands.ErrIllegible)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("png: %w", err)
	}
	return buf.Bytes(), nil
}

// textPx is how high the picture's text is, in pixels, when a picture width pixels wide is
// shown 1,000 pixels wide.
func textPx(width float64) float64 { return FontSize * DPI / 72 * 1000 / width }

// padToAspect centres img on a white canvas just large enough for an aspect ratio between 2:1
// and 1:2.
func padToAspect(img image.Image) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	switch {
	case w > 2*h:
		h = (w + 1) / 2
	case h > 2*w:
		w = (h + 1) / 2
	default:
		return img
	}
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	at := image.Pt((w-b.Dx())/2, (h-b.Dy())/2)
	draw.Draw(out, image.Rectangle{Min: at, Max: at.Add(b.Size())}, img, b.Min, draw.Over)
	return out
}

// layout is one way RenderWeb tries to lay the web out: dot's rank direction, and over how many
// ranks the members with no arrow of their own (holders only) are spread, so that a rank of many
// holders side by side becomes several shorter ones.
type layout struct {
	dir     cgraph.RankDir
	stagger int
}

var layouts = []layout{{cgraph.TBRank, 1}, {cgraph.TBRank, 2}, {cgraph.TBRank, 3}, {cgraph.LRRank, 1}}

// build makes the Graphviz graph of g laid out as l.
func (r *Renderer) build(g commands.Graph, l layout) (*graphviz.Graph, error) {
	graph, err := r.gv.Graph()
	if err != nil {
		return nil, fmt.Errorf("graphviz graph: %w", err)
	}
	graph.SetRankDir(l.dir)
	graph.SetPad(pad)
	graph.SetDPI(DPI)
	graph.SetNodeSeparator(0.2)
	graph.SetRankSeparator(0.3)
	graph.SetLabel(legend).SetLabelLocation(cgraph.BottomLocation).SetLabelJust(cgraph.LeftJust).SetFontName("Helvetica").SetFontSize(FontSize)
	nodes := make(map[string]*cgraph.Node, len(g.Nodes))
	for _, n := range g.Nodes {
		node, err := graph.CreateNodeByName(n.ID)
		if err != nil {
			graph.Close()
			return nil, fmt.Errorf("graphviz node: %w", err)
		}
		node.SetLabel(n.Label).SetShape(cgraph.BoxShape).SetStyle(cgraph.RoundedNodeStyle).SetFontName("Helvetica").SetFontSize(FontSize)
		nodes[n.ID] = node
	}
	tails := map[string]bool{}
	for _, e := range g.Edges {
		tails[e.From] = true
	}
	holders := map[string]int{} // a member with no arrow of their own → its place among them
	for _, n := range g.Nodes {
		if !tails[n.ID] {
			holders[n.ID] = len(holders)
		}
	}
	for i, e := range g.Edges {
		edge, err := graph.CreateEdgeByName(fmt.Sprintf("e%d", i), nodes[e.From], nodes[e.To])
		if err != nil {
			graph.Close()
			return nil, fmt.Errorf("graphviz edge: %w", err)
		}
		if k, ok := holders[e.To]; ok && l.stagger > 1 {
			edge.SetMinLen(1 + k%l.stagger)
		}
		edge.SetLabel(e.Label).SetFontName("Helvetica").SetFontSize(FontSize)
		if e.Style == "dashed" {
			edge.SetStyle(cgraph.DashedEdgeStyle).SetColor("gray40")
		}
	}
	return graph, nil
}

// bbRE finds the graph's bounding box, in points, in dot's output.
var bbRE = regexp.MustCompile(`\bbb="([-0-9.]+),([-0-9.]+),([-0-9.]+),([-0-9.]+)"`)

// boundingBox lays graph out and returns the drawing's width and height in points, legend
// included, pad not.
func (r *Renderer) boundingBox(ctx context.Context, graph *graphviz.Graph) (w, h float64, err error) {
	var buf bytes.Buffer
	if err := r.gv.Render(ctx, graph, graphviz.XDOT, &buf); err != nil {
		return 0, 0, fmt.Errorf("graphviz layout: %w", err)
	}
	m := bbRE.FindSubmatch(buf.Bytes())
	if m == nil {
		return 0, 0, errors.New("graphviz layout: no bounding box")
	}
	var v [4]float64
	for i := range v {
		if v[i], err = strconv.ParseFloat(string(m[i+1]), 64); err != nil {
			return 0, 0, fmt.Errorf("graphviz layout: bounding box: %w", err)
		}
	}
	return v[2] - v[0], v[3] - v[1], nil
}
