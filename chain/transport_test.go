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

	"github.com/trustbot/trustbot/chain"
)

// countingNode is a JSON-RPC node on loopback that answers eth_chainId and eth_blockNumber,
// holding each eth_blockNumber until release is closed (at once when it is nil), and counts
// the connections made to it.
type countingNode struct {
	URL     string
	release chan struct{}

	mu           sync.Mutex
	opened, hold int
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
				n.mu.Lock()
				n.hold++
				n.mu.Unlock()
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
		if s == http.StateNew {
			n.opened++
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	n.URL = srv.URL
	return n
}

// held is how many eth_blockNumber requests the node has held so far.
func (n *countingNode) held() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.hold
}

// opened is how many connections were made to the node.
func (n *countingNode) opens() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.opened
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

// TestNodeConnections_SlowNode: 300 RPCs at once to a node that holds every answer open at most
// MaxNodeConns connections to it, the rest waiting for one; once the node answers, every RPC is
// answered over those connections.
func TestNodeConnections_SlowNode(t *testing.T) {
	release := make(chan struct{})
	node := newCountingNode(t, release)
	c, err := chain.Dial(context.Background(), node.URL, common.Address{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Timeout = 20 * time.Second
	done := make(chan []error)
	go func() { done <- blockNumbers(c, 300) }()
	// The node holds MaxNodeConns requests; give the others time to open more, were they let.
	deadline := time.Now().Add(5 * time.Second)
	for node.held() < chain.MaxNodeConns && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	if opened := node.opens(); opened > chain.MaxNodeConns {
		t.Fatalf("%d connections were opened to the node for 300 RPCs at once, want at most %d", opened, chain.MaxNodeConns)
	}
	close(release)
	for i, err := range <-done {
		if err != nil {
			t.Fatalf("RPC %d: %v", i, err)
		}
	}
	if opened := node.opens(); opened > chain.MaxNodeConns {
		t.Fatalf("300 RPCs opened %d connections to the node, want at most %d", opened, chain.MaxNodeConns)
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
	if opened := node.opens(); opened > 51 {
		t.Fatalf("10 bursts of 50 RPCs opened %d connections, want at most 51 (one burst's and the dial's)", opened)
	}
}
