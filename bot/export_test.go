package bot

import (
	"context"
	"sync"
	"time"
)

// SetClock makes the member lookup read the time from now, so that tests can let its cache
// expire.
func (m *Members) SetClock(now func() time.Time) { m.now = now }

// HoldWork keeps every one of the bot's workers busy, as long work in the process would, until
// release is called.
func (b *Bot) HoldWork() (release func()) {
	done := make(chan struct{})
	for range b.cfg.Workers {
		started := make(chan struct{})
		go b.work.Run(context.Background(), 0, func(context.Context) {
			close(started)
			<-done
		})
		<-started
	}
	return sync.OnceFunc(func() { close(done) })
}
