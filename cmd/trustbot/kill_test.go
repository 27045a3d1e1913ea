package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/big"
	"math/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/bindings"
	"github.com/trustbot/trustbot/chain/chaintest"
	"github.com/trustbot/trustbot/chain/devchain"
	"github.com/trustbot/trustbot/internal/pgtest"
	"github.com/trustbot/trustbot/store/storetest"
)

// killChildEnv set to 1 makes TestKillHelperProcess run the playground.
const killChildEnv = "TRUSTBOT_KILL_CHILD"

// TestKillHelperProcess is the playground process that TestKillDuringSigning starts and kills:
// the test binary run again with -test.run=^TestKillHelperProcess$ and TRUSTBOT_KILL_CHILD=1.
// It runs `trustbot playground` exactly as main does, reading commands on stdin, printing
// replies and notices on stdout, configured by the environment. In a normal test run it
// returns at once.
func TestKillHelperProcess(t *testing.T) {
	if os.Getenv(killChildEnv) != "1" {
		return
	}
	if err := run(context.Background(), []string{"playground"}); err != nil {
		fmt.Fprintln(os.Stderr, "trustbot:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// The story's signing request and what marks its end.
const (
	killTrustLine  = "/trust @bob 1"
	killNoticeText = "[notice] @alice extended @bob a budget of 1 ETH."
)

// killPoint is where a run of the story kills its playground, counted from the moment the
// signing link was printed: at the playground's rpc-th JSON-RPC request (before the request is
// forwarded to the chain), or delay later, or delay after the story's notice was printed. A
// point the story ends before is still waited for, so it kills the finished playground. The
// zero point never kills.
type killPoint struct {
	rpc      int
	delay    time.Duration
	atNotice bool
}

func (p killPoint) String() string {
	switch {
	case p.rpc > 0:
		return fmt.Sprintf("RPC call %d", p.rpc)
	case p.atNotice:
		return fmt.Sprintf("%v after the notice", p.delay)
	case p.delay > 0:
		return fmt.Sprintf("%v after the link", p.delay)
	}
	return "none"
}

// TestKillDuringSigning kills the playground process with SIGKILL during a signing-request
// submission and restarts it on the same database, at 32 points: each of the playground's first
// 20 JSON-RPC calls after the link (before the call reaches the chain), 6 moments drawn with a
// fixed seed from the first 150 ms after the link, and 6 at the notice or up to 1 ms after it.
//
// The story: alice and bob link their wallets and alice creates an ETH reserve and deposits 2 ETH
// (before any kill), then `/trust @bob 1` makes a signing link. The test is alice's browser: it
// opens the page, fetches its JSON, signs the call with alice's dev key and sends it to the chain
// itself, reports the hash with POST /s/{id}/tx and waits until the request is confirmed and the
// notice printed. The chain runs in the test process and the playground reaches it through a
// JSON-RPC proxy that counts the playground's calls. After a kill a new playground starts on the
// same data directory and the wallet goes on as a page would: a transaction it already sent is
// reported again (never sent twice), a while later when its report had failed; one it had not
// sent is sent now, whether the playground is up or not.
//
// Each run's database (every table, normalized by storetest.Normalize) must equal an uninterrupted
// run's; the chain must hold exactly one transaction from alice and one Trusted event for the
// story; the request ends confirmed and its notice is printed at least once, at most once per
// process.
func TestKillDuringSigning(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills playground processes")
	}
	const (
		rpcPoints    = 20                     // the k-th RPC call for every k from 1 to 20
		linkPoints   = 6                      // a moment uniform in the first 150 ms after the link
		linkSpan     = 150 * time.Millisecond // an uninterrupted run confirms in about 100–150 ms
		noticePoints = 6                      // as the notice is read (3), or up to 1 ms later (3)
		seed         = 7
	)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	base := runKillStory(t, exe, killPoint{})
	if base.kill != nil {
		t.Fatalf("the uninterrupted run was killed: %+v", base.kill)
	}
	if got := len(base.notices); got != 1 || base.notices[0] != 1 {
		t.Fatalf("uninterrupted run: notice printed %v times per process, want once", base.notices)
	}
	t.Logf("uninterrupted run: %d RPC calls in %v from the link to the notice and confirmation: %s\nits database, normalized:\n%s",
		len(base.window), base.windowTime.Round(time.Millisecond), strings.Join(base.window, " "), base.digest)

	rng := rand.New(rand.NewSource(seed))
	var points []killPoint
	for k := 1; k <= rpcPoints; k++ {
		points = append(points, killPoint{rpc: k})
	}
	for range linkPoints {
		points = append(points, killPoint{delay: time.Duration(1+rng.Int63n(int64(linkSpan/time.Microsecond))) * time.Microsecond})
	}
	for i := range noticePoints {
		d := time.Duration(0)
		if i%2 == 1 {
			d = time.Duration(1+rng.Int63n(1000)) * time.Microsecond
		}
		points = append(points, killPoint{atNotice: true, delay: d})
	}

	phases := map[string]int{}
	killed := 0
	for _, p := range points {
		r := runKillStory(t, exe, p)
		if r.kill == nil {
			t.Logf("kill point %v: not reached", p)
			continue
		}
		killed++
		phases[r.kill.phase]++
		t.Logf("kill point %v: killed at %s; %s; notice printed %v times per process", p, r.kill.at, r.kill.phase, r.notices)
		if r.digest != base.digest {
			t.Errorf("kill point %v (%s): got database\n%s\nwant the uninterrupted run's\n%s\ndiffering lines:\n%s",
				p, r.kill.phase, r.digest, base.digest, storetest.LineDiff(r.digest, base.digest))
		}
	}
	if killed < 20 {
		t.Errorf("kill points that killed the playground: got %d of %d, want at least 20", killed, len(points))
	}
	var where []string
	for _, ph := range slices.Sorted(maps.Keys(phases)) {
		where = append(where, fmt.Sprintf("%d× %s", phases[ph], ph))
	}
	t.Logf("%d kill points (%d at RPC calls, %d after the link and %d after the notice with seed %d), %d killed a playground; where they fell:\n%s\n%v in all",
		len(points), rpcPoints, linkPoints, noticePoints, seed, killed, strings.Join(where, "\n"), time.Since(start).Round(time.Millisecond))
}

// killResult is what one run of the story ends with.
type killResult struct {
	digest     string        // the normalized database
	window     []string      // the methods of the playground's RPC calls from the link to the end
	windowTime time.Duration // from the link to the end
	notices    []int         // how often each process printed the story's notice
	kill       *killRecord   // nil when nothing was killed
}

// killRecord says where a kill fell.
type killRecord struct {
	at    string // the RPC call it stopped, or the moment
	sent  bool   // whether the wallet had sent the transaction
	phase string // the request, transaction, event and notice at that point
}

// runKillStory runs the story on a new chain and data directory, killing the playground at p,
// checks its end state and returns the database digest.
func runKillStory(t *testing.T, exe string, p killPoint) killResult {
	t.Helper()
	ctx := context.Background()
	node, err := devchain.Start(ctx, devchain.Options{Members: devMembers, Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatalf("dev chain: %v", err)
	}
	defer node.Close()
	gate := newRPCGate(t, node.URL())
	defer gate.Close()
	ks := &killStory{t: t, exe: exe, node: node, gate: gate, dir: t.TempDir(), out: &lineLog{}}
	if os.Getenv("TRUSTBOT_STORE") == "postgres" {
		ks.databaseURL = pgtest.URL(t)
	}
	ks.env = ks.childEnv(freeAddr(t))
	defer ks.stop()

	// Set-up, before any kill: two linked wallets and a funded reserve, then the signing link.
	ks.startChild()
	for _, step := range []struct{ line, want string }{
		{"/wallet link", "/l/"}, {"/approve", "to @alice."},
		{"/as bob", "You are now @bob."}, {"/wallet link", "/l/"}, {"/approve", "to @bob."},
		{"/as alice", "You are now @alice."},
		{"/reserve create", "/s/"}, {"/approve", "Confirmed:"},
		{"/reserve deposit 2", "/s/"}, {"/approve", "Confirmed:"},
		{killTrustLine, "→ http"},
	} {
		ks.exec(step.line, step.want)
	}
	link := strings.TrimSpace(strings.TrimPrefix(ks.out.last("→ http"), "→"))
	alice, _ := node.Member("alice")
	nonceBefore, err := node.Client().Eth().NonceAt(ctx, alice.Address(), nil)
	if err != nil {
		t.Fatal(err)
	}

	// The window: from the link to the confirmed request and its notice. One kill at most.
	w := &pageWallet{link: link, key: alice, eth: node.Client().Eth(), chainID: node.ChainID()}
	windowStart := time.Now()
	gate.open()
	var (
		mu     sync.Mutex
		armed  = true
		kill   *killRecord
		fired  = make(chan struct{})
		onceUp sync.Once
	)
	doKill := func(at string) {
		mu.Lock()
		if armed {
			armed = false
			ks.child.kill()
			kill = &killRecord{at: at, sent: w.sent.Load() > 0}
		}
		mu.Unlock()
		onceUp.Do(func() { close(fired) })
	}
	switch {
	case p.rpc > 0:
		gate.killAt(p.rpc, func(method string) { doKill(fmt.Sprintf("RPC call %d (%s)", p.rpc, method)) })
	case p.atNotice:
		var once sync.Once
		ks.out.onLine(func(line string) {
			if strings.Contains(line, killNoticeText) {
				once.Do(func() {
					at := fmt.Sprintf("%v after the notice", p.delay)
					if p.delay == 0 {
						doKill(at) // as the line is read
						return
					}
					time.AfterFunc(p.delay, func() { doKill(at) })
				})
			}
		})
	case p.delay > 0:
		time.AfterFunc(p.delay, func() { doKill(fmt.Sprintf("%v after the link", p.delay)) })
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		err := w.submit(ctx, ks)
		if err == nil {
			if p != (killPoint{}) {
				// A point the story got past kills the finished playground.
				select {
				case <-fired:
				case <-time.After(5 * time.Second):
				}
			}
			mu.Lock()
			armed = false
			mu.Unlock()
			if !ks.child.wasKilled() {
				break
			}
		} else if !errors.Is(err, errChildDown) || !ks.child.wasKilled() {
			t.Fatalf("kill point %v: wallet: %v\nplayground output:\n%s\nstderr:\n%s", p, err, ks.out.text(), ks.stderrText())
		}
		if time.Now().After(deadline) {
			t.Fatalf("kill point %v: the story did not end in time", p)
		}
		<-ks.child.exited
		mu.Lock()
		kill.phase = ks.phase(w.id(), kill.sent)
		mu.Unlock()
		ks.startChild()
	}
	res := killResult{window: gate.close(), windowTime: time.Since(windowStart), kill: kill}
	ks.settle()
	ks.quit()

	// The chain: one transaction from alice for the story, one Trusted event, a budget of 1 ETH.
	if got, err := node.Client().Eth().NonceAt(ctx, alice.Address(), nil); err != nil || got != nonceBefore+1 {
		t.Errorf("kill point %v: alice's transactions since the link: got %d (err %v), want 1", p, got-nonceBefore, err)
	}
	if got := w.sent.Load(); got != 1 {
		t.Errorf("kill point %v: transactions the wallet sent: got %d, want 1", p, got)
	}
	reserve, err := node.Client().ReserveOf(ctx, alice.Address(), common.Address{})
	if err != nil {
		t.Fatal(err)
	}
	trusted := bindings.NewTrustReserve().GetABI().Events["Trusted"].ID
	logs, err := node.Client().Eth().FilterLogs(ctx, ethereum.FilterQuery{
		FromBlock: big.NewInt(0), Addresses: []common.Address{reserve.Address}, Topics: [][]common.Hash{{trusted}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) != 1 || logs[0].TxHash != w.hash {
		t.Errorf("kill point %v: Trusted events on chain: got %d, want 1 (from %s)", p, len(logs), w.hash.Hex())
	}
	bob, _ := node.Member("bob")
	if _, budget, err := node.Client().Account(ctx, reserve.Address, bob.Address()); err != nil || budget.Cmp(big.NewInt(1e18)) != 0 {
		t.Errorf("kill point %v: bob's budget: got %v wei (err %v), want 1 ETH", p, budget, err)
	}

	// The notice: at least once in all, at most once per process.
	res.notices = append(res.notices, ks.out.countPerChild(killNoticeText, ks.children)...)
	total := 0
	for _, n := range res.notices {
		total += n
		if n > 1 {
			t.Errorf("kill point %v: notice printed %v times per process, want at most once each", p, res.notices)
		}
	}
	if total == 0 {
		t.Errorf("kill point %v: notice %q: never printed, want at least once", p, killNoticeText)
	}

	// The database: the request confirmed with the one transaction; the digest of every table.
	db := storetest.OpenReadOnly(t, ks.database())
	defer db.Close()
	var status, txHash string
	if err := db.QueryRow(`SELECT r.status, t.tx_hash FROM signing_requests r JOIN signing_txs t ON t.request_id = r.id
		WHERE r.id = '`+w.id()+`'`).Scan(&status, &txHash); err != nil || status != string(trustbot.StatusConfirmed) ||
		txHash != strings.ToLower(w.hash.Hex()) {
		t.Errorf("kill point %v: request: got status %q with tx %s (err %v), want confirmed with %s", p, status, txHash, err, w.hash.Hex())
	}
	res.digest = storetest.Digest(t, db, func(n uint64) common.Hash {
		h, err := node.Client().Eth().HeaderByNumber(ctx, new(big.Int).SetUint64(n))
		if err != nil {
			return common.Hash{}
		}
		return h.Hash()
	})
	return res
}

// killStory is one run: the chain, the proxy, the playground's data directory and environment,
// the current playground process and everything the processes printed.
type killStory struct {
	t        *testing.T
	exe      string
	node     *devchain.Chain
	gate     *rpcGate
	dir      string
	env      []string
	out      *lineLog
	stderr   syncBuffer
	child    *playgroundChild
	children int
	// databaseURL is the PostgreSQL database the playground uses (TRUSTBOT_STORE=postgres: make
	// test runs the kill tests both ways); "" for its SQLite file in dir.
	databaseURL string
}

// database is where the story's database is, for storetest.OpenReadOnly.
func (ks *killStory) database() string {
	if ks.databaseURL != "" {
		return ks.databaseURL
	}
	return filepath.Join(ks.dir, "playground.db")
}

// childEnv is the test's environment without any trustbot setting, plus the playground's:
// the external chain through the proxy, the data directory and a fixed listen address (the
// signing links must keep working across restarts).
func (ks *killStory) childEnv(listen string) []string {
	ours := map[string]bool{}
	ct := reflect.TypeOf(Config{})
	for i := range ct.NumField() {
		name, _, _ := strings.Cut(ct.Field(i).Tag.Get("env"), ",")
		ours[name] = true
	}
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !ours[k] && k != killChildEnv {
			env = append(env, kv)
		}
	}
	if ks.databaseURL != "" {
		// A killed process's lease runs out before its successor leads: the shortest TTL.
		env = append(env, "DATABASE_URL="+ks.databaseURL, "LEASE_TTL=3s")
	}
	return append(env,
		killChildEnv+"=1",
		"ETH_RPC_URL="+ks.gate.URL,
		fmt.Sprintf("CHAIN_ID=%d", devchain.ChainID),
		"FACTORY_ADDRESS="+ks.node.Factory().Hex(),
		"ASSETS=ETH=native,tUSD="+ks.node.TestUSD().Hex(),
		"DATA_DIR="+ks.dir,
		"LISTEN_ADDR="+listen,
		"CONFIRMATIONS=0",
		"POLL_INTERVAL=50ms",
		"LINK_TTL=15m",
		"LOG_LEVEL=info",
	)
}

// startChild starts a playground process and waits until it prompts.
func (ks *killStory) startChild() {
	ks.t.Helper()
	cmd := exec.Command(ks.exe, "-test.run=^TestKillHelperProcess$", "-test.count=1")
	cmd.Env = ks.env
	cmd.Stderr = &ks.stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		ks.t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		ks.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		ks.t.Fatalf("start playground: %v", err)
	}
	ks.children++
	c := &playgroundChild{cmd: cmd, stdin: stdin, exited: make(chan struct{})}
	ks.child = c
	n := ks.children
	read := make(chan struct{})
	go func() {
		defer close(read)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			ks.out.add(n, sc.Text())
		}
	}()
	go func() {
		<-read
		c.err = cmd.Wait()
		close(c.exited)
	}()
	if !ks.out.waitFor(n, "You are @alice.", 30*time.Second, c.exited) {
		ks.t.Fatalf("playground %d did not start:\n%s\nstderr:\n%s", n, ks.out.text(), ks.stderrText())
	}
}

// exec types a line and waits for a line containing want after it.
func (ks *killStory) exec(line, want string) {
	ks.t.Helper()
	from := ks.out.len()
	if _, err := io.WriteString(ks.child.stdin, line+"\n"); err != nil {
		ks.t.Fatalf("%s: %v", line, err)
	}
	if !ks.out.waitAfter(from, want, 30*time.Second, ks.child.exited) {
		ks.t.Fatalf("%s: no line containing %q in:\n%s\nstderr:\n%s", line, want, ks.out.text(), ks.stderrText())
	}
}

// quit ends the playground's input and waits until it exits cleanly.
func (ks *killStory) quit() {
	ks.t.Helper()
	ks.child.stdin.Close()
	select {
	case <-ks.child.exited:
	case <-time.After(30 * time.Second):
		ks.t.Fatal("the playground did not exit at the end of its input")
	}
	if ks.child.err != nil {
		ks.t.Fatalf("the playground exited with %v; stderr:\n%s", ks.child.err, ks.stderrText())
	}
}

// settle waits until the chain has nothing pending and the playground has indexed its head, so
// the database holds every effect of the story, a late one too.
func (ks *killStory) settle() {
	ks.t.Helper()
	ctx := context.Background()
	eth := ks.node.Client().Eth()
	deadline := time.Now().Add(15 * time.Second)
	for {
		pending, err := eth.PendingTransactionCount(ctx)
		if err != nil {
			ks.t.Fatal(err)
		}
		head, err := eth.BlockNumber(ctx)
		if err != nil {
			ks.t.Fatal(err)
		}
		var cursor uint64
		db := storetest.OpenReadOnly(ks.t, ks.database())
		err = db.QueryRow("SELECT block_number FROM watcher_cursor").Scan(&cursor)
		leads := true
		if err == nil && ks.databaseURL != "" {
			// On PostgreSQL a killed process's lease must run out first: the running one leads.
			var holder string
			err = db.QueryRow(`SELECT coalesce(max(holder), '') FROM leases WHERE name = 'leader' AND expires_at > now()`).Scan(&holder)
			leads = strings.Contains(holder, fmt.Sprintf("-%d-", ks.child.cmd.Process.Pid))
		}
		db.Close()
		if err == nil && pending == 0 && cursor >= head && leads {
			return
		}
		if time.Now().After(deadline) {
			ks.t.Fatalf("the playground did not settle: %d pending transactions, cursor %d (err %v), head %d", pending, cursor, err, head)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop kills a playground still running (a failed test).
func (ks *killStory) stop() {
	if ks.child != nil {
		ks.child.kill()
		<-ks.child.exited
	}
}

// phase describes the state a kill left: the request's status and transactions, the story's
// event and its notice in the database, and what the wallet had done.
func (ks *killStory) phase(id string, sent bool) string {
	ks.t.Helper()
	db := storetest.OpenReadOnly(ks.t, ks.database())
	defer db.Close()
	var status string
	var txs, events, queued, delivered int
	err := db.QueryRow(`SELECT status, (SELECT count(*) FROM signing_txs WHERE request_id = id) FROM signing_requests WHERE id = '`+id+`'`).Scan(&status, &txs)
	if err == nil {
		// The notice of a Trusted event is the outbox row of its transaction.
		err = db.QueryRow(`SELECT count(*), count(o.tx_hash), count(CASE WHEN o.state = 'delivered' THEN 1 END) FROM events e
			LEFT JOIN outbox o ON o.tx_hash = e.tx_hash WHERE e.name = 'Trusted'`).Scan(&events, &queued, &delivered)
	}
	if err != nil {
		ks.t.Fatalf("read the database after the kill: %v", err)
	}
	words := map[bool]string{false: "not ", true: ""}
	return fmt.Sprintf("wallet tx %ssent, request %s with %d tx, Trusted events %d (%d in the outbox, %d delivered), notice %sprinted",
		words[sent], status, txs, events, queued, delivered, words[ks.out.count(killNoticeText) > 0])
}

func (ks *killStory) stderrText() string {
	s, _ := ks.stderr.Since(0)
	return s
}

// playgroundChild is one playground process.
type playgroundChild struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	exited chan struct{} // closed once it has exited and its output is read
	err    error         // its exit status, once exited
	killed atomic.Bool
}

// kill sends SIGKILL; it reports whether this call killed it.
func (c *playgroundChild) kill() bool {
	if !c.killed.CompareAndSwap(false, true) {
		return false
	}
	c.cmd.Process.Signal(syscall.SIGKILL)
	return true
}

func (c *playgroundChild) wasKilled() bool { return c.killed.Load() }

// killThink is how long the user takes to open the link, and again to approve in the wallet.
const killThink = 20 * time.Millisecond

// pageRetry is how long the page waits before reporting a hash again when the server could not
// be reached (web/static/sign.js waits POLL_MS, 1 s): long enough for a restarted playground's
// watcher to apply the transaction first, as it would with the real page.
const pageRetry = 300 * time.Millisecond

// errChildDown is a wallet step that failed because the playground is gone.
var errChildDown = errors.New("the playground is down")

// pageWallet does what the signing page and the user's browser wallet do, outside the
// playground: it opens the page and fetches the request, sends the call from alice's key to the
// chain, reports the hash and waits for the confirmation. It remembers the hash across
// playground restarts, as a page does.
type pageWallet struct {
	link    string
	key     chain.Wallet
	eth     *ethclient.Client
	chainID *big.Int
	calls   []trustbot.Call
	hash    common.Hash
	sent    atomic.Int32 // transactions sent; read when the playground is killed
	// reportFailed: the last report of hash did not reach the server.
	reportFailed bool
}

// id is the signing request's id: the link's last path element.
func (w *pageWallet) id() string { return w.link[strings.LastIndex(w.link, "/")+1:] }

// submit takes the request from wherever the wallet is to confirmed with its notice printed. It
// returns errChildDown when a step failed because the playground was killed.
func (w *pageWallet) submit(ctx context.Context, ks *killStory) error {
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	do := func(method, url string, body, into any) error {
		var rd io.Reader
		if body != nil {
			b, err := json.Marshal(body)
			if err != nil {
				return err
			}
			rd = bytes.NewReader(b)
		}
		req, err := http.NewRequestWithContext(ctx, method, url, rd)
		if err != nil {
			return err
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := hc.Do(req)
		if err != nil {
			if ks.child.wasKilled() {
				return fmt.Errorf("%s %s: %w (%v)", method, url, errChildDown, err)
			}
			return err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			if ks.child.wasKilled() {
				return fmt.Errorf("%s %s: %w (%v)", method, url, errChildDown, err)
			}
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s %s: got %s %s, want 200", method, url, resp.Status, b)
		}
		if into == nil {
			return nil
		}
		return json.Unmarshal(b, into)
	}

	if w.calls == nil {
		// The user opens the link a moment later; opening the page marks the request opened,
		// and the page fetches the request it shows.
		time.Sleep(killThink)
		if err := do(http.MethodGet, w.link, nil, nil); err != nil {
			return err
		}
		var req requestJSON
		if err := do(http.MethodGet, w.link+".json", nil, &req); err != nil {
			return err
		}
		if len(req.Calls) != 1 {
			return fmt.Errorf("request %s: got %d calls, want 1", w.id(), len(req.Calls))
		}
		call, err := req.call(0)
		if err != nil {
			return err
		}
		w.calls = []trustbot.Call{call}
	}
	if w.hash == (common.Hash{}) {
		// The user approves in the wallet, which talks to the chain, not to the playground.
		time.Sleep(killThink)
		h, err := w.key.Send(ctx, w.eth, w.chainID, w.calls[0])
		if err != nil {
			return fmt.Errorf("send: %w", err)
		}
		w.hash = h
		w.sent.Add(1)
	}
	// Reported now, or again after a restart: the same hash. Like the page, a report that could
	// not reach the server is tried again a while later.
	if w.reportFailed {
		time.Sleep(pageRetry)
	}
	if err := do(http.MethodPost, w.link+"/tx", map[string]any{"index": 0, "hash": w.hash.Hex()}, nil); err != nil {
		w.reportFailed = true
		return err
	}
	w.reportFailed = false
	deadline := time.Now().Add(15 * time.Second)
	for {
		var req requestJSON
		if err := do(http.MethodGet, w.link+".json", nil, &req); err != nil {
			return err
		}
		switch req.Status {
		case string(trustbot.StatusConfirmed):
			if ks.out.count(killNoticeText) > 0 {
				return nil
			}
		case string(trustbot.StatusFailed), string(trustbot.StatusExpired), string(trustbot.StatusCancelled):
			return fmt.Errorf("request %s: got %s, want confirmed", w.id(), req.Status)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("request %s: got %s with %d notices, want confirmed with its notice", w.id(), req.Status, ks.out.count(killNoticeText))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// rpcGate forwards the playground's JSON-RPC to the chain. While open it records the method of
// every request (a batch as one request), and it can kill the playground at the n-th request,
// before forwarding it.
type rpcGate struct {
	*httptest.Server
	mu       sync.Mutex
	counting bool
	calls    []string
	target   int
	onTarget func(method string)
}

func newRPCGate(t *testing.T, upstream string) *rpcGate {
	t.Helper()
	g := &rpcGate{}
	hc := &http.Client{Timeout: 30 * time.Second}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		method := rpcMethods(body)
		g.mu.Lock()
		if g.counting {
			g.calls = append(g.calls, method)
			if len(g.calls) == g.target {
				f := g.onTarget
				g.target, g.onTarget = 0, nil
				g.mu.Unlock()
				f(method)
				http.Error(w, "killed", http.StatusServiceUnavailable)
				return
			}
		}
		g.mu.Unlock()
		chaintest.Forward(w, hc, upstream, body)
	}))
	return g
}

// open starts recording.
func (g *rpcGate) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.counting, g.calls = true, nil
}

// killAt runs f (instead of forwarding) at the n-th request since open.
func (g *rpcGate) killAt(n int, f func(method string)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.target, g.onTarget = n, f
}

// close stops recording and returns the methods recorded since open.
func (g *rpcGate) close() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.counting, g.target, g.onTarget = false, 0, nil
	return g.calls
}

// rpcMethods names a JSON-RPC request by its method; a batch as "[m1 m2 …]".
func rpcMethods(body []byte) string {
	type call struct {
		Method string `json:"method"`
	}
	if b := bytes.TrimSpace(body); len(b) > 0 && b[0] == '[' {
		var calls []call
		if json.Unmarshal(b, &calls) != nil {
			return "[?]"
		}
		names := make([]string, len(calls))
		for i, c := range calls {
			names[i] = c.Method
		}
		return "[" + strings.Join(names, " ") + "]"
	}
	var c call
	if json.Unmarshal(body, &c) != nil {
		return "?"
	}
	return c.Method
}

// lineLog is every line the playground processes printed, with the process's number (1, 2, …).
type lineLog struct {
	mu    sync.Mutex
	lines []outLine
	wake  chan struct{}
	hook  func(string) // sees each line as it is added
}

type outLine struct {
	child int
	text  string
}

func (l *lineLog) add(child int, s string) {
	l.mu.Lock()
	hook := l.hook
	l.lines = append(l.lines, outLine{child, s})
	if l.wake != nil {
		close(l.wake)
		l.wake = nil
	}
	l.mu.Unlock()
	if hook != nil {
		hook(s)
	}
}

func (l *lineLog) onLine(f func(string)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.hook = f
}

// find returns the index of the first line at or after from, of child (0 = any), containing want.
func (l *lineLog) find(from, child int, want string) (int, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := from; i < len(l.lines); i++ {
		if (child == 0 || l.lines[i].child == child) && strings.Contains(l.lines[i].text, want) {
			return i, nil
		}
	}
	if l.wake == nil {
		l.wake = make(chan struct{})
	}
	return -1, l.wake
}

// wait waits for a line as find describes; it gives up when the process exits or after limit.
func (l *lineLog) wait(from, child int, want string, limit time.Duration, exited <-chan struct{}) bool {
	timeout := time.After(limit)
	for {
		i, wake := l.find(from, child, want)
		if i >= 0 {
			return true
		}
		select {
		case <-wake:
		case <-exited:
			i, _ := l.find(from, child, want)
			return i >= 0
		case <-timeout:
			return false
		}
	}
}

func (l *lineLog) waitFor(child int, want string, limit time.Duration, exited <-chan struct{}) bool {
	return l.wait(0, child, want, limit, exited)
}

func (l *lineLog) waitAfter(from int, want string, limit time.Duration, exited <-chan struct{}) bool {
	return l.wait(from, 0, want, limit, exited)
}

func (l *lineLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.lines)
}

// count is the number of lines containing s.
func (l *lineLog) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, line := range l.lines {
		if strings.Contains(line.text, s) {
			n++
		}
	}
	return n
}

// countPerChild is count for each of the processes 1 … children.
func (l *lineLog) countPerChild(s string, children int) []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := make([]int, children)
	for _, line := range l.lines {
		if strings.Contains(line.text, s) {
			n[line.child-1]++
		}
	}
	return n
}

// last is the last line containing s.
func (l *lineLog) last(s string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := len(l.lines) - 1; i >= 0; i-- {
		if strings.Contains(l.lines[i].text, s) {
			return l.lines[i].text
		}
	}
	return ""
}

func (l *lineLog) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for _, line := range l.lines {
		fmt.Fprintf(&b, "[%d] %s\n", line.child, line.text)
	}
	return b.String()
}

// freeAddr is a loopback address with a port nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestNoticeOfTransactionReportedLate: the wallet sends a signing request's transaction but the
// page reports its hash only after the watcher has applied the transaction's events (the page
// was offline, the hash was pasted by hand, or the bot restarted in between), so no notice could
// name the request when they were applied. The report is accepted, the request confirmed, and
// the notice printed then, once.
func TestNoticeOfTransactionReportedLate(t *testing.T) {
	p, run := testPlayground(t)
	ctx := context.Background()
	for _, m := range []string{"alice", "bob"} {
		run("/as " + m)
		mustContain(t, "/wallet link", run("/wallet link"), "/l/")
		mustContain(t, "/approve (link)", run("/approve"), "Linked ")
	}
	run("/as alice")
	mustContain(t, "/reserve create ETH", run("/reserve create ETH"), "/s/")
	mustContain(t, "/approve (create)", run("/approve"), "Confirmed")
	mustContain(t, "/reserve deposit 2 asset:ETH", run("/reserve deposit 2 asset:ETH"), "/s/")
	mustContain(t, "/approve (deposit)", run("/approve"), "Confirmed")
	out := run("/trust @bob 1 asset:ETH")
	mustContain(t, "/trust @bob 1 asset:ETH", out, "/s/")
	link := strings.TrimSpace(out[strings.LastIndex(out, "→")+len("→"):])
	id := link[strings.LastIndex(link, "/")+1:]
	req, err := p.DB.Request(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	call := req.Calls[0]
	alice, _ := p.DevChain.Member("alice")
	hash, err := alice.Send(ctx, p.Chain.Eth(), p.Chain.ChainID(), call)
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the watcher applies the trust", func() bool {
		events, err := eventsNamed(ctx, p.DB, "Trusted")
		return err == nil && len(events) == 1 && events[0].TxHash == hash
	})

	printed := run("/as alice") // everything printed since the link

	b, _ := json.Marshal(map[string]any{"index": 0, "hash": hash.Hex()})
	resp, err := http.Post(link+"/tx", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("late POST /s/{id}/tx: got %s %s, want 200", resp.Status, body)
	}
	waitUntil(t, "the request is confirmed", func() bool {
		r, err := p.DB.Request(ctx, id)
		return err == nil && r.Status == trustbot.StatusConfirmed
	})
	const notice = "[notice] @alice extended @bob a budget of 1 ETH."
	waitUntil(t, "the notice", func() bool {
		printed += run("/as alice")
		return strings.Contains(printed, notice)
	})
	time.Sleep(300 * time.Millisecond) // a few more watcher passes
	printed += run("/as alice")
	if got := strings.Count(printed, notice); got != 1 {
		t.Errorf("notice %q: got %d times, want once; output:\n%s", notice, got, printed)
	}
	r, err := p.DB.Request(ctx, id)
	if err != nil || len(r.Txs) != 1 || r.Txs[0].Hash != hash {
		t.Errorf("request txs: got %+v (err %v), want the one transaction %s", r.Txs, err, hash.Hex())
	}
}

// waitUntil polls cond for up to 15 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 15 s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
