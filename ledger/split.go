// Package ledger is the trip ledger's arithmetic: reading a split, dividing an entry's amount
// into shares, members' balances, the settle plan with the fewest transfers, and the CSV export.
// It keeps no state and does no I/O beyond the writers it is handed.
package ledger

import (
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/trustbot/trustbot"
)

// MaxSplitMembers is the most members one split can name.
const MaxSplitMembers = 100

// MaxWeight is the largest weight a split takes (@bob:1000000).
const MaxWeight = 1_000_000

// ParseSplit reads the split: option. Members are separated by spaces or commas; each is NAME
// (weight 1), NAME:W (a whole weight from 1 to MaxWeight) or NAME=AMOUNT (an exact amount of t).
// NAME is handed to resolve as typed ("@bob", "<@123>"); its error is returned unchanged.
func ParseSplit(text string, t trustbot.Token, resolve func(name string) (trustbot.Member, error)) ([]trustbot.SplitPart, error) {
	tokens := splitTokens(text)
	if len(tokens) == 0 {
		return nil, trustbot.Errorf(trustbot.EInvalid, `The split is empty: name who shared it, like split:"@alice @bob".`)
	}
	if len(tokens) > MaxSplitMembers {
		return nil, trustbot.Errorf(trustbot.EInvalid, "The split names %d members; at most %d can share one entry.", len(tokens), MaxSplitMembers)
	}
	parts := make([]trustbot.SplitPart, 0, len(tokens))
	typed := make(map[string]string, len(tokens)) // member id → the name that named it
	for _, tok := range tokens {
		name, value, sep := tok, "", byte(0)
		if i := strings.IndexAny(tok, ":="); i >= 0 {
			name, value, sep = tok[:i], tok[i+1:], tok[i]
		}
		if name == "" {
			return nil, trustbot.Errorf(trustbot.EInvalid, "%s names no member before the %c: write it like @bob%c%s.", tok, sep, sep, example(sep))
		}
		part := trustbot.SplitPart{Weight: 1}
		switch sep {
		case ':':
			w, ok := parseWeight(value)
			if !ok {
				return nil, trustbot.Errorf(trustbot.EInvalid, "%s — a weight is a whole number above 0, like %s:2.", tok, name)
			}
			if w > MaxWeight {
				return nil, trustbot.Errorf(trustbot.EInvalid, "%s — a weight is at most %d; smaller numbers in the same ratio split the same way.", tok, MaxWeight)
			}
			part.Weight = w
		case '=':
			v, err := trustbot.ParseAmount(value, t.Decimals, t.Symbol)
			if err != nil {
				return nil, trustbot.Errorf(trustbot.EInvalid, "%s — %s", tok, trustbot.ErrorMessage(err))
			}
			part.Weight, part.Exact = 0, v
		}
		m, err := resolve(name)
		if err != nil {
			return nil, err
		}
		if first, dup := typed[m.ID]; dup {
			if first == name {
				return nil, trustbot.Errorf(trustbot.EInvalid, "%s is in the split twice: name each member once.", name)
			}
			return nil, trustbot.Errorf(trustbot.EInvalid, "%s and %s are the same member: name each member once in the split.", first, name)
		}
		typed[m.ID] = name
		part.Member = m
		parts = append(parts, part)
	}
	return parts, nil
}

// splitTokens cuts a split into its members: at spaces, and at commas except one between two
// digits ("@bob=1,5"), which stays so that the amount's reader can answer it.
func splitTokens(text string) []string {
	var out []string
	for _, field := range strings.Fields(text) {
		start := 0
		for i := 0; i < len(field); i++ {
			if field[i] != ',' || (i > 0 && i+1 < len(field) && isDigit(field[i-1]) && isDigit(field[i+1])) {
				continue
			}
			if i > start {
				out = append(out, field[start:i])
			}
			start = i + 1
		}
		if start < len(field) {
			out = append(out, field[start:])
		}
	}
	return out
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// parseWeight reads a weight: digits only, above zero.
func parseWeight(s string) (int64, bool) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	w, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return MaxWeight + 1, true // all digits, beyond int64: too large, not malformed
	}
	return w, w > 0
}

func example(sep byte) string {
	if sep == '=' {
		return "30"
	}
	return "2"
}

// Mode is how parts divide an amount: SplitNone for no parts, SplitExact when every part is an
// exact amount, SplitMixed when some are, SplitWeighted when a weight is not 1, else SplitEqual.
func Mode(parts []trustbot.SplitPart) trustbot.SplitMode {
	if len(parts) == 0 {
		return trustbot.SplitNone
	}
	exact, weighted := 0, false
	for _, p := range parts {
		switch {
		case p.Exact != nil:
			exact++
		case p.Weight != 1:
			weighted = true
		}
	}
	switch {
	case exact == len(parts):
		return trustbot.SplitExact
	case exact > 0:
		return trustbot.SplitMixed
	case weighted:
		return trustbot.SplitWeighted
	default:
		return trustbot.SplitEqual
	}
}

// Shares divides total among parts, in parts' order: exact amounts first, the rest by weight
// with the largest-remainder method, so the shares sum to total exactly. Remainders that tie
// are broken by position among the weighted parts, starting at rotate modulo their number: an
// entry's rotate (its number, say) sends the leftover smallest units round the members in turn.
func Shares(total *big.Int, parts []trustbot.SplitPart, rotate int, t trustbot.Token) ([]trustbot.Share, error) {
	money := func(v *big.Int) string { return trustbot.Money(v, t.Decimals, t.Symbol) }
	if len(parts) == 0 {
		return nil, trustbot.Errorf(trustbot.EInvalid, "A split needs at least one member.")
	}
	if total == nil || total.Sign() <= 0 {
		return nil, trustbot.Errorf(trustbot.EInvalid, "The amount to split must be more than zero, not %s.", money(trustbot.OrZero(total)))
	}
	exactSum, weightSum := new(big.Int), new(big.Int)
	var weighted []int // indexes into parts
	for i, p := range parts {
		if p.Exact != nil {
			if p.Exact.Sign() <= 0 {
				return nil, trustbot.Errorf(trustbot.EInvalid, "%s's exact amount must be more than zero, not %s.", p.Member.Mention(), money(p.Exact))
			}
			exactSum.Add(exactSum, p.Exact)
			continue
		}
		if p.Weight <= 0 {
			return nil, trustbot.Errorf(trustbot.EInvalid, "%s's weight must be a whole number above 0, not %d.", p.Member.Mention(), p.Weight)
		}
		weighted = append(weighted, i)
		weightSum.Add(weightSum, big.NewInt(p.Weight))
	}
	gap := new(big.Int).Sub(total, exactSum)
	if len(weighted) == 0 {
		switch gap.Sign() {
		case 1:
			return nil, trustbot.Errorf(trustbot.EInvalid, "The exact amounts add up to %s, %s short of the %s spent.", money(exactSum), money(gap), money(total))
		case -1:
			return nil, trustbot.Errorf(trustbot.EInvalid, "The exact amounts add up to %s, %s more than the %s spent.", money(exactSum), money(gap.Neg(gap)), money(total))
		}
	} else if gap.Sign() <= 0 {
		names := make([]string, len(weighted))
		for j, i := range weighted {
			names[j] = parts[i].Member.Mention()
		}
		return nil, trustbot.Errorf(trustbot.EInvalid, "The exact amounts already make %s of %s; %s would consume nothing.", money(exactSum), money(total), list(names))
	}

	shares := make([]trustbot.Share, len(parts))
	for i, p := range parts {
		shares[i] = trustbot.Share{UserID: p.Member.ID, Amount: new(big.Int)}
		if p.Exact != nil {
			shares[i].Amount.Set(p.Exact)
		}
	}
	if len(weighted) == 0 {
		return shares, nil
	}
	k := len(weighted)
	rems := make([]*big.Int, k)
	given := new(big.Int)
	for j, i := range weighted {
		q, r := new(big.Int), new(big.Int)
		q.QuoRem(new(big.Int).Mul(gap, big.NewInt(parts[i].Weight)), weightSum, r)
		shares[i].Amount = q
		rems[j] = r
		given.Add(given, q)
	}
	left := int(new(big.Int).Sub(gap, given).Int64()) // below k: each quotient lost less than one unit
	rot := (rotate%k + k) % k
	order := make([]int, k)
	for j := range order {
		order[j] = j
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := rems[b].Cmp(rems[a]); c != 0 {
			return c
		}
		return (a-rot+k)%k - (b-rot+k)%k
	})
	for _, j := range order[:left] {
		shares[weighted[j]].Amount.Add(shares[weighted[j]].Amount, big.NewInt(1))
	}
	return shares, nil
}

// list joins names the way a sentence does: "a", "a and b", "a, b and c".
func list(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
