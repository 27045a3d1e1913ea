//go:build !nodevchain

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"syscall"

	"github.com/trustbot/trustbot/chain/devchain"
)

// hasDevChain reports whether this build has the embedded dev chain.
const hasDevChain = true

// embeddedChain is the embedded dev chain that runs when ETH_RPC_URL is empty.
type embeddedChain = *devchain.Chain

// startEmbedded starts the embedded dev chain with the dev members on DEV_RPC_ADDR. Its error
// is a startup error naming DEV_RPC_ADDR.
func startEmbedded(ctx context.Context, cfg *Config, log *slog.Logger) (embeddedChain, error) {
	dc, err := devchain.Start(ctx, devchain.Options{Members: devMembers, Addr: cfg.DevRPCAddr, Logger: log})
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, &startupError{err: err, msg: fmt.Sprintf("DEV_RPC_ADDR %s is in use by another program "+
			"(the embedded chain serves JSON-RPC there; set DEV_RPC_ADDR=127.0.0.1:0 for any free port)", cfg.DevRPCAddr)}
	case err != nil:
		return nil, &startupError{err: err, msg: fmt.Sprintf("DEV_RPC_ADDR %s: the embedded chain cannot start (%v)", cfg.DevRPCAddr, err)}
	}
	return dc, nil
}
