package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/sethvargo/go-envconfig"
)

// Config is read from the environment and a .env file; the real environment wins.
// .env.example documents every variable.
type Config struct {
	DiscordToken     string `env:"DISCORD_TOKEN"`
	DiscordAppID     string `env:"DISCORD_APP_ID"`
	DiscordGuildID   string `env:"DISCORD_GUILD_ID"`
	DiscordPublicKey string `env:"DISCORD_PUBLIC_KEY"`
	DiscordAPIURL    string `env:"DISCORD_API_URL"`
	ShardID          int    `env:"SHARD_ID, default=0"`
	ShardCount       int    `env:"SHARD_COUNT, default=1"`

	EthRPCURL      string `env:"ETH_RPC_URL"`
	ChainID        uint64 `env:"CHAIN_ID"`
	FactoryAddress string `env:"FACTORY_ADDRESS"`
	Assets         string `env:"ASSETS"`
	DevRPCAddr     string `env:"DEV_RPC_ADDR, default=127.0.0.1:8545"`

	PublicURL  string `env:"PUBLIC_URL"`
	ListenAddr string `env:"LISTEN_ADDR, default=127.0.0.1:8080"`

	DataDir       string        `env:"DATA_DIR, default=./trustbot-data"`
	DBPath        string        `env:"DB_PATH"`
	Confirmations uint64        `env:"CONFIRMATIONS, default=2"`
	PollInterval  time.Duration `env:"POLL_INTERVAL, default=2s"`
	LinkTTL       time.Duration `env:"LINK_TTL, default=15m"`
	ExplorerURL   string        `env:"EXPLORER_URL"`
	LogLevel      string        `env:"LOG_LEVEL, default=info"`
}

// loadConfig reads the environment, then .env in the working directory for anything unset.
func loadConfig(ctx context.Context, env map[string]string) (*Config, error) {
	dotenv, err := readDotEnv(".env")
	if err != nil {
		return nil, err
	}
	var cfg Config
	lookup := envconfig.MultiLookuper(envconfig.MapLookuper(env), envconfig.MapLookuper(dotenv))
	if env == nil {
		lookup = envconfig.MultiLookuper(envconfig.OsLookuper(), envconfig.MapLookuper(dotenv))
	}
	if err := envconfig.ProcessWith(ctx, &envconfig.Config{Target: &cfg, Lookuper: lookup}); err != nil {
		return nil, fmt.Errorf("configuration: %s (see .env.example)", envNames(err.Error()))
	}
	return &cfg, cfg.validate()
}

// envNames writes envconfig's messages with the variable a user sets instead of the Go field:
// "LinkTTL: time: invalid duration" becomes "LINK_TTL: time: invalid duration".
func envNames(msg string) string {
	t := reflect.TypeOf(Config{})
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("env"), ",")
		if strings.HasPrefix(msg, f.Name+":") {
			return name + ":" + strings.TrimPrefix(msg, f.Name+":")
		}
	}
	return msg
}

// readDotEnv reads KEY=VALUE lines; a missing file is no error.
func readDotEnv(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		if !ok {
			return nil, fmt.Errorf("configuration: %s line %d is not KEY=VALUE", path, n)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		out[strings.TrimSpace(k)] = v
	}
	return out, sc.Err()
}

func (c *Config) validate() error {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if c.EthRPCURL != "" {
		if u, err := url.Parse(c.EthRPCURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			bad("ETH_RPC_URL must be an http(s) URL, got %q", c.EthRPCURL)
		}
		if !common.IsHexAddress(c.FactoryAddress) {
			bad("FACTORY_ADDRESS must be the TrustReserveFactory's 0x address when ETH_RPC_URL is set (deploy it with contracts/script/Deploy.s.sol)")
		}
		if c.Assets == "" {
			bad("ASSETS must name at least one backing asset when ETH_RPC_URL is set, e.g. USDC=0xA0b8…eB48,ETH=native")
		}
	}
	if _, err := parseAssets(c.Assets); err != nil {
		bad("%v", err)
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("PUBLIC_URL must be an http(s) URL like https://trust.example.org, got %q", c.PublicURL)
		}
	}
	if c.DiscordToken != "" && c.DiscordAppID == "" {
		bad("DISCORD_APP_ID is required with DISCORD_TOKEN")
	}
	if c.DiscordPublicKey != "" {
		if k, err := hex.DecodeString(strings.TrimPrefix(c.DiscordPublicKey, "0x")); err != nil || len(k) != ed25519.PublicKeySize {
			bad("DISCORD_PUBLIC_KEY must be the application's public key from the Developer Portal: 64 hex digits (32 bytes), got %q", c.DiscordPublicKey)
		}
	}
	if c.DiscordAPIURL != "" {
		if u, err := url.Parse(c.DiscordAPIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.User != nil {
			bad("DISCORD_API_URL must be the base URL of a Discord REST proxy, like http://127.0.0.1:8081 (no path), got %q", c.DiscordAPIURL)
		}
	}
	if c.ShardCount < 0 {
		bad("SHARD_COUNT must be at least 1, got %d", c.ShardCount)
	} else if c.ShardID < 0 || c.ShardID >= c.shards() {
		bad("SHARD_ID must be from 0 to SHARD_COUNT-1 (%d), got %d", c.shards()-1, c.ShardID)
	}
	if c.LinkTTL < time.Minute || c.LinkTTL > 24*time.Hour {
		bad("LINK_TTL must be between 1m and 24h, got %s", c.LinkTTL)
	}
	if c.PollInterval < 10*time.Millisecond {
		bad("POLL_INTERVAL must be at least 10ms, got %s", c.PollInterval)
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		bad("%v", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("configuration:\n  - %s\n(see .env.example)", strings.Join(problems, "\n  - "))
	}
	return nil
}

// configAsset is one ASSETS entry: the symbol members type, and the token (zero: native coin).
type configAsset struct {
	Symbol  string
	Address common.Address
}

// parseAssets reads "tUSD=0x…,ETH=native".
func parseAssets(s string) ([]configAsset, error) {
	var out []configAsset
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		sym, addr, ok := strings.Cut(part, "=")
		sym, addr = strings.TrimSpace(sym), strings.TrimSpace(addr)
		switch {
		case !ok || sym == "":
			return nil, fmt.Errorf("ASSETS entry %q must be SYMBOL=ADDRESS or SYMBOL=native", part)
		case strings.EqualFold(addr, "native"):
			out = append(out, configAsset{Symbol: sym})
		case common.IsHexAddress(addr):
			out = append(out, configAsset{Symbol: sym, Address: common.HexToAddress(addr)})
		default:
			return nil, fmt.Errorf("ASSETS entry %q: %q is neither a 0x address nor native", part, addr)
		}
	}
	return out, nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error, got %q", s)
	}
	return l, nil
}

// shards is SHARD_COUNT, where 0 means 1 (no sharding).
func (c *Config) shards() int { return max(c.ShardCount, 1) }

// publicKey is DISCORD_PUBLIC_KEY decoded; nil when unset (validate has checked it).
func (c *Config) publicKey() ed25519.PublicKey {
	k, err := hex.DecodeString(strings.TrimPrefix(c.DiscordPublicKey, "0x"))
	if c.DiscordPublicKey == "" || err != nil || len(k) != ed25519.PublicKeySize {
		return nil
	}
	return ed25519.PublicKey(k)
}

func (c *Config) dbPath(name string) string {
	if c.DBPath != "" {
		return c.DBPath
	}
	return filepath.Join(c.DataDir, name)
}
