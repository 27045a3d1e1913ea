package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sethvargo/go-envconfig"

	"github.com/trustbot/trustbot/internal/pgtest"
	"github.com/trustbot/trustbot/store"
)

// leaderTTL is the lease's TTL in the leader tests: short, so that a hung holder is replaced
// within seconds.
const leaderTTL = 1500 * time.Millisecond

// workLog counts the leaders whose work runs, and remembers the most that ever ran at once.
type workLog struct {
	mu      sync.Mutex
	running map[string]bool
	most    int
	starts  int
}

// start is a leader's work for name: it runs until the returned function is called.
func (w *workLog) start(name string) func() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.running[name] = true
	w.starts++
	w.most = max(w.most, len(w.running))
	return func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(w.running, name)
	}
}

// who is the names whose work runs now.
func (w *workLog) who() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for n := range w.running {
		out = append(out, n)
	}
	return out
}

func (w *workLog) peak() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.most
}

// testLeader is one process's leader over its own handle on the database, running until stop.
type testLeader struct {
	l    *leader
	logs *syncBuffer
	stop func()
}

func startTestLeader(t *testing.T, dsn, name string, w *workLog) *testLeader {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	l := newLeader(db, store.IsPostgres(dsn), leaderTTL, log, func() func() { return w.start(name) })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.Run(ctx)
	}()
	tl := &testLeader{l: l, logs: logs}
	var once sync.Once
	tl.stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(tl.stop)
	return tl
}

func (tl *testLeader) log() string { s, _ := tl.logs.Since(0); return s }

// pollUntil waits, with a generous deadline, until cond holds, failing with what otherwise.
func pollUntil(t *testing.T, limit time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			t.Fatalf("after %s: %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// TestLeaderLease: two leaders over one database, on SQLite and on PostgreSQL. Exactly one runs
// the work at a time; a holder that stops hands over to the standby within about one renew
// interval; a holder that hangs (stops renewing without releasing) stops its own work before
// its lease can pass, and the standby takes over within the TTL and one interval.
func TestLeaderLease(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			dsn := filepath.Join(t.TempDir(), "leader.db")
			if backend == "postgres" {
				dsn = pgtest.URL(t)
			}
			w := &workLog{running: map[string]bool{}}
			a := startTestLeader(t, dsn, "a", w)
			pollUntil(t, 10*time.Second, "a never ran the work", func() bool { return len(w.who()) == 1 })
			b := startTestLeader(t, dsn, "b", w)
			first := w.who()[0]
			holder, standby := a, b
			if first == "b" {
				holder, standby = b, a
			}
			// The standby stays one while the holder renews, for several TTLs.
			time.Sleep(3 * leaderTTL)
			if got := w.who(); len(got) != 1 || got[0] != first {
				t.Fatalf("after 3 TTLs: got %v running, want only %s", got, first)
			}
			if !strings.Contains(holder.log(), "leader: took the lease") || !strings.Contains(holder.log(), "epoch=") {
				t.Errorf("holder's log: got %q, want \"leader: took the lease\" with its epoch", holder.log())
			}

			// A holder that stops releases: the standby takes over within about one interval.
			holder.stop()
			if !strings.Contains(holder.log(), "leader: released the lease") {
				t.Errorf("stopped holder's log: got %q, want \"leader: released the lease\"", holder.log())
			}
			took := pollUntil(t, 10*time.Second, "the standby never took over after a release", func() bool { return len(w.who()) == 1 })
			t.Logf("%s: hand-over after a release: %s (interval %s)", backend, took.Round(time.Millisecond), leaderTTL/3)
			if took > leaderTTL {
				t.Errorf("hand-over after a release: got %s, want within about one interval (%s), surely under the TTL", took, leaderTTL/3)
			}

			// The new holder hangs: a third process takes over within TTL + one interval of the
			// hang, and the hung one has stopped its work by then.
			c := startTestLeader(t, dsn, "c", w)
			hung := standby
			hangAt := time.Now()
			hung.l.hang()
			pollUntil(t, 10*time.Second, "nobody took over from a hung holder", func() bool {
				got := w.who()
				return len(got) == 1 && got[0] == "c"
			})
			t.Logf("%s: take-over from a hung holder: %s (TTL %s + interval %s)", backend, time.Since(hangAt).Round(time.Millisecond), leaderTTL, leaderTTL/3)
			if running, _ := hung.l.Running(); running {
				t.Errorf("the hung holder still runs its work after the take-over")
			}
			if !strings.Contains(hung.log(), "leader: lost the lease") {
				t.Errorf("hung holder's log: got %q, want \"leader: lost the lease\"", hung.log())
			}
			if got := w.peak(); got != 1 {
				t.Errorf("most leaders running at once: got %d, want 1", got)
			}
			_, epoch := c.l.Running()
			dbHolder, dbEpoch, err := c.l.db.LeaseHolder(context.Background(), store.LeaderLease)
			if err != nil || dbHolder != c.l.holder || dbEpoch != epoch {
				t.Errorf("lease row: got holder %q epoch %d (err %v), want %q epoch %d", dbHolder, dbEpoch, err, c.l.holder, epoch)
			}
		})
	}
}

// TestLeaderFreesDeadHolder: on SQLite, a lease left by a process of this machine that has died
// is released at once by the next process, which need not wait for it to run out.
func TestLeaderFreesDeadHolder(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "leader.db")
	db, err := store.Open(context.Background(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	host := strings.Split(leaderID(), "-")
	dead := fmt.Sprintf("%s-%d-deadbeef", strings.Join(host[:len(host)-2], "-"), 1<<22+7) // beyond pid_max's default
	if held, _, err := db.Lease(context.Background(), store.LeaderLease, dead, time.Hour); err != nil || !held {
		t.Fatalf("the dead process's lease: got %v, %v", held, err)
	}
	w := &workLog{running: map[string]bool{}}
	l := startTestLeader(t, dsn, "next", w)
	pollUntil(t, 10*time.Second, "the next process never took a dead process's lease", func() bool { return len(w.who()) == 1 })
	if !strings.Contains(l.log(), "released the lease of a process that has died") {
		t.Errorf("log: got %q, want the dead holder's lease released", l.log())
	}
}

// TestConfigLeaseTTL: LEASE_TTL defaults to 15s and is refused below 3s or unreadable.
func TestConfigLeaseTTL(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  string // "" = valid
		ttl   time.Duration
	}{
		{"", "", 15 * time.Second},
		{"3s", "", 3 * time.Second},
		{"1m", "", time.Minute},
		{"2s", "LEASE_TTL must be at least 3s (the leader renews its lease every third of it), got 2s", 0},
		{"-5s", "LEASE_TTL must be at least 3s", 0},
		{"soon", `configuration: LEASE_TTL must be a duration like 15s or 1m, got "soon" (see .env.example)`, 0},
	} {
		env := map[string]string{}
		if tc.value != "" {
			env["LEASE_TTL"] = tc.value
		}
		cfg, err := parseConfig(context.Background(), envconfig.MapLookuper(env))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("LEASE_TTL=%q: got %v, want valid", tc.value, err)
		case tc.want == "" && cfg.LeaseTTL != tc.ttl:
			t.Errorf("LEASE_TTL=%q: got %s, want %s", tc.value, cfg.LeaseTTL, tc.ttl)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("LEASE_TTL=%q: got %v, want %q", tc.value, err, tc.want)
		}
	}
}
