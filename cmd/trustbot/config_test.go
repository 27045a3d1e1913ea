package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/sethvargo/go-envconfig"

	"github.com/trustbot/trustbot/chain/devchain"
)

// testConfig is the configuration env alone gives: nothing comes from the process environment
// or a .env file.
func testConfig(tb testing.TB, env map[string]string) *Config {
	tb.Helper()
	cfg, err := parseConfig(context.Background(), envconfig.MapLookuper(env))
	if err != nil {
		tb.Fatalf("configuration %v: %v", env, err)
	}
	return cfg
}

func TestConfigMessages(t *testing.T) {
	ctx := context.Background()
	t.Chdir(t.TempDir()) // no .env here
	for _, tc := range []struct {
		env  map[string]string
		want string // "" = valid
	}{
		{map[string]string{}, ""},
		{map[string]string{"ETH_RPC_URL": "ftp://node"}, `ETH_RPC_URL must be an http(s) URL, got "ftp://node"`},
		{map[string]string{"ETH_RPC_URL": "http://"}, `ETH_RPC_URL must be an http(s) URL, got "http://"`},
		{map[string]string{"ETH_RPC_URL": "http://127.0.0.1:8545", "ASSETS": "USDC=0x0000000000000000000000000000000000000001"}, ""}, // the factory's own address
		{map[string]string{"ETH_RPC_URL": "http://127.0.0.1:8545", "FACTORY_ADDRESS": "0x0000000000000000000000000000000000000002"}, "ASSETS must name at least one backing asset"},
		{map[string]string{"ETH_RPC_URL": "http://127.0.0.1:8545", "FACTORY_ADDRESS": "0x0000000000000000000000000000000000000002", "ASSETS": " , "}, "ASSETS must name at least one backing asset"},
		{map[string]string{"FACTORY_ADDRESS": "0x12"}, `FACTORY_ADDRESS must be the TrustReserveFactory's 0x address, got "0x12"`},
		{map[string]string{"ASSETS": "USDC"}, `ASSETS entry "USDC" must be SYMBOL=ADDRESS or SYMBOL=native`},
		{map[string]string{"ASSETS": "=native"}, `ASSETS entry "=native" must be SYMBOL=ADDRESS or SYMBOL=native`},
		{map[string]string{"ASSETS": "USDC=0x12"}, `ASSETS entry "USDC=0x12": "0x12" is neither a 0x address nor native`},
		{map[string]string{"PUBLIC_URL": "trust.example.org"}, "PUBLIC_URL must be an http(s) URL"},
		{map[string]string{"PUBLIC_URL": "https://trust.example.org/?x=1"}, "PUBLIC_URL must be an http(s) URL"},
		{map[string]string{"PUBLIC_URL": "https://trust.example.org/bot/"}, ""},
		{map[string]string{"DISCORD_TOKEN": "x"}, "DISCORD_APP_ID is required with DISCORD_TOKEN"},
		{map[string]string{"DISCORD_API_URL": "http://127.0.0.1:8081"}, ""},
		{map[string]string{"DISCORD_API_URL": "https://nirn.internal/"}, ""},
		{map[string]string{"DISCORD_API_URL": "nirn:8081"}, "DISCORD_API_URL must be the base URL of a Discord REST proxy"},
		{map[string]string{"DISCORD_API_URL": "http://127.0.0.1:8081/api/v9"}, "DISCORD_API_URL must be the base URL of a Discord REST proxy"},
		{map[string]string{"DISCORD_API_URL": "http://user:pw@127.0.0.1:8081"}, "DISCORD_API_URL must be the base URL of a Discord REST proxy"},
		{map[string]string{"EXPLORER_URL": "etherscan.io"}, `EXPLORER_URL must be a block explorer's http(s) base URL like https://etherscan.io, got "etherscan.io"`},
		{map[string]string{"EXPLORER_URL": "https://etherscan.io"}, ""},
		{map[string]string{"LISTEN_ADDR": "8080"}, `LISTEN_ADDR must be host:port like 127.0.0.1:8080, got "8080"`},
		{map[string]string{"LISTEN_ADDR": ":8080"}, ""},
		{map[string]string{"DEV_RPC_ADDR": "127.0.0.1:port"}, `DEV_RPC_ADDR must be host:port like 127.0.0.1:8545, got "127.0.0.1:port"`},
		{map[string]string{"LINK_TTL": "10s"}, "LINK_TTL must be between 1m and 24h"},
		{map[string]string{"LINK_TTL": "-5m"}, "LINK_TTL must be between 1m and 24h, got -5m0s"},
		{map[string]string{"CONFIRMATIONS": "0"}, ""},
		{map[string]string{"CHAIN_ID": ""}, ""},
		{map[string]string{"CHAIN_ID": "0x539"}, ""},
		{map[string]string{"SHARD_ID": "1", "SHARD_COUNT": "2"}, ""},
		{map[string]string{"DISCORD_TOKEN": "t", "DISCORD_APP_ID": "1", "DISCORD_GATEWAY": "false"}, "DISCORD_GATEWAY=false leaves the bot only its HTTP interactions endpoint, which needs DISCORD_PUBLIC_KEY"},
		{map[string]string{"DISCORD_TOKEN": "t", "DISCORD_APP_ID": "1", "DISCORD_GATEWAY": "false", "DISCORD_PUBLIC_KEY": strings.Repeat("ab", 32)}, ""},
		{map[string]string{"LOG_LEVEL": "loud"}, `LOG_LEVEL must be debug, info, warn or error, got "loud"`},
	} {
		_, err := loadConfig(ctx, tc.env)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%v: got %v, want a valid configuration", tc.env, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%v: got %v, want an error containing %q", tc.env, err, tc.want)
		}
	}
}

// TestConfigDecodeMessage: a value that does not decode is refused with the decoder's sentence,
// which names the variable, and nothing of envconfig's or the Go field's.
func TestConfigDecodeMessage(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"ASSETS": "USDC"}, `configuration: ASSETS entry "USDC" must be SYMBOL=ADDRESS or SYMBOL=native (see .env.example)`},
		{map[string]string{"ETH_RPC_URL": "node:8545"}, `configuration: ETH_RPC_URL must be an http(s) URL, got "node:8545" (see .env.example)`},
		{map[string]string{"DISCORD_PUBLIC_KEY": "xyz"}, `configuration: DISCORD_PUBLIC_KEY must be the application's public key from the Developer Portal: 64 hex digits (32 bytes), got "xyz" (see .env.example)`},
		{map[string]string{"LOG_LEVEL": "loud"}, `configuration: LOG_LEVEL must be debug, info, warn or error, got "loud" (see .env.example)`},
		{map[string]string{"LINK_TTL": "soon"}, `configuration: LINK_TTL must be a duration like 15m or 1h, got "soon" (see .env.example)`},
		{map[string]string{"POLL_INTERVAL": "2"}, `configuration: POLL_INTERVAL must be a duration like 2s or 500ms, got "2" (see .env.example)`},
		{map[string]string{"CONFIRMATIONS": "-1"}, `configuration: CONFIRMATIONS must be a whole number of blocks, 0 or more, got "-1" (see .env.example)`},
		{map[string]string{"CONFIRMATIONS": "two"}, `configuration: CONFIRMATIONS must be a whole number of blocks, 0 or more, got "two" (see .env.example)`},
		{map[string]string{"CONFIRMATIONS": "+2"}, `configuration: CONFIRMATIONS must be a whole number of blocks, 0 or more, got "+2" (see .env.example)`},
		{map[string]string{"CHAIN_ID": "-1"}, `configuration: CHAIN_ID must be the chain's id, a whole number like 1 or 11155111, got "-1" (see .env.example)`},
		{map[string]string{"CHAIN_ID": "sepolia"}, `configuration: CHAIN_ID must be the chain's id, a whole number like 1 or 11155111, got "sepolia" (see .env.example)`},
		{map[string]string{"SHARD_ID": "first"}, `configuration: SHARD_ID must be a whole number from 0 to SHARD_COUNT-1, got "first" (see .env.example)`},
		{map[string]string{"SHARD_COUNT": "1.5"}, `configuration: SHARD_COUNT must be a whole number, at least 1, got "1.5" (see .env.example)`},
		{map[string]string{"DISCORD_GATEWAY": "off"}, `configuration: DISCORD_GATEWAY must be true or false, got "off" (see .env.example)`},
	} {
		_, err := parseConfig(context.Background(), envconfig.MapLookuper(tc.env))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%v: got %v, want %q", tc.env, err, tc.want)
		}
	}
}

// TestConfigTyped: every setting is decoded once, into the value the bot uses.
func TestConfigTyped(t *testing.T) {
	key := strings.Repeat("ab", 32)
	cfg := testConfig(t, map[string]string{
		"ETH_RPC_URL":        "https://user:secret@node.example/v3/key",
		"FACTORY_ADDRESS":    "0x00000000000000000000000000000000000000f1",
		"ASSETS":             "USDC=0x00000000000000000000000000000000000000e2, ETH=Native",
		"DISCORD_PUBLIC_KEY": "0x" + key,
		"DISCORD_API_URL":    "http://nirn:8081/",
		"PUBLIC_URL":         "https://trust.example.org/",
		"EXPLORER_URL":       "https://etherscan.io",
		"LOG_LEVEL":          "debug",
	})
	wantAssets := []configAsset{{Symbol: "USDC", Address: common.HexToAddress("0xe2")}, {Symbol: "ETH"}}
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"ASSETS", fmt.Sprint(cfg.Assets.Assets()), fmt.Sprint(wantAssets)},
		{"FACTORY_ADDRESS", cfg.FactoryAddress.Address, common.HexToAddress("0xf1")},
		{"FACTORY_ADDRESS set", cfg.FactoryAddress.Set, true},
		{"DISCORD_PUBLIC_KEY", fmt.Sprintf("%x", cfg.DiscordPublicKey), key},
		{"DISCORD_API_URL host", cfg.DiscordAPIURL.URL().Host, "nirn:8081"},
		{"ETH_RPC_URL", cfg.EthRPCURL.String(), "https://user:secret@node.example/v3/key"},
		{"ETH_RPC_URL redacted", cfg.EthRPCURL.Redacted(), "https://user:xxxxx@node.example/v3/key"},
		{"PUBLIC_URL", cfg.PublicURL.String(), "https://trust.example.org/"},
		{"EXPLORER_URL", cfg.ExplorerURL.String(), "https://etherscan.io"},
		{"LOG_LEVEL", cfg.LogLevel.Level(), slog.LevelDebug},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}

	// Unset settings are the zero values, and the defaults apply.
	empty := testConfig(t, map[string]string{"ETH_RPC_URL": "", "ASSETS": ""})
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"ASSETS", len(empty.Assets), 0},
		{"FACTORY_ADDRESS set", empty.FactoryAddress.Set, false},
		{"DISCORD_PUBLIC_KEY", empty.DiscordPublicKey == nil, true},
		{"DISCORD_API_URL", empty.DiscordAPIURL.IsSet(), false},
		{"ETH_RPC_URL", empty.EthRPCURL.IsSet(), false},
		{"PUBLIC_URL", empty.PublicURL.String(), ""},
		{"LOG_LEVEL", empty.LogLevel.Level(), slog.LevelInfo},
		{"LINK_TTL", empty.LinkTTL, 15 * time.Minute},
	} {
		if c.got != c.want {
			t.Errorf("unset %s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestConfigDotEnv(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	env := "# comment\nLINK_TTL=20m\nexport LISTEN_ADDR=\"127.0.0.1:9999\"\nDATA_DIR=from-dotenv\n"
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte(env), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(context.Background(), map[string]string{"DATA_DIR": "from-env"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.LinkTTL != 20*time.Minute || cfg.ListenAddr != "127.0.0.1:9999" {
		t.Errorf(".env values: got LINK_TTL %s LISTEN_ADDR %s, want 20m and 127.0.0.1:9999", cfg.LinkTTL, cfg.ListenAddr)
	}
	if cfg.DataDir != "from-env" {
		t.Errorf("DATA_DIR: got %q, want the real environment's %q", cfg.DataDir, "from-env")
	}
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("NOT A SETTING\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadConfig(context.Background(), map[string]string{}); err == nil || !strings.Contains(err.Error(), ".env line 1 is not KEY=VALUE") {
		t.Errorf("bad .env: got %v, want the line named", err)
	}
}

// closedURL is the URL of a port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// wantStartupSentence fails unless err is one sentence that starts with the setting's name and
// holds no chat reply.
func wantStartupSentence(t *testing.T, err error, prefix, contains string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one starting %q", prefix)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, contains) {
		t.Errorf("got %q, want a sentence starting %q and containing %q", msg, prefix, contains)
	}
	for _, chat := range []string{"unavailable:", "Try again", "trustbot invalid", "\n"} {
		if strings.Contains(msg, chat) {
			t.Errorf("got %q, want one sentence without %q", msg, chat)
		}
	}
}

// TestStartupErrors: a setting the world refuses stops the start with one sentence that names it.
func TestStartupErrors(t *testing.T) {
	ctx := context.Background()
	node, err := devchain.Start(ctx, devchain.Options{Members: devMembers})
	if err != nil {
		t.Fatal(err)
	}
	defer node.Close()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dead := closedURL(t)
	alice, _ := node.Member("alice")
	external := func(env map[string]string) map[string]string {
		base := map[string]string{"DATA_DIR": t.TempDir(), "LISTEN_ADDR": "127.0.0.1:0", "ETH_RPC_URL": node.URL(),
			"FACTORY_ADDRESS": node.Factory().Hex(), "ASSETS": "tUSD=" + node.TestUSD().Hex()}
		for k, v := range env {
			base[k] = v
		}
		return base
	}
	for _, tc := range []struct {
		name             string
		env              map[string]string
		prefix, contains string // "" = it starts
	}{
		{"the factory", external(nil), "", ""},
		{"no FACTORY_ADDRESS: the factory's own address, where the dev chain deployed it", external(map[string]string{"FACTORY_ADDRESS": ""}), "", ""},
		{"an account as the factory", external(map[string]string{"FACTORY_ADDRESS": alice.Address().Hex()}),
			"FACTORY_ADDRESS " + alice.Address().Hex() + " has no contract on chain 1337", ""},
		{"a token as the factory", external(map[string]string{"FACTORY_ADDRESS": node.TestUSD().Hex()}),
			"FACTORY_ADDRESS " + node.TestUSD().Hex() + " is not a TrustReserveFactory of this build (its code differs)", ""},
		{"an unreachable node", external(map[string]string{"ETH_RPC_URL": dead}),
			"ETH_RPC_URL " + dead + ": the node does not answer (dial tcp ", "connection refused)"},
		{"a node on another chain", external(map[string]string{"CHAIN_ID": "1"}),
			"CHAIN_ID is 1 but the node at ETH_RPC_URL is on chain 1337", ""},
		{"a busy listen address", external(map[string]string{"LISTEN_ADDR": busy.Addr().String()}),
			"LISTEN_ADDR " + busy.Addr().String() + " is in use by another program", ""},
		{"a database that cannot be opened", external(map[string]string{"DB_PATH": t.TempDir()}),
			"DB_PATH ", ": the database cannot be opened ("},
		{"a data directory that cannot be made", external(map[string]string{"DATA_DIR": filepath.Join(os.DevNull, "data")}),
			"DATA_DIR " + filepath.Join(os.DevNull, "data") + " cannot be created (", ""},
		{"a busy dev chain address", map[string]string{"DATA_DIR": t.TempDir(), "LISTEN_ADDR": "127.0.0.1:0", "DEV_RPC_ADDR": busy.Addr().String()},
			"DEV_RPC_ADDR " + busy.Addr().String() + " is in use by another program", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := newApp(ctx, testConfig(t, tc.env), "trustbot.db", false, io.Discard, slog.New(slog.DiscardHandler))
			if tc.prefix == "" {
				if err != nil {
					t.Fatalf("got %v, want a start", err)
				}
				a.Close()
				return
			}
			if err == nil {
				a.Close()
			}
			wantStartupSentence(t, err, tc.prefix, tc.contains)
		})
	}
}

// TestRunUnreachableNode: what main prints for an ETH_RPC_URL that does not answer is one
// sentence naming it, without the chat reply of an unreachable chain.
func TestRunUnreachableNode(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	dead := closedURL(t)
	for k, v := range map[string]string{"ETH_RPC_URL": dead, "FACTORY_ADDRESS": "0x00000000000000000000000000000000000000f1",
		"ASSETS": "ETH=native", "DATA_DIR": dir, "LISTEN_ADDR": "127.0.0.1:0"} {
		t.Setenv(k, v)
	}
	err := run(context.Background(), []string{"playground"})
	wantStartupSentence(t, err, "ETH_RPC_URL "+dead+": the node does not answer (dial tcp ", "connect: connection refused)")
}
