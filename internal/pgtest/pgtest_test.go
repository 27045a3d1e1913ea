package pgtest

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { Main(m) }

func connect(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connecting to %s: %v", url, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func tableCount(t testing.TB, conn *pgx.Conn) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(),
		"SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestURLsAreSeparateEmptyDatabases(t *testing.T) {
	a, b := URL(t), URL(t)
	if a == b {
		t.Fatalf("got the same URL twice, %s, want two databases", a)
	}
	ca, cb := connect(t, a), connect(t, b)
	for _, c := range []struct {
		name string
		conn *pgx.Conn
	}{{"first", ca}, {"second", cb}} {
		if got := tableCount(t, c.conn); got != 0 {
			t.Errorf("%s database: got %d tables, want 0", c.name, got)
		}
	}
	if _, err := ca.Exec(context.Background(), "CREATE TABLE ledger (id bigint PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	if got := tableCount(t, ca); got != 1 {
		t.Errorf("first database after CREATE TABLE: got %d tables, want 1", got)
	}
	if got := tableCount(t, cb); got != 0 {
		t.Errorf("second database after CREATE TABLE in the first: got %d tables, want 0", got)
	}
}

func TestDatabaseDroppedAtCleanup(t *testing.T) {
	var name string
	t.Run("uses", func(t *testing.T) {
		conn := connect(t, URL(t))
		if err := conn.QueryRow(context.Background(), "SELECT current_database()").Scan(&name); err != nil {
			t.Fatal(err)
		}
	})
	admin := connect(t, shared.AdminURL)
	var n int
	if err := admin.QueryRow(context.Background(), "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("database %s after its test ended: got %d rows in pg_database, want 0", name, n)
	}
}

func TestExternalServer(t *testing.T) {
	own := New(t, Options{})
	ext := External(own.AdminURL)
	conn := connect(t, ext.NewDatabase(t))
	if got := tableCount(t, conn); got != 0 {
		t.Errorf("database on an external server: got %d tables, want 0", got)
	}
	for _, c := range []struct {
		name string
		call func() error
	}{{"Stop", ext.Stop}, {"Kill", ext.Kill}, {"Start", ext.Start}} {
		if err := c.call(); err == nil {
			t.Errorf("%s on an external server: got no error, want a refusal", c.name)
		}
	}
	if err := ext.Close(); err != nil {
		t.Fatalf("Close on an external server: %v", err)
	}
	if err := conn.Ping(context.Background()); err != nil {
		t.Errorf("after Close on an external server: ping got %v, want the server still running", err)
	}
}

func TestRestartKeepsData(t *testing.T) {
	for _, opts := range []Options{{}, {Durable: true}} {
		t.Run(fmt.Sprintf("Durable=%v", opts.Durable), func(t *testing.T) {
			s := New(t, opts)
			conn := connect(t, s.NewDatabase(t))
			ctx := context.Background()
			if _, err := conn.Exec(ctx, "CREATE TABLE trips (id bigint PRIMARY KEY, amount numeric NOT NULL)"); err != nil {
				t.Fatal(err)
			}
			url := conn.Config().ConnString()
			for i, halt := range []struct {
				name string
				stop func() error
			}{{"Stop", s.Stop}, {"Kill", s.Kill}} {
				if _, err := conn.Exec(ctx, "INSERT INTO trips VALUES ($1, '1000000000000000000000')", i); err != nil {
					t.Fatal(err)
				}
				if err := halt.stop(); err != nil {
					t.Fatalf("%s: %v", halt.name, err)
				}
				if err := conn.Ping(ctx); err == nil {
					t.Fatalf("after %s: ping got no error, want the connection gone", halt.name)
				}
				if err := s.Start(); err != nil {
					t.Fatalf("Start after %s: %v", halt.name, err)
				}
				conn = connect(t, url)
				var n int
				if err := conn.QueryRow(ctx, "SELECT count(*) FROM trips WHERE amount = 1000000000000000000000").Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != i+1 {
					t.Errorf("after %s and Start: got %d rows, want %d", halt.name, n, i+1)
				}
			}
		})
	}
}

func TestRunsAsPostgresUnderRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("not root: the server runs as this user")
	}
	conn := connect(t, URL(t))
	var dir string
	if err := conn.QueryRow(context.Background(), "SHOW data_directory").Scan(&dir); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := user.Lookup("postgres")
	if err != nil {
		t.Fatal(err)
	}
	if got := strconv.Itoa(int(fi.Sys().(*syscall.Stat_t).Uid)); got != pg.Uid {
		t.Errorf("data directory %s: got owner uid %s, want the postgres user's %s", dir, got, pg.Uid)
	}
}

// cleanupTB runs the cleanups that NewDatabase registers when the benchmark says, once per
// iteration, instead of at the end of the benchmark.
type cleanupTB struct {
	testing.TB
	cleanups []func()
}

func (c *cleanupTB) Cleanup(f func()) { c.cleanups = append(c.cleanups, f) }

// BenchmarkURL measures what URL costs a test once the server is up: creating the database, and
// dropping it at cleanup.
func BenchmarkURL(b *testing.B) {
	URL(b)
	var create, drop time.Duration
	for b.Loop() {
		tb := &cleanupTB{TB: b}
		start := time.Now()
		URL(tb)
		mid := time.Now()
		for _, f := range tb.cleanups {
			f()
		}
		create += mid.Sub(start)
		drop += time.Since(mid)
	}
	b.ReportMetric(float64(create.Microseconds())/1000/float64(b.N), "create-ms/op")
	b.ReportMetric(float64(drop.Microseconds())/1000/float64(b.N), "drop-ms/op")
}
