package web_test

// The browser suite: the signing and wallet-link pages in headless Chromium,
// against the real server, the embedded dev chain and the chain watcher, with
// an EIP-1193 wallet the test controls injected into every page. The wallet
// answers from Go: it signs with a real dev key and sends raw transactions to
// the dev chain's JSON-RPC. The cases share one chain, server and browser
// (each case has its own tab), so they run one after the other.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trustbot/trustbot/web/siwe"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"rsc.io/qr"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/devchain"
	"github.com/trustbot/trustbot/index"
	"github.com/trustbot/trustbot/store"
	"github.com/trustbot/trustbot/web"
)

var updateScreenshots = flag.Bool("update-screenshots", false,
	"TestBrowserScreenshots writes docs/signing-desktop.png and docs/signing-phone.png")

// The suite's shared environment, started by the first browser test and
// closed by TestMain.
var (
	benvOnce sync.Once
	benv     *browserEnv
	benvErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benv != nil {
		benv.close()
	}
	os.Exit(code)
}

// devChainID is the dev chain's id as a big.Int.
var devChainID = big.NewInt(devchain.ChainID)

// tUSD amounts: 6 decimals.
func usd(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1_000_000)) }

// chromiumPath finds the browser: $TRUSTBOT_CHROMIUM, else Debian's chromium
// (scripts/setup.sh installs it), else another Chromium on the PATH.
func chromiumPath() string {
	if p := os.Getenv("TRUSTBOT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// offsetClock is the wall clock moved forward by the tests that need a link
// to expire; the store, the server and the watcher share it.
type offsetClock struct{ d atomic.Int64 }

func (c *offsetClock) Now() time.Time          { return time.Now().Add(time.Duration(c.d.Load())) }
func (c *offsetClock) Advance(d time.Duration) { c.d.Add(int64(d)) }

// browserEnv is the app without an adapter, as cmd/trustbot wires it: the
// dev chain, the store, the signing server and the watcher; plus the browser.
type browserEnv struct {
	dc      *devchain.Chain
	ec      *ethclient.Client
	db      *store.DB
	clk     *offsetClock
	srv     *web.Server
	url     string      // PublicURL
	down    atomic.Bool // the server drops every connection: "unreachable"
	logs    *syncBuffer
	tusd    common.Address
	reserve common.Address // alice's reserve of tUSD
	alice   chain.Wallet
	bob     chain.Wallet
	carol   chain.Wallet
	check   *chainChecker // runs requests again on the dev chain; off unless a case turns it on

	browser   context.Context // the browser; each case opens a tab in it
	closers   []func()
	artifacts string // where failing cases leave screenshots
}

// env returns the shared environment, starting it on first use. Without a
// browser the test is skipped, or fails under CI=true.
func browserEnvFor(t *testing.T) *browserEnv {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("Chromium is not installed (scripts/setup.sh installs Debian's chromium): the browser tests cannot run")
		}
		t.Skip("Chromium is not installed (scripts/setup.sh installs Debian's chromium); skipping the browser test")
	}
	benvOnce.Do(func() {
		start := time.Now()
		benv, benvErr = startBrowserEnv(path)
		if benvErr == nil {
			t.Logf("browser suite: chain, server, watcher and Chromium started in %s", time.Since(start).Round(time.Millisecond))
		}
	})
	if benvErr != nil {
		t.Fatalf("starting the browser suite: %v", benvErr)
	}
	return benv
}

func startBrowserEnv(chromium string) (_ *browserEnv, err error) {
	ctx := context.Background()
	b := &browserEnv{clk: &offsetClock{}, logs: &syncBuffer{}}
	defer func() {
		if err != nil {
			b.close()
		}
	}()
	log := slog.New(slog.NewTextHandler(b.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	b.dc, err = devchain.Start(ctx, devchain.Options{Members: []string{"alice", "bob", "carol"}, Addr: "127.0.0.1:0"})
	if err != nil {
		return nil, err
	}
	b.closers = append(b.closers, b.dc.Close)
	b.ec = b.dc.Client().Eth()
	b.tusd = b.dc.TestUSD()
	b.alice, _ = b.dc.Member("alice")
	b.bob, _ = b.dc.Member("bob")
	b.carol, _ = b.dc.Member("carol")

	dir, err := os.MkdirTemp("", "trustbot-browser-")
	if err != nil {
		return nil, err
	}
	b.closers = append(b.closers, func() { os.RemoveAll(dir) })
	b.db, err = store.Open(ctx, filepath.Join(dir, "trustbot.db"), b.clk.Now)
	if err != nil {
		return nil, err
	}
	b.closers = append(b.closers, func() { b.db.Close() })

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b.url = "http://" + ln.Addr().String()
	b.srv, err = web.New(web.Config{
		PublicURL:   b.url,
		ChainID:     devchain.ChainID,
		RPCURL:      b.dc.URL(),
		ExplorerURL: "https://explorer.invalid",
	}, b.db, b.ec, b.clk.Now, log)
	if err != nil {
		return nil, err
	}
	b.check = &chainChecker{c: b.dc.Client()}
	b.check.off.Store(true)
	b.srv.SetChecker(b.check)
	pages := b.srv.Handler()
	hs := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b.down.Load() {
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					c.Close()
					return
				}
			}
		}
		pages.ServeHTTP(w, r)
	})}
	go hs.Serve(ln)
	b.closers = append(b.closers, func() { hs.Close() })

	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	// The watcher logs to its own sink: this suite checks the server's log only.
	w := index.New(b.dc.Client(), b.db, index.Options{Interval: 100 * time.Millisecond})
	go func() {
		defer close(done)
		w.Run(wctx)
	}()
	b.closers = append(b.closers, func() { stop(); <-done })

	// Alice's reserve of tUSD: the issuer of the cases' trust and deposits.
	if _, err := b.mine(ctx, b.alice, chain.CreateReserve(b.dc.Factory(), b.tusd, "alice's trust (tUSD)", "ALICE-tUSD")); err != nil {
		return nil, fmt.Errorf("create alice's reserve: %w", err)
	}
	if b.reserve, err = b.dc.Client().Predict(ctx, b.alice.Address(), b.tusd); err != nil {
		return nil, err
	}

	profile, err := os.MkdirTemp("", "trustbot-chromium-")
	if err != nil {
		return nil, err
	}
	b.closers = append(b.closers, func() { os.RemoveAll(profile) })
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	b.closers = append(b.closers, cancelAlloc, cancelBrowser)
	if err := chromedp.Do(browserCtx); err != nil {
		return nil, fmt.Errorf("start %s: %w", chromium, err)
	}
	b.browser = browserCtx
	return b, nil
}

func (b *browserEnv) close() {
	for i := len(b.closers) - 1; i >= 0; i-- {
		b.closers[i]()
	}
}

// mine sends c from w and waits for it to be mined; a reverted transaction is an error.
func (b *browserEnv) mine(ctx context.Context, w chain.Wallet, c trustbot.Call) (common.Hash, error) {
	h, err := w.Send(ctx, b.ec, devChainID, c)
	if err != nil {
		return common.Hash{}, err
	}
	r, err := b.receipt(ctx, h)
	if err != nil {
		return h, err
	}
	if r.Status != types.ReceiptStatusSuccessful {
		return h, fmt.Errorf("transaction %s reverted", h.Hex())
	}
	return h, nil
}

func (b *browserEnv) receipt(ctx context.Context, h common.Hash) (*types.Receipt, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	for {
		r, err := b.ec.TransactionReceipt(ctx, h)
		if err == nil {
			return r, nil
		}
		if !errors.Is(err, ethereum.NotFound) {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("transaction %s not mined: %w", h.Hex(), ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// mineAll is mine for each call, in order, failing the test on an error.
func (b *browserEnv) mineAll(t *testing.T, w chain.Wallet, calls ...trustbot.Call) {
	t.Helper()
	for _, c := range calls {
		if _, err := b.mine(context.Background(), w, c); err != nil {
			t.Fatal(err)
		}
	}
}

// request makes a signing request for signer, as a command would: with the names of the
// members, alice's reserve and tUSD, and the unit of calls to either (tUSD; ALICE-tUSD for a holder's redemption).
func (b *browserEnv) request(t *testing.T, signer chain.Wallet, kind, summary string, calls ...trustbot.Call) trustbot.SigningRequest {
	t.Helper()
	labels := map[common.Address]string{b.alice.Address(): "@alice", b.bob.Address(): "@bob", b.carol.Address(): "@carol",
		b.tusd: "the tUSD token", b.reserve: "@alice's ALICE-tUSD reserve", signer.Address(): "your wallet"}
	if signer.Address() == b.alice.Address() {
		labels[b.reserve] = "your ALICE-tUSD reserve"
	}
	units := make([]trustbot.Token, len(calls))
	for i, c := range calls {
		switch {
		case c.To == b.reserve && signer.Address() != b.alice.Address(): // a holder redeems
			units[i] = trustbot.Token{Address: b.reserve, Symbol: "ALICE-tUSD", Decimals: 6}
		case c.To == b.tusd || c.To == b.reserve:
			units[i] = trustbot.Token{Address: b.tusd, Symbol: "tUSD", Decimals: 6}
		}
	}
	r, _, err := b.srv.NewSigningRequest(context.Background(), trustbot.SigningRequest{
		GuildID: "guild", ChannelID: "channel", UserID: "user-" + strings.ToLower(signer.Address().Hex()[2:8]),
		Signer: signer.Address(), Kind: kind, Summary: summary, Calls: calls, Labels: labels, Units: units,
	})
	if err != nil {
		t.Fatalf("NewSigningRequest: %v", err)
	}
	t.Cleanup(func() {
		if strings.Contains(b.logs.String(), r.ID) {
			t.Errorf("the server's log carries the full request id %s", r.ID)
		}
	})
	return r
}

// stored reads a request back.
func (b *browserEnv) stored(t *testing.T, id string) trustbot.SigningRequest {
	t.Helper()
	r, err := b.db.Request(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// walletLink issues a sign-in link and returns its nonce.
func (b *browserEnv) walletLink(t *testing.T, userID, name string) string {
	t.Helper()
	u, err := b.srv.NewWalletLink(context.Background(), userID, name)
	if err != nil {
		t.Fatal(err)
	}
	return u[strings.LastIndexByte(u, '/')+1:]
}

// The test wallet.

// walletMethods are the only methods the pages may ask a wallet for.
var walletMethods = []string{
	"eth_requestAccounts", "eth_accounts", "eth_chainId", "wallet_switchEthereumChain",
	"wallet_addEthereumChain", "eth_sendTransaction", "eth_getTransactionReceipt", "personal_sign",
}

// walletError is an EIP-1193 error.
type walletError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// walletCall is one request the page made, with the answer.
type walletCall struct {
	Method string
	Params string
	Result string // JSON
	Err    *walletError
}

// wallet is an EIP-1193 wallet that answers from Go with a dev key.
type wallet struct {
	b *browserEnv

	mu       sync.Mutex
	account  chain.Wallet
	chainID  uint64
	unknown  map[uint64]bool // chains it answers 4902 for, until added
	reject   map[string]int  // method → how many of its next requests to reject (4001)
	forceGas uint64          // when gas estimation fails, send anyway with this gas (a reverted transaction)
	afterTx  func()          // called after each eth_sendTransaction
	calls    []walletCall
}

func (b *browserEnv) newWallet(account chain.Wallet) *wallet {
	return &wallet{b: b, account: account, chainID: devchain.ChainID, unknown: map[uint64]bool{}, reject: map[string]int{}}
}

func (w *wallet) set(f func(w *wallet)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	f(w)
}

// log is a copy of the requests so far.
func (w *wallet) log() []walletCall {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.calls)
}

// sent is the eth_sendTransaction requests that got a hash, in order.
func (w *wallet) sent() []walletCall {
	var out []walletCall
	for _, c := range w.log() {
		if c.Method == "eth_sendTransaction" && c.Err == nil {
			out = append(out, c)
		}
	}
	return out
}

// walletArg is what the injected provider passes to Go: the method and its
// params as JSON text.
type walletArg struct {
	Method string `json:"method"`
	Params string `json:"params"`
}

// handle answers one request of the page, as JSON {"result": …} or {"error": {code, message}}.
func (w *wallet) handle(ctx context.Context, a walletArg) (string, error) {
	result, werr := w.answer(ctx, a.Method, []byte(a.Params))
	answer := map[string]any{"result": result}
	if werr != nil {
		answer = map[string]any{"error": werr}
	}
	out, err := json.Marshal(answer)
	if err != nil {
		return "", err
	}
	res, _ := json.Marshal(result)
	w.mu.Lock()
	w.calls = append(w.calls, walletCall{Method: a.Method, Params: a.Params, Result: string(res), Err: werr})
	after := w.afterTx
	w.mu.Unlock()
	if a.Method == "eth_sendTransaction" && werr == nil && after != nil {
		after()
	}
	return string(out), nil
}

func (w *wallet) rejected(method string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.reject[method] > 0 {
		w.reject[method]--
		return true
	}
	return false
}

var userRejected = &walletError{Code: 4001, Message: "User rejected the request."}

func (w *wallet) answer(ctx context.Context, method string, raw []byte) (any, *walletError) {
	var params []json.RawMessage
	if err := json.Unmarshal(raw, &params); err != nil {
		return nil, &walletError{Code: -32602, Message: "params must be an array"}
	}
	w.mu.Lock()
	account, chainID, forceGas := w.account, w.chainID, w.forceGas
	w.mu.Unlock()
	chainParam := func() (uint64, *walletError) {
		var p struct {
			ChainID string `json:"chainId"`
		}
		if len(params) != 1 || json.Unmarshal(params[0], &p) != nil {
			return 0, &walletError{Code: -32602, Message: "want [{chainId}]"}
		}
		id, err := hexutil.DecodeUint64(p.ChainID)
		if err != nil {
			return 0, &walletError{Code: -32602, Message: "bad chainId " + p.ChainID}
		}
		return id, nil
	}

	switch method {
	case "eth_requestAccounts":
		if w.rejected(method) {
			return nil, userRejected
		}
		return []string{account.Address().Hex()}, nil
	case "eth_accounts":
		return []string{account.Address().Hex()}, nil
	case "eth_chainId":
		return hexutil.EncodeUint64(chainID), nil
	case "wallet_switchEthereumChain":
		id, werr := chainParam()
		if werr != nil {
			return nil, werr
		}
		if w.rejected(method) {
			return nil, userRejected
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.unknown[id] {
			return nil, &walletError{Code: 4902, Message: "Unrecognized chain ID " + hexutil.EncodeUint64(id) + ". Try adding the chain using wallet_addEthereumChain first."}
		}
		w.chainID = id
		return nil, nil
	case "wallet_addEthereumChain":
		var p struct {
			ChainID string   `json:"chainId"`
			RPCURLs []string `json:"rpcUrls"`
		}
		if len(params) != 1 || json.Unmarshal(params[0], &p) != nil || len(p.RPCURLs) == 0 {
			return nil, &walletError{Code: -32602, Message: "want [{chainId, chainName, rpcUrls, …}]"}
		}
		id, err := hexutil.DecodeUint64(p.ChainID)
		if err != nil || id != devchain.ChainID || p.RPCURLs[0] != w.b.dc.URL() {
			return nil, &walletError{Code: -32602, Message: "this wallet only adds the dev chain at its RPC URL"}
		}
		if w.rejected(method) {
			return nil, userRejected
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(w.unknown, id)
		w.chainID = id // like MetaMask, switch to the added chain
		return nil, nil
	case "eth_sendTransaction":
		var tx struct {
			From  string  `json:"from"`
			To    *string `json:"to"`
			Data  string  `json:"data"`
			Value string  `json:"value"`
		}
		if len(params) != 1 || json.Unmarshal(params[0], &tx) != nil || tx.To == nil {
			return nil, &walletError{Code: -32602, Message: "want [{from, to, data, value}]"}
		}
		if !strings.EqualFold(tx.From, account.Address().Hex()) {
			return nil, &walletError{Code: 4100, Message: "The requested account has not been authorized by the user."}
		}
		if chainID != devchain.ChainID {
			return nil, &walletError{Code: -32603, Message: fmt.Sprintf("this wallet cannot send on chain %d", chainID)}
		}
		if w.rejected(method) {
			return nil, userRejected
		}
		data, err := hexutil.Decode(tx.Data)
		if err != nil {
			return nil, &walletError{Code: -32602, Message: "bad data"}
		}
		value := new(big.Int)
		if tx.Value != "" {
			if value, err = hexutil.DecodeBig(tx.Value); err != nil {
				return nil, &walletError{Code: -32602, Message: "bad value"}
			}
		}
		c := trustbot.Call{To: common.HexToAddress(*tx.To), Data: data, Value: value}
		h, err := account.Send(ctx, w.b.ec, devChainID, c)
		if err != nil && forceGas > 0 {
			h, err = account.SendGas(ctx, w.b.ec, devChainID, c, forceGas)
		}
		if err != nil {
			return nil, &walletError{Code: -32603, Message: err.Error()}
		}
		return h.Hex(), nil
	case "eth_getTransactionReceipt":
		var h string
		if len(params) != 1 || json.Unmarshal(params[0], &h) != nil {
			return nil, &walletError{Code: -32602, Message: "want [hash]"}
		}
		r, err := w.b.ec.TransactionReceipt(ctx, common.HexToHash(h))
		if errors.Is(err, ethereum.NotFound) {
			return nil, nil
		} else if err != nil {
			return nil, &walletError{Code: -32603, Message: err.Error()}
		}
		b, err := r.MarshalJSON()
		if err != nil {
			return nil, &walletError{Code: -32603, Message: err.Error()}
		}
		return json.RawMessage(b), nil
	case "personal_sign":
		var msg, addr string
		if len(params) != 2 || json.Unmarshal(params[0], &msg) != nil || json.Unmarshal(params[1], &addr) != nil {
			return nil, &walletError{Code: -32602, Message: "want [message, address]"}
		}
		if !strings.EqualFold(addr, account.Address().Hex()) {
			return nil, &walletError{Code: 4100, Message: "The requested account has not been authorized by the user."}
		}
		text, err := hexutil.Decode(msg)
		if err != nil {
			return nil, &walletError{Code: -32602, Message: "the message must be 0x-hex"}
		}
		if w.rejected(method) {
			return nil, userRejected
		}
		return hexutil.Encode(account.PersonalSign(text)), nil
	}
	return nil, &walletError{Code: 4200, Message: "The wallet does not support " + method + "."}
}

// providerJS is the injected EIP-1193 provider: each request goes to Go
// through the exposed function __trustbotWallet.
const providerJS = `(() => {
  const listeners = {};
  const ethereum = {
    isTrustbotTestWallet: true,
    async request(args) {
      if (!args || typeof args.method !== 'string') {
        const e = new Error('invalid request');
        e.code = -32600;
        throw e;
      }
      const params = JSON.stringify(args.params === undefined ? [] : args.params);
      const answer = JSON.parse(await window.__trustbotWallet({ method: args.method, params }));
      if (answer.error) {
        const e = new Error(answer.error.message);
        e.code = answer.error.code;
        throw e;
      }
      return answer.result;
    },
    on(ev, fn) { (listeners[ev] = listeners[ev] || []).push(fn); return ethereum; },
    removeListener(ev, fn) { listeners[ev] = (listeners[ev] || []).filter((f) => f !== fn); return ethereum; },
  };
  window.ethereum = ethereum;
})();`

// monitorJS records what must never happen on a page: CSP violations,
// uncaught errors and unhandled rejections.
const monitorJS = `(() => {
  const problems = [];
  window.__pageProblems = problems;
  document.addEventListener('securitypolicyviolation', (e) => problems.push('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));
  window.addEventListener('error', (e) => problems.push('uncaught error: ' + e.message));
  window.addEventListener('unhandledrejection', (e) => problems.push('unhandled rejection: ' + (e.reason && e.reason.message ? e.reason.message : e.reason)));
})();`

// Tabs.

// tab is one page of the browser, with or without the test wallet.
type tab struct {
	t   *testing.T
	b   *browserEnv
	ctx context.Context
	w   *wallet // nil: no wallet in this browser
}

func addScript(src string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src})
		return err
	})
}

// newTab opens a tab of width×height with the wallet w (nil for none). When
// the test fails, the tab's last state is saved as a screenshot.
func (b *browserEnv) newTab(t *testing.T, w *wallet, width, height int64) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.browser)
	t.Cleanup(cancel)
	tb := &tab{t: t, b: b, ctx: ctx, w: w}
	steps := []chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(width, height), addScript(monitorJS)}
	if w != nil {
		steps = append(steps, chromedp.ExposeFunc("__trustbotWallet", w.handle), addScript(providerJS))
	}
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	t.Cleanup(tb.finish)
	return tb
}

// finish checks that the page had no CSP violation or uncaught error and
// that the wallet was asked nothing else than walletMethods; a failed test
// leaves a screenshot.
func (tb *tab) finish() {
	t := tb.t
	if problems, err := tb.eval(`JSON.stringify(window.__pageProblems || [])`); err == nil && problems != "[]" {
		t.Errorf("the page had problems: %s", problems)
	}
	if tb.w != nil {
		for _, c := range tb.w.log() {
			if !slices.Contains(walletMethods, c.Method) {
				t.Errorf("the page asked the wallet for %s(%s), which it must never do", c.Method, c.Params)
			}
		}
	}
	if !t.Failed() {
		return
	}
	if tb.b.artifacts == "" {
		dir := os.Getenv("TRUSTBOT_ARTIFACTS")
		if dir == "" {
			dir = filepath.Join(os.TempDir(), "trustbot-browser-artifacts")
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Logf("no screenshot: %v", err)
			return
		}
		tb.b.artifacts = dir
	}
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("no screenshot: %v", err)
		return
	}
	path := filepath.Join(tb.b.artifacts, strings.ReplaceAll(t.Name(), "/", "_")+".png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Logf("no screenshot: %v", err)
		return
	}
	t.Logf("screenshot of the failing page: %s", path)
	if tb.w != nil {
		for _, c := range tb.w.log() {
			t.Logf("wallet: %s(%.200s) → %.200s %v", c.Method, c.Params, c.Result, c.Err)
		}
	}
}

func (tb *tab) eval(js string) (string, error) {
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[string](js))
}

// js evaluates an expression whose value is a string.
func (tb *tab) js(js string) string {
	tb.t.Helper()
	s, err := tb.eval(js)
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", js, err)
	}
	return s
}

func (tb *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.t.Fatalf("%s: %v\n%s", what, err, tb.summary())
	}
}

func (tb *tab) open(path string) {
	tb.t.Helper()
	tb.do("open "+path, chromedp.Navigate(tb.b.url+path))
}

// summaryJS describes the page's state in one line.
const summaryJS = `(() => {
  const n = document.getElementById('notice');
  const s = document.getElementById('status');
  const steps = [...document.querySelectorAll('.step')].map((li) => li.dataset.step + '=' + (li.dataset.state || '-'));
  return 'notice[' + (n ? n.dataset.state : '') + ']: ' + (n && !n.hidden ? n.textContent : '') +
    ' | status: ' + (s ? s.textContent : '') + ' | steps: ' + steps.join(' ') +
    ' | body: ' + document.body.innerText.slice(0, 300).replace(/\s+/g, ' ');
})()`

func (tb *tab) summary() string {
	s, err := tb.eval(summaryJS)
	if err != nil {
		return "(page state unknown: " + err.Error() + ")"
	}
	return s
}

// waitFor polls a boolean expression until it holds.
func (tb *tab) waitFor(what, js string) {
	tb.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](`!!(`+js+`)`))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			tb.t.Fatalf("waiting for %s: timed out (%v)\npage: %s", what, err, tb.summary())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitNotice waits for the notice to show state and returns its text.
func (tb *tab) waitNotice(state string) string {
	tb.t.Helper()
	tb.waitFor("notice "+state, `(() => { const n = document.getElementById('notice'); return n && !n.hidden && n.dataset.state === '`+state+`'; })()`)
	return tb.js(`document.getElementById('notice-text').textContent`)
}

// clickSign waits for the sign button to be ready and clicks it.
func (tb *tab) clickSign() {
	tb.t.Helper()
	tb.waitFor("the sign button", `(() => { const b = document.getElementById('sign'); return b && !b.hidden && !b.disabled; })()`)
	tb.do("click sign", chromedp.Click(chromedp.ID("sign")))
}

func (tb *tab) clickRetry() {
	tb.t.Helper()
	tb.waitFor("Try again", `!document.getElementById('retry').hidden`)
	tb.do("click Try again", chromedp.Click(chromedp.ID("retry")))
}

// requestJSON is the request as the page fetches it.
func (b *browserEnv) requestJSON(t *testing.T, id string) map[string]any {
	t.Helper()
	res, err := http.Get(b.url + "/s/" + id + ".json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var v map[string]any
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func wantContains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(got, want) {
			t.Errorf("%s: got %q, want it to contain %q", what, got, want)
		}
	}
}

// shortHex abbreviates an address as the pages do.
func shortHex(a common.Address) string { return a.Hex()[:6] + "…" + a.Hex()[38:] }

// The cases.

func TestBrowserLinkWallet(t *testing.T) {
	b := browserEnvFor(t)
	nonce := b.walletLink(t, "discord-bob", "bob")
	tb := b.newTab(t, b.newWallet(b.bob), 1280, 900)
	tb.open("/l/" + nonce)
	wantContains(t, "page", tb.js(`document.body.innerText`), "Link your wallet to @bob", "your Discord account, @bob (user id discord-bob)")
	tb.clickSign()
	text := tb.waitNotice("linked")
	wantContains(t, "notice", text, "Linked "+shortHex(b.bob.Address())+" to @bob.")

	link, err := b.db.WalletByUser(context.Background(), "discord-bob")
	if err != nil {
		t.Fatalf("no wallet linked: %v", err)
	}
	if link.Address != b.bob.Address() || link.Method != "siwe" || link.ChainID != devchain.ChainID {
		t.Errorf("linked %+v, want bob's address by siwe on the dev chain", link)
	}
	// The page shows the exact message that was signed: bob's checksummed address in it.
	msg := tb.js(`document.getElementById('message').textContent`)
	wantContains(t, "message", msg, "\n"+b.bob.Address().Hex()+"\n", "Link this wallet to @bob on trustbot (discord-bob).", "Nonce: "+nonce)
	var signs int
	for _, c := range tb.w.log() {
		if c.Method == "personal_sign" {
			signs++
		}
	}
	if signs != 1 {
		t.Errorf("personal_sign asked %d times, want once", signs)
	}
}

func TestBrowserTrustConfirmed(t *testing.T) {
	b := browserEnvFor(t)
	r := b.request(t, b.alice, "trust", "Trust @bob with 50 tUSD.", chain.Trust(b.reserve, b.bob.Address(), usd(50)))
	_, budgetBefore, err := b.dc.Client().Account(context.Background(), b.reserve, b.bob.Address())
	if err != nil {
		t.Fatal(err)
	}
	w := b.newWallet(b.alice)
	tb := b.newTab(t, w, 1280, 900)
	tb.open("/s/" + r.ID)

	// What will happen, in the signer's words, before anything is sent; the raw call folded.
	body := tb.js(`document.body.innerText`)
	wantContains(t, "page", body, "Trust @bob with 50 tUSD.", shortHex(b.alice.Address()),
		"holder\n@bob", "amount\n50 tUSD", "The raw call", "Local dev chain", "chain id 1337", "Expires")
	if h := tb.js(`document.querySelector('#call-0 h3').textContent`); h != "1 trust on your ALICE-tUSD reserve" {
		t.Errorf("call heading: got %q, want %q", h, "1 trust on your ALICE-tUSD reserve")
	}
	for _, raw := range []string{"trust(address,uint256)", b.bob.Address().Hex(), "50000000"} {
		if strings.Contains(body, raw) {
			t.Errorf("page: got %q in the visible text, want it folded in the raw call", raw)
		}
	}
	if open := tb.js(`String(document.querySelector('#call-0 details.raw').open)`); open != "false" {
		t.Errorf("raw call open: got %s, want false (folded)", open)
	}
	tb.do("unfold the raw call", chromedp.Click(chromedp.CSS(`#call-0 details.raw summary`)))
	wantContains(t, "raw call", tb.js(`document.querySelector('#call-0 details.raw').innerText`),
		"trust(address,uint256)", b.bob.Address().Hex(), "50000000", b.reserve.Hex())

	tb.clickSign()
	text := tb.waitNotice("confirmed")
	wantContains(t, "notice", text, "Confirmed: Trust @bob with 50 tUSD.")

	got := b.stored(t, r.ID)
	if got.Status != trustbot.StatusConfirmed || len(got.Txs) != 1 {
		t.Fatalf("request: %s with %d txs, want confirmed with 1", got.Status, len(got.Txs))
	}
	if href := tb.js(`document.querySelector('#notice a').href`); href != "https://explorer.invalid/tx/"+got.Txs[0].Hash.Hex() {
		t.Errorf("explorer link: got %q, want https://explorer.invalid/tx/%s", href, got.Txs[0].Hash)
	}
	_, budget, err := b.dc.Client().Account(context.Background(), b.reserve, b.bob.Address())
	if err != nil {
		t.Fatal(err)
	}
	if d := new(big.Int).Sub(budget, budgetBefore); d.Cmp(usd(50)) != 0 {
		t.Errorf("bob's budget grew by %s, want %s", d, usd(50))
	}
	sent := w.sent()
	if len(sent) != 1 || !strings.Contains(sent[0].Params, `"to":"`+b.reserve.Hex()+`"`) {
		t.Errorf("sent %+v, want one transaction to the reserve", sent)
	}
	for _, step := range []string{"connect", "chain", "account", "call-0", "confirm"} {
		if st := tb.js(`document.querySelector('[data-step="` + step + `"]').dataset.state`); st != "done" {
			t.Errorf("step %s: %s, want done", step, st)
		}
	}
}

func TestBrowserDepositTwoCalls(t *testing.T) {
	b := browserEnvFor(t)
	ctx := context.Background()
	calls := chain.Deposit(b.reserve, trustbot.Token{Address: b.tusd, Symbol: "tUSD", Decimals: 6}, usd(25))
	r := b.request(t, b.alice, "deposit", "Deposit 25 tUSD into your reserve.", calls...)
	before, err := b.dc.Client().ReserveAt(ctx, b.reserve)
	if err != nil {
		t.Fatal(err)
	}
	w := b.newWallet(b.alice)
	tb := b.newTab(t, w, 1280, 900)
	tb.open("/s/" + r.ID)
	wantContains(t, "page", tb.js(`document.body.innerText`), "Deposit 25 tUSD into your reserve.",
		"spender\nyour ALICE-tUSD reserve", "amount\n25 tUSD", "2 transactions, in this order")
	if h := tb.js(`[...document.querySelectorAll('.call h3')].map((h) => h.textContent).join(' | ')`); h != "1 approve on the tUSD token | 2 deposit on your ALICE-tUSD reserve" {
		t.Errorf("call headings: got %q, want %q", h, "1 approve on the tUSD token | 2 deposit on your ALICE-tUSD reserve")
	}
	wantContains(t, "raw calls", tb.js(`[...document.querySelectorAll('details.raw')].map((d) => d.textContent).join(' ')`),
		"approve(address,uint256)", "deposit(uint256)", "25000000")
	tb.clickSign()
	tb.waitNotice("confirmed")

	// Approve, then deposit; the deposit only after the approval's receipt came back mined.
	log := w.log()
	var order []string
	approveHash := ""
	for _, c := range log {
		switch {
		case c.Method == "eth_sendTransaction" && c.Err == nil:
			var p []struct {
				To   string `json:"to"`
				Data string `json:"data"`
			}
			json.Unmarshal([]byte(c.Params), &p)
			order = append(order, p[0].To+" "+p[0].Data[:10])
			if approveHash == "" {
				json.Unmarshal([]byte(c.Result), &approveHash)
			}
		case c.Method == "eth_getTransactionReceipt" && c.Result != "null" && strings.Contains(c.Params, approveHash) && approveHash != "":
			order = append(order, "approve mined")
		}
	}
	want := []string{b.tusd.Hex() + " 0x095ea7b3", "approve mined", b.reserve.Hex() + " 0xb6b55f25"}
	if len(order) < 3 || !slices.Equal(order[:2], want[:2]) || !slices.Contains(order, want[2]) ||
		slices.Index(order, want[2]) < slices.Index(order, want[1]) {
		t.Errorf("wallet saw %q, want approve, its receipt, then deposit: %q", order, want)
	}

	got := b.stored(t, r.ID)
	if got.Status != trustbot.StatusConfirmed || len(got.Txs) != 2 {
		t.Fatalf("request: %s with %d txs, want confirmed with 2", got.Status, len(got.Txs))
	}
	after, err := b.dc.Client().ReserveAt(ctx, b.reserve)
	if err != nil {
		t.Fatal(err)
	}
	if d := new(big.Int).Sub(after.Reserve, before.Reserve); d.Cmp(usd(25)) != 0 {
		t.Errorf("the reserve grew by %s, want %s", d, usd(25))
	}
}

func TestBrowserRejectThenRetry(t *testing.T) {
	b := browserEnvFor(t)
	r := b.request(t, b.alice, "trust", "Trust @carol with 5 tUSD.", chain.Trust(b.reserve, b.carol.Address(), usd(5)))
	w := b.newWallet(b.alice)
	w.set(func(w *wallet) { w.reject["eth_sendTransaction"] = 1 })
	tb := b.newTab(t, w, 1280, 900)
	tb.open("/s/" + r.ID)
	tb.clickSign()
	text := tb.waitNotice("rejected")
	wantContains(t, "notice", text, "You rejected transaction 1 (trust) in your wallet.", "Nothing was sent", "still open")

	// The request stays open, with nothing sent.
	j := b.requestJSON(t, r.ID)
	if j["status"] != "opened" || len(j["txs"].([]any)) != 0 {
		t.Errorf("after the rejection: status %v with txs %v, want opened with none", j["status"], j["txs"])
	}
	tb.clickRetry()
	tb.waitNotice("confirmed")
	if n := len(w.sent()); n != 1 {
		t.Errorf("sent %d transactions, want 1", n)
	}
}

func TestBrowserWrongAccountRefused(t *testing.T) {
	b := browserEnvFor(t)
	r := b.request(t, b.alice, "trust", "Trust @bob with 1 tUSD.", chain.Trust(b.reserve, b.bob.Address(), usd(1)))
	w := b.newWallet(b.carol)
	tb := b.newTab(t, w, 1280, 900)
	tb.open("/s/" + r.ID)
	tb.clickSign()
	text := tb.waitNotice("account")
	wantContains(t, "notice", text,
		"Connect "+shortHex(b.alice.Address())+", the wallet linked to your Discord account.",
		"Your wallet is connected to "+shortHex(b.carol.Address()))
	if n := len(w.sent()); n != 0 {
		t.Fatalf("the page sent %d transactions from the wrong account", n)
	}
	if st := tb.js(`document.querySelector('[data-step="account"]').dataset.state`); st != "failed" {
		t.Errorf("account step: %s, want failed", st)
	}

	// The user switches to the linked account and tries again.
	w.set(func(w *wallet) { w.account = b.alice })
	tb.clickRetry()
	tb.waitNotice("confirmed")
}

func TestBrowserWrongChainSwitched(t *testing.T) {
	b := browserEnvFor(t)
	r := b.request(t, b.alice, "trust", "Trust @bob with 2 tUSD.", chain.Trust(b.reserve, b.bob.Address(), usd(2)))
	w := b.newWallet(b.alice)
	w.set(func(w *wallet) {
		w.chainID = 1
		w.unknown[devchain.ChainID] = true
		w.reject["wallet_switchEthereumChain"] = 1
	})
	tb := b.newTab(t, w, 1280, 900)
	tb.open("/s/" + r.ID)

	// The user first declines the switch: the page says which chain it needs.
	tb.clickSign()
	text := tb.waitNotice("chain")
	wantContains(t, "notice", text, "You declined to switch networks.", "Your wallet is on chain 1, but this request is for Local dev chain (chain id 1337).")

	// Then the wallet does not know the chain (4902): the page adds it with the configured RPC and explorer.
	tb.clickRetry()
	tb.waitNotice("confirmed")
	var added []string
	for _, c := range w.log() {
		if c.Method == "wallet_addEthereumChain" {
			added = append(added, c.Params)
		}
	}
	if len(added) != 1 {
		t.Fatalf("wallet_addEthereumChain asked %d times, want once", len(added))
	}
	var p []struct {
		ChainID           string   `json:"chainId"`
		ChainName         string   `json:"chainName"`
		RPCURLs           []string `json:"rpcUrls"`
		BlockExplorerURLs []string `json:"blockExplorerUrls"`
		NativeCurrency    struct {
			Symbol   string `json:"symbol"`
			Decimals int    `json:"decimals"`
		} `json:"nativeCurrency"`
	}
	if err := json.Unmarshal([]byte(added[0]), &p); err != nil || len(p) != 1 {
		t.Fatalf("wallet_addEthereumChain params %s: %v", added[0], err)
	}
	if p[0].ChainID != "0x539" || p[0].ChainName != "Local dev chain" || !slices.Equal(p[0].RPCURLs, []string{b.dc.URL()}) ||
		!slices.Equal(p[0].BlockExplorerURLs, []string{"https://explorer.invalid"}) || p[0].NativeCurrency.Symbol != "ETH" || p[0].NativeCurrency.Decimals != 18 {
		t.Errorf("wallet_addEthereumChain params: got %+v", p[0])
	}
}

func TestBrowserExpiredLinks(t *testing.T) {
	b := browserEnvFor(t)
	r := b.request(t, b.alice, "trust", "Trust @bob with 3 tUSD.", chain.Trust(b.reserve, b.bob.Address(), usd(3)))
	nonce := b.walletLink(t, "discord-carol", "carol")
	w := b.newWallet(b.alice)
	tb := b.newTab(t, w, 1280, 900)
	tb.open("/s/" + r.ID)
	tb.waitFor("the sign button", `!document.getElementById('sign').disabled`)

	linkWallet := b.newWallet(b.carol)
	lt := b.newTab(t, linkWallet, 1280, 900)
	lt.open("/l/" + nonce)
	lt.waitFor("the sign button", `!document.getElementById('sign').disabled`)

	// Both links expire while their pages are open.
	b.clk.Advance(web.DefaultLinkTTL + time.Minute)
	tb.clickSign()
	text := tb.waitNotice("expired")
	wantContains(t, "signing notice", text, "This signing link expired. Run the command again on Discord.")
	if n := len(w.sent()); n != 0 {
		t.Errorf("the page sent %d transactions for an expired link", n)
	}
	if tb.js(`String(document.getElementById('sign').hidden && document.getElementById('retry').hidden)`) != "true" {
		t.Errorf("an expired link still offers to sign")
	}
	lt.clickSign()
	text = lt.waitNotice("over")
	wantContains(t, "link notice", text, "This sign-in link expired. Run /wallet link again.")

	// Opened again, both say so at once.
	tb.open("/s/" + r.ID)
	wantContains(t, "signing page", tb.js(`document.body.innerText`), "This signing link expired. Run the command again.")
	lt.open("/l/" + nonce)
	wantContains(t, "link page", lt.js(`document.body.innerText`), "This sign-in link expired. Run /wallet link again.")
}

func TestBrowserCancelledWhileOpen(t *testing.T) {
	b := browserEnvFor(t)
	r := b.request(t, b.alice, "trust", "Trust @carol with 4 tUSD.", chain.Trust(b.reserve, b.carol.Address(), usd(4)))
	w := b.newWallet(b.alice)
	tb := b.newTab(t, w, 1280, 900)
	tb.open("/s/" + r.ID)
	tb.waitFor("the sign button", `!document.getElementById('sign').disabled`)
	if _, err := b.db.CancelRequest(context.Background(), r.ID, r.UserID); err != nil {
		t.Fatal(err)
	}
	tb.clickSign()
	wantContains(t, "notice", tb.waitNotice("cancelled"), "This signing request was cancelled.")
	if n := len(w.sent()); n != 0 {
		t.Errorf("the page sent %d transactions for a cancelled request", n)
	}
}

func TestBrowserAlreadyUsedLinks(t *testing.T) {
	b := browserEnvFor(t)
	ctx := context.Background()

	// A request signed elsewhere (the console, another tab) and confirmed.
	call := chain.Trust(b.reserve, b.carol.Address(), usd(6))
	r := b.request(t, b.alice, "trust", "Trust @carol with 6 tUSD.", call)
	h, err := b.mine(ctx, b.alice, call)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.srv.ReportTx(ctx, r.ID, 0, h.Hex()); err != nil {
		t.Fatal(err)
	}
	w := b.newWallet(b.alice)
	tb := b.newTab(t, w, 1280, 900)
	tb.open("/s/" + r.ID)
	text := tb.waitNotice("used")
	wantContains(t, "notice", text, "This request was already signed and confirmed; its link cannot be used again.")
	if got := tb.js(`document.querySelector('#notice [data-hash]').dataset.hash`); !strings.EqualFold(got, h.Hex()) {
		t.Errorf("the notice links transaction %s, want %s", got, h.Hex())
	}
	if hidden := tb.js(`String(document.getElementById('sign').hidden)`); hidden != "true" {
		t.Errorf("a used request still offers to sign")
	}
	if n := len(w.log()); n != 0 {
		t.Errorf("the page asked the wallet %d things for a used request, want nothing", n)
	}

	// A sign-in link used already.
	nonce := b.walletLink(t, "discord-dave", "dave")
	dave := chain.Wallet{Key: chain.DevKey("dave")}
	var j struct {
		Domain, URI, Nonce, Statement, Version string
		ChainID                                uint64
		IssuedAt, ExpirationTime               time.Time
	}
	res, err := http.Get(b.url + "/l/" + nonce + ".json")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(res.Body).Decode(&j)
	res.Body.Close()
	m := siwe.Message{Domain: j.Domain, Address: dave.Address().Hex(), Statement: j.Statement, URI: j.URI, Version: j.Version,
		ChainID: j.ChainID, Nonce: j.Nonce, IssuedAt: j.IssuedAt, ExpirationTime: j.ExpirationTime}
	if _, err := b.srv.VerifyWalletLink(ctx, nonce, m.String(), dave.PersonalSign([]byte(m.String()))); err != nil {
		t.Fatal(err)
	}
	lt := b.newTab(t, b.newWallet(dave), 1280, 900)
	lt.open("/l/" + nonce)
	wantContains(t, "link page", lt.js(`document.body.innerText`), "This sign-in link was already used. Run /wallet link again.")
}

func TestBrowserRevertedShown(t *testing.T) {
	b := browserEnvFor(t)
	ctx := context.Background()
	// Bob holds 10 ALICE-tUSD and the reserve has the backing when the link is made…
	b.mineAll(t, b.alice, chain.Trust(b.reserve, b.bob.Address(), usd(10)))
	b.mineAll(t, b.alice, chain.Deposit(b.reserve, trustbot.Token{Address: b.tusd}, usd(10))...)
	r := b.request(t, b.bob, "redeem", "Redeem 10 ALICE-tUSD for 10 tUSD.", chain.Redeem(b.reserve, usd(10), b.bob.Address()))
	// …but alice takes all the backing out before bob signs.
	info, err := b.dc.Client().ReserveAt(ctx, b.reserve)
	if err != nil {
		t.Fatal(err)
	}
	b.mineAll(t, b.alice, chain.Withdraw(b.reserve, info.Reserve, b.alice.Address()))

	w := b.newWallet(b.bob)
	w.set(func(w *wallet) { w.forceGas = 300_000 }) // the user sends despite the wallet's warning
	tb := b.newTab(t, w, 1280, 900)
	tb.open("/s/" + r.ID)
	tb.clickSign()
	text := tb.waitNotice("reverted")
	wantContains(t, "notice", text, "The chain reverted transaction 1 (redeem): it changed nothing. This request has failed")
	tb.waitFor("the failed status", `document.getElementById('status').textContent === 'failed: the transaction reverted'`)
	if got := b.stored(t, r.ID); got.Status != trustbot.StatusFailed {
		t.Errorf("request: %s, want failed", got.Status)
	}
	if hidden := tb.js(`String(document.getElementById('retry').hidden)`); hidden != "true" {
		t.Errorf("a failed request offers to try again")
	}
}

func TestBrowserNoWalletQR(t *testing.T) {
	b := browserEnvFor(t)
	call := chain.Trust(b.reserve, b.carol.Address(), usd(7))
	r := b.request(t, b.alice, "trust", "Trust @carol with 7 tUSD.", call)
	tb := b.newTab(t, nil, 390, 844)
	tb.open("/s/" + r.ID)
	text := tb.waitNotice("nowallet")
	wantContains(t, "notice", text, "No Ethereum wallet was found in this browser.", "Scan the QR code")

	want := fmt.Sprintf("ethereum:%s@1337/trust?address=%s&uint256=7000000", b.reserve.Hex(), b.carol.Address().Hex())
	if got := b.requestJSON(t, r.ID)["eip681"]; got != want {
		t.Errorf("eip681: got %v, want %s", got, want)
	}
	if got := tb.js(`document.getElementById('eip681').textContent`); got != want {
		t.Errorf("EIP-681 link text: got %q, want %q", got, want)
	}
	if got := tb.js(`document.getElementById('eip681').getAttribute('href')`); got != want {
		t.Errorf("EIP-681 href: got %q, want %q", got, want)
	}
	tb.waitFor("the QR code", `(() => { const i = document.getElementById('qr'); return i.complete && i.naturalWidth > 0 && !document.getElementById('nowallet').hidden; })()`)

	// The PNG decodes, and its modules are the QR code of the URI.
	res, err := http.Get(b.url + "/s/" + r.ID + "/qr.png")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("qr.png: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	img, err := png.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("qr.png does not decode: %v", err)
	}
	code, err := qr.Encode(want, qr.M)
	if err != nil {
		t.Fatal(err)
	}
	scale := img.Bounds().Dx() / (code.Size + 8)
	if scale < 1 || img.Bounds().Dx() != (code.Size+8)*scale || img.Bounds().Dy() != img.Bounds().Dx() {
		t.Fatalf("qr.png is %v, want a square of %d modules", img.Bounds(), code.Size+8)
	}
	for y := 0; y < code.Size; y++ {
		for x := 0; x < code.Size; x++ {
			cr, _, _, _ := img.At((x+4)*scale+scale/2, (y+4)*scale+scale/2).RGBA()
			if black := cr < 0x8000; black != code.Black(x, y) {
				t.Fatalf("qr.png module (%d,%d): black %v, want %v", x, y, black, code.Black(x, y))
			}
		}
	}

	// The phone wallet sends it; the user pastes the hash; the page follows it to confirmed.
	h, err := b.mine(context.Background(), b.alice, call)
	if err != nil {
		t.Fatal(err)
	}
	tb.do("report the hash", chromedp.SendKeys(chromedp.ID("hash"), h.Hex()), chromedp.Click(chromedp.CSS("#report button")))
	wantContains(t, "notice", tb.waitNotice("confirmed"), "Confirmed: Trust @carol with 7 tUSD.")

	// A request of two calls has no QR code: the page says why.
	dep := b.request(t, b.alice, "deposit", "Alice deposits 1 tUSD into her reserve.", chain.Deposit(b.reserve, trustbot.Token{Address: b.tusd}, usd(1))...)
	tb.open("/s/" + dep.ID)
	tb.waitNotice("nowallet")
	wantContains(t, "no-wallet panel", tb.js(`document.getElementById('nowallet').innerText`), "This request needs 2 transactions")
	if n := tb.js(`String(document.querySelectorAll('#qr').length)`); n != "0" {
		t.Errorf("a two-call request shows a QR code")
	}
	if res, err := http.Get(b.url + "/s/" + dep.ID + "/qr.png"); err != nil || res.StatusCode != http.StatusNotFound {
		t.Errorf("qr.png of a two-call request: %v %v, want 404", res.StatusCode, err)
	}
}

func TestBrowserServerUnreachable(t *testing.T) {
	b := browserEnvFor(t)
	r := b.request(t, b.alice, "trust", "Trust @bob with 8 tUSD.", chain.Trust(b.reserve, b.bob.Address(), usd(8)))
	w := b.newWallet(b.alice)
	tb := b.newTab(t, w, 1280, 900)
	tb.open("/s/" + r.ID)
	tb.waitFor("the sign button", `!document.getElementById('sign').disabled`)

	// The server goes away right after the wallet sent the transaction: the
	// page cannot report it.
	t.Cleanup(func() { b.down.Store(false) })
	w.set(func(w *wallet) { w.afterTx = func() { b.down.Store(true) } })
	tb.clickSign()
	text := tb.waitNotice("unreachable")
	wantContains(t, "notice", text, "The trustbot server cannot be reached.")
	if got := b.stored(t, r.ID); len(got.Txs) != 0 {
		t.Fatalf("the server has %d txs, want none (it was down)", len(got.Txs))
	}

	// Back up: "Try again" reports the transaction already sent, and sends nothing twice.
	w.set(func(w *wallet) { w.afterTx = nil })
	b.down.Store(false)
	tb.clickRetry()
	tb.waitNotice("confirmed")
	if n := len(w.sent()); n != 1 {
		t.Errorf("the wallet sent %d transactions, want 1", n)
	}
}

// TestBrowserEveryKind signs, through the page, a request of each kind the
// commands make, on a reserve of the native coin (so calls carry a value):
// create, deposit, trust, redeem (by the holder), reup, revoke, withdraw.
func TestBrowserEveryKind(t *testing.T) {
	b := browserEnvFor(t)
	ctx := context.Background()
	ether := func(milli int64) *big.Int { return new(big.Int).Mul(big.NewInt(milli), big.NewInt(1e15)) }
	reserve, err := b.dc.Client().Predict(ctx, b.carol.Address(), common.Address{})
	if err != nil {
		t.Fatal(err)
	}
	carol := b.newTab(t, b.newWallet(b.carol), 1280, 900)
	bob := b.newTab(t, b.newWallet(b.bob), 1280, 900)
	steps := []struct {
		tab      *tab
		signer   chain.Wallet
		kind     string
		summary  string
		call     trustbot.Call
		function string
	}{
		{carol, b.carol, "reserve", "Carol creates her ETH reserve.", chain.CreateReserve(b.dc.Factory(), common.Address{}, "Carol Ether", "cETH"), "create(address,string,string)"},
		{carol, b.carol, "deposit", "Carol deposits 1 ETH into her reserve.", chain.Deposit(reserve, chain.NativeToken(), ether(1000))[0], "deposit(uint256)"},
		{carol, b.carol, "trust", "Carol extends @bob a budget of 0.5 ETH.", chain.Trust(reserve, b.bob.Address(), ether(500)), "trust(address,uint256)"},
		{bob, b.bob, "redeem", "Bob redeems 0.1 cETH for 0.1 ETH.", chain.Redeem(reserve, ether(100), b.bob.Address()), "redeem(uint256,address)"},
		{carol, b.carol, "reup", "Carol re-ups @bob.", chain.ReupMany(reserve, []common.Address{b.bob.Address()}, []*big.Int{ether(500)}), "reupMany(address[],uint256[])"},
		{carol, b.carol, "revoke", "Carol revokes all of @bob's trust.", chain.Revoke(reserve, b.bob.Address(), nil), "revoke(address,uint256)"},
		{carol, b.carol, "withdraw", "Carol withdraws 0.2 ETH.", chain.Withdraw(reserve, ether(200), b.carol.Address()), "withdraw(uint256,address)"},
	}
	for _, s := range steps {
		r := b.request(t, s.signer, s.kind, s.summary, s.call)
		s.tab.open("/s/" + r.ID)
		wantContains(t, s.kind+" page", s.tab.js(`document.body.innerText`), s.summary)
		wantContains(t, s.kind+" raw call", s.tab.js(`document.querySelector('details.raw').textContent`), s.function)
		s.tab.clickSign()
		s.tab.waitNotice("confirmed")
		if got := b.stored(t, r.ID); got.Status != trustbot.StatusConfirmed {
			t.Fatalf("%s: %s, want confirmed", s.kind, got.Status)
		}
	}
	info, err := b.dc.Client().ReserveAt(ctx, reserve)
	if err != nil {
		t.Fatal(err)
	}
	// 1 ETH in, 0.1 redeemed, 0.2 withdrawn; everything of bob's revoked.
	if info.Reserve.Cmp(ether(700)) != 0 || info.Outstanding.Sign() != 0 {
		t.Errorf("carol's reserve: %s backing, %s outstanding; want 0.7 ETH and nothing", info.Reserve, info.Outstanding)
	}
}

// TestBrowserRefusesUnsafeApproval: a request that would hand out an
// allowance other than for the deposit that follows never reaches the
// wallet, even when it got into the database without NewSigningRequest.
func TestBrowserRefusesUnsafeApproval(t *testing.T) {
	b := browserEnvFor(t)
	approve := chain.Approve(b.tusd, b.carol.Address(), usd(1_000))
	r, err := b.db.CreateRequest(context.Background(), trustbot.SigningRequest{
		ID: "unsafe-approval-request", UserID: "user-alice", Signer: b.alice.Address(),
		ChainID: devchain.ChainID, Kind: "deposit", Summary: "Alice deposits 1000 tUSD.",
		Calls: []trustbot.Call{approve}, ExpiresAt: b.clk.Now().Add(time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	w := b.newWallet(b.alice)
	tb := b.newTab(t, w, 1280, 900)
	tb.open("/s/" + r.ID)
	tb.clickSign()
	wantContains(t, "notice", tb.waitNotice("unsafe"), "This request asks your wallet to hand out a spending right in transaction 1 (approve)", "This page will not send it.")
	if len(w.log()) != 0 {
		t.Errorf("the page asked the wallet %d things for an unsafe request, want nothing", len(w.log()))
	}
}

// TestBrowserScreenshots checks the signing page at desktop and phone width
// (nothing wider than the screen) and, with -update-screenshots, writes them
// to docs/.
func TestBrowserScreenshots(t *testing.T) {
	b := browserEnvFor(t)
	shots := []struct {
		file          string
		width, height int64
		sign          bool
		kind, summary string
		calls         []trustbot.Call
	}{
		{"signing-desktop.png", 1280, 900, true, "trust", "Trust @bob with 50 tUSD.", []trustbot.Call{chain.Trust(b.reserve, b.bob.Address(), usd(50))}},
		{"signing-phone.png", 390, 844, false, "deposit", "Deposit 100 tUSD into your reserve.", chain.Deposit(b.reserve, trustbot.Token{Address: b.tusd}, usd(100))},
	}
	for _, s := range shots {
		r := b.request(t, b.alice, s.kind, s.summary, s.calls...)
		tb := b.newTab(t, b.newWallet(b.alice), s.width, s.height)
		tb.open("/s/" + r.ID)
		tb.waitFor("the sign button", `!document.getElementById('sign').disabled`)
		if s.sign {
			tb.clickSign()
			tb.waitNotice("confirmed")
		}
		if wide := tb.js(`String(document.documentElement.scrollWidth > window.innerWidth)`); wide != "false" {
			t.Errorf("%s: the page is wider than the %d px screen (%s px)", s.file, s.width, tb.js(`String(document.documentElement.scrollWidth)`))
		}
		if !*updateScreenshots {
			continue
		}
		shot, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("..", "docs", s.file)
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d KB)", path, len(shot)/1024)
	}
}

// TestBrowserStaleLink: bob's redemption link is open when alice revokes him. When he clicks
// sign, the server runs the redemption again: the page says what changed, in the server's words,
// offers no Try again and sends nothing; reloading it says the same.
func TestBrowserStaleLink(t *testing.T) {
	b := browserEnvFor(t)
	b.check.off.Store(false)
	t.Cleanup(func() { b.check.off.Store(true) })
	b.mineAll(t, b.alice, chain.Trust(b.reserve, b.bob.Address(), usd(10)))
	b.mineAll(t, b.alice, chain.Deposit(b.reserve, trustbot.Token{Address: b.tusd}, usd(10))...)
	r := b.request(t, b.bob, "redeem", "Bob redeems 10 aUSD for 10 tUSD.", chain.Redeem(b.reserve, usd(10), b.bob.Address()))

	w := b.newWallet(b.bob)
	tb := b.newTab(t, w, 1280, 900)
	tb.open("/s/" + r.ID)
	tb.waitFor("the sign button", `!document.getElementById('sign').disabled`)
	b.mineAll(t, b.alice, chain.Revoke(b.reserve, b.bob.Address(), nil))
	tb.clickSign()
	wantContains(t, "notice", tb.waitNotice("stale"), staleSentence, "This link cannot be used again.")
	if hidden := tb.js(`String(document.getElementById('retry').hidden)`); hidden != "true" {
		t.Errorf("a stale request offers to try again")
	}
	wantContains(t, "status", tb.js(`document.getElementById('status').textContent`), "stale: "+staleSentence)
	if n := len(w.sent()); n != 0 {
		t.Errorf("the page sent %d transactions for a stale request", n)
	}
	if got := b.stored(t, r.ID); got.Status != trustbot.StatusStale || got.Error != staleSentence {
		t.Errorf("request: got %s %q, want stale %q", got.Status, got.Error, staleSentence)
	}

	again := b.newTab(t, b.newWallet(b.bob), 1280, 900)
	again.open("/s/" + r.ID)
	wantContains(t, "notice after a reload", again.waitNotice("stale"), staleSentence)
	if hidden := again.js(`String(document.getElementById('retry').hidden) + String(document.getElementById('sign').hidden)`); hidden != "truetrue" {
		t.Errorf("a reloaded stale request offers to sign or try again")
	}
}
