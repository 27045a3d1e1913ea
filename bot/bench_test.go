package bot_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/bot"
	"github.com/trustbot/trustbot/bot/discordtest"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/devchain"
	"github.com/trustbot/trustbot/commands"
	"github.com/trustbot/trustbot/store"
	"github.com/trustbot/trustbot/web"
)

// Load shape of BenchmarkAck.
const (
	ackRate     = 500             // interactions per second, open loop
	ackDuration = 4 * time.Second // how long they are fired
	rpcDelay    = 10 * time.Second
)

// BenchmarkAck fires signed /trust interactions (a chain command, so each is acknowledged with a
// deferral) at the bot's HTTP interactions endpoint on loopback at a fixed rate of 500/s for 4 s.
// Each request goes out on its own goroutine at its scheduled time (open loop: a slow answer does
// not delay the next request). The chain RPC takes 10 s to answer, so every deferred piece of
// work is still waiting on the chain while the load runs. A request's latency is measured from
// its scheduled send time until the acknowledgement's body has been read. At the end the RPC is
// released and Bot.Close drains the background work. Reports p50-ms, p99-ms, max-ms and acks/s
// (issue 7's floors: p99 ≤ 25 ms at ≥ 500/s, no acknowledgement over 3 s).
func BenchmarkAck(b *testing.B) {
	for range b.N {
		lat, elapsed := runAckLoad(b)
		slices.Sort(lat)
		pct := func(p float64) float64 {
			return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
		}
		b.ReportMetric(pct(0.50), "p50-ms")
		b.ReportMetric(pct(0.99), "p99-ms")
		b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
		b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "acks/s")
	}
}

// slowRPC is a JSON-RPC endpoint that holds every request for rpcDelay (or until released) and
// then answers with an error.
func slowRPC(b *testing.B) (url string, release func(), held func() int64) {
	done := make(chan struct{})
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		t := time.NewTimer(rpcDelay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-done:
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"slow node"}}`)
	}))
	var once sync.Once
	release = func() { once.Do(func() { close(done) }) }
	b.Cleanup(func() {
		release()
		srv.Close()
	})
	return srv.URL, release, calls.Load
}

func runAckLoad(b *testing.B) ([]time.Duration, time.Duration) {
	b.StopTimer()
	ctx := b.Context()
	fake := discordtest.NewServer(b)
	rpcURL, release, rpcCalls := slowRPC(b)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "trustbot.db"), time.Now)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	for _, u := range []struct{ id, addr string }{
		{alice.ID, "0x000000000000000000000000000000000000a11c"},
		{bob.ID, "0x0000000000000000000000000000000000000b0b"},
	} {
		if _, err := db.LinkWallet(ctx, trustbot.WalletLink{UserID: u.id, Address: common.HexToAddress(u.addr), ChainID: devchain.ChainID, Method: "dev"}); err != nil {
			b.Fatal(err)
		}
	}
	// Alice's reserve, as the indexer records it: /trust finds it in the projection and reads its
	// live backing from the slow chain.
	if _, err := db.AddReserve(ctx, trustbot.Reserve{
		Address: common.HexToAddress("0x00000000000000000000000000000000000000c1"), Issuer: common.HexToAddress("0x000000000000000000000000000000000000a11c"),
		ChainID: devchain.ChainID, CreatedBlock: 1, Name: "alice tUSD", Symbol: "atUSD", Decimals: tusd.Decimals, Asset: tusd,
	}); err != nil {
		b.Fatal(err)
	}
	rc, err := rpc.DialHTTP(rpcURL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(rc.Close)
	eth := ethclient.NewClient(rc)
	client := chain.New(eth, big.NewInt(devchain.ChainID), common.HexToAddress("0x00000000000000000000000000000000000000f1"))
	mux := http.NewServeMux()
	ws := httptest.NewServer(mux)
	b.Cleanup(ws.Close)
	signing, err := web.New(web.Config{PublicURL: ws.URL, ChainID: devchain.ChainID, RPCURL: rpcURL}, db, eth, time.Now, nil)
	if err != nil {
		b.Fatal(err)
	}
	mux.Handle("/", signing.Handler())
	set := commands.New(commands.Services{
		Store: db, Chain: client, Links: links{signing, ws.URL},
		Assets: []trustbot.Token{{Symbol: "tUSD", Address: common.HexToAddress("0x00000000000000000000000000000000000000e2"), Decimals: 6}, {Symbol: "ETH", Decimals: 18}},
	})
	bt := bot.New(bot.Config{AppID: appID, GuildID: guildID, PublicKey: pub, Assets: []string{"tUSD", "ETH"},
		Timeout: 30 * time.Second}, set, fake.Session(), slog.New(slog.DiscardHandler))
	srv := httptest.NewServer(bt.InteractionsHandler())
	b.Cleanup(srv.Close)
	endpoint := srv.URL + "/interactions"

	// Every request is built and signed before the clock starts.
	n := int(ackRate * ackDuration / time.Second)
	reqs := make([]*http.Request, n)
	for i := range reqs {
		reqs[i] = discordtest.SignedRequest(endpoint, priv, slash("trust", user("member", bob), str("amount", "5")), time.Now())
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute}}

	b.StartTimer()
	lat, elapsed, errs := discordtest.SendDeferred(hc, reqs, time.Second/ackRate)
	b.StopTimer()
	failed := 0
	for _, err := range errs {
		if failed == 0 {
			b.Errorf("an interaction was not acknowledged with a deferral: %v", err)
		}
		failed++
	}
	if failed > 0 {
		b.Fatalf("%d of %d interactions failed", failed, n)
	}
	// The deferred work is all still waiting on the chain: let the RPC answer, then drain. Each
	// interaction makes one batch RPC after reading the store, so the last ones may reach the
	// chain a moment after their acknowledgement; well before the RPC's delay ends, all have.
	for deadline := time.Now().Add(rpcDelay / 2); rpcCalls() < int64(n) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if c := rpcCalls(); c < int64(n) {
		b.Fatalf("the chain RPC got %d requests within 5 s of the load, want at least one per interaction (%d)", c, n)
	}
	held := rpcCalls()
	release()
	closed := time.Now()
	bt.Close()
	b.Logf("%d interactions in %s, %d chain RPCs held; Bot.Close drained the background work in %s", n, elapsed.Round(time.Millisecond), held, time.Since(closed).Round(time.Millisecond))
	hc.CloseIdleConnections()
	return lat, elapsed
}
