package commands

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/chaintest"
	"github.com/trustbot/trustbot/internal/bigweb"
	"github.com/trustbot/trustbot/store"
)

// webBench is the large web indexed into a store, and a command set whose chain reads go
// through a proxy that holds every round trip bigweb.Latency.
type webBench struct {
	web   *bigweb.Web
	proxy *chaintest.Proxy
	set   *Set
	user  trustbot.Member
	setup time.Duration
}

func startWebBench(b *testing.B, ctx context.Context) *webBench {
	b.Helper()
	t0 := time.Now()
	web, err := bigweb.Generate(ctx, bigweb.Large)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(web.Close)
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "web.db"), time.Now)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := web.Index(ctx, db); err != nil {
		b.Fatal(err)
	}
	proxy := chaintest.NewProxy(web.Chain.URL(), bigweb.Latency)
	b.Cleanup(proxy.Close)
	c, err := chain.Dial(ctx, proxy.URL, web.Chain.Factory())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	cast, err := web.Cast()
	if err != nil {
		b.Fatal(err)
	}
	m := web.Members[cast.Holder]
	set := New(Services{Store: db, Chain: c, Assets: []trustbot.Token{{Symbol: "tUSD", Address: web.Chain.TestUSD(), Decimals: 6}}})
	return &webBench{web: web, proxy: proxy, set: set, user: trustbot.Member{ID: m.UserID, Name: m.Name}, setup: time.Since(t0)}
}

// BenchmarkRoundTrips measures the data of /web alone (webInput: the reserves, their holders and
// the names, without the picture) against bigweb.Large through the proxy, as BenchmarkRoundTrips
// in cmd/trustbot measures the other commands, and prints its row of the table.
func BenchmarkRoundTrips(b *testing.B) {
	ctx := context.Background()
	wb := startWebBench(b, ctx)
	var row *chaintest.CostRow // the last run's: a sub-benchmark may run more than once
	b.Run("web_data", func(b *testing.B) {
		var in WebInput
		cost, err := wb.proxy.Measure(b.N, func() error {
			var err error
			in, err = wb.set.h.forRequest(true).webInput(ctx, &Request{Command: "web", User: wb.user})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		if len(in.Reserves) != len(wb.web.Reserves) {
			b.Fatalf("/web data: got %d reserves, want %d", len(in.Reserves), len(wb.web.Reserves))
		}
		cost.Report(b)
		row = &chaintest.CostRow{Name: "/web data (rendering apart)", Floored: true, Cost: cost}
	})
	if row == nil {
		return
	}
	fmt.Printf("%s\nsetup: %.1f s (web generated, indexed, wallets linked)\n%s", wb.web.Summary(), wb.setup.Seconds(),
		chaintest.CostTable([]chaintest.CostRow{*row}, bigweb.FloorRoundTrips, bigweb.FloorMS))
}
