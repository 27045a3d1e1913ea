package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/jackc/pgx/v5"
	"github.com/sethvargo/go-envconfig"

	"github.com/trustbot/trustbot/store"
)

// Config is read from the environment and a .env file; the real environment wins.
// .env.example documents every variable. Each setting is decoded once, into the type it is used
// as; a value that does not decode is refused with a sentence naming the variable.
type Config struct {
	DiscordToken     string       `env:"DISCORD_TOKEN"`
	DiscordAppID     string       `env:"DISCORD_APP_ID"`
	DiscordGuildID   string       `env:"DISCORD_GUILD_ID"`
	DiscordPublicKey hexPublicKey `env:"DISCORD_PUBLIC_KEY"` // nil when unset
	DiscordGateway   bool         `env:"DISCORD_GATEWAY, default=true"`
	DiscordAPIURL    proxyURL     `env:"DISCORD_API_URL"`
	ShardID          int          `env:"SHARD_ID, default=0"`
	ShardCount       int          `env:"SHARD_COUNT, default=1"`

	Chain          chainName      `env:"CHAIN"` // a preset; nil when unset
	EthRPCURL      rpcURL         `env:"ETH_RPC_URL"`
	PublicRPCURL   publicRPCURL   `env:"PUBLIC_RPC_URL"`
	ChainID        uint64         `env:"CHAIN_ID"`
	FactoryAddress factoryAddress `env:"FACTORY_ADDRESS"`
	Assets         assetList      `env:"ASSETS"`
	DevRPCAddr     string         `env:"DEV_RPC_ADDR, default=127.0.0.1:8545"`

	PublicURL  publicURL `env:"PUBLIC_URL"`
	ListenAddr string    `env:"LISTEN_ADDR, default=127.0.0.1:8080"`

	DataDir       string        `env:"DATA_DIR, default=./trustbot-data"`
	DBPath        string        `env:"DB_PATH"`
	DatabaseURL   databaseURL   `env:"DATABASE_URL"`
	LeaseTTL      time.Duration `env:"LEASE_TTL, default=15s"`
	Confirmations uint64        `env:"CONFIRMATIONS, default=2"`
	Finality      finality      `env:"FINALITY"` // after parseConfig: finalized, safe or latest
	PollInterval  time.Duration `env:"POLL_INTERVAL, default=2s"`
	LinkTTL       time.Duration `env:"LINK_TTL, default=15m"`
	ExplorerURL   explorerURL   `env:"EXPLORER_URL"`
	LogLevel      logLevel      `env:"LOG_LEVEL, default=info"`

	presetUSDC bool // ASSETS is CHAIN's USDC, checked at start
}

// loadConfig reads the environment, then .env in the working directory for anything unset.
func loadConfig(ctx context.Context, env map[string]string) (*Config, error) {
	dotenv, err := readDotEnv(".env")
	if err != nil {
		return nil, err
	}
	lookup := envconfig.MultiLookuper(envconfig.MapLookuper(env), envconfig.MapLookuper(dotenv))
	if env == nil {
		lookup = envconfig.MultiLookuper(envconfig.OsLookuper(), envconfig.MapLookuper(dotenv))
	}
	return parseConfig(ctx, lookup)
}

// parseConfig decodes the settings lookup finds and checks them together.
func parseConfig(ctx context.Context, lookup envconfig.Lookuper) (*Config, error) {
	var cfg Config
	if err := envconfig.ProcessWith(ctx, &envconfig.Config{Target: &cfg, Lookuper: lookup, Mutators: []envconfig.Mutator{numbers}}); err != nil {
		var se *settingError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("configuration: %s (see .env.example)", se.msg)
		}
		return nil, fmt.Errorf("configuration: %s (see .env.example)", envNames(err.Error()))
	}
	set := func(key string) bool {
		v, ok := lookup.Lookup(key)
		return ok && v != ""
	}
	if err := cfg.applyPreset(set); err != nil {
		return nil, fmt.Errorf("configuration: CHAIN=%s: %w (see .env.example)", cfg.Chain.Name, err)
	}
	return &cfg, cfg.validate()
}

// settingError is a decoder's refusal of one setting's value: a sentence that names the variable.
type settingError struct{ msg string }

func (e *settingError) Error() string { return e.msg }

func refuse(format string, args ...any) error {
	return &settingError{msg: fmt.Sprintf(format, args...)}
}

// numberSettings are the settings that are a number or a duration: how each is read, and the
// sentence that refuses a value that does not read (it has a %q for the value).
var numberSettings = map[string]struct {
	ok       func(string) bool
	sentence string
}{
	"CHAIN_ID":        {isCount, "CHAIN_ID must be the chain's id, a whole number like 1 or 11155111, got %q"},
	"CONFIRMATIONS":   {isCount, "CONFIRMATIONS must be a whole number of blocks, 0 or more, got %q"},
	"SHARD_ID":        {isInt, "SHARD_ID must be a whole number from 0 to SHARD_COUNT-1, got %q"},
	"SHARD_COUNT":     {isInt, "SHARD_COUNT must be a whole number, at least 1, got %q"},
	"POLL_INTERVAL":   {isDuration, "POLL_INTERVAL must be a duration like 2s or 500ms, got %q"},
	"LINK_TTL":        {isDuration, "LINK_TTL must be a duration like 15m or 1h, got %q"},
	"LEASE_TTL":       {isDuration, "LEASE_TTL must be a duration like 15s or 1m, got %q"},
	"DISCORD_GATEWAY": {isBool, "DISCORD_GATEWAY must be true or false, got %q"},
}

// numbers refuses a number or duration setting whose value does not read, with its sentence,
// before envconfig's decoder would answer with strconv's or time's words.
var numbers = envconfig.MutatorFunc(func(_ context.Context, key, _, _, value string) (string, bool, error) {
	if n, ok := numberSettings[key]; ok && value != "" && !n.ok(value) {
		return "", true, refuse(n.sentence, value)
	}
	return value, false, nil
})

// isBool reports whether s reads as a boolean (true, false, 1, 0, …) as envconfig reads it.
func isBool(s string) bool {
	_, err := strconv.ParseBool(s)
	return err == nil
}

// isCount reports whether s is a whole number, 0 or more, that fits 63 bits, written as
// envconfig reads it (decimal, or 0x… hex).
func isCount(s string) bool {
	_, err := strconv.ParseUint(s, 0, 63)
	return err == nil
}

// isInt reports whether s is a whole number as envconfig reads it; validate checks its range.
func isInt(s string) bool {
	_, err := strconv.ParseInt(s, 0, 64)
	return err == nil
}

// isDuration reports whether s is a Go duration like 2s or 1h30m; validate checks its range.
func isDuration(s string) bool {
	_, err := time.ParseDuration(s)
	return err == nil
}

// envNames writes envconfig's own messages with the variable a user sets instead of the Go
// field: "LinkTTL: time: invalid duration" becomes "LINK_TTL: time: invalid duration".
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
	if p := c.Chain.chainPreset; p != nil && c.ChainID != p.ChainID {
		bad("CHAIN_ID is %d but CHAIN=%s is chain %d: leave CHAIN_ID empty or make the two agree", c.ChainID, p.Name, p.ChainID)
	}
	if c.EthRPCURL.IsSet() {
		if len(c.Assets) == 0 {
			bad("ASSETS must name at least one backing asset when ETH_RPC_URL is set, e.g. USDC=0xA0b8…eB48,ETH=native")
		}
	}
	if !isHostPort(c.ListenAddr) {
		bad("LISTEN_ADDR must be host:port like 127.0.0.1:8080, got %q", c.ListenAddr)
	}
	if !c.EthRPCURL.IsSet() && !isHostPort(c.DevRPCAddr) {
		bad("DEV_RPC_ADDR must be host:port like 127.0.0.1:8545, got %q", c.DevRPCAddr)
	}
	if c.DiscordToken != "" && c.DiscordAppID == "" {
		bad("DISCORD_APP_ID is required with DISCORD_TOKEN")
	}
	if !c.DiscordGateway && c.DiscordToken != "" && c.DiscordPublicKey == nil {
		bad("DISCORD_GATEWAY=false leaves the bot only its HTTP interactions endpoint, which needs DISCORD_PUBLIC_KEY: set it, or leave DISCORD_GATEWAY unset")
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
	if c.LeaseTTL < minLeaseTTL {
		bad("LEASE_TTL must be at least %s (the leader renews its lease every third of it), got %s", minLeaseTTL, c.LeaseTTL)
	}
	if c.DatabaseURL.IsSet() && c.DBPath != "" {
		bad("DATABASE_URL and DB_PATH are both set: DATABASE_URL puts the database on PostgreSQL and DB_PATH names an SQLite file, so set one of them")
	}
	if c.DatabaseURL.IsSet() && !c.EthRPCURL.IsSet() {
		bad("DATABASE_URL needs ETH_RPC_URL: the embedded chain starts empty on every run and so must its database, which a shared PostgreSQL database cannot do; set ETH_RPC_URL to the chain the bot runs on, or leave DATABASE_URL empty for the playground's own SQLite file")
	}
	if len(problems) > 0 {
		return fmt.Errorf("configuration:\n  - %s\n(see .env.example)", strings.Join(problems, "\n  - "))
	}
	return nil
}

// isHostPort reports whether s is host:port with a numeric port (the host may be empty).
func isHostPort(s string) bool {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return false
	}
	_, err = strconv.ParseUint(port, 10, 16)
	return err == nil
}

// shards is SHARD_COUNT, where 0 means 1 (no sharding).
func (c *Config) shards() int { return max(c.ShardCount, 1) }

// minLeaseTTL is the shortest LEASE_TTL accepted: a third of it, the renew interval, must leave
// a round trip to the database room to spare.
const minLeaseTTL = 3 * time.Second

// dbPath is the store's name for the database: DATABASE_URL when set, else the SQLite file
// DB_PATH, else the file name in DATA_DIR.
func (c *Config) dbPath(name string) string {
	if c.DatabaseURL.IsSet() {
		return c.DatabaseURL.String()
	}
	if c.DBPath != "" {
		return c.DBPath
	}
	return filepath.Join(c.DataDir, name)
}

// dbProblem is a startup error about the database at path: one sentence naming the setting that
// put it there, DB_PATH or DATA_DIR.
func (c *Config) dbProblem(path, what string, err error) error {
	if c.DatabaseURL.IsSet() {
		return c.DatabaseURL.problem(err)
	}
	if inner := errors.Unwrap(err); inner != nil {
		err = inner // store's errors repeat the path
	}
	if c.DBPath != "" {
		return fmt.Errorf("DB_PATH %s: the database %s (%w)", path, what, err)
	}
	return fmt.Errorf("DATA_DIR %s: the database %s in it %s (%w)", c.DataDir, filepath.Base(path), what, err)
}

// assetList is ASSETS, "tUSD=0x…,ETH=native": the backing assets members pick by symbol, the
// first being the default; the zero address is the native coin.
type assetList []configAsset

// configAsset is one ASSETS entry: the symbol members type, and the token (zero: native coin).
type configAsset struct {
	Symbol  string
	Address common.Address
}

func (l *assetList) EnvDecode(_ context.Context, s string) error {
	var out assetList
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		sym, addr, ok := strings.Cut(part, "=")
		sym, addr = strings.TrimSpace(sym), strings.TrimSpace(addr)
		switch {
		case !ok || sym == "":
			return refuse("ASSETS entry %q must be SYMBOL=ADDRESS or SYMBOL=native", part)
		case strings.EqualFold(addr, "native"):
			out = append(out, configAsset{Symbol: sym})
		case common.IsHexAddress(addr):
			out = append(out, configAsset{Symbol: sym, Address: common.HexToAddress(addr)})
		default:
			return refuse("ASSETS entry %q: %q is neither a 0x address nor native", part, addr)
		}
	}
	*l = out
	return nil
}

// Assets is the list as the commands take it.
func (l assetList) Assets() []configAsset { return slices.Clone([]configAsset(l)) }

// hexPublicKey is DISCORD_PUBLIC_KEY: the application's Ed25519 public key, written in hex.
type hexPublicKey ed25519.PublicKey

func (k *hexPublicKey) EnvDecode(_ context.Context, s string) error {
	if s == "" {
		*k = nil
		return nil
	}
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return refuse("DISCORD_PUBLIC_KEY must be the application's public key from the Developer Portal: 64 hex digits (32 bytes), got %q", s)
	}
	*k = b
	return nil
}

// factoryAddress is FACTORY_ADDRESS, and whether it was given.
type factoryAddress struct {
	common.Address
	Set bool
}

func (a *factoryAddress) EnvDecode(_ context.Context, s string) error {
	switch {
	case s == "":
		*a = factoryAddress{}
	case common.IsHexAddress(s):
		*a = factoryAddress{Address: common.HexToAddress(s), Set: true}
	default:
		return refuse("FACTORY_ADDRESS must be the TrustReserveFactory's 0x address, got %q", s)
	}
	return nil
}

// httpURL is an absolute http(s) URL with a host, parsed, and its text as given; the zero value
// is an empty setting.
type httpURL struct {
	text string
	url  *url.URL
}

// IsSet reports whether the setting has a URL.
func (u httpURL) IsSet() bool { return u.url != nil }

// String is the URL as it was given; "" when unset.
func (u httpURL) String() string { return u.text }

// Redacted is the URL with any password replaced by "xxxxx", for messages.
func (u httpURL) Redacted() string {
	if u.url == nil {
		return ""
	}
	return u.url.Redacted()
}

// Shown is the URL as it may be printed or logged: without a password, and only its scheme and
// host when its path or query looks like it carries a provider's key.
func (u httpURL) Shown() string {
	if u.url == nil {
		return ""
	}
	if keyLike(u.url) {
		return u.url.Scheme + "://" + u.url.Host + "/…"
	}
	return u.url.Redacted()
}

// URL is a copy of the parsed URL; nil when unset.
func (u httpURL) URL() *url.URL {
	if u.url == nil {
		return nil
	}
	c := *u.url
	return &c
}

// decode parses s, refusing it with sentence (which has a %q for s) unless it is an http(s)
// URL with a host that ok accepts.
func (u *httpURL) decode(s string, ok func(*url.URL) bool, sentence string) error {
	if s == "" {
		*u = httpURL{}
		return nil
	}
	p, err := url.Parse(s)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || !ok(p) {
		return refuse(sentence, s)
	}
	*u = httpURL{text: s, url: p}
	return nil
}

// rpcURL is ETH_RPC_URL, the node's JSON-RPC endpoint.
type rpcURL struct{ httpURL }

func (u *rpcURL) EnvDecode(_ context.Context, s string) error {
	return u.decode(s, func(*url.URL) bool { return true }, "ETH_RPC_URL must be an http(s) URL, got %q")
}

// publicURL is PUBLIC_URL, the signing pages' base URL as browsers reach it.
type publicURL struct{ httpURL }

func (u *publicURL) EnvDecode(_ context.Context, s string) error {
	return u.decode(s, func(p *url.URL) bool { return p.User == nil && p.RawQuery == "" && p.Fragment == "" },
		"PUBLIC_URL must be an http(s) URL like https://trust.example.org, got %q")
}

// proxyURL is DISCORD_API_URL, the base URL of a Discord REST proxy.
type proxyURL struct{ httpURL }

func (u *proxyURL) EnvDecode(_ context.Context, s string) error {
	return u.decode(s, func(p *url.URL) bool { return strings.Trim(p.Path, "/") == "" && p.RawQuery == "" && p.User == nil },
		"DISCORD_API_URL must be the base URL of a Discord REST proxy, like http://127.0.0.1:8081 (no path), got %q")
}

// explorerURL is EXPLORER_URL, a block explorer's base URL.
type explorerURL struct{ httpURL }

func (u *explorerURL) EnvDecode(_ context.Context, s string) error {
	return u.decode(s, func(p *url.URL) bool { return p.User == nil },
		"EXPLORER_URL must be a block explorer's http(s) base URL like https://etherscan.io, got %q")
}

// databaseURL is DATABASE_URL, a postgres:// URL that puts the store on PostgreSQL; the zero
// value is unset (the embedded SQLite).
type databaseURL struct {
	text string
	url  *url.URL
}

func (u *databaseURL) EnvDecode(_ context.Context, s string) error {
	if s == "" {
		*u = databaseURL{}
		return nil
	}
	p, err := url.Parse(s)
	switch {
	case err != nil || !store.IsPostgres(s) || p.Host == "":
		return refuse("DATABASE_URL must be a postgres:// URL like postgres://trustbot:PASSWORD@db.internal:5432/trustbot, got %q", redactDSN(s))
	case p.Port() != "" && !isPort(p.Port()):
		return refuse("DATABASE_URL %s has the port %q, which is not a number from 1 to 65535", redactDSN(s), p.Port())
	}
	if _, err := pgx.ParseConfig(s); err != nil {
		return refuse("DATABASE_URL %s is not a valid postgres:// URL (%s)", redactDSN(s), strings.ReplaceAll(err.Error(), s, redactDSN(s)))
	}
	*u = databaseURL{text: s, url: p}
	return nil
}

// IsSet reports whether DATABASE_URL is set.
func (u databaseURL) IsSet() bool { return u.url != nil }

// String is the URL as given, password and all, for the store only.
func (u databaseURL) String() string { return u.text }

// Redacted is the URL with its password replaced by xxxxx, for messages and logs.
func (u databaseURL) Redacted() string { return redactDSN(u.text) }

// problem is the startup error for a PostgreSQL database that could not be opened: one sentence
// naming DATABASE_URL, without the password.
func (u databaseURL) problem(err error) error {
	shown := u.Redacted()
	why := store.PostgresFailure(err)
	detail := ""
	switch why {
	case "":
		why = "cannot be opened"
		detail = " (" + u.scrub(errors.Unwrap(err)) + ")"
	case pgUnreachable:
		detail = " (" + u.scrub(errors.Unwrap(err)) + ")"
	}
	return &startupError{msg: fmt.Sprintf("DATABASE_URL %s %s%s", shown, why, detail), err: err}
}

// pgUnreachable is store.PostgresFailure's sentence for a server that does not answer.
const pgUnreachable = "names a server that cannot be reached"

// scrub is err's text on one line without the password or the URL that holds it.
func (u databaseURL) scrub(err error) string {
	if err == nil {
		return "no reason given"
	}
	msg := strings.ReplaceAll(err.Error(), u.text, u.Redacted())
	if pw, ok := u.url.User.Password(); ok && pw != "" {
		msg = strings.ReplaceAll(msg, pw, "xxxxx")
	}
	return strings.Join(strings.Fields(msg), " ")
}

// redactDSN is a database URL with the password of its user info replaced by xxxxx, also when the
// URL does not parse.
func redactDSN(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority := rest[:end]
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return s
	}
	user, _, hasPassword := strings.Cut(authority[:at], ":")
	if !hasPassword {
		return s
	}
	return scheme + "://" + user + ":xxxxx" + authority[at:] + rest[end:]
}

// isPort reports whether s is a TCP port number, 1 to 65535.
func isPort(s string) bool {
	n, err := strconv.ParseUint(s, 10, 16)
	return err == nil && n > 0
}

// logLevel is LOG_LEVEL; it is the slog.Leveler of the handlers.
type logLevel slog.Level

func (l *logLevel) EnvDecode(_ context.Context, s string) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(s)); err != nil {
		return refuse("LOG_LEVEL must be debug, info, warn or error, got %q", s)
	}
	*l = logLevel(level)
	return nil
}

// Level is the level as slog has it.
func (l logLevel) Level() slog.Level { return slog.Level(l) }
