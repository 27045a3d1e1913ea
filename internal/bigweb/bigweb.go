// Package bigweb generates a large web of trust on the embedded dev chain, for benchmarks: many
// members with dev keys, reserves in layers (a layer's asset is the trust token of a reserve in
// the layer below, the first layer's is tUSD) and budgets spread over every member. The
// transactions are signed with the members' dev keys and sent in JSON-RPC batches, many to a
// block. Index then runs the watcher over the whole chain into a store and links every member's
// wallet there, as the playground's dev members are linked. Large, Latency and the floors are
// what the round-trip benchmarks (cmd/trustbot, commands) share.
package bigweb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/devchain"
	"github.com/trustbot/trustbot/index"
	"github.com/trustbot/trustbot/store"
)

// Large is the web the round-trip benchmarks run against (the domain-core issue, item 3): 200
// members, 60 reserves in 3 layers, every member given 3 budgets.
var Large = Options{Members: 200, Reserves: 60, Layers: 3, Trusts: 3}

// What the round-trip benchmarks hold every JSON-RPC round trip for, and the floors the issue
// sets for the commands it names: at most so many sequential round trips and milliseconds.
const (
	Latency         = 20 * time.Millisecond
	FloorRoundTrips = 3
	FloorMS         = 150
)

// Options sizes the web.
type Options struct {
	Members  int // members; the first Reserves of them issue one reserve each
	Reserves int // at least Layers
	Layers   int // 1: every reserve holds tUSD; more: each layer is backed by the one below
	Trusts   int // budgets every member is given, each by a different reserve (never their own)
	Logger   *slog.Logger
}

// Amounts, in units of the 6-decimal tUSD (trust tokens have their asset's decimals).
var (
	baseDeposit  = units(2000) // what a first-layer issuer deposits
	layerBudget  = units(500)  // what the issuer below trusts a layered reserve's issuer with
	layerDeposit = units(400)  // of which the layered issuer deposits this much into their reserve
	redeemAmount = units(5)    // what every tenth member redeems of their first budget
)

func units(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1_000_000)) }

// Gas limits of the generated transactions, fixed, with room over what the dev chain charges
// (a create about 290,000, a trust of a new holder about 250,000, a deposit about 160,000): a
// deposit is sent in the same block as the approve it needs, so it cannot be estimated first.
const (
	gasCreate = 600_000
	gasCall   = 400_000
)

// batchSize bounds a JSON-RPC batch (the node refuses more than 1000 calls in one).
const batchSize = 500

// Member is one generated member.
type Member struct {
	Name   string // m000, m001, …
	UserID string // dev-m000: the member id the wallet is linked to
	Wallet chain.Wallet
}

// Address is the member's wallet address.
func (m Member) Address() common.Address { return m.Wallet.Address() }

// Reserve is one generated reserve.
type Reserve struct {
	Address common.Address
	Issuer  int            // index in Web.Members
	Layer   int            // 1: backed by tUSD
	Below   int            // index in Web.Reserves of the reserve whose token backs it; -1 on layer 1
	Asset   common.Address // tUSD, or the token of Below
	Symbol  string
	Backing *big.Int // deposited
}

// Budget is one trust call: a reserve's issuer trusting a member.
type Budget struct {
	Reserve, Holder int // indexes in Web.Reserves and Web.Members
	Amount          *big.Int
}

// Web is a generated web of trust on its own dev chain.
type Web struct {
	Chain    *devchain.Chain
	Members  []Member
	Reserves []Reserve
	Budgets  []Budget
	// Redeemed maps a member to the reserve they redeemed redeemAmount of.
	Redeemed map[int]int
	Txs      int    // transactions sent
	Head     uint64 // the block number once everything is mined
	log      *slog.Logger
	nonces   map[common.Address]uint64
	tip      *big.Int
}

// Generate starts a dev chain whose members are the web's (each funded by the dev chain with
// 1000 ETH and 10,000 tUSD) and builds the web on it.
func Generate(ctx context.Context, o Options) (_ *Web, err error) {
	if o.Layers < 1 || o.Reserves < o.Layers || o.Members < o.Reserves || o.Trusts >= o.Reserves {
		return nil, fmt.Errorf("bigweb: options %+v: want 1 ≤ Layers ≤ Reserves ≤ Members and Trusts < Reserves", o)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	w := &Web{log: o.Logger, Redeemed: map[int]int{}, nonces: map[common.Address]uint64{}}
	names := make([]string, o.Members)
	for i := range names {
		names[i] = fmt.Sprintf("m%03d", i)
	}
	dc, err := devchain.Start(ctx, devchain.Options{Members: names, Logger: o.Logger})
	if err != nil {
		return nil, err
	}
	w.Chain = dc
	for _, name := range names {
		wallet, _ := dc.Member(name)
		w.Members = append(w.Members, Member{Name: name, UserID: "dev-" + name, Wallet: wallet})
	}
	defer func() {
		if err != nil {
			dc.Close()
		}
	}()
	w.plan(o)
	if err := w.build(ctx, o); err != nil {
		return nil, err
	}
	if w.Head, err = dc.Client().Eth().BlockNumber(ctx); err != nil {
		return nil, fmt.Errorf("bigweb: head: %w", err)
	}
	return w, nil
}

// Close stops the dev chain.
func (w *Web) Close() { w.Chain.Close() }

// plan lays the reserves out in layers (layer l of L gets a share L−l+1 of the reserves, so
// 60 in 3 layers are 30, 20 and 10) and picks each one's backing reserve in the layer below.
func (w *Web) plan(o Options) {
	sizes := make([]int, o.Layers)
	weights := o.Layers * (o.Layers + 1) / 2
	left := o.Reserves
	for l := o.Layers - 1; l >= 1; l-- {
		sizes[l] = max(1, o.Reserves*(o.Layers-l)/weights)
		left -= sizes[l]
	}
	sizes[0] = left
	first := 0 // index of the first reserve of the layer below
	for l, n := range sizes {
		start := len(w.Reserves)
		for k := range n {
			r := Reserve{Issuer: start + k, Layer: l + 1, Below: -1, Asset: w.Chain.TestUSD()}
			if l > 0 {
				r.Below = first + k%sizes[l-1]
			}
			w.Reserves = append(w.Reserves, r)
		}
		first = start
	}
}

// build sends the web's transactions in phases, each phase mined before the next starts:
// phase 1 creates the first layer; phase l+1 creates layer l+1 (its assets exist now), lets
// layer l's issuers deposit (tUSD, or the tokens they were trusted with in phase l) and trust
// the issuers of the layer above; the last of these phases also gives every member their
// budgets; a final phase has every tenth member redeem part of a budget.
func (w *Web) build(ctx context.Context, o Options) error {
	c := w.Chain.Client()
	// Names and symbols as /reserve create makes them: "m030's trust (M000-tUSD)", M030-M000-tUSD.
	names := make([]string, len(w.Reserves))
	for i := range w.Reserves {
		r := &w.Reserves[i]
		iss := w.Members[r.Issuer]
		asset := "tUSD"
		if r.Below >= 0 {
			asset = w.Reserves[r.Below].Symbol
		}
		r.Symbol = strings.ToUpper(iss.Name) + "-" + asset
		names[i] = fmt.Sprintf("%s's trust (%s)", iss.Name, asset)
	}
	for l := 1; l <= o.Layers+1; l++ {
		var txs []tx
		for i := range w.Reserves {
			r := &w.Reserves[i]
			iss := w.Members[r.Issuer]
			if r.Layer == l {
				if r.Below >= 0 {
					r.Asset = w.Reserves[r.Below].Address
				}
				addr, err := c.Predict(ctx, iss.Address(), r.Asset)
				if err != nil {
					return err
				}
				r.Address = addr
				txs = append(txs, tx{from: iss.Wallet, call: chain.CreateReserve(c.Factory(), r.Asset, names[i], r.Symbol), gas: gasCreate, what: "create " + r.Symbol})
			}
			if r.Layer == l-1 {
				amount := baseDeposit
				if r.Below >= 0 {
					amount = layerDeposit
				}
				r.Backing = amount
				for _, call := range chain.Deposit(r.Address, trustbot.Token{Address: r.Asset}, amount) {
					txs = append(txs, tx{from: iss.Wallet, call: call, gas: gasCall, what: "deposit into " + r.Symbol})
				}
				for _, up := range w.Reserves {
					if up.Below == i {
						txs = append(txs, w.trust(i, up.Issuer, layerBudget))
					}
				}
			}
		}
		if l == o.Layers+1 {
			txs = append(txs, w.memberBudgets(o)...)
		}
		if err := w.send(ctx, fmt.Sprintf("phase %d", l), txs); err != nil {
			return err
		}
	}
	var txs []tx
	for i := 0; i < len(w.Members); i += 10 {
		for _, b := range w.Budgets {
			if b.Holder == i {
				r := w.Reserves[b.Reserve]
				m := w.Members[i]
				txs = append(txs, tx{from: m.Wallet, call: chain.Redeem(r.Address, redeemAmount, m.Address()), gas: gasCall, what: m.Name + " redeems " + r.Symbol})
				w.Redeemed[i] = b.Reserve
				break
			}
		}
	}
	return w.send(ctx, "redemptions", txs)
}

// trust is reserve's issuer trusting member with amount; it records the budget.
func (w *Web) trust(reserve, member int, amount *big.Int) tx {
	r := w.Reserves[reserve]
	w.Budgets = append(w.Budgets, Budget{Reserve: reserve, Holder: member, Amount: amount})
	return tx{from: w.Members[r.Issuer].Wallet, call: chain.Trust(r.Address, w.Members[member].Address(), amount), gas: gasCall,
		what: fmt.Sprintf("%s trusts %s", r.Symbol, w.Members[member].Name)}
}

// memberBudgets gives every member o.Trusts budgets of 10 to 50, from reserves spread over all
// layers and never the member's own.
func (w *Web) memberBudgets(o Options) []tx {
	var txs []tx
	n := len(w.Reserves)
	for i := range w.Members {
		got := map[int]bool{}
		for k := 0; len(got) < o.Trusts; k++ {
			r := (i*7 + k*11) % n
			if k >= n { // 11 steps cycle short of n when n is a multiple of 11: take the rest in turn
				r = (i + k) % n
			}
			if got[r] || w.Reserves[r].Issuer == i {
				continue
			}
			got[r] = true
			txs = append(txs, w.trust(r, i, units(int64(10+10*((i+k)%5)))))
		}
	}
	return txs
}

// tx is one transaction to send.
type tx struct {
	from chain.Wallet
	call trustbot.Call
	gas  uint64
	what string
}

// send signs txs with consecutive nonces per sender (counted from 0: the members' accounts are
// new), sends them in batches and waits until all are mined, committing blocks while any is
// missing; a failed transaction is an error.
func (w *Web) send(ctx context.Context, phase string, txs []tx) error {
	if len(txs) == 0 {
		return nil
	}
	t0 := time.Now()
	rc := w.Chain.Client().Eth().Client()
	if w.tip == nil {
		tip, err := w.Chain.Client().Eth().SuggestGasTipCap(ctx)
		if err != nil {
			return fmt.Errorf("bigweb: gas tip: %w", err)
		}
		w.tip = tip
	}
	head, err := w.Chain.Client().Eth().HeaderByNumber(ctx, nil)
	if err != nil {
		return fmt.Errorf("bigweb: head: %w", err)
	}
	// Room for the base fee to rise over the blocks the phase fills.
	feeCap := new(big.Int).Add(w.tip, new(big.Int).Mul(head.BaseFee, big.NewInt(4)))
	feeCap.Add(feeCap, big.NewInt(1e9))
	chainID := w.Chain.ChainID()
	signer := types.LatestSignerForChainID(chainID)
	hashes := make([]common.Hash, len(txs))
	raws := make([]hexutil.Bytes, len(txs))
	for i, t := range txs {
		from := t.from.Address()
		to := t.call.To
		value := t.call.Value
		if value == nil {
			value = new(big.Int)
		}
		signed, err := types.SignNewTx(t.from.Key, signer, &types.DynamicFeeTx{
			ChainID: chainID, Nonce: w.nonces[from], GasTipCap: w.tip, GasFeeCap: feeCap,
			Gas: t.gas, To: &to, Value: value, Data: t.call.Data,
		})
		if err != nil {
			return fmt.Errorf("bigweb: sign %s: %w", t.what, err)
		}
		w.nonces[from]++
		hashes[i] = signed.Hash()
		if raws[i], err = signed.MarshalBinary(); err != nil {
			return fmt.Errorf("bigweb: encode %s: %w", t.what, err)
		}
	}
	for start := 0; start < len(txs); start += batchSize {
		end := min(start+batchSize, len(txs))
		elems := make([]rpc.BatchElem, end-start)
		for i := range elems {
			elems[i] = rpc.BatchElem{Method: "eth_sendRawTransaction", Args: []any{raws[start+i]}, Result: new(common.Hash)}
		}
		if err := rc.BatchCallContext(ctx, elems); err != nil {
			return fmt.Errorf("bigweb: %s: send: %w", phase, err)
		}
		for i, e := range elems {
			if e.Error != nil {
				return fmt.Errorf("bigweb: %s: send %s: %w", phase, txs[start+i].what, e.Error)
			}
		}
	}
	w.Txs += len(txs)
	receipts := make([]*types.Receipt, len(txs))
	for missing := len(txs); missing > 0; {
		if err := ctx.Err(); err != nil {
			return err
		}
		// The dev chain seals pending transactions by itself, but gives up on one that missed a
		// few blocks (a phase can fill several): seal here too until every one is in.
		w.Chain.Commit()
		missing = 0
		for start := 0; start < len(txs); start += batchSize {
			end := min(start+batchSize, len(txs))
			var elems []rpc.BatchElem
			var idx []int
			for i := start; i < end; i++ {
				if receipts[i] == nil {
					elems = append(elems, rpc.BatchElem{Method: "eth_getTransactionReceipt", Args: []any{hashes[i]}, Result: &receipts[i]})
					idx = append(idx, i)
				}
			}
			if len(elems) == 0 {
				continue
			}
			if err := rc.BatchCallContext(ctx, elems); err != nil {
				return fmt.Errorf("bigweb: %s: receipts: %w", phase, err)
			}
			for k, e := range elems {
				if e.Error != nil {
					return fmt.Errorf("bigweb: %s: receipt of %s: %w", phase, txs[idx[k]].what, e.Error)
				}
				if receipts[idx[k]] == nil {
					missing++
				}
			}
		}
		if missing > 0 {
			time.Sleep(5 * time.Millisecond)
		}
	}
	for i, r := range receipts {
		if r.Status != types.ReceiptStatusSuccessful {
			return fmt.Errorf("bigweb: %s: %s (%s) failed, %d of its %d gas used", phase, txs[i].what, hashes[i].Hex(), r.GasUsed, txs[i].gas)
		}
	}
	w.log.Info("bigweb phase mined", "phase", phase, "txs", len(txs), "took", time.Since(t0))
	return nil
}

// Index runs the indexer over the whole chain into db, until its cursor is at the head, then
// links every member's wallet to their user id (method "dev", as the playground does).
func (w *Web) Index(ctx context.Context, db *store.DB) error {
	watcher := index.New(w.Chain.Client(), db, index.Options{Logger: w.log})
	for {
		if err := watcher.Tick(ctx); err != nil {
			return fmt.Errorf("bigweb: index: %w", err)
		}
		cur, err := db.Cursor(ctx)
		if err != nil && trustbot.ErrorCode(err) != trustbot.ENotFound {
			return fmt.Errorf("bigweb: index: %w", err)
		}
		if err == nil && cur.Number >= w.Head {
			break
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	for _, m := range w.Members {
		_, err := db.LinkWallet(ctx, trustbot.WalletLink{UserID: m.UserID, Address: m.Address(),
			ChainID: devchain.ChainID, Method: "dev"})
		if err != nil {
			return fmt.Errorf("bigweb: link %s: %w", m.Name, err)
		}
	}
	return nil
}

// Cast are the members the benchmarks act as, picked from the generated web.
type Cast struct {
	// Issuer issues a first-layer reserve whose token backs a layered reserve that in turn
	// backs one more layer, when there are that many.
	Issuer int
	// Backed issues the layered reserve Issuer's token backs: Issuer trusted them.
	Backed int
	// Deep issues a reserve of the top layer.
	Deep int
	// Holder issues no reserve and holds tokens of Deep's reserve among others.
	Holder int
	// Plain issues no reserve and is not Holder.
	Plain int
}

// Cast picks the cast.
func (w *Web) Cast() (Cast, error) {
	c := Cast{Issuer: -1, Backed: -1, Deep: -1, Holder: -1, Plain: -1}
	top := 0
	for _, r := range w.Reserves {
		top = max(top, r.Layer)
	}
	for _, r := range w.Reserves {
		if r.Layer != top {
			continue
		}
		// Walk the deep reserve's path down to the first layer.
		path := []int{}
		for at := r; ; at = w.Reserves[at.Below] {
			path = append(path, at.Issuer)
			if at.Below < 0 {
				break
			}
		}
		c.Deep, c.Issuer = r.Issuer, path[len(path)-1]
		if len(path) > 1 {
			c.Backed = path[len(path)-2]
		}
		deepReserve := -1
		for i, x := range w.Reserves {
			if x.Issuer == c.Deep {
				deepReserve = i
			}
		}
		for _, b := range w.Budgets {
			if b.Reserve == deepReserve && b.Holder >= len(w.Reserves) {
				if _, redeemed := w.Redeemed[b.Holder]; !redeemed {
					c.Holder = b.Holder
					break
				}
			}
		}
		if c.Holder >= 0 {
			break
		}
	}
	for i := len(w.Members) - 1; i >= len(w.Reserves); i-- {
		if i != c.Holder {
			c.Plain = i
			break
		}
	}
	if c.Issuer < 0 || c.Deep < 0 || c.Holder < 0 || c.Plain < 0 || (top > 1 && c.Backed < 0) {
		return c, errors.New("bigweb: the web is too small to cast every role")
	}
	return c, nil
}

// Summary describes the web in a line: members, reserves per layer, budgets, transactions and
// blocks.
func (w *Web) Summary() string {
	perLayer := map[int]int{}
	top := 0
	for _, r := range w.Reserves {
		perLayer[r.Layer]++
		top = max(top, r.Layer)
	}
	var layers []string
	for l := 1; l <= top; l++ {
		layers = append(layers, fmt.Sprint(perLayer[l]))
	}
	return fmt.Sprintf("web: %d members, %d reserves in %d layers (%s), %d budgets, %d redemptions; %d transactions, head block %d",
		len(w.Members), len(w.Reserves), top, strings.Join(layers, ", "), len(w.Budgets), len(w.Redeemed), w.Txs, w.Head)
}
