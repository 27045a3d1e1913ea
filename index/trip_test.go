package index_test

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/chaintest"
	"github.com/trustbot/trustbot/chain/devchain"
	"github.com/trustbot/trustbot/index"
	"github.com/trustbot/trustbot/store"
	"github.com/trustbot/trustbot/store/storetest"
)

// tripChannel is the channel the trip ledger tests keep their trip and requests in.
const tripChannel = "channel-trip"

// linkMembers links each named dev member's wallet to the user id of the same name.
func linkMembers(t *testing.T, db *store.DB, dc *devchain.Chain, names ...string) {
	t.Helper()
	for _, name := range names {
		link := trustbot.WalletLink{UserID: name, Address: chaintest.Member(t, dc, name).Address(), ChainID: devchain.ChainID, Method: "dev"}
		if _, err := db.LinkWallet(context.Background(), link); err != nil {
			t.Fatalf("LinkWallet(%s): %v", name, err)
		}
	}
}

// startTrip opens a trip in tripChannel counting in ETH, with the named members (the first
// starts it).
func startTrip(t *testing.T, db *store.DB, names ...string) trustbot.Trip {
	t.Helper()
	members := make([]trustbot.Member, len(names))
	for i, n := range names {
		members[i] = trustbot.Member{ID: n, Name: n}
	}
	trip, err := db.StartTrip(context.Background(), trustbot.Trip{
		GuildID: "guild-1", ChannelID: tripChannel, Name: "Lisbon", Asset: chain.NativeToken(),
		StartedBy: names[0], Members: members,
	})
	if err != nil {
		t.Fatalf("StartTrip: %v", err)
	}
	return trip
}

// entryView is what a test compares of a ledger entry (its number aside).
type entryView struct {
	Kind     trustbot.EntryKind
	Payer    string
	Redeemer string
	Memo     string
	Split    trustbot.SplitMode
	Asset    common.Address
	Amount   string
	Shares   string // "user=amount" in share order
	Block    uint64
	Request  string
}

func viewEntry(e trustbot.Entry) entryView {
	shares := make([]string, len(e.Shares))
	for i, s := range e.Shares {
		shares[i] = s.UserID + "=" + s.Amount.String()
	}
	return entryView{
		Kind: e.Kind, Payer: e.Payer, Redeemer: e.Redeemer, Memo: e.Memo, Split: e.Split, Asset: e.Asset.Address,
		Amount: e.Amount.String(), Shares: strings.Join(shares, " "), Block: e.BlockNumber, Request: e.RequestID,
	}
}

// wantTxEntries checks the entries a transaction made, in every trip, and returns them.
func wantTxEntries(t *testing.T, db *store.DB, hash common.Hash, want []entryView) []trustbot.Entry {
	t.Helper()
	es, err := db.EntriesByTx(context.Background(), hash)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]entryView, len(es))
	for i, e := range es {
		got[i] = viewEntry(e)
	}
	if !slices.Equal(got, want) {
		t.Errorf("entries of tx %s:\n got %+v\nwant %+v", hash.Hex(), got, want)
	}
	return es
}

// wantNets checks every member's net in the trip's balances, in the order TripBalances lists
// them ("user=net"); each balance's net must also be paid − consumed + settled.
func wantNets(t *testing.T, db *store.DB, tripID int64, want ...string) []trustbot.Balance {
	t.Helper()
	bs, err := db.TripBalances(context.Background(), tripID)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(bs))
	for i, b := range bs {
		got[i] = b.UserID + "=" + b.Net.String()
		if sum := new(big.Int).Add(new(big.Int).Sub(b.Paid, b.Consumed), b.Settled); sum.Cmp(b.Net) != 0 {
			t.Errorf("balance of %s: got net %s, want paid %s − consumed %s + settled %s = %s", b.UserID, b.Net, b.Paid, b.Consumed, b.Settled, sum)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("trip %d nets: got %v, want %v", tripID, got, want)
	}
	return bs
}

// outboxRows counts the outbox rows of a transaction, whatever their state.
func outboxRows(t *testing.T, db *store.DB, hash common.Hash) int {
	t.Helper()
	path, ok := dbPaths.Load(db)
	if !ok {
		t.Fatal("outboxRows: a database not opened by openDB")
	}
	ro := storetest.OpenReadOnly(t, path.(string))
	defer ro.Close()
	var n int
	if err := ro.QueryRow(`SELECT count(*) FROM outbox WHERE tx_hash = '` + strings.ToLower(hash.Hex()) + `'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// half is half of v.
func half(v *big.Int) *big.Int { return new(big.Int).Rsh(v, 1) }

// neg is −v as text.
func neg(v *big.Int) string { return new(big.Int).Neg(v).String() }

// TestLedgerReorg: bob's redemption from alice's reserve, asked for by a signing request that
// tags it "dinner" split between alice and bob, is an entry of the channel's trip; a reorg that
// drops its block takes the entry and its sums back; mined again on the new branch, it is an
// entry again with the same tag, and its notice is announced once.
func TestLedgerReorg(t *testing.T) {
	for _, tc := range []struct {
		name string
		// deliverFirst delivers the notice before the reorg; else it is still pending over it.
		deliverFirst bool
	}{
		{"notice delivered before the reorg", true},
		{"notice pending over the reorg", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			dc := chaintest.StartDev(t, true)
			c := dc.Client()
			alice, bob := chaintest.Member(t, dc, "alice"), chaintest.Member(t, dc, "bob")
			r := aliceReserve(t, dc, true, alice, chaintest.Ether(10))
			chaintest.SendOK(t, dc, true, alice, chain.Trust(r, bob.Address(), chaintest.Ether(2)))

			db := tempDB(t)
			linkMembers(t, db, dc, "alice", "bob")
			trip := startTrip(t, db, "alice", "bob")
			w := index.New(c, db, index.Options{})
			if err := w.Tick(ctx); err != nil {
				t.Fatal(err)
			}
			parent, err := c.Eth().HeaderByNumber(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}

			amount := chaintest.Ether(1)
			redeem := chain.Redeem(r, amount, bob.Address())
			parts := []trustbot.SplitPart{{Member: trustbot.Member{ID: "alice", Name: "alice"}, Weight: 1}, {Member: trustbot.Member{ID: "bob", Name: "bob"}, Weight: 1}}
			req, err := db.CreateRequest(ctx, trustbot.SigningRequest{
				ID: "request-trip-redeem-01", GuildID: "guild-1", ChannelID: tripChannel, UserID: "bob", Signer: bob.Address(),
				ChainID: devchain.ChainID, Kind: "redeem", Summary: "bob redeems 1 tALICE for dinner", Calls: []trustbot.Call{redeem},
				Ledger:    &trustbot.LedgerNote{TripID: trip.ID, Memo: "dinner", Parts: parts},
				ExpiresAt: time.Now().Add(time.Hour),
			})
			if err != nil {
				t.Fatalf("CreateRequest: %v", err)
			}
			mined := chaintest.Send(t, dc, true, bob, redeem)
			if mined.Status != types.ReceiptStatusSuccessful {
				t.Fatalf("redeem: got status %d, want 1", mined.Status)
			}
			signed, _, err := c.Eth().TransactionByHash(ctx, mined.TxHash)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.RecordTx(ctx, req.ID, 0, mined.TxHash); err != nil {
				t.Fatal(err)
			}
			if err := w.Tick(ctx); err != nil {
				t.Fatal(err)
			}
			tagged := entryView{
				Kind: trustbot.EntryRedeem, Payer: "alice", Redeemer: "bob", Memo: "dinner", Split: trustbot.SplitEqual,
				Amount: amount.String(), Shares: "alice=" + half(amount).String() + " bob=" + half(amount).String(),
				Block: mined.BlockNumber.Uint64(), Request: req.ID,
			}
			wantTxEntries(t, db, mined.TxHash, []entryView{tagged})
			wantNets(t, db, trip.ID, "alice="+half(amount).String(), "bob="+neg(half(amount)))

			del := newDeliveries()
			ob := del.outbox(db)
			if tc.deliverFirst {
				if err := ob.Deliver(ctx); err != nil {
					t.Fatal(err)
				}
			}

			// The reorg: a branch from the redemption's parent without it (the node puts the
			// dropped transaction back in its pool; clearing the pool keeps it out for now).
			if err := dc.Backend().Fork(parent.Hash()); err != nil {
				t.Fatalf("Fork: %v", err)
			}
			dc.Backend().Rollback()
			dc.Commit()
			if err := w.Tick(ctx); err != nil {
				t.Fatalf("Tick after the reorg: %v", err)
			}
			if n := countEvents(t, db, mined.BlockHash); n != 0 {
				t.Fatalf("events of the dropped block: got %d, want 0", n)
			}
			wantTxEntries(t, db, mined.TxHash, nil)
			es, err := db.TripEntries(ctx, trip.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(es) != 0 {
				t.Errorf("trip entries after the reorg: got %d, want none", len(es))
			}
			for _, b := range wantNets(t, db, trip.ID, "alice=0", "bob=0") {
				if b.Paid.Sign() != 0 || b.Consumed.Sign() != 0 || b.Settled.Sign() != 0 {
					t.Errorf("balance of %s after the reorg: got paid %s consumed %s settled %s, want all 0", b.UserID, b.Paid, b.Consumed, b.Settled)
				}
			}
			if n := outboxRows(t, db, mined.TxHash); n != 1 {
				t.Errorf("outbox rows of the dropped tx: got %d, want 1", n)
			}

			// The same signed transaction, sent again, is mined on the new branch.
			if err := c.Eth().SendTransaction(ctx, signed); err != nil {
				t.Fatalf("send the redemption again: %v", err)
			}
			var again *types.Receipt
			for range 20 {
				dc.Commit()
				if again, err = c.Eth().TransactionReceipt(ctx, mined.TxHash); err == nil {
					break
				}
			}
			if again == nil || again.Status != types.ReceiptStatusSuccessful || again.BlockHash == mined.BlockHash {
				t.Fatalf("the redemption on the new branch: got %+v (err %v), want it mined in another block", again, err)
			}
			if err := w.Tick(ctx); err != nil {
				t.Fatal(err)
			}
			wantCursorAtHead(t, dc, db)
			tagged.Block = again.BlockNumber.Uint64()
			wantTxEntries(t, db, mined.TxHash, []entryView{tagged})
			wantNets(t, db, trip.ID, "alice="+half(amount).String(), "bob="+neg(half(amount)))

			// One outbox row; the notice goes out once, naming the events of the new block.
			if n := outboxRows(t, db, mined.TxHash); n != 1 {
				t.Errorf("outbox rows of the re-mined tx: got %d, want 1", n)
			}
			ns, err := db.PendingNotices(ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			if tc.deliverFirst {
				if len(ns) != 0 {
					t.Errorf("pending notices after the delivered tx was mined again: got %d, want none", len(ns))
				}
			} else if len(ns) != 1 || ns[0].TxHash != mined.TxHash || len(ns[0].Events) == 0 || ns[0].Events[0].Block.Hash != again.BlockHash {
				t.Errorf("pending notices: got %+v, want the redemption's once, with its events in block %s", ns, again.BlockHash.Hex())
			}
			if err := ob.Deliver(ctx); err != nil {
				t.Fatal(err)
			}
			if got := del.byTx[mined.TxHash]; got != 1 || len(del.byTx) != 1 {
				t.Errorf("deliveries: got %v, want the redemption's notice once", del.byTx)
			}
		})
	}
}

// TestLedgerDeepRedemption: carol redeems bob's layer (backed by alice's tokens) all the way down
// to ETH in one transaction. Bob paid for carol (the redemption entry) and alice paid for bob
// (the layer entry), so bob nets to zero.
func TestLedgerDeepRedemption(t *testing.T) {
	ctx := context.Background()
	dc := chaintest.StartDev(t, true)
	c := dc.Client()
	alice, bob, carol := chaintest.Member(t, dc, "alice"), chaintest.Member(t, dc, "bob"), chaintest.Member(t, dc, "carol")
	r := aliceReserve(t, dc, true, alice, chaintest.Ether(10))
	chaintest.SendOK(t, dc, true, alice, chain.Trust(r, bob.Address(), chaintest.Ether(5)))
	chaintest.SendOK(t, dc, true, bob, chain.CreateReserve(dc.Factory(), r, "Bob on Alice", "tBOB"))
	layer, err := c.ReserveOf(ctx, bob.Address(), r)
	if err != nil {
		t.Fatal(err)
	}
	if !layer.Layered {
		t.Fatalf("bob's reserve: got %+v, want one backed by alice's tokens", layer)
	}
	chaintest.SendOK(t, dc, true, bob, chain.Deposit(layer.Address, layer.AssetToken, chaintest.Ether(3))...)
	chaintest.SendOK(t, dc, true, bob, chain.Trust(layer.Address, carol.Address(), chaintest.Ether(2)))

	db := tempDB(t)
	linkMembers(t, db, dc, "alice", "bob", "carol")
	trip := startTrip(t, db, "alice", "bob", "carol")
	w := index.New(c, db, index.Options{})
	if err := w.Tick(ctx); err != nil {
		t.Fatal(err)
	}

	// 1.5 ETH, through both layers.
	amount := new(big.Int).Add(chaintest.Ether(1), half(chaintest.Ether(1)))
	deep := chaintest.Send(t, dc, true, carol, chain.RedeemDeep(layer.Address, amount, carol.Address()))
	if deep.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("redeemDeep: got status %d, want 1", deep.Status)
	}
	if err := w.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	block := deep.BlockNumber.Uint64()
	wantTxEntries(t, db, deep.TxHash, []entryView{
		{Kind: trustbot.EntryRedeem, Payer: "bob", Redeemer: "carol", Split: trustbot.SplitNone,
			Amount: amount.String(), Shares: "carol=" + amount.String(), Block: block},
		{Kind: trustbot.EntryLayer, Payer: "alice", Redeemer: "bob", Split: trustbot.SplitNone,
			Amount: amount.String(), Shares: "bob=" + amount.String(), Block: block},
	})
	wantNets(t, db, trip.ID, "alice="+amount.String(), "bob=0", "carol="+neg(amount))
}

// TestLedgerNoEntry: only a redemption into an open trip is an entry. A redemption with no trip
// open, or after the trip ended, and a revoke (a burn the issuer made, with Revoked) are not;
// a redemption while the trip is open is (the check that the others would have shown).
func TestLedgerNoEntry(t *testing.T) {
	ctx := context.Background()
	dc := chaintest.StartDev(t, true)
	c := dc.Client()
	alice, bob := chaintest.Member(t, dc, "alice"), chaintest.Member(t, dc, "bob")
	r := aliceReserve(t, dc, true, alice, chaintest.Ether(10))
	chaintest.SendOK(t, dc, true, alice, chain.Trust(r, bob.Address(), chaintest.Ether(2)))

	db := tempDB(t)
	linkMembers(t, db, dc, "alice", "bob")
	w := index.New(c, db, index.Options{})
	if err := w.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	var trip trustbot.Trip
	type sent struct {
		from chain.Wallet
		call trustbot.Call
	}
	for _, step := range []struct {
		name string
		trip trustbot.TripStatus // the trip's state when the step's transactions are mined; "" for none yet
		txs  []sent              // the last is the one checked
		want int                 // entries of the last transaction
		nets []string            // the trip's nets after the step
	}{
		{"redeem with no trip", "", []sent{{bob, chain.Redeem(r, chaintest.Ether(1), bob.Address())}}, 0, nil},
		{"revoke of part of a balance", trustbot.TripOpen, []sent{{alice, chain.Revoke(r, bob.Address(), half(chaintest.Ether(1)))}}, 0, nil},
		{"revoke of the rest", trustbot.TripOpen, []sent{{alice, chain.Revoke(r, bob.Address(), nil)}}, 0, nil},
		{"redeem with the trip open", trustbot.TripOpen, []sent{
			{alice, chain.Trust(r, bob.Address(), chaintest.Ether(3))},
			{bob, chain.Redeem(r, chaintest.Ether(1), bob.Address())},
		}, 1, []string{"alice=" + chaintest.Ether(1).String(), "bob=" + neg(chaintest.Ether(1))}},
		{"redeem after the trip ended", trustbot.TripEnded, []sent{{bob, chain.Redeem(r, chaintest.Ether(1), bob.Address())}},
			0, []string{"alice=" + chaintest.Ether(1).String(), "bob=" + neg(chaintest.Ether(1))}},
	} {
		t.Run(step.name, func(t *testing.T) {
			switch {
			case step.trip == trustbot.TripOpen && trip.ID == 0:
				trip = startTrip(t, db, "alice", "bob")
			case step.trip == trustbot.TripEnded && trip.Status == trustbot.TripOpen:
				var err error
				if trip, err = db.EndTrip(ctx, trip.ID); err != nil {
					t.Fatal(err)
				}
			}
			var last *types.Receipt
			for _, s := range step.txs {
				if last = chaintest.Send(t, dc, true, s.from, s.call); last.Status != types.ReceiptStatusSuccessful {
					t.Fatalf("tx %s: got status %d, want 1", last.TxHash.Hex(), last.Status)
				}
			}
			if err := w.Tick(ctx); err != nil {
				t.Fatalf("Tick: %v", err)
			}
			es, err := db.EntriesByTx(ctx, last.TxHash)
			if err != nil {
				t.Fatal(err)
			}
			if len(es) != step.want {
				t.Errorf("entries of tx %s: got %d (%s), want %d", last.TxHash.Hex(), len(es), describeEntries(es), step.want)
			}
			if trip.ID != 0 {
				wantNets(t, db, trip.ID, step.nets...)
			}
		})
	}
	if trip.ID == 0 {
		t.Fatal("no step started the trip")
	}
	es, err := db.TripEntries(ctx, trip.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 {
		t.Errorf("trip entries: got %d (%s), want the one redemption made while it was open", len(es), describeEntries(es))
	}
}

// describeEntries is entries in a line, for failures.
func describeEntries(es []trustbot.Entry) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = fmt.Sprintf("%d %s %s paid by %s", e.N, e.Kind, e.Amount, e.Payer)
	}
	return strings.Join(parts, "; ")
}
