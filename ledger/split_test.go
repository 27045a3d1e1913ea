package ledger_test

import (
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/ledger"
)

var tUSD = trustbot.Token{Symbol: "tUSD", Decimals: 6}

var (
	alice = trustbot.Member{ID: "1", Name: "alice"}
	bob   = trustbot.Member{ID: "2", Name: "bob"}
	carol = trustbot.Member{ID: "3", Name: "carol"}
	dave  = trustbot.Member{ID: "4", Name: "dave"}
)

// resolve knows the four members by @name and by Discord mention, and many more as @mN.
func resolve(name string) (trustbot.Member, error) {
	for _, m := range []trustbot.Member{alice, bob, carol, dave} {
		if name == "@"+m.Name || name == m.Mention() {
			return m, nil
		}
	}
	if n, ok := strings.CutPrefix(name, "@m"); ok {
		return trustbot.Member{ID: "m" + n, Name: "m" + n}, nil
	}
	return trustbot.Member{}, trustbot.Errorf(trustbot.ENotFound, "%s is not in this trip.", name)
}

func units(s string) *big.Int {
	v, err := trustbot.ParseAmount(s, tUSD.Decimals, tUSD.Symbol)
	if err != nil {
		panic(err)
	}
	return v
}

func partsString(parts []trustbot.SplitPart) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(' ')
		}
		if p.Exact != nil {
			fmt.Fprintf(&b, "%s=%s", p.Member.ID, p.Exact)
		} else {
			fmt.Fprintf(&b, "%s:%d", p.Member.ID, p.Weight)
		}
	}
	return b.String()
}

func TestParseSplit(t *testing.T) {
	tests := []struct {
		text string
		want string // member id:weight or id=units
		mode trustbot.SplitMode
	}{
		{"@alice @bob @carol", "1:1 2:1 3:1", trustbot.SplitEqual},
		{"@alice, @bob,@carol", "1:1 2:1 3:1", trustbot.SplitEqual},
		{"  @alice\t@bob  ", "1:1 2:1", trustbot.SplitEqual},
		{"@alice:2 @bob", "1:2 2:1", trustbot.SplitWeighted},
		{"@alice:1 @bob:1", "1:1 2:1", trustbot.SplitEqual},
		{"<@1>:3 <@2>", "1:3 2:1", trustbot.SplitWeighted},
		{"@alice=30 @bob=12.5", "1=30000000 2=12500000", trustbot.SplitExact},
		{"@alice=30,@bob", "1=30000000 2:1", trustbot.SplitMixed},
		{"@alice:1000000", "1:1000000", trustbot.SplitWeighted},
		{"@alice:007", "1:7", trustbot.SplitWeighted},
		{"@bob=0.000001", "2=1", trustbot.SplitExact},
	}
	for _, tt := range tests {
		parts, err := ledger.ParseSplit(tt.text, tUSD, resolve)
		if err != nil {
			t.Errorf("ParseSplit(%q): got error %v, want %s", tt.text, err, tt.want)
			continue
		}
		if got := partsString(parts); got != tt.want {
			t.Errorf("ParseSplit(%q): got %s, want %s", tt.text, got, tt.want)
		}
		if got := ledger.Mode(parts); got != tt.mode {
			t.Errorf("Mode(ParseSplit(%q)): got %s, want %s", tt.text, got, tt.mode)
		}
	}
}

func TestParseSplitErrors(t *testing.T) {
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("@m%d", i)
	}
	tests := []struct {
		text string
		code string
		want string // the message, in full
	}{
		{"", trustbot.EInvalid, `The split is empty: name who shared it, like split:"@alice @bob".`},
		{" , ,", trustbot.EInvalid, `The split is empty: name who shared it, like split:"@alice @bob".`},
		{"@bob:x", trustbot.EInvalid, "@bob:x — a weight is a whole number above 0, like @bob:2."},
		{"@bob:0", trustbot.EInvalid, "@bob:0 — a weight is a whole number above 0, like @bob:2."},
		{"@bob:-2", trustbot.EInvalid, "@bob:-2 — a weight is a whole number above 0, like @bob:2."},
		{"@bob:+2", trustbot.EInvalid, "@bob:+2 — a weight is a whole number above 0, like @bob:2."},
		{"@bob:1.5", trustbot.EInvalid, "@bob:1.5 — a weight is a whole number above 0, like @bob:2."},
		{"@bob:", trustbot.EInvalid, "@bob: — a weight is a whole number above 0, like @bob:2."},
		{"@bob:1000001", trustbot.EInvalid, "@bob:1000001 — a weight is at most 1000000; smaller numbers in the same ratio split the same way."},
		{"@bob:99999999999999999999999", trustbot.EInvalid, "@bob:99999999999999999999999 — a weight is at most 1000000; smaller numbers in the same ratio split the same way."},
		{"@bob=x", trustbot.EInvalid, `@bob=x — "x" is not an amount: write a plain decimal number like 50 or 12.5.`},
		{"@bob=0", trustbot.EInvalid, "@bob=0 — The amount must be more than zero."},
		{"@bob=-5", trustbot.EInvalid, `@bob=-5 — The amount must be more than zero; "-5" is negative.`},
		{"@bob=1.0000001", trustbot.EInvalid, `@bob=1.0000001 — tUSD has 6 decimals: "1.0000001" has too many digits after the point.`},
		{"@bob=1,000", trustbot.EInvalid, `@bob=1,000 — "1,000" is not an amount: write 1000, with no separators.`},
		{"@bob=", trustbot.EInvalid, "@bob= — Give an amount, like 50 or 12.5."},
		{":2", trustbot.EInvalid, ":2 names no member before the :: write it like @bob:2."},
		{"=30", trustbot.EInvalid, "=30 names no member before the =: write it like @bob=30."},
		{"@alice @bob @alice", trustbot.EInvalid, "@alice is in the split twice: name each member once."},
		{"@bob <@2>:2", trustbot.EInvalid, "@bob and <@2> are the same member: name each member once in the split."},
		{strings.Join(many, " "), trustbot.EInvalid, "The split names 101 members; at most 100 can share one entry."},
		{"@alice @zed", trustbot.ENotFound, "@zed is not in this trip."},
	}
	for _, tt := range tests {
		parts, err := ledger.ParseSplit(tt.text, tUSD, resolve)
		if err == nil {
			t.Errorf("ParseSplit(%q): got %s, want error %q", tt.text, partsString(parts), tt.want)
			continue
		}
		if code, msg := trustbot.ErrorCode(err), trustbot.ErrorMessage(err); code != tt.code || msg != tt.want {
			t.Errorf("ParseSplit(%q): got %s %q, want %s %q", tt.text, code, msg, tt.code, tt.want)
		}
	}
	if _, err := ledger.ParseSplit(strings.Join(many[:100], " "), tUSD, resolve); err != nil {
		t.Errorf("ParseSplit of 100 members: got %v, want no error", err)
	}
}

func TestParseSplitReturnsResolveErrorUnchanged(t *testing.T) {
	want := fmt.Errorf("lookup failed")
	_, err := ledger.ParseSplit("@bob", tUSD, func(string) (trustbot.Member, error) { return trustbot.Member{}, want })
	if err != want {
		t.Errorf("got %v, want the resolver's own error %v", err, want)
	}
}

func TestMode(t *testing.T) {
	w := func(m trustbot.Member, weight int64) trustbot.SplitPart {
		return trustbot.SplitPart{Member: m, Weight: weight}
	}
	x := func(m trustbot.Member, v int64) trustbot.SplitPart {
		return trustbot.SplitPart{Member: m, Exact: big.NewInt(v)}
	}
	tests := []struct {
		parts []trustbot.SplitPart
		want  trustbot.SplitMode
	}{
		{nil, trustbot.SplitNone},
		{[]trustbot.SplitPart{w(alice, 1)}, trustbot.SplitEqual},
		{[]trustbot.SplitPart{w(alice, 1), w(bob, 1)}, trustbot.SplitEqual},
		{[]trustbot.SplitPart{w(alice, 2), w(bob, 1)}, trustbot.SplitWeighted},
		{[]trustbot.SplitPart{x(alice, 2), x(bob, 1)}, trustbot.SplitExact},
		{[]trustbot.SplitPart{x(alice, 2), w(bob, 1)}, trustbot.SplitMixed},
		{[]trustbot.SplitPart{x(alice, 2), w(bob, 3)}, trustbot.SplitMixed},
	}
	for _, tt := range tests {
		if got := ledger.Mode(tt.parts); got != tt.want {
			t.Errorf("Mode(%s): got %s, want %s", partsString(tt.parts), got, tt.want)
		}
	}
}
