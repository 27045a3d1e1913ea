//go:build nodevchain

package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot/chain"
)

// hasDevChain reports whether this build has the embedded dev chain.
const hasDevChain = false

// embeddedChain is what the app uses of an embedded dev chain. A build with -tags nodevchain
// leaves the dev chain (a whole go-ethereum node) out of the binary: it is about half the size
// and needs ETH_RPC_URL.
type embeddedChain interface {
	Client() *chain.Client
	URL() string
	TestUSD() common.Address
	Close()
}

// startEmbedded refuses: this build has no embedded chain.
func startEmbedded(context.Context, *Config, *slog.Logger) (embeddedChain, error) {
	return nil, errors.New("this trustbot was built with -tags nodevchain and has no embedded chain: " +
		"set ETH_RPC_URL, FACTORY_ADDRESS and ASSETS (see .env.example)")
}
