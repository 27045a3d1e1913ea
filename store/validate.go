package store

import (
	"math"
	"math/big"
	"strings"
)

// maxUint256 is 2^256 − 1, the largest amount a call value may carry.
var maxUint256 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// normAddress returns s as a lowercase 0x address, or false when s is not
// 0x followed by 40 hex digits (in any case).
func normAddress(s string) (string, bool) {
	if len(s) != 42 || (s[:2] != "0x" && s[:2] != "0X") || !isHex(s[2:]) {
		return "", false
	}
	return "0x" + strings.ToLower(s[2:]), true
}

// normHash returns s as a lowercase 0x 32-byte hash, or false.
func normHash(s string) (string, bool) {
	if len(s) != 66 || (s[:2] != "0x" && s[:2] != "0X") || !isHex(s[2:]) {
		return "", false
	}
	return "0x" + strings.ToLower(s[2:]), true
}

// normData returns s as lowercase 0x hex bytes ("0x" alone is empty data),
// or false.
func normData(s string) (string, bool) {
	if len(s) < 2 || (s[:2] != "0x" && s[:2] != "0X") || len(s)%2 != 0 || !isHex(s[2:]) {
		return "", false
	}
	return "0x" + strings.ToLower(s[2:]), true
}

// normUint256 returns s as a canonical decimal string of an unsigned 256-bit
// integer ("" means 0), or false.
func normUint256(s string) (string, bool) {
	if s == "" {
		return "0", true
	}
	if len(s) > 78 {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", false
		}
	}
	n, ok := new(big.Int).SetString(s, 10)
	if !ok || n.Cmp(maxUint256) > 0 {
		return "", false
	}
	return n.String(), true
}

// fitsInt64 reports whether an unsigned value can be stored in an SQLite
// INTEGER.
func fitsInt64(v uint64) bool {
	return v <= math.MaxInt64
}

// isRequestID reports whether s looks like a signing-request id: base64url
// without padding, 16 to 128 characters (128 random bits make 22).
func isRequestID(s string) bool {
	if len(s) < 16 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// isSIWENonce reports whether s is a valid EIP-4361 nonce: at least eight
// alphanumeric characters (capped at 128 here).
func isSIWENonce(s string) bool {
	if len(s) < 8 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}
