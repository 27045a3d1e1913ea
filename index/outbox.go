package index

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/store"
)

// Outbox defaults.
const (
	DefaultOutboxInterval = time.Second
	outboxBatch           = 1000
	firstRetry            = time.Second
	maxRetry              = 5 * time.Minute
)

// Composer writes a pending notice's sentence from the store, without the chain. A Notice with
// no Text means there is nothing to say: it leaves the outbox unsent.
type Composer func(ctx context.Context, n store.OutboxNotice) (trustbot.Notice, error)

// OutboxOptions configures an Outbox.
type OutboxOptions struct {
	Interval time.Duration    // between passes; 0 means DefaultOutboxInterval
	Now      func() time.Time // the clock of retries; nil means time.Now
	Logger   *slog.Logger
}

// Outbox delivers the notice outbox at least once: a notice leaves it only when the adapter says
// it delivered it. A failure to compose or to deliver leaves it pending, retried with back-off
// (1 s doubling to 5 min); notices of one channel go out in chain order, so one waiting for its
// retry holds back the later ones of its channel. It runs in its own loop: a slow or failing
// adapter never stalls indexing.
type Outbox struct {
	db      *store.DB
	compose Composer
	n       trustbot.Notifier
	o       OutboxOptions
	log     *slog.Logger
	wake    chan struct{}
	quit    chan struct{}
	once    sync.Once
}

// NewOutbox makes the delivery loop of db's outbox to n.
func NewOutbox(db *store.DB, compose Composer, n trustbot.Notifier, o OutboxOptions) *Outbox {
	if o.Interval <= 0 {
		o.Interval = DefaultOutboxInterval
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Outbox{db: db, compose: compose, n: n, o: o, log: o.Logger.With("component", "outbox"), wake: make(chan struct{}, 1), quit: make(chan struct{})}
}

// Wake makes Run pass again now (the indexer applied a chunk, a transaction was reported).
func (b *Outbox) Wake() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// Stop makes Run return once its current pass is over: a notice being delivered is also marked,
// so a clean shutdown does not deliver it again after a restart. Cancelling Run's context stops it
// at once instead.
func (b *Outbox) Stop() { b.once.Do(func() { close(b.quit) }) }

// Run delivers every Interval, and when woken, until Stop or until ctx is done.
func (b *Outbox) Run(ctx context.Context) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-b.quit:
			return nil
		case <-t.C:
		case <-b.wake:
		}
		if err := b.Deliver(ctx); err != nil && ctx.Err() == nil {
			b.log.Error("notice outbox pass failed", "err", err)
		}
		if !t.Stop() {
			select {
			case <-t.C:
			default:
			}
		}
		t.Reset(b.o.Interval)
	}
}

// Deliver makes one pass over the pending notices. It returns an error only when the store
// fails; a notice that cannot be composed or delivered is logged and retried later.
func (b *Outbox) Deliver(ctx context.Context) error {
	pending, err := b.db.PendingNotices(ctx, outboxBatch)
	if err != nil {
		return err
	}
	now := b.o.Now()
	held := map[string]bool{} // channels whose earlier notice is still pending
	for _, p := range pending {
		if held[p.Channel] {
			continue
		}
		if p.NextAttempt.After(now) {
			held[p.Channel] = true
			continue
		}
		n, err := b.compose(ctx, p)
		if err == nil && n.Text != "" {
			err = b.n.Notice(ctx, n)
		}
		if errors.Is(err, trustbot.ErrUndeliverable) {
			b.log.Error("notice refused for good; it leaves the outbox", "tx", p.TxHash.Hex(), "channel", p.Channel, "err", err)
			if derr := b.db.NoticeDropped(ctx, p.TxHash, err.Error()); derr != nil {
				return errors.Join(err, derr)
			}
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			held[p.Channel] = true
			retry := backoff(p.Attempts)
			b.log.Warn("notice not delivered; retrying", "tx", p.TxHash.Hex(), "attempt", p.Attempts+1, "retry_in", retry, "err", err)
			if ferr := b.db.NoticeFailed(ctx, p.TxHash, err.Error(), now.Add(retry)); ferr != nil {
				return errors.Join(err, ferr)
			}
			continue
		}
		if err := b.db.NoticeDelivered(ctx, p.TxHash); err != nil {
			// Delivered but not marked: the next pass delivers it again, and the notice's nonce
			// makes the repeat harmless.
			return err
		}
	}
	return nil
}

// backoff is the wait before the next attempt after attempts failed ones.
func backoff(attempts int) time.Duration {
	d := firstRetry
	for i := 0; i < attempts && d < maxRetry; i++ {
		d *= 2
	}
	return min(d, maxRetry)
}
