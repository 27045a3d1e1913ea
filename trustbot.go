// Package trustbot holds what every layer of the bot shares: the error type users see.
package trustbot

import (
	"errors"
	"fmt"
)

// Error codes. A code says what kind of failure happened; the message says it to the user.
const (
	EInvalid     = "invalid"     // bad input: malformed amount, unknown member, wrong option
	ENotFound    = "not_found"   // no such wallet link, reserve, request
	EConflict    = "conflict"    // already linked, already used, already exists
	EExpired     = "expired"     // a link or nonce past its time
	EForbidden   = "forbidden"   // not yours, not allowed
	EUnavailable = "unavailable" // the chain or Discord cannot be reached right now
	EReverted    = "reverted"    // the chain would refuse (pre-flight) or refused the transaction
	EInternal    = "internal"    // a bug or an unexpected failure; details are logged, not shown
)

// Error is an error with a code and a message meant for the user. Anything else that reaches a
// user is shown as a generic sentence; its details only go to the log.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("trustbot %s: %s", e.Code, e.Message) }

// Errorf makes an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode is the code of the first *Error in err's chain, EInternal for any other error, and ""
// for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EInternal
	}
}

// ErrorMessage is the user-facing message of err: the *Error's message, or a generic sentence.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	default:
		return "Something went wrong on our side; nothing was changed. Please try again."
	}
}
