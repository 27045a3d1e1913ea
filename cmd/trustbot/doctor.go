package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/bot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/commands"
	"github.com/trustbot/trustbot/store"
)

// errDoctor is what `trustbot doctor` returns when a check failed: its lines said which.
var errDoctor = errors.New("doctor: a check failed (see the lines above)")

// doctorCheck is one line of `trustbot doctor`: the setting it is about, and ok or what to do.
type doctorCheck struct {
	setting string
	ok      bool
	text    string
}

// runDoctor checks every setting against the world and prints one line each, "ok" or "FAIL"
// with what to do; it returns errDoctor unless every check passed. The Discord checks go through
// DISCORD_API_URL when it is set.
func runDoctor(ctx context.Context, cfg *Config, out io.Writer) error {
	var checks []doctorCheck
	add := func(setting string, ok bool, format string, args ...any) {
		checks = append(checks, doctorCheck{setting, ok, fmt.Sprintf(format, args...)})
	}
	checkTimeout := func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, 10*time.Second) }
	c, cctx := checkChain(ctx, cfg, add)
	if c != nil {
		defer c.Close()
		checkContracts(cctx, cfg, c, add)
	}
	{
		dctx, cancel := checkTimeout()
		checkDiscord(dctx, cfg, add)
		cancel()
	}
	{
		pctx, cancel := checkTimeout()
		checkPublicURL(pctx, cfg, add)
		cancel()
	}
	checkDatabase(ctx, cfg, add)

	failed := 0
	for _, ch := range checks {
		mark := "ok  "
		if !ch.ok {
			mark = "FAIL"
			failed++
		}
		fmt.Fprintf(out, "%s %s: %s\n", mark, ch.setting, ch.text)
	}
	if failed > 0 {
		return errDoctor
	}
	return nil
}

// checkChain dials ETH_RPC_URL and checks its chain id against CHAIN_ID; without ETH_RPC_URL
// there is nothing to reach (the playground's embedded chain). It returns the client, or nil.
func checkChain(ctx context.Context, cfg *Config, add func(string, bool, string, ...any)) (*chain.Client, context.Context) {
	if !cfg.EthRPCURL.IsSet() {
		add("ETH_RPC_URL", true, "not set: the playground runs its own embedded chain")
		return nil, ctx
	}
	c, err := chain.Dial(ctx, cfg.EthRPCURL.String(), factoryOf(cfg))
	if err != nil {
		add("ETH_RPC_URL", false, "%s: set it to a node of the chain the bot runs on", err)
		return nil, ctx
	}
	id := c.ChainID()
	add("ETH_RPC_URL", true, "%s answers: chain %s", cfg.EthRPCURL.Redacted(), id)
	if cfg.ChainID != 0 {
		if id.Uint64() != cfg.ChainID {
			add("CHAIN_ID", false, "is %d but the node is on chain %s: fix one of them", cfg.ChainID, id)
		} else {
			add("CHAIN_ID", true, "%d, the node's", cfg.ChainID)
		}
	}
	return c, ctx
}

// factoryOf is the factory the bot uses: FACTORY_ADDRESS, else the factory's own address.
func factoryOf(cfg *Config) common.Address {
	if cfg.FactoryAddress.Set {
		return cfg.FactoryAddress.Address
	}
	return chain.FactoryAddress()
}

// checkContracts checks the deterministic deployer, the factory, each asset and the pre-flight's
// method on the node.
func checkContracts(ctx context.Context, cfg *Config, c *chain.Client, add func(string, bool, string, ...any)) {
	code, err := c.Eth().CodeAt(ctx, chain.Deployer, nil)
	switch {
	case err != nil:
		add("deployer", false, "could not read %s's code: %v", chain.Deployer.Hex(), err)
	case slices.Equal(code, chain.DeployerCode):
		add("deployer", true, "the deterministic CREATE2 deployer is at %s", chain.Deployer.Hex())
	case len(code) == 0 && cfg.FactoryAddress.Set:
		add("deployer", true, "absent at %s; FACTORY_ADDRESS names the factory", chain.Deployer.Hex())
	case len(code) == 0:
		add("deployer", false, "the chain has no deterministic deployer at %s, so the factory cannot have its own address: deploy it another way and set FACTORY_ADDRESS", chain.Deployer.Hex())
	default:
		add("deployer", false, "%s holds other code than the deterministic deployer's", chain.Deployer.Hex())
	}
	setting := "factory"
	if cfg.FactoryAddress.Set {
		setting = "FACTORY_ADDRESS"
	}
	if err := c.CheckFactory(ctx); err != nil {
		msg := trustbot.ErrorMessage(err)
		if !cfg.FactoryAddress.Set && trustbot.ErrorCode(err) == trustbot.EInvalid {
			msg = missingFactory(ctx, c)
		}
		add(setting, false, "%s", msg)
	} else {
		add(setting, true, "%s is this build's TrustReserveFactory", c.Factory().Hex())
	}
	assets := cfg.Assets.Assets()
	if len(assets) == 0 {
		add("ASSETS", false, "none set: name at least one backing asset, e.g. USDC=0x…")
	}
	for _, a := range assets {
		t, err := c.Token(ctx, a.Address)
		switch {
		case err != nil:
			add("ASSETS", false, "%s=%s: %s", a.Symbol, a.Address.Hex(), trustbot.ErrorMessage(err))
		case t.Native():
			add("ASSETS", true, "%s is the native coin (%d decimals)", a.Symbol, t.Decimals)
		case !strings.EqualFold(t.Symbol, a.Symbol):
			add("ASSETS", true, "%s=%s is an ERC-20 whose symbol() says %q, %d decimals: members type %s", a.Symbol, a.Address.Hex(), t.Symbol, t.Decimals, a.Symbol)
		default:
			add("ASSETS", true, "%s=%s is an ERC-20 with %d decimals", a.Symbol, a.Address.Hex(), t.Decimals)
		}
	}
	// A plain transfer of nothing between two addresses passes on any chain: what matters is how
	// the node ran it.
	probe := []trustbot.Call{{To: common.HexToAddress("0x00000000000000000000000000000000000000d0")}}
	switch err := c.Simulate(ctx, common.HexToAddress("0x00000000000000000000000000000000000000d1"), probe); {
	case err != nil:
		add("ETH_RPC_URL", false, "the pre-flight could not run on the node (%s)", trustbot.ErrorMessage(err))
	case c.SimulateV1Missing():
		add("ETH_RPC_URL", true, "the node lacks eth_simulateV1: the pre-flight falls back to eth_call, one more round trip for a call after an approval")
	default:
		add("ETH_RPC_URL", true, "the node runs eth_simulateV1, the pre-flight's one call")
	}
}

// checkDiscord checks the token with GET /users/@me and, with DISCORD_APP_ID, that the commands
// are registered where the bot registers them (the guild of DISCORD_GUILD_ID, else globally).
func checkDiscord(ctx context.Context, cfg *Config, add func(string, bool, string, ...any)) {
	if cfg.DiscordToken == "" {
		add("DISCORD_TOKEN", true, "not set: trustbot runs the playground")
		return
	}
	s, err := discordgo.New("Bot " + cfg.DiscordToken)
	if err != nil {
		add("DISCORD_TOKEN", false, "%v", err)
		return
	}
	s.Client = &http.Client{Timeout: 10 * time.Second}
	if cfg.DiscordAPIURL.IsSet() {
		s.Client.Transport = viaProxy(cfg.DiscordAPIURL.URL(), http.DefaultTransport)
	}
	me, err := s.User("@me", discordgo.WithContext(ctx))
	if err != nil {
		var re *discordgo.RESTError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized {
			add("DISCORD_TOKEN", false, "Discord refuses it (401 Unauthorized): copy the bot token again from the Developer Portal (Bot → Reset Token)")
		} else {
			add("DISCORD_TOKEN", false, "Discord could not be asked who the token is (%v)", err)
		}
		return
	}
	add("DISCORD_TOKEN", true, "the bot %s (%s)", me.Username, me.ID)
	if cfg.DiscordAppID == "" {
		return
	}
	where := "globally"
	if cfg.DiscordGuildID != "" {
		where = "in guild " + cfg.DiscordGuildID
	}
	got, err := s.ApplicationCommands(cfg.DiscordAppID, cfg.DiscordGuildID, discordgo.WithContext(ctx))
	if err != nil {
		add("DISCORD_APP_ID", false, "%s: its commands could not be listed %s (%v)", cfg.DiscordAppID, where, err)
		return
	}
	have := map[string]bool{}
	for _, c := range got {
		have[c.Name] = true
	}
	var missing []string
	for _, c := range bot.Commands(commands.New(commands.Services{})) {
		if !have[c.Name] {
			missing = append(missing, "/"+c.Name)
		}
	}
	if len(missing) > 0 {
		add("DISCORD_APP_ID", false, "%s: %s not registered %s yet: they register when trustbot starts with this token", cfg.DiscordAppID, strings.Join(missing, ", "), where)
		return
	}
	add("DISCORD_APP_ID", true, "%s: all %d commands are registered %s", cfg.DiscordAppID, len(have), where)
}

// checkPublicURL asks PUBLIC_URL for its index page from this machine.
func checkPublicURL(ctx context.Context, cfg *Config, add func(string, bool, string, ...any)) {
	u := strings.TrimRight(cfg.PublicURL.String(), "/")
	if u == "" {
		add("PUBLIC_URL", true, "not set: links point at LISTEN_ADDR %s, reachable from this machine only", cfg.ListenAddr)
		return
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u+"/", nil)
	if err != nil {
		add("PUBLIC_URL", false, "%s: %v", u, err)
		return
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		add("PUBLIC_URL", false, "%s does not answer from this machine (%v): is the bot running, and does PUBLIC_URL reach its LISTEN_ADDR?", u, err)
		return
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		add("PUBLIC_URL", false, "%s answers %s, not the bot's page: does it reach LISTEN_ADDR %s?", u, res.Status, cfg.ListenAddr)
		return
	}
	add("PUBLIC_URL", true, "%s answers from this machine", u)
}

// checkDatabase opens the bot's database (migrating it, as the bot would at start) and writes.
// On PostgreSQL it also says who holds the leader lease.
func checkDatabase(ctx context.Context, cfg *Config, add func(string, bool, string, ...any)) {
	if cfg.DatabaseURL.IsSet() {
		checkPostgres(ctx, cfg, add)
		return
	}
	path := cfg.dbPath("trustbot.db")
	db, err := store.Open(ctx, path, time.Now)
	if err != nil {
		add("DB_PATH", false, "%s cannot be opened: %v", path, err)
		return
	}
	defer db.Close()
	if _, err := db.MarkInteraction(ctx, fmt.Sprintf("doctor-%d", time.Now().UnixNano())); err != nil {
		add("DB_PATH", false, "%s cannot be written: %v", path, err)
		return
	}
	v, _ := db.SchemaVersion(ctx)
	add("DB_PATH", true, "%s is writable (schema %d)", path, v)
}

// checkPostgres checks DATABASE_URL: the server answers, the schema is one this build knows
// (migrating it as the bot would), the database takes a write, and who holds the leader lease.
// A refusal is the sentence the bot's start gives.
func checkPostgres(ctx context.Context, cfg *Config, add func(string, bool, string, ...any)) {
	shown := cfg.DatabaseURL.Redacted()
	octx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	db, err := store.Open(octx, cfg.DatabaseURL.String(), time.Now)
	if err != nil {
		add("DATABASE_URL", false, "%s", strings.TrimPrefix(cfg.DatabaseURL.problem(err).Error(), "DATABASE_URL "))
		return
	}
	defer db.Close()
	if _, err := db.MarkInteraction(octx, fmt.Sprintf("doctor-%d", time.Now().UnixNano())); err != nil {
		add("DATABASE_URL", false, "%s is reachable but cannot be written (%s)", shown, cfg.DatabaseURL.scrub(err))
		return
	}
	v, err := db.SchemaVersion(octx)
	if err != nil {
		add("DATABASE_URL", false, "%s: the schema version cannot be read (%s)", shown, cfg.DatabaseURL.scrub(err))
		return
	}
	holder, epoch, err := db.LeaseHolder(octx, store.LeaderLease)
	switch {
	case err != nil:
		add("DATABASE_URL", false, "%s: the leader lease cannot be read (%s)", shown, cfg.DatabaseURL.scrub(err))
	case holder == "":
		add("DATABASE_URL", true, "%s is reachable and writable (PostgreSQL, schema %d); nobody holds the leader lease, so no bot indexes the chain now", shown, v)
	default:
		add("DATABASE_URL", true, "%s is reachable and writable (PostgreSQL, schema %d); the leader lease is held by %s (epoch %d)", shown, v, holder, epoch)
	}
}
