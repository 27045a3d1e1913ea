package store

import "github.com/trustbot/trustbot"

// Error codes: the shared ones of package trustbot. The Message of an *Error is the sentence a
// user may see; internal failures are ordinary wrapped errors and map to EINTERNAL.
const (
	ECONFLICT  = trustbot.EConflict  // the action clashes with the current state
	EEXPIRED   = trustbot.EExpired   // a nonce or signing request is past its expiry
	EFORBIDDEN = trustbot.EForbidden // the caller does not own the object
	EINTERNAL  = trustbot.EInternal  // anything else: a bug or an I/O failure
	EINVALID   = trustbot.EInvalid   // the input is malformed
	ENOTFOUND  = trustbot.ENotFound  // no such object
)

// Error is the shared error type: a code and a message for the user.
type Error = trustbot.Error

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error { return trustbot.Errorf(code, format, args...) }

// ErrorCode returns the code of the first *Error in err's chain, "" for a nil error and
// EINTERNAL for any other error.
func ErrorCode(err error) string { return trustbot.ErrorCode(err) }

// ErrorMessage returns the user-facing message of err; internal details never reach a user.
func ErrorMessage(err error) string { return trustbot.ErrorMessage(err) }
