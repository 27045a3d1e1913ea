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

// Refuser forwards JSON-RPC to a node, except requests its intercept answers with an error
// (code, message): single requests, and with NewBatchRefuser the elements of batches too.
type Refuser struct {
	*httptest.Server
	mu      sync.Mutex
	refused int
}

// NewRefuser starts a Refuser of single requests in front of upstream, closed when the test
// ends; batches pass untouched.
func NewRefuser(t testing.TB, upstream string, intercept func(Request) (code int, msg string, refuse bool)) *Refuser {
	t.Helper()
	return newRefuser(t, upstream, intercept, false)
}

// NewBatchRefuser is NewRefuser that also answers the elements of a batch it intercepts, and
// forwards the rest of the batch.
func NewBatchRefuser(t testing.TB, upstream string, intercept func(Request) (code int, msg string, refuse bool)) *Refuser {
	t.Helper()
	return newRefuser(t, upstream, intercept, true)
}

func newRefuser(t testing.TB, upstream string, intercept func(Request) (int, string, bool), batches bool) *Refuser {
	p := &Refuser{}
	refusal := func(req Request) (json.RawMessage, bool) {
		code, msg, refuse := intercept(req)
		if !refuse {
			return nil, false
		}
		p.mu.Lock()
		p.refused++
		p.mu.Unlock()
		b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": req.ID, "error": map[string]any{"code": code, "message": msg}})
		return b, true
	}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if !bytes.HasPrefix(bytes.TrimSpace(body), []byte("[")) {
			var req Request
			if json.Unmarshal(body, &req) == nil {
				if answer, ok := refusal(req); ok {
					w.Header().Set("Content-Type", "application/json")
					w.Write(answer)
					return
				}
			}
		} else if batches {
			if answers, ok := p.batch(upstream, body, refusal); ok {
				w.Header().Set("Content-Type", "application/json")
				w.Write(answers)
				return
			}
		}
		Forward(w, nil, upstream, body)
	}))
	t.Cleanup(p.Close)
	return p
}

// batch answers the refused elements of a batch itself and the others from upstream, in one
// array; ok is false when nothing in it is refused or it cannot be read, so it goes up as is.
func (p *Refuser) batch(upstream string, body []byte, refusal func(Request) (json.RawMessage, bool)) (answers []byte, ok bool) {
	var elems []json.RawMessage
	if json.Unmarshal(body, &elems) != nil {
		return nil, false
	}
	var out, rest []json.RawMessage
	for _, e := range elems {
		var req Request
		if json.Unmarshal(e, &req) != nil {
			return nil, false
		}
		if answer, refused := refusal(req); refused {
			out = append(out, answer)
		} else {
			rest = append(rest, e)
		}
	}
	if len(out) == 0 {
		return nil, false
	}
	if len(rest) > 0 {
		fwd, _ := json.Marshal(rest)
		resp, err := http.Post(upstream, "application/json", bytes.NewReader(fwd))
		if err != nil {
			return nil, false
		}
		defer resp.Body.Close()
		var got []json.RawMessage
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			return nil, false
		}
		out = append(out, got...)
	}
	answers, _ = json.Marshal(out)
	return answers, true
}

// Refusals is how many requests the Refuser answered with an error.
func (p *Refuser) Refusals() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.refused
}
