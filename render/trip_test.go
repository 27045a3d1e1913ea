package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trustbot/trustbot/commands"
)

// tusd is n tUSD in its smallest units (6 decimals).
func tusd(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1_000_000)) }

func bar(member string, paid, consumed int64) commands.TripBar {
	net := paid - consumed
	sign := ""
	if net > 0 {
		sign = "+"
	}
	return commands.TripBar{Member: member, Paid: tusd(paid), Consumed: tusd(consumed),
		PaidText: fmt.Sprint(paid), ConsumedText: fmt.Sprint(consumed), NetText: fmt.Sprintf("%s%d", sign, net)}
}

// fiveTrip is a trip of five sharing 225 tUSD equally: bob paid nothing, alice most.
func fiveTrip() commands.TripChart {
	return commands.TripChart{
		Title: "Lisbon, May",
		Asset: "tUSD",
		Bars: []commands.TripBar{
			bar("@alice", 120, 45), bar("@bob", 0, 45), bar("@carol", 60, 45), bar("@dave", 15, 45), bar("@erin", 30, 45),
		},
		Arrows: []commands.TripArrow{
			{From: "@bob", To: "@alice", Text: "45 tUSD"},
			{From: "@dave", To: "@alice", Text: "30 tUSD"},
			{From: "@erin", To: "@carol", Text: "15 tUSD"},
		},
	}
}

// bigTrip is a trip of n members where member i paid 10·i tUSD and everyone consumed the mean,
// settled by n−1 transfers (as many as a settle plan has at most): every member but the last
// three pays one of those three.
func bigTrip(n int) commands.TripChart {
	c := commands.TripChart{Title: fmt.Sprintf("A trip of %d", n), Asset: "tUSD"}
	total := int64(0)
	for i := range n {
		total += int64(10 * i)
	}
	mean := total / int64(n)
	name := func(i int) string { return fmt.Sprintf("@member%02d", i) }
	for i := range n {
		c.Bars = append(c.Bars, bar(name(i), int64(10*i), mean))
	}
	for i := range n - 1 {
		to := n - 1 - i%3
		if to == i {
			to = n - 1
		}
		c.Arrows = append(c.Arrows, commands.TripArrow{From: name(i), To: name(to), Text: fmt.Sprintf("%d.5 tUSD", 3+i)})
	}
	return c
}

func newTripRenderer(t testing.TB) *Renderer {
	t.Helper()
	r, err := New(context.Background())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return r
}

// decode decodes a PNG and checks what every trip chart must be: an aspect ratio between 2:1
// and 1:2, text at least tripMinTextPx high when shown tripPreviewPx wide, a white margin all
// round (no figure or name cut at an edge), and drawn on: at least 1% of its pixels not white.
func decode(t *testing.T, name string, data []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if dir := os.Getenv("TRIP_PNG_DIR"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name+".png"), data, 0o644); err != nil {
			t.Error(err)
		}
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > 2*h+1 || h > 2*w+1 {
		t.Errorf("picture %d × %d px, want an aspect ratio between 2:1 and 1:2", w, h)
	}
	if px := tripTextPx(w); px < tripMinTextPx {
		t.Errorf("picture %d px wide sets its text %.1f px high at %d px, want at least %v", w, px, tripPreviewPx, tripMinTextPx)
	}
	const edge = 8 // px, within the 10 pt margin
	inked := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if white(img.At(x, y)) {
				continue
			}
			inked++
			if x < edge || y < edge || x >= w-edge || y >= h-edge {
				t.Fatalf("pixel (%d, %d) of a %d × %d picture is drawn on, want a white margin of %d px", x, y, w, h, edge)
			}
		}
	}
	if inked < w*h/100 {
		t.Errorf("%d of %d pixels drawn on, want at least 1%%", inked, w*h)
	}
	return img
}

func white(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r == 0xffff && g == 0xffff && b == 0xffff
}

func same(c color.Color, want color.RGBA) bool {
	r, g, b, _ := c.RGBA()
	wr, wg, wb, _ := want.RGBA()
	return r == wr && g == wg && b == wb
}

// bars finds the bars of colour want: runs of that colour starting at the leftmost column any
// run of it in the picture's left half starts at (the legend's swatch is at the right edge),
// grouped by consecutive rows, top to bottom. It returns each bar's length in pixels along its middle row.
func bars(img image.Image, want color.RGBA) []int {
	b := img.Bounds()
	start := make([]int, b.Dy()) // the row's first pixel of the colour, -1 if none
	left := b.Max.X
	for y := b.Min.Y; y < b.Max.Y; y++ {
		start[y-b.Min.Y] = -1
		for x := b.Min.X; x < b.Max.X; x++ {
			if same(img.At(x, y), want) {
				start[y-b.Min.Y] = x
				if x < b.Min.X+b.Dx()/2 {
					left = min(left, x)
				}
				break
			}
		}
	}
	var lengths []int
	for y := 0; y < len(start); {
		if start[y] != left {
			y++
			continue
		}
		top := y
		for y < len(start) && start[y] == left {
			y++
		}
		mid := b.Min.Y + (top+y)/2
		n := 0
		for x := left; x < b.Max.X && same(img.At(x, mid), want); x++ {
			n++
		}
		lengths = append(lengths, n)
	}
	return lengths
}

// TestRenderTrip: a five-member trip is drawn with its bars to scale. The paid bars (bob's is
// zero, so absent) and the consumed ones are found by their colour, and each is as long as the
// figure says, relative to the longest (alice's 120), within 2 px.
func TestRenderTrip(t *testing.T) {
	ctx := context.Background()
	r := newTripRenderer(t)
	start := time.Now()
	data, err := r.RenderTrip(ctx, fiveTrip())
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	again, err := r.RenderTrip(ctx, fiveTrip())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Errorf("the same chart drawn twice gave %d and %d different bytes", len(data), len(again))
	}
	img := decode(t, "five", data)
	t.Logf("%v, %d bytes, %v", img.Bounds().Size(), len(data), took)
	if w := img.Bounds().Dx(); w != 800 {
		t.Errorf("five members: picture %d px wide, want the narrowest, 800", w)
	}
	paid, consumed := bars(img, paidColor), bars(img, consumedColor)
	if len(paid) != 4 || len(consumed) != 5 {
		t.Fatalf("found %d paid bars and %d consumed ones, want 4 and 5", len(paid), len(consumed))
	}
	longest := float64(paid[0])
	for _, tc := range []struct {
		name  string
		got   int
		units float64
	}{
		{"@alice paid", paid[0], 120}, {"@carol paid", paid[1], 60}, {"@dave paid", paid[2], 15}, {"@erin paid", paid[3], 30},
		{"@alice consumed", consumed[0], 45}, {"@bob consumed", consumed[1], 45}, {"@carol consumed", consumed[2], 45},
		{"@dave consumed", consumed[3], 45}, {"@erin consumed", consumed[4], 45},
	} {
		want := longest * tc.units / 120
		if d := float64(tc.got) - want; d < -2 || d > 2 {
			t.Errorf("%s (%v tUSD): bar %d px long, want %.1f (alice's 120 is %d px)", tc.name, tc.units, tc.got, want, paid[0])
		}
	}
	if paid[0] < 2*tripMinBar*DPI/72/3 {
		t.Errorf("the longest bar is %d px, want most of the %d px the chart gives it at least", paid[0], tripMinBar*DPI/72)
	}
}

// TestRenderTripShapes: charts of every shape are drawn legibly (see decode): no transfers,
// members who paid or consumed nothing, nobody with anything, one member, long names and
// figures, 30 members.
func TestRenderTripShapes(t *testing.T) {
	ctx := context.Background()
	r := newTripRenderer(t)
	settled := fiveTrip()
	settled.Arrows = nil
	zeros := fiveTrip()
	zeros.Bars[1].Paid, zeros.Bars[1].PaidText = nil, "0"
	zeros.Bars[3] = bar("@dave", 0, 0)
	nothing := commands.TripChart{Title: "Nothing yet", Asset: "tUSD", Bars: []commands.TripBar{bar("@alice", 0, 0), bar("@bob", 0, 0)}}
	long := fiveTrip()
	long.Title = strings.Repeat("A very long trip name ", 6)
	long.Bars[0].Member = "@alexandra_the_magnificent"
	long.Bars[0].PaidText = "1234567.123456"
	long.Arrows[0].To, long.Arrows[1].To = long.Bars[0].Member, long.Bars[0].Member
	long.Arrows[0].Text = "1234567.123456 tUSD"
	for _, tc := range []struct {
		name   string
		c      commands.TripChart
		paid   int // bars of each colour found
		within time.Duration
	}{
		{name: "all settled", c: settled, paid: 4, within: 2 * time.Second},
		{name: "zero paid and consumed", c: zeros, paid: 3, within: 2 * time.Second},
		{name: "nothing", c: nothing, paid: 0, within: 2 * time.Second},
		{name: "one member", c: commands.TripChart{Title: "Solo", Asset: "tUSD", Bars: []commands.TripBar{bar("@alice", 12, 12)}}, paid: 1, within: 2 * time.Second},
		{name: "long names", c: long, paid: 4, within: 2 * time.Second},
		{name: "6 members", c: bigTrip(6), paid: 5, within: 2 * time.Second},
		{name: "30 members", c: bigTrip(30), paid: 29, within: 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			data, err := r.RenderTrip(ctx, tc.c)
			took := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			if took > tc.within {
				t.Errorf("took %v, want at most %v", took, tc.within)
			}
			img := decode(t, tc.name, data)
			t.Logf("%d members, %d transfers: %v, %d bytes, text %.1f px high at %d px, %v",
				len(tc.c.Bars), len(tc.c.Arrows), img.Bounds().Size(), len(data), tripTextPx(img.Bounds().Dx()), tripPreviewPx, took)
			if got := len(bars(img, paidColor)); got != tc.paid {
				t.Errorf("found %d paid bars, want %d", got, tc.paid)
			}
		})
	}
}

// TestRenderTripRefused: a chart of more members than commands.MaxPictureMembers is refused with
// commands.ErrIllegible at once; a cancelled context, a transfer to someone not in the chart, a
// negative figure and a closed renderer are refused with errors saying so.
func TestRenderTripRefused(t *testing.T) {
	r := newTripRenderer(t)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	stranger := fiveTrip()
	stranger.Arrows = append(stranger.Arrows, commands.TripArrow{From: "@bob", To: "@zed", Text: "1 tUSD"})
	negative := fiveTrip()
	negative.Bars[2].Consumed = big.NewInt(-1)
	for _, tc := range []struct {
		name string
		ctx  context.Context
		c    commands.TripChart
		is   error
		says string
	}{
		{name: "31 members", ctx: context.Background(), c: bigTrip(commands.MaxPictureMembers + 1), is: commands.ErrIllegible, says: "31 members"},
		{name: "cancelled", ctx: cancelled, c: fiveTrip(), is: context.Canceled},
		{name: "stranger", ctx: context.Background(), c: stranger, says: "@zed"},
		{name: "negative", ctx: context.Background(), c: negative, says: "@carol"},
		{name: "no members", ctx: context.Background(), c: commands.TripChart{Title: "Empty", Asset: "tUSD"}, says: "no members"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := r.RenderTrip(tc.ctx, tc.c)
			if took := time.Since(start); took > 50*time.Millisecond {
				t.Errorf("refused in %v, want under 50 ms", took)
			}
			if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("got %v, want an error (%v) saying %q", err, tc.is, tc.says)
			}
		})
	}
	if _, err := r.RenderTrip(context.Background(), fiveTrip()); err != nil {
		t.Fatalf("a render after refusals: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.RenderTrip(context.Background(), fiveTrip()); !errors.Is(err, errClosed) {
		t.Fatalf("render after Close: got %v, want %v", err, errClosed)
	}
}

// TestRenderTripConcurrent: charts drawn from several goroutines at once, while the renderer
// draws a trust web with Graphviz, are the picture one render alone draws.
func TestRenderTripConcurrent(t *testing.T) {
	ctx := context.Background()
	r := newTripRenderer(t)
	want, err := r.RenderTrip(ctx, fiveTrip())
	if err != nil {
		t.Fatal(err)
	}
	web := commands.Graph{
		Nodes: []commands.Node{{ID: "a", Label: "@alice"}, {ID: "b", Label: "@bob"}},
		Edges: []commands.Edge{{From: "a", To: "b", Style: "solid", Label: "100 · 40"}},
	}
	var wg sync.WaitGroup
	errs := make(chan string, 5)
	wg.Go(func() {
		if _, err := r.RenderWeb(ctx, web); err != nil {
			errs <- err.Error()
		}
	})
	for range 4 {
		wg.Go(func() {
			got, err := r.RenderTrip(ctx, fiveTrip())
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

// BenchmarkRenderTrip measures a chart of 6 members (5 transfers) and one of 30 (29 transfers).
func BenchmarkRenderTrip(b *testing.B) {
	r := newTripRenderer(b)
	for _, n := range []int{6, 30} {
		c := bigTrip(n)
		b.Run(fmt.Sprintf("%d members", n), func(b *testing.B) {
			start := time.Now()
			var size int
			for b.Loop() {
				data, err := r.RenderTrip(context.Background(), c)
				if err != nil {
					b.Fatal(err)
				}
				size = len(data)
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/op")
			b.ReportMetric(float64(size), "bytes")
		})
	}
}
