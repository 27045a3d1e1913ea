package chain

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"

	"github.com/trustbot/trustbot"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
)

// Wallet signs and sends like a browser wallet does. trustbot itself never holds users' keys:
// wallets exist for the playground's dev members and for tests.
type Wallet struct {
	Key *ecdsa.PrivateKey
}

// Address is the wallet's account.
func (w Wallet) Address() common.Address {
	return crypto.PubkeyToAddress(w.Key.PublicKey)
}

// Send signs c as an EIP-1559 transaction and sends it: pending nonce, estimated gas plus 20 %,
// fee cap twice the latest base fee plus the suggested tip. It returns the transaction hash
// without waiting for it to be mined.
func (w Wallet) Send(ctx context.Context, ec *ethclient.Client, chainID *big.Int, c trustbot.Call) (common.Hash, error) {
	return w.SendGas(ctx, ec, chainID, c, 0)
}

// SendGas is Send with a fixed gas limit (0 = estimate). With a fixed limit a call that reverts
// is still mined, as a failed transaction.
func (w Wallet) SendGas(ctx context.Context, ec *ethclient.Client, chainID *big.Int, c trustbot.Call, gas uint64) (common.Hash, error) {
	from := w.Address()
	fail := func(op string, err error) (common.Hash, error) {
		if isUnavailable(err) {
			return common.Hash{}, unavailable(op, err)
		}
		return common.Hash{}, fmt.Errorf("chain: wallet %s: %s: %w", from.Hex(), op, err)
	}
	value := trustbot.OrZero(c.Value)
	nonce, err := ec.PendingNonceAt(ctx, from)
	if err != nil {
		return fail("nonce", err)
	}
	if gas == 0 {
		to := c.To
		est, err := ec.EstimateGas(ctx, ethereum.CallMsg{From: from, To: &to, Data: c.Data, Value: value})
		if err != nil {
			return fail("estimate gas", err)
		}
		gas = est + est/5
	}
	head, err := ec.HeaderByNumber(ctx, nil)
	if err != nil {
		return fail("latest header", err)
	}
	tip, err := ec.SuggestGasTipCap(ctx)
	if err != nil {
		return fail("gas tip", err)
	}
	feeCap := new(big.Int).Set(tip)
	if head.BaseFee != nil {
		feeCap.Add(feeCap, new(big.Int).Mul(head.BaseFee, big.NewInt(2)))
	}
	to := c.To
	tx, err := types.SignNewTx(w.Key, types.LatestSignerForChainID(chainID), &types.DynamicFeeTx{
		ChainID:   chainID,
		Nonce:     nonce,
		GasTipCap: tip,
		GasFeeCap: feeCap,
		Gas:       gas,
		To:        &to,
		Value:     value,
		Data:      c.Data,
	})
	if err != nil {
		return fail("sign", err)
	}
	if err := ec.SendTransaction(ctx, tx); err != nil {
		return fail("send", err)
	}
	return tx.Hash(), nil
}

// PersonalSign signs message the way personal_sign does (EIP-191: "\x19Ethereum Signed
// Message:\n" + length + message) and returns the 65-byte r‖s‖v signature with v = 27 or 28.
func (w Wallet) PersonalSign(message []byte) []byte {
	sig, err := crypto.Sign(accounts.TextHash(message), w.Key)
	if err != nil {
		// crypto.Sign fails only for a malformed key or hash, neither possible here.
		panic(fmt.Sprintf("chain: personal sign: %v", err))
	}
	sig[64] += 27
	return sig
}

// DevKey is the deterministic key of a dev member: keccak256("trustbot dev key " + name).
// Dev keys are public (anyone can compute them): they are for the embedded dev chain only and
// must never hold anything of value.
func DevKey(name string) *ecdsa.PrivateKey {
	key, err := crypto.ToECDSA(crypto.Keccak256([]byte("trustbot dev key " + name)))
	if err != nil {
		// Only a hash of zero or at least the curve order fails, which no name produces in practice.
		panic(fmt.Sprintf("chain: dev key %q: %v", name, err))
	}
	return key
}
