package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trustbot/trustbot/web/siwe"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/gorilla/websocket"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/bot"
	"github.com/trustbot/trustbot/bot/discordtest"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/commands"
)

const (
	testAppID   = "1100000000000000001"
	testGuildID = "1200000000000000002"
	testChannel = "1300000000000000003"
	noticeChan  = "1600000000000000006"
	testBotID   = "1700000000000000007"
)

var (
	discordAlice = discordtest.User{ID: "1400000000000000004", Username: "alice"}
	discordBob   = discordtest.User{ID: "1500000000000000005", Username: "bob"}
)

// fakeGateway is Discord's gateway on loopback, for one bot process or many at once: each
// session gets HELLO, sends IDENTIFY (its payload goes to identify) and gets READY, and
// afterwards whatever dispatches the test sends; heartbeats are acknowledged.
type fakeGateway struct {
	t        testing.TB
	URL      string
	identify chan map[string]any

	mu       sync.Mutex
	sessions []*gatewaySession
}

type gatewaySession struct {
	mu    sync.Mutex
	conn  *websocket.Conn
	seq   int
	shard []any
}

func newFakeGateway(t testing.TB) *fakeGateway {
	t.Helper()
	g := &fakeGateway{t: t, identify: make(chan map[string]any, 16)}
	srv := httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(srv.Close)
	g.URL = "ws" + strings.TrimPrefix(srv.URL, "http")
	return g
}

func (g *fakeGateway) serve(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{}
	c, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer c.Close()
	s := &gatewaySession{conn: c}
	write := func(v any) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		return c.WriteJSON(v)
	}
	if write(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 45000}}) != nil {
		return
	}
	var ident struct {
		Op int            `json:"op"`
		D  map[string]any `json:"d"`
	}
	if err := c.ReadJSON(&ident); err != nil || ident.Op != 2 {
		return
	}
	select {
	case g.identify <- ident.D:
	default:
	}
	s.shard, _ = ident.D["shard"].([]any)
	s.seq = 1
	ready := map[string]any{
		"v": 9, "session_id": "fake-session-" + discordtest.Snowflake(), "resume_gateway_url": g.URL, "shard": s.shard,
		"user":        map[string]any{"id": testBotID, "username": "trustbot", "discriminator": "0", "bot": true},
		"guilds":      []any{map[string]any{"id": testGuildID, "unavailable": true}},
		"application": map[string]any{"id": testAppID, "flags": 0},
	}
	if write(map[string]any{"op": 0, "t": "READY", "s": 1, "d": ready}) != nil {
		return
	}
	g.mu.Lock()
	g.sessions = append(g.sessions, s)
	g.mu.Unlock()
	for {
		var m struct {
			Op int `json:"op"`
		}
		if err := c.ReadJSON(&m); err != nil {
			return
		}
		if m.Op == 1 {
			if write(map[string]any{"op": 11}) != nil {
				return
			}
		}
	}
}

// count is how many sessions have identified.
func (g *fakeGateway) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.sessions)
}

// dispatch sends an INTERACTION_CREATE on the latest session.
func (g *fakeGateway) dispatch(interaction []byte) {
	g.t.Helper()
	n := g.count()
	if n == 0 {
		g.t.Fatal("the bot is not connected to the gateway")
	}
	g.dispatchOn(g.t, n-1, interaction)
}

// dispatchOn sends an INTERACTION_CREATE on session i.
func (g *fakeGateway) dispatchOn(t testing.TB, i int, interaction []byte) {
	t.Helper()
	g.mu.Lock()
	s := g.sessions[i]
	g.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	if err := s.conn.WriteMessage(websocket.TextMessage, discordtest.Dispatch(s.seq, "INTERACTION_CREATE", interaction)); err != nil {
		t.Fatalf("dispatch on gateway session %d: %v", i, err)
	}
}

// discordStack is the whole bot, started as `trustbot` starts it, against the fake Discord.
type discordStack struct {
	t    *testing.T
	fake *discordtest.Server
	gw   *fakeGateway
	d    *discordBot
	priv ed25519.PrivateKey
	http *http.Client
}

func startTestDiscord(t *testing.T) *discordStack {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	fake := discordtest.NewServer(t)
	gw := newFakeGateway(t)
	fake.SetGatewayURL(gw.URL)
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	cfg := testConfig(t, map[string]string{
		"DISCORD_TOKEN": "test-token", "DISCORD_APP_ID": testAppID, "DISCORD_GUILD_ID": testGuildID,
		"DISCORD_PUBLIC_KEY": hex.EncodeToString(pub), "SHARD_ID": "1", "SHARD_COUNT": "2",
		"DATA_DIR": t.TempDir(), "LISTEN_ADDR": "127.0.0.1:0", "DEV_RPC_ADDR": "127.0.0.1:0",
		"POLL_INTERVAL": "100ms", "EXPLORER_URL": "https://explorer.example",
	})
	s := fake.Session()
	d, err := startDiscord(ctx, cfg, s, io.Discard, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("startDiscord: %v", err)
	}
	st := &discordStack{t: t, fake: fake, gw: gw, d: d, priv: priv, http: &http.Client{Timeout: 10 * time.Second}}
	t.Cleanup(func() {
		d.Close()
		for _, r := range fake.SchemaErrors() {
			t.Errorf("%s %s: body breaks Discord's schema: %v\n%s", r.Method, r.Path, r.Err, r.Body)
		}
	})
	return st
}

// run sends a slash command over the gateway and returns the reply as the user finally sees it:
// the type 4 answer, or the edit that follows a deferral. It checks the reply is ephemeral.
func (st *discordStack) run(u discordtest.User, name string, opts ...discordtest.Option) (content, link string) {
	st.t.Helper()
	return st.answer(u, name, true, opts...)
}

// runPublic is run for a command whose reply the whole channel sees.
func (st *discordStack) runPublic(u discordtest.User, name string, opts ...discordtest.Option) string {
	st.t.Helper()
	content, _ := st.answer(u, name, false, opts...)
	return content
}

func (st *discordStack) answer(u discordtest.User, name string, ephemeral bool, opts ...discordtest.Option) (content, link string) {
	st.t.Helper()
	body := discordtest.SlashCommand(testAppID, testGuildID, testChannel, u, name, opts...)
	var in struct{ ID, Token string }
	if err := json.Unmarshal(body, &in); err != nil {
		st.t.Fatal(err)
	}
	n := len(st.fake.Find("POST", discordtest.TemplateInteractionCallback))
	st.gw.dispatch(body)
	cbs := st.fake.WaitFor("POST", discordtest.TemplateInteractionCallback, n+1, 5*time.Second)
	cb := cbs[n]
	if !strings.Contains(cb.Path, "/interactions/"+in.ID+"/"+in.Token+"/callback") {
		st.t.Fatalf("got callback %s, want the one for interaction %s", cb.Path, in.ID)
	}
	var r struct {
		Type int `json:"type"`
		Data struct {
			Content    string `json:"content"`
			Flags      int    `json:"flags"`
			Components []struct {
				Components []struct{ URL string } `json:"components"`
			} `json:"components"`
		} `json:"data"`
	}
	if err := json.Unmarshal(cb.Body, &r); err != nil {
		st.t.Fatal(err)
	}
	if want := map[bool]int{true: 64, false: 0}[ephemeral]; r.Data.Flags != want {
		st.t.Fatalf("/%s: got flags %d, want %d (ephemeral: %v)", name, r.Data.Flags, want, ephemeral)
	}
	switch r.Type {
	case 4:
		content = r.Data.Content
		if len(r.Data.Components) > 0 && len(r.Data.Components[0].Components) > 0 {
			link = r.Data.Components[0].Components[0].URL
		}
	case 5:
		content, link = st.waitEdit(in.Token, 0)
	default:
		st.t.Fatalf("/%s: got callback type %d, want 4 or 5", name, r.Type)
	}
	return content, link
}

// waitEdit waits for the nth edit (from 0) of the original response with token.
func (st *discordStack) waitEdit(token string, nth int) (content, link string) {
	st.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var mine []discordtest.Recorded
		for _, e := range st.fake.Find("PATCH", discordtest.TemplateOriginalResponse) {
			if strings.Contains(e.Path, "/webhooks/"+testAppID+"/"+token+"/") {
				mine = append(mine, e)
			}
		}
		if len(mine) > nth {
			var e struct {
				Content    string `json:"content"`
				Components []struct {
					Components []struct{ URL string } `json:"components"`
				} `json:"components"`
			}
			if err := json.Unmarshal(mine[nth].Body, &e); err != nil {
				st.t.Fatal(err)
			}
			if len(e.Components) > 0 && len(e.Components[0].Components) > 0 {
				link = e.Components[0].Components[0].URL
			}
			return e.Content, link
		}
		time.Sleep(20 * time.Millisecond)
	}
	st.t.Fatalf("got no edit %d of the response with token %s…", nth, token[:20])
	return "", ""
}

// waitNotice waits for a channel message containing want in channel and returns it.
func (st *discordStack) waitNotice(channel, want string) string {
	st.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var seen []string
	for time.Now().Before(deadline) {
		seen = seen[:0]
		for _, m := range st.fake.Find("POST", discordtest.TemplateChannelMessages) {
			content, _ := m.Map()["content"].(string)
			seen = append(seen, content)
			if strings.Contains(m.Path, "/channels/"+channel+"/messages") && strings.Contains(content, want) {
				return content
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	st.t.Fatalf("got notices %q, want one in channel %s containing %q", seen, channel, want)
	return ""
}

func (st *discordStack) getJSON(u string, into any) {
	st.t.Helper()
	res, err := st.http.Get(u)
	if err != nil {
		st.t.Fatalf("GET %s: %v", u, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		st.t.Fatalf("GET %s: got %s %s, want 200", u, res.Status, body)
	}
	if err := json.Unmarshal(body, into); err != nil {
		st.t.Fatalf("GET %s: %v", u, err)
	}
}

func (st *discordStack) postJSON(u string, v, into any) {
	st.t.Helper()
	b, _ := json.Marshal(v)
	res, err := st.http.Post(u, "application/json", bytes.NewReader(b))
	if err != nil {
		st.t.Fatalf("POST %s: %v", u, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 != 2 {
		st.t.Fatalf("POST %s: got %s %s, want 2xx", u, res.Status, body)
	}
	if into != nil {
		if err := json.Unmarshal(body, into); err != nil {
			st.t.Fatalf("POST %s: %v", u, err)
		}
	}
}

// approveWalletLink signs the sign-in message of a wallet link like the page does.
func (st *discordStack) approveWalletLink(link string, w chain.Wallet) {
	st.t.Helper()
	var l struct {
		Domain         string    `json:"domain"`
		URI            string    `json:"uri"`
		ChainID        uint64    `json:"chainId"`
		Nonce          string    `json:"nonce"`
		IssuedAt       time.Time `json:"issuedAt"`
		ExpirationTime time.Time `json:"expirationTime"`
		Statement      string    `json:"statement"`
		Version        string    `json:"version"`
	}
	st.getJSON(link+".json", &l)
	msg := siwe.Message{Domain: l.Domain, Address: w.Address().Hex(), Statement: l.Statement, URI: l.URI,
		Version: l.Version, ChainID: l.ChainID, Nonce: l.Nonce, IssuedAt: l.IssuedAt, ExpirationTime: l.ExpirationTime}
	text := msg.String()
	var res struct {
		Address string `json:"address"`
	}
	st.postJSON(link, map[string]string{"message": text, "signature": hexutil.Encode(w.PersonalSign([]byte(text)))}, &res)
	if common.HexToAddress(res.Address) != w.Address() {
		st.t.Fatalf("linked %s, want %s", res.Address, w.Address().Hex())
	}
}

// approveSigning sends a signing request's calls from w like the page does, reporting each
// hash, and waits until the watcher confirms it.
func (st *discordStack) approveSigning(link string, w chain.Wallet) {
	st.t.Helper()
	ctx := context.Background()
	var req struct {
		Status string                             `json:"status"`
		Error  string                             `json:"error"`
		Calls  []struct{ To, Data, Value string } `json:"calls"`
	}
	st.getJSON(link+".json", &req)
	eth, id := st.d.Chain.Eth(), st.d.Chain.ChainID()
	for i, sc := range req.Calls {
		call, err := pageCall(sc.To, sc.Data, sc.Value)
		if err != nil {
			st.t.Fatal(err)
		}
		hash, err := w.Send(ctx, eth, id, call)
		if err != nil {
			st.t.Fatalf("send call %d: %v", i, err)
		}
		st.postJSON(link+"/tx", map[string]any{"index": i, "hash": hash.Hex()}, nil)
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		_, err = bind.WaitMined(wctx, eth, hash)
		cancel()
		if err != nil {
			st.t.Fatalf("call %d not mined: %v", i, err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		st.getJSON(link+".json", &req)
		switch req.Status {
		case string(trustbot.StatusConfirmed):
			return
		case string(trustbot.StatusFailed), string(trustbot.StatusExpired), string(trustbot.StatusCancelled):
			st.t.Fatalf("request %s: got %s (%s), want confirmed", link, req.Status, req.Error)
		}
		time.Sleep(50 * time.Millisecond)
	}
	st.t.Fatalf("request %s: not confirmed in time", link)
}

func mustHave(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Fatalf("%s: got %q, want it to contain %q", what, got, w)
		}
	}
}

func option(name string, typ int, v any) discordtest.Option {
	return discordtest.Option{Name: name, Type: typ, Value: v}
}

// TestDiscordStory runs the trip story through the fake Discord as `trustbot` runs it: the
// commands registered at start, the gateway connected through discordgo's own Open, two members
// linking wallets, a reserve created and funded, trust extended and redeemed, each approved
// through the signing endpoints, and the notices posted to the channel /setup chose. It ends
// with a command over the HTTP interactions endpoint on the same listener.
func TestDiscordStory(t *testing.T) {
	st := startTestDiscord(t)
	fake := st.fake

	// Registration at start: exactly one bulk overwrite, in the guild, that Discord accepts.
	puts := fake.Find("PUT", discordtest.TemplateGuildCommands)
	if len(puts) != 1 || len(fake.Find("PUT", discordtest.TemplateGlobalCommands)) != 0 {
		t.Fatalf("got %d guild and %d global overwrites, want 1 guild overwrite", len(puts), len(fake.Find("PUT", discordtest.TemplateGlobalCommands)))
	}
	var printed bytes.Buffer
	if err := printCommands(&printed, []string{"--json"}); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(printed.String()); got != string(puts[0].Body) {
		t.Fatalf("trustbot commands --json printed\n%s\nwant the registered payload\n%s", got, puts[0].Body)
	}

	// The gateway: IDENTIFY with no privileged intents and the shard from the configuration.
	var ident map[string]any
	select {
	case ident = <-st.gw.identify:
	case <-time.After(5 * time.Second):
		t.Fatal("got no IDENTIFY on the gateway")
	}
	if intents, _ := ident["intents"].(float64); intents != 1 {
		t.Fatalf("IDENTIFY: got intents %v, want 1 (guilds only)", ident["intents"])
	}
	if shard, _ := ident["shard"].([]any); len(shard) != 2 || shard[0] != 1.0 || shard[1] != 2.0 {
		t.Fatalf("IDENTIFY: got shard %v, want [1 2] (SHARD_ID, SHARD_COUNT)", ident["shard"])
	}

	aliceKey := chain.Wallet{Key: chain.DevKey("alice")}
	bobKey := chain.Wallet{Key: chain.DevKey("bob")}

	// /setup: notices go to the notice channel from now on.
	got, _ := st.run(discordAlice, "setup", option("channel", discordtest.OptionChannel, noticeChan))
	mustHave(t, "/setup", got, "On-chain notices will be posted in <#"+noticeChan+">.")

	// Both link wallets through the sign-in page's endpoints.
	for _, m := range []struct {
		u discordtest.User
		w chain.Wallet
	}{{discordAlice, aliceKey}, {discordBob, bobKey}} {
		got, link := st.run(m.u, "wallet", discordtest.Option{Name: "link", Type: discordtest.OptionSubCommand})
		mustHave(t, "/wallet link", got, "Open the link and sign the message")
		if !strings.HasPrefix(link, st.d.PublicURL+"/l/") {
			t.Fatalf("/wallet link: got button %q, want a link to %s/l/…", link, st.d.PublicURL)
		}
		st.approveWalletLink(link, m.w)
		got, _ = st.run(m.u, "wallet", discordtest.Option{Name: "show", Type: discordtest.OptionSubCommand})
		mustHave(t, "/wallet show", got, m.w.Address().Hex()) // EIP-55, as a wallet shows it
	}

	// approve runs a chain command, checks the deferred reply's link, signs it, and waits for the
	// channel notice and the edit of the requester's response.
	approve := func(u discordtest.User, w chain.Wallet, notice string, name string, opts ...discordtest.Option) {
		t.Helper()
		body := discordtest.SlashCommand(testAppID, testGuildID, testChannel, u, name, opts...)
		var in struct{ Token string }
		_ = json.Unmarshal(body, &in)
		n := len(fake.Find("POST", discordtest.TemplateInteractionCallback))
		st.gw.dispatch(body)
		cb := fake.WaitFor("POST", discordtest.TemplateInteractionCallback, n+1, 5*time.Second)[n].Map()
		if cb["type"] != 5.0 {
			t.Fatalf("/%s: got callback type %v, want 5 (deferred)", name, cb["type"])
		}
		text, link := st.waitEdit(in.Token, 0)
		if !strings.HasPrefix(link, st.d.PublicURL+"/s/") {
			t.Fatalf("/%s: got %q with button %q, want a signing link to %s/s/…", name, text, link, st.d.PublicURL)
		}
		st.approveSigning(link, w)
		mustHave(t, "notice of /"+name, st.waitNotice(noticeChan, notice), notice, "https://explorer.example/tx/0x")
		confirmed, button := st.waitEdit(in.Token, 1)
		mustHave(t, "edit of /"+name, confirmed, "Confirmed on chain:", "https://explorer.example/tx/0x")
		if button != "" {
			t.Fatalf("/%s: the confirmed response still has the button %q", name, button)
		}
	}
	a, b := "<@"+discordAlice.ID+">", "<@"+discordBob.ID+">"
	approve(discordAlice, aliceKey, a+" created a tUSD reserve", "reserve", discordtest.Option{Name: "create", Type: discordtest.OptionSubCommand})
	approve(discordAlice, aliceKey, a+" deposited 300 tUSD into their reserve", "reserve",
		discordtest.Option{Name: "deposit", Type: discordtest.OptionSubCommand, Options: []discordtest.Option{option("amount", discordtest.OptionString, "300")}})
	approve(discordAlice, aliceKey, a+" extended "+b+" a budget of 100 tUSD.", "trust",
		option("member", discordtest.OptionUser, discordBob), option("amount", discordtest.OptionString, "100"))
	approve(discordBob, bobKey, b+" redeemed 60 tUSD from "+a+"'s reserve.", "redeem", option("amount", discordtest.OptionString, "60"))

	// The chain agrees.
	got, _ = st.run(discordBob, "balance")
	mustHave(t, "/balance", got, "40")

	// from: suggests the issuers whose tokens Bob holds; the chosen one carries Alice's ID.
	n := len(fake.Find("POST", discordtest.TemplateInteractionCallback))
	st.gw.dispatch(discordtest.Autocomplete(testAppID, testGuildID, testChannel, discordBob, "redeem",
		option("amount", discordtest.OptionString, "10"), discordtest.Option{Name: "from", Type: discordtest.OptionString, Value: "", Focused: true}))
	var ac struct {
		Type int `json:"type"`
		Data struct {
			Choices []struct{ Name, Value string } `json:"choices"`
		} `json:"data"`
	}
	if err := fake.WaitFor("POST", discordtest.TemplateInteractionCallback, n+1, 5*time.Second)[n].JSON(&ac); err != nil {
		t.Fatal(err)
	}
	if ac.Type != 8 || len(ac.Data.Choices) != 1 || ac.Data.Choices[0].Value != discordAlice.ID || !strings.Contains(ac.Data.Choices[0].Name, "you hold 40") {
		t.Fatalf("from: autocomplete: got %+v, want one choice for Alice's token (value %s, \"you hold 40\")", ac, discordAlice.ID)
	}
	approve(discordBob, bobKey, b+" redeemed 10 tUSD from "+a+"'s reserve.", "redeem",
		option("amount", discordtest.OptionString, "10"), option("from", discordtest.OptionString, ac.Data.Choices[0].Value))
	got, _ = st.run(discordBob, "redeem", option("amount", discordtest.OptionString, "1"), option("from", discordtest.OptionString, "alice"))
	mustHave(t, "/redeem from:alice typed by hand", got, "Pick from from the suggestions of /redeem")

	// The same bot over the HTTP interactions endpoint on the signing pages' listener.
	body := discordtest.SlashCommand(testAppID, testGuildID, testChannel, discordAlice, "reserve",
		discordtest.Option{Name: "show", Type: discordtest.OptionSubCommand})
	res, err := st.http.Do(discordtest.SignedRequest(st.d.PublicURL+"/interactions", st.priv, body, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("POST /interactions: got %s %s, want 200", res.Status, raw)
	}
	if err := discordtest.ValidateInteractionResponse(raw); err != nil {
		t.Fatalf("ValidateInteractionResponse(%s): got %v, want nil", raw, err)
	}
	var in struct{ Token string }
	_ = json.Unmarshal(body, &in)
	shown, _ := st.waitEdit(in.Token, 0)
	mustHave(t, "/reserve show over HTTP", shown, "230")
	unsigned, _ := http.NewRequest(http.MethodPost, st.d.PublicURL+"/interactions", bytes.NewReader(body))
	if res, err := st.http.Do(unsigned); err != nil || res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unsigned POST /interactions: got %v %v, want 401", res.StatusCode, err)
	}

	// A trip: a split names members by mention, which the bot looks up in the guild.
	fake.SetMembers(testGuildID, discordtest.Member{ID: discordAlice.ID, Username: "alice"}, discordtest.Member{ID: discordBob.ID, Username: "bob", Nick: "Bobby"})
	started := st.runPublic(discordAlice, "trip", discordtest.Option{Name: "start", Type: discordtest.OptionSubCommand,
		Options: []discordtest.Option{option("name", discordtest.OptionString, "Lisbon"), option("members", discordtest.OptionString, b)}})
	mustHave(t, "/trip start", started, `Started the trip "Lisbon"`, a+" and "+b)
	approve(discordBob, bobKey, b+" paid 5 tUSD for dinner from "+a+"'s reserve, split 2 ways (2.5 each)", "redeem",
		option("amount", discordtest.OptionString, "5"), option("for", discordtest.OptionString, "dinner"), option("split", discordtest.OptionString, a+" "+b))
	stranger := "<@1999999999999999999>"
	got, _ = st.run(discordBob, "spent", option("amount", discordtest.OptionString, "4"), option("for", discordtest.OptionString, "taxi"),
		option("split", discordtest.OptionString, b+" "+stranger))
	mustHave(t, "/spent with a stranger in the split", got, stranger+" is not a member of this server.")
	spent := st.runPublic(discordBob, "spent", option("amount", discordtest.OptionString, "4"), option("for", discordtest.OptionString, "taxi"),
		option("split", discordtest.OptionString, "<@!"+discordAlice.ID+"> bob:3"))
	mustHave(t, "/spent", spent, b+" paid 4 tUSD for taxi, split "+a+" 1, "+b+" 3.")
	balance := st.runPublic(discordAlice, "trip", discordtest.Option{Name: "balance", Type: discordtest.OptionSubCommand})
	mustHave(t, "/trip balance", balance, a+" paid 5, consumed 3.5: net +1.5 tUSD", b+" paid 4, consumed 5.5: net -1.5 tUSD")
}

func TestCommandsJSON(t *testing.T) {
	var out bytes.Buffer
	if err := printCommands(&out, []string{"--json"}); err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(bot.Commands(commands.New(commands.Services{})))
	if got := strings.TrimSpace(out.String()); got != string(want) {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if err := discordtest.ValidateCommands(out.Bytes()); err != nil {
		t.Fatalf("ValidateCommands: got %v, want nil", err)
	}
	if err := printCommands(&out, []string{"--yaml"}); err == nil {
		t.Fatalf("printCommands(--yaml): got nil, want an error naming the flag")
	}
}

func TestDiscordConfig(t *testing.T) {
	key := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"DISCORD_PUBLIC_KEY": "xyz"}, "DISCORD_PUBLIC_KEY must be the application's public key"},
		{map[string]string{"DISCORD_PUBLIC_KEY": strings.Repeat("ab", 31)}, "64 hex digits (32 bytes)"},
		{map[string]string{"SHARD_COUNT": "-1"}, "SHARD_COUNT must be at least 1, got -1"},
		{map[string]string{"SHARD_ID": "1"}, "SHARD_ID must be from 0 to SHARD_COUNT-1 (0), got 1"},
		{map[string]string{"SHARD_ID": "2", "SHARD_COUNT": "2"}, "SHARD_ID must be from 0 to SHARD_COUNT-1 (1), got 2"},
		{map[string]string{"DISCORD_PUBLIC_KEY": key, "SHARD_ID": "1", "SHARD_COUNT": "2"}, ""},
	} {
		t.Run(fmt.Sprint(tc.env), func(t *testing.T) {
			t.Chdir(t.TempDir())
			cfg, err := loadConfig(context.Background(), tc.env)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				if got := hex.EncodeToString(cfg.DiscordPublicKey); got != key {
					t.Fatalf("got public key %s, want %s", got, key)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
