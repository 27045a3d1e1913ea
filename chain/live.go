package chain

import (
	"bytes"
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/trustbot/trustbot"
)

// Live is what only the chain knows now: the head, and what each reserve holds of its asset.
type Live struct {
	Head    uint64
	Backing map[common.Address]*big.Int
}

// Live reads the head and the backing of every given reserve in one JSON-RPC batch: one round
// trip whatever the size of the web.
func (c *Client) Live(ctx context.Context, reserves []common.Address) (Live, error) {
	var head hexutil.Uint64
	out := make([]hexutil.Bytes, len(reserves))
	elems := make([]rpc.BatchElem, 0, len(reserves)+1)
	elems = append(elems, rpc.BatchElem{Method: "eth_blockNumber", Result: &head})
	for i, r := range reserves {
		elems = append(elems, rpc.BatchElem{Method: "eth_call",
			Args: []any{callMsg{To: r, Data: reserveBind.PackReserve()}.arg(), "latest"}, Result: &out[i]})
	}
	cctx, cancel := c.deadline(ctx)
	defer cancel()
	if err := c.rpc.BatchCallContext(cctx, elems); err != nil {
		return Live{}, c.fail(ctx, "live figures", err)
	}
	live := Live{Backing: make(map[common.Address]*big.Int, len(reserves))}
	for i, e := range elems {
		if e.Error != nil {
			return Live{}, c.fail(ctx, "live figures", e.Error)
		}
		if i == 0 {
			continue
		}
		v, err := reserveBind.UnpackReserve(out[i-1])
		if err != nil {
			return Live{}, c.fail(ctx, "live figures", fmt.Errorf("reserve %s: %w", reserves[i-1].Hex(), err))
		}
		live.Backing[reserves[i-1]] = v
	}
	live.Head = uint64(head)
	return live, nil
}

// ReserveTokens reads, in one batch, a new reserve's token name, symbol and decimals and its
// asset's symbol and decimals (the native coin needs no call). A reserve with no code (the
// chain moved) or an asset that does not answer like a token gives an error.
func (c *Client) ReserveTokens(ctx context.Context, reserve, asset common.Address) (name, symbol string, decimals uint8, assetToken trustbot.Token, err error) {
	msgs := []callMsg{
		{To: reserve, Data: reserveBind.PackName()},
		{To: reserve, Data: reserveBind.PackSymbol()},
		{To: reserve, Data: reserveBind.PackDecimals()},
	}
	native := asset == (common.Address{})
	if !native {
		msgs = append(msgs, callMsg{To: asset, Data: erc20Bind.PackSymbol()}, callMsg{To: asset, Data: erc20Bind.PackDecimals()})
	}
	out, err := c.callBatch(ctx, "reserve "+reserve.Hex(), msgs...)
	if err != nil {
		return "", "", 0, trustbot.Token{}, err
	}
	var errs [5]error
	name, errs[0] = reserveBind.UnpackName(out[0])
	symbol, errs[1] = reserveBind.UnpackSymbol(out[1])
	decimals, errs[2] = reserveBind.UnpackDecimals(out[2])
	assetToken = NativeToken()
	if !native {
		assetToken = trustbot.Token{Address: asset}
		if assetToken.Symbol, errs[3] = erc20Bind.UnpackSymbol(out[3]); errs[3] != nil && len(out[3]) == 32 {
			assetToken.Symbol, errs[3] = string(bytes.TrimRight(out[3], "\x00")), nil // a bytes32 symbol
		}
		assetToken.Decimals, errs[4] = erc20Bind.UnpackDecimals(out[4])
	}
	for _, e := range errs {
		if e != nil {
			return "", "", 0, trustbot.Token{}, fmt.Errorf("reserve %s: %w", reserve.Hex(), e)
		}
	}
	return name, symbol, decimals, assetToken, nil
}
