package web_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/params"

	"github.com/trustbot/trustbot/store"
	"github.com/trustbot/trustbot/store/storetest"
	"github.com/trustbot/trustbot/web"
)

// start is the test clock's initial time.
var start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable clock shared by the store and the server.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// chainID is the simulated backend's chain id.
const chainID = 1337

// env is a server on loopback over a real SQLite file and a simulated chain.
type env struct {
	t      *testing.T
	clk    *clock
	db     *store.DB
	raw    *sql.DB // read-only look under the store
	sim    *simulated.Backend
	client simulated.Client
	srv    *web.Server
	ts     *httptest.Server
	logs   *syncBuffer

	alice, mallory *ecdsa.PrivateKey
}

// key makes a deterministic private key.
func key(t testing.TB, seed string) *ecdsa.PrivateKey {
	t.Helper()
	h := sha256.Sum256([]byte(seed))
	k, err := crypto.ToECDSA(h[:])
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func addrOf(k *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(k.PublicKey) }

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.String()
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := buildEnv(t)
	e.t = t
	return e
}

// buildEnv makes the environment with tb; e.t is left for the caller (a fuzz target sets it to
// each input's *testing.T).
func buildEnv(tb testing.TB) *env {
	tb.Helper()
	e := &env{clk: &clock{t: start}, alice: key(tb, "alice"), mallory: key(tb, "mallory")}

	path := filepath.Join(tb.TempDir(), "trustbot.db")
	db, err := store.Open(context.Background(), path, e.clk.Now)
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	e.db = db
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=query_only(1)")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	e.raw = raw

	funds := new(big.Int).Mul(big.NewInt(1000), big.NewInt(params.Ether))
	e.sim = simulated.NewBackend(types.GenesisAlloc{
		addrOf(e.alice):   {Balance: funds},
		addrOf(e.mallory): {Balance: funds},
	})
	tb.Cleanup(func() { e.sim.Close() })
	e.client = e.sim.Client()

	e.ts = httptest.NewUnstartedServer(nil)
	e.logs = &syncBuffer{}
	log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.srv, err = web.New(web.Config{
		PublicURL:   "http://" + e.ts.Listener.Addr().String(),
		ChainID:     chainID,
		RPCURL:      "http://127.0.0.1:8545",
		ExplorerURL: "https://explorer.invalid",
	}, db, e.client, e.clk.Now, log)
	if err != nil {
		tb.Fatal(err)
	}
	e.ts.Config.Handler = e.srv.Handler()
	e.ts.Start()
	tb.Cleanup(e.ts.Close)
	return e
}

// otherServer is a second server on the same database and chain,
// configured for another chain id.
func (e *env) otherServer(id uint64) (*web.Server, *httptest.Server) {
	ts := httptest.NewUnstartedServer(nil)
	srv, err := web.New(web.Config{PublicURL: "http://" + ts.Listener.Addr().String(), ChainID: id}, e.db, e.client, e.clk.Now, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	e.t.Cleanup(ts.Close)
	return srv, ts
}

// send signs and sends a transaction from k, mines it and returns its hash.
func (e *env) send(k *ecdsa.PrivateKey, to common.Address, data []byte, value *big.Int) common.Hash {
	e.t.Helper()
	ctx := context.Background()
	from := addrOf(k)
	nonce, err := e.client.PendingNonceAt(ctx, from)
	if err != nil {
		e.t.Fatal(err)
	}
	head, err := e.client.HeaderByNumber(ctx, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	tip := big.NewInt(params.GWei)
	tx := types.NewTx(&types.DynamicFeeTx{
		ChainID:   big.NewInt(chainID),
		Nonce:     nonce,
		GasTipCap: tip,
		GasFeeCap: new(big.Int).Add(new(big.Int).Mul(head.BaseFee, big.NewInt(2)), tip),
		Gas:       200_000,
		To:        &to,
		Value:     value,
		Data:      data,
	})
	signed, err := types.SignTx(tx, types.LatestSignerForChainID(big.NewInt(chainID)), k)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.client.SendTransaction(ctx, signed); err != nil {
		e.t.Fatalf("SendTransaction: %v", err)
	}
	e.sim.Commit()
	return signed.Hash()
}

// digest writes the content of tables as stored, to show that nothing was written.
func (e *env) digest(tables ...string) string {
	e.t.Helper()
	return storetest.Raw(e.t, e.raw, tables...)
}

// response is an HTTP answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

// errorText is the "error" of a JSON error body.
func (r response) errorText() string {
	var v struct {
		Error string `json:"error"`
	}
	json.Unmarshal(r.body, &v)
	return v.Error
}

func (e *env) do(ts *httptest.Server, method, path, contentType string, body io.Reader) response {
	e.t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := ts.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func (e *env) get(path string) response { return e.do(e.ts, "GET", path, "", nil) }

func (e *env) postJSON(path, body string) response {
	return e.do(e.ts, "POST", path, "application/json", strings.NewReader(body))
}

// decode unmarshals a JSON body.
func decode[T any](t testing.TB, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return v
}
