package commands

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/trustbot/trustbot"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot/chain"
)

// CreditReserve is one reserve of a trust graph.
type CreditReserve struct {
	Address, Issuer common.Address
	// Asset is a base asset (the native coin or an ERC-20) or another reserve of the graph,
	// whose trust token then backs this one (a layer).
	Asset common.Address
	// Backing is the reserve's real balance of its asset. For a layered reserve that balance
	// is also its token balance in the reserve below, and CreditGraph.Balances is what counts:
	// Backing is read only for reserves of a base asset.
	Backing *big.Int
}

// CreditGraph is the trust graph the credit figures are computed on.
type CreditGraph struct {
	Reserves []CreditReserve
	// Balances[reserve][account] is the account's balance of the reserve's trust token.
	// Accounts include reserves holding another reserve's token (their backing).
	Balances map[common.Address]map[common.Address]*big.Int
}

// CreditLine is what a holder can redeem of one reserve's tokens.
type CreditLine struct {
	Reserve common.Address // whose tokens
	Held    *big.Int       // the holder's balance of them
	// Path lists the reserves a deep redemption passes, from Reserve down to the one that
	// pays the base asset. Empty when the assets loop and no base asset is ever reached.
	Path []common.Address
	Base common.Address // the base asset paid
	// Amount is the most a redeemDeep of these tokens pays now: the smallest of Held and
	// every layer's backing along Path.
	Amount *big.Int
	// Limit is the reserve on Path whose backing binds Amount (the one nearest the holder
	// when several tie), or the zero address when the holder's own balance does.
	Limit common.Address
}

// Credit is one holder's redeemable credit.
type Credit struct {
	Holder common.Address
	Lines  []CreditLine // one per reserve whose tokens the holder holds, in Balances' reserve order
	// Total is, per base asset, the most the holder gets by redeeming all their tokens one
	// redemption after another. Lines that pass the same layer share its backing, so the total
	// can be less than the sum of the lines' amounts.
	Total map[common.Address]*big.Int
}

// creditIndex is a graph prepared for the computations.
type creditIndex struct {
	g        CreditGraph
	byAddr   map[common.Address]*CreditReserve
	children map[common.Address][]common.Address
	order    []common.Address // the reserves in the graph's order
}

func indexCredit(g CreditGraph) *creditIndex {
	ix := &creditIndex{g: g, byAddr: map[common.Address]*CreditReserve{}, children: map[common.Address][]common.Address{}}
	for i := range g.Reserves {
		r := &g.Reserves[i]
		if _, dup := ix.byAddr[r.Address]; dup {
			continue
		}
		ix.byAddr[r.Address] = r
		ix.order = append(ix.order, r.Address)
	}
	for _, a := range ix.order {
		r := ix.byAddr[a]
		if _, ok := ix.byAddr[r.Asset]; ok {
			ix.children[r.Asset] = append(ix.children[r.Asset], a)
		}
	}
	return ix
}

func (ix *creditIndex) balance(reserve, account common.Address) *big.Int {
	if v := ix.g.Balances[reserve][account]; v != nil && v.Sign() > 0 {
		return v
	}
	return new(big.Int)
}

// backing is what a reserve can pay out: its balance of the reserve below it, or of its base asset.
func (ix *creditIndex) backing(a common.Address) *big.Int {
	r := ix.byAddr[a]
	if _, layered := ix.byAddr[r.Asset]; layered {
		return ix.balance(r.Asset, a)
	}
	if r.Backing == nil || r.Backing.Sign() < 0 {
		return new(big.Int)
	}
	return r.Backing
}

// path follows a reserve's assets down to a base asset; ok is false when they loop.
func (ix *creditIndex) path(a common.Address) (path []common.Address, base common.Address, ok bool) {
	seen := map[common.Address]bool{}
	for {
		if seen[a] {
			return nil, common.Address{}, false
		}
		seen[a] = true
		path = append(path, a)
		next := ix.byAddr[a].Asset
		if _, layered := ix.byAddr[next]; !layered {
			return path, next, true
		}
		a = next
	}
}

func minBig(a, b *big.Int) *big.Int {
	if a.Cmp(b) <= 0 {
		return a
	}
	return b
}

// ComputeCredit works out, for every account holding trust tokens in the graph, what it can
// redeem right now into a base asset, following redeemDeep: a redemption burns the holder's
// tokens, then each layer burns as many of its own backing tokens at the layer below, and the
// last layer pays the base asset, each step failing when that layer holds less than asked. So
// a line's amount is the smallest of the holder's balance and every backing along the path.
//
// Every holder's figures are computed alone: each is what that holder could redeem if they
// redeemed first, on today's balances. When two holders redeem through the same layer, the
// first to redeem uses that layer's backing up and the second may then get less; their amounts
// are not meant to be added together. Within one holder, Total does account for shared layers.
//
// Accounts that are reserves are included as if they could redeem (the contracts give a reserve
// no way to, but its issuer can withdraw its backing); when a reserve's own backing tokens are
// counted, that backing is shared with what flows through the reserve, and Total counts it once.
// Pure: no chain access.
func ComputeCredit(g CreditGraph) map[common.Address]*Credit {
	ix := indexCredit(g)
	out := map[common.Address]*Credit{}
	for _, ra := range ix.order {
		var accounts []common.Address
		for acct, bal := range g.Balances[ra] {
			if bal != nil && bal.Sign() > 0 {
				accounts = append(accounts, acct)
			}
		}
		sort.Slice(accounts, func(i, j int) bool { return bytes.Compare(accounts[i][:], accounts[j][:]) < 0 })
		for _, acct := range accounts {
			c := out[acct]
			if c == nil {
				c = &Credit{Holder: acct, Total: map[common.Address]*big.Int{}}
				out[acct] = c
			}
			c.Lines = append(c.Lines, ix.line(acct, ra))
		}
	}
	for acct, c := range out {
		c.Total = ix.total(acct)
	}
	return out
}

func (ix *creditIndex) line(acct, ra common.Address) CreditLine {
	held := new(big.Int).Set(ix.balance(ra, acct))
	l := CreditLine{Reserve: ra, Held: held, Amount: new(big.Int)}
	path, base, ok := ix.path(ra)
	if !ok {
		return l
	}
	l.Path, l.Base = path, base
	amount := held
	for _, p := range path {
		if b := ix.backing(p); b.Cmp(amount) < 0 {
			amount, l.Limit = b, p
		}
	}
	l.Amount = new(big.Int).Set(amount)
	return l
}

// total is the most an account gets redeeming everything, per base asset. Redemptions form a
// flow on the tree of layers towards the base-layer reserves: what leaves a reserve is at most
// its backing and at most what enters it (the account's own tokens of it plus what leaves the
// layers above it), and a larger flow out of a subtree never hurts, so the maximum is found
// bottom-up. When the account is itself a reserve, its own tokens of the reserve below are its
// backing: they enter at the account's node, not again at the node below.
func (ix *creditIndex) total(acct common.Address) map[common.Address]*big.Int {
	var flow func(a common.Address) *big.Int
	flow = func(a common.Address) *big.Int {
		in := new(big.Int)
		own := true // the account's tokens of a enter here, unless they are its backing
		for _, c := range ix.children[a] {
			if c == acct {
				// The account's tokens of a are its backing: redeemable whole, directly, and
				// everything its own layer passes on comes out of them too.
				in.Add(in, ix.backing(c))
				own = false
				continue
			}
			in.Add(in, flow(c))
		}
		if own {
			in.Add(in, ix.balance(a, acct))
		}
		return new(big.Int).Set(minBig(in, ix.backing(a)))
	}
	totals := map[common.Address]*big.Int{}
	for _, a := range ix.order {
		r := ix.byAddr[a]
		if _, layered := ix.byAddr[r.Asset]; layered {
			continue
		}
		f := flow(a)
		if t := totals[r.Asset]; t != nil {
			t.Add(t, f)
		} else {
			totals[r.Asset] = f
		}
	}
	for base, t := range totals {
		if t.Sign() == 0 {
			delete(totals, base)
		}
	}
	return totals
}

// Exposure is the most a reserve could pay out of its backing if every holder downstream
// redeemed: the people holding its tokens, and through every layer backed by it, the people
// holding those layers' tokens, each layer passing on at most its own backing. Tokens held by
// reserves count only as backing reached through their own holders. Layers below the reserve do
// not limit it (a holder can redeem one layer at a time). Zero for a reserve not in the graph.
func Exposure(g CreditGraph, reserve common.Address) *big.Int {
	ix := indexCredit(g)
	if ix.byAddr[reserve] == nil {
		return new(big.Int)
	}
	visiting := map[common.Address]bool{}
	var flow func(a common.Address) *big.Int
	flow = func(a common.Address) *big.Int {
		if visiting[a] {
			return new(big.Int)
		}
		visiting[a] = true
		defer delete(visiting, a)
		in := new(big.Int)
		for acct, bal := range g.Balances[a] {
			if _, isReserve := ix.byAddr[acct]; !isReserve && bal != nil && bal.Sign() > 0 {
				in.Add(in, bal)
			}
		}
		for _, c := range ix.children[a] {
			in.Add(in, flow(c))
		}
		return new(big.Int).Set(minBig(in, ix.backing(a)))
	}
	return flow(reserve)
}

func (h *handlers) creditDef() Definition {
	return Definition{
		Name: "credit", Description: "What a member can redeem now through every layer, and their reserve's exposure", Chain: true, handler: (*handlers).credit,
		Options: []OptionDef{{Name: "member", Description: "whose (default: yours)", Type: User}},
	}
}

// creditGraph reads the trust graph of the known reserves from the chain.
func (h *handlers) creditGraph(ctx context.Context) (CreditGraph, map[common.Address]chain.ReserveInfo, error) {
	known, err := h.v.Reserves(ctx)
	if err != nil {
		return CreditGraph{}, nil, err
	}
	g := CreditGraph{Balances: map[common.Address]map[common.Address]*big.Int{}}
	infos := map[common.Address]chain.ReserveInfo{}
	for _, k := range known {
		ra := k.Address
		if _, dup := infos[ra]; dup {
			continue
		}
		res, err := h.v.ReserveAt(ctx, ra)
		if err != nil {
			return CreditGraph{}, nil, err
		}
		if !res.Exists {
			continue
		}
		infos[ra] = res
		backing := new(big.Int)
		if res.Reserve != nil {
			backing.Set(res.Reserve)
		}
		g.Reserves = append(g.Reserves, CreditReserve{Address: ra, Issuer: res.Issuer, Asset: res.Asset, Backing: backing})
		hs, err := h.holders(ctx, ra)
		if err != nil {
			return CreditGraph{}, nil, err
		}
		bals := map[common.Address]*big.Int{}
		for _, x := range hs {
			if x.balance.Sign() > 0 {
				bals[x.addr] = x.balance
			}
		}
		g.Balances[ra] = bals
	}
	// A layer's backing is its balance in the reserve below, whether or not its events are indexed.
	for _, r := range g.Reserves {
		if below, ok := infos[r.Asset]; ok {
			if _, seen := g.Balances[below.Address][r.Address]; !seen {
				g.Balances[below.Address][r.Address] = new(big.Int).Set(r.Backing)
			}
		}
	}
	return g, infos, nil
}

func (h *handlers) credit(ctx context.Context, r *Request) (*Reply, error) {
	m := r.User
	if o := r.MemberOption("member"); o != nil {
		m = *o
	}
	self := m.ID == r.User.ID
	addr, err := h.wallet(ctx, m, self)
	if err != nil {
		return nil, err
	}
	g, infos, err := h.creditGraph(ctx)
	if err != nil {
		return nil, err
	}
	names := map[common.Address]string{}
	name := func(a common.Address) string {
		if n, ok := names[a]; ok {
			return n
		}
		n := h.memberOf(ctx, a)
		names[a] = n
		return n
	}
	bases := map[common.Address]trustbot.Token{}
	base := func(a common.Address) trustbot.Token {
		if t, ok := bases[a]; ok {
			return t
		}
		t := baseOf(infos, a)
		bases[a] = t
		return t
	}
	c := ComputeCredit(g)[addr]
	var exposures []creditExposure
	for _, res := range g.Reserves {
		if res.Issuer == addr {
			info := infos[res.Address]
			exposures = append(exposures, creditExposure{Reserve: info, Exposure: Exposure(g, res.Address), Backing: res.Backing})
		}
	}
	text := creditText(m.Mention(), self, c, exposures, infos, name, base)
	return &Reply{Text: text, Private: true}, nil
}

type creditExposure struct {
	Reserve  chain.ReserveInfo
	Exposure *big.Int
	Backing  *big.Int
}

// creditText writes the /credit reply: a sentence per base asset, a small table of the lines,
// and the exposure of the member's reserves.
func creditText(who string, self bool, c *Credit, exposures []creditExposure, infos map[common.Address]chain.ReserveInfo,
	name func(common.Address) string, base func(common.Address) trustbot.Token) string {
	var b strings.Builder
	var lines []CreditLine
	if c != nil {
		lines = c.Lines
	}
	if len(lines) == 0 {
		fmt.Fprintf(&b, "%s holds no trust tokens, so there is nothing to redeem.", who)
	}
	var baseOrder []common.Address
	seenBase := map[common.Address]bool{}
	for _, l := range lines {
		if len(l.Path) > 0 && !seenBase[l.Base] {
			seenBase[l.Base] = true
			baseOrder = append(baseOrder, l.Base)
		}
	}
	for i, ba := range baseOrder {
		t := base(ba)
		total := new(big.Int)
		if c.Total[ba] != nil {
			total = c.Total[ba]
		}
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s can redeem %s now", who, trustbot.Money(total, t.Decimals, t.Symbol))
		var parts []string
		sum := new(big.Int)
		for _, l := range lines {
			if len(l.Path) == 0 || l.Base != ba || l.Amount.Sign() == 0 {
				continue
			}
			sum.Add(sum, l.Amount)
			issuer := name(infos[l.Reserve].Issuer)
			p := trustbot.FormatAmount(l.Amount, t.Decimals)
			if len(l.Path) == 1 {
				p += " from " + issuer + " directly"
			} else {
				p += " through " + issuer + "'s reserve"
			}
			if l.Limit != (common.Address{}) {
				p += " (bounded by " + limitText(l.Limit, infos, name, t) + ")"
			}
			parts = append(parts, p)
		}
		if len(parts) > 0 {
			b.WriteString(": " + strings.Join(parts, ", "))
		}
		b.WriteString(".")
		if sum.Cmp(total) > 0 {
			fmt.Fprintf(&b, " Those paths share a layer, so redeeming them all pays at most %s.", trustbot.Money(total, t.Decimals, t.Symbol))
		}
	}
	if len(lines) > 0 {
		var tb bytes.Buffer
		w := tabwriter.NewWriter(&tb, 0, 0, 2, ' ', 0)
		fmt.Fprintln(w, "token\theld\tnow\tlayers")
		for _, l := range lines {
			info := infos[l.Reserve]
			var syms []string
			for _, p := range l.Path {
				syms = append(syms, infos[p].Symbol)
			}
			layers := strings.Join(syms, " → ")
			if len(l.Path) == 0 {
				layers = "(loops, no base asset)"
			} else {
				layers += " → " + base(l.Base).Symbol
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", info.Symbol, trustbot.FormatAmount(l.Held, info.Decimals), trustbot.FormatAmount(l.Amount, info.Decimals), layers)
		}
		w.Flush()
		b.WriteString("\n```\n" + strings.TrimRight(tb.String(), "\n") + "\n```")
	}
	for _, e := range exposures {
		kind := "reserve's"
		if len(exposures) > 1 {
			kind = e.Reserve.Symbol + " reserve's"
		}
		owner := "Your " + kind
		if !self {
			owner = who + "'s " + kind
		}
		t := e.Reserve.AssetToken
		fmt.Fprintf(&b, "\n%s exposure: %s if everyone downstream redeemed (backing %s).", owner,
			trustbot.Money(e.Exposure, t.Decimals, t.Symbol), trustbot.FormatAmount(e.Backing, t.Decimals))
	}
	return b.String()
}

// baseOf is the token of a base asset as the reserves on it describe it.
func baseOf(infos map[common.Address]chain.ReserveInfo, base common.Address) trustbot.Token {
	for _, info := range infos {
		if info.Asset == base {
			return info.AssetToken
		}
	}
	return trustbot.Token{Address: base, Symbol: trustbot.ShortAddress(base)}
}

// limitText names a bounding layer: "the 10 ALICE-tUSD in @bob's reserve" or "@alice's 5 tUSD".
func limitText(limit common.Address, infos map[common.Address]chain.ReserveInfo, name func(common.Address) string, baseTok trustbot.Token) string {
	info := infos[limit]
	if below, ok := infos[info.Asset]; ok {
		return fmt.Sprintf("the %s %s in %s's reserve", trustbot.FormatAmount(info.Reserve, info.Decimals), below.Symbol, name(info.Issuer))
	}
	return fmt.Sprintf("%s's %s", name(info.Issuer), trustbot.Money(info.Reserve, baseTok.Decimals, baseTok.Symbol))
}
