package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"sort"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
)

// The projection is the state the events imply, kept beside them in the same transaction:
// per reserve its outstanding supply and accounted backing, per reserve and holder the trust
// token balance and budget.
//
//	Transfer: the sender's balance falls and the receiver's grows; a mint adds to the supply,
//	          a burn takes from it and, unless a Revoked follows, pays out backing.
//	Trusted:  the holder's budget grows.
//	Revoked:  the burnt holder's budget falls, saturating at zero; the burn paid nothing.
//	Deposited, Withdrawn: the backing grows or falls.

type accountKey struct{ reserve, holder common.Address }

type accountState struct {
	balance, budget *big.Int
	known           bool // a row exists
}

type reserveState struct {
	outstanding, backing *big.Int
}

// projector applies events to the projection rows it loads on first use and writes back the
// ones it changed.
type projector struct {
	tx       *tx
	accounts map[accountKey]*accountState
	reserves map[common.Address]*reserveState
	// lastBurn is each reserve's burn just applied: a Revoked right after it names its holder
	// and undoes its payout.
	lastBurn map[common.Address]*lastBurn
}

type lastBurn struct {
	holder common.Address
	amount *big.Int
	tx     common.Hash
	index  uint
}

func newProjector(t *tx) *projector {
	return &projector{tx: t, accounts: map[accountKey]*accountState{}, reserves: map[common.Address]*reserveState{},
		lastBurn: map[common.Address]*lastBurn{}}
}

func (p *projector) account(ctx context.Context, reserve, holder common.Address) (*accountState, error) {
	k := accountKey{reserve, holder}
	if a, ok := p.accounts[k]; ok {
		return a, nil
	}
	a := &accountState{balance: new(big.Int), budget: new(big.Int)}
	var bal, budget string
	err := p.tx.QueryRowContext(ctx, `SELECT balance, budget FROM accounts WHERE reserve = ? AND holder = ?`,
		addrText(reserve), addrText(holder)).Scan(&bal, &budget)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("store: projection: account: %w", err)
	default:
		var e1, e2 error
		a.balance, e1 = parseBig(bal)
		a.budget, e2 = parseBig(budget)
		if err := errors.Join(e1, e2); err != nil {
			return nil, fmt.Errorf("store: projection: account: %w", err)
		}
		a.known = true
	}
	p.accounts[k] = a
	return a, nil
}

// reserve is the reserve's state, or nil when the reserve is not known (its events are kept,
// but there is no projection to keep for it).
func (p *projector) reserve(ctx context.Context, addr common.Address) (*reserveState, error) {
	if r, ok := p.reserves[addr]; ok {
		return r, nil
	}
	var out, backing string
	err := p.tx.QueryRowContext(ctx, `SELECT outstanding, backing FROM reserves WHERE address = ?`, addrText(addr)).Scan(&out, &backing)
	if errors.Is(err, sql.ErrNoRows) {
		p.reserves[addr] = nil
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("store: projection: reserve: %w", err)
	}
	r := &reserveState{}
	var e1, e2 error
	r.outstanding, e1 = parseBig(out)
	r.backing, e2 = parseBig(backing)
	if err := errors.Join(e1, e2); err != nil {
		return nil, fmt.Errorf("store: projection: reserve: %w", err)
	}
	p.reserves[addr] = r
	return r, nil
}

func (p *projector) apply(ctx context.Context, events []trustbot.Event) error {
	for _, e := range events {
		if _, ok := e.Data.(*trustbot.ReserveCreated); ok {
			continue
		}
		r, err := p.reserve(ctx, e.Address)
		if err != nil {
			return err
		}
		if r == nil {
			continue
		}
		switch d := e.Data.(type) {
		case *trustbot.Transfer:
			delete(p.lastBurn, e.Address)
			if d.Mint() {
				r.outstanding.Add(r.outstanding, d.Amount)
			} else {
				a, err := p.account(ctx, e.Address, d.From)
				if err != nil {
					return err
				}
				a.balance.Sub(a.balance, d.Amount)
			}
			if d.Burn() {
				r.outstanding.Sub(r.outstanding, d.Amount)
				r.backing.Sub(r.backing, d.Amount) // a redemption pays out, unless Revoked follows
				p.lastBurn[e.Address] = &lastBurn{holder: d.From, amount: d.Amount, tx: e.TxHash, index: e.LogIndex}
			} else {
				a, err := p.account(ctx, e.Address, d.To)
				if err != nil {
					return err
				}
				a.balance.Add(a.balance, d.Amount)
			}
		case *trustbot.Trusted:
			a, err := p.account(ctx, e.Address, d.Holder)
			if err != nil {
				return err
			}
			a.budget.Add(a.budget, d.Amount)
		case *trustbot.Revoked:
			burn := p.lastBurn[e.Address]
			delete(p.lastBurn, e.Address)
			if burn == nil || burn.tx != e.TxHash || burn.index+1 != e.LogIndex {
				return fmt.Errorf("store: projection: Revoked in block %d log %d does not follow its burn", e.Block.Number, e.LogIndex)
			}
			r.backing.Add(r.backing, burn.amount)
			a, err := p.account(ctx, e.Address, burn.holder)
			if err != nil {
				return err
			}
			if d.Amount.Cmp(a.budget) >= 0 {
				a.budget.SetInt64(0)
			} else {
				a.budget.Sub(a.budget, d.Amount)
			}
		case *trustbot.Deposited:
			r.backing.Add(r.backing, d.Amount)
		case *trustbot.Withdrawn:
			r.backing.Sub(r.backing, d.Amount)
		}
	}
	return nil
}

// flush writes the changed rows; an account with neither balance nor budget is deleted.
func (p *projector) flush(ctx context.Context) error {
	keys := make([]accountKey, 0, len(p.accounts))
	for k := range p.accounts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if c := keys[i].reserve.Cmp(keys[j].reserve); c != 0 {
			return c < 0
		}
		return keys[i].holder.Cmp(keys[j].holder) < 0
	})
	for _, k := range keys {
		a := p.accounts[k]
		if a.balance.Sign() < 0 {
			return fmt.Errorf("store: projection: %s would hold %s of %s", k.holder.Hex(), a.balance, k.reserve.Hex())
		}
		var err error
		if a.balance.Sign() == 0 && a.budget.Sign() == 0 {
			if a.known {
				_, err = p.tx.ExecContext(ctx, `DELETE FROM accounts WHERE reserve = ? AND holder = ?`, addrText(k.reserve), addrText(k.holder))
			}
		} else {
			_, err = p.tx.ExecContext(ctx, `INSERT INTO accounts (reserve, holder, balance, budget) VALUES (?, ?, ?, ?)
				ON CONFLICT (reserve, holder) DO UPDATE SET balance = excluded.balance, budget = excluded.budget`,
				addrText(k.reserve), addrText(k.holder), a.balance.String(), a.budget.String())
		}
		if err != nil {
			return fmt.Errorf("store: projection: write account: %w", err)
		}
	}
	for addr, r := range p.reserves {
		if r == nil {
			continue
		}
		if r.outstanding.Sign() < 0 {
			return fmt.Errorf("store: projection: %s would have %s outstanding", addr.Hex(), r.outstanding)
		}
		if _, err := p.tx.ExecContext(ctx, `UPDATE reserves SET outstanding = ?, backing = ? WHERE address = ?`,
			r.outstanding.String(), r.backing.String(), addrText(addr)); err != nil {
			return fmt.Errorf("store: projection: write reserve: %w", err)
		}
	}
	p.accounts, p.reserves = map[accountKey]*accountState{}, map[common.Address]*reserveState{}
	return nil
}

// rebuildProjection recomputes the projection of the given reserves (nil: every reserve) from
// the events table alone.
func rebuildProjection(ctx context.Context, tx *tx, only map[common.Address]bool) error {
	reserves, err := findReserves(ctx, tx, ``)
	if err != nil {
		return err
	}
	p := newProjector(tx)
	for _, r := range reserves {
		if only != nil && !only[r.Address] {
			continue
		}
		a := addrText(r.Address)
		if _, err := tx.ExecContext(ctx, `DELETE FROM accounts WHERE reserve = ?`, a); err != nil {
			return fmt.Errorf("store: rebuild projection: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reserves SET outstanding = '0', backing = '0' WHERE address = ?`, a); err != nil {
			return fmt.Errorf("store: rebuild projection: %w", err)
		}
		events, err := findEvents(ctx, tx, `WHERE address = ? ORDER BY block_number, log_index`, a)
		if err != nil {
			return err
		}
		if err := p.apply(ctx, events); err != nil {
			return err
		}
		if err := p.flush(ctx); err != nil {
			return err
		}
	}
	return nil
}

// RebuildProjection recomputes the whole projection from the events table, in one transaction.
func (db *DB) RebuildProjection(ctx context.Context) error {
	return inWrite(ctx, db, "rebuild projection", func(tx *tx) error {
		if err := rebuildProjection(ctx, tx, nil); err != nil {
			return err
		}
		return tx.Commit()
	})
}

// Web reads the indexed web of trust in one read transaction: the cursor, every reserve (a
// layer's backing being its balance in the reserve below), every account with a balance or a
// budget, and every wallet link.
func (db *DB) Web(ctx context.Context) (trustbot.Web, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return trustbot.Web{}, fmt.Errorf("store: web: %w", err)
	}
	defer tx.Rollback()
	var w trustbot.Web
	if c, ok, err := findCursor(ctx, tx); err != nil {
		return trustbot.Web{}, err
	} else if ok {
		w.Block = c
	}
	if w.Reserves, err = findReserves(ctx, tx, ``); err != nil {
		return trustbot.Web{}, err
	}
	if w.Accounts, err = findAccounts(ctx, tx); err != nil {
		return trustbot.Web{}, err
	}
	if w.Links, err = findWalletLinks(ctx, tx); err != nil {
		return trustbot.Web{}, err
	}
	layerBacking(&w)
	return w, nil
}

// layerBacking sets each layer's backing to its balance in the reserve below.
func layerBacking(w *trustbot.Web) {
	index := map[common.Address]int{}
	for i, r := range w.Reserves {
		index[r.Address] = i
	}
	held := map[accountKey]*big.Int{}
	for _, a := range w.Accounts {
		held[accountKey{a.Reserve, a.Holder}] = a.Balance
	}
	for i, r := range w.Reserves {
		if _, layer := index[r.Asset.Address]; layer {
			w.Reserves[i].Backing = new(big.Int).Set(trustbot.OrZero(held[accountKey{r.Asset.Address, r.Address}]))
		}
	}
}

func findAccounts(ctx context.Context, tx *tx) ([]trustbot.Account, error) {
	rows, err := tx.QueryContext(ctx, `SELECT a.reserve, a.holder, a.balance, a.budget FROM accounts a
		JOIN reserves r ON r.address = a.reserve
		ORDER BY r.created_block, r.address, length(a.budget) DESC, a.budget DESC, a.holder`) // largest budget first
	if err != nil {
		return nil, fmt.Errorf("store: accounts: %w", err)
	}
	defer rows.Close()
	var out []trustbot.Account
	for rows.Next() {
		var res, holder, bal, budget string
		if err := rows.Scan(&res, &holder, &bal, &budget); err != nil {
			return nil, fmt.Errorf("store: accounts: %w", err)
		}
		var a trustbot.Account
		var errs [4]error
		a.Reserve, errs[0] = parseAddr(res)
		a.Holder, errs[1] = parseAddr(holder)
		a.Balance, errs[2] = parseBig(bal)
		a.Budget, errs[3] = parseBig(budget)
		if err := errors.Join(errs[:]...); err != nil {
			return nil, fmt.Errorf("store: accounts: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: accounts: %w", err)
	}
	return out, nil
}

func findWalletLinks(ctx context.Context, tx *tx) ([]trustbot.WalletLink, error) {
	rows, err := tx.QueryContext(ctx, `SELECT user_id, address, chain_id, method, proven_at FROM wallet_links ORDER BY user_id`)
	if err != nil {
		return nil, fmt.Errorf("store: wallet links: %w", err)
	}
	defer rows.Close()
	var out []trustbot.WalletLink
	for rows.Next() {
		var (
			l            trustbot.WalletLink
			addr, proven string
			chainID      int64
		)
		if err := rows.Scan(&l.UserID, &addr, &chainID, &l.Method, &proven); err != nil {
			return nil, fmt.Errorf("store: wallet links: %w", err)
		}
		var e1, e2 error
		l.Address, e1 = parseAddr(addr)
		l.ProvenAt, e2 = parseTime(proven)
		if err := errors.Join(e1, e2); err != nil {
			return nil, fmt.Errorf("store: wallet links: %w", err)
		}
		l.ChainID = uint64(chainID)
		out = append(out, l)
	}
	return out, rows.Err()
}
