package main

import (
	"context"
	"strings"
	"testing"

	"github.com/trustbot/trustbot"
)

// TestStaleLink is a link that went stale: @bob asks to redeem 60 and does not sign, @alice
// revokes @bob, then @bob signs. The server runs the redemption again before the send and answers
// with what changed; the request leaves /pending, stale, and nothing reaches the chain.
func TestStaleLink(t *testing.T) {
	p, run := testPlayground(t)
	ctx := context.Background()
	for _, m := range []string{"alice", "bob"} {
		run("/as " + m)
		run("/wallet link")
		mustContain(t, "/approve (link "+m+")", run("/approve"), "Linked ")
	}
	run("/as alice")
	for _, step := range []struct{ line, want string }{
		{"/reserve create", "created a tUSD reserve"},
		{"/reserve deposit 300", "deposited 300 tUSD"},
		{"/trust @bob 100", "@alice extended @bob a budget of 100 tUSD"},
	} {
		run(step.line)
		mustContain(t, "/approve ("+step.line+")", run("/approve"), step.want, "Confirmed")
	}

	run("/as bob")
	mustContain(t, "/redeem 60", run("/redeem 60"), "Sign to redeem 60")
	bobLink := p.Console.LastLink("bob")
	id := bobLink[strings.LastIndex(bobLink, "/")+1:]
	mustContain(t, "/pending (before)", run("/pending"), "Redeem 60 ALICE-tUSD for 60 tUSD.", "not signed yet")

	run("/as alice")
	run("/revoke @bob")
	mustContain(t, "/approve (revoke)", run("/approve"), "@alice revoked all of @bob's trust", "Confirmed")

	run("/as bob")
	const sentence = "@alice revoked your budget after this link was made: you hold 0 ALICE-tUSD now. Nothing was sent."
	got := run("/approve")
	if !strings.Contains(got, sentence) {
		t.Fatalf("/approve after the revoke: got %q, want it to contain %q", got, sentence)
	}
	if strings.Contains(got, "Something went wrong") {
		t.Fatalf("/approve after the revoke: got %q, want no internal error", got)
	}
	if got := run("/pending"); strings.Contains(got, "redeems 60") {
		t.Fatalf("/pending after the stale /approve: got %q, want the redemption gone", got)
	}
	r, err := p.DB.Request(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != trustbot.StatusStale || r.Error != sentence || len(r.Txs) != 0 {
		t.Fatalf("the request in the store: got %s %q with %d txs, want stale %q with none", r.Status, r.Error, len(r.Txs), sentence)
	}
	if got := run("/approve"); !strings.Contains(got, sentence) {
		t.Fatalf("/approve again: got %q, want %q", got, sentence)
	}
}
