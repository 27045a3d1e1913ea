package main

import (
	"context"
	"fmt"
	"math/big"
	"net"
	"strings"
	"testing"

	"github.com/trustbot/trustbot"

	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/commands"
)

// TestBadInput: every bad line answers with its sentence and changes nothing: no link is made,
// no signing request is stored, the chain is untouched.
func TestBadInput(t *testing.T) {
	p, run := testPlayground(t)
	ctx := context.Background()
	for _, m := range []string{"alice", "bob"} {
		run("/as " + m)
		run("/wallet link")
		mustContain(t, "link "+m, run("/approve"), "Linked")
	}
	run("/as alice")
	for _, line := range []string{"/reserve create", "/reserve deposit 300", "/trust @bob 100"} {
		run(line)
		mustContain(t, line, run("/approve"), "Confirmed")
	}
	long := strings.Repeat("9", 80)

	cases := []struct{ as, line, want string }{
		{"alice", "/trust @bob 0", "The amount must be more than zero."},
		{"alice", "/trust @bob -5", `The amount must be more than zero; "-5" is negative.`},
		{"alice", "/trust @bob 1e3", `"1e3" is not an amount`},
		{"alice", "/trust @bob 12.3456789", `tUSD has 6 decimals: "12.3456789" has too many digits after the point.`},
		{"alice", "/trust @bob abc", `"abc" is not an amount`},
		{"alice", "/trust @bob " + long, "is far larger than any amount a reserve can hold"},
		{"alice", "/trust @bob NaN", `"NaN" is not an amount`},
		{"alice", "/trust @bob 1,5", `"1,5" is not an amount`},
		{"alice", "/trust @alice 10", "You can't trust yourself"},
		{"alice", "/trust @carol 10", "@carol hasn't linked a wallet yet — they can run /wallet link."},
		{"alice", "/trust @zed 10", `"@zed" is not a member here`},
		{"alice", "/trust bob 10", `"bob" is not a member here`},
		{"alice", "/trust @bob", "/trust needs amount"},
		{"alice", "/trust", "/trust needs member"},
		{"alice", "/trust @bob 10 tUSD extra", `Too many values: "extra"`},
		{"alice", "/trust member:@bob member:@bob 5", "Option member is given twice."},
		{"alice", "/trust @bob 10 asset:DOGE", `"DOGE" is not an asset I know`},
		{"alice", "/trust @bob 10 asset:ETH", "You have no ETH reserve yet — run /reserve create first."},
		{"alice", "/revoke @carol", "@carol hasn't linked a wallet yet"},
		{"alice", "/revoke @bob 0", "The amount must be more than zero."},
		{"alice", "/revoke @alice", "You can't revoke yourself"},
		{"alice", "/reserve create", "You already have a tUSD reserve at"},
		{"alice", "/reserve deposit 0", "The amount must be more than zero."},
		{"alice", "/reserve deposit 100000000", "Your wallet holds 9700 tUSD; you can deposit at most 9700."},
		{"alice", "/reserve withdraw 301", "Your reserve holds 300 tUSD; you can withdraw at most 300."},
		{"alice", "/reserve frobnicate", `/reserve has no "frobnicate"`},
		{"alice", "/reserve", "/reserve needs one of: create, deposit, withdraw, show."},
		{"alice", "/nonsense", "There is no command /nonsense."},
		{"alice", "trust @bob 10", "Commands start with /"},
		{"alice", `/trust "@bob 10`, "A quote is not closed."},
		{"alice", "/pending cancel:7", "You have no open signing requests to cancel."},
		{"alice", "/reup @bob", "@bob holds 100 of a 100 tUSD budget: nothing to re-up."},
		{"alice", "/reup", "Everyone you trust holds their full budget: nothing to re-up."},
		{"alice", "/as zed", `There is no member "zed" here`},
		{"bob", "/trust @alice 10", "You have no tUSD reserve yet — run /reserve create first."},
		{"bob", "/redeem 150", "You hold 100 of @alice's tokens; you can redeem at most 100."},
		{"bob", "/redeem 0", "The amount must be more than zero."},
		{"bob", "/redeem 10 to:0x123", `"0x123" is not an address`},
		{"bob", "/redeem 10 to:0x0000000000000000000000000000000000000000", "Paying to the zero address would burn the money"},
		{"bob", "/redeem 10 from:@carol", "@carol hasn't linked a wallet yet"},
		{"bob", "/redeem 10 from:@bob", "You hold no trust tokens from @bob."},
		{"bob", "/reup", "You have no tUSD reserve yet"},
		{"bob", "/revoke @alice", "You have no tUSD reserve yet"},
		{"bob", "/reserve withdraw 5", "You have no tUSD reserve yet"},
		{"bob", "/approve", "Nothing to approve: @bob has no signing link yet."},
		{"bob", "/reserve create backed-by:@bob", "A reserve cannot be backed by your own trust token."},
		{"carol", "/redeem 10", "You haven't linked a wallet yet — run /wallet link first."},
		{"carol", "/reserve create", "You haven't linked a wallet yet — run /wallet link first."},
		{"carol", "/wallet unlink", "You have no linked wallet to unlink."},
		{"bob", "/reserve create backed-by:@alice asset:ETH", "@alice has no ETH reserve, so there is no trust token of theirs to back yours with."},
	}
	if len(cases) < 40 {
		t.Fatalf("%d cases, want at least 40", len(cases))
	}

	state := func() string {
		var b strings.Builder
		for _, m := range []string{"alice", "bob", "carol"} {
			reqs, err := p.DB.PendingRequests(ctx, "dev-"+m)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s:%d ", m, len(reqs))
		}
		w, _ := p.DevChain.Member("alice")
		res, err := p.Chain.ReserveOf(ctx, w.Address(), p.DevChain.TestUSD())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "reserve:%s outstanding:%s", res.Reserve, res.Outstanding)
		return b.String()
	}
	before := state()
	for _, tc := range cases {
		run("/as " + tc.as)
		got := run(tc.line)
		if !strings.Contains(got, tc.want) {
			t.Errorf("@%s %s\n got: %s\nwant: %s", tc.as, tc.line, strings.TrimSpace(got), tc.want)
		}
		if strings.Contains(got, "→ http") {
			t.Errorf("@%s %s made a link: %s", tc.as, tc.line, got)
		}
		if after := state(); after != before {
			t.Fatalf("@%s %s changed state: got %s, want %s", tc.as, tc.line, after, before)
		}
	}
}

// TestLinksAreSingleUse: a confirmed link cannot be signed again, a cancelled one not at all,
// and a redemption the reserve cannot pay is stopped by the pre-flight, before any link.
func TestLinksAreSingleUse(t *testing.T) {
	_, run := testPlayground(t)
	for _, m := range []string{"alice", "bob"} {
		run("/as " + m)
		run("/wallet link")
		run("/approve")
	}
	run("/as alice")
	for _, line := range []string{"/reserve create", "/reserve deposit 100", "/trust @bob 80"} {
		run(line)
		mustContain(t, line, run("/approve"), "Confirmed")
	}
	mustContain(t, "second /approve", run("/approve"), "That link is already confirmed.")

	run("/trust @bob 5")
	mustContain(t, "/pending", run("/pending"), "1. Add 5 tUSD to @bob's budget.", "/s/")
	mustContain(t, "/pending cancel:1", run("/pending cancel:1"), "Cancelled: Add 5 tUSD to @bob's budget.")
	mustContain(t, "/approve cancelled", run("/approve"), "That link is cancelled.")

	run("/reserve withdraw 50")
	mustContain(t, "withdraw", run("/approve"), "Confirmed")
	run("/as bob")
	got := run("/redeem 60")
	mustContain(t, "/redeem 60 from a 50 reserve", got, "@alice's reserve holds 50 tUSD; you can redeem at most 50 now.")
	if strings.Contains(got, "→ http") {
		t.Fatalf("a link was made for a redemption the reserve cannot pay: %s", got)
	}
}

// TestSameInteractionActsOnce: a command delivered twice (same interaction id) acts once.
func TestSameInteractionActsOnce(t *testing.T) {
	p, run := testPlayground(t)
	run("/wallet link")
	run("/approve")
	ctx := context.Background()
	req := &commands.Request{InteractionID: "interaction-1", GuildID: "g", ChannelID: "c",
		User: trustbot.Member{ID: "dev-alice", Name: "alice"}, Command: "reserve", Subcommand: "create", Options: map[string]commands.Value{}}
	first := p.Console.Set.Handle(ctx, req)
	if first.Link == nil {
		t.Fatalf("first delivery: %q, want a signing link", first.Text)
	}
	second := p.Console.Set.Handle(ctx, req)
	if second.Link != nil || !strings.Contains(second.Text, "This command was already handled") {
		t.Fatalf("second delivery: %+v, want it refused without a link", second)
	}
	reqs, _ := p.DB.PendingRequests(ctx, "dev-alice")
	if len(reqs) != 1 {
		t.Fatalf("pending requests: got %d, want 1", len(reqs))
	}
}

// TestChainUnreachable: with the chain down, chain commands say so and change nothing, and
// commands that need no chain still answer.
func TestChainUnreachable(t *testing.T) {
	p, run := testPlayground(t)
	run("/wallet link")
	run("/approve")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	ec, err := ethclient.Dial(dead)
	if err != nil {
		t.Fatal(err)
	}
	down := chain.New(ec, big.NewInt(1337), p.Chain.Factory())
	set := commands.New(commands.Services{Store: p.DB, Chain: down, Links: links{public: p.PublicURL},
		Assets: tokensNamed(t, p.Assets, "tUSD")})
	me := trustbot.Member{ID: "dev-alice", Name: "alice"}
	ctx := context.Background()
	r := set.Handle(ctx, &commands.Request{User: me, Command: "reserve", Subcommand: "create", Options: map[string]commands.Value{}})
	if !strings.Contains(r.Text, "The chain is unreachable right now") || r.Link != nil {
		t.Fatalf("/reserve create with the chain down: %+v, want the unreachable sentence and no link", r)
	}
	r = set.Handle(ctx, &commands.Request{User: me, Command: "wallet", Subcommand: "show", Options: map[string]commands.Value{}})
	if !strings.Contains(r.Text, "@alice's wallet is") && !strings.Contains(r.Text, "<@dev-alice>'s wallet is") {
		t.Fatalf("/wallet show with the chain down: %q, want the wallet", r.Text)
	}
}
