package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/chaintest"
)

// TestAnvilDeploy: on a fresh anvil (which carries the deterministic deployer, as real chains
// do, and no factory at its own address), doctor names the missing factory; trustbot deploy,
// signed with a dev key through the signing page, puts it at the address computed offline;
// doctor is then all ok and the README's trip runs there with no FACTORY_ADDRESS.
func TestAnvilDeploy(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	node := chaintest.StartAnvil(t, devMembers)
	env := map[string]string{"DATA_DIR": t.TempDir(), "LISTEN_ADDR": "127.0.0.1:0", "ETH_RPC_URL": node.URL,
		"ASSETS": "tUSD=" + node.TestUSD.Hex(), "POLL_INTERVAL": "50ms", "CONFIRMATIONS": "0"}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	var out bytes.Buffer
	if err := runDoctor(ctx, testConfig(t, env), &out); err == nil || !strings.Contains(out.String(), "FAIL factory: There is no TrustReserveFactory of this build at "+chain.FactoryAddress().Hex()) {
		t.Fatalf("doctor before the deployment: got %v and\n%s\nwant the factory line to fail", err, out.String())
	}
	out.Reset()
	if err := runDeploy(ctx, testConfig(t, env), []string{"--dev", "alice"}, &out, log); err != nil {
		t.Fatalf("deploy: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "Deployed: the factory is at "+chain.FactoryAddress().Hex()+" on chain 31337, the address computed offline.") {
		t.Fatalf("deploy printed:\n%s", out.String())
	}
	out.Reset()
	if err := runDoctor(ctx, testConfig(t, env), &out); err != nil {
		t.Fatalf("doctor after the deployment: %v\n%s", err, out.String())
	}

	tripOn(t, ctx, env)
}
