package commands

import "github.com/trustbot/trustbot"

// Shorthands for the shared error type.
const (
	EInvalid     = trustbot.EInvalid
	ENotFound    = trustbot.ENotFound
	EConflict    = trustbot.EConflict
	EExpired     = trustbot.EExpired
	EForbidden   = trustbot.EForbidden
	EUnavailable = trustbot.EUnavailable
	EReverted    = trustbot.EReverted
)

// Errorf makes a user-facing error.
func Errorf(code, format string, args ...any) error { return trustbot.Errorf(code, format, args...) }
