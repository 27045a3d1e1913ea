// Package stage bounds how much background work runs on the process's cores at once.
//
// The work after an acknowledgement (a chain command's reads, its pre-flight, its reply) is
// started by the interactions it answers, as fast as they arrive. Started on goroutines of its
// own it competes with the acknowledgements still to be sent, and a burst of it takes every
// cycle the next acknowledgements need. A Stage runs such work a few at a time, the rest waiting
// in arrival order; a piece of work that waits on something outside the process (a JSON-RPC
// node) steps out of the stage for as long as it waits, so a hung node holds no slot. Work
// coming back from outside goes before work that has not started.
package stage

import (
	"context"
	"sync"
	"time"
)

// Stage is a bounded set of slots. The zero value is not usable; call New.
type Stage struct {
	mu    sync.Mutex
	free  int
	back  []chan struct{} // work coming back from outside, first come first served
	fresh []chan struct{} // work not yet started
}

// New returns a stage of n slots (at least one).
func New(n int) *Stage {
	return &Stage{free: max(n, 1)}
}

type key struct{}

// holder is one piece of work in a stage: whether it holds its slot, and how many of its waits
// outside are under way (a piece of work may wait on several at once).
type holder struct {
	s    *Stage
	mu   sync.Mutex
	held bool
	out  int
	done bool // Run has returned
}

// Run waits for a slot, at most wait (no limit when wait is zero or less) and never past ctx,
// then runs f holding it, with ctx (not bounded by wait) carrying what Outside recognises. It
// returns, without running f, ctx's error when ctx ends first and context.DeadlineExceeded
// when wait passes first.
func (s *Stage) Run(ctx context.Context, wait time.Duration, f func(context.Context)) error {
	wctx := ctx
	if wait > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, wait)
		defer cancel()
	}
	if err := s.acquire(wctx, false); err != nil {
		return err
	}
	h := &holder{s: s, held: true}
	defer func() {
		h.mu.Lock()
		held := h.held
		h.held, h.done = false, true
		h.mu.Unlock()
		if held {
			s.release()
		}
	}()
	f(context.WithValue(ctx, key{}, h))
	return nil
}

// Outside marks the start of a wait outside the process by work running in a stage (ctx is, or
// derives from, the context Run gave it): the slot goes to the next piece of work. The function
// it returns marks the wait's end and takes a slot again, ahead of work not yet started; it
// returns at once when ctx has ended. Call it exactly once. Outside of any stage both do nothing.
func Outside(ctx context.Context) (back func()) {
	h, _ := ctx.Value(key{}).(*holder)
	if h == nil {
		return func() {}
	}
	h.mu.Lock()
	h.out++
	release := h.out == 1 && h.held
	if release {
		h.held = false
	}
	h.mu.Unlock()
	if release {
		h.s.release()
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			h.mu.Lock()
			h.out--
			take := h.out == 0 && !h.held && !h.done
			h.mu.Unlock()
			if !take || h.s.acquire(ctx, true) != nil {
				return
			}
			h.mu.Lock()
			if h.out == 0 && !h.held && !h.done {
				h.held = true
				take = false
			}
			h.mu.Unlock()
			if take {
				// Another wait began, or the work ended, while this one took the slot back.
				h.s.release()
			}
		})
	}
}

// Waiting is how many pieces of work are waiting for a slot.
func (s *Stage) Waiting() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.back) + len(s.fresh)
}

// acquire takes a slot, waiting for one unless ctx ends first.
func (s *Stage) acquire(ctx context.Context, returning bool) error {
	s.mu.Lock()
	if s.free > 0 && len(s.back) == 0 && (returning || len(s.fresh) == 0) {
		s.free--
		s.mu.Unlock()
		return nil
	}
	if err := ctx.Err(); err != nil {
		s.mu.Unlock()
		return err
	}
	ch := make(chan struct{})
	if returning {
		s.back = append(s.back, ch)
	} else {
		s.fresh = append(s.fresh, ch)
	}
	s.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		waiting := remove(&s.back, ch) || remove(&s.fresh, ch)
		s.mu.Unlock()
		if !waiting {
			// The slot was granted as ctx ended: pass it on.
			s.release()
		}
		return ctx.Err()
	}
}

// release gives a slot to the longest-waiting returning work, else to the longest-waiting new
// work, else back to the stage.
func (s *Stage) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range []*[]chan struct{}{&s.back, &s.fresh} {
		if len(*q) > 0 {
			ch := (*q)[0]
			*q = (*q)[1:]
			close(ch)
			return
		}
	}
	s.free++
}

// remove takes ch out of q and reports whether it was there.
func remove(q *[]chan struct{}, ch chan struct{}) bool {
	for i, c := range *q {
		if c == ch {
			*q = append((*q)[:i], (*q)[i+1:]...)
			return true
		}
	}
	return false
}
