package stage_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trustbot/trustbot/internal/stage"
)

// TestRun_Bound: of 50 pieces of work started at once on a stage of 3, never more than 3 run at
// a time, and all of them run.
func TestRun_Bound(t *testing.T) {
	s := stage.New(3)
	var running, most, ran atomic.Int64
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if err := s.Run(context.Background(), 0, func(context.Context) {
				n := running.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				time.Sleep(time.Millisecond)
				running.Add(-1)
				ran.Add(1)
			}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if most.Load() != 3 || ran.Load() != 50 {
		t.Fatalf("at most %d ran at once and %d ran in all; want 3 and 50", most.Load(), ran.Load())
	}
}

// hold runs work on s that holds its slot until the returned function is called.
func hold(t *testing.T, s *stage.Stage) (release func()) {
	t.Helper()
	started, done := make(chan struct{}), make(chan struct{})
	go s.Run(context.Background(), 0, func(context.Context) {
		close(started)
		<-done
	})
	<-started
	return sync.OnceFunc(func() { close(done) })
}

// queue starts work on s that records its name in order when it runs.
func queue(t *testing.T, s *stage.Stage, wg *sync.WaitGroup, order *[]string, mu *sync.Mutex, name string) {
	t.Helper()
	wg.Go(func() {
		s.Run(context.Background(), 0, func(context.Context) {
			mu.Lock()
			*order = append(*order, name)
			mu.Unlock()
		})
	})
}

// TestRun_ArrivalOrder: work that waits for a turn gets it in the order it came.
func TestRun_ArrivalOrder(t *testing.T) {
	s := stage.New(1)
	release := hold(t, s)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		order []string
	)
	for i, name := range []string{"a", "b", "c", "d"} {
		queue(t, s, &wg, &order, &mu, name)
		waitFor(t, func() bool { return s.Waiting() == i+1 }, name+" queued")
	}
	release()
	wg.Wait()
	if got := join(order); got != "a|b|c|d" {
		t.Fatalf("ran in the order %q, want a|b|c|d", got)
	}
}

// TestOutside: work waiting outside gives its slot to the next piece of work, and coming back
// it goes before work that has not started.
func TestOutside(t *testing.T) {
	s := stage.New(1)
	var (
		mu    sync.Mutex
		order []string
	)
	note := func(name string) {
		mu.Lock()
		order = append(order, name)
		mu.Unlock()
	}
	outside, back := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		s.Run(context.Background(), 0, func(ctx context.Context) {
			note("a in")
			done := stage.Outside(ctx)
			close(outside)
			<-back
			done()
			note("a back")
		})
	})
	<-outside
	// a is outside: b gets the slot while a waits.
	releaseB := make(chan struct{})
	bIn := make(chan struct{})
	wg.Go(func() {
		s.Run(context.Background(), 0, func(context.Context) {
			note("b")
			close(bIn)
			<-releaseB
		})
	})
	<-bIn
	// c waits for a turn; then a comes back: a goes first when b is done.
	wg.Go(func() {
		s.Run(context.Background(), 0, func(context.Context) { note("c") })
	})
	waitFor(t, func() bool { return s.Waiting() == 1 }, "c waiting")
	close(back)
	waitFor(t, func() bool { return s.Waiting() == 2 }, "a waiting to come back")
	close(releaseB)
	wg.Wait()
	if got := join(order); got != "a in|b|a back|c" {
		t.Fatalf("got %q, want a in|b|a back|c", got)
	}
}

// TestRun_ContextEndsWhileWaiting: work whose context ends before its turn does not run, Run
// says why, and the turn it was waiting for is not lost.
func TestRun_ContextEndsWhileWaiting(t *testing.T) {
	s := stage.New(1)
	release := hold(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	ran := false
	if err := s.Run(ctx, 0, func(context.Context) { ran = true }); !errors.Is(err, context.DeadlineExceeded) || ran {
		t.Fatalf("Run = %v and ran %v; want context.DeadlineExceeded and not run", err, ran)
	}
	if s.Waiting() != 0 {
		t.Fatalf("%d still waiting, want none", s.Waiting())
	}
	release()
	done := make(chan struct{})
	go s.Run(context.Background(), 0, func(context.Context) { close(done) })
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the stage's one slot was lost")
	}
}

// TestOutside_ContextEndsOutside: work whose context ends while it waits for its slot back
// returns at once and finishes without one; the stage keeps its slots.
func TestOutside_ContextEndsOutside(t *testing.T) {
	s := stage.New(1)
	ctx, cancel := context.WithCancel(context.Background())
	outside, finished := make(chan struct{}), make(chan struct{})
	go s.Run(ctx, 0, func(ctx context.Context) {
		done := stage.Outside(ctx)
		close(outside)
		<-ctx.Done()
		done()
		close(finished)
	})
	<-outside
	release := hold(t, s)
	cancel()
	select {
	case <-finished:
	case <-time.After(5 * time.Second):
		t.Fatal("work whose context ended was still waiting for its slot back")
	}
	release()
	for range 3 {
		if err := s.Run(context.Background(), 0, func(context.Context) {}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestOutside_Nested: two waits outside at once give the slot up once and take it back once,
// when both are over; a wait still outside when the work ends keeps no slot.
func TestOutside_Nested(t *testing.T) {
	s := stage.New(1)
	var late func()
	s.Run(context.Background(), 0, func(ctx context.Context) {
		one, two := stage.Outside(ctx), stage.Outside(ctx)
		// The slot is free while either wait is under way.
		if err := s.Run(context.Background(), 0, func(context.Context) {}); err != nil {
			t.Fatal(err)
		}
		one()
		if err := s.Run(context.Background(), 0, func(context.Context) {}); err != nil {
			t.Fatal(err)
		}
		two()
		two() // a second call does nothing
		late = stage.Outside(ctx)
	})
	late()
	for range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := s.Run(ctx, 0, func(context.Context) {})
		cancel()
		if err != nil {
			t.Fatalf("the slot was lost: %v", err)
		}
	}
}

// TestRun_Wait: work that gets no slot within wait does not run and Run says so; work that
// gets one in time runs with ctx as it was, the wait's bound not carried into it.
func TestRun_Wait(t *testing.T) {
	s := stage.New(1)
	release := hold(t, s)
	ran := false
	if err := s.Run(context.Background(), 20*time.Millisecond, func(context.Context) { ran = true }); !errors.Is(err, context.DeadlineExceeded) || ran {
		t.Fatalf("Run = %v and ran %v; want context.DeadlineExceeded and not run", err, ran)
	}
	time.AfterFunc(20*time.Millisecond, release)
	var bounded bool
	if err := s.Run(context.Background(), 5*time.Second, func(ctx context.Context) { _, bounded = ctx.Deadline() }); err != nil {
		t.Fatal(err)
	}
	if bounded {
		t.Fatal("the work's context has the wait's deadline, want none")
	}
}

// TestOutside_NoStage: outside of any stage, Outside does nothing.
func TestOutside_NoStage(t *testing.T) {
	stage.Outside(context.Background())()
}

func waitFor(t *testing.T, ok func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func join(s []string) string { return strings.Join(s, "|") }
