package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain/chaintest"
	"github.com/trustbot/trustbot/chain/devchain"
	"github.com/trustbot/trustbot/commands"
	"github.com/trustbot/trustbot/internal/bigweb"
)

// BenchmarkRoundTrips runs each command against a generated web of trust (bigweb.Large: 200
// members, 60 reserves in 3 layers, every member holding 3 budgets) through a loopback JSON-RPC
// proxy that holds every HTTP request 20 ms, and reports per command the sequential round trips,
// the HTTP requests and JSON-RPC calls (a batch is one request, each of its elements a call) and
// the milliseconds. The app is the one main wires, with ETH_RPC_URL at the proxy; the web is
// built and indexed directly, not through the proxy, and is not timed. The table of the commands
// run is printed at the end; RELIABILITY.md records it. /web is measured in package commands,
// where its data can be read without drawing the picture. Commands that only make a signing link
// leave the chain unchanged, so each can run any number of times.
func BenchmarkRoundTrips(b *testing.B) {
	ctx := context.Background()
	env := startRoundTripEnv(b, ctx)
	cast := env.cast
	m := func(i int) bigweb.Member { return env.web.Members[i] }
	issuer, backed, deep, holder, plain := m(cast.Issuer), m(cast.Backed), m(cast.Deep), m(cast.Holder), m(cast.Plain)

	cases := []struct {
		bench   string // sub-benchmark name
		name    string // the command as the table shows it
		floored bool
		run     func(ctx context.Context) (string, error)
		want    []string
	}{
		{"credit", "/credit", true, env.command(holder, "credit", "", nil),
			[]string{"can redeem", "through"}},
		{"balance", "/balance", true, env.command(holder, "balance", "", nil),
			[]string{"redeemable now"}},
		{"reserve_show", "/reserve show", true, env.command(issuer, "reserve", "show", nil),
			[]string{"'s tUSD reserve", "budget"}},
		{"trust", "/trust @" + plain.Name + " 5", true, env.command(issuer, "trust", "", opts("member", plain, "amount", "5")),
			[]string{"Sign to extend"}},
		{"revoke", "/revoke @" + backed.Name + " 1 (with its preview)", true, env.command(issuer, "revoke", "", opts("member", backed, "amount", "1")),
			[]string{"Sign to revoke", "outstanding"}},
		{"redeem", "/redeem 1 from:@" + deep.Name + " (3 layers deep)", true, env.command(holder, "redeem", "", opts("amount", "1", "from", deep)),
			[]string{"Sign to redeem", "unwinds every layer"}},
		{"reup", "/reup", false, env.command(issuer, "reup", "", nil),
			[]string{"Sign to re-up"}},
		{"reserve_create_backed_by", "/reserve create backed-by:@" + issuer.Name, false, env.command(plain, "reserve", "create", opts("backed-by", issuer)),
			[]string{"Sign to create your", "backed by " + issuer.Name}},
		{"suggest_redeem_from", "autocomplete of /redeem from:", false, env.suggest(holder, "redeem", "from"),
			[]string{"you hold"}},
	}
	// A sub-benchmark may run more than once (first with b.N = 1): its last cost is kept.
	costs := map[string]chaintest.Cost{}
	for _, c := range cases {
		b.Run(c.bench, func(b *testing.B) {
			var reply string
			cost, err := env.proxy.Measure(b.N, func() error {
				var err error
				reply, err = c.run(ctx)
				return err
			})
			if err != nil {
				b.Fatalf("%s: %v", c.name, err)
			}
			mustContain(b, c.name, reply, c.want...)
			cost.Report(b)
			costs[c.bench] = cost
		})
	}
	var rows []chaintest.CostRow
	for _, c := range cases {
		if cost, ran := costs[c.bench]; ran {
			rows = append(rows, chaintest.CostRow{Name: c.name, Floored: c.floored, Cost: cost})
		}
	}
	fmt.Printf("%s\nsetup: %s\nas: @%s (issues no reserve; holds %d budgets, one of @%s's top-layer reserve) for /credit, /balance, /redeem and the autocomplete; "+
		"@%s (a first-layer reserve backing @%s's, which backs @%s's) for /reserve show, /trust, /revoke and /reup; @%s (no reserve) for /reserve create\n%s",
		env.web.Summary(), env.setup, holder.Name, bigweb.Large.Trusts, deep.Name, issuer.Name, backed.Name, deep.Name, plain.Name,
		chaintest.CostTable(rows, bigweb.FloorRoundTrips, bigweb.FloorMS))
}

// roundTripEnv is the web, the proxy in front of its chain, and the app reading through it.
type roundTripEnv struct {
	web   *bigweb.Web
	cast  bigweb.Cast
	proxy *chaintest.Proxy
	app   *app
	setup string // what setting up took
	n     int    // interactions delivered
}

// startRoundTripEnv generates the web, starts the proxy and an app with ETH_RPC_URL at the proxy,
// indexes the web into the app's database and links every member's wallet.
func startRoundTripEnv(b *testing.B, ctx context.Context) *roundTripEnv {
	b.Helper()
	t0 := time.Now()
	web, err := bigweb.Generate(ctx, bigweb.Large)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(web.Close)
	generated := time.Since(t0)
	cast, err := web.Cast()
	if err != nil {
		b.Fatal(err)
	}
	proxy := chaintest.NewProxy(web.Chain.URL(), bigweb.Latency)
	b.Cleanup(proxy.Close)

	cfg := testConfig(b, map[string]string{"DATA_DIR": b.TempDir(), "LISTEN_ADDR": "127.0.0.1:0", "ETH_RPC_URL": proxy.URL,
		"CHAIN_ID": fmt.Sprint(devchain.ChainID), "FACTORY_ADDRESS": web.Chain.Factory().Hex(), "ASSETS": "tUSD=" + web.Chain.TestUSD().Hex(),
		"LINK_TTL": "15m", "POLL_INTERVAL": "1s", "LOG_LEVEL": "info"})
	a, err := newApp(ctx, cfg, "roundtrips.db", false, io.Discard, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(a.Close)
	t1 := time.Now()
	if err := web.Index(ctx, a.DB); err != nil {
		b.Fatal(err)
	}
	indexed := time.Since(t1)
	setup := fmt.Sprintf("%.1f s in all: web generated in %.1f s (dev chain start included), app started, indexed and wallets linked in %.1f s",
		time.Since(t0).Seconds(), generated.Seconds(), indexed.Seconds())
	return &roundTripEnv{web: web, cast: cast, proxy: proxy, app: a, setup: setup}
}

// request is one delivery of a command by member, with its own interaction id.
func (e *roundTripEnv) request(member bigweb.Member, command, sub string, options map[string]commands.Value) *commands.Request {
	e.n++
	return &commands.Request{
		InteractionID: fmt.Sprintf("roundtrip-%d", e.n), GuildID: "bench", ChannelID: "bench",
		User: trustbot.Member{ID: member.UserID, Name: member.Name}, Command: command, Subcommand: sub, Options: options,
	}
}

// command runs a command through the app's command set and returns its reply's text. A reply
// that should carry a signing link or a picture and does not is an error.
func (e *roundTripEnv) command(member bigweb.Member, command, sub string, options map[string]commands.Value) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		r := e.app.Set.Handle(ctx, e.request(member, command, sub, options))
		switch {
		case strings.HasPrefix(r.Text, "Sign to") && r.Link == nil:
			return r.Text, errors.New("no signing link in: " + r.Text)
		}
		return r.Text, nil
	}
}

// suggest runs the autocomplete of a command's option (nothing typed yet) and returns the
// choices offered, one a line.
func (e *roundTripEnv) suggest(member bigweb.Member, command, option string) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		var names []string
		for _, c := range e.app.Set.Suggest(ctx, e.request(member, command, "", nil), option, "") {
			names = append(names, c.Name)
		}
		return strings.Join(names, "\n"), nil
	}
}

// opts builds options from name, value pairs: a bigweb.Member is a member option, a string a
// string option.
func opts(pairs ...any) map[string]commands.Value {
	out := map[string]commands.Value{}
	for i := 0; i+1 < len(pairs); i += 2 {
		name := pairs[i].(string)
		switch v := pairs[i+1].(type) {
		case bigweb.Member:
			out[name] = commands.Value{Type: commands.User, Member: &trustbot.Member{ID: v.UserID, Name: v.Name}}
		case string:
			out[name] = commands.Value{Type: commands.String, String: v}
		}
	}
	return out
}
