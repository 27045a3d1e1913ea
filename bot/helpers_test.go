package bot_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
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

const (
	appID     = "1100000000000000001"
	guildID   = "1200000000000000002"
	channelID = "1300000000000000003"
)

var (
	alice = discordtest.User{ID: "1400000000000000004", Username: "alice"}
	bob   = discordtest.User{ID: "1500000000000000005", Username: "bob"}
)

// stubRPC is a JSON-RPC endpoint that never answers: every request hangs until the test ends.
// It records when the first request arrived.
type stubRPC struct {
	URL     string
	mu      sync.Mutex
	first   time.Time
	calls   int
	release chan struct{}
}

func newStubRPC(t *testing.T) *stubRPC {
	t.Helper()
	s := &stubRPC{release: make(chan struct{})}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		if s.calls == 0 {
			s.first = time.Now()
		}
		s.calls++
		s.mu.Unlock()
		select {
		case <-s.release:
		case <-r.Context().Done():
		}
	}))
	s.URL = srv.URL
	t.Cleanup(func() {
		close(s.release)
		srv.Close()
	})
	return s
}

// firstCall is when the first RPC arrived, and how many arrived.
func (s *stubRPC) firstCall() (time.Time, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first, s.calls
}

// links makes signing and wallet links with the web server, as cmd/trustbot's app does.
type links struct {
	srv    *web.Server
	public string
}

func (l links) SigningLink(ctx context.Context, in trustbot.SigningRequest) (string, string, error) {
	req, url, err := l.srv.NewSigningRequest(ctx, trustbot.SigningRequest{
		GuildID: in.GuildID, ChannelID: in.ChannelID, UserID: in.UserID, InteractionToken: in.InteractionToken,
		Signer: in.Signer, Kind: in.Kind, Summary: in.Summary, Calls: in.Calls,
	})
	return req.ID, url, err
}

func (l links) WalletLink(ctx context.Context, userID, userName string) (string, error) {
	return l.srv.NewWalletLink(ctx, userID, userName)
}

func (l links) URL(id string) string { return l.public + "/s/" + id }

// harness is the bot over the fake Discord, with a real store and signing server and a chain
// whose RPC never answers (the commands that reach it time out as "unreachable").
type harness struct {
	t    *testing.T
	fake *discordtest.Server
	sess *discordgo.Session
	bot  *bot.Bot
	db   *store.DB
	set  *commands.Set
	rpc  *stubRPC
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey
	// WebURL is the signing pages' base URL.
	WebURL string
	// clock is the bot's Now; tests move it.
	mu  sync.Mutex
	now time.Time
}

type option func(*bot.Config)

func newHarness(t *testing.T, opts ...option) *harness {
	t.Helper()
	ctx := context.Background()
	h := &harness{t: t, fake: discordtest.NewServer(t), rpc: newStubRPC(t), now: time.Now()}
	var err error
	h.pub, h.priv, err = ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	h.db, err = store.Open(ctx, filepath.Join(t.TempDir(), "trustbot.db"), time.Now)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { h.db.Close() })

	rc, err := rpc.DialHTTP(h.rpc.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rc.Close)
	eth := ethclient.NewClient(rc)
	client := chain.New(eth, big.NewInt(devchain.ChainID), common.HexToAddress("0x00000000000000000000000000000000000000f1"))

	mux := http.NewServeMux()
	ws := httptest.NewServer(mux)
	t.Cleanup(ws.Close)
	h.WebURL = ws.URL
	signing, err := web.New(web.Config{PublicURL: ws.URL, ChainID: devchain.ChainID, RPCURL: h.rpc.URL}, h.db, eth, time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/", signing.Handler())
	h.set = commands.New(commands.Services{
		Store: h.db, Chain: client, Links: links{signing, ws.URL},
		Assets: []trustbot.Token{{Symbol: "tUSD", Address: common.HexToAddress("0x00000000000000000000000000000000000000e2"), Decimals: 6}, {Symbol: "ETH", Decimals: 18}},
	})

	cfg := bot.Config{AppID: appID, GuildID: guildID, PublicKey: h.pub, Assets: []string{"tUSD", "ETH"},
		Timeout: time.Second, Now: h.clock}
	for _, o := range opts {
		o(&cfg)
	}
	h.sess = h.fake.Session()
	h.bot = bot.New(cfg, h.set, h.sess, slog.New(slog.DiscardHandler))
	t.Cleanup(h.bot.Close)
	t.Cleanup(func() {
		// Every body the bot sent must be one Discord accepts.
		for _, r := range h.fake.SchemaErrors() {
			t.Errorf("%s %s: body breaks Discord's schema: %v\n%s", r.Method, r.Path, r.Err, r.Body)
		}
	})
	return h
}

func (h *harness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

// link binds a wallet to a user directly in the store.
func (h *harness) link(u discordtest.User, addr string) {
	h.t.Helper()
	if _, err := h.db.LinkWallet(context.Background(), trustbot.WalletLink{UserID: u.ID, Address: common.HexToAddress(addr), ChainID: devchain.ChainID, Method: "dev"}); err != nil {
		h.t.Fatalf("link wallet: %v", err)
	}
}

// tusd is the harness's default backing asset.
var tusd = trustbot.Token{Symbol: "tUSD", Address: common.HexToAddress("0x00000000000000000000000000000000000000e2"), Decimals: 6}

// reserve records issuer's tUSD reserve in the store, as the indexer does once it has seen the
// reserve created: commands find it in the projection and then read its live backing from the
// chain (which, here, never answers).
func (h *harness) reserve(issuer string) {
	h.t.Helper()
	if _, err := h.db.AddReserve(context.Background(), trustbot.Reserve{
		Address: common.HexToAddress("0x00000000000000000000000000000000000000c1"), Issuer: common.HexToAddress(issuer),
		ChainID: devchain.ChainID, CreatedBlock: 1, Name: "alice tUSD", Symbol: "atUSD", Decimals: tusd.Decimals, Asset: tusd,
	}); err != nil {
		h.t.Fatalf("add reserve: %v", err)
	}
}

// gateway delivers an interaction the way the gateway does: the session's INTERACTION_CREATE
// handler with the payload as discordgo decodes it. It returns when the bot is done with it.
func (h *harness) gateway(body []byte) {
	h.t.Helper()
	var i discordgo.Interaction
	if err := json.Unmarshal(body, &i); err != nil {
		h.t.Fatalf("decode interaction: %v", err)
	}
	h.bot.InteractionCreate(h.sess, &discordgo.InteractionCreate{Interaction: &i})
}

// slash builds a slash command by alice in the test guild.
func slash(name string, opts ...discordtest.Option) []byte {
	return discordtest.SlashCommand(appID, guildID, channelID, alice, name, opts...)
}

func sub(name string, opts ...discordtest.Option) discordtest.Option {
	return discordtest.Option{Name: name, Type: discordtest.OptionSubCommand, Options: opts}
}

func str(name, value string) discordtest.Option {
	return discordtest.Option{Name: name, Type: discordtest.OptionString, Value: value}
}

func user(name string, u discordtest.User) discordtest.Option {
	return discordtest.Option{Name: name, Type: discordtest.OptionUser, Value: u}
}

// response is an interaction callback or an original-response edit, decoded.
type response struct {
	Type int `json:"type"`
	Data struct {
		Content    string `json:"content"`
		Flags      int    `json:"flags"`
		Components []struct {
			Type       int `json:"type"`
			Components []struct {
				Type  int    `json:"type"`
				Style int    `json:"style"`
				Label string `json:"label"`
				URL   string `json:"url"`
			} `json:"components"`
		} `json:"components"`
		Choices []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"choices"`
	} `json:"data"`
}

// edit is an original-response edit's body.
type edit struct {
	Content    string `json:"content"`
	Components []struct {
		Type       int `json:"type"`
		Components []struct {
			Type  int    `json:"type"`
			Style int    `json:"style"`
			Label string `json:"label"`
			URL   string `json:"url"`
		} `json:"components"`
	} `json:"components"`
}

func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return v
}

// callbacks returns the interaction callbacks the fake received.
func (h *harness) callbacks() []response {
	var out []response
	for _, r := range h.fake.Find("POST", discordtest.TemplateInteractionCallback) {
		out = append(out, decode[response](h.t, r.Body))
	}
	return out
}

// onlyCallback is the single callback the fake received.
func (h *harness) onlyCallback() response {
	h.t.Helper()
	cbs := h.callbacks()
	if len(cbs) != 1 {
		h.t.Fatalf("got %d interaction callbacks, want 1", len(cbs))
	}
	return cbs[0]
}
