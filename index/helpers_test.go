package index_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/chaintest"
	"github.com/trustbot/trustbot/chain/devchain"
	"github.com/trustbot/trustbot/store"
	"github.com/trustbot/trustbot/store/storetest"
)

var members = []string{"alice", "bob", "carol"}

// startDev starts a dev chain with alice, bob and carol, closed when the test ends.
func startDev(t *testing.T, manual bool) *devchain.Chain {
	t.Helper()
	dc, err := devchain.Start(context.Background(), devchain.Options{Members: members, Manual: manual})
	if err != nil {
		t.Fatalf("StartDevChain: %v", err)
	}
	t.Cleanup(dc.Close)
	return dc
}

func member(t *testing.T, dc *devchain.Chain, name string) chain.Wallet {
	t.Helper()
	w, ok := dc.Member(name)
	if !ok {
		t.Fatalf("no dev member %s", name)
	}
	return w
}

// units is n whole tUSD (6 decimals).
func units(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1_000_000)) }

// ether is n whole ETH.
func ether(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e18)) }

// send sends c from w on dc (sealing by hand on a Manual chain) and waits for the receipt.
func send(t *testing.T, dc *devchain.Chain, manual bool, w chain.Wallet, c trustbot.Call) *types.Receipt {
	t.Helper()
	hash, err := w.Send(context.Background(), dc.Client().Eth(), dc.ChainID(), c)
	if err != nil {
		t.Fatalf("send %x from %s: %v", c.Data[:min(4, len(c.Data))], w.Address().Hex(), err)
	}
	if manual {
		// A block can be built before the pool has promoted a transaction sent just before:
		// seal until it is in.
		for range 20 {
			dc.Commit()
			if r, err := dc.Client().Eth().TransactionReceipt(context.Background(), hash); err == nil {
				return r
			}
		}
	}
	return waitMined(t, dc.Client().Eth(), hash)
}

// sendOK is send that fails the test when the transaction reverted.
func sendOK(t *testing.T, dc *devchain.Chain, manual bool, w chain.Wallet, calls ...trustbot.Call) {
	t.Helper()
	for _, c := range calls {
		if r := send(t, dc, manual, w, c); r.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("tx %s: got status %d, want 1", r.TxHash.Hex(), r.Status)
		}
	}
}

func waitMined(t *testing.T, ec *ethclient.Client, hash common.Hash) *types.Receipt {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := ec.TransactionReceipt(context.Background(), hash)
		if err == nil {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("tx %s not mined: %v", hash.Hex(), err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func openDB(t *testing.T, path string, now func() time.Time) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), path, now)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	dbPaths.Store(db, path)
	return db
}

func tempDB(t *testing.T) *store.DB {
	t.Helper()
	return openDB(t, filepath.Join(t.TempDir(), "trustbot.db"), nil)
}

// digest is a hash of storetest.Digest of db's file: every table (or only tables), times as
// set/NULL, block hashes as stored.
func digest(t *testing.T, db *store.DB, tables ...string) string {
	t.Helper()
	path, ok := dbPaths.Load(db)
	if !ok {
		t.Fatal("digest: a database not opened by openDB")
	}
	ro := storetest.OpenReadOnly(t, path.(string))
	defer ro.Close()
	sum := sha256.Sum256([]byte(storetest.Digest(t, ro, nil, tables...)))
	return hex.EncodeToString(sum[:])
}

// indexTables are the chain index: what a fresh index of the same chain must reproduce.
var indexTables = []string{"events", "watcher_cursor", "reserves", "accounts"}

// dbPaths are the files of the databases openDB opened.
var dbPaths sync.Map

// rpcProxy forwards JSON-RPC to upstream, except single requests that intercept answers with an
// error (code, message).
type rpcProxy struct {
	*httptest.Server
	mu      sync.Mutex
	refused int
}

type rpcRequest struct {
	ID     json.RawMessage   `json:"id"`
	Method string            `json:"method"`
	Params []json.RawMessage `json:"params"`
}

func newProxy(t *testing.T, upstream string, intercept func(rpcRequest) (int, string, bool)) *rpcProxy {
	t.Helper()
	p := &rpcProxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var req rpcRequest
		if !bytes.HasPrefix(bytes.TrimSpace(body), []byte("[")) && json.Unmarshal(body, &req) == nil {
			if code, msg, refuse := intercept(req); refuse {
				p.mu.Lock()
				p.refused++
				p.mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				json.NewEncoder(w).Encode(map[string]any{
					"jsonrpc": "2.0", "id": req.ID,
					"error": map[string]any{"code": code, "message": msg},
				})
				return
			}
		}
		chaintest.Forward(w, nil, upstream, body)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *rpcProxy) refusals() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.refused
}

// eventView is what a test compares of an event.
type eventView struct {
	Address string
	Name    string
	Args    string
}

func view(e trustbot.Event) eventView {
	args := map[string]string{}
	amount := func(v *big.Int) string { return v.String() }
	switch d := e.Data.(type) {
	case *trustbot.Transfer:
		args["from"], args["to"], args["amount"] = lower(d.From), lower(d.To), amount(d.Amount)
	case *trustbot.Trusted:
		args["holder"], args["amount"] = lower(d.Holder), amount(d.Amount)
	case *trustbot.Revoked:
		args["amount"] = amount(d.Amount)
	case *trustbot.Deposited:
		args["from"], args["amount"] = lower(d.From), amount(d.Amount)
	case *trustbot.Withdrawn:
		args["to"], args["amount"] = lower(d.To), amount(d.Amount)
	case *trustbot.ReserveCreated:
		args["reserve"], args["issuer"], args["asset"] = lower(d.Reserve), lower(d.Issuer), lower(d.Asset)
	}
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + args[k]
	}
	return eventView{Address: lower(e.Address), Name: e.Name(), Args: strings.Join(parts, " ")}
}

func lower(a common.Address) string { return strings.ToLower(a.Hex()) }
