package chain_test

import (
	"math/big"
	"reflect"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
)

// TestDepositAllowed: a deposit over a leftover allowance sets it to 0 before approving its own
// amount (USDT refuses to change one non-zero allowance into another); an allowance of exactly
// the amount needs no approve; none, or the native coin, is Deposit.
func TestDepositAllowed(t *testing.T) {
	reserve := common.HexToAddress("0x00000000000000000000000000000000000000a1")
	usdt := trustbot.Token{Address: common.HexToAddress("0x00000000000000000000000000000000000000b2"), Symbol: "USDT", Decimals: 6}
	amount := big.NewInt(30_000_000)
	dep := chain.Deposit(reserve, usdt, amount)
	reset := chain.Approve(usdt.Address, reserve, new(big.Int))
	tests := []struct {
		name      string
		asset     trustbot.Token
		allowance *big.Int
		want      []trustbot.Call
	}{
		{"no allowance", usdt, new(big.Int), dep},
		{"nil allowance", usdt, nil, dep},
		{"a leftover allowance", usdt, big.NewInt(5_000_000), append([]trustbot.Call{reset}, dep...)},
		{"more than the amount", usdt, big.NewInt(50_000_000), append([]trustbot.Call{reset}, dep...)},
		{"exactly the amount", usdt, big.NewInt(30_000_000), dep[1:]},
		{"the native coin", chain.NativeToken(), big.NewInt(5), chain.Deposit(reserve, chain.NativeToken(), amount)},
	}
	for _, tt := range tests {
		got := chain.DepositAllowed(reserve, tt.asset, amount, tt.allowance)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %d calls %v, want %d %v", tt.name, len(got), got, len(tt.want), tt.want)
		}
	}
}
