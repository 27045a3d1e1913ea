package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/bot/discordtest"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/internal/nginxtest"
	"github.com/trustbot/trustbot/internal/pgtest"
	"github.com/trustbot/trustbot/store"
)

// enableStatementStats loads pg_stat_statements into srv (it must be preloaded, so the server
// restarts) and returns a connection to its postgres database that can read and reset it.
func enableStatementStats(tb testing.TB, srv *pgtest.Server) *sql.DB {
	tb.Helper()
	admin, err := sql.Open("pgx", srv.AdminURL)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := admin.Exec(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`); err != nil {
		tb.Fatal(err)
	}
	admin.Close()
	if err := srv.Stop(); err != nil {
		tb.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		tb.Fatal(err)
	}
	admin, err = sql.Open("pgx", srv.AdminURL)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { admin.Close() })
	if _, err := admin.Exec(`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		tb.Fatal(err)
	}
	return admin
}

// logTopStatements logs the statements that took the most execution time since the last reset,
// beside the wall time of the run: what dominates, and how much of the run the server spent.
func logTopStatements(tb testing.TB, admin *sql.DB, wall time.Duration) {
	tb.Helper()
	rows, err := admin.Query(`
		SELECT calls, total_exec_time, rows, query FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 8`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "run: %.0f ms wall; statements by server execution time:\n", float64(wall.Microseconds())/1000)
	for rows.Next() {
		var (
			calls, nrows int64
			ms           float64
			query        string
		)
		if err := rows.Scan(&calls, &ms, &nrows, &query); err != nil {
			tb.Fatal(err)
		}
		query = strings.Join(strings.Fields(query), " ")
		if len(query) > 140 {
			query = query[:140] + "…"
		}
		fmt.Fprintf(&b, "  %8.1f ms %6d calls %7d rows  %s\n", ms, calls, nrows, query)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	tb.Log(b.String())
}

// Load shape of BenchmarkAckBehindNginx.
const (
	scaleAckRate     = 1250            // interactions per second, open loop, in all: a quarter over the floor
	scaleAckDuration = 4 * time.Second // how long they are fired
)

// BenchmarkAckBehindNginx fires signed /trust interactions (a chain command, so each is
// acknowledged with a deferral) at Debian's nginx in front of two processes of the real binary
// (the deployment build) serving the HTTP interactions endpoint over one durable PostgreSQL, at
// 1,250/s in all (a quarter over the floor) for 4 s, open loop: each request on its own
// goroutine at its scheduled time. The chain the processes started on hangs before the load: it
// accepts connections and never answers, so every deferred piece of work waits on it while the
// load runs. A request's latency runs from its scheduled send time until the acknowledgement's
// body has been read. Reports interactions/s (acks received ÷ wall time from the first send to
// the last ack), p50-ms, p99-ms and max-ms (issue 15's floor: ≥ 1,000/s in all at p99 ≤ 50 ms).
func BenchmarkAckBehindNginx(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "trustbot")
	if out, err := exec.Command("go", "build", "-o", bin, "-tags", deployTags, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	pg := pgtest.New(b, pgtest.Options{Durable: true})
	statements := enableStatementStats(b, pg)
	for range b.N {
		lat, elapsed := runScaleAckLoad(b, bin, pg, statements)
		slices.Sort(lat)
		pct := func(p float64) float64 {
			return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
		}
		b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "interactions/s")
		b.ReportMetric(pct(0.50), "p50-ms")
		b.ReportMetric(pct(0.99), "p99-ms")
		b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
	}
}

func runScaleAckLoad(b *testing.B, bin string, pg *pgtest.Server, statements *sql.DB) ([]time.Duration, time.Duration) {
	b.StopTimer()
	ctx := b.Context()
	r := newScaleRun(b, bin, pg)
	addrA, addrB := loopbackAddr(b), loopbackAddr(b)
	lb, nx := nginxtest.Start(b, []string{addrA, addrB})
	r.public = "http://" + lb
	instances := []*scaleBot{r.startBot("http-a", addrA, "DISCORD_GATEWAY=false"), r.startBot("http-b", addrB, "DISCORD_GATEWAY=false")}
	b.Cleanup(func() {
		for _, p := range instances {
			p.cmd.Process.Signal(syscall.SIGKILL)
		}
	})

	// Alice and Bob are linked and Alice has a reserve, as the indexer records it: /trust finds
	// it in the projection and then asks the chain for its live backing.
	db, err := store.Open(ctx, r.dbURL, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	alice, bob := chain.Wallet{Key: chain.DevKey("alice")}.Address(), chain.Wallet{Key: chain.DevKey("bob")}.Address()
	for _, u := range []struct {
		id   string
		addr common.Address
	}{{discordAlice.ID, alice}, {discordBob.ID, bob}} {
		if _, err := db.LinkWallet(ctx, trustbot.WalletLink{UserID: u.id, Address: u.addr, ChainID: 1337, Method: "dev"}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.AddReserve(ctx, trustbot.Reserve{
		Address: common.HexToAddress("0x00000000000000000000000000000000000000c1"), Issuer: alice, ChainID: 1337, CreatedBlock: 1,
		Name: "alice tUSD", Symbol: "ALICE-tUSD", Decimals: 6, Asset: trustbot.Token{Symbol: "tUSD", Address: r.chain.TestUSD(), Decimals: 6},
	}); err != nil {
		b.Fatal(err)
	}
	db.Close()
	for _, p := range instances {
		p.gate.hang()
	}

	// Every request is built and signed before the clock starts.
	n := int(scaleAckRate * scaleAckDuration / time.Second)
	reqs := make([]*http.Request, n)
	for i := range reqs {
		body := discordtest.SlashCommand(testAppID, testGuildID, testChannel, discordAlice, "trust",
			option("member", discordtest.OptionUser, discordBob), option("amount", discordtest.OptionString, "5"))
		reqs[i] = discordtest.SignedRequest(r.public+"/interactions", r.priv, body, time.Now())
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute}}

	if _, err := statements.ExecContext(ctx, `SELECT pg_stat_statements_reset()`); err != nil {
		b.Fatal(err)
	}
	cpu0 := cpuByProgram(b)
	b.StartTimer()
	lat, elapsed, errs := discordtest.SendDeferred(hc, reqs, time.Second/scaleAckRate)
	b.StopTimer()
	cpu1 := cpuByProgram(b)
	var used strings.Builder
	for _, prog := range slices.Sorted(maps.Keys(cpu1)) {
		if d := cpu1[prog] - cpu0[prog]; d > 10*time.Millisecond {
			fmt.Fprintf(&used, "  %-16s %5.2f s of CPU (%3.0f%% of one core)\n", prog, d.Seconds(), 100*d.Seconds()/elapsed.Seconds())
		}
	}
	b.Logf("CPU used while the load ran (%.2f s, 2 cores):\n%s", elapsed.Seconds(), used.String())
	logTopStatements(b, statements, elapsed)
	kinds := map[string]int{}
	failed := 0
	for _, err := range errs {
		kinds[err.Error()]++
		failed++
	}
	if failed > 0 {
		b.Fatalf("%d of %d interactions failed: %v\nnginx: %s", failed, n, kinds, tail(nx.Log(), 2000))
	}
	return lat, elapsed
}

// tail is the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// cpuByProgram sums the CPU time (user and system) every process on the machine has used so
// far, by program name (/proc/PID/comm): where the cores went during a load.
func cpuByProgram(tb testing.TB) map[string]time.Duration {
	tb.Helper()
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		tb.Skipf("no /proc: %v", err)
	}
	tick := 100.0 // USER_HZ on Linux
	out := map[string]time.Duration{}
	for _, d := range dirs {
		if _, err := strconv.Atoi(d.Name()); err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid … utime stime: fields 14 and 15, counted after the comm's ")".
		open, end := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
		if open < 0 || end < open {
			continue
		}
		fields := strings.Fields(string(stat[end+1:]))
		if len(fields) < 13 {
			continue
		}
		ut, _ := strconv.ParseFloat(fields[11], 64)
		st, _ := strconv.ParseFloat(fields[12], 64)
		out[string(stat[open+1:end])] += time.Duration((ut + st) / tick * float64(time.Second))
	}
	return out
}
