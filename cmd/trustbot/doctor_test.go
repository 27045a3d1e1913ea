package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/trustbot/trustbot/bot"
	"github.com/trustbot/trustbot/bot/discordtest"
	"github.com/trustbot/trustbot/chain/chaintest"
	"github.com/trustbot/trustbot/chain/devchain"
	"github.com/trustbot/trustbot/commands"
	"github.com/trustbot/trustbot/internal/pgtest"
	"github.com/trustbot/trustbot/store"
)

// TestDoctor: every check passes against a dev chain with the factory, the fake Discord with the
// commands registered, a reachable PUBLIC_URL and a writable database; then one setting at a
// time is broken, and exactly its line fails, saying what to do.
func TestDoctor(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	node := startNode(t, ctx)
	bare, err := devchain.Start(ctx, devchain.Options{Members: devMembers, Addr: "127.0.0.1:0", WithoutFactory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bare.Close)
	alice, _ := node.Member("alice")
	fake := discordtest.NewServer(t)
	s, _ := discordgo.New("Bot doctor-token")
	s.Client = &http.Client{Transport: viaProxy(mustURL(t, fake.URL), http.DefaultTransport)}
	if _, err := s.ApplicationCommandBulkOverwrite(testAppID, testGuildID, bot.Commands(commands.New(commands.Services{}))); err != nil {
		t.Fatal(err)
	}
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("trustbot")) }))
	defer page.Close()
	dead := closedURL(t)
	base := func(change map[string]string) map[string]string {
		env := map[string]string{"DATA_DIR": t.TempDir(), "LISTEN_ADDR": "127.0.0.1:0", "ETH_RPC_URL": node.URL(), "CHAIN_ID": "1337",
			"ASSETS": "tUSD=" + node.TestUSD().Hex() + ",ETH=native", "DISCORD_TOKEN": "doctor-token", "DISCORD_APP_ID": testAppID,
			"DISCORD_GUILD_ID": testGuildID, "DISCORD_API_URL": fake.URL, "PUBLIC_URL": page.URL}
		for k, v := range change {
			env[k] = v
		}
		return env
	}
	for _, tc := range []struct {
		name    string
		env     map[string]string
		before  func()
		setting string // the one line that fails; "" = none
		says    string
	}{
		{name: "all ok", env: base(nil)},
		{name: "a node without eth_simulateV1: the fallback, still ok", env: base(map[string]string{"ETH_RPC_URL": chaintest.NewRefuser(t, node.URL(), func(r chaintest.Request) (int, string, bool) {
			return -32601, "the method eth_simulateV1 does not exist/is not available", r.Method == "eth_simulateV1"
		}).URL})},
		{name: "an unreachable node", env: base(map[string]string{"ETH_RPC_URL": dead}), setting: "ETH_RPC_URL", says: "the node does not answer"},
		{name: "CHAIN_ID of another chain", env: base(map[string]string{"CHAIN_ID": "1"}), setting: "CHAIN_ID", says: "is 1 but the node is on chain 1337"},
		{name: "no factory yet", env: base(map[string]string{"ETH_RPC_URL": bare.URL(), "ASSETS": "tUSD=" + bare.TestUSD().Hex()}), setting: "factory", says: "yet: deploy it once from your own wallet with trustbot deploy --from YOUR_ADDRESS"},
		{name: "an account as FACTORY_ADDRESS", env: base(map[string]string{"FACTORY_ADDRESS": alice.Address().Hex()}), setting: "FACTORY_ADDRESS", says: "has no contract"},
		{name: "an account as an asset", env: base(map[string]string{"ASSETS": "USDC=" + alice.Address().Hex()}), setting: "ASSETS", says: "USDC=" + alice.Address().Hex()},
		{name: "a token Discord refuses", env: base(nil), before: func() { fake.Fail("GET", discordtest.TemplateMe, http.StatusUnauthorized, 0, 1) },
			setting: "DISCORD_TOKEN", says: "Discord refuses it (401 Unauthorized)"},
		{name: "commands not registered in that guild", env: base(map[string]string{"DISCORD_GUILD_ID": "1300000000000000003"}), setting: "DISCORD_APP_ID", says: "not registered in guild 1300000000000000003 yet"},
		{name: "a PUBLIC_URL nobody answers", env: base(map[string]string{"PUBLIC_URL": dead}), setting: "PUBLIC_URL", says: "does not answer from this machine"},
		{name: "a database that cannot be opened", env: base(map[string]string{"DB_PATH": t.TempDir()}), setting: "DB_PATH", says: "cannot be opened"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.before != nil {
				tc.before()
			}
			var out bytes.Buffer
			err := runDoctor(ctx, testConfig(t, tc.env), &out)
			var fails []string
			for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
				if strings.HasPrefix(l, "FAIL ") {
					fails = append(fails, l)
				} else if !strings.HasPrefix(l, "ok   ") {
					t.Errorf("line %q: want ok or FAIL first", l)
				}
			}
			t.Logf("doctor printed:\n%s", out.String())
			if tc.setting == "" {
				if err != nil || len(fails) > 0 {
					t.Fatalf("got %v and\n%s\nwant every line ok", err, out.String())
				}
				return
			}
			if !errors.Is(err, errDoctor) || len(fails) != 1 || !strings.HasPrefix(fails[0], "FAIL "+tc.setting+": ") || !strings.Contains(fails[0], tc.says) {
				t.Fatalf("got %v and\n%s\nwant one FAIL line, for %s, saying %q", err, out.String(), tc.setting, tc.says)
			}
		})
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestDoctorPostgres: with DATABASE_URL the database line says the server is reachable, the
// schema version and who holds the leader lease, with the password redacted; each refusal is the
// sentence the start gives.
func TestDoctorPostgres(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	node := startNode(t, ctx)
	good := pgtest.URL(t)
	gp, _ := url.Parse(good)
	password, _ := gp.User.Password()
	held := pgtest.URL(t)
	db, err := store.Open(ctx, held, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, err := db.Lease(ctx, store.LeaderLease, "bot-a-1", time.Hour); err != nil || !ok {
		t.Fatalf("lease: %v %v", ok, err)
	}
	db.Close()
	newer := newerDatabase(t)
	dead := withPassword(t, "postgres://trustbot@127.0.0.1:"+strconv.Itoa(closedPort(t))+"/trustbot?sslmode=disable", password)
	redact := func(u string) string { return strings.Replace(u, ":"+password+"@", ":xxxxx@", 1) }
	for _, tc := range []struct {
		name string
		dsn  string
		ok   bool
		says string
	}{
		{"nobody leads", good, true, redact(good) + " is reachable and writable (PostgreSQL, schema "},
		{"a leader", held, true, "; the leader lease is held by bot-a-1 (epoch 1)"},
		{"an unreachable server", dead, false, redact(dead) + " names a server that cannot be reached ("},
		{"a wrong password", withPassword(t, good, "wrong"), false, withPassword(t, good, "xxxxx") + " refused the user name or password"},
		{"no such database", withDatabase(t, good, "absent"), false, redact(withDatabase(t, good, "absent")) + " names a database that does not exist on that server"},
		{"a newer schema", newer, false, redact(newer) + " was migrated by a newer trustbot; run that build, or restore a backup made for this one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"DATA_DIR": t.TempDir(), "LISTEN_ADDR": "127.0.0.1:0", "ETH_RPC_URL": node.URL(),
				"ASSETS": "tUSD=" + node.TestUSD().Hex(), "DATABASE_URL": tc.dsn}
			var out bytes.Buffer
			runDoctor(ctx, testConfig(t, env), &out)
			var line string
			for _, l := range strings.Split(out.String(), "\n") {
				if strings.Contains(l, " DATABASE_URL: ") {
					line = l
				}
				if strings.Contains(l, "DB_PATH") {
					t.Errorf("line %q: want no DB_PATH line with DATABASE_URL", l)
				}
			}
			mark := "FAIL DATABASE_URL: "
			if tc.ok {
				mark = "ok   DATABASE_URL: "
			}
			if !strings.HasPrefix(line, mark) || !strings.Contains(line, tc.says) {
				t.Errorf("got %q in\n%s\nwant a line starting %q containing %q", line, out.String(), mark, tc.says)
			}
			if strings.Contains(out.String(), password) {
				t.Errorf("doctor printed the password:\n%s", out.String())
			}
		})
	}
}
