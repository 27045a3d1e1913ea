package commands_test

import (
	"context"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/commands"
)

// lisbon is a trip of alice, bob and carol in c-1: alice is up 30 tUSD, bob down 20, carol down 10.
var lisbon = trustbot.Trip{ID: 7, GuildID: "g-1", ChannelID: "c-1", Name: "Lisbon", Asset: usdTok, Status: trustbot.TripOpen,
	Members: []trustbot.Member{user("alice"), user("bob"), user("carol")}}

func lisbonBalances() []trustbot.Balance {
	b := func(id string, paid, consumed int64) trustbot.Balance {
		net := new(big.Int).Sub(u(paid), u(consumed))
		return trustbot.Balance{UserID: id, Asset: usdTok, Paid: u(paid), Consumed: u(consumed), Settled: new(big.Int), Net: net}
	}
	return []trustbot.Balance{b("alice", 45, 15), b("bob", 0, 20), b("carol", 5, 15)}
}

// onTrip gives e's store the Lisbon trip, its balances and open requests.
func onTrip(open ...trustbot.SigningRequest) func(e *env) {
	return func(e *env) {
		e.store.LatestTripFn = func(context.Context, string, string) (trustbot.Trip, error) { return lisbon, nil }
		e.store.TripBalancesFn = func(context.Context, int64) ([]trustbot.Balance, error) { return lisbonBalances(), nil }
		e.store.PendingRequestsFn = func(context.Context, string) ([]trustbot.SigningRequest, error) { return open, nil }
		e.chain.BalanceOfFn = func(_ context.Context, token, holder common.Address) (*big.Int, error) { return u(1000), nil }
	}
}

func TestSettle(t *testing.T) {
	pay := func(n string) map[string]commands.Value { return opts("pay", str(n)) }
	openLink := trustbot.SigningRequest{Kind: "settle", UserID: "bob", Ledger: &trustbot.LedgerNote{TripID: 7, Creditor: "alice", Asset: usdTok, Amount: u(15)}}
	runHandlerCases(t, []handlerCase{
		{name: "the plan", setup: onTrip(), user: "carol", command: "settle", public: true,
			text: "To settle the trip \"Lisbon\", 2 transfers (the fewest possible):\n1. <@bob> pays <@alice> 20 tUSD\n2. <@carol> pays <@alice> 10 tUSD\n" +
				"Pay yours with /settle pay:N (into:reserve refills the creditor's reserve instead of their wallet)."},
		{name: "pay: your transfer, to the creditor's wallet", setup: onTrip(), user: "bob", command: "settle", options: pay("1"),
			calls: []trustbot.Call{chain.Pay(usdTok, aliceW, u(20))}, signer: bobW, kind: "settle", simulate: 1, webReads: 1, live: 1,
			summary: "Pay <@alice> 20 tUSD into <@alice>'s wallet, settling up in the trip \"Lisbon\".", names: "@alice, the tUSD token | tUSD",
			text: "Sign to pay <@alice> 20 tUSD into <@alice>'s wallet; once the chain confirms it, the trip \"Lisbon\" counts it as settled.",
			check: func(t *testing.T, e *env, _ *commands.Reply) {
				n := e.links.Made()[0].Ledger
				if n == nil || n.TripID != 7 || n.Creditor != "alice" || n.Asset != usdTok || n.Amount.Cmp(u(20)) != 0 {
					t.Errorf("ledger note %+v, want trip 7, alice, 20 tUSD", n)
				}
			}},
		{name: "to: and part of it, into the creditor's reserve", setup: onTrip(), user: "carol", command: "settle",
			options: opts("to", member("alice"), "amount", str("4"), "into", str("reserve")),
			calls:   chain.Deposit(aliceRes, usdTok, u(4)), signer: carolW, kind: "settle", simulate: 1, webReads: 1, live: 1,
			text: "Sign to pay <@alice> 4 tUSD into <@alice>'s reserve; once the chain confirms it, the trip \"Lisbon\" counts it as settled. You will still owe them 6 tUSD."},
		{name: "pay: someone else's transfer", setup: onTrip(), user: "carol", command: "settle", options: pay("1"),
			text: "Transfer 1 is <@bob>'s to pay, not yours; you owe <@alice> 10 tUSD (/settle pay:2)."},
		{name: "pay: a number not in the plan", setup: onTrip(), user: "bob", command: "settle", options: pay("3"),
			text: "\"3\" is not a transfer of the plan: give a number from 1 to 2 (see /settle); you owe <@alice> 20 tUSD (/settle pay:1)."},
		{name: "to: someone you don't owe", setup: onTrip(), user: "bob", command: "settle", options: opts("to", member("carol")),
			text: "You don't owe <@carol> anything in the settle plan; you owe <@alice> 20 tUSD (/settle pay:1)."},
		{name: "more than you owe", setup: onTrip(), user: "bob", command: "settle", options: opts("pay", str("1"), "amount", str("25")),
			text: "You owe <@alice> 20 tUSD; you can pay at most 20."},
		{name: "an open link already pays part: the rest", setup: onTrip(openLink), user: "bob", command: "settle", options: opts("pay", str("1"), "amount", str("6")),
			text: "Besides your open link, you owe <@alice> 5 tUSD; you can pay at most 5."},
		{name: "an open link already pays it all", setup: onTrip(trustbot.SigningRequest{Kind: "settle", UserID: "bob",
			Ledger: &trustbot.LedgerNote{TripID: 7, Creditor: "alice", Asset: usdTok, Amount: u(20)}}), user: "bob", command: "settle", options: pay("1"),
			text: "Your open link already pays <@alice> 20 tUSD (/pending): sign it, or cancel it first."},
		{name: "a creditor pays", setup: onTrip(), user: "alice", command: "settle", options: pay("1"),
			text: "Transfer 1 is <@bob>'s to pay, not yours; you owe nothing in the trip \"Lisbon\"."},
		{name: "into: a reserve the creditor does not have", setup: func(e *env) {
			onTrip()(e)
			e.store.TripBalancesFn = func(context.Context, int64) ([]trustbot.Balance, error) {
				bs := lisbonBalances()
				bs[0].UserID, bs[1].UserID = "bob", "alice" // bob is up, alice down: alice pays bob, who has no tUSD reserve
				return bs, nil
			}
		}, user: "alice", command: "settle", options: opts("pay", str("1"), "into", str("reserve")), webReads: 1, live: 1,
			text: "<@bob> has no tUSD reserve to deposit into; pay their wallet instead (leave out into:)."},
		{name: "a wallet too poor to pay", setup: func(e *env) {
			onTrip()(e)
			e.chain.BalanceOfFn = func(context.Context, common.Address, common.Address) (*big.Int, error) { return u(7), nil }
		}, user: "bob", command: "settle", options: pay("1"),
			text: "Your wallet holds 7 tUSD; paying 20 tUSD needs 13 more."},
	})
}
