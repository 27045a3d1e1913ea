package trustbot

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common"
)

// maxAmount is the largest amount a reserve can hold for anyone: balances and budgets are uint128.
var maxAmount = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))

// ParseAmount reads a positive decimal amount typed by a user ("50", "12.5", "0.000001") as an
// exact number of the asset's smallest units. It never goes through a float: "0.1" is exactly
// 100000 units of a 6-decimal asset. The grammar is digits with at most one decimal point and a
// digit on at least one side of it ("50", "12.5", ".5", "5."), surrounding spaces ignored; no
// sign, exponent, underscore or thousands separator. The error is a sentence for the user.
func ParseAmount(text string, decimals uint8, symbol string) (*big.Int, error) {
	s := strings.TrimSpace(text)
	if s == "" {
		return nil, Errorf(EInvalid, "Give an amount, like 50 or 12.5.")
	}
	bad := func() error {
		return Errorf(EInvalid, "%q is not an amount: write a plain decimal number like 50 or 12.5.", text)
	}
	// A minus is read so that "-5" is answered as negative and "-0" as zero; it is never accepted.
	s, neg := strings.CutPrefix(s, "-")
	if strings.ContainsAny(s, "_,") {
		if plain, ok := plainDigits(s); ok && !neg {
			return nil, Errorf(EInvalid, "%q is not an amount: write %s, with no separators.", text, plain)
		}
		return nil, bad()
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if hasDot && strings.Contains(frac, ".") {
		return nil, bad()
	}
	if whole == "" && frac == "" {
		return nil, bad()
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return nil, bad()
			}
		}
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > int(decimals) {
		if decimals == 0 {
			return nil, Errorf(EInvalid, "%s has no decimals: give a whole number, not %q.", symbol, text)
		}
		return nil, Errorf(EInvalid, "%s has %d decimals: %q has too many digits after the point.", symbol, decimals, text)
	}
	digits := strings.TrimLeft(whole+frac+strings.Repeat("0", int(decimals)-len(frac)), "0")
	if len(digits) > 78 { // beyond any uint256: stop before big.Int does needless work
		return nil, Errorf(EInvalid, "%q is far larger than any amount a reserve can hold.", text)
	}
	v, ok := new(big.Int).SetString("0"+digits, 10)
	if !ok {
		return nil, bad()
	}
	if v.Sign() == 0 {
		return nil, Errorf(EInvalid, "The amount must be more than zero.")
	}
	if neg {
		return nil, Errorf(EInvalid, "The amount must be more than zero; %q is negative.", text)
	}
	if v.Cmp(maxAmount) > 0 {
		return nil, Errorf(EInvalid, "%s %s is larger than any amount a reserve can hold.", text, symbol)
	}
	return v, nil
}

// plainDigits is what a user who typed digits grouped with separators meant: "1,000" and
// "1_000" are 1000 (groups of three after the first), "1,5" is 1.5 (a decimal comma). ok is
// false for anything else ("1__0", "_5", "1,2,3").
func plainDigits(s string) (string, bool) {
	digits := func(p string) bool {
		if p == "" {
			return false
		}
		for _, r := range p {
			if r < '0' || r > '9' {
				return false
			}
		}
		return true
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if hasDot && !digits(frac) {
		return "", false
	}
	for _, sep := range []string{",", "_"} {
		groups := strings.Split(whole, sep)
		if len(groups) < 2 {
			continue
		}
		if sep == "," && !hasDot && len(groups) == 2 && digits(groups[0]) && digits(groups[1]) && len(groups[1]) != 3 {
			return groups[0] + "." + groups[1], true
		}
		if !digits(groups[0]) || len(groups[0]) > 3 {
			return "", false
		}
		for _, g := range groups[1:] {
			if len(g) != 3 || !digits(g) {
				return "", false
			}
		}
		out := strings.Join(groups, "")
		if hasDot {
			out += "." + frac
		}
		return out, true
	}
	return "", false
}

// FormatAmount writes units of an asset with `decimals` decimals as a plain decimal string with
// no trailing zeros: 12500000 units of a 6-decimal asset is "12.5".
func FormatAmount(units *big.Int, decimals uint8) string {
	if units == nil {
		return "0"
	}
	neg := units.Sign() < 0
	s := new(big.Int).Abs(units).String()
	if decimals > 0 {
		if len(s) <= int(decimals) {
			s = strings.Repeat("0", int(decimals)-len(s)+1) + s
		}
		whole, frac := s[:len(s)-int(decimals)], strings.TrimRight(s[len(s)-int(decimals):], "0")
		s = whole
		if frac != "" {
			s += "." + frac
		}
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Money writes an amount with its symbol: "12.5 tUSD".
func Money(units *big.Int, decimals uint8, symbol string) string {
	return fmt.Sprintf("%s %s", FormatAmount(units, decimals), symbol)
}

// maxUint256 is type(uint256).max; never handed out (MaxUint256 copies it).
var maxUint256 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))

// MaxUint256 is type(uint256).max, a new value each call: a revoke of everything, the largest
// call value.
func MaxUint256() *big.Int { return new(big.Int).Set(maxUint256) }

// OrZero is v, or a new zero for nil.
func OrZero(v *big.Int) *big.Int {
	if v == nil {
		return new(big.Int)
	}
	return v
}

// Token is an ERC-20 token, or the native coin (zero address), as the bot names it.
type Token struct {
	Address  common.Address // zero for the native coin
	Symbol   string
	Decimals uint8
}

// Native reports whether the token is the chain's native coin.
func (t Token) Native() bool { return t.Address == (common.Address{}) }

// Amount is an exact quantity of a token in its smallest units.
type Amount struct {
	Units *big.Int
	Token Token
}

// Amt makes an Amount.
func Amt(units *big.Int, t Token) Amount { return Amount{Units: OrZero(units), Token: t} }

// String writes the amount with its symbol: "12.5 tUSD".
func (a Amount) String() string { return Money(a.Units, a.Token.Decimals, a.Token.Symbol) }

// Figure writes the amount without its symbol: "12.5".
func (a Amount) Figure() string { return FormatAmount(a.Units, a.Token.Decimals) }

// ParseAmountOf reads a typed amount of t (see ParseAmount).
func ParseAmountOf(text string, t Token) (Amount, error) {
	v, err := ParseAmount(text, t.Decimals, t.Symbol)
	if err != nil {
		return Amount{}, err
	}
	return Amount{Units: v, Token: t}, nil
}

// ShortAddress writes an address as wallets do: 0xAbCd…1234, checksummed.
func ShortAddress(a common.Address) string {
	h := a.Hex()
	return h[:6] + "…" + h[len(h)-4:]
}

// ShortID is the part of a bearer secret (a signing request id, a sign-in nonce) that is safe
// to log: its first 6 characters.
func ShortID(id string) string {
	if len(id) > 6 {
		return id[:6]
	}
	return id
}
