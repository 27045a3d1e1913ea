//go:build !nodevchain

package main

import (
	"context"
	"log/slog"

	"github.com/trustbot/trustbot/chain/devchain"
)

// embeddedChain is the embedded dev chain that runs when ETH_RPC_URL is empty.
type embeddedChain = *devchain.Chain

// startEmbedded starts the embedded dev chain with the dev members on DEV_RPC_ADDR.
func startEmbedded(ctx context.Context, cfg *Config, log *slog.Logger) (embeddedChain, error) {
	return devchain.Start(ctx, devchain.Options{Members: devMembers, Addr: cfg.DevRPCAddr, Logger: log})
}
