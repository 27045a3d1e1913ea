package commands

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/ledger"
)

func (h *handlers) tripDef() Definition {
	return Definition{
		Name: "trip", Description: "A trip's ledger: what the money was for, who is up or down",
		Subcommands: []Definition{
			{Name: "start", Description: "Start a trip in this channel", handler: (*handlers).tripStart, Options: []OptionDef{
				{Name: "name", Description: "what to call it, e.g. Lisbon", Type: String, Required: true},
				{Name: "members", Description: `who is in it besides you, e.g. "@bob @carol"`, Type: String},
				{Name: "asset", Description: "what /spent and /settle count in (default: the first asset)", Type: String, Autocomplete: true},
			}},
			{Name: "join", Description: "Join this channel's trip", handler: (*handlers).tripJoin},
			{Name: "leave", Description: "Leave this channel's trip (once your net is zero)", handler: (*handlers).tripLeave},
			{Name: "balance", Description: "Who paid, who consumed, who is up or down", handler: (*handlers).tripBalance, Options: []OptionDef{
				{Name: "member", Description: "show the entries that make up this member's net", Type: User},
			}},
			{Name: "tag", Description: "Say what an untagged redemption was for", handler: (*handlers).tripTag, Options: []OptionDef{
				{Name: "entry", Description: "the entry's number, from /trip balance", Type: String, Required: true},
				{Name: "for", Description: "what the money was for, e.g. dinner", Type: String, Required: true},
				{Name: "split", Description: `who shared it, e.g. "@alice @bob:2 @carol=10" (default: everyone in the trip)`, Type: String},
			}},
			{Name: "remove", Description: "Take back an expense you recorded with /spent", handler: (*handlers).tripRemove, Options: []OptionDef{
				{Name: "entry", Description: "the entry's number, from /trip balance", Type: String, Required: true},
			}},
			{Name: "end", Description: "End the trip: the summary, the settle plan, the chart and the entries", Chain: true, handler: (*handlers).tripEnd},
			{Name: "reopen", Description: "Reopen this channel's last trip for late entries", handler: (*handlers).tripReopen},
			{Name: "export", Description: "The trip's entries and balances as CSV files", handler: (*handlers).tripExport},
		},
	}
}

func (h *handlers) spentDef() Definition {
	return Definition{
		Name: "spent", Description: "Record money you paid out of pocket for the trip", handler: (*handlers).spent,
		Options: []OptionDef{
			{Name: "amount", Description: "how much, e.g. 30", Type: String, Required: true},
			{Name: "for", Description: "what for, e.g. taxi", Type: String, Required: true},
			{Name: "split", Description: `who shared it, e.g. "@alice @bob:2 @carol=10" (default: everyone in the trip)`, Type: String},
		},
	}
}

// openTrip is the channel's open trip, or a sentence saying there is none (and whether one ended).
func (h *handlers) openTrip(ctx context.Context, r *Request) (trustbot.Trip, error) {
	t, err := h.Store.OpenTrip(ctx, r.GuildID, r.ChannelID)
	if trustbot.ErrorCode(err) == trustbot.ENotFound {
		if last, err := h.Store.LatestTrip(ctx, r.GuildID, r.ChannelID); err == nil {
			return trustbot.Trip{}, trustbot.Errorf(trustbot.EInvalid, "The trip %q has ended; /trip reopen takes late entries, or /trip start begins a new one.", last.Name)
		}
		return trustbot.Trip{}, trustbot.Errorf(trustbot.EInvalid, "There is no open trip in this channel; start one with /trip start name:….")
	}
	return t, err
}

// latestTrip is the channel's open trip, else its last one.
func (h *handlers) latestTrip(ctx context.Context, r *Request) (trustbot.Trip, error) {
	t, err := h.Store.LatestTrip(ctx, r.GuildID, r.ChannelID)
	if trustbot.ErrorCode(err) == trustbot.ENotFound {
		return trustbot.Trip{}, trustbot.Errorf(trustbot.EInvalid, "No trip was started in this channel yet; start one with /trip start name:….")
	}
	return t, err
}

// resolve finds a member named in a text option.
func (h *handlers) resolve(ctx context.Context, r *Request, name string) (trustbot.Member, error) {
	if h.Members == nil {
		return trustbot.Member{}, trustbot.Errorf(trustbot.EInvalid, "I cannot look members up here, so a split cannot name anyone.")
	}
	return h.Members.Member(ctx, r.GuildID, name)
}

// splitParts reads a split option over amount of t; none given: everyone in the trip, equally.
// It checks that the split fits the amount.
func (h *handlers) splitParts(ctx context.Context, r *Request, trip trustbot.Trip, text string, amount *big.Int, t trustbot.Token) ([]trustbot.SplitPart, error) {
	var parts []trustbot.SplitPart
	if strings.TrimSpace(text) == "" {
		members := trip.Members
		if !trip.HasMember(r.User.ID) {
			members = append(append([]trustbot.Member(nil), members...), r.User)
		}
		for _, m := range members {
			parts = append(parts, trustbot.SplitPart{Member: m, Weight: 1})
		}
	} else {
		var err error
		if parts, err = ledger.ParseSplit(text, t, func(name string) (trustbot.Member, error) { return h.resolve(ctx, r, name) }); err != nil {
			return nil, err
		}
	}
	if _, err := ledger.Shares(amount, parts, 0, t); err != nil {
		return nil, err
	}
	return parts, nil
}

// memo checks a for: option.
func memo(text string) (string, error) {
	text = strings.Join(strings.Fields(text), " ")
	if n := len([]rune(text)); n > trustbot.MaxMemo {
		return "", trustbot.Errorf(trustbot.EInvalid, "What it was for (for:) is at most %d characters; that has %d.", trustbot.MaxMemo, n)
	}
	return text, nil
}

// requiredMemo is memo for an option that must say what the money was for, like for:example.
func requiredMemo(text, example string) (string, error) {
	what, err := memo(text)
	if err == nil && what == "" {
		err = trustbot.Errorf(trustbot.EInvalid, "Say what the money was for, like for:%s.", example)
	}
	return what, err
}

func (h *handlers) tripStart(ctx context.Context, r *Request) (*Reply, error) {
	asset, err := h.asset(ctx, r.Option("asset"))
	if err != nil {
		return nil, err
	}
	members := []trustbot.Member{r.User}
	for _, name := range strings.FieldsFunc(r.Option("members"), func(c rune) bool { return c == ' ' || c == ',' }) {
		m, err := h.resolve(ctx, r, name)
		if err != nil {
			return nil, err
		}
		dup := false
		for _, x := range members {
			dup = dup || x.ID == m.ID
		}
		if !dup {
			members = append(members, m)
		}
	}
	t, err := h.Store.StartTrip(ctx, trustbot.Trip{GuildID: r.GuildID, ChannelID: r.ChannelID, Name: r.Option("name"), Asset: asset, StartedBy: r.User.ID, Members: members})
	if err != nil {
		return nil, err
	}
	return &Reply{Text: fmt.Sprintf("Started the trip %q, counted in %s, with %s. A redemption in this channel is a trip expense (say what for with /redeem … for:dinner); /spent records money paid out of pocket; /trip balance shows who is up or down; /settle says who pays whom.",
		t.Name, asset.Symbol, mentions(t.Members))}, nil
}

func mentions(ms []trustbot.Member) string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Mention())
	}
	return andList(out)
}

// andList joins words as a sentence does: "a", "a and b", "a, b and c".
func andList(words []string) string {
	switch len(words) {
	case 0:
		return "nobody"
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

func (h *handlers) tripJoin(ctx context.Context, r *Request) (*Reply, error) {
	t, err := h.openTrip(ctx, r)
	if err != nil {
		return nil, err
	}
	if t, err = h.Store.JoinTrip(ctx, t.ID, r.User); err != nil {
		return nil, err
	}
	return &Reply{Text: fmt.Sprintf("%s joined the trip %q (%d members).", r.User.Mention(), t.Name, len(t.Members))}, nil
}

func (h *handlers) tripLeave(ctx context.Context, r *Request) (*Reply, error) {
	t, err := h.openTrip(ctx, r)
	if err != nil {
		return nil, err
	}
	if t, err = h.Store.LeaveTrip(ctx, t.ID, r.User.ID); err != nil {
		return nil, err
	}
	return &Reply{Text: fmt.Sprintf("%s left the trip %q.", r.User.Mention(), t.Name)}, nil
}

func (h *handlers) spent(ctx context.Context, r *Request) (*Reply, error) {
	t, err := h.openTrip(ctx, r)
	if err != nil {
		return nil, err
	}
	amount, err := trustbot.ParseAmount(r.Option("amount"), t.Asset.Decimals, t.Asset.Symbol)
	if err != nil {
		return nil, err
	}
	what, err := requiredMemo(r.Option("for"), "taxi")
	if err != nil {
		return nil, err
	}
	parts, err := h.splitParts(ctx, r, t, r.Option("split"), amount, t.Asset)
	if err != nil {
		return nil, err
	}
	e, err := h.Store.AddExpense(ctx, trustbot.Entry{TripID: t.ID, Memo: what, Payer: r.User.ID, Asset: t.Asset, Amount: amount, Parts: parts})
	if err != nil {
		return nil, err
	}
	return &Reply{Text: fmt.Sprintf("%s paid %s for %s, %s. (Entry %d of the trip %q; /trip remove %d takes it back.)",
		r.User.Mention(), trustbot.Money(e.Amount, e.Asset.Decimals, e.Asset.Symbol), e.Memo, splitWords(e), e.N, t.Name, e.N)}, nil
}

// previewEntry is the entry a split of amount would make, its shares apportioned as the first
// entry's would be (the leftover smallest units may go to someone else once it is numbered).
func previewEntry(amount *big.Int, parts []trustbot.SplitPart, t trustbot.Token) trustbot.Entry {
	shares, _ := ledger.Shares(amount, parts, 0, t)
	return trustbot.Entry{Amount: amount, Asset: t, Parts: parts, Shares: shares}
}

// splitWords says how an entry was shared: "split 3 ways (15 each)", "split @alice 20, @bob 10",
// "for @bob".
func splitWords(e trustbot.Entry) string {
	if len(e.Shares) == 1 {
		return "for " + trustbot.Mention(e.Shares[0].UserID)
	}
	same := len(e.Shares) > 0
	for _, s := range e.Shares {
		same = same && s.Amount.Cmp(e.Shares[0].Amount) == 0
	}
	if same {
		return fmt.Sprintf("split %d ways (%s each)", len(e.Shares), trustbot.FormatAmount(e.Shares[0].Amount, e.Asset.Decimals))
	}
	var parts []string
	for _, s := range e.Shares {
		parts = append(parts, trustbot.Mention(s.UserID)+" "+trustbot.FormatAmount(s.Amount, e.Asset.Decimals))
	}
	return "split " + strings.Join(parts, ", ")
}

// describeEntry is one entry as a line of /trip balance.
func describeEntry(e trustbot.Entry) string {
	money := trustbot.Money(e.Amount, e.Asset.Decimals, e.Asset.Symbol)
	what := e.Memo
	if what == "" {
		what = "untagged"
	}
	switch e.Kind {
	case trustbot.EntryRedeem:
		line := fmt.Sprintf("#%d %s: %s redeemed %s from %s's reserve", e.N, what, trustbot.Mention(e.Redeemer), money, trustbot.Mention(e.Payer))
		if e.Untagged() {
			return line + fmt.Sprintf(", a loan from %s until tagged (/trip tag %d)", trustbot.Mention(e.Payer), e.N)
		}
		return line + ", " + splitWords(e)
	case trustbot.EntryLayer:
		return fmt.Sprintf("#%d %s, a layer below: %s paid %s for %s's reserve", e.N, what, trustbot.Mention(e.Payer), money, trustbot.Mention(e.Redeemer))
	case trustbot.EntrySettle:
		return fmt.Sprintf("#%d settlement: %s paid %s %s", e.N, trustbot.Mention(e.Payer), trustbot.Mention(e.To), money)
	}
	return fmt.Sprintf("#%d %s: %s paid %s, %s", e.N, what, trustbot.Mention(e.Payer), money, splitWords(e))
}

// signed writes a net with its sign: "+75", "-15", "0".
func signed(v *big.Int, decimals uint8) string {
	if v.Sign() > 0 {
		return "+" + trustbot.FormatAmount(v, decimals)
	}
	if v.Sign() < 0 {
		return "-" + trustbot.FormatAmount(new(big.Int).Neg(v), decimals)
	}
	return "0"
}

// balanceLine is one member's figures in one asset.
func balanceLine(b trustbot.Balance) string {
	d := b.Asset.Decimals
	line := fmt.Sprintf("%s paid %s, consumed %s", trustbot.Mention(b.UserID), trustbot.FormatAmount(b.Paid, d), trustbot.FormatAmount(b.Consumed, d))
	switch b.Settled.Sign() {
	case 1:
		line += ", paid back " + trustbot.FormatAmount(b.Settled, d)
	case -1:
		line += ", was paid back " + trustbot.FormatAmount(new(big.Int).Neg(b.Settled), d)
	}
	return line + fmt.Sprintf(": net %s %s", signed(b.Net, d), b.Asset.Symbol)
}

// tripBalances is a trip's balances with a zero line for each member without entries, in the
// trip's asset first.
func tripBalances(t trustbot.Trip, bs []trustbot.Balance) []trustbot.Balance {
	seen := map[string]bool{}
	var out []trustbot.Balance
	for _, b := range bs {
		if b.Asset.Address == t.Asset.Address {
			out = append(out, b)
			seen[b.UserID] = true
		}
	}
	for _, m := range t.Members {
		if !seen[m.ID] {
			z := new(big.Int)
			out = append(out, trustbot.Balance{UserID: m.ID, Asset: t.Asset, Paid: z, Consumed: z, Settled: z, Net: z})
		}
	}
	for _, b := range bs {
		if b.Asset.Address != t.Asset.Address {
			out = append(out, b)
		}
	}
	return out
}

func (h *handlers) tripBalance(ctx context.Context, r *Request) (*Reply, error) {
	t, err := h.latestTrip(ctx, r)
	if err != nil {
		return nil, err
	}
	bs, err := h.Store.TripBalances(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	state := "open"
	if t.Status == trustbot.TripEnded {
		state = "ended"
	}
	m := r.MemberOption("member")
	if m == nil {
		var b strings.Builder
		fmt.Fprintf(&b, "The trip %q (%s):", t.Name, state)
		for _, x := range tripBalances(t, bs) {
			b.WriteString("\n" + balanceLine(x))
		}
		b.WriteString("\n/trip balance member:@… shows the entries behind a net; /settle says who pays whom.")
		return &Reply{Text: b.String()}, nil
	}
	entries, total, err := h.Store.MemberEntries(ctx, t.ID, m.ID, 60)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s in the trip %q (%s):", m.Mention(), t.Name, state)
	any := false
	for _, x := range bs {
		if x.UserID == m.ID {
			b.WriteString("\n" + balanceLine(x))
			any = true
		}
	}
	if !any {
		fmt.Fprintf(&b, "\n%s has no entries in this trip.", m.Mention())
	}
	var lines []string
	for _, e := range entries {
		share := shareOf(e, m.ID)
		switch {
		case e.Kind == trustbot.EntrySettle && (e.Payer == m.ID || e.To == m.ID):
			lines = append(lines, describeEntry(e))
		case e.Payer == m.ID || share != nil:
			line := describeEntry(e)
			if share != nil && len(e.Shares) > 1 {
				line += fmt.Sprintf("; %s's share %s", m.Mention(), trustbot.FormatAmount(share, e.Asset.Decimals))
			}
			lines = append(lines, line)
		}
	}
	// The latest entries that fit one message (Discord: 2,000 characters), with room for the plan.
	const room = 1700
	shown, size := 0, b.Len()
	for i := len(lines) - 1; i >= 0 && size+len(lines[i])+1 < room; i-- {
		shown++
		size += len(lines[i]) + 1
	}
	if earlier := total - shown; earlier > 0 {
		fmt.Fprintf(&b, "\n(%d earlier entries are in /trip export.)", earlier)
	}
	for _, l := range lines[len(lines)-shown:] {
		b.WriteString("\n" + l)
	}
	if plan, _, err := h.plan(t, bs); err == nil {
		for i, p := range plan {
			if p.From == m.ID || p.To == m.ID {
				fmt.Fprintf(&b, "\nTo settle: %s (/settle pay:%d).", paymentWords(p), i+1)
			}
		}
	}
	return &Reply{Text: b.String()}, nil
}

func shareOf(e trustbot.Entry, userID string) *big.Int {
	for _, s := range e.Shares {
		if s.UserID == userID {
			return s.Amount
		}
	}
	return nil
}

// entryNumber reads an entry option: "3" or "#3".
func entryNumber(text string) (int, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(text), "#"))
	if err != nil || n < 1 {
		return 0, trustbot.Errorf(trustbot.EInvalid, "%q is not an entry number: give the number /trip balance shows, like 3.", text)
	}
	return n, nil
}

func (h *handlers) tripTag(ctx context.Context, r *Request) (*Reply, error) {
	t, err := h.openTrip(ctx, r)
	if err != nil {
		return nil, err
	}
	n, err := entryNumber(r.Option("entry"))
	if err != nil {
		return nil, err
	}
	what, err := requiredMemo(r.Option("for"), "dinner")
	if err != nil {
		return nil, err
	}
	target, err := h.Store.TripEntry(ctx, t.ID, n)
	if trustbot.ErrorCode(err) == trustbot.ENotFound {
		return nil, trustbot.Errorf(trustbot.EInvalid, "The trip %q has no entry %d; /trip balance member:@… lists them.", t.Name, n)
	} else if err != nil {
		return nil, err
	}
	parts, err := h.splitParts(ctx, r, t, r.Option("split"), target.Amount, target.Asset)
	if err != nil {
		return nil, err
	}
	e, err := h.Store.TagEntry(ctx, t.ID, n, r.User.ID, what, parts)
	if err != nil {
		return nil, err
	}
	return &Reply{Text: fmt.Sprintf("Entry %d is now %s: %s paid %s for it, %s.", e.N, e.Memo, trustbot.Mention(e.Payer),
		trustbot.Money(e.Amount, e.Asset.Decimals, e.Asset.Symbol), splitWords(e))}, nil
}

func (h *handlers) tripRemove(ctx context.Context, r *Request) (*Reply, error) {
	t, err := h.openTrip(ctx, r)
	if err != nil {
		return nil, err
	}
	n, err := entryNumber(r.Option("entry"))
	if err != nil {
		return nil, err
	}
	e, err := h.Store.RemoveExpense(ctx, t.ID, n, r.User.ID)
	if err != nil {
		return nil, err
	}
	return &Reply{Text: fmt.Sprintf("%s took back entry %d: %s paid for %s. The trip's balances no longer count it.", r.User.Mention(), e.N,
		trustbot.Money(e.Amount, e.Asset.Decimals, e.Asset.Symbol), e.Memo)}, nil
}

func (h *handlers) tripReopen(ctx context.Context, r *Request) (*Reply, error) {
	t, err := h.latestTrip(ctx, r)
	if err != nil {
		return nil, err
	}
	if t, err = h.Store.ReopenTrip(ctx, t.ID); err != nil {
		return nil, err
	}
	return &Reply{Text: fmt.Sprintf("The trip %q is open again for late entries; /trip end closes it.", t.Name)}, nil
}

// plan is the settle plan of a trip, per asset (the trip's first).
func (h *handlers) plan(t trustbot.Trip, bs []trustbot.Balance) ([]trustbot.Payment, bool, error) {
	type group struct {
		asset trustbot.Token
		nets  map[string]*big.Int
	}
	var groups []*group
	at := map[string]*group{}
	for _, b := range tripBalances(t, bs) {
		k := b.Asset.Address.Hex()
		g, ok := at[k]
		if !ok {
			g = &group{asset: b.Asset, nets: map[string]*big.Int{}}
			at[k] = g
			groups = append(groups, g)
		}
		g.nets[b.UserID] = b.Net
	}
	var out []trustbot.Payment
	exact := true
	for _, g := range groups {
		ps, ex, err := ledger.Plan(g.nets)
		if err != nil {
			return nil, false, err
		}
		exact = exact && ex
		for _, p := range ps {
			p.Asset = g.asset
			out = append(out, p)
		}
	}
	return out, exact, nil
}

// paymentWords is one transfer: "@bob pays @alice 15 tUSD".
func paymentWords(p trustbot.Payment) string {
	return fmt.Sprintf("%s pays %s %s", trustbot.Mention(p.From), trustbot.Mention(p.To), trustbot.Money(p.Amount, p.Asset.Decimals, p.Asset.Symbol))
}

// planText is the settle plan as the reply writes it, one transfer per line.
func planText(t trustbot.Trip, plan []trustbot.Payment, exact bool) string {
	if len(plan) == 0 {
		return fmt.Sprintf("Everyone in the trip %q is settled: nobody owes anything.", t.Name)
	}
	var b strings.Builder
	how := "the fewest possible"
	if !exact {
		how = fmt.Sprintf("found greedily: with more than %d members up or down the fewest is not guaranteed", ledger.MaxExact)
	}
	word := "transfers"
	if len(plan) == 1 {
		word = "transfer"
	}
	fmt.Fprintf(&b, "To settle the trip %q, %d %s (%s):", t.Name, len(plan), word, how)
	for i, p := range plan {
		fmt.Fprintf(&b, "\n%d. %s", i+1, paymentWords(p))
	}
	return b.String()
}

func (h *handlers) tripExport(ctx context.Context, r *Request) (*Reply, error) {
	t, err := h.latestTrip(ctx, r)
	if err != nil {
		return nil, err
	}
	entries, bs, err := h.tripBooks(ctx, t)
	if err != nil {
		return nil, err
	}
	files, err := tripFiles(t, entries, bs, true)
	if err != nil {
		return nil, err
	}
	return &Reply{Text: fmt.Sprintf("The trip %q: %d entries, %d members.", t.Name, len(entries), len(t.Members)), Private: true, Files: files}, nil
}

func (h *handlers) tripBooks(ctx context.Context, t trustbot.Trip) ([]trustbot.Entry, []trustbot.Balance, error) {
	entries, err := h.Store.TripEntries(ctx, t.ID)
	if err != nil {
		return nil, nil, err
	}
	bs, err := h.Store.TripBalances(ctx, t.ID)
	if err != nil {
		return nil, nil, err
	}
	return entries, bs, nil
}

var unsafeFileChars = regexp.MustCompile(`[^a-z0-9]+`)

// tripFiles are a trip's CSV attachments: its entries and, with balances, its balances.
func tripFiles(t trustbot.Trip, entries []trustbot.Entry, bs []trustbot.Balance, balances bool) ([]Attachment, error) {
	slug := strings.Trim(unsafeFileChars.ReplaceAllString(strings.ToLower(t.Name), "-"), "-")
	if slug == "" {
		slug = strconv.FormatInt(t.ID, 10)
	}
	var e bytes.Buffer
	if err := ledger.WriteEntries(&e, entries, t.Members); err != nil {
		return nil, fmt.Errorf("trip entries csv: %w", err)
	}
	files := []Attachment{{Name: "trip-" + slug + "-entries.csv", ContentType: "text/csv", Data: e.Bytes()}}
	if balances {
		var b bytes.Buffer
		if err := ledger.WriteBalances(&b, tripBalances(t, bs), t.Members); err != nil {
			return nil, fmt.Errorf("trip balances csv: %w", err)
		}
		files = append(files, Attachment{Name: "trip-" + slug + "-balances.csv", ContentType: "text/csv", Data: b.Bytes()})
	}
	return files, nil
}
