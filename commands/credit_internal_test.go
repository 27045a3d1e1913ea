package commands

import (
	"errors"
	"fmt"
	"math/big"
	"math/rand"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
)

// balances is a brute-force model of the chain: balances[token][account] is a balance, for trust
// tokens and base assets alike (a reserve's backing is its own entry in its asset's column).
type balances map[common.Address]map[common.Address]*big.Int

func (l balances) get(token, acct common.Address) *big.Int {
	if v := l[token][acct]; v != nil {
		return v
	}
	return new(big.Int)
}

func (l balances) add(token, acct common.Address, d *big.Int) {
	if l[token] == nil {
		l[token] = map[common.Address]*big.Int{}
	}
	l[token][acct] = new(big.Int).Add(l.get(token, acct), d)
}

func (l balances) clone() balances {
	out := balances{}
	for tok, m := range l {
		out[tok] = map[common.Address]*big.Int{}
		for a, v := range m {
			out[tok][a] = new(big.Int).Set(v)
		}
	}
	return out
}

var errRevert = errors.New("revert")

// model is a random trust graph for the brute force.
type model struct {
	assetOf map[common.Address]common.Address // reserve → its asset
	issuer  map[common.Address]common.Address
	order   []common.Address // reserves in creation order
	led     balances
}

func (m *model) isReserve(a common.Address) bool { _, ok := m.assetOf[a]; return ok }

// redeemDeep replays the contract step by step: burn the caller's tokens, then either call
// redeemDeep on the layer below as the reserve, or pay the base asset out of the reserve.
func (m *model) redeemDeep(l balances, caller, reserve, to common.Address, amount *big.Int, depth int) error {
	if depth > 16 || amount.Sign() <= 0 {
		return errRevert
	}
	if l.get(reserve, caller).Cmp(amount) < 0 {
		return errRevert
	}
	l.add(reserve, caller, new(big.Int).Neg(amount))
	a := m.assetOf[reserve]
	if m.isReserve(a) {
		return m.redeemDeep(l, reserve, a, to, amount, depth+1)
	}
	if l.get(a, reserve).Cmp(amount) < 0 {
		return errRevert
	}
	l.add(a, reserve, new(big.Int).Neg(amount))
	l.add(a, to, amount)
	return nil
}

// maxDeep is the largest amount a redeemDeep of the caller's tokens accepts on l, by binary
// search over trial runs on copies.
func (m *model) maxDeep(l balances, caller, reserve common.Address) *big.Int {
	lo, hi := new(big.Int), new(big.Int).Set(l.get(reserve, caller))
	one := big.NewInt(1)
	for lo.Cmp(hi) < 0 {
		mid := new(big.Int).Add(lo, hi)
		mid.Add(mid, one).Rsh(mid, 1)
		if m.redeemDeep(l.clone(), caller, reserve, sink, mid, 0) == nil {
			lo = mid
		} else {
			hi = mid.Sub(mid, one)
		}
	}
	return lo
}

var sink = common.HexToAddress("0x5151515151515151515151515151515151515151")

func (m *model) baseOf(reserve common.Address) (common.Address, bool) {
	for i := 0; i < 32; i++ {
		a := m.assetOf[reserve]
		if !m.isReserve(a) {
			return a, true
		}
		reserve = a
	}
	return common.Address{}, false
}

func (m *model) above(reserve, top common.Address) bool {
	for i := 0; i < 32; i++ {
		if reserve == top {
			return true
		}
		if !m.isReserve(reserve) {
			return false
		}
		reserve = m.assetOf[reserve]
	}
	return false
}

// backingOf reads a reserve's backing off the balances.
func (m *model) backingOf(l balances, reserve common.Address) *big.Int {
	return l.get(m.assetOf[reserve], reserve)
}

func (m *model) graph() CreditGraph {
	g := CreditGraph{Balances: map[common.Address]map[common.Address]*big.Int{}}
	for _, r := range m.order {
		g.Reserves = append(g.Reserves, CreditReserve{Address: r, Issuer: m.issuer[r], Asset: m.assetOf[r], Backing: new(big.Int).Set(m.backingOf(m.led, r))})
		g.Balances[r] = map[common.Address]*big.Int{}
		for a, v := range m.led[r] {
			g.Balances[r][a] = new(big.Int).Set(v)
		}
	}
	return g
}

func randomModel(rng *rand.Rand) *model {
	m := &model{assetOf: map[common.Address]common.Address{}, issuer: map[common.Address]common.Address{}, led: balances{}}
	bases := []common.Address{common.HexToAddress("0xb1"), {}}[:1+rng.Intn(2)]
	members := make([]common.Address, 2+rng.Intn(7)) // 2..8
	for i := range members {
		members[i] = common.BigToAddress(big.NewInt(int64(1000 + i)))
	}
	next := 5000
	depth := map[common.Address]int{}
	has := map[[2]common.Address]bool{}
	mk := func(issuer, asset common.Address, d int) {
		if has[[2]common.Address{issuer, asset}] {
			return
		}
		has[[2]common.Address{issuer, asset}] = true
		r := common.BigToAddress(big.NewInt(int64(next)))
		next++
		m.assetOf[r], m.issuer[r], depth[r] = asset, issuer, d
		m.order = append(m.order, r)
	}
	for _, mem := range members {
		if rng.Intn(10) < 7 {
			mk(mem, bases[rng.Intn(len(bases))], 1)
		}
	}
	if len(m.order) == 0 {
		mk(members[0], bases[0], 1)
	}
	for i := 0; i < 2*len(members); i++ {
		mem := members[rng.Intn(len(members))]
		below := m.order[rng.Intn(len(m.order))]
		if depth[below] >= 4 || m.issuer[below] == mem {
			continue
		}
		mk(mem, below, depth[below]+1)
	}
	amt := func(max int) *big.Int { return big.NewInt(int64(rng.Intn(max + 1))) }
	for _, r := range m.order {
		m.led.add(m.assetOf[r], r, amt(40)) // backing: base asset or the layer below's tokens
		for _, mem := range members {
			if rng.Intn(10) < 4 {
				m.led.add(r, mem, amt(25))
			}
		}
		if rng.Intn(10) == 0 { // a reserve holding tokens that are not its backing
			m.led.add(r, m.order[rng.Intn(len(m.order))], amt(10))
		}
	}
	return m
}

func TestCreditAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(20260601))
	layered, shared := 0, 0
	for gi := 0; gi < 400; gi++ {
		m := randomModel(rng)
		g := m.graph()
		credits := ComputeCredit(g)
		holders := map[common.Address]bool{}
		for _, r := range m.order {
			for a, v := range m.led[r] {
				if v.Sign() > 0 {
					holders[a] = true
				}
			}
		}
		if len(credits) != len(holders) {
			t.Fatalf("graph %d: credit for %d accounts, %d hold tokens", gi, len(credits), len(holders))
		}
		for x := range holders {
			c := credits[x]
			if c == nil {
				t.Fatalf("graph %d: no credit for %s", gi, x.Hex())
			}
			// Each line alone, on today's balances.
			lines := map[common.Address]CreditLine{}
			for _, l := range c.Lines {
				lines[l.Reserve] = l
			}
			var held []common.Address
			for _, r := range m.order {
				if m.led.get(r, x).Sign() > 0 {
					held = append(held, r)
				}
			}
			if len(held) != len(lines) {
				t.Fatalf("graph %d, %s: %d lines, holds %d tokens", gi, x.Hex(), len(lines), len(held))
			}
			sum := map[common.Address]*big.Int{}
			for _, r := range held {
				l, ok := lines[r]
				if !ok {
					t.Fatalf("graph %d, %s: no line for %s", gi, x.Hex(), r.Hex())
				}
				want := m.maxDeep(m.led, x, r)
				base, _ := m.baseOf(r)
				if l.Amount.Cmp(want) != 0 || l.Held.Cmp(m.led.get(r, x)) != 0 || l.Base != base {
					t.Fatalf("graph %d, %s redeeming %s: got %s of %s to %s, brute force %s to %s\n%s",
						gi, x.Hex(), r.Hex(), l.Amount, l.Held, l.Base.Hex(), want, base.Hex(), m.dump())
				}
				if len(l.Path) > 1 {
					layered++
				}
				if l.Amount.Cmp(l.Held) < 0 {
					if l.Limit == (common.Address{}) || m.backingOf(m.led, l.Limit).Cmp(l.Amount) != 0 {
						t.Fatalf("graph %d, %s: limit %s does not hold %s", gi, x.Hex(), l.Limit.Hex(), l.Amount)
					}
				} else if l.Limit != (common.Address{}) {
					t.Fatalf("graph %d, %s: limit %s though the balance binds", gi, x.Hex(), l.Limit.Hex())
				}
				if sum[base] == nil {
					sum[base] = new(big.Int)
				}
				sum[base].Add(sum[base], l.Amount)
			}
			// Everything, one redemption after another, in a random order, paid to a sink.
			work := m.led.clone()
			rng.Shuffle(len(held), func(i, j int) { held[i], held[j] = held[j], held[i] })
			for _, r := range held {
				if a := m.maxDeep(work, x, r); a.Sign() > 0 {
					if err := m.redeemDeep(work, x, r, sink, a, 0); err != nil {
						t.Fatal(err)
					}
				}
			}
			got := map[common.Address]*big.Int{}
			for base := range c.Total {
				got[base] = c.Total[base]
			}
			for base := range sum {
				paid := new(big.Int).Sub(work.get(base, sink), m.led.get(base, sink))
				total := got[base]
				if total == nil {
					total = new(big.Int)
				}
				if total.Cmp(paid) != 0 {
					t.Fatalf("graph %d, %s: total %s of %s, brute force %s\n%s", gi, x.Hex(), total, base.Hex(), paid, m.dump())
				}
				if total.Cmp(sum[base]) < 0 {
					shared++
				}
				delete(got, base)
			}
			if len(got) != 0 {
				t.Fatalf("graph %d, %s: totals for assets never reached: %v", gi, x.Hex(), got)
			}
		}
		// Exposure: every person keeps redeeming one layer at a time until nothing moves.
		for _, r := range m.order {
			work := m.led.clone()
			for moved := true; moved; {
				moved = false
				for _, n := range m.order {
					if !m.above(n, r) {
						continue
					}
					asset := m.assetOf[n]
					for p, bal := range work[n] {
						if m.isReserve(p) || bal.Sign() <= 0 {
							continue
						}
						a := minBig(bal, work.get(asset, n))
						if a.Sign() == 0 {
							continue
						}
						a = new(big.Int).Set(a)
						work.add(n, p, new(big.Int).Neg(a))
						work.add(asset, n, new(big.Int).Neg(a))
						work.add(asset, p, a)
						moved = true
					}
				}
			}
			want := new(big.Int).Sub(m.backingOf(m.led, r), m.backingOf(work, r))
			if got := Exposure(g, r); got.Cmp(want) != 0 {
				t.Fatalf("graph %d: exposure of %s = %s, brute force %s\n%s", gi, r.Hex(), got, want, m.dump())
			}
		}
	}
	if layered < 100 || shared < 10 {
		t.Fatalf("the random graphs exercise too little: %d layered lines, %d shared totals", layered, shared)
	}
	t.Logf("400 graphs: %d layered lines, %d holders whose lines share a layer", layered, shared)
}

func (m *model) dump() string {
	var b strings.Builder
	for _, r := range m.order {
		fmt.Fprintf(&b, "reserve %s issuer %s asset %s backing %s\n", r.Hex()[36:], m.issuer[r].Hex()[36:], m.assetOf[r].Hex()[36:], m.backingOf(m.led, r))
		for a, v := range m.led[r] {
			fmt.Fprintf(&b, "  %s holds %s\n", a.Hex()[36:], v)
		}
	}
	return b.String()
}

func TestCreditText(t *testing.T) {
	infos := map[common.Address]chain.ReserveInfo{}
	tusd := trustbot.Token{Address: common.HexToAddress("0x75d0"), Symbol: "tUSD", Decimals: 6}
	alice, bob, carol := common.HexToAddress("0xa1"), common.HexToAddress("0xb0"), common.HexToAddress("0xca")
	resA, resB := common.HexToAddress("0x1a"), common.HexToAddress("0x1b")
	u := func(v int64) *big.Int { return new(big.Int).Mul(big.NewInt(v), big.NewInt(1_000_000)) }
	infos[resA] = chain.ReserveInfo{Address: resA, Issuer: alice, Asset: tusd.Address, Symbol: "ALICE-tUSD", Decimals: 6, Reserve: u(300), AssetToken: tusd, Exists: true}
	infos[resB] = chain.ReserveInfo{Address: resB, Issuer: bob, Asset: resA, Symbol: "BOB-ALICE-tUSD", Decimals: 6, Reserve: u(10), Layered: true,
		AssetToken: trustbot.Token{Address: resA, Symbol: "ALICE-tUSD", Decimals: 6}, Exists: true}
	g := CreditGraph{
		Reserves: []CreditReserve{{Address: resA, Issuer: alice, Asset: tusd.Address, Backing: u(300)}, {Address: resB, Issuer: bob, Asset: resA, Backing: u(10)}},
		Balances: map[common.Address]map[common.Address]*big.Int{resA: {resB: u(10), carol: u(5), bob: u(105)}, resB: {carol: u(20)}},
	}
	name := func(a common.Address) string {
		return map[common.Address]string{alice: "@alice", bob: "@bob", carol: "@carol"}[a]
	}
	base := func(common.Address) trustbot.Token { return tusd }
	got := creditText("@carol", false, ComputeCredit(g)[carol], nil, infos, name, base)
	want := "@carol can redeem 15 tUSD now: 5 from @alice directly, 10 through @bob's reserve (bounded by the 10 ALICE-tUSD in @bob's reserve).\n" +
		"```\n" +
		"token           held  now  layers\n" +
		"ALICE-tUSD      5     5    ALICE-tUSD → tUSD\n" +
		"BOB-ALICE-tUSD  20    10   BOB-ALICE-tUSD → ALICE-tUSD → tUSD\n" +
		"```"
	if got != want {
		t.Errorf("credit text:\n%s\nwant:\n%s", got, want)
	}
	exp := []creditExposure{{Reserve: infos[resA], Exposure: Exposure(g, resA), Backing: u(300)}}
	got = creditText("@alice", true, ComputeCredit(g)[alice], exp, infos, name, base)
	want = "@alice holds no trust tokens, so there is nothing to redeem.\n" +
		"Your reserve's exposure: 120 tUSD if everyone downstream redeemed (backing 300)."
	if got != want {
		t.Errorf("exposure text:\n%s\nwant:\n%s", got, want)
	}
}
