package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigMessages(t *testing.T) {
	ctx := context.Background()
	t.Chdir(t.TempDir()) // no .env here
	for _, tc := range []struct {
		env  map[string]string
		want string // "" = valid
	}{
		{map[string]string{}, ""},
		{map[string]string{"ETH_RPC_URL": "ftp://node"}, "ETH_RPC_URL must be an http(s) URL"},
		{map[string]string{"ETH_RPC_URL": "http://127.0.0.1:8545", "ASSETS": "USDC=0x0000000000000000000000000000000000000001"}, "FACTORY_ADDRESS must be the TrustReserveFactory's 0x address"},
		{map[string]string{"ETH_RPC_URL": "http://127.0.0.1:8545", "FACTORY_ADDRESS": "0x0000000000000000000000000000000000000002"}, "ASSETS must name at least one backing asset"},
		{map[string]string{"ASSETS": "USDC"}, `ASSETS entry "USDC" must be SYMBOL=ADDRESS or SYMBOL=native`},
		{map[string]string{"ASSETS": "USDC=0x12"}, `"0x12" is neither a 0x address nor native`},
		{map[string]string{"PUBLIC_URL": "trust.example.org"}, "PUBLIC_URL must be an http(s) URL"},
		{map[string]string{"DISCORD_TOKEN": "x"}, "DISCORD_APP_ID is required with DISCORD_TOKEN"},
		{map[string]string{"DISCORD_API_URL": "http://127.0.0.1:8081"}, ""},
		{map[string]string{"DISCORD_API_URL": "https://nirn.internal/"}, ""},
		{map[string]string{"DISCORD_API_URL": "nirn:8081"}, "DISCORD_API_URL must be the base URL of a Discord REST proxy"},
		{map[string]string{"DISCORD_API_URL": "http://127.0.0.1:8081/api/v9"}, "DISCORD_API_URL must be the base URL of a Discord REST proxy"},
		{map[string]string{"DISCORD_API_URL": "http://user:pw@127.0.0.1:8081"}, "DISCORD_API_URL must be the base URL of a Discord REST proxy"},
		{map[string]string{"LINK_TTL": "10s"}, "LINK_TTL must be between 1m and 24h"},
		{map[string]string{"LINK_TTL": "soon"}, "LINK_TTL"},
		{map[string]string{"CONFIRMATIONS": "-1"}, "CONFIRMATIONS"},
		{map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL must be debug, info, warn or error"},
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
