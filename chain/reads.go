package chain

import (
	"bytes"
	"context"
	"math/big"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
)

// NativeToken is the chain's native coin.
func NativeToken() trustbot.Token { return trustbot.Token{Symbol: "ETH", Decimals: 18} }

// ReserveInfo is one reserve as the chain sees it now.
type ReserveInfo struct {
	Address, Issuer, Asset common.Address
	Exists                 bool   // false: not created yet (Address is where it will be)
	Name, Symbol           string // of the trust token
	Decimals               uint8  // the asset's decimals
	Reserve, Outstanding   *big.Int
	AssetToken             trustbot.Token
	Layered                bool // the asset is another reserve of the factory
}

// Token reads an ERC-20's symbol and decimals; the zero address is the native coin. An address
// that does not answer like a token gives EInvalid.
func (c *Client) Token(ctx context.Context, addr common.Address) (trustbot.Token, error) {
	if addr == (common.Address{}) {
		return NativeToken(), nil
	}
	out, err := c.tryBatch(ctx, "token "+addr.Hex(),
		callMsg{To: addr, Data: erc20Bind.PackSymbol()},
		callMsg{To: addr, Data: erc20Bind.PackDecimals()})
	if err != nil {
		return trustbot.Token{}, err
	}
	bad := trustbot.Errorf(trustbot.EInvalid, "%s is not an ERC-20 token.", addr.Hex())
	if out == nil {
		return trustbot.Token{}, bad
	}
	symbol, err := erc20Bind.UnpackSymbol(out[0])
	if err != nil {
		// Some old tokens return their symbol as bytes32.
		if len(out[0]) != 32 {
			return trustbot.Token{}, bad
		}
		symbol = string(bytes.TrimRight(out[0], "\x00"))
	}
	decimals, err := erc20Bind.UnpackDecimals(out[1])
	if err != nil {
		return trustbot.Token{}, bad
	}
	return trustbot.Token{Address: addr, Symbol: symbol, Decimals: decimals}, nil
}

// tryBatch is callBatch that reports a revert as a nil result instead of an error; an
// unreachable node is still an error.
func (c *Client) tryBatch(ctx context.Context, op string, msgs ...callMsg) ([][]byte, error) {
	out, err := c.callBatch(ctx, op, msgs...)
	if err != nil {
		if trustbot.ErrorCode(err) == trustbot.EUnavailable || ctx.Err() != nil {
			return nil, err
		}
		return nil, nil
	}
	return out, nil
}

// Predict is the address of issuer's reserve of asset, whether or not it exists yet.
func (c *Client) Predict(ctx context.Context, issuer, asset common.Address) (common.Address, error) {
	out, err := c.callBatch(ctx, "predict", callMsg{To: c.factory, Data: factoryBind.PackPredict(issuer, asset)})
	if err != nil {
		return common.Address{}, err
	}
	a, err := factoryBind.UnpackPredict(out[0])
	if err != nil {
		return common.Address{}, c.fail(ctx, "predict", err)
	}
	return a, nil
}

// IsReserve reports whether addr is a reserve made by the factory.
func (c *Client) IsReserve(ctx context.Context, addr common.Address) (bool, error) {
	if addr == (common.Address{}) {
		return false, nil
	}
	out, err := c.callBatch(ctx, "is reserve", callMsg{To: c.factory, Data: factoryBind.PackIsReserve(addr)})
	if err != nil {
		return false, err
	}
	ok, err := factoryBind.UnpackIsReserve(out[0])
	if err != nil {
		return false, c.fail(ctx, "is reserve", err)
	}
	return ok, nil
}

// ReserveOf reads issuer's reserve of asset. When it does not exist yet, Exists is false,
// Address is where it will be, the amounts are zero and the asset is still described.
func (c *Client) ReserveOf(ctx context.Context, issuer, asset common.Address) (ReserveInfo, error) {
	addr, err := c.Predict(ctx, issuer, asset)
	if err != nil {
		return ReserveInfo{}, err
	}
	code, err := c.codeAt(ctx, addr)
	if err != nil {
		return ReserveInfo{}, err
	}
	if len(code) > 0 {
		return c.reserveAt(ctx, addr)
	}
	info := ReserveInfo{Address: addr, Issuer: issuer, Asset: asset, Reserve: new(big.Int), Outstanding: new(big.Int)}
	if info.AssetToken, err = c.Token(ctx, asset); err != nil {
		return ReserveInfo{}, err
	}
	info.Decimals = info.AssetToken.Decimals
	if info.Layered, err = c.IsReserve(ctx, asset); err != nil {
		return ReserveInfo{}, err
	}
	return info, nil
}

// ReserveAt reads the reserve at addr; an address that is not a reserve of the factory gives
// ENotFound.
func (c *Client) ReserveAt(ctx context.Context, addr common.Address) (ReserveInfo, error) {
	ok, err := c.IsReserve(ctx, addr)
	if err != nil {
		return ReserveInfo{}, err
	}
	if !ok {
		return ReserveInfo{}, trustbot.Errorf(trustbot.ENotFound, "%s is not a trust reserve.", addr.Hex())
	}
	return c.reserveAt(ctx, addr)
}

func (c *Client) reserveAt(ctx context.Context, addr common.Address) (ReserveInfo, error) {
	out, err := c.callBatch(ctx, "reserve "+addr.Hex(),
		callMsg{To: addr, Data: reserveBind.PackIssuer()},
		callMsg{To: addr, Data: reserveBind.PackAsset()},
		callMsg{To: addr, Data: reserveBind.PackName()},
		callMsg{To: addr, Data: reserveBind.PackSymbol()},
		callMsg{To: addr, Data: reserveBind.PackDecimals()},
		callMsg{To: addr, Data: reserveBind.PackReserve()},
		callMsg{To: addr, Data: reserveBind.PackOutstanding()})
	if err != nil {
		return ReserveInfo{}, err
	}
	info := ReserveInfo{Address: addr, Exists: true}
	var errs [7]error
	info.Issuer, errs[0] = reserveBind.UnpackIssuer(out[0])
	info.Asset, errs[1] = reserveBind.UnpackAsset(out[1])
	info.Name, errs[2] = reserveBind.UnpackName(out[2])
	info.Symbol, errs[3] = reserveBind.UnpackSymbol(out[3])
	info.Decimals, errs[4] = reserveBind.UnpackDecimals(out[4])
	info.Reserve, errs[5] = reserveBind.UnpackReserve(out[5])
	info.Outstanding, errs[6] = reserveBind.UnpackOutstanding(out[6])
	for _, e := range errs {
		if e != nil {
			return ReserveInfo{}, c.fail(ctx, "reserve "+addr.Hex(), e)
		}
	}
	if info.AssetToken, err = c.Token(ctx, info.Asset); err != nil {
		return ReserveInfo{}, err
	}
	if info.Layered, err = c.IsReserve(ctx, info.Asset); err != nil {
		return ReserveInfo{}, err
	}
	return info, nil
}

// Account is holder's balance of reserve's trust token and the budget the issuer gave them.
func (c *Client) Account(ctx context.Context, reserve, holder common.Address) (balance, budget *big.Int, err error) {
	out, err := c.callBatch(ctx, "account",
		callMsg{To: reserve, Data: reserveBind.PackBalanceOf(holder)},
		callMsg{To: reserve, Data: reserveBind.PackBudgetOf(holder)})
	if err != nil {
		return nil, nil, err
	}
	if balance, err = reserveBind.UnpackBalanceOf(out[0]); err != nil {
		return nil, nil, c.fail(ctx, "account", err)
	}
	if budget, err = reserveBind.UnpackBudgetOf(out[1]); err != nil {
		return nil, nil, c.fail(ctx, "account", err)
	}
	return balance, budget, nil
}

// BalanceOf is holder's balance of token; the zero address is the native coin.
func (c *Client) BalanceOf(ctx context.Context, token, holder common.Address) (*big.Int, error) {
	if token == (common.Address{}) {
		cctx, cancel := c.deadline(ctx)
		defer cancel()
		b, err := c.eth.BalanceAt(cctx, holder, nil)
		if err != nil {
			return nil, c.fail(ctx, "balance", err)
		}
		return b, nil
	}
	out, err := c.callBatch(ctx, "balance", callMsg{To: token, Data: erc20Bind.PackBalanceOf(holder)})
	if err != nil {
		return nil, err
	}
	b, err := erc20Bind.UnpackBalanceOf(out[0])
	if err != nil {
		return nil, c.fail(ctx, "balance", err)
	}
	return b, nil
}

// Allowance is how much of owner's token spender may move.
func (c *Client) Allowance(ctx context.Context, token, owner, spender common.Address) (*big.Int, error) {
	out, err := c.callBatch(ctx, "allowance", callMsg{To: token, Data: erc20Bind.PackAllowance(owner, spender)})
	if err != nil {
		return nil, err
	}
	a, err := erc20Bind.UnpackAllowance(out[0])
	if err != nil {
		return nil, c.fail(ctx, "allowance", err)
	}
	return a, nil
}

func (c *Client) codeAt(ctx context.Context, addr common.Address) ([]byte, error) {
	cctx, cancel := c.deadline(ctx)
	defer cancel()
	code, err := c.eth.CodeAt(cctx, addr, nil)
	if err != nil {
		return nil, c.fail(ctx, "code", err)
	}
	return code, nil
}
