package chaintest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/common/hexutil"
)

// LogProvider is how a hosted node refuses an eth_getLogs over its limits: the HTTP status and
// the JSON-RPC error it answers with, as each provider words it.
type LogProvider struct {
	Name string
	// Status is the HTTP status of a refusal (some providers answer 400 or 413, not 200).
	Status int
	// Range is the error for more than maxBlocks blocks from from to to; Results for more
	// than maxResults logs (a range that would do is [from, suggest]).
	Range   func(maxBlocks, from, to uint64) (code int, msg string)
	Results func(maxResults, from, suggest uint64) (code int, msg string)
}

// LogProviders are the refusals of hosted nodes and clients, worded as they word them.
var LogProviders = []LogProvider{
	{Name: "infura", Status: http.StatusOK,
		Range: func(max, from, to uint64) (int, string) {
			return -32602, fmt.Sprintf("range %d exceeds limit of %d", to-from+1, max)
		},
		Results: func(max, from, suggest uint64) (int, string) {
			return -32005, fmt.Sprintf("query returned more than %d results. Try with this block range [%#x, %#x].", max, from, suggest)
		}},
	{Name: "alchemy", Status: http.StatusBadRequest,
		Range: func(max, from, to uint64) (int, string) {
			return -32600, fmt.Sprintf("You can make eth_getLogs requests with up to a %d block range. Based on your parameters, this block range should work: [%#x, %#x]", max, from, from+max-1)
		},
		Results: func(max, from, suggest uint64) (int, string) {
			return -32602, fmt.Sprintf("Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size, or you can request any block range with a cap of %dK logs in the response. Based on your parameters and the response size limit, this block range should work: [%#x, %#x]", max/1000, from, suggest)
		}},
	{Name: "quicknode", Status: http.StatusRequestEntityTooLarge,
		Range: func(max, from, to uint64) (int, string) {
			return -32614, fmt.Sprintf("eth_getLogs is limited to a %s range", thousands(max))
		},
		Results: func(max, from, suggest uint64) (int, string) {
			return -32614, fmt.Sprintf("eth_getLogs is limited to %s results", thousands(max))
		}},
	{Name: "reth", Status: http.StatusOK,
		Range: func(max, from, to uint64) (int, string) {
			return -32602, fmt.Sprintf("query exceeds max block range %d", max)
		},
		Results: func(max, from, suggest uint64) (int, string) {
			return -32602, fmt.Sprintf("query exceeds max results %d, retry with the range %d-%d", max, from, suggest)
		}},
}

// thousands writes n with commas: 10,000.
func thousands(n uint64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// LogCap is a JSON-RPC proxy in front of a node that refuses, as provider does, every
// eth_getLogs spanning more than MaxBlocks blocks or returning more than MaxResults logs, and
// forwards everything else.
type LogCap struct {
	*httptest.Server
	MaxBlocks, MaxResults uint64
	provider              LogProvider

	mu                     sync.Mutex
	queries                int
	rangeRefused, tooLarge int
}

// NewLogCap starts a LogCap in front of upstream, closed when the test ends.
func NewLogCap(t testing.TB, upstream string, provider LogProvider, maxBlocks, maxResults uint64) *LogCap {
	t.Helper()
	p := &LogCap{MaxBlocks: maxBlocks, MaxResults: maxResults, provider: provider}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var req Request
		if bytes.HasPrefix(bytes.TrimSpace(body), []byte("[")) || json.Unmarshal(body, &req) != nil || req.Method != "eth_getLogs" || len(req.Params) != 1 {
			Forward(w, nil, upstream, body)
			return
		}
		p.serveLogs(w, upstream, body, req)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *LogCap) serveLogs(w http.ResponseWriter, upstream string, body []byte, req Request) {
	refuse := func(code int, msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(p.provider.Status)
		json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID, "error": map[string]any{"code": code, "message": msg}})
	}
	var q struct {
		FromBlock *hexutil.Uint64 `json:"fromBlock"`
		ToBlock   *hexutil.Uint64 `json:"toBlock"`
	}
	p.mu.Lock()
	p.queries++
	p.mu.Unlock()
	if err := json.Unmarshal(req.Params[0], &q); err != nil || q.FromBlock == nil || q.ToBlock == nil {
		// Block tags ("latest") are not what the watcher sends; pass them on.
		Forward(w, nil, upstream, body)
		return
	}
	from, to := uint64(*q.FromBlock), uint64(*q.ToBlock)
	if to >= from && to-from+1 > p.MaxBlocks {
		p.mu.Lock()
		p.rangeRefused++
		p.mu.Unlock()
		refuse(p.provider.Range(p.MaxBlocks, from, to))
		return
	}
	rec := httptest.NewRecorder()
	Forward(rec, nil, upstream, body)
	var resp struct {
		Result []struct {
			BlockNumber hexutil.Uint64 `json:"blockNumber"`
		} `json:"result"`
	}
	if json.Unmarshal(rec.Body.Bytes(), &resp) == nil && uint64(len(resp.Result)) > p.MaxResults {
		p.mu.Lock()
		p.tooLarge++
		p.mu.Unlock()
		// The suggested range ends before the block holding the first log over the cap.
		suggest := max(from, uint64(resp.Result[p.MaxResults].BlockNumber)-1)
		refuse(p.provider.Results(p.MaxResults, from, suggest))
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// Counts are the eth_getLogs queries the LogCap saw, and how many it refused for their range
// and for their number of results.
func (p *LogCap) Counts() (queries, rangeRefused, tooLarge int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.queries, p.rangeRefused, p.tooLarge
}
