package ledger

import (
	"encoding/csv"
	"io"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/trustbot/trustbot"
)

// EscapeCell makes a text cell safe to open in a spreadsheet: a cell that begins with =, +, -,
// @, a tab or a carriage return is read as a formula by Excel, LibreOffice or Google Sheets
// ("@" is Lotus's formula prefix, which Excel still honours), so it gets a leading single
// quote, as OWASP's CSV-injection advice says. Member names are written bare ("bob", not
// "@bob"), so that only a name that itself begins so is quoted. Amounts are never passed through it: they are numbers the bot wrote, and a negative
// number is not a formula.
func EscapeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// names is how the export shows each member, by user id: their name without a leading "@", or
// their id when they have no name.
type names map[string]string

func namesOf(members []trustbot.Member) names {
	n := make(names, len(members))
	for _, m := range members {
		n[m.ID] = nameOf(m)
	}
	return n
}

func nameOf(m trustbot.Member) string {
	if name := strings.TrimPrefix(m.Name, "@"); name != "" {
		return name
	}
	return m.ID
}

func (n names) of(userID string) string {
	if userID == "" {
		return ""
	}
	if s, ok := n[userID]; ok {
		return s
	}
	return userID
}

// WriteEntries writes entries as CSV: a header, then one row per entry with its date (RFC 3339,
// UTC; empty when unknown), number, kind, memo, payer, redeemer (the creditor, for a
// settlement), amount, asset, split mode, each member's share (empty when they had none) and
// transaction hash (empty off chain). There is a share column per member, in members' order,
// then one per user with a share who is not among members (a member who left), by id, so each
// row's shares add up to its amount. Text cells go through EscapeCell; amounts are plain
// decimals.
func WriteEntries(w io.Writer, entries []trustbot.Entry, members []trustbot.Member) error {
	nm := namesOf(members)
	column := make(map[string]int, len(members))
	var ids []string
	for _, m := range members {
		if _, dup := column[m.ID]; !dup {
			column[m.ID] = len(ids)
			ids = append(ids, m.ID)
		}
	}
	var others []string
	for _, e := range entries {
		for _, s := range e.Shares {
			if _, ok := column[s.UserID]; !ok {
				column[s.UserID] = -1 // numbered below, once sorted
				others = append(others, s.UserID)
			}
		}
	}
	slices.Sort(others)
	for _, id := range others {
		column[id] = len(ids)
		ids = append(ids, id)
	}

	cw := csv.NewWriter(w)
	const fixed = 9
	header := append(make([]string, 0, fixed+len(ids)+1), "date", "n", "kind", "memo", "payer", "redeemer", "amount", "asset", "split")
	for _, id := range ids {
		header = append(header, EscapeCell(nm.of(id)))
	}
	if err := cw.Write(append(header, "tx")); err != nil {
		return err
	}
	row := make([]string, fixed+len(ids)+1)
	shares := make([]*big.Int, len(ids))
	for _, e := range entries {
		other := e.Redeemer
		if e.Kind == trustbot.EntrySettle {
			other = e.To
		}
		row[0] = ""
		if !e.CreatedAt.IsZero() {
			row[0] = e.CreatedAt.UTC().Format(time.RFC3339)
		}
		row[1] = strconv.Itoa(e.N)
		row[2] = EscapeCell(string(e.Kind))
		row[3] = EscapeCell(e.Memo)
		row[4] = EscapeCell(nm.of(e.Payer))
		row[5] = EscapeCell(nm.of(other))
		row[6] = trustbot.FormatAmount(trustbot.OrZero(e.Amount), e.Asset.Decimals)
		row[7] = EscapeCell(e.Asset.Symbol)
		row[8] = EscapeCell(string(e.Split))
		clear(shares)
		for _, s := range e.Shares {
			c := column[s.UserID]
			if shares[c] == nil {
				shares[c] = new(big.Int)
			}
			shares[c].Add(shares[c], trustbot.OrZero(s.Amount))
		}
		for c, v := range shares {
			row[fixed+c] = ""
			if v != nil {
				row[fixed+c] = trustbot.FormatAmount(v, e.Asset.Decimals)
			}
		}
		row[len(row)-1] = ""
		if e.Kind.OnChain() && e.TxHash != (common.Hash{}) {
			row[len(row)-1] = e.TxHash.Hex()
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteBalances writes balances as CSV: member, asset, paid, consumed, settled and net, the
// figures as plain decimals in the asset's units, the text cells through EscapeCell.
func WriteBalances(w io.Writer, balances []trustbot.Balance, members []trustbot.Member) error {
	nm := namesOf(members)
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"member", "asset", "paid", "consumed", "settled", "net"}); err != nil {
		return err
	}
	for _, b := range balances {
		d := b.Asset.Decimals
		if err := cw.Write([]string{
			EscapeCell(nm.of(b.UserID)),
			EscapeCell(b.Asset.Symbol),
			trustbot.FormatAmount(trustbot.OrZero(b.Paid), d),
			trustbot.FormatAmount(trustbot.OrZero(b.Consumed), d),
			trustbot.FormatAmount(trustbot.OrZero(b.Settled), d),
			trustbot.FormatAmount(trustbot.OrZero(b.Net), d),
		}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
