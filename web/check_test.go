package web_test

import (
	"context"
	"errors"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/chaintest"
	"github.com/trustbot/trustbot/store"
	"github.com/trustbot/trustbot/web"
	"github.com/trustbot/trustbot/web/wire"
)

// chainChecker is a web.Checker over a real chain: the request's remaining calls simulated from
// its signer, a would-be revert of a redemption explained as the commands do after a revoke.
type chainChecker struct {
	c   *chain.Client
	off atomic.Bool // when set, every request passes unchecked
}

func (k *chainChecker) Recheck(ctx context.Context, r trustbot.SigningRequest) error {
	if k.off.Load() {
		return nil
	}
	err := k.c.Simulate(ctx, r.Signer, r.Calls[r.NextCall():])
	var rev *chain.RevertError
	if !errors.As(err, &rev) {
		return err
	}
	if rev.Name == "InsufficientBalance" && len(rev.Args) == 2 {
		held, _ := rev.Args[0].(*big.Int)
		return trustbot.Errorf(trustbot.EReverted, "@alice revoked your budget after this link was made: you hold %s aUSD now. Nothing was sent.", trustbot.FormatAmount(held, 6))
	}
	return trustbot.Errorf(trustbot.EReverted, "The chain changed after this link was made (%s). Nothing was sent.", rev.Name)
}

// unavailableChecker cannot reach the chain.
type unavailableChecker struct{}

func (unavailableChecker) Recheck(context.Context, trustbot.SigningRequest) error {
	return trustbot.Errorf(trustbot.EUnavailable, "The chain cannot be reached right now; try again in a moment.")
}

const staleSentence = "@alice revoked your budget after this link was made: you hold 0 aUSD now. Nothing was sent."

// TestCheckGoesStale: a redemption link made while bob held the tokens, alice revoking bob
// before he signs. The check endpoint, the JSON and the page run the call again on the dev chain;
// once it would revert, the request is stale with the reason, leaves the pending list and takes no
// transaction.
func TestCheckGoesStale(t *testing.T) {
	ctx := context.Background()
	dc := chaintest.StartDev(t, false)
	alice, bob := chaintest.Member(t, dc, "alice"), chaintest.Member(t, dc, "bob")
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "trustbot.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{t: t, db: db, logs: &syncBuffer{}}
	e.ts = httptest.NewUnstartedServer(nil)
	e.srv, err = web.New(web.Config{PublicURL: "http://" + e.ts.Listener.Addr().String(), ChainID: dc.ChainID().Uint64()}, db, dc.Client().Eth(), nil,
		slog.New(slog.NewTextHandler(e.logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	e.ts.Config.Handler = e.srv.Handler()
	e.ts.Start()
	t.Cleanup(e.ts.Close)
	e.srv.SetChecker(&chainChecker{c: dc.Client()})

	tusd := dc.TestUSD()
	chaintest.SendOK(t, dc, false, alice, chain.CreateReserve(dc.Factory(), tusd, "Alice Dollar", "aUSD"))
	reserve, err := dc.Client().Predict(ctx, alice.Address(), tusd)
	if err != nil {
		t.Fatal(err)
	}
	chaintest.SendOK(t, dc, false, alice, chain.Deposit(reserve, trustbot.Token{Address: tusd}, chaintest.Units(100))...)
	chaintest.SendOK(t, dc, false, alice, chain.Trust(reserve, bob.Address(), chaintest.Units(100)))

	r, _, err := e.srv.NewSigningRequest(ctx, trustbot.SigningRequest{UserID: "bob", Signer: bob.Address(), Kind: "redeem",
		Summary: "bob redeems 60 aUSD for 60 tUSD.", Calls: []trustbot.Call{chain.Redeem(reserve, chaintest.Units(60), bob.Address())}})
	if err != nil {
		t.Fatal(err)
	}
	check := func() (int, wire.SigningRequest) {
		t.Helper()
		res := e.postJSON("/s/"+r.ID+"/check", `{}`)
		if res.status != http.StatusOK {
			return res.status, wire.SigningRequest{Error: res.errorText()}
		}
		return res.status, decode[wire.SigningRequest](t, res)
	}
	if status, got := check(); status != http.StatusOK || got.Status != "created" || got.Error != "" {
		t.Fatalf("check before the revoke: got %d %s %q, want 200 created", status, got.Status, got.Error)
	}
	if page := e.get("/s/" + r.ID); page.status != http.StatusOK || strings.Contains(string(page.body), "stale") {
		t.Fatalf("page before the revoke: got %d, want 200 and not stale", page.status)
	}

	chaintest.SendOK(t, dc, false, alice, chain.Revoke(reserve, bob.Address(), nil))

	for _, tc := range []struct {
		name string
		got  func() (int, string, string)
	}{
		{"GET .json", func() (int, string, string) {
			res := e.get("/s/" + r.ID + ".json")
			j := decode[wire.SigningRequest](t, res)
			return res.status, j.Status, j.Error
		}},
		{"POST check", func() (int, string, string) { s, j := check(); return s, j.Status, j.Error }},
		{"GET page", func() (int, string, string) {
			res := e.get("/s/" + r.ID)
			if !strings.Contains(string(res.body), "stale: "+staleSentence) {
				return res.status, "page without the sentence", ""
			}
			return res.status, "stale", staleSentence
		}},
	} {
		status, st, why := tc.got()
		if status != http.StatusOK || st != "stale" || why != staleSentence {
			t.Errorf("%s after the revoke: got %d %s %q, want 200 stale %q", tc.name, status, st, why, staleSentence)
		}
	}
	stored, err := db.Request(ctx, r.ID)
	if err != nil || stored.Status != trustbot.StatusStale || stored.Error != staleSentence {
		t.Fatalf("stored: got %s %q, %v, want stale %q", stored.Status, stored.Error, err, staleSentence)
	}
	if pending, err := db.PendingRequests(ctx, "bob"); err != nil || len(pending) != 0 {
		t.Errorf("PendingRequests: got %d, %v, want none", len(pending), err)
	}
	hash := common0x(64)
	if res := e.postJSON("/s/"+r.ID+"/tx", `{"index":0,"hash":"`+hash+`"}`); res.status != http.StatusUnprocessableEntity || res.errorText() != staleSentence {
		t.Errorf("POST tx on a stale request: got %d %q, want 422 %q", res.status, res.errorText(), staleSentence)
	}
	if strings.Contains(e.logs.String(), "internal error") {
		t.Errorf("the server logged an internal error:\n%s", e.logs.String())
	}
	if !strings.Contains(e.logs.String(), "signing request went stale") {
		t.Errorf("the server's log does not say the request went stale:\n%s", e.logs.String())
	}

	// A chain the check cannot reach leaves a request as it is: the page still opens, the check
	// before a send refuses in words.
	r2, _, err := e.srv.NewSigningRequest(ctx, trustbot.SigningRequest{UserID: "bob", Signer: bob.Address(), Kind: "redeem",
		Summary: "bob redeems 1 aUSD.", Calls: []trustbot.Call{chain.Redeem(reserve, chaintest.Units(1), bob.Address())}})
	if err != nil {
		t.Fatal(err)
	}
	e.srv.SetChecker(unavailableChecker{})
	if res := e.get("/s/" + r2.ID); res.status != http.StatusOK {
		t.Errorf("page with the chain down: got %d, want 200", res.status)
	}
	if res := e.postJSON("/s/"+r2.ID+"/check", `{}`); res.status != http.StatusServiceUnavailable || !strings.Contains(res.errorText(), "cannot be reached") {
		t.Errorf("check with the chain down: got %d %q, want 503 saying so", res.status, res.errorText())
	}
	if got, _ := db.Request(ctx, r2.ID); got.Status != trustbot.StatusOpened {
		t.Errorf("request after a failed check: got %s, want opened", got.Status)
	}
	for _, tc := range []struct{ body, want string }{
		{``, "Send the request body as application/json."},
		{`[]`, ""},
	} {
		res := e.do(e.ts, "POST", "/s/"+r2.ID+"/check", map[bool]string{true: "application/json", false: "text/plain"}[tc.body != ""], strings.NewReader(tc.body))
		if res.status/100 != 4 || (tc.want != "" && res.errorText() != tc.want) {
			t.Errorf("check with body %q: got %d %q, want a 4xx %q", tc.body, res.status, res.errorText(), tc.want)
		}
	}
}

func common0x(n int) string { return "0x" + strings.Repeat("ab", n/2) }
