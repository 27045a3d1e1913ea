package store

import (
	"math"
	"strings"
)

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
