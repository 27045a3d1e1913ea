package ledger

import (
	"cmp"
	"encoding/binary"
	"math/big"
	"math/bits"
	"slices"

	"github.com/trustbot/trustbot"
)

// MaxExact is the most members with a non-zero net that Plan settles with the proven minimum
// number of transfers; beyond it Plan settles greedily.
const MaxExact = 16

// Plan is a settle plan for nets (user id → net in the asset's smallest units; positive: is
// owed, negative: owes), which must sum to zero; zero nets are left out. With at most MaxExact
// non-zero nets it uses the fewest transfers there are, and exact is true: it splits the members
// into as many groups that sum to zero as it can (each group of m members settles in m−1
// transfers, and no plan does better than members − groups). With more it pays the largest
// debt to the largest credit until all are settled, and exact is false. From is the debtor,
// To the creditor, Asset is left zero; payments are ordered by From, then To.
func Plan(nets map[string]*big.Int) (payments []trustbot.Payment, exact bool, err error) {
	ids := make([]string, 0, len(nets))
	sum := new(big.Int)
	for id, v := range nets {
		if v == nil || v.Sign() == 0 {
			continue
		}
		ids = append(ids, id)
		sum.Add(sum, v)
	}
	if sum.Sign() != 0 {
		return nil, false, trustbot.Errorf(trustbot.EInternal, "The balances add up to %s smallest units, not zero: the ledger does not balance.", sum)
	}
	slices.Sort(ids)
	vals := make([]*big.Int, len(ids))
	for i, id := range ids {
		vals[i] = nets[id]
	}
	if len(ids) > MaxExact {
		payments = greedy(ids, vals)
	} else {
		exact = true
		for _, g := range zeroSumGroups(vals) {
			var gids []string
			var gvals []*big.Int
			for m := g; m != 0; m &= m - 1 {
				i := bits.TrailingZeros32(m)
				gids, gvals = append(gids, ids[i]), append(gvals, vals[i])
			}
			payments = append(payments, greedy(gids, gvals)...)
		}
	}
	slices.SortFunc(payments, func(a, b trustbot.Payment) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	return payments, exact, nil
}

// greedy settles vals (summing to zero) by paying the largest debt to the largest credit, ties
// to the lower index, until nothing is owed. Each payment settles at least one member in full
// and the last settles two, so m members take at most m−1 payments.
func greedy(ids []string, vals []*big.Int) []trustbot.Payment {
	bal := make([]*big.Int, len(vals))
	for i, v := range vals {
		bal[i] = new(big.Int).Set(v)
	}
	var out []trustbot.Payment
	for {
		d, c := -1, -1
		for i, v := range bal {
			switch v.Sign() {
			case -1:
				if d < 0 || v.Cmp(bal[d]) < 0 {
					d = i
				}
			case 1:
				if c < 0 || v.Cmp(bal[c]) > 0 {
					c = i
				}
			}
		}
		if d < 0 || c < 0 {
			return out
		}
		amount := new(big.Int).Neg(bal[d])
		if bal[c].Cmp(amount) < 0 {
			amount.Set(bal[c])
		}
		bal[d].Add(bal[d], amount)
		bal[c].Sub(bal[c], amount)
		out = append(out, trustbot.Payment{From: ids[d], To: ids[c], Amount: amount})
	}
}

// zeroSumGroups splits the indexes of vals (at most MaxExact non-zero values summing to zero)
// into the largest number of disjoint groups each summing to zero, as bit masks. dp[mask] is the
// most zero-sum prefixes an ordering of mask's members can have; the groups are the steps
// between consecutive zero-sum prefixes of the best ordering of everyone.
func zeroSumGroups(vals []*big.Int) []uint32 {
	n := len(vals)
	if n == 0 {
		return nil
	}
	zero := zeroSums(vals, limbsFor(vals))
	full := uint32(1)<<n - 1
	dp := make([]int8, full+1)
	for mask := uint32(1); mask <= full; mask++ {
		best := int8(-1)
		for m := mask; m != 0; m &= m - 1 {
			if v := dp[mask&^(1<<bits.TrailingZeros32(m))]; v > best {
				best = v
			}
		}
		if zero[mask] {
			best++
		}
		dp[mask] = best
	}
	var groups []uint32
	group := uint32(0)
	for mask := full; mask != 0; {
		if zero[mask] && group != 0 {
			groups = append(groups, group)
			group = 0
		}
		want := dp[mask]
		if zero[mask] {
			want--
		}
		for m := mask; m != 0; m &= m - 1 {
			bit := uint32(1) << bits.TrailingZeros32(m)
			if dp[mask&^bit] == want {
				group |= bit
				mask &^= bit
				break
			}
		}
	}
	return append(groups, group)
}

// limbsFor is how many 64-bit words hold any subset sum of vals in two's complement: each value
// is below 2^b in size, so a sum of n of them is below 2^(b+len(n)), which a sign bit more holds.
func limbsFor(vals []*big.Int) int {
	b := 0
	for _, v := range vals {
		b = max(b, v.BitLen())
	}
	return (b + bits.Len(uint(len(vals))) + 1 + 63) / 64
}

// zeroSums reports, for every subset mask of vals, whether its values sum to zero. The sums are
// kept in two's complement over limbs 64-bit words each; limbs must be at least limbsFor(vals),
// so no sum overflows and zero words mean a zero sum. One word, the common case, is plain int64.
func zeroSums(vals []*big.Int, limbs int) []bool {
	n := len(vals)
	size := 1 << n
	zero := make([]bool, size)
	zero[0] = true
	if limbs == 1 {
		v := make([]int64, n)
		for i, x := range vals {
			v[i] = x.Int64()
		}
		sums := make([]int64, size)
		for mask := 1; mask < size; mask++ {
			sums[mask] = sums[mask&(mask-1)] + v[bits.TrailingZeros(uint(mask))]
			zero[mask] = sums[mask] == 0
		}
		return zero
	}
	v := make([]uint64, n*limbs)
	for i, x := range vals {
		twos(v[i*limbs:(i+1)*limbs], x)
	}
	sums := make([]uint64, size*limbs)
	for mask := 1; mask < size; mask++ {
		prev := sums[(mask&(mask-1))*limbs:]
		add := v[bits.TrailingZeros(uint(mask))*limbs:]
		dst := sums[mask*limbs : (mask+1)*limbs]
		var carry, any uint64
		for k := range dst {
			dst[k], carry = bits.Add64(prev[k], add[k], carry)
			any |= dst[k]
		}
		zero[mask] = any == 0
	}
	return zero
}

// twos writes x into dst as a little-endian two's complement number of len(dst) words; x must fit.
func twos(dst []uint64, x *big.Int) {
	buf := new(big.Int).Abs(x).FillBytes(make([]byte, 8*len(dst)))
	for k := range dst {
		dst[k] = binary.BigEndian.Uint64(buf[8*(len(dst)-1-k):])
	}
	if x.Sign() < 0 {
		carry := uint64(1)
		for k := range dst {
			dst[k], carry = bits.Add64(^dst[k], 0, carry)
		}
	}
}
