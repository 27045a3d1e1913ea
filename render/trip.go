package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/color"
	"image/png"
	"math"
	"math/big"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/trustbot/trustbot/commands"
)

// The trip chart is meant to be read in Discord's preview on a phone, where a picture is shown
// about tripPreviewPx pixels wide. Its text is FontSize points at DPI, so a picture W pixels wide
// shows it FontSize × DPI/72 × tripPreviewPx/W pixels high there; RenderTrip refuses a chart
// whose picture would set it under tripMinTextPx (RenderWeb's bar, 11 px at 1,000 px, would be
// 5.5 px there). Measured with n−1 transfers: up to 15 members the picture is 800 px wide (text
// 11.7 px); 20 members with 16-character names, 925 px (10.1 px); 30 members, 1,106 px (8.4 px)
// with 8-character names, 1,141 px (8.2 px) with 16, refused with 24 (1,332 px, 7.0 px).
const (
	tripPreviewPx = 500
	tripMinTextPx = 7.5
)

// The trip chart's geometry, in points (the picture is drawn at DPI dots per inch).
const (
	tripWidth     = 600 // the narrowest picture: 800 px
	tripMargin    = 10  // around the picture
	tripGap       = 14  // between the heading, the bars and the settle plan
	tripRow       = 42  // one member's pair of bars, and the space under it
	tripBar       = 13  // one bar's thickness
	tripBarGap    = 2   // between a member's two bars
	tripMinBar    = 200 // the longest bar at least
	tripFigureGap = 5   // between a bar's end and its figure
	tripArrowRow  = 24  // one transfer of the settle plan
	tripColumnGap = 28  // between columns of transfers
	tripShaft     = 18  // an arrow's line each side of its label, at least
	tripHead      = 9   // an arrowhead's length
	tripNameGap   = 6   // between a name and its arrow
	tripTitleSize = 18
)

// The bars' colours: blue and orange, told apart with any of the common colour-vision deficiencies.
var (
	paidColor     = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
	consumedColor = color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}
	arrowColor    = color.RGBA{R: 0x44, G: 0x44, B: 0x44, A: 0xff}
)

var (
	sans     = font.Font{Typeface: "Liberation", Variant: "Sans"}
	sansBold = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold}
)

// textStyle is black text of the font f, size points high, aligned at its x and y.
func textStyle(f font.Font, size vg.Length, x draw.XAlignment, y draw.YAlignment) text.Style {
	return text.Style{Color: color.Black, Font: font.From(f, size), XAlign: x, YAlign: y, Handler: plot.DefaultTextHandler}
}

var (
	figureStyle = textStyle(sans, FontSize, draw.XLeft, draw.YCenter)
	nameStyle   = textStyle(sans, FontSize, draw.XRight, draw.YCenter)
	fromStyle   = nameStyle
	toStyle     = figureStyle
	labelStyle  = textStyle(sans, FontSize, draw.XCenter, draw.YCenter)
	headStyle   = textStyle(sansBold, FontSize, draw.XLeft, draw.YTop)
	titleStyle  = textStyle(sansBold, tripTitleSize, draw.XLeft, draw.YTop)
)

// RenderTrip draws a trip's chart as a PNG: under the title and a legend, each member's paid
// (blue) and consumed (orange) bars, one above the other, with their figures at their ends and
// the member's name and net beside them; under the bars the settle plan, one arrow per transfer
// (From → To, labelled with its Text) in as many columns as fit, or "All settled" when it has
// none. The bars are drawn by gonum/plot, to scale: the longest is at least tripMinBar points.
// The picture is 800 px wide, wider when its names or figures need it or when it would
// otherwise be more than twice as tall as wide, and padded with white to an aspect ratio
// between 2:1 and 1:2. A chart of more than commands.MaxPictureMembers members, or one whose
// picture would set its text under tripMinTextPx when shown tripPreviewPx wide, is refused with
// commands.ErrIllegible. A nil Paid or Consumed counts as zero.
func (r *Renderer) RenderTrip(ctx context.Context, c commands.TripChart) ([]byte, error) {
	if len(c.Bars) > commands.MaxPictureMembers {
		return nil, fmt.Errorf("render: %d members, more than %d: %w", len(c.Bars), commands.MaxPictureMembers, commands.ErrIllegible)
	}
	if len(c.Bars) == 0 {
		return nil, errors.New("render: a trip chart with no members")
	}
	paid, consumed, err := barLengths(c)
	if err != nil {
		return nil, err
	}
	wasmMu.Lock()
	closed := r.gv == nil
	wasmMu.Unlock()
	if closed {
		return nil, errClosed
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	l := layoutTrip(c)
	if px := tripTextPx(l.pixels()); px < tripMinTextPx {
		return nil, fmt.Errorf("render: %d members and %d transfers need a picture %d px wide, its text %.1f px high at %d px: %w",
			len(c.Bars), len(c.Arrows), l.pixels(), px, tripPreviewPx, commands.ErrIllegible)
	}
	canvas := vgimg.NewWith(vgimg.UseWH(l.w, l.h), vgimg.UseDPI(DPI))
	dc := draw.New(canvas)
	if err := l.drawBars(dc, c, paid, consumed); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	l.drawSettle(dc, c.Arrows)
	img := padToAspect(canvas.Image())
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	var buf bytes.Buffer
	// Encoding took most of a render at the default level; BestSpeed takes 40% less time of a
	// 6-member chart (37 ms instead of 64) for 4% more bytes (76 KB instead of 73).
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("png: %w", err)
	}
	return buf.Bytes(), nil
}

// tripTextPx is how high the chart's text is, in pixels, when a picture width pixels wide is
// shown tripPreviewPx pixels wide.
func tripTextPx(width int) float64 {
	return float64(FontSize) * DPI / 72 * tripPreviewPx / float64(width)
}

// barLengths converts the members' paid and consumed units to float64, for the bars' lengths
// only, and checks that every arrow joins two members.
func barLengths(c commands.TripChart) (paid, consumed []float64, err error) {
	members := make(map[string]bool, len(c.Bars))
	for _, b := range c.Bars {
		members[b.Member] = true
		p, q := units(b.Paid), units(b.Consumed)
		if p < 0 || q < 0 {
			return nil, nil, fmt.Errorf("render: %s paid %v units and consumed %v, a bar cannot be negative", b.Member, b.Paid, b.Consumed)
		}
		paid, consumed = append(paid, p), append(consumed, q)
	}
	for i, a := range c.Arrows {
		if !members[a.From] || !members[a.To] {
			return nil, nil, fmt.Errorf("render: transfer %d (%s → %s) has an end that is not a member", i, a.From, a.To)
		}
	}
	return paid, consumed, nil
}

// units is u as a float64, nil as zero.
func units(u *big.Int) float64 {
	if u == nil {
		return 0
	}
	f, _ := new(big.Float).SetInt(u).Float64()
	return f
}

// tripLayout is where RenderTrip draws each part of a chart, in points from the picture's
// bottom left corner.
type tripLayout struct {
	w, h     vg.Length
	title    string // c.Title, cut short with an ellipsis if it would run into the legend
	legend   plot.Legend
	headH    vg.Length // the title and legend's band
	barsH    vg.Length
	fromW    vg.Length // the widest payer's name
	arrowW   vg.Length // an arrow's length, its head included
	columnW  vg.Length // one column of transfers
	rows     int       // transfers in a column
	settleH  vg.Length // the settle plan's heading and transfers
	paidBars *plotter.BarChart
	consBars *plotter.BarChart
}

// pixels is how wide the picture is once padded to its aspect ratio.
func (l *tripLayout) pixels() int {
	w := int(math.Ceil(float64(l.w / vg.Inch * DPI)))
	h := int(math.Ceil(float64(l.h / vg.Inch * DPI)))
	return max(w, (h+1)/2)
}

// tick is a member's label beside their bars.
func tick(b commands.TripBar) string { return b.Member + "\nnet " + b.NetText }

// layoutTrip measures c's texts and lays the chart out: as narrow as its names, figures and
// transfers allow, at least tripWidth, and with its settle plan in the number of columns that
// keeps the picture narrowest (see pixels).
func layoutTrip(c commands.TripChart) *tripLayout {
	l := &tripLayout{}
	var nameW, figureW vg.Length
	for _, b := range c.Bars {
		nameW = max(nameW, nameStyle.Width(tick(b)))
		figureW = max(figureW, figureStyle.Width(b.PaidText), figureStyle.Width(b.ConsumedText))
	}
	l.paidBars = &plotter.BarChart{Color: paidColor}
	l.consBars = &plotter.BarChart{Color: consumedColor}
	l.legend = plot.NewLegend()
	l.legend.TextStyle = textStyle(sans, FontSize, draw.XLeft, draw.YBottom)
	l.legend.Top, l.legend.Left = true, true
	l.legend.Padding = 2
	in := ""
	if c.Asset != "" {
		in = " (" + c.Asset + ")"
	}
	l.legend.Add("paid"+in, l.paidBars)
	l.legend.Add("consumed"+in, l.consBars)
	legend := l.legend.Rectangle(draw.Canvas{}).Size()
	l.headH = max(titleStyle.Height("X"), legend.Y)
	l.barsH = vg.Length(len(c.Bars)) * tripRow

	var labelW, toW vg.Length
	for _, a := range c.Arrows {
		l.fromW = max(l.fromW, fromStyle.Width(a.From))
		toW = max(toW, toStyle.Width(a.To))
		labelW = max(labelW, labelStyle.Width(a.Text))
	}
	l.arrowW = labelW + 2*tripShaft + tripHead
	l.columnW = l.fromW + tripNameGap + l.arrowW + tripNameGap + toW

	inner := max(tripWidth-2*tripMargin,
		nameW+nameStyle.Width(" ")+tripMinBar+tripFigureGap+figureW,
		l.columnW,
		legend.X+titleStyle.Width("Trip…")+tripGap)
	// The settle plan in more columns is wider and less tall: take the number of columns that
	// gives the narrowest picture once it is padded to at most twice as tall as wide.
	best := vg.Length(math.Inf(1))
	for cols := 1; cols <= max(len(c.Arrows), 1); cols++ {
		w := max(inner, vg.Length(cols)*(l.columnW+tripColumnGap)-tripColumnGap) + 2*tripMargin
		rows := (len(c.Arrows) + cols - 1) / cols
		if w = max(w, l.height(rows)/2); w < best {
			best = w
		}
	}
	l.w = best
	l.arrange(len(c.Arrows))
	l.title = fit(c.Title, titleStyle, l.w-2*tripMargin-legend.X-tripGap)
	return l
}

// arrange puts n transfers in as many columns as fit the width and sets the picture's height.
func (l *tripLayout) arrange(n int) {
	l.rows = n
	if n > 0 {
		fit := int((l.w - 2*tripMargin + tripColumnGap) / (l.columnW + tripColumnGap))
		columns := min(max(fit, 1), n)
		l.rows = (n + columns - 1) / columns
	}
	l.settleH = headStyle.Height("X") + vg.Length(l.rows)*tripArrowRow
	l.h = l.height(l.rows)
}

// height is the picture's height with the settle plan in rows rows.
func (l *tripLayout) height(rows int) vg.Length {
	return 2*tripMargin + l.headH + tripGap + l.barsH + tripGap + headStyle.Height("X") + vg.Length(rows)*tripArrowRow
}

// fit is s, cut short with an ellipsis if it is wider than w in style sty.
func fit(s string, sty text.Style, w vg.Length) string {
	if sty.Width(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && sty.Width(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// drawBars draws the title, the legend and the members' bars with gonum/plot.
func (l *tripLayout) drawBars(dc draw.Canvas, c commands.TripChart, paid, consumed []float64) error {
	top := l.h - tripMargin
	dc.FillText(titleStyle, vg.Point{X: tripMargin, Y: top}, l.title)
	legend := l.legend.Rectangle(draw.Canvas{}).Size()
	l.legend.Draw(draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
		Min: vg.Point{X: l.w - tripMargin - legend.X, Y: top - l.headH},
		Max: vg.Point{X: l.w - tripMargin, Y: top},
	}})

	n := len(c.Bars)
	p := plot.New()
	p.BackgroundColor = nil
	p.Y.Tick.Label = nameStyle
	ticks := make([]string, n)
	for i, b := range c.Bars {
		ticks[n-1-i] = tick(b) // the first member on top
	}
	p.NominalY(ticks...)
	p.HideX()
	p.X.Padding, p.Y.Padding = 0, 0
	p.Y.LineStyle = draw.LineStyle{Color: color.Black, Width: 1}
	p.Y.Min, p.Y.Max = -0.5, float64(n)-0.5

	// Member i is drawn at y = n-1-i, the first on top; the paid bar above the consumed one.
	shift := vg.Length(tripBar+tripBarGap) / 2
	pv, cv := make(plotter.Values, n), make(plotter.Values, n)
	paidXY := plotter.XYLabels{XYs: make(plotter.XYs, n), Labels: make([]string, n)}
	consXY := plotter.XYLabels{XYs: make(plotter.XYs, n), Labels: make([]string, n)}
	for i, b := range c.Bars {
		y := n - 1 - i
		pv[y], cv[y] = paid[i], consumed[i]
		paidXY.XYs[y], paidXY.Labels[y] = plotter.XY{X: paid[i], Y: float64(y)}, b.PaidText
		consXY.XYs[y], consXY.Labels[y] = plotter.XY{X: consumed[i], Y: float64(y)}, b.ConsumedText
	}
	for _, bars := range []struct {
		chart  *plotter.BarChart
		values plotter.Values
		offset vg.Length
	}{{l.paidBars, pv, shift}, {l.consBars, cv, -shift}} {
		bars.chart.Values, bars.chart.Width, bars.chart.Offset, bars.chart.Horizontal = bars.values, tripBar, bars.offset, true
		p.Add(bars.chart)
	}

	area := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
		Min: vg.Point{X: tripMargin, Y: top - l.headH - tripGap - l.barsH},
		Max: vg.Point{X: l.w - tripMargin, Y: top - l.headH - tripGap},
	}}
	// The axis' range leaves room right of each bar for its figure: a bar of v units ends at
	// d·v/max of the data area's width d, and its figure needs tripFigureGap + its width.
	p.X.Min, p.X.Max = 0, 1
	d := p.DataCanvas(area).Size().X
	for _, xy := range []plotter.XYLabels{paidXY, consXY} {
		for i, pt := range xy.XYs {
			if room := d - tripFigureGap - figureStyle.Width(xy.Labels[i]); room > 0 {
				p.X.Max = max(p.X.Max, pt.X*float64(d/room))
			}
		}
	}
	for _, xy := range []struct {
		labels plotter.XYLabels
		offset vg.Length
	}{{paidXY, shift}, {consXY, -shift}} {
		labels, err := plotter.NewLabels(xy.labels)
		if err != nil {
			return fmt.Errorf("render: figures: %w", err)
		}
		for i := range labels.TextStyle {
			labels.TextStyle[i] = figureStyle
		}
		labels.Offset = vg.Point{X: tripFigureGap, Y: xy.offset}
		p.Add(labels)
	}
	p.X.Min = 0 // Add widened the range to the figures' points, which are within it already
	p.Draw(area)
	return nil
}

// drawSettle draws the settle plan under the bars: a heading and one arrow per transfer, or
// "All settled".
func (l *tripLayout) drawSettle(dc draw.Canvas, arrows []commands.TripArrow) {
	top := tripMargin + l.settleH
	if len(arrows) == 0 {
		dc.FillText(headStyle, vg.Point{X: tripMargin, Y: top}, "All settled")
		return
	}
	dc.FillText(headStyle, vg.Point{X: tripMargin, Y: top}, "To settle up")
	top -= headStyle.Height("X")
	line := draw.LineStyle{Color: arrowColor, Width: 1.5}
	for i, a := range arrows {
		col, row := i/l.rows, i%l.rows
		x := tripMargin + vg.Length(col)*(l.columnW+tripColumnGap)
		y := top - (vg.Length(row)+0.5)*tripArrowRow
		x0 := x + l.fromW
		dc.FillText(fromStyle, vg.Point{X: x0, Y: y}, a.From)
		start := x0 + tripNameGap
		tip := start + l.arrowW
		mid := (start + tip - tripHead) / 2
		half := labelStyle.Width(a.Text)/2 + 4
		dc.StrokeLine2(line, start, y, mid-half, y)
		dc.StrokeLine2(line, mid+half, y, tip-tripHead, y)
		dc.FillPolygon(arrowColor, []vg.Point{{X: tip, Y: y}, {X: tip - tripHead, Y: y + 4.5}, {X: tip - tripHead, Y: y - 4.5}})
		dc.FillText(labelStyle, vg.Point{X: mid, Y: y}, a.Text)
		dc.FillText(toStyle, vg.Point{X: tip + tripNameGap, Y: y}, a.To)
	}
}
