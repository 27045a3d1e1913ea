package trustbot_test

import (
	"math/big"
	"strings"
	"testing"

	"github.com/trustbot/trustbot"
)

func TestParseAmount(t *testing.T) {
	for _, tc := range []struct {
		in       string
		decimals uint8
		want     string // units, or "" when an error is expected
		errHas   string
	}{
		{"50", 6, "50000000", ""},
		{"12.5", 6, "12500000", ""},
		{"0.000001", 6, "1", ""},
		{"0.1", 18, "100000000000000000", ""},
		{" 7 ", 6, "7000000", ""},
		{".5", 6, "500000", ""},
		{"5.", 6, "5000000", ""},
		{"12.3400", 6, "12340000", ""},
		{"0", 6, "", "more than zero"},
		{"0.0000", 6, "", "more than zero"},
		{"-5", 6, "", "negative"},
		{"-0", 6, "", "The amount must be more than zero."},
		{"-0.000", 6, "", "The amount must be more than zero."},
		{"-abc", 6, "", "not an amount"},
		{"--5", 6, "", "not an amount"},
		{"+5", 6, "", "not an amount"},
		{"-1,000", 6, "", "not an amount"},
		{"-12.3456789", 6, "", "6 decimals"},
		{"1_000", 6, "", `"1_000" is not an amount: write 1000, with no separators.`},
		{"1,000", 6, "", `"1,000" is not an amount: write 1000, with no separators.`},
		{"1,000,000.5", 6, "", "write 1000000.5, with no separators."},
		{"1__0", 6, "", `"1__0" is not an amount: write a plain decimal number`},
		{"_5", 6, "", `"_5" is not an amount: write a plain decimal number`},
		{"5_", 6, "", "write a plain decimal number"},
		{"1,00", 6, "", "write 1.00, with no separators."},
		{"1234,567", 6, "", "write a plain decimal number"},
		{"1e3", 6, "", "not an amount"},
		{"12.3456789", 6, "", "6 decimals"},
		{"abc", 6, "", "not an amount"},
		{"NaN", 6, "", "not an amount"},
		{"Inf", 6, "", "not an amount"},
		{"0x10", 6, "", "not an amount"},
		{"1.2.3", 6, "", "not an amount"},
		{"1,5", 6, "", `"1,5" is not an amount: write 1.5, with no separators.`},
		{"", 6, "", "Give an amount"},
		{".", 6, "", "not an amount"},
		{strings.Repeat("9", 80), 6, "", "far larger"},
		{"340282366920938463463.374607431768211455", 18, "340282366920938463463374607431768211455", ""},
		{"340282366920938463463.374607431768211456", 18, "", "larger than any amount"},
		{"1.5", 0, "", "no decimals"},
	} {
		got, err := trustbot.ParseAmount(tc.in, tc.decimals, "tUSD")
		if tc.want != "" {
			if err != nil || got.String() != tc.want {
				t.Errorf("ParseAmount(%q, %d) = %v, %v; want %s", tc.in, tc.decimals, got, err, tc.want)
			}
			continue
		}
		if err == nil {
			t.Errorf("ParseAmount(%q, %d) = %v; want an error containing %q", tc.in, tc.decimals, got, tc.errHas)
			continue
		}
		if msg := trustbot.ErrorMessage(err); !strings.Contains(msg, tc.errHas) || trustbot.ErrorCode(err) != trustbot.EInvalid {
			t.Errorf("ParseAmount(%q) error = %q (%s); want an invalid-input message containing %q", tc.in, msg, trustbot.ErrorCode(err), tc.errHas)
		}
	}
}

func TestFormatAmount(t *testing.T) {
	for _, tc := range []struct {
		units    string
		decimals uint8
		want     string
	}{
		{"12500000", 6, "12.5"},
		{"1", 6, "0.000001"},
		{"50000000", 6, "50"},
		{"0", 6, "0"},
		{"-2500000", 6, "-2.5"},
		{"123", 0, "123"},
		{"1000000000000000000", 18, "1"},
	} {
		u, _ := new(big.Int).SetString(tc.units, 10)
		if got := trustbot.FormatAmount(u, tc.decimals); got != tc.want {
			t.Errorf("FormatAmount(%s, %d) = %q, want %q", tc.units, tc.decimals, got, tc.want)
		}
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"50", "12.5", "0.000001", "-5", "1e3", "NaN", "", "1.2.3", strings.Repeat("9", 90)} {
		f.Add(s, uint8(6))
	}
	f.Fuzz(func(t *testing.T, s string, decimals uint8) {
		decimals %= 37
		v, err := trustbot.ParseAmount(s, decimals, "X")
		if err != nil {
			if trustbot.ErrorCode(err) != trustbot.EInvalid {
				t.Fatalf("ParseAmount(%q) error code %s, want invalid", s, trustbot.ErrorCode(err))
			}
			return
		}
		if v.Sign() <= 0 {
			t.Fatalf("ParseAmount(%q) = %s, want > 0", s, v)
		}
		// Formatting and parsing again gives the same units.
		back, err := trustbot.ParseAmount(trustbot.FormatAmount(v, decimals), decimals, "X")
		if err != nil || back.Cmp(v) != 0 {
			t.Fatalf("round trip of %q: %v, %v; want %s", s, back, err, v)
		}
	})
}
