package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trustbot/trustbot"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/trustbot/trustbot/commands"
	"github.com/trustbot/trustbot/store"
)

// internalSentence is what a user sees for an internal error (trustbot.ErrorMessage of EInternal).
const internalSentence = "Something went wrong on our side"

// TestConcurrentWritersAcrossComponents runs the three writers of the database at once on one
// playground for a bounded time: commands creating signing requests (/trust @x 1 from three
// members, each delivery with its own interaction id), wallets sending those requests'
// transactions and reporting them with POST /s/{id}/tx (so the watcher applies events and
// confirms requests while commands and web requests write), and web readers fetching the
// requests' JSON. No reply or response may mention "locked" or be the internal-error sentence;
// afterwards every created request is in the store, every reported one is confirmed, and the
// store holds exactly one Trusted event per confirmed request.
func TestConcurrentWritersAcrossComponents(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the playground under load for a few seconds")
	}
	p, run := testPlayground(t)
	ctx := context.Background()
	truster := []string{"alice", "bob", "carol"}
	for _, m := range devMembers {
		run("/as " + m)
		mustContain(t, "/wallet link", run("/wallet link"), "/l/")
		mustContain(t, "/approve (link)", run("/approve"), "Linked ")
	}
	for _, m := range truster {
		run("/as " + m)
		mustContain(t, "/reserve create", run("/reserve create"), "/s/")
		mustContain(t, "/approve (create)", run("/approve"), "Confirmed")
		mustContain(t, "/reserve deposit 300", run("/reserve deposit 300"), "Sign to deposit")
		mustContain(t, "/approve (deposit)", run("/approve"), "Confirmed")
	}
	trustedBefore, err := eventsNamed(ctx, p.DB, "Trusted")
	if err != nil {
		t.Fatal(err)
	}

	var (
		mu       sync.Mutex
		problems []string
		created  []string // every request id a command returned
		reported []string // every request id whose transaction was sent and reported
	)
	problem := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(problems) < 20 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	bad := func(s string) bool {
		return strings.Contains(strings.ToLower(s), "locked") || strings.Contains(s, internalSentence)
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	get := func(id string) (requestJSON, error) {
		var r requestJSON
		resp, err := hc.Get(p.PublicURL + "/s/" + id + ".json")
		if err != nil {
			return r, err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || bad(string(body)) {
			return r, fmt.Errorf("GET %s.json: %d %s", id, resp.StatusCode, body)
		}
		return r, json.Unmarshal(body, &r)
	}

	loadCtx, stop := context.WithTimeout(ctx, 3*time.Second)
	defer stop()
	var wg sync.WaitGroup
	var interactions atomic.Int64
	toSign := map[string]chan string{}
	for _, m := range truster {
		toSign[m] = make(chan string, 10_000)
	}
	others := func(me string) []string {
		var o []string
		for _, m := range devMembers {
			if m != me {
				o = append(o, m)
			}
		}
		return o
	}

	// Commands: two goroutines per truster, each delivery a distinct interaction id.
	for _, m := range truster {
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for loadCtx.Err() == nil {
					to := others(m)[rand.IntN(3)]
					reply := p.Set.Handle(ctx, &commands.Request{
						InteractionID: fmt.Sprintf("contention-%d", interactions.Add(1)), GuildID: "g", ChannelID: "c",
						User: trustbot.Member{ID: "dev-" + m, Name: m}, Command: "trust",
						Options: map[string]commands.Value{
							"member": {Type: commands.User, Member: &trustbot.Member{ID: "dev-" + to, Name: to}},
							"amount": {Type: commands.String, String: "1"},
						},
					})
					if bad(reply.Text) {
						problem("/trust as %s: %q", m, reply.Text)
						continue
					}
					if reply.RequestID == "" {
						problem("/trust as %s: no request: %q", m, reply.Text)
						continue
					}
					mu.Lock()
					created = append(created, reply.RequestID)
					mu.Unlock()
					toSign[m] <- reply.RequestID
				}
			}()
		}
	}

	// Wallets: one per truster (one nonce sequence each) sends each request's transaction and
	// reports it over HTTP, as the signing page does; the dev chain mines it and the watcher
	// applies its events.
	for _, m := range truster {
		w, _ := p.DevChain.Member(m)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for loadCtx.Err() == nil {
				var id string
				select {
				case id = <-toSign[m]:
				case <-loadCtx.Done():
					return
				}
				r, err := get(id)
				if err != nil {
					problem("wallet %s: %v", m, err)
					continue
				}
				call, err := r.call(0)
				if err != nil {
					problem("wallet %s: %v", m, err)
					continue
				}
				hash, err := w.Send(ctx, p.Chain.Eth(), p.Chain.ChainID(), call)
				if err != nil {
					problem("wallet %s: send: %v", m, err)
					continue
				}
				b, _ := json.Marshal(map[string]any{"index": 0, "hash": hash.Hex()})
				resp, err := hc.Post(p.PublicURL+"/s/"+id+"/tx", "application/json", bytes.NewReader(b))
				if err != nil {
					problem("POST /s/%s/tx: %v", id, err)
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode/100 != 2 || bad(string(body)) {
					problem("POST /s/%s/tx: %d %s", id, resp.StatusCode, body)
					continue
				}
				mu.Lock()
				reported = append(reported, id)
				mu.Unlock()
				wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				_, err = bind.WaitMined(wctx, p.Chain.Eth(), hash)
				cancel()
				if err != nil {
					problem("wallet %s: %s not mined: %v", m, hash.Hex(), err)
				}
			}
		}()
	}

	// Web readers: the requests' JSON, as open signing pages poll it.
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for loadCtx.Err() == nil {
				mu.Lock()
				var id string
				if len(created) > 0 {
					id = created[rand.IntN(len(created))]
				}
				mu.Unlock()
				if id == "" {
					time.Sleep(10 * time.Millisecond)
					continue
				}
				if _, err := get(id); err != nil {
					problem("reader: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	for _, pr := range problems {
		t.Error(pr)
	}
	if len(reported) == 0 {
		t.Fatalf("no request was signed under load (%d created)", len(created))
	}

	// No lost writes: every created request is stored; every reported one gets confirmed.
	for _, id := range created {
		if _, err := p.DB.Request(ctx, id); err != nil {
			t.Errorf("request %s created under load is missing: %v", id, err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, id := range reported {
		for {
			r, err := p.DB.Request(ctx, id)
			if err != nil {
				t.Fatalf("request %s: %v", id, err)
			}
			if r.Status == trustbot.StatusConfirmed {
				break
			}
			if r.Status == trustbot.StatusFailed || time.Now().After(deadline) {
				t.Fatalf("request %s: status %s (%s), want confirmed", id, r.Status, r.Error)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// The counts add up: one Trusted event per confirmed trust, and the signed-but-not-reported
	// and unsigned requests still pending.
	trusted, err := eventsNamed(ctx, p.DB, "Trusted")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(trusted)-len(trustedBefore), len(reported); got != want {
		t.Errorf("Trusted events applied under load: %d, want one per confirmed request (%d)", got, want)
	}
	pending := 0
	for _, m := range truster {
		reqs, err := p.DB.PendingRequests(ctx, "dev-"+m)
		if err != nil {
			t.Fatal(err)
		}
		pending += len(reqs)
	}
	if want := len(created) - len(reported); pending != want {
		t.Errorf("pending requests after load: %d, want %d (%d created − %d signed)", pending, want, len(created), len(reported))
	}
	t.Logf("%d interactions, %d requests created, %d signed and confirmed, %d Trusted events", interactions.Load(), len(created), len(reported), len(trusted)-len(trustedBefore))
}

// requestJSON is the part of GET /s/{id}.json a wallet page uses.
type requestJSON struct {
	Status string `json:"status"`
	Calls  []struct {
		To    string `json:"to"`
		Data  string `json:"data"`
		Value string `json:"value"`
	} `json:"calls"`
}

// call is the i-th call as the page's JSON gives it.
func (r requestJSON) call(i int) (trustbot.Call, error) {
	c := r.Calls[i]
	return pageCall(c.To, c.Data, c.Value)
}

// pageCall reads a call as the signing page's JSON gives it: 0x address, 0x calldata, decimal wei.
func pageCall(to, data, value string) (trustbot.Call, error) {
	if !common.IsHexAddress(to) || !strings.HasPrefix(strings.ToLower(to), "0x") {
		return trustbot.Call{}, fmt.Errorf("signing page: %q is not an address", to)
	}
	b, err := hexutil.Decode(data)
	if err != nil {
		return trustbot.Call{}, fmt.Errorf("signing page: calldata %q: %w", data, err)
	}
	v, ok := new(big.Int).SetString(value, 10)
	if !ok || v.Sign() < 0 {
		return trustbot.Call{}, fmt.Errorf("signing page: value %q is not a whole number of wei", value)
	}
	return trustbot.Call{To: common.HexToAddress(to), Data: b, Value: v}, nil
}

// eventsNamed is every stored event of one contract event name, in chain order.
func eventsNamed(ctx context.Context, db *store.DB, name string) ([]trustbot.Event, error) {
	all, err := db.Events(ctx, store.EventFilter{})
	if err != nil {
		return nil, err
	}
	var out []trustbot.Event
	for _, e := range all {
		if e.Name() == name {
			out = append(out, e)
		}
	}
	return out, nil
}

// tokensNamed is the resolved assets with these symbols, in that order.
func tokensNamed(t testing.TB, all []trustbot.Token, symbols ...string) []trustbot.Token {
	t.Helper()
	var out []trustbot.Token
	for _, s := range symbols {
		found := false
		for _, tok := range all {
			if tok.Symbol == s {
				out, found = append(out, tok), true
			}
		}
		if !found {
			t.Fatalf("asset %s: not among %+v", s, all)
		}
	}
	return out
}
