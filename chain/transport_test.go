package chain_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
)

// countingNode is a JSON-RPC node on loopback that answers eth_chainId and eth_blockNumber,
// holding each eth_blockNumber until release is closed (at once when it is nil), and counts
// the connections made to it: in all, and the most open at one time.
type countingNode struct {
	URL     string
	release chan struct{}

	mu                 sync.Mutex
	opened, open, most int
}

func newCountingNode(t *testing.T, release chan struct{}) *countingNode {
	t.Helper()
	n := &countingNode{release: release}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		result := `"0x539"`
		if req.Method == "eth_blockNumber" {
			if n.release != nil {
				select {
				case <-n.release:
				case <-r.Context().Done():
					return
				}
			}
			result = `"0x10"`
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"jsonrpc":"2.0","id":` + string(req.ID) + `,"result":` + result + `}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		n.mu.Lock()
		defer n.mu.Unlock()
		switch s {
		case http.StateNew:
			n.opened++
			n.open++
			n.most = max(n.most, n.open)
		case http.StateClosed, http.StateHijacked:
			n.open--
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	n.URL = srv.URL
	return n
}

func (n *countingNode) counts() (opened, most int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.opened, n.most
}

// blockNumbers asks c for the block number k times at once and returns the errors.
func blockNumbers(c *chain.Client, k int) []error {
	errs := make([]error, k)
	var wg sync.WaitGroup
	for i := range k {
		wg.Go(func() { _, errs[i] = c.BlockNumber(context.Background()) })
	}
	wg.Wait()
	return errs
}

// TestNodeConnections_HungNode: 300 RPCs at once to a node that never answers open at most
// MaxNodeConns connections to it, and each still ends at its deadline as "the chain is
// unreachable".
func TestNodeConnections_HungNode(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	node := newCountingNode(t, release)
	c, err := chain.Dial(context.Background(), node.URL, common.Address{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Timeout = 500 * time.Millisecond
	start := time.Now()
	for i, err := range blockNumbers(c, 300) {
		if code := trustbot.ErrorCode(err); code != trustbot.EUnavailable {
			t.Fatalf("RPC %d: got %v (code %q), want %q", i, err, code, trustbot.EUnavailable)
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("300 RPCs with a 500 ms deadline took %v", d)
	}
	if _, most := node.counts(); most > chain.MaxNodeConns {
		t.Fatalf("%d connections were open to the node at once, want at most %d", most, chain.MaxNodeConns)
	}
}

// TestNodeConnections_Reused: ten bursts of 50 RPCs at once to a node that answers open no
// more connections than one burst needs: they stay open between bursts and are used again.
func TestNodeConnections_Reused(t *testing.T) {
	node := newCountingNode(t, nil)
	c, err := chain.Dial(context.Background(), node.URL, common.Address{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for range 10 {
		for i, err := range blockNumbers(c, 50) {
			if err != nil {
				t.Fatalf("RPC %d: %v", i, err)
			}
		}
	}
	if opened, _ := node.counts(); opened > 51 {
		t.Fatalf("10 bursts of 50 RPCs opened %d connections, want at most 51 (one burst's and the dial's)", opened)
	}
}
