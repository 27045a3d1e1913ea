package bot_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
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

// fuzzEndpoint is the bot's HTTP interactions endpoint over the fake Discord, a real store and
// signing server, and a chain RPC that fails at once (so deferred work ends quickly). It is built
// once per fuzz process, for testing.TB; each input gets a bot of its own (see post).
type fuzzEndpoint struct {
	cfg  bot.Config
	set  *commands.Set
	sess *discordgo.Session
	priv ed25519.PrivateKey
}

func newFuzzEndpoint(tb testing.TB) *fuzzEndpoint {
	tb.Helper()
	ctx := context.Background()
	fake := discordtest.NewServer(tb)
	// Fuzzed interactions carry arbitrary tokens and ids; what the bot sends after a deferral is
	// not what this target checks (the fault and command tests do).
	fake.AllowSchemaErrors()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(tb.TempDir(), "trustbot.db"), time.Now)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	for _, u := range []struct{ id, addr string }{
		{alice.ID, "0x000000000000000000000000000000000000a11c"},
		{bob.ID, "0x0000000000000000000000000000000000000b0b"},
	} {
		if _, err := db.LinkWallet(ctx, trustbot.WalletLink{UserID: u.id, Address: common.HexToAddress(u.addr), ChainID: devchain.ChainID, Method: "dev"}); err != nil {
			tb.Fatal(err)
		}
	}
	rpcSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"fuzz node"}}`)
	}))
	tb.Cleanup(rpcSrv.Close)
	rc, err := rpc.DialHTTP(rpcSrv.URL)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(rc.Close)
	eth := ethclient.NewClient(rc)
	client := chain.New(eth, big.NewInt(devchain.ChainID), common.HexToAddress("0x00000000000000000000000000000000000000f1"))
	mux := http.NewServeMux()
	ws := httptest.NewServer(mux)
	tb.Cleanup(ws.Close)
	signing, err := web.New(web.Config{PublicURL: ws.URL, ChainID: devchain.ChainID, RPCURL: rpcSrv.URL}, db, eth, time.Now, nil)
	if err != nil {
		tb.Fatal(err)
	}
	mux.Handle("/", signing.Handler())
	set := commands.New(commands.Services{
		Store: db, Chain: client, Links: links{signing, ws.URL},
		Assets: []trustbot.Token{{Symbol: "tUSD", Address: common.HexToAddress("0x00000000000000000000000000000000000000e2"), Decimals: 6}, {Symbol: "ETH", Decimals: 18}},
	})
	return &fuzzEndpoint{
		cfg: bot.Config{AppID: appID, GuildID: guildID, PublicKey: pub, Assets: []string{"tUSD", "ETH"}, Timeout: time.Second},
		set: set, sess: fake.Session(), priv: priv,
	}
}

// post serves one signed request with a bot of its own, and closes that bot so that the work
// the interaction started is over before the next input (and its coverage stays with this one).
func (e *fuzzEndpoint) post(body []byte) *httptest.ResponseRecorder {
	bt := bot.New(e.cfg, e.set, e.sess, slog.New(slog.DiscardHandler))
	defer bt.Close()
	rec := httptest.NewRecorder()
	bt.InteractionsHandler().ServeHTTP(rec, discordtest.SignedRequest("http://bot.invalid/interactions", e.priv, body, time.Now()))
	return rec
}

// FuzzInteraction posts arbitrary bytes, correctly signed, to the HTTP interactions endpoint.
// Whatever the body, the endpoint answers 200 with an interaction response Discord accepts, or
// a 4xx; it never panics and never answers 5xx.
func FuzzInteraction(f *testing.F) {
	f.Add(discordtest.Ping(appID))
	f.Add(slash("wallet", sub("show")))
	f.Add(slash("trust", user("member", bob), str("amount", "5")))
	f.Add([]byte(`{"type":2,"data":{"name":"trust","options":[{"type":1,"name":"x","options":[{"type":1}]}]}}`))
	e := newFuzzEndpoint(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		res := e.post(body)
		out := res.Body.Bytes()
		switch {
		case res.Code == http.StatusOK:
			if err := discordtest.ValidateInteractionResponse(out); err != nil {
				t.Fatalf("body %q: got 200 with %s, which breaks Discord's schema: %v", body, out, err)
			}
		case res.Code >= 400 && res.Code < 500:
			if res.Code == http.StatusUnauthorized {
				t.Fatalf("body %q: got 401 for a correctly signed request", body)
			}
		default:
			t.Fatalf("body %q: got status %d (%s), want 200 or a 4xx", body, res.Code, bytes.TrimSpace(out))
		}
	})
}
