package commands_test

import (
	"context"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/commands"
	"github.com/trustbot/trustbot/commands/commandstest"
)

var (
	txOne   = common.HexToHash("0x1111111111111111111111111111111111111111111111111111111111112222")
	txOther = common.HexToHash("0x3333333333333333333333333333333333333333333333333333333333334444")
	zero    = common.Address{}
)

// noticeSet is a command set for notices over w: the store only. The chain fake has no method
// set, so a notice that read the chain would panic.
func noticeSet(w trustbot.Web) (*commands.Set, *commandstest.Store, *commandstest.Chain) {
	store, ch := commandstest.StoreOf(w), &commandstest.Chain{}
	return commands.New(commands.Services{Store: store, Chain: ch, Links: &commandstest.Links{}, Assets: []trustbot.Token{usdTok, ethTok}}), store, ch
}

// tx is one transaction's events, in log order.
func tx(hash common.Hash, evs ...trustbot.Event) []trustbot.Event {
	for i := range evs {
		evs[i].TxHash, evs[i].LogIndex, evs[i].Block = hash, uint(i), trustbot.Block{Number: 100}
	}
	return evs
}

func ev(emitter common.Address, d trustbot.EventData) trustbot.Event {
	return trustbot.Event{Address: emitter, Data: d}
}

func TestNoticeSentences(t *testing.T) {
	const txTail = " · tx 0x11111111…2222"
	// After Alice revoked all of Bob's trust, the layer over her reserve holds nothing.
	revokedLayer := storyWeb().Backing(bobRes, new(big.Int))
	lonelyLayer := storyWeb().Backing(bobRes, new(big.Int)).Account(bobRes, carolW, nil, nil).Account(bobRes, daveW, nil, nil)
	for _, tc := range []struct {
		name   string
		web    *commandstest.WebBuilder
		events []trustbot.Event
		text   string
	}{
		{"trust of a member trusted before: what was added, and the budget after", storyWeb().Account(aliceRes, bobW, u(45), u(105)), tx(txOne,
			ev(aliceRes, &trustbot.Transfer{From: zero, To: bobW, Amount: u(5)}),
			ev(aliceRes, &trustbot.Trusted{Holder: bobW, Amount: u(5)})),
			"<@alice> added 5 tUSD to <@bob>'s budget (now 105)." + txTail},
		{"trust of a new member", storyWeb().Account(aliceRes, carolW, u(25), u(25)), tx(txOne,
			ev(aliceRes, &trustbot.Transfer{From: zero, To: carolW, Amount: u(25)}),
			ev(aliceRes, &trustbot.Trusted{Holder: carolW, Amount: u(25)})),
			"<@alice> extended <@carol> a budget of 25 tUSD." + txTail},
		{"re-up: a mint alone", nil, tx(txOne,
			ev(aliceRes, &trustbot.Transfer{From: zero, To: bobW, Amount: u(60)})),
			"<@alice> re-upped <@bob> with 60 tUSD." + txTail},
		{"re-up of many", nil, tx(txOne,
			ev(aliceRes, &trustbot.Transfer{From: zero, To: bobW, Amount: u(60)}),
			ev(aliceRes, &trustbot.Transfer{From: zero, To: daveW, Amount: u(20)})),
			"<@alice> re-upped <@bob> with 60 tUSD.\n<@alice> re-upped <@dave> with 20 tUSD." + txTail},
		{"redeem: a burn alone", nil, tx(txOne,
			ev(aliceRes, &trustbot.Transfer{From: bobW, To: zero, Amount: u(10)}),
			ev(usdTok.Address, &trustbot.Transfer{From: aliceRes, To: bobW, Amount: u(10)})), // the asset's own Transfer: not a reserve's
			"<@bob> redeemed 10 tUSD from <@alice>'s reserve." + txTail},
		{"redeem deep through a layer: what was paid, and through whom", nil, tx(txOne,
			ev(bobRes, &trustbot.Transfer{From: carolW, To: zero, Amount: u(5)}),
			ev(aliceRes, &trustbot.Transfer{From: bobRes, To: zero, Amount: u(5)}),
			ev(usdTok.Address, &trustbot.Transfer{From: aliceRes, To: carolW, Amount: u(5)})),
			"<@carol> redeemed 5 tUSD from <@bob>'s reserve, paid through <@alice>'s reserve." + txTail},
		{"redeem deep through two layers", storyWeb().Layer(newRes, carolW, bobRes, "CAROL-BOB-ALICE-tUSD", u(10)).Account(newRes, daveW, u(5), u(20)), tx(txOne,
			ev(newRes, &trustbot.Transfer{From: daveW, To: zero, Amount: u(5)}),
			ev(bobRes, &trustbot.Transfer{From: newRes, To: zero, Amount: u(5)}),
			ev(aliceRes, &trustbot.Transfer{From: bobRes, To: zero, Amount: u(5)}),
			ev(usdTok.Address, &trustbot.Transfer{From: aliceRes, To: daveW, Amount: u(5)})),
			"<@dave> redeemed 5 tUSD from <@carol>'s reserve, paid through <@bob>'s and <@alice>'s reserves." + txTail},
		{"redeem one layer: paid in the layer's backing", nil, tx(txOne,
			ev(bobRes, &trustbot.Transfer{From: carolW, To: zero, Amount: u(5)}),
			ev(aliceRes, &trustbot.Transfer{From: bobRes, To: carolW, Amount: u(5)})),
			"<@carol> redeemed 5 ALICE-tUSD from <@bob>'s reserve.\n<@bob>'s reserve sent 5 ALICE-tUSD to <@carol>." + txTail},
		{"revoke part: burn and Revoked", storyWeb().Account(aliceRes, bobW, u(10), u(70)), tx(txOne,
			ev(aliceRes, &trustbot.Transfer{From: bobW, To: zero, Amount: u(30)}),
			ev(aliceRes, &trustbot.Revoked{Amount: u(30)})),
			"<@alice> cut <@bob>'s budget by 30 tUSD (now 70); 30 of their tokens were burned." + txTail},
		{"revoke part of an empty wallet, then the layer's backing", storyWeb().Account(aliceRes, bobW, u(0), u(18)).Backing(bobRes, u(8)), tx(txOne,
			ev(aliceRes, &trustbot.Transfer{From: bobW, To: zero, Amount: u(0)}),
			ev(aliceRes, &trustbot.Revoked{Amount: u(82)}),
			ev(aliceRes, &trustbot.Transfer{From: bobRes, To: zero, Amount: u(12)}),
			ev(aliceRes, &trustbot.Revoked{Amount: u(12)})),
			"<@alice> cut <@bob>'s budget by 82 tUSD (now 18); their wallet held none of the tokens to burn." +
				"\n<@alice> revoked 12 ALICE-tUSD backing <@bob>'s reserve (its backing is now 8); <@carol>, <@dave> hold tokens of <@bob>'s reserve, which now has less backing." + txTail},
		{"revoke all: Revoked of MaxUint256", nil, tx(txOne,
			ev(aliceRes, &trustbot.Transfer{From: daveW, To: zero, Amount: u(10)}),
			ev(aliceRes, &trustbot.Revoked{Amount: trustbot.MaxUint256()})),
			"<@alice> revoked all of <@dave>'s trust; 10 of their tokens were burned." + txTail},
		{"revoke all, with a layer's backing: the downstream names", revokedLayer, tx(txOne,
			ev(aliceRes, &trustbot.Transfer{From: bobW, To: zero, Amount: u(40)}),
			ev(aliceRes, &trustbot.Revoked{Amount: trustbot.MaxUint256()}),
			ev(aliceRes, &trustbot.Transfer{From: bobRes, To: zero, Amount: u(20)}),
			ev(aliceRes, &trustbot.Revoked{Amount: u(20)})),
			"<@alice> revoked all of <@bob>'s trust; 40 of their tokens were burned." +
				"\n<@alice> revoked 20 ALICE-tUSD backing <@bob>'s reserve (its backing is now 0); <@carol>, <@dave> hold tokens of <@bob>'s reserve, which now has less backing." + txTail},
		{"revoke of a layer's backing nobody downstream holds", lonelyLayer, tx(txOne,
			ev(aliceRes, &trustbot.Transfer{From: bobRes, To: zero, Amount: u(20)}),
			ev(aliceRes, &trustbot.Revoked{Amount: u(20)})),
			"<@alice> revoked 20 ALICE-tUSD backing <@bob>'s reserve (its backing is now 0); nobody holds tokens of <@bob>'s reserve." + txTail},
		{"deposit into my own reserve", nil, tx(txOne,
			ev(usdTok.Address, &trustbot.Transfer{From: aliceW, To: aliceRes, Amount: u(50)}),
			ev(aliceRes, &trustbot.Deposited{From: aliceW, Amount: u(50)})),
			"<@alice> deposited 50 tUSD into their reserve (backing now 300)." + txTail},
		{"deposit into someone else's reserve", nil, tx(txOne,
			ev(aliceRes, &trustbot.Deposited{From: daveW, Amount: u(5)})),
			"<@dave> deposited 5 tUSD into <@alice>'s reserve (backing now 300)." + txTail},
		{"deposit into a layer: once", nil, tx(txOne,
			ev(aliceRes, &trustbot.Transfer{From: bobW, To: bobRes, Amount: u(10)}),
			ev(bobRes, &trustbot.Deposited{From: bobW, Amount: u(10)})),
			"<@bob> deposited 10 ALICE-tUSD into their reserve (backing now 20)." + txTail},
		{"withdraw from a layer: once", nil, tx(txOne,
			ev(aliceRes, &trustbot.Transfer{From: bobRes, To: bobW, Amount: u(10)}),
			ev(bobRes, &trustbot.Withdrawn{To: bobW, Amount: u(10)})),
			"<@bob> withdrew 10 ALICE-tUSD from their reserve (backing now 20)." + txTail},
		{"withdraw", nil, tx(txOne,
			ev(aliceRes, &trustbot.Withdrawn{To: aliceW, Amount: u(100)})),
			"<@alice> withdrew 100 tUSD from their reserve (backing now 300)." + txTail},
		{"ReserveCreated", nil, tx(txOne,
			ev(commandstest.Factory, &trustbot.ReserveCreated{Reserve: carolRes, Issuer: carolW, Asset: zero})),
			"<@carol> created an ETH reserve; its trust token is CAROL-ETH." + txTail},
		{"ReserveCreated of a layer", nil, tx(txOne,
			ev(commandstest.Factory, &trustbot.ReserveCreated{Reserve: bobRes, Issuer: bobW, Asset: aliceRes})),
			"<@bob> created an ALICE-tUSD reserve; its trust token is BOB-ALICE-tUSD." + txTail},
		{"ReserveCreated not indexed yet", nil, tx(txOne,
			ev(commandstest.Factory, &trustbot.ReserveCreated{Reserve: newRes, Issuer: daveW, Asset: usdTok.Address})),
			"<@dave> created a reserve." + txTail},
		{"transfer between holders", nil, tx(txOne,
			ev(aliceRes, &trustbot.Transfer{From: bobW, To: daveW, Amount: u(5)})),
			"<@bob> sent 5 ALICE-tUSD to <@dave>." + txTail},
		{"transfer to an unlinked holder", nil, tx(txOne,
			ev(aliceRes, &trustbot.Transfer{From: bobW, To: erinW, Amount: u(5)})),
			"<@bob> sent 5 ALICE-tUSD to " + trustbot.ShortAddress(erinW) + "." + txTail},
		{"events that say nothing", nil, tx(txOne,
			ev(usdTok.Address, &trustbot.Transfer{From: aliceW, To: bobW, Amount: u(1)}),
			ev(aliceRes, &trustbot.Trusted{Holder: bobW, Amount: u(5)}),
			ev(aliceRes, &trustbot.Revoked{Amount: u(5)})),
			""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := tc.web
			if w == nil {
				w = storyWeb()
			}
			set, store, _ := noticeSet(w.Build())
			req := trustbot.SigningRequest{ID: "req-1", GuildID: "g-1", UserID: "alice"}
			n, err := set.Notice(context.Background(), tc.events, req, "notices")
			if err != nil {
				t.Fatal(err)
			}
			if n.Text != tc.text {
				t.Errorf("notice:\n%s\nwant:\n%s", n.Text, tc.text)
			}
			if n.GuildID != "g-1" || n.ChannelID != "notices" || n.Request.ID != "req-1" || n.TxHash != txOne {
				t.Errorf("notice %+v, want guild g-1, channel notices, request req-1, tx %s", n, txOne.Hex())
			}
			if store.Calls("Web") != 1 {
				t.Errorf("%d Store.Web calls, want 1", store.Calls("Web"))
			}
		})
	}
}

func TestNoticeNonce(t *testing.T) {
	set, _, _ := noticeSet(storyWeb().Build())
	notice := func(hash common.Hash, amount int64) trustbot.Notice {
		n, err := set.Notice(context.Background(), tx(hash, ev(aliceRes, &trustbot.Transfer{From: zero, To: bobW, Amount: u(amount)})),
			trustbot.SigningRequest{}, "notices")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	a, again, other := notice(txOne, 5), notice(txOne, 5), notice(txOther, 5)
	if a.Nonce == "" || a.Nonce != again.Nonce {
		t.Errorf("nonces %q and %q for the same tx, want the same", a.Nonce, again.Nonce)
	}
	if a.Nonce == other.Nonce {
		t.Errorf("nonce %q for two transactions, want different ones", a.Nonce)
	}
	if len(a.Nonce) > 25 {
		t.Errorf("nonce %q is longer than Discord's 25 characters", a.Nonce)
	}
	if a.Nonce != "tx11111111111111111111111" {
		t.Errorf("nonce %q", a.Nonce)
	}
}

func TestNoticeOfNoEvents(t *testing.T) {
	set, _, _ := noticeSet(storyWeb().Build())
	n, err := set.Notice(context.Background(), nil, trustbot.SigningRequest{GuildID: "g-1"}, "notices")
	if err != nil || n.Text != "" || n.Nonce != "" || n.TxHash != (common.Hash{}) || n.GuildID != "g-1" {
		t.Errorf("notice of no events %+v (%v), want an empty one for g-1", n, err)
	}
}

// TestNoticeOfTripEntries checks the notices of redemptions a trip counted and of a settlement:
// the entries come from the store, composed with no chain read.
func TestNoticeOfTripEntries(t *testing.T) {
	const txTail = " · tx 0x11111111…2222"
	trip := trustbot.Trip{ID: 7, Name: "Lisbon", Asset: usdTok}
	redeem := tx(txOne,
		ev(aliceRes, &trustbot.Transfer{From: bobW, To: zero, Amount: u(45)}),
		ev(usdTok.Address, &trustbot.Transfer{From: aliceRes, To: bobW, Amount: u(45)}))
	deep := tx(txOne,
		ev(bobRes, &trustbot.Transfer{From: carolW, To: zero, Amount: u(5)}),
		ev(aliceRes, &trustbot.Transfer{From: bobRes, To: zero, Amount: u(5)}),
		ev(usdTok.Address, &trustbot.Transfer{From: aliceRes, To: carolW, Amount: u(5)}))
	share := func(id string, v int64) trustbot.Share { return trustbot.Share{UserID: id, Amount: u(v)} }
	for _, tc := range []struct {
		name    string
		events  []trustbot.Event
		entries []trustbot.Entry
		req     trustbot.SigningRequest
		text    string
	}{
		{"a tagged redemption: who paid what for what, and the split", redeem, []trustbot.Entry{{
			TripID: 7, N: 3, Kind: trustbot.EntryRedeem, Memo: "dinner", Payer: "alice", Redeemer: "bob", Asset: usdTok, Amount: u(45),
			Split: trustbot.SplitEqual, Shares: []trustbot.Share{share("alice", 15), share("bob", 15), share("carol", 15)}, TxHash: txOne, LogIndex: 0}},
			trustbot.SigningRequest{Kind: "redeem"},
			"<@bob> paid 45 tUSD for dinner from <@alice>'s reserve, split 3 ways (15 each) (entry 3 of the trip \"Lisbon\")." + txTail},
		{"an untagged redemption: a loan, and how to tag it", redeem, []trustbot.Entry{{
			TripID: 7, N: 4, Kind: trustbot.EntryRedeem, Payer: "alice", Redeemer: "bob", Asset: usdTok, Amount: u(45),
			Split: trustbot.SplitNone, Shares: []trustbot.Share{share("bob", 45)}, TxHash: txOne, LogIndex: 0}},
			trustbot.SigningRequest{Kind: "redeem"},
			"<@bob> redeemed 45 tUSD from <@alice>'s reserve. In the trip \"Lisbon\" it is entry 4, a loan from <@alice> until tagged: /trip tag 4 for:… says what it paid for." + txTail},
		{"a deep redemption: through whom, and the uneven split", deep, []trustbot.Entry{
			{TripID: 7, N: 5, Kind: trustbot.EntryRedeem, Memo: "taxi", Payer: "bob", Redeemer: "carol", Asset: usdTok, Amount: u(5),
				Split: trustbot.SplitWeighted, Shares: []trustbot.Share{share("carol", 3), share("dave", 2)}, TxHash: txOne, LogIndex: 0},
			{TripID: 7, N: 6, Kind: trustbot.EntryLayer, Memo: "taxi", Payer: "alice", Redeemer: "bob", Asset: usdTok, Amount: u(5),
				Shares: []trustbot.Share{share("bob", 5)}, TxHash: txOne, LogIndex: 1}},
			trustbot.SigningRequest{Kind: "redeem"},
			"<@carol> paid 5 tUSD for taxi from <@bob>'s reserve (through <@alice>'s reserve), split <@carol> 3, <@dave> 2 (entry 5 of the trip \"Lisbon\")." + txTail},
		{"a settlement to a wallet: no event, the request says it", nil, nil,
			trustbot.SigningRequest{Kind: "settle", UserID: "bob", Txs: []trustbot.RequestTx{{Hash: txOne, Status: trustbot.TxConfirmed}},
				Ledger: &trustbot.LedgerNote{TripID: 7, Creditor: "alice", Asset: usdTok, Amount: u(31)}},
			"<@bob> paid <@alice> 31 tUSD, settling up in the trip \"Lisbon\"." + txTail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set, store, _ := noticeSet(storyWeb().Build())
			store.EntriesByTxFn = func(_ context.Context, h common.Hash) ([]trustbot.Entry, error) {
				if h != txOne {
					t.Errorf("entries of %s, want of %s", h.Hex(), txOne.Hex())
				}
				return tc.entries, nil
			}
			store.TripByIDFn = func(_ context.Context, id int64) (trustbot.Trip, error) {
				if id != trip.ID {
					return trustbot.Trip{}, trustbot.Errorf(trustbot.ENotFound, "no trip %d", id)
				}
				return trip, nil
			}
			n, err := set.Notice(context.Background(), tc.events, tc.req, "notices")
			if err != nil {
				t.Fatal(err)
			}
			if n.Text != tc.text {
				t.Errorf("notice:\n%s\nwant:\n%s", n.Text, tc.text)
			}
			if n.TxHash != txOne {
				t.Errorf("notice of %s, want %s", n.TxHash.Hex(), txOne.Hex())
			}
		})
	}
}
