package chaintest

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
	"github.com/trustbot/trustbot/chain/devchain"
)

// DevMembers are the members StartDev funds.
var DevMembers = []string{"alice", "bob", "carol"}

// StartDev starts a dev chain with alice, bob and carol, closed when the test ends. A manual
// chain seals only when told (Commit).
func StartDev(t testing.TB, manual bool) *devchain.Chain {
	t.Helper()
	dc, err := devchain.Start(context.Background(), devchain.Options{Members: DevMembers, Manual: manual})
	if err != nil {
		t.Fatalf("start dev chain: %v", err)
	}
	t.Cleanup(dc.Close)
	return dc
}

// Member is a dev member's wallet.
func Member(t testing.TB, dc *devchain.Chain, name string) chain.Wallet {
	t.Helper()
	w, ok := dc.Member(name)
	if !ok {
		t.Fatalf("no dev member %s", name)
	}
	return w
}

// Units is n whole tUSD (6 decimals).
func Units(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1_000_000)) }

// Ether is n whole ETH.
func Ether(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e18)) }

// Send sends c from w on dc (sealing by hand on a manual chain) and waits for the receipt.
func Send(t testing.TB, dc *devchain.Chain, manual bool, w chain.Wallet, c trustbot.Call) *types.Receipt {
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
	return WaitMined(t, dc.Client().Eth(), hash)
}

// SendOK is Send that fails the test when a transaction reverted.
func SendOK(t testing.TB, dc *devchain.Chain, manual bool, w chain.Wallet, calls ...trustbot.Call) {
	t.Helper()
	for _, c := range calls {
		if r := Send(t, dc, manual, w, c); r.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("tx %s: got status %d, want 1", r.TxHash.Hex(), r.Status)
		}
	}
}

// WaitMined waits up to 10 s for a transaction's receipt.
func WaitMined(t testing.TB, ec *ethclient.Client, hash common.Hash) *types.Receipt {
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

// Request is one JSON-RPC request, as a Refuser sees it.
type Request struct {
	ID     json.RawMessage   `json:"id"`
	Method string            `json:"method"`
	Params []json.RawMessage `json:"params"`
}

// Refuser forwards JSON-RPC to a node, except single requests its intercept answers with an
// error (code, message).
type Refuser struct {
	*httptest.Server
	mu      sync.Mutex
	refused int
}

// NewRefuser starts a Refuser in front of upstream, closed when the test ends.
func NewRefuser(t testing.TB, upstream string, intercept func(Request) (code int, msg string, refuse bool)) *Refuser {
	t.Helper()
	p := &Refuser{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var req Request
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
		Forward(w, nil, upstream, body)
	}))
	t.Cleanup(p.Close)
	return p
}

// Refusals is how many requests the Refuser answered with an error.
func (p *Refuser) Refusals() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.refused
}
