package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/trustbot/trustbot/store"
)

// leader runs the work only one process at a time may run (the indexer with its request expiry,
// and the notice outbox) while this process holds store.LeaderLease. It takes or renews the
// lease every third of the TTL; it stops the work at once when a renewal says another process
// has the lease, and, by a watchdog of its own, when no renewal has succeeded for the TTL less
// half an interval, so that the work has stopped before the lease can pass to another process.
// On shutdown it stops the work and gives the lease up, for a standby to take within one
// interval.
type leader struct {
	db       *store.DB
	postgres bool // the database is PostgreSQL, shared by processes of many machines
	holder   string
	ttl      time.Duration
	log      *slog.Logger
	// start begins the work and returns the function that stops it, waiting until it has.
	start func() (stop func())

	mu           sync.Mutex
	stopWork     func() // nil while the work is not running
	epoch        int64
	lastOK       time.Time // when the last successful renewal was sent
	stopRenewing context.CancelFunc
}

// newLeader is a leader over db, a PostgreSQL database when postgres is set, with a holder id of
// its own: host name, pid and a random part.
func newLeader(db *store.DB, postgres bool, ttl time.Duration, log *slog.Logger, start func() (stop func())) *leader {
	return &leader{db: db, postgres: postgres, holder: leaderID(), ttl: ttl, log: log, start: start}
}

// leaderID names this process as a lease holder: host name, pid and 4 random bytes, so two
// processes never share one, even one whose pid a dead process had.
func leaderID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}

// interval is how often the lease is taken or renewed: a third of its TTL.
func (l *leader) interval() time.Duration { return l.ttl / 3 }

// Run holds the lease until ctx ends, running the work while it does; then it stops the work and
// releases the lease.
func (l *leader) Run(ctx context.Context) {
	rctx, stopRenewing := context.WithCancel(ctx)
	l.mu.Lock()
	l.stopRenewing = stopRenewing
	l.mu.Unlock()
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		l.watch(ctx)
	}()
	l.renew(rctx)
	<-ctx.Done()
	<-watched
	held := l.lose("")
	rel, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := l.db.ReleaseLease(rel, store.LeaderLease, l.holder); err != nil {
		l.log.Warn("leader: the lease could not be released; a standby takes it when it runs out", "holder", l.holder, "err", err)
	} else if held {
		l.log.Info("leader: released the lease", "holder", l.holder)
	}
}

// Running reports whether the work runs now, and the epoch of the lease it runs under.
func (l *leader) Running() (bool, int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stopWork != nil, l.epoch
}

// hang stops renewing the lease without releasing it or stopping the work, as a process that
// hangs would: the watchdog stops the work once the lease may have run out.
func (l *leader) hang() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopRenewing != nil {
		l.stopRenewing()
	}
}

// renew takes or renews the lease now and every interval until ctx ends.
func (l *leader) renew(ctx context.Context) {
	l.freeDeadHolder(ctx)
	tick := time.NewTicker(l.interval())
	defer tick.Stop()
	failing := false
	for {
		sent := time.Now()
		actx, cancel := context.WithTimeout(ctx, l.interval())
		held, epoch, err := l.db.Lease(actx, store.LeaderLease, l.holder, l.ttl)
		cancel()
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			if !failing {
				l.log.Warn("leader: the lease could not be renewed", "holder", l.holder, "err", err)
			}
			failing = true
		case !held:
			failing = false
			l.lose("another process holds it")
		default:
			failing = false
			l.hold(sent, epoch)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// watch stops the work when no renewal has succeeded for the TTL less half an interval.
func (l *leader) watch(ctx context.Context) {
	tick := time.NewTicker(l.interval() / 4)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		l.mu.Lock()
		expired := l.stopWork != nil && time.Since(l.lastOK) >= l.ttl-l.interval()/2
		l.mu.Unlock()
		if expired {
			l.lose("no renewal succeeded within the lease's TTL")
		}
	}
}

// hold records a successful renewal sent at sent, starting the work if it is not running. A
// renewal under another epoch than the work's means the lease passed through another holder:
// the work starts again under the new one.
func (l *leader) hold(sent time.Time, epoch int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lastOK = sent
	if l.stopWork != nil && l.epoch == epoch {
		return
	}
	if l.stopWork != nil {
		l.stopWork()
		l.stopWork = nil
		l.log.Info("leader: lost the lease", "holder", l.holder, "epoch", l.epoch, "why", "it passed through another holder")
	}
	l.epoch = epoch
	l.stopWork = l.start()
	l.log.Info("leader: took the lease", "holder", l.holder, "epoch", epoch, "ttl", l.ttl)
}

// lose stops the work if it runs, saying why unless why is empty (a shutdown); it reports
// whether the work was running.
func (l *leader) lose(why string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopWork == nil {
		return false
	}
	l.stopWork()
	l.stopWork = nil
	if why != "" {
		l.log.Info("leader: lost the lease", "holder", l.holder, "epoch", l.epoch, "why", why)
	}
	return true
}

// freeDeadHolder releases, on SQLite, a lease whose holder was a process of this machine that
// has died (a crash or a kill leaves its lease to run out): the file is one machine's, so a
// holder named with this host name is a process here, and a pid that no process has is a dead
// one. On PostgreSQL the lease runs out instead, as other machines' processes cannot be seen.
func (l *leader) freeDeadHolder(ctx context.Context) {
	if l.postgres {
		return
	}
	holder, _, err := l.db.LeaseHolder(ctx, store.LeaderLease)
	if err != nil || holder == "" || holder == l.holder {
		return
	}
	host, _ := os.Hostname()
	rest, ok := strings.CutPrefix(holder, host+"-")
	if !ok {
		return
	}
	pidText, _, _ := strings.Cut(rest, "-")
	pid, err := strconv.Atoi(pidText)
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		return
	}
	if err := l.db.ReleaseLease(ctx, store.LeaderLease, holder); err == nil {
		l.log.Info("leader: released the lease of a process that has died", "dead", holder)
	}
}
