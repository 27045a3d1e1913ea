package chaintest_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trustbot/trustbot/chain/chaintest"
)

// TestProxyCounts sends one call, one batch of three and then two calls at the same time
// through a proxy with 30 ms of latency: 4 HTTP requests, 6 JSON-RPC calls, and 3 sequential
// round trips (the two concurrent ones count once); every request is held at least 30 ms and
// the node gets every body as it was sent.
func TestProxyCounts(t *testing.T) {
	const latency = 30 * time.Millisecond
	var mu sync.Mutex
	var bodies []string
	node := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(body))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if strings.HasPrefix(string(body), "[") {
			io.WriteString(w, `[{"jsonrpc":"2.0","id":1,"result":"0x1"},{"jsonrpc":"2.0","id":2,"result":"0x2"},{"jsonrpc":"2.0","id":3,"result":"0x3"}]`)
			return
		}
		io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":"0x1"}`)
	}))
	defer node.Close()
	p := chaintest.NewProxy(node.URL, latency)
	defer p.Close()

	post := func(body string) string {
		t.Helper()
		resp, err := http.Post(p.URL, "application/json", strings.NewReader(body))
		if err != nil {
			t.Error(err)
			return ""
		}
		defer resp.Body.Close()
		got, _ := io.ReadAll(resp.Body)
		return string(got)
	}
	single := `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}`
	batch := `[{"jsonrpc":"2.0","id":1,"method":"eth_call","params":[]},{"jsonrpc":"2.0","id":2,"method":"eth_call","params":[]},{"jsonrpc":"2.0","id":3,"method":"eth_getCode","params":[]}]`

	cost, err := p.Measure(1, func() error {
		if got := post(single); !strings.Contains(got, `"result":"0x1"`) {
			t.Errorf("single call: got %s", got)
		}
		if got := post(batch); !strings.Contains(got, `"result":"0x3"`) {
			t.Errorf("batch: got %s", got)
		}
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() { post(single) })
		}
		wg.Wait()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if cost.Requests != 4 || cost.Calls != 6 || cost.Sequential != 3 {
		t.Errorf("got %v requests, %v calls, %v sequential; want 4, 6, 3", cost.Requests, cost.Calls, cost.Sequential)
	}
	if want := "eth_blockNumber×3 eth_call×2 eth_getCode×1"; cost.Methods() != want {
		t.Errorf("methods: got %q, want %q", cost.Methods(), want)
	}
	if cost.MS < 3*float64(latency.Milliseconds()) {
		t.Errorf("three sequential round trips took %.1f ms, want at least %d", cost.MS, 3*latency.Milliseconds())
	}
	for _, tr := range p.Trips() {
		if d := tr.End.Sub(tr.Start); d < latency {
			t.Errorf("a request was held %v, want at least %v", d, latency)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 4 || bodies[0] != single || bodies[1] != batch {
		t.Errorf("the node got %q, want the bodies as sent", bodies)
	}

	p.Reset()
	if n := len(p.Trips()); n != 0 {
		t.Errorf("after Reset: %d trips, want 0", n)
	}
}

// TestCountSequential checks the longest chain of non-overlapping requests on fixed intervals.
func TestCountSequential(t *testing.T) {
	at := func(ms int) time.Time { return time.Unix(0, 0).Add(time.Duration(ms) * time.Millisecond) }
	trip := func(from, to int) chaintest.Trip {
		return chaintest.Trip{Start: at(from), End: at(to), Methods: []string{"eth_call"}}
	}
	for _, tc := range []struct {
		name  string
		trips []chaintest.Trip
		want  int
	}{
		{"none", nil, 0},
		{"one after another", []chaintest.Trip{trip(0, 20), trip(20, 40), trip(41, 60)}, 3},
		{"all at once", []chaintest.Trip{trip(0, 20), trip(1, 21), trip(2, 22)}, 1},
		{"a long one beside two short ones", []chaintest.Trip{trip(0, 100), trip(0, 20), trip(25, 45), trip(50, 70)}, 3},
		{"two rounds of two", []chaintest.Trip{trip(0, 20), trip(0, 21), trip(22, 40), trip(22, 41)}, 2},
	} {
		if got := chaintest.Count(tc.trips).Sequential; got != tc.want {
			t.Errorf("%s: got %d sequential, want %d", tc.name, got, tc.want)
		}
	}
}
