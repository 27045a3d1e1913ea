package chain_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
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
