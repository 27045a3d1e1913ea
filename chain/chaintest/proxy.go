package chaintest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Proxy is a JSON-RPC proxy on loopback in front of a node. It holds every HTTP request for a
// fixed latency before forwarding it, so one round trip costs what it would over a network,
// and it records each request: when it came and when its answer was written, and the methods
// it carried (a batch is one request with several calls).
type Proxy struct {
	// URL is the proxy's JSON-RPC endpoint.
	URL string

	srv      *httptest.Server
	upstream string
	latency  time.Duration
	hc       *http.Client

	mu    sync.Mutex
	trips []Trip
}

// Trip is one HTTP request through the proxy: one round trip.
type Trip struct {
	Start, End time.Time
	// Methods are the JSON-RPC methods of the request, one per call: several for a batch.
	Methods []string
}

// NewProxy starts a proxy that forwards to upstream after holding each request for latency.
func NewProxy(upstream string, latency time.Duration) *Proxy {
	p := &Proxy{upstream: upstream, latency: latency, hc: &http.Client{Timeout: time.Minute}}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	p.URL = p.srv.URL
	return p
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	time.Sleep(p.latency)
	Forward(w, p.hc, p.upstream, body)
	trip := Trip{Start: start, End: time.Now(), Methods: Methods(body)}
	p.mu.Lock()
	p.trips = append(p.trips, trip)
	p.mu.Unlock()
}

// Close stops the proxy.
func (p *Proxy) Close() { p.srv.Close() }

// Reset forgets the requests recorded so far.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.trips = nil
}

// Trips are the requests answered since NewProxy or the last Reset, in the order they ended.
func (p *Proxy) Trips() []Trip {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.trips)
}

// Methods lists the JSON-RPC methods of a request body: one for a single call, one per element
// for a batch, "?" for an element that names none.
func Methods(body []byte) []string {
	type call struct {
		Method string `json:"method"`
	}
	body = bytes.TrimSpace(body)
	var calls []call
	if bytes.HasPrefix(body, []byte("[")) {
		if json.Unmarshal(body, &calls) != nil {
			return []string{"?"}
		}
	} else {
		var c call
		if json.Unmarshal(body, &c) != nil {
			return []string{"?"}
		}
		calls = []call{c}
	}
	out := make([]string, len(calls))
	for i, c := range calls {
		out[i] = c.Method
		if out[i] == "" {
			out[i] = "?"
		}
	}
	return out
}

// Tally is what a set of trips cost.
type Tally struct {
	// Requests is the number of HTTP requests: round trips, sequential or not.
	Requests int
	// Sequential is the longest chain of requests in which each starts after the one before it
	// ended: the round trips a caller waited for one after another. Requests made at the same
	// time count once.
	Sequential int
	// Calls is the number of JSON-RPC calls: every element of a batch counts.
	Calls int
	// ByMethod counts the calls per method.
	ByMethod map[string]int
}

// Count tallies trips.
func Count(trips []Trip) Tally {
	t := Tally{Requests: len(trips), ByMethod: map[string]int{}}
	for _, tr := range trips {
		t.Calls += len(tr.Methods)
		for _, m := range tr.Methods {
			t.ByMethod[m]++
		}
	}
	// The most requests that do not overlap: taken greedily by earliest end.
	sorted := slices.Clone(trips)
	slices.SortFunc(sorted, func(a, b Trip) int { return a.End.Compare(b.End) })
	var last time.Time
	for _, tr := range sorted {
		if t.Sequential == 0 || !tr.Start.Before(last) {
			t.Sequential++
			last = tr.End
		}
	}
	return t
}

// Cost is what one run of something cost through a Proxy, on average over the runs measured.
type Cost struct {
	Sequential, Requests, Calls float64 // as in Tally
	MS                          float64 // wall time of a run, in milliseconds
	ByMethod                    map[string]float64
}

// Measure runs f n times, each after a Reset, and returns the average cost of a run. It stops
// at the first error f returns.
func (p *Proxy) Measure(n int, f func() error) (Cost, error) {
	c := Cost{ByMethod: map[string]float64{}}
	for range n {
		p.Reset()
		start := time.Now()
		err := f()
		elapsed := time.Since(start)
		if err != nil {
			return Cost{}, err
		}
		t := Count(p.Trips())
		c.Sequential += float64(t.Sequential)
		c.Requests += float64(t.Requests)
		c.Calls += float64(t.Calls)
		c.MS += float64(elapsed.Microseconds()) / 1000
		for m, k := range t.ByMethod {
			c.ByMethod[m] += float64(k)
		}
	}
	if n > 0 {
		d := float64(n)
		c.Sequential, c.Requests, c.Calls, c.MS = c.Sequential/d, c.Requests/d, c.Calls/d, c.MS/d
		for m := range c.ByMethod {
			c.ByMethod[m] /= d
		}
	}
	return c, nil
}

// Report reports c as a benchmark's metrics: roundtrips/op (sequential), requests/op,
// rpccalls/op and ms/op.
func (c Cost) Report(b *testing.B) {
	b.ReportMetric(c.Sequential, "roundtrips/op")
	b.ReportMetric(c.Requests, "requests/op")
	b.ReportMetric(c.Calls, "rpccalls/op")
	b.ReportMetric(c.MS, "ms/op")
}

// Methods writes the calls per method, most first: "eth_call×120 eth_getCode×2".
func (c Cost) Methods() string {
	names := slices.Collect(maps.Keys(c.ByMethod))
	slices.SortFunc(names, func(a, b string) int {
		if d := cmp.Compare(c.ByMethod[b], c.ByMethod[a]); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(names))
	for i, m := range names {
		parts[i] = m + "×" + strconv.FormatFloat(c.ByMethod[m], 'f', -1, 64)
	}
	return strings.Join(parts, " ")
}

// CostRow is one line of a CostTable.
type CostRow struct {
	Name string
	// Floored rows are held to the floors: at most so many sequential round trips and ms.
	Floored bool
	Cost    Cost
}

// CostTable writes rows as a Markdown table: command, sequential round trips, HTTP requests,
// JSON-RPC calls, ms, whether the floors (at most floorTrips sequential round trips and floorMS
// milliseconds) are met, and the calls per method.
func CostTable(rows []CostRow, floorTrips int, floorMS float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "| command | round trips (sequential) | HTTP requests | JSON-RPC calls | ms | floor ≤ %d round trips, ≤ %s ms | calls by method |\n",
		floorTrips, strconv.FormatFloat(floorMS, 'f', -1, 64))
	b.WriteString("|---|---:|---:|---:|---:|---|---|\n")
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for _, r := range rows {
		floor := "—"
		if r.Floored {
			floor = "met"
			if r.Cost.Sequential > float64(floorTrips) || r.Cost.MS > floorMS {
				floor = "not met"
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %.1f | %s | %s |\n", r.Name, num(r.Cost.Sequential), num(r.Cost.Requests),
			num(r.Cost.Calls), r.Cost.MS, floor, r.Cost.Methods())
	}
	return b.String()
}
