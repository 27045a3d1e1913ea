package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/bot/discordtest"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/devchain"
	"github.com/trustbot/trustbot/internal/nginxtest"
	"github.com/trustbot/trustbot/internal/pgtest"
	"github.com/trustbot/trustbot/store"
	"github.com/trustbot/trustbot/store/storetest"
)

const (
	// scaleLeaseTTL is the failover test's LEASE_TTL: the shortest the bot accepts.
	scaleLeaseTTL = 3 * time.Second
	// scalePoll is the failover test's POLL_INTERVAL.
	scalePoll = 200 * time.Millisecond
)

var discordCarol = discordtest.User{ID: "1800000000000000008", Username: "carol"}

// TestFailoverAcrossProcesses runs the bot as a deployment past one machine runs it: three
// processes of the real binary over one PostgreSQL database — two serving Discord's HTTP
// interactions endpoint behind Debian's nginx, one a gateway shard — against the fake Discord
// and a dev chain over RPC. The story links wallets and signs requests with each step made on
// one instance and continued on another. Twice the leader (the lease holder, which indexes and
// posts the notices) is killed with SIGKILL: just after the node has answered its eth_getLogs
// with a redeem's logs, while it applies the chunk, and just after Discord has created a
// notice's message, before the answer reaches it; each killed process is started again.
// Afterwards every interaction was answered exactly once, every wallet link works from every
// instance, every on-chain event was announced exactly once in the notice channel (the fake
// Discord honours enforce_nonce), a standby took the lease within LEASE_TTL and one renewal
// interval (and a poll), and the database equals, by the store digest, that of the same story
// run by one process alone.
func TestFailoverAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs PostgreSQL, nginx and three bot processes")
	}
	bin := buildBinary(t, deployTags)
	pg := pgtest.New(t, pgtest.Options{})

	single := newScaleRun(t, bin, pg)
	only := single.startBot("single", "")
	single.gateway(only)
	single.story(scaleTargets{a: route{"a", only, false}, b: route{"b", only, false}, shard: route{"shard", only, true}, lb: route{"lb", only, false}}, false)
	single.stopAll()
	want := single.digest()

	multi := newScaleRun(t, bin, pg)
	addrA, addrB := freeAddr(t), freeAddr(t)
	lb, _ := nginxtest.Start(t, []string{addrA, addrB})
	multi.public = "http://" + lb
	shard := multi.startBot("shard", "")
	multi.gateway(shard)
	if !multi.logs.waitFor(shard.n, "leader: took the lease", 10*time.Second, shard.exited) {
		t.Fatalf("the first process did not take the lease:\n%s", multi.logs.text())
	}
	// The HTTP instances open no gateway session: the shard's is the only one.
	a := multi.startBot("http-a", addrA, "DISCORD_GATEWAY=false")
	b := multi.startBot("http-b", addrB, "DISCORD_GATEWAY=false")
	if n := multi.gw.count(); n != 1 {
		t.Errorf("gateway sessions with the shard and two HTTP-only instances up: got %d, want 1", n)
	}
	nginx := &scaleBot{name: "nginx", base: multi.public}
	failovers := multi.story(scaleTargets{a: route{"a", a, false}, b: route{"b", b, false}, shard: route{"shard", shard, true}, lb: route{"nginx", nginx, false}}, true)
	multi.stopAll()
	got := multi.digest()

	if got != want {
		t.Errorf("database after the failover run differs from the single process's:\n%s", storetest.LineDiff(got, want))
	}
	for _, r := range []*scaleRun{single, multi} {
		r.checkAnswers()
		r.checkNotices(5)
	}
	bound := scaleLeaseTTL + scaleLeaseTTL/3 + scalePoll
	for _, f := range failovers {
		t.Logf("failover: leader %s killed %s; %s took the lease %v later (bound: LEASE_TTL %v + one renewal %v + POLL_INTERVAL %v); that notice was posted %d time(s) and is shown once",
			f.killed.name, f.when, f.successor.name, f.after.Round(time.Millisecond), scaleLeaseTTL, scaleLeaseTTL/3, scalePoll, f.posts)
		if f.after > bound {
			t.Errorf("leader %s killed %s: a new leader after %v, want within %v", f.killed.name, f.when, f.after, bound)
		}
	}
	if len(failovers) != 2 {
		t.Errorf("got %d failovers, want 2", len(failovers))
	}
}

// scaleRun is one run of the story: its database, chain, fake Discord and gateway, nginx's
// address when there is one, and the bot processes with everything they printed.
type scaleRun struct {
	t      testing.TB
	bin    string
	dbURL  string
	chain  *devchain.Chain
	fake   *discordtest.Server
	gw     *fakeGateway
	pub    ed25519.PublicKey
	priv   ed25519.PrivateKey
	public string // PUBLIC_URL: nginx, or the single process's own address
	http   *http.Client
	logs   *lineLog
	bots   []*scaleBot

	mu       sync.Mutex
	answered []sentInteraction
}

// sentInteraction is an interaction the story sent, how, and its first answer.
type sentInteraction struct {
	id, token, via string
	overHTTP       bool
	deferred       bool
}

// scaleBot is one bot process (or, for nginx, only the base URL that reaches the instances).
type scaleBot struct {
	name    string
	n       int    // its number in the line log
	dir     string // its working directory and HOME
	listen  string // LISTEN_ADDR
	base    string // the URL its interactions endpoint and pages are reached at
	session int    // its gateway session (index in fakeGateway), -1 before it identifies
	env     []string
	cmd     *exec.Cmd
	gate    *logsGate    // its chain RPC
	discord *posterProxy // its Discord REST
	exited  chan struct{}
}

func newScaleRun(t testing.TB, bin string, pg *pgtest.Server) *scaleRun {
	t.Helper()
	ctx := t.Context()
	dc, err := devchain.Start(ctx, devchain.Options{Members: devMembers, Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dc.Close)
	fake := discordtest.NewServer(t)
	gw := newFakeGateway(t)
	fake.SetGatewayURL(gw.URL)
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	return &scaleRun{t: t, bin: bin, dbURL: pg.NewDatabase(t), chain: dc, fake: fake, gw: gw,
		pub: pub, priv: priv, http: &http.Client{Timeout: 20 * time.Second}, logs: &lineLog{}}
}

// startBot starts a bot process listening on listen (a free address when empty) and waits until
// it is on Discord. Its chain RPC goes through a gate of its own, which can kill it mid-chunk.
func (r *scaleRun) startBot(name, listen string, env ...string) *scaleBot {
	r.t.Helper()
	if listen == "" {
		listen = loopbackAddr(r.t)
	}
	public := r.public
	if public == "" {
		public = "http://" + listen
		r.public = public
	}
	gate := newLogsGate(r.t, r.chain.URL())
	discord := newPosterProxy(r.t, r.fake)
	dir := r.t.TempDir()
	b := &scaleBot{name: name, dir: dir, listen: listen, base: "http://" + listen, session: -1, gate: gate, discord: discord}
	b.env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"DISCORD_TOKEN=test-token", "DISCORD_APP_ID=" + testAppID, "DISCORD_GUILD_ID=" + testGuildID,
		"DISCORD_PUBLIC_KEY=" + hex.EncodeToString(r.pub), "DISCORD_API_URL=" + discord.URL,
		"ETH_RPC_URL=" + gate.URL, "CHAIN_ID=1337", "FACTORY_ADDRESS=" + r.chain.Factory().Hex(),
		"ASSETS=tUSD=" + r.chain.TestUSD().Hex() + ",ETH=native", "CONFIRMATIONS=0",
		"DATABASE_URL=" + r.dbURL, "LEASE_TTL=" + scaleLeaseTTL.String(), "POLL_INTERVAL=" + scalePoll.String(),
		"DATA_DIR=" + filepath.Join(dir, "data"), "LISTEN_ADDR=" + listen, "PUBLIC_URL=" + public,
		"EXPLORER_URL=https://explorer.example", "LOG_LEVEL=info",
	}
	b.env = append(b.env, env...)
	r.bots = append(r.bots, b)
	r.launch(b)
	return b
}

// launch runs b's process and waits until it says it is on Discord.
func (r *scaleRun) launch(b *scaleBot) {
	r.t.Helper()
	if b.n == 0 {
		b.n = r.nextChild()
	}
	cmd := exec.Command(r.bin)
	cmd.Dir = b.dir // no .env there
	cmd.Env = b.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		r.t.Fatalf("start %s: %v", b.name, err)
	}
	b.cmd, b.exited = cmd, make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			r.logs.add(b.n, b.name+": "+sc.Text())
		}
	}()
	exited := b.exited
	go func() {
		cmd.Wait()
		pw.Close()
		close(exited)
	}()
	r.t.Cleanup(func() {
		select {
		case <-exited:
		default:
			cmd.Process.Kill()
			<-exited
		}
	})
	if !r.logs.waitFor(b.n, "trustbot is on Discord", 60*time.Second, exited) {
		r.t.Fatalf("%s did not come up on Discord:\n%s", b.name, r.logs.text())
	}
}

// nextChild numbers a new process for the line log.
func (r *scaleRun) nextChild() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 1
	for _, b := range r.bots {
		n = max(n, b.n+1)
	}
	return n
}

// gateway makes b the process that gateway interactions go to: its session is the last one to
// have identified.
func (r *scaleRun) gateway(b *scaleBot) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if n := r.gw.count(); n > 0 {
			b.session = n - 1
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.t.Fatalf("%s never identified on the gateway", b.name)
}

// stopAll stops every running process with SIGTERM, as a deployment stops it.
func (r *scaleRun) stopAll() {
	r.t.Helper()
	for _, b := range r.bots {
		select {
		case <-b.exited:
			continue
		default:
		}
		b.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-b.exited:
		case <-time.After(15 * time.Second):
			b.cmd.Process.Kill()
			r.t.Errorf("%s did not stop within 15 s of SIGTERM", b.name)
		}
	}
}

// digest is the store digest of the run's database, block hashes checked against its chain.
// The fake Discord's interaction tokens are random, so each is written as its rank in the order
// the story sent the interactions: a request still has to carry the token of the interaction
// that made it.
func (r *scaleRun) digest() string {
	r.t.Helper()
	db := storetest.OpenReadOnly(r.t, r.dbURL)
	defer db.Close()
	eth := r.chain.Client().Eth()
	d := storetest.Digest(r.t, db, func(n uint64) common.Hash {
		h, err := eth.HeaderByNumber(context.Background(), new(big.Int).SetUint64(n))
		if err != nil {
			return common.Hash{}
		}
		return h.Hash()
	})
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, s := range r.answered {
		d = strings.ReplaceAll(d, s.token, "interaction#"+strconv.Itoa(i+1))
	}
	return d
}

// route is where an interaction goes: a process's HTTP endpoint (or nginx's), or a process's
// gateway session.
type route struct {
	name    string
	bot     *scaleBot
	gateway bool
}

// scaleTargets are where each step of the story goes: instance a, instance b, the gateway
// shard, and the load balancer in front of a and b. One process plays every part in the
// single-process run.
type scaleTargets struct{ a, b, shard, lb route }

// failoverResult is what a kill of the leader measured.
type failoverResult struct {
	killed, successor *scaleBot
	when              string
	after             time.Duration
	posts             int // Create Message requests for the notice of the transaction at the kill
}

// story runs the same interactions and signing round trips in both runs. With kill, the leader
// is killed twice: while it applies the chunk with the redeem's events, and just after Discord
// created the last notice's message, before the answer reaches it (so the outbox still has the
// notice to deliver); each killed process is started again, as its supervisor would.
func (r *scaleRun) story(at scaleTargets, kill bool) []failoverResult {
	t := r.page().t
	alice, bob, carol := chain.Wallet{Key: chain.DevKey("alice")}, chain.Wallet{Key: chain.DevKey("bob")}, chain.Wallet{Key: chain.DevKey("carol")}
	sub := func(name string, opts ...discordtest.Option) discordtest.Option {
		return discordtest.Option{Name: name, Type: discordtest.OptionSubCommand, Options: opts}
	}
	amount := func(v string) discordtest.Option { return option("amount", discordtest.OptionString, v) }

	got, _ := r.command(at.lb, discordAlice, "setup", option("channel", discordtest.OptionChannel, noticeChan))
	mustHave(t, "/setup", got, "On-chain notices will be posted in <#"+noticeChan+">.")

	// Wallet links: each made on one instance and signed on another.
	for _, m := range []struct {
		u          discordtest.User
		w          chain.Wallet
		made, page route
	}{{discordAlice, alice, at.a, at.b}, {discordBob, bob, at.b, at.a}, {discordCarol, carol, at.shard, at.lb}} {
		got, link := r.command(m.made, m.u, "wallet", sub("link"))
		mustHave(t, "/wallet link on "+m.made.name, got, "Open the link and sign the message")
		r.page().approveWalletLink(rebase(link, m.page.bot.base), m.w)
	}
	// Every link works from every instance.
	for _, m := range []struct {
		u discordtest.User
		w chain.Wallet
	}{{discordAlice, alice}, {discordBob, bob}, {discordCarol, carol}} {
		for _, on := range []route{at.a, at.b, at.shard, at.lb} {
			got, _ := r.command(on, m.u, "wallet", sub("show"))
			mustHave(t, "/wallet show for "+m.u.Username+" on "+on.name, got, m.w.Address().Hex())
		}
	}

	a, b, c := "<@"+discordAlice.ID+">", "<@"+discordBob.ID+">", "<@"+discordCarol.ID+">"
	r.sign(at.a, at.b, discordAlice, alice, a+" created a tUSD reserve", "reserve", sub("create"))
	r.sign(at.lb, at.lb, discordAlice, alice, a+" deposited 300 tUSD into their reserve", "reserve", sub("deposit", amount("300")))
	r.sign(at.b, at.a, discordAlice, alice, a+" extended "+b+" a budget of 100 tUSD.", "trust",
		option("member", discordtest.OptionUser, discordBob), amount("100"))

	// The redeem: the leader is killed while it applies the chunk with its events.
	var failovers []failoverResult
	redeemed := b + " redeemed 30 tUSD from " + a + "'s reserve."
	if !kill {
		r.sign(at.shard, at.a, discordBob, bob, redeemed, "redeem", amount("30"))
	} else {
		var killed *scaleBot
		r.signWith(at.shard, at.a, discordBob, bob, redeemed, "redeem", func() { killed = r.killLeader(false) }, amount("30"))
		failovers = append(failovers, r.failover(at, killed, "mid-chunk (eth_getLogs answered with the redeem's logs)", redeemed, 1))
	}

	for _, on := range []route{at.a, at.b, at.shard, at.lb} {
		got, _ := r.command(on, discordBob, "balance")
		mustHave(t, "/balance for bob on "+on.name, got, "holds 70 of a 100 budget")
	}

	// The last notice: its poster dies once Discord has the message but before it hears so.
	trusted := a + " extended " + c + " a budget of 20 tUSD."
	if !kill {
		r.sign(at.lb, at.b, discordAlice, alice, trusted, "trust", option("member", discordtest.OptionUser, discordCarol), amount("20"))
	} else {
		var killed *scaleBot
		r.signWith(at.lb, at.b, discordAlice, alice, trusted, "trust", func() { killed = r.killLeader(true) },
			option("member", discordtest.OptionUser, discordCarol), amount("20"))
		failovers = append(failovers, r.failover(at, killed, "after Discord created its notice, before the answer reached it", trusted, 2))
	}
	for _, on := range []route{at.a, at.b, at.shard, at.lb} {
		got, _ := r.command(on, discordCarol, "balance")
		mustHave(t, "/balance for carol on "+on.name, got, "20 budget")
	}
	return failovers
}

// failover waits for a standby to take the lease from killed and for minPosts Create Message
// requests for notice, and starts killed again: it comes back as a standby.
func (r *scaleRun) failover(at scaleTargets, killed *scaleBot, when, notice string, minPosts int) failoverResult {
	r.t.Helper()
	res := failoverResult{killed: killed, when: when}
	res.successor, res.after = r.successor(killed)
	// The successor delivers what the outbox still holds; a repeat carries the same nonce.
	deadline := time.Now().Add(10 * time.Second)
	for {
		res.posts = 0
		for _, m := range r.fake.Find("POST", discordtest.TemplateChannelMessages) {
			if content, _ := m.Map()["content"].(string); strings.Contains(content, notice) {
				res.posts++
			}
		}
		if res.posts >= minPosts || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	from := r.logs.len()
	before := r.gw.count()
	r.launch(killed)
	if killed == at.shard.bot {
		deadline := time.Now().Add(10 * time.Second)
		for r.gw.count() == before && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		r.gateway(killed)
	}
	time.Sleep(scaleLeaseTTL / 2)
	if i, _ := r.logs.find(from, killed.n, "leader: took the lease"); i >= 0 {
		r.t.Errorf("%s, started again, took the lease from %s", killed.name, res.successor.name)
	}
	return res
}

// command sends a slash command to on (over its HTTP endpoint, or over the gateway for the shard)
// and returns the reply as the member finally sees it.
func (r *scaleRun) command(on route, u discordtest.User, name string, opts ...discordtest.Option) (content, link string) {
	r.t.Helper()
	body := discordtest.SlashCommand(testAppID, testGuildID, testChannel, u, name, opts...)
	var in struct{ ID, Token string }
	if err := json.Unmarshal(body, &in); err != nil {
		r.t.Fatal(err)
	}
	sent := sentInteraction{id: in.ID, token: in.Token, via: on.name}
	var first []byte
	if on.gateway {
		n := len(r.fake.Find("POST", discordtest.TemplateInteractionCallback))
		r.gw.dispatchOn(r.t, on.bot.session, body)
		cbs := r.fake.WaitFor("POST", discordtest.TemplateInteractionCallback, n+1, 10*time.Second)
		for _, cb := range cbs[n:] {
			if strings.Contains(cb.Path, "/interactions/"+in.ID+"/") {
				first = cb.Body
			}
		}
		if first == nil {
			r.t.Fatalf("/%s over the gateway of %s: got no callback for interaction %s", name, on.name, in.ID)
		}
	} else {
		sent.overHTTP = true
		res, err := r.http.Do(discordtest.SignedRequest(on.bot.base+"/interactions", r.priv, body, time.Now()))
		if err != nil {
			r.t.Fatalf("/%s on %s: %v", name, on.name, err)
		}
		first, _ = io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			r.t.Fatalf("/%s on %s: got %s %s, want 200", name, on.name, res.Status, first)
		}
	}
	var cb struct {
		Type int `json:"type"`
		Data struct {
			Content    string `json:"content"`
			Components []struct {
				Components []struct{ URL string } `json:"components"`
			} `json:"components"`
		} `json:"data"`
	}
	if err := json.Unmarshal(first, &cb); err != nil {
		r.t.Fatalf("/%s on %s: %v in %s", name, on.name, err, first)
	}
	switch cb.Type {
	case 4:
		content = cb.Data.Content
		if len(cb.Data.Components) > 0 && len(cb.Data.Components[0].Components) > 0 {
			link = cb.Data.Components[0].Components[0].URL
		}
	case 5:
		sent.deferred = true
		content, link = r.page().waitEdit(in.Token, 0)
	default:
		r.t.Fatalf("/%s on %s: got response type %d, want 4 or 5", name, on.name, cb.Type)
	}
	r.mu.Lock()
	r.answered = append(r.answered, sent)
	r.mu.Unlock()
	return content, link
}

// page is the discordStack helpers (the wallet-link page's and the fake Discord's) for this run;
// only a test, not a benchmark, has them.
func (r *scaleRun) page() *discordStack {
	t, ok := r.t.(*testing.T)
	if !ok {
		r.t.Fatal("the page helpers run in tests only")
	}
	return &discordStack{t: t, fake: r.fake, priv: r.priv, http: r.http}
}

// sign runs a chain command on made, signs its link on the page of page, and waits for the
// notice in the channel and the confirmation of the request.
func (r *scaleRun) sign(made, page route, u discordtest.User, w chain.Wallet, notice, name string, opts ...discordtest.Option) {
	r.t.Helper()
	r.signWith(made, page, u, w, notice, name, nil, opts...)
}

// signWith is sign with sent, when not nil, called once the transaction is mined and reported
// but before the request is confirmed.
func (r *scaleRun) signWith(made, page route, u discordtest.User, w chain.Wallet, notice, name string, sent func(), opts ...discordtest.Option) {
	r.t.Helper()
	text, link := r.command(made, u, name, opts...)
	if !strings.HasPrefix(link, r.public+"/s/") {
		r.t.Fatalf("/%s on %s: got %q with button %q, want a signing link to %s/s/…", name, made.name, text, link, r.public)
	}
	link = rebase(link, page.bot.base)
	st := r.page()
	ctx := r.t.Context()
	var req struct {
		Status string                             `json:"status"`
		Error  string                             `json:"error"`
		Calls  []struct{ To, Data, Value string } `json:"calls"`
	}
	st.getJSON(link+".json", &req)
	eth := r.chain.Client().Eth()
	id := r.chain.Client().ChainID()
	for i, sc := range req.Calls {
		call, err := pageCall(sc.To, sc.Data, sc.Value)
		if err != nil {
			r.t.Fatal(err)
		}
		last := i == len(req.Calls)-1
		if last && sent != nil {
			// The leader's gate kills it once the node has answered eth_getLogs with this call's
			// events, so the kill comes while it applies them.
			sent()
		}
		hash, err := w.Send(ctx, eth, id, call)
		if err != nil {
			r.t.Fatalf("send call %d: %v", i, err)
		}
		st.postJSON(link+"/tx", map[string]any{"index": i, "hash": hash.Hex()}, nil)
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		_, err = bind.WaitMined(wctx, eth, hash)
		cancel()
		if err != nil {
			r.t.Fatalf("call %d not mined: %v", i, err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		st.getJSON(link+".json", &req)
		if req.Status == string(trustbot.StatusConfirmed) {
			break
		}
		if req.Status == string(trustbot.StatusFailed) || req.Status == string(trustbot.StatusExpired) || req.Status == string(trustbot.StatusCancelled) {
			r.t.Fatalf("/%s: request got %s (%s), want confirmed", name, req.Status, req.Error)
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("/%s: request %s not confirmed within 30 s (status %s):\n%s", name, link, req.Status, r.logs.text())
		}
		time.Sleep(50 * time.Millisecond)
	}
	mustHave(r.page().t, "notice of /"+name, st.waitNotice(noticeChan, notice), notice, "https://explorer.example/tx/0x")
}

// killLeader arms a tripwire of the process holding the lease and returns that process: it is
// killed with SIGKILL as soon as the node has answered one of its eth_getLogs with logs, or with
// atPost as soon as Discord has created a channel message it posted, before the answer reaches it.
func (r *scaleRun) killLeader(atPost bool) *scaleBot {
	r.t.Helper()
	leader := r.leader()
	wire := &leader.gate.wire
	if atPost {
		wire = &leader.discord.wire
	}
	wire.arm(func() {
		leader.cmd.Process.Signal(syscall.SIGKILL)
	})
	return leader
}

// leader is the process that holds the lease now, by the lease row.
func (r *scaleRun) leader() *scaleBot {
	r.t.Helper()
	db, err := store.Open(r.t.Context(), r.dbURL, time.Now)
	if err != nil {
		r.t.Fatal(err)
	}
	defer db.Close()
	holder, _, err := db.LeaseHolder(r.t.Context(), store.LeaderLease)
	if err != nil {
		r.t.Fatal(err)
	}
	for _, b := range r.bots {
		select {
		case <-b.exited:
			continue
		default:
		}
		if strings.Contains(holder, "-"+strconv.Itoa(b.cmd.Process.Pid)+"-") {
			return b
		}
	}
	r.t.Fatalf("lease holder %q is none of the running processes", holder)
	return nil
}

// successor waits for the kill of killed and for another process to take the lease, and
// returns that process and the time from the kill to its taking the lease.
func (r *scaleRun) successor(killed *scaleBot) (*scaleBot, time.Duration) {
	r.t.Helper()
	killedAt, ok := killed.gate.wire.firedAt(100 * time.Millisecond)
	if !ok {
		killedAt, ok = killed.discord.wire.firedAt(30 * time.Second)
	}
	if !ok {
		r.t.Fatalf("the leader %s was never killed: no tripwire fired\n%s", killed.name, r.logs.text())
	}
	<-killed.exited
	deadline := time.Now().Add(3 * scaleLeaseTTL)
	for time.Now().Before(deadline) {
		for _, b := range r.bots {
			if b == killed {
				continue
			}
			if at, ok := r.logs.tookLease(b.n, killedAt); ok {
				return b, at.Sub(killedAt)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.t.Fatalf("no process took the lease within %v of killing %s:\n%s", 3*scaleLeaseTTL, killed.name, r.logs.text())
	return nil, 0
}

// checkAnswers checks every interaction the story sent was answered exactly once: one answer
// (the HTTP response, or one callback for the gateway) and, when deferred, one edit with the
// result (the edits that tell a request's confirmation come on top).
func (r *scaleRun) checkAnswers() {
	r.t.Helper()
	callbacks := map[string]int{}
	for _, cb := range r.fake.Find("POST", discordtest.TemplateInteractionCallback) {
		parts := strings.Split(cb.Path, "/")
		for i, p := range parts {
			if p == "interactions" && i+1 < len(parts) {
				callbacks[parts[i+1]]++
			}
		}
	}
	results := map[string]int{}
	for _, e := range r.fake.Find("PATCH", discordtest.TemplateOriginalResponse) {
		if content, _ := e.Map()["content"].(string); !strings.HasPrefix(content, "Confirmed on chain:") {
			for _, s := range r.answered {
				if strings.Contains(e.Path, "/"+s.token+"/") {
					results[s.token]++
				}
			}
		}
	}
	for _, s := range r.answered {
		wantCallbacks := 1
		if s.overHTTP {
			wantCallbacks = 0 // the HTTP response is the answer
		}
		if callbacks[s.id] != wantCallbacks {
			r.t.Errorf("interaction %s via %s: got %d callbacks, want %d", s.id, s.via, callbacks[s.id], wantCallbacks)
		}
		wantResults := 0
		if s.deferred {
			wantResults = 1
		}
		if results[s.token] != wantResults {
			r.t.Errorf("interaction %s via %s: got %d edits with its result, want %d", s.id, s.via, results[s.token], wantResults)
		}
	}
}

// checkNotices checks the notice channel shows want messages, each once.
func (r *scaleRun) checkNotices(want int) {
	r.t.Helper()
	msgs := r.fake.Messages(noticeChan)
	seen := map[string]int{}
	for _, m := range msgs {
		content, _ := m["content"].(string)
		seen[content]++
	}
	if len(msgs) != want {
		r.t.Errorf("notice channel: got %d messages, want %d: %v", len(msgs), want, seen)
	}
	for content, n := range seen {
		if n != 1 {
			r.t.Errorf("notice %q: shown %d times, want once", content, n)
		}
	}
}

// loopbackAddr is a loopback address with a port nothing listens on.
func loopbackAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// rebase puts link's path on base: the same page reached on another instance.
func rebase(link, base string) string {
	i := strings.Index(link, "/s/")
	if i < 0 {
		i = strings.Index(link, "/l/")
	}
	if i < 0 {
		return link
	}
	return base + link[i:]
}

// tookLeaseAt matches the time of a slog text line.
var tookLeaseAt = regexp.MustCompile(`time=(\S+) level=INFO msg="leader: took the lease"`)

// tookLease reports when child logged that it took the lease, after after.
func (l *lineLog) tookLease(child int, after time.Time) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		if line.child != child {
			continue
		}
		m := tookLeaseAt.FindStringSubmatch(line.text)
		if m == nil {
			continue
		}
		at, err := time.Parse(time.RFC3339Nano, m[1])
		if err == nil && at.After(after) {
			return at, true
		}
	}
	return time.Time{}, false
}

// logsGate forwards a bot's JSON-RPC to the chain. Armed, it runs a function right after
// forwarding the first eth_getLogs answer that carries logs: the process that asked is then
// applying them.
type logsGate struct {
	*httptest.Server
	wire    tripwire
	hung    atomic.Bool   // hang: no request is answered any more
	closing chan struct{} // closed when the test ends: hung requests end
}

// hang makes the node behind the gate hang: it accepts connections and never answers.
func (g *logsGate) hang() { g.hung.Store(true) }

func newLogsGate(t testing.TB, upstream string) *logsGate {
	t.Helper()
	g := &logsGate{closing: make(chan struct{})}
	hc := &http.Client{Timeout: 30 * time.Second}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if g.hung.Load() {
			// A hung node: the connection is accepted and the request read, and no answer comes.
			select {
			case <-r.Context().Done():
			case <-g.closing:
			}
			return
		}
		res, err := hc.Post(upstream, "application/json", bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		out, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(res.StatusCode)
		w.Write(out)
		if rpcMethods(body) != "eth_getLogs" {
			return
		}
		var logs struct {
			Result []json.RawMessage `json:"result"`
		}
		if json.Unmarshal(out, &logs) != nil || len(logs.Result) == 0 {
			return
		}
		http.NewResponseController(w).Flush()
		g.wire.fire()
	}))
	t.Cleanup(func() {
		close(g.closing)
		g.Close()
	})
	return g
}

// posterProxy is a bot's Discord REST proxy (its DISCORD_API_URL) in front of the fake Discord.
// Its tripwire fires once the fake has created a channel message the bot posted, before the
// answer goes back: Discord has the message and the bot never hears so.
type posterProxy struct {
	*httptest.Server
	wire tripwire
}

func newPosterProxy(t testing.TB, fake *discordtest.Server) *posterProxy {
	t.Helper()
	p := &posterProxy{}
	fc := fake.Client()
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := http.NewRequestWithContext(r.Context(), r.Method, "https://discord.com"+r.URL.RequestURI(), r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		out.Header = r.Header.Clone()
		res, err := fc.Do(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if r.Method == http.MethodPost && res.StatusCode == http.StatusOK && channelMessages.MatchString(r.URL.Path) && p.wire.fire() {
			http.Error(w, "the bot was killed", http.StatusBadGateway)
			return
		}
		for k, v := range res.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(res.StatusCode)
		w.Write(body)
	}))
	t.Cleanup(p.Close)
	return p
}

// channelMessages matches the path of Create Message.
var channelMessages = regexp.MustCompile(`/channels/\d+/messages$`)

// tripwire runs a function once, when armed and fired, and remembers when.
type tripwire struct {
	mu    sync.Mutex
	armed func()
	at    time.Time
	done  chan struct{}
}

// arm makes the next fire run f.
func (w *tripwire) arm(f func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.armed = f
	if w.done == nil {
		w.done = make(chan struct{})
	}
}

// fire runs the armed function, if any, and reports whether it did.
func (w *tripwire) fire() bool {
	w.mu.Lock()
	f := w.armed
	w.armed = nil
	w.mu.Unlock()
	if f == nil {
		return false
	}
	f()
	w.mu.Lock()
	w.at = time.Now()
	close(w.done)
	w.mu.Unlock()
	return true
}

// firedAt waits up to limit for the armed function to have run and returns when it did.
func (w *tripwire) firedAt(limit time.Duration) (time.Time, bool) {
	w.mu.Lock()
	done := w.done
	w.mu.Unlock()
	if done == nil {
		return time.Time{}, false
	}
	select {
	case <-done:
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.at, true
	case <-time.After(limit):
		return time.Time{}, false
	}
}

// TestScaleDocNginx: the nginx configuration docs/scale.md shows is the one the failover test
// runs nginx with, nginxtest.Config, for the upstreams and listen address the page names.
func TestScaleDocNginx(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "scale.md"))
	if err != nil {
		t.Fatal(err)
	}
	const marker = `<!-- nginx.conf: nginxtest.Config([]string{"10.0.0.11:8080", "10.0.0.12:8080"}, "127.0.0.1:8000") -->` + "\n```nginx\n"
	_, rest, ok := strings.Cut(string(doc), marker)
	if !ok {
		t.Fatalf("docs/scale.md: got no block after %q", marker)
	}
	block, _, ok := strings.Cut(rest, "```\n")
	if !ok {
		t.Fatal("docs/scale.md: the nginx block is not closed")
	}
	if want := nginxtest.Config([]string{"10.0.0.11:8080", "10.0.0.12:8080"}, "127.0.0.1:8000"); block != want {
		t.Errorf("docs/scale.md's nginx block differs from nginxtest.Config:\n%s", storetest.LineDiff(block, want))
	}
}
