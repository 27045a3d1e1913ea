package console

import "testing"

// TestPlain: a reply's code fences, which Discord draws as a fixed-width block, are not printed
// in the terminal; the block's lines are.
func TestPlain(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"@dave can redeem 10 tUSD now:\n```\nreserve  holds\n@carol   10\n```", "@dave can redeem 10 tUSD now:\nreserve  holds\n@carol   10"},
		{"no fences here", "no fences here"},
		{"a ``` inside a line stays", "a ``` inside a line stays"},
	} {
		if got := plain(tc.in); got != tc.want {
			t.Errorf("plain(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}
