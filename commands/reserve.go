package commands

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/trustbot/trustbot"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot/chain"
)

func (h *handlers) reserveDef() Definition {
	asset := OptionDef{Name: "asset", Description: "backing asset, e.g. tUSD or ETH (default: the first configured)", Type: String, Autocomplete: true}
	amount := OptionDef{Name: "amount", Description: "how much, e.g. 50 or 12.5", Type: String, Required: true}
	return Definition{
		Name:        "reserve",
		Description: "Your reserve: the backing behind the trust you give",
		Subcommands: []Definition{
			{Name: "create", Description: "Create your reserve", Chain: true, handler: (*handlers).reserveCreate,
				Options: []OptionDef{asset, {Name: "backed-by", Description: "back it with this member's trust token (a layer)", Type: User}}},
			{Name: "deposit", Description: "Add backing to your reserve", Chain: true, handler: (*handlers).reserveDeposit,
				Options: []OptionDef{amount, asset}},
			{Name: "withdraw", Description: "Take backing out of your reserve", Chain: true, handler: (*handlers).reserveWithdraw,
				Options: []OptionDef{amount, asset}},
			{Name: "show", Description: "Backing, outstanding, coverage and holders of a reserve", Chain: true, handler: (*handlers).reserveShow,
				Options: []OptionDef{{Name: "member", Description: "whose reserve (default: yours)", Type: User}, asset}},
		},
	}
}

// backing resolves the asset a member's reserve uses: the asset option, or with backed-by,
// that member's trust token.
func (h *handlers) backing(ctx context.Context, r *Request) (trustbot.Token, error) {
	base, err := h.asset(ctx, r.Option("asset"))
	if err != nil {
		return trustbot.Token{}, err
	}
	by := r.MemberOption("backed-by")
	if by == nil {
		return base, nil
	}
	if by.ID == r.User.ID {
		return trustbot.Token{}, trustbot.Errorf(trustbot.EInvalid, "A reserve cannot be backed by your own trust token.")
	}
	addr, err := h.wallet(ctx, *by, false)
	if err != nil {
		return trustbot.Token{}, err
	}
	up, err := h.v.ReserveOf(ctx, addr, base.Address)
	if err != nil {
		return trustbot.Token{}, err
	}
	if !up.Exists {
		// A member whose only reserve is itself a layer (Bob backed by Alice): back with that.
		if layer, lerr := h.ownReserveAny(ctx, addr, base); lerr == nil && layer.Exists {
			return h.v.token(ctx, layer.Address)
		}
		return trustbot.Token{}, trustbot.Errorf(trustbot.EInvalid, "%s has no %s reserve, so there is no trust token of theirs to back yours with.", by.Mention(), base.Symbol)
	}
	return h.v.token(ctx, up.Address)
}

// ownReserve is the invoker's reserve of an asset, which must exist.
func (h *handlers) ownReserve(ctx context.Context, issuer common.Address, asset trustbot.Token) (chain.ReserveInfo, error) {
	res, err := h.v.ReserveOf(ctx, issuer, asset.Address)
	if err != nil {
		return res, err
	}
	if !res.Exists {
		return res, trustbot.Errorf(trustbot.EInvalid, "You have no %s reserve yet — run /reserve create first.", asset.Symbol)
	}
	return res, nil
}

// reserveLine sums up a reserve: "300 tUSD backing, 180 outstanding, coverage 166%".
func reserveLine(res chain.ReserveInfo) string {
	t := res.AssetToken
	if res.Outstanding.Sign() == 0 {
		return trustbot.Money(res.Reserve, t.Decimals, t.Symbol) + " backing, nothing outstanding"
	}
	return fmt.Sprintf("%s backing, %s outstanding, %s", trustbot.Money(res.Reserve, t.Decimals, t.Symbol),
		trustbot.FormatAmount(res.Outstanding, t.Decimals), coverage(res.Reserve, res.Outstanding))
}

// coverage is backing / outstanding as a whole percentage (rounded down).
func coverage(backing, outstanding *big.Int) string {
	if outstanding == nil || outstanding.Sign() == 0 {
		return "nothing outstanding"
	}
	pct := new(big.Int).Div(new(big.Int).Mul(backing, big.NewInt(100)), outstanding)
	return "coverage " + pct.String() + "%"
}

func symbolFor(name, asset string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(name) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
		if b.Len() == 10 {
			break
		}
	}
	if b.Len() == 0 {
		b.WriteString("TRUST")
	}
	return b.String() + "-" + asset
}

func (h *handlers) reserveCreate(ctx context.Context, r *Request) (*Reply, error) {
	issuer, err := h.wallet(ctx, r.User, true)
	if err != nil {
		return nil, err
	}
	asset, err := h.backing(ctx, r)
	if err != nil {
		return nil, err
	}
	existing, err := h.v.ReserveOf(ctx, issuer, asset.Address)
	if err != nil {
		return nil, err
	}
	if existing.Exists {
		return nil, trustbot.Errorf(trustbot.EConflict, "You already have %s %s reserve at %s (%s).", article(asset.Symbol), asset.Symbol, existing.Address.Hex(), reserveLine(existing))
	}
	if existing.Address, err = h.Chain.Predict(ctx, issuer, asset.Address); err != nil {
		return nil, err
	}
	name := fmt.Sprintf("%s's trust (%s)", r.User.Name, asset.Symbol)
	symbol := symbolFor(r.User.Name, asset.Symbol)
	call := chain.CreateReserve(h.Chain.Factory(), asset.Address, name, symbol)
	layer, byName := "", ""
	if by := r.MemberOption("backed-by"); by != nil {
		layer = fmt.Sprintf(", backed by %s's trust token", by.Name)
		byName = fmt.Sprintf(", backed by @%s's trust token", by.Name)
	}
	summary := fmt.Sprintf("Create your %s reserve%s; its trust token is %s.", asset.Symbol, byName, symbol)
	text := fmt.Sprintf("Sign to create your %s reserve%s at %s. Its trust token is %s; then add backing with /reserve deposit.",
		asset.Symbol, layer, existing.Address.Hex(), symbol)
	return h.sign(ctx, r, issuer, "create", summary, text, []trustbot.Call{call}, nil)
}

func (h *handlers) reserveDeposit(ctx context.Context, r *Request) (*Reply, error) {
	issuer, res, err := h.myReserve(ctx, r)
	if err != nil {
		return nil, err
	}
	t := res.AssetToken
	amount, err := trustbot.ParseAmount(r.Option("amount"), t.Decimals, t.Symbol)
	if err != nil {
		return nil, err
	}
	held, err := h.Chain.BalanceOf(ctx, t.Address, issuer)
	if err != nil {
		return nil, err
	}
	if held.Sign() == 0 {
		return nil, trustbot.Errorf(trustbot.EInvalid, "Your wallet holds no %s to deposit.", t.Symbol)
	}
	if held.Cmp(amount) < 0 {
		return nil, trustbot.Errorf(trustbot.EInvalid, "Your wallet holds %s; you can deposit at most %s.", trustbot.Money(held, t.Decimals, t.Symbol), trustbot.FormatAmount(held, t.Decimals))
	}
	allowed := new(big.Int)
	if !t.Native() {
		if allowed, err = h.Chain.Allowance(ctx, t.Address, issuer, res.Address); err != nil {
			return nil, err
		}
	}
	after := new(big.Int).Add(res.Reserve, amount)
	calls := chain.DepositAllowed(res.Address, t, amount, allowed)
	steps := ""
	switch len(calls) {
	case 2:
		steps = " Your wallet will ask twice: first to let the reserve take the tokens, then to deposit them."
	case 3:
		steps = fmt.Sprintf(" Your wallet will ask three times: first to set the %s the reserve may still take from you to 0 (tokens like USDT refuse to change one allowance into another), then to let it take the tokens, then to deposit them.",
			trustbot.Money(allowed, t.Decimals, t.Symbol))
	}
	summary := fmt.Sprintf("Deposit %s into your reserve.", trustbot.Money(amount, t.Decimals, t.Symbol))
	text := fmt.Sprintf("Sign to deposit %s into your reserve (backing %s → %s, %s).%s",
		trustbot.Money(amount, t.Decimals, t.Symbol), trustbot.FormatAmount(res.Reserve, t.Decimals), trustbot.FormatAmount(after, t.Decimals),
		coverage(after, res.Outstanding), steps)
	explain := func(rev *chain.RevertError) error {
		// The token refuses an approve (USDC's of a blacklisted owner) or the reserve's pull.
		byToken := rev.Index >= 0 && rev.Index < len(calls) && calls[rev.Index].To == t.Address
		if rev.Name != "TransferFailed" && !byToken {
			return nil
		}
		switch refusesTo, refusesFrom := h.tokenRefusal(ctx, t, issuer, res.Address, amount); {
		case refusesFrom:
			return trustbot.Errorf(trustbot.EReverted, "%s refuses transfers from your wallet. Nothing was sent.", t.Symbol)
		case refusesTo:
			return trustbot.Errorf(trustbot.EReverted, "%s refuses transfers to your reserve. Nothing was sent.", t.Symbol)
		}
		return nil
	}
	return h.sign(ctx, r, issuer, "deposit", summary, text, calls, explain)
}

// myReserve is the invoker's linked address and their reserve of the asset option.
func (h *handlers) myReserve(ctx context.Context, r *Request) (common.Address, chain.ReserveInfo, error) {
	issuer, err := h.wallet(ctx, r.User, true)
	if err != nil {
		return issuer, chain.ReserveInfo{}, err
	}
	asset, err := h.asset(ctx, r.Option("asset"))
	if err != nil {
		return issuer, chain.ReserveInfo{}, err
	}
	res, err := h.ownReserveAny(ctx, issuer, asset)
	return issuer, res, err
}

// ownReserveAny finds the invoker's reserve of the asset, or, when they have none of it but a
// single layered reserve, that one (its backing is another member's token).
func (h *handlers) ownReserveAny(ctx context.Context, issuer common.Address, asset trustbot.Token) (chain.ReserveInfo, error) {
	res, err := h.ownReserve(ctx, issuer, asset)
	if err == nil {
		return res, nil
	}
	known, kerr := h.v.Reserves(ctx)
	if kerr != nil {
		return res, err
	}
	var layered []trustbot.Reserve
	for _, k := range known {
		if k.Issuer == issuer {
			if info, ierr := h.v.ReserveAt(ctx, k.Address); ierr == nil && info.Layered {
				layered = append(layered, k)
			}
		}
	}
	if len(layered) == 1 {
		return h.v.ReserveAt(ctx, layered[0].Address)
	}
	return res, err
}

func (h *handlers) reserveWithdraw(ctx context.Context, r *Request) (*Reply, error) {
	issuer, res, err := h.myReserve(ctx, r)
	if err != nil {
		return nil, err
	}
	t := res.AssetToken
	amount, err := trustbot.ParseAmount(r.Option("amount"), t.Decimals, t.Symbol)
	if err != nil {
		return nil, err
	}
	if res.Reserve.Sign() == 0 {
		return nil, trustbot.Errorf(trustbot.EInvalid, "Your reserve holds no %s: there is nothing to withdraw.", t.Symbol)
	}
	if res.Reserve.Cmp(amount) < 0 {
		return nil, trustbot.Errorf(trustbot.EInvalid, "Your reserve holds %s; you can withdraw at most %s.", trustbot.Money(res.Reserve, t.Decimals, t.Symbol), trustbot.FormatAmount(res.Reserve, t.Decimals))
	}
	after := new(big.Int).Sub(res.Reserve, amount)
	summary := fmt.Sprintf("Withdraw %s from your reserve to your wallet.", trustbot.Money(amount, t.Decimals, t.Symbol))
	text := fmt.Sprintf("Sign to withdraw %s from your reserve to your wallet (backing %s → %s, %s).",
		trustbot.Money(amount, t.Decimals, t.Symbol), trustbot.FormatAmount(res.Reserve, t.Decimals), trustbot.FormatAmount(after, t.Decimals), coverage(after, res.Outstanding))
	if after.Cmp(res.Outstanding) < 0 {
		short, err := h.shortAfterWithdraw(ctx, res, after)
		if err != nil {
			return nil, err
		}
		text += " " + short
	}
	return h.sign(ctx, r, issuer, "withdraw", summary, text, []trustbot.Call{chain.Withdraw(res.Address, amount, issuer)}, nil)
}

// shortAfterWithdraw names who holds tokens a reserve left with less backing than outstanding
// could not pay: "After this withdrawal your reserve holds 0 tUSD against 100 outstanding:
// @bob (100) could not redeem."
func (h *handlers) shortAfterWithdraw(ctx context.Context, res chain.ReserveInfo, after *big.Int) (string, error) {
	t := res.AssetToken
	hs, err := h.holders(ctx, res.Address)
	if err != nil {
		return "", err
	}
	var who []string
	for _, x := range hs {
		if x.balance.Sign() > 0 {
			who = append(who, fmt.Sprintf("%s (%s)", h.memberOf(ctx, x.addr), trustbot.FormatAmount(x.balance, t.Decimals)))
		}
	}
	line := fmt.Sprintf("After this withdrawal your reserve holds %s against %s outstanding", trustbot.Money(after, t.Decimals, t.Symbol), trustbot.FormatAmount(res.Outstanding, t.Decimals))
	if len(who) == 0 {
		return line + ".", nil
	}
	holders := strings.Join(who, ", ")
	switch {
	case after.Sign() == 0:
		return fmt.Sprintf("%s: %s could not redeem.", line, holders), nil
	case len(who) == 1:
		return fmt.Sprintf("%s: %s could redeem only %s of it.", line, holders, trustbot.FormatAmount(after, t.Decimals)), nil
	default:
		return fmt.Sprintf("%s: %s could redeem only %s of it between them.", line, holders, trustbot.FormatAmount(after, t.Decimals)), nil
	}
}

// holder is one account a reserve has extended trust to or whose tokens it knows of.
type holder struct {
	addr            common.Address
	balance, budget *big.Int
}

// holders lists the accounts with a balance or a budget of a reserve's tokens, largest budget
// first.
func (h *handlers) holders(ctx context.Context, reserve common.Address) ([]holder, error) {
	accts, err := h.v.Holders(ctx, reserve)
	if err != nil {
		return nil, err
	}
	out := make([]holder, len(accts))
	for i, a := range accts {
		out[i] = holder{a.Holder, a.Balance, a.Budget}
	}
	return out, nil
}

func (h *handlers) reserveShow(ctx context.Context, r *Request) (*Reply, error) {
	m := r.User
	if o := r.MemberOption("member"); o != nil {
		m = *o
	}
	issuer, err := h.wallet(ctx, m, m.ID == r.User.ID)
	if err != nil {
		return nil, err
	}
	asset, err := h.asset(ctx, r.Option("asset"))
	if err != nil {
		return nil, err
	}
	res, err := h.v.ReserveOf(ctx, issuer, asset.Address)
	if err != nil {
		return nil, err
	}
	if !res.Exists && r.Option("asset") == "" {
		// As the other commands do: a member whose only reserve is a layer is shown that one.
		if layer, lerr := h.ownReserveAny(ctx, issuer, asset); lerr == nil {
			res = layer
		}
	}
	if !res.Exists {
		return &Reply{Text: fmt.Sprintf("%s has no %s reserve.", m.Mention(), asset.Symbol), Private: true}, nil
	}
	t := res.AssetToken
	var b strings.Builder
	fmt.Fprintf(&b, "%s's %s reserve (%s, %s): %s.", m.Mention(), t.Symbol, res.Symbol, res.Address.Hex(), reserveLine(res))
	hs, err := h.holders(ctx, res.Address)
	if err != nil {
		return nil, err
	}
	if len(hs) == 0 {
		b.WriteString("\nNo one holds or has been trusted with its tokens yet.")
	}
	for _, x := range hs {
		fmt.Fprintf(&b, "\n• %s: budget %s, holds %s", h.memberOf(ctx, x.addr), trustbot.FormatAmount(x.budget, t.Decimals), trustbot.FormatAmount(x.balance, t.Decimals))
	}
	return &Reply{Text: b.String(), Private: true}, nil
}
