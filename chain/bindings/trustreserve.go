// Code generated via abigen V2 - DO NOT EDIT.
// This file is a generated binding and any manual changes will be lost.

package bindings

import (
	"bytes"
	"errors"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Reference imports to suppress errors if they are not otherwise used.
var (
	_ = bytes.Equal
	_ = errors.New
	_ = big.NewInt
	_ = common.Big1
	_ = types.BloomLookup
	_ = abi.ConvertType
)

// TrustReserveMetaData contains all meta data concerning the TrustReserve contract.
var TrustReserveMetaData = bind.MetaData{
	ABI: "[{\"type\":\"constructor\",\"inputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"allowance\",\"inputs\":[{\"name\":\"owner\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"spender\",\"type\":\"address\",\"internalType\":\"address\"}],\"outputs\":[{\"name\":\"a\",\"type\":\"uint256\",\"internalType\":\"uint256\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"approve\",\"inputs\":[{\"name\":\"spender\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"amount\",\"type\":\"uint256\",\"internalType\":\"uint256\"}],\"outputs\":[{\"name\":\"\",\"type\":\"bool\",\"internalType\":\"bool\"}],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"asset\",\"inputs\":[],\"outputs\":[{\"name\":\"a\",\"type\":\"address\",\"internalType\":\"address\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"balanceOf\",\"inputs\":[{\"name\":\"holder\",\"type\":\"address\",\"internalType\":\"address\"}],\"outputs\":[{\"name\":\"b\",\"type\":\"uint256\",\"internalType\":\"uint256\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"budgetOf\",\"inputs\":[{\"name\":\"holder\",\"type\":\"address\",\"internalType\":\"address\"}],\"outputs\":[{\"name\":\"b\",\"type\":\"uint256\",\"internalType\":\"uint256\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"decimals\",\"inputs\":[],\"outputs\":[{\"name\":\"d\",\"type\":\"uint8\",\"internalType\":\"uint8\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"deposit\",\"inputs\":[{\"name\":\"amount\",\"type\":\"uint256\",\"internalType\":\"uint256\"}],\"outputs\":[],\"stateMutability\":\"payable\"},{\"type\":\"function\",\"name\":\"factory\",\"inputs\":[],\"outputs\":[{\"name\":\"\",\"type\":\"address\",\"internalType\":\"address\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"initialize\",\"inputs\":[{\"name\":\"name_\",\"type\":\"string\",\"internalType\":\"string\"},{\"name\":\"symbol_\",\"type\":\"string\",\"internalType\":\"string\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"issuer\",\"inputs\":[],\"outputs\":[{\"name\":\"a\",\"type\":\"address\",\"internalType\":\"address\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"name\",\"inputs\":[],\"outputs\":[{\"name\":\"\",\"type\":\"string\",\"internalType\":\"string\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"outstanding\",\"inputs\":[],\"outputs\":[{\"name\":\"\",\"type\":\"uint256\",\"internalType\":\"uint256\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"redeem\",\"inputs\":[{\"name\":\"amount\",\"type\":\"uint256\",\"internalType\":\"uint256\"},{\"name\":\"to\",\"type\":\"address\",\"internalType\":\"address\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"redeemDeep\",\"inputs\":[{\"name\":\"amount\",\"type\":\"uint256\",\"internalType\":\"uint256\"},{\"name\":\"to\",\"type\":\"address\",\"internalType\":\"address\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"reserve\",\"inputs\":[],\"outputs\":[{\"name\":\"\",\"type\":\"uint256\",\"internalType\":\"uint256\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"reup\",\"inputs\":[{\"name\":\"holder\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"maxMint\",\"type\":\"uint256\",\"internalType\":\"uint256\"}],\"outputs\":[{\"name\":\"minted\",\"type\":\"uint256\",\"internalType\":\"uint256\"}],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"reupMany\",\"inputs\":[{\"name\":\"holders\",\"type\":\"address[]\",\"internalType\":\"address[]\"},{\"name\":\"maxMints\",\"type\":\"uint256[]\",\"internalType\":\"uint256[]\"}],\"outputs\":[{\"name\":\"minted\",\"type\":\"uint256[]\",\"internalType\":\"uint256[]\"}],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"revoke\",\"inputs\":[{\"name\":\"holder\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"amount\",\"type\":\"uint256\",\"internalType\":\"uint256\"}],\"outputs\":[{\"name\":\"burned\",\"type\":\"uint256\",\"internalType\":\"uint256\"}],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"symbol\",\"inputs\":[],\"outputs\":[{\"name\":\"\",\"type\":\"string\",\"internalType\":\"string\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"totalSupply\",\"inputs\":[],\"outputs\":[{\"name\":\"s\",\"type\":\"uint256\",\"internalType\":\"uint256\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"transfer\",\"inputs\":[{\"name\":\"to\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"amount\",\"type\":\"uint256\",\"internalType\":\"uint256\"}],\"outputs\":[{\"name\":\"\",\"type\":\"bool\",\"internalType\":\"bool\"}],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"transferFrom\",\"inputs\":[{\"name\":\"from\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"to\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"amount\",\"type\":\"uint256\",\"internalType\":\"uint256\"}],\"outputs\":[{\"name\":\"\",\"type\":\"bool\",\"internalType\":\"bool\"}],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"trust\",\"inputs\":[{\"name\":\"holder\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"amount\",\"type\":\"uint256\",\"internalType\":\"uint256\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"withdraw\",\"inputs\":[{\"name\":\"amount\",\"type\":\"uint256\",\"internalType\":\"uint256\"},{\"name\":\"to\",\"type\":\"address\",\"internalType\":\"address\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"event\",\"name\":\"Approval\",\"inputs\":[{\"name\":\"owner\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"},{\"name\":\"spender\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"},{\"name\":\"amount\",\"type\":\"uint256\",\"indexed\":false,\"internalType\":\"uint256\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"Deposited\",\"inputs\":[{\"name\":\"from\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"},{\"name\":\"amount\",\"type\":\"uint256\",\"indexed\":false,\"internalType\":\"uint256\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"Revoked\",\"inputs\":[{\"name\":\"amount\",\"type\":\"uint256\",\"indexed\":false,\"internalType\":\"uint256\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"Transfer\",\"inputs\":[{\"name\":\"from\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"},{\"name\":\"to\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"},{\"name\":\"amount\",\"type\":\"uint256\",\"indexed\":false,\"internalType\":\"uint256\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"Trusted\",\"inputs\":[{\"name\":\"holder\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"},{\"name\":\"amount\",\"type\":\"uint256\",\"indexed\":false,\"internalType\":\"uint256\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"Withdrawn\",\"inputs\":[{\"name\":\"to\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"},{\"name\":\"amount\",\"type\":\"uint256\",\"indexed\":false,\"internalType\":\"uint256\"}],\"anonymous\":false},{\"type\":\"error\",\"name\":\"AlreadyInitialized\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"EmptySymbol\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"InsufficientAllowance\",\"inputs\":[{\"name\":\"available\",\"type\":\"uint256\",\"internalType\":\"uint256\"},{\"name\":\"requested\",\"type\":\"uint256\",\"internalType\":\"uint256\"}]},{\"type\":\"error\",\"name\":\"InsufficientBalance\",\"inputs\":[{\"name\":\"available\",\"type\":\"uint256\",\"internalType\":\"uint256\"},{\"name\":\"requested\",\"type\":\"uint256\",\"internalType\":\"uint256\"}]},{\"type\":\"error\",\"name\":\"InsufficientReserve\",\"inputs\":[{\"name\":\"available\",\"type\":\"uint256\",\"internalType\":\"uint256\"},{\"name\":\"requested\",\"type\":\"uint256\",\"internalType\":\"uint256\"}]},{\"type\":\"error\",\"name\":\"LengthMismatch\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"NotFactory\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"NotIssuer\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"Overflow\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"Reentrancy\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"ToReserveItself\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"TransferFailed\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"WrongValue\",\"inputs\":[{\"name\":\"sent\",\"type\":\"uint256\",\"internalType\":\"uint256\"},{\"name\":\"expected\",\"type\":\"uint256\",\"internalType\":\"uint256\"}]},{\"type\":\"error\",\"name\":\"ZeroAddress\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"ZeroAmount\",\"inputs\":[]}]",
	ID:  "TrustReserve",
	Bin: "0x60c0604052348015600e575f5ffd5b50336080523060a05260805160a0516121996100465f395f61199401525f8181610436015281816109f30152611a1401526121995ff3fe608060405260043610610182575f3560e01c80637bde82f2116100d1578063c45a01551161007c578063dd62ed3e11610057578063dd62ed3e1461048b578063e50d33e3146104c3578063eac449d9146104d7575f5ffd5b8063c45a015514610425578063cd3293de14610458578063cdadbef21461046c575f5ffd5b80639951d62f116100ac5780639951d62f146103d4578063a9059cbb146103f3578063b6b55f2514610412575f5ffd5b80637bde82f21461038257806391fac6f7146103a157806395d89b41146103c0575f5ffd5b8063313ce567116101315780634cd88b761161010c5780634cd88b76146102e457806370a08231146103035780637865e71f1461034a575f5ffd5b8063313ce5671461027e57806338d52e0f146102a457806343ed670f146102b8575f5ffd5b806318160ddd1161016157806318160ddd146102005780631d1438481461022657806323b872dd1461025f575f5ffd5b8062f714ce1461018657806306fdde03146101a7578063095ea7b3146101d1575b5f5ffd5b348015610191575f5ffd5b506101a56101a0366004611c7b565b6104f6565b005b3480156101b2575f5ffd5b506101bb61067a565b6040516101c89190611ca5565b60405180910390f35b3480156101dc575f5ffd5b506101f06101eb366004611cf8565b610709565b60405190151581526020016101c8565b34801561020b575f5ffd5b506805345cdf77eb68f44c545b6040519081526020016101c8565b348015610231575f5ffd5b5061023a6107aa565b60405173ffffffffffffffffffffffffffffffffffffffff90911681526020016101c8565b34801561026a575f5ffd5b506101f0610279366004611d20565b6107b9565b348015610289575f5ffd5b50610292610862565b60405160ff90911681526020016101c8565b3480156102af575f5ffd5b5061023a6108c4565b3480156102c3575f5ffd5b506102d76102d2366004611da2565b6108d3565b6040516101c89190611e0e565b3480156102ef575f5ffd5b506101a56102fe366004611e8e565b6109db565b34801561030e575f5ffd5b5061021861031d366004611eee565b677472757374626f74600c9081525f9190915260209020546fffffffffffffffffffffffffffffffff1690565b348015610355575f5ffd5b50610218610364366004611eee565b677472757374626f74600c9081525f91909152602090205460801c90565b34801561038d575f5ffd5b506101a561039c366004611c7b565b610b04565b3480156103ac575f5ffd5b506101a56103bb366004611c7b565b610bad565b3480156103cb575f5ffd5b506101bb610ddd565b3480156103df575f5ffd5b506101a56103ee366004611cf8565b610dec565b3480156103fe575f5ffd5b506101f061040d366004611cf8565b610fd6565b6101a5610420366004611f07565b610feb565b348015610430575f5ffd5b5061023a7f000000000000000000000000000000000000000000000000000000000000000081565b348015610463575f5ffd5b50610218611209565b348015610477575f5ffd5b50610218610486366004611cf8565b6112c9565b348015610496575f5ffd5b506102186104a5366004611f1e565b60205267616c6c6f77616e63600c9081525f91909152603490205490565b3480156104ce575f5ffd5b506102186112e3565b3480156104e2575f5ffd5b506102186104f1366004611cf8565b6112fa565b6104fe611455565b60ff5f5c161561053a576040517fab143c0600000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b60015f805c7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff00168217905d50815f0361059f576040517f1f2a200500000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b73ffffffffffffffffffffffffffffffffffffffff81166105ec576040517fd92e233d00000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b6105fe6105f76108c4565b8284611474565b8073ffffffffffffffffffffffffffffffffffffffff167f7084f5476618d8e60b11ef0d7d3f06914655adb8793e28ff7f018d4c76d505d58360405161064691815260200190565b60405180910390a25f7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff00815c16815d505050565b60605f805461068890611f46565b80601f01602080910402602001604051908101604052809291908181526020018280546106b490611f46565b80156106ff5780601f106106d6576101008083540402835291602001916106ff565b820191905f5260205f20905b8154815290600101906020018083116106e257829003601f168201915b5050505050905090565b5f73ffffffffffffffffffffffffffffffffffffffff8316610757576040517fd92e233d00000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b8260205267616c6c6f77616e63600c52335f52816034600c2055815f52602c5160601c337f8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b92560205fa35060015b92915050565b5f6014602d600c303c505f5190565b5f73ffffffffffffffffffffffffffffffffffffffff8416610807576040517fd92e233d00000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b3360205267616c6c6f77616e63600c52835f526034600c20805480191561084b578084111561084557632a1b2dd85f5280602052836040526044601cfd5b83810382555b5050610858848484611647565b5060019392505050565b5f5f61086c6108c4565b60129250905073ffffffffffffffffffffffffffffffffffffffff8116610891575090565b63313ce5675f5260205f6004601c845afa601f3d118116156108bf575f516101008110156108bd578093505b505b505090565b5f60146041600c303c505f5190565b60606108dd611455565b838214610916576040517fff633a3800000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b8367ffffffffffffffff81111561092f5761092f611f91565b604051908082528060200260200182016040528015610958578160200160208202803683370190505b5090505f5b848110156109d2576109ad86868381811061097a5761097a611fbe565b905060200201602081019061098f9190611eee565b8585848181106109a1576109a1611fbe565b90506020020135611770565b8282815181106109bf576109bf611fbe565b602090810291909101015260010161095d565b50949350505050565b3373ffffffffffffffffffffffffffffffffffffffff7f00000000000000000000000000000000000000000000000000000000000000001614610a4a576040517f32cc723600000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b5f8054610a5690611f46565b1515905080610a72575060018054610a6d90611f46565b151590505b15610aa9576040517f0dc149f000000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b5f819003610ae3576040517f198c27f600000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b5f610aef848683612034565b506001610afd828483612034565b5050505050565b60ff5f5c1615610b40576040517fab143c0600000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b60015f805c7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff00168217905d50610b768282611837565b610b816105f76108c4565b5f7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff00815c16815d505050565b60ff5f5c1615610be9576040517fab143c0600000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b60015f805c7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff00168217905d50610c1f8282611837565b5f610c286108c4565b905073ffffffffffffffffffffffffffffffffffffffff811615801590610c535750610c5381611952565b15610da5575f6040516391fac6f760e01b5f5284600452836024525f5f60445f5f875af19150806040525080610d9f576040513d81523d5f602083013e3d601f017fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe01681016020810160408190527f70a082310000000000000000000000000000000000000000000000000000000090523060248201525f9073ffffffffffffffffffffffffffffffffffffffff8516906370a0823190604401602060405180830381865afa158015610d28573d5f5f3e3d5ffd5b505050506040513d601f19601f82011682018060405250810190610d4c919061214a565b905080861115610d97576040517f315276c900000000000000000000000000000000000000000000000000000000815260048101829052602481018790526044015b60405180910390fd5b815160208301fd5b50610db0565b610db0818385611474565b505f7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff00815c16815d505050565b60606001805461068890611f46565b610df4611455565b73ffffffffffffffffffffffffffffffffffffffff8216610e41576040517fd92e233d00000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b3073ffffffffffffffffffffffffffffffffffffffff831603610e90576040517f6bbc001f00000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b805f03610ec9576040517f1f2a200500000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b806805345cdf77eb68f44c5401677472757374626f74600c52825f526020600c2080546fffffffffffffffffffffffffffffffff848260801c01116fffffffffffffffffffffffffffffffff8411176fffffffffffffffffffffffffffffffff85111715610f3e576335278d125f526004601cfd5b826805345cdf77eb68f44c558360801b84018101825550505080602052815f7fddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef602080a38173ffffffffffffffffffffffffffffffffffffffff167f0d362dfb6d2ff0593e93126903dd7ff61d213b9770e8c2c499f0e4db806d805982604051610fca91815260200190565b60405180910390a25050565b5f610fe2338484611647565b50600192915050565b60ff5f5c1615611027576040517fab143c0600000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b60015f805c7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff00168217905d50805f0361108c576040517f1f2a200500000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b5f6110956108c4565b90508173ffffffffffffffffffffffffffffffffffffffff82166110fa578234146110f5576040517f195a3ca100000000000000000000000000000000000000000000000000000000815234600482015260248101849052604401610d8e565b6111a6565b341561113a576040517f195a3ca10000000000000000000000000000000000000000000000000000000081523460048201525f6024820152604401610d8e565b5f61114483611a57565b9050611151833386611ac2565b5f61115b84611a57565b905081811015611197576040517f90b8ec1800000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b6111a18282612161565b925050505b60405181815233907f2da466a7b24304f47e87fa2e1e5a81b9831ce54fec19055ce277ca2f39ba42c49060200160405180910390a2505f90507fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff00815c16815d5050565b5f5f6112136108c4565b905073ffffffffffffffffffffffffffffffffffffffff8116611237574791505090565b6040517f70a0823100000000000000000000000000000000000000000000000000000000815230600482015273ffffffffffffffffffffffffffffffffffffffff8216906370a0823190602401602060405180830381865afa15801561129f573d5f5f3e3d5ffd5b505050506040513d601f19601f820116820180604052508101906112c3919061214a565b91505090565b5f6112d2611455565b6112dc8383611770565b9392505050565b5f6112f56805345cdf77eb68f44c5490565b905090565b5f611303611455565b73ffffffffffffffffffffffffffffffffffffffff8316611350576040517fd92e233d00000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b815f03611389576040517f1f2a200500000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b677472757374626f74600c52825f526020600c2080546fffffffffffffffffffffffffffffffff81168160801c9150809350808510156113c7578493505b5f828610156113d557508482035b8482038160801b17845550505050806805345cdf77eb68f44c54036805345cdf77eb68f44c55806020525f837fddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef602080a3816020527f61e27b0bfd8e18e6b92ec32ce1c28bb698d27bfe93e84c7e94d4db0a3135c760602080a192915050565b6014602d600c303c335f5114611472576354ec50635f526004601cfd5b565b5f73ffffffffffffffffffffffffffffffffffffffff84166114e55747808311156114d5576040517f315276c90000000000000000000000000000000000000000000000000000000081526004810182905260248101849052604401610d8e565b5f5f5f5f86885af191505061160a565b60405183601452826034526fa9059cbb0000000000000000000000005f5260205f604460105f895af1915060015f5114601f3d11165f863b113d151617821691505f60345280604052508061160a576040517f70a082310000000000000000000000000000000000000000000000000000000081523060048201525f9073ffffffffffffffffffffffffffffffffffffffff8616906370a0823190602401602060405180830381865afa15801561159e573d5f5f3e3d5ffd5b505050506040513d601f19601f820116820180604052508101906115c2919061214a565b905080831115611608576040517f315276c90000000000000000000000000000000000000000000000000000000081526004810182905260248101849052604401610d8e565b505b80611641576040517f90b8ec1800000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b50505050565b73ffffffffffffffffffffffffffffffffffffffff8216611694576040517fd92e233d00000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b3073ffffffffffffffffffffffffffffffffffffffff8316036116e3576040517f6bbc001f00000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b677472757374626f74600c52825f526020600c2080546fffffffffffffffffffffffffffffffff8116808411156117295763cf4791815f5280602052836040526044601cfd5b5082810382555050815f526020600c20818154018155508060205281837fddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef602080a3505050565b5f677472757374626f74600c52825f526020600c2080546fffffffffffffffffffffffffffffffff81168160801c818111156117b7578181039450848610156117b7578594505b5050821561182f57826805345cdf77eb68f44c54016fffffffffffffffffffffffffffffffff8111156117f1576335278d125f526004601cfd5b806805345cdf77eb68f44c5550828101825582602052845f7fddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef602080a35b505092915050565b815f03611870576040517f1f2a200500000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b73ffffffffffffffffffffffffffffffffffffffff81166118bd576040517fd92e233d00000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b677472757374626f74600c52335f526020600c2080546fffffffffffffffffffffffffffffffff8116808511156119035763cf4791815f5280602052846040526044601cfd5b5083810382555050816805345cdf77eb68f44c54036805345cdf77eb68f44c55816020525f337fddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef602080a35050565b5f8173ffffffffffffffffffffffffffffffffffffffff163b60551461197957505f919050565b5f61198383611b4c565b90505f6014600a600c863c5f5190507f000000000000000000000000000000000000000000000000000000000000000073ffffffffffffffffffffffffffffffffffffffff168173ffffffffffffffffffffffffffffffffffffffff16146119ee57505f9392505050565b8373ffffffffffffffffffffffffffffffffffffffff16611a38828485805190602001207f0000000000000000000000000000000000000000000000000000000000000000611b99565b73ffffffffffffffffffffffffffffffffffffffff1614949350505050565b5f5f306014526f70a082310000000000000000000000005f5260205f60246010865afa5f519250601f3d1116905080611abc576040517f90b8ec1800000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b50919050565b5f60405182606052306040528360601b602c526f23b872dd000000000000000000000000600c5260205f6064601c5f895af1915060015f5114601f3d11165f863b113d151617821691505f606052806040525080611641576040517f90b8ec1800000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b60405164ffffffffff7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd3833b0116808252602090810190602d908301843c60408101815101604052919050565b5f5f611ba58686611bbc565b9050611bb2818585611c34565b9695505050505050565b5f604051825161ffd281113d3d3e5f5b81811015611be95760208186018101516043858401015201611bcc565b506e5af43d82803e903d91602b57fd5bf360238301528460148301528060881b7361002d3d81600a3d39f3363d3d373d3d3d363d7301825260378101600c8301209250505092915050565b5f60ff5f5350603592835260601b60015260155260555f908120915290565b803573ffffffffffffffffffffffffffffffffffffffff81168114611c76575f5ffd5b919050565b5f5f60408385031215611c8c575f5ffd5b82359150611c9c60208401611c53565b90509250929050565b602081525f82518060208401528060208501604085015e5f6040828501015260407fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe0601f83011684010191505092915050565b5f5f60408385031215611d09575f5ffd5b611d1283611c53565b946020939093013593505050565b5f5f5f60608486031215611d32575f5ffd5b611d3b84611c53565b9250611d4960208501611c53565b929592945050506040919091013590565b5f5f83601f840112611d6a575f5ffd5b50813567ffffffffffffffff811115611d81575f5ffd5b6020830191508360208260051b8501011115611d9b575f5ffd5b9250929050565b5f5f5f5f60408587031215611db5575f5ffd5b843567ffffffffffffffff811115611dcb575f5ffd5b611dd787828801611d5a565b909550935050602085013567ffffffffffffffff811115611df6575f5ffd5b611e0287828801611d5a565b95989497509550505050565b602080825282518282018190525f918401906040840190835b81811015611e45578351835260209384019390920191600101611e27565b509095945050505050565b5f5f83601f840112611e60575f5ffd5b50813567ffffffffffffffff811115611e77575f5ffd5b602083019150836020828501011115611d9b575f5ffd5b5f5f5f5f60408587031215611ea1575f5ffd5b843567ffffffffffffffff811115611eb7575f5ffd5b611ec387828801611e50565b909550935050602085013567ffffffffffffffff811115611ee2575f5ffd5b611e0287828801611e50565b5f60208284031215611efe575f5ffd5b6112dc82611c53565b5f60208284031215611f17575f5ffd5b5035919050565b5f5f60408385031215611f2f575f5ffd5b611f3883611c53565b9150611c9c60208401611c53565b600181811c90821680611f5a57607f821691505b602082108103611abc577f4e487b71000000000000000000000000000000000000000000000000000000005f52602260045260245ffd5b7f4e487b71000000000000000000000000000000000000000000000000000000005f52604160045260245ffd5b7f4e487b71000000000000000000000000000000000000000000000000000000005f52603260045260245ffd5b601f82111561202f57805f5260205f20601f840160051c810160208510156120105750805b601f840160051c820191505b81811015610afd575f815560010161201c565b505050565b67ffffffffffffffff83111561204c5761204c611f91565b6120608361205a8354611f46565b83611feb565b5f601f8411600181146120b0575f851561207a5750838201355b7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff600387901b1c1916600186901b178355610afd565b5f838152602081207fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe08716915b828110156120fd57868501358255602094850194600190920191016120dd565b5086821015612138577fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff60f88860031b161c19848701351681555b505060018560011b0183555050505050565b5f6020828403121561215a575f5ffd5b5051919050565b818103818111156107a4577f4e487b71000000000000000000000000000000000000000000000000000000005f52601160045260245ffd",
}

// TrustReserve is an auto generated Go binding around an Ethereum contract.
type TrustReserve struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *TrustReserve) GetABI() abi.ABI {
	return c.abi
}

// NewTrustReserve creates a new instance of TrustReserve.
func NewTrustReserve() *TrustReserve {
	parsed, err := TrustReserveMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &TrustReserve{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *TrustReserve) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackAllowance is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xdd62ed3e.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function allowance(address owner, address spender) view returns(uint256 a)
func (trustReserve *TrustReserve) PackAllowance(owner common.Address, spender common.Address) []byte {
	enc, err := trustReserve.abi.Pack("allowance", owner, spender)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackAllowance is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xdd62ed3e.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function allowance(address owner, address spender) view returns(uint256 a)
func (trustReserve *TrustReserve) TryPackAllowance(owner common.Address, spender common.Address) ([]byte, error) {
	return trustReserve.abi.Pack("allowance", owner, spender)
}

// UnpackAllowance is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xdd62ed3e.
//
// Solidity: function allowance(address owner, address spender) view returns(uint256 a)
func (trustReserve *TrustReserve) UnpackAllowance(data []byte) (*big.Int, error) {
	out, err := trustReserve.abi.Unpack("allowance", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackApprove is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x095ea7b3.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function approve(address spender, uint256 amount) returns(bool)
func (trustReserve *TrustReserve) PackApprove(spender common.Address, amount *big.Int) []byte {
	enc, err := trustReserve.abi.Pack("approve", spender, amount)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackApprove is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x095ea7b3.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function approve(address spender, uint256 amount) returns(bool)
func (trustReserve *TrustReserve) TryPackApprove(spender common.Address, amount *big.Int) ([]byte, error) {
	return trustReserve.abi.Pack("approve", spender, amount)
}

// UnpackApprove is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x095ea7b3.
//
// Solidity: function approve(address spender, uint256 amount) returns(bool)
func (trustReserve *TrustReserve) UnpackApprove(data []byte) (bool, error) {
	out, err := trustReserve.abi.Unpack("approve", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackAsset is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x38d52e0f.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function asset() view returns(address a)
func (trustReserve *TrustReserve) PackAsset() []byte {
	enc, err := trustReserve.abi.Pack("asset")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackAsset is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x38d52e0f.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function asset() view returns(address a)
func (trustReserve *TrustReserve) TryPackAsset() ([]byte, error) {
	return trustReserve.abi.Pack("asset")
}

// UnpackAsset is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x38d52e0f.
//
// Solidity: function asset() view returns(address a)
func (trustReserve *TrustReserve) UnpackAsset(data []byte) (common.Address, error) {
	out, err := trustReserve.abi.Unpack("asset", data)
	if err != nil {
		return *new(common.Address), err
	}
	out0 := *abi.ConvertType(out[0], new(common.Address)).(*common.Address)
	return out0, nil
}

// PackBalanceOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x70a08231.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function balanceOf(address holder) view returns(uint256 b)
func (trustReserve *TrustReserve) PackBalanceOf(holder common.Address) []byte {
	enc, err := trustReserve.abi.Pack("balanceOf", holder)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackBalanceOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x70a08231.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function balanceOf(address holder) view returns(uint256 b)
func (trustReserve *TrustReserve) TryPackBalanceOf(holder common.Address) ([]byte, error) {
	return trustReserve.abi.Pack("balanceOf", holder)
}

// UnpackBalanceOf is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x70a08231.
//
// Solidity: function balanceOf(address holder) view returns(uint256 b)
func (trustReserve *TrustReserve) UnpackBalanceOf(data []byte) (*big.Int, error) {
	out, err := trustReserve.abi.Unpack("balanceOf", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackBudgetOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x7865e71f.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function budgetOf(address holder) view returns(uint256 b)
func (trustReserve *TrustReserve) PackBudgetOf(holder common.Address) []byte {
	enc, err := trustReserve.abi.Pack("budgetOf", holder)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackBudgetOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x7865e71f.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function budgetOf(address holder) view returns(uint256 b)
func (trustReserve *TrustReserve) TryPackBudgetOf(holder common.Address) ([]byte, error) {
	return trustReserve.abi.Pack("budgetOf", holder)
}

// UnpackBudgetOf is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x7865e71f.
//
// Solidity: function budgetOf(address holder) view returns(uint256 b)
func (trustReserve *TrustReserve) UnpackBudgetOf(data []byte) (*big.Int, error) {
	out, err := trustReserve.abi.Unpack("budgetOf", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackDecimals is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x313ce567.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function decimals() view returns(uint8 d)
func (trustReserve *TrustReserve) PackDecimals() []byte {
	enc, err := trustReserve.abi.Pack("decimals")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackDecimals is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x313ce567.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function decimals() view returns(uint8 d)
func (trustReserve *TrustReserve) TryPackDecimals() ([]byte, error) {
	return trustReserve.abi.Pack("decimals")
}

// UnpackDecimals is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x313ce567.
//
// Solidity: function decimals() view returns(uint8 d)
func (trustReserve *TrustReserve) UnpackDecimals(data []byte) (uint8, error) {
	out, err := trustReserve.abi.Unpack("decimals", data)
	if err != nil {
		return *new(uint8), err
	}
	out0 := *abi.ConvertType(out[0], new(uint8)).(*uint8)
	return out0, nil
}

// PackDeposit is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xb6b55f25.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function deposit(uint256 amount) payable returns()
func (trustReserve *TrustReserve) PackDeposit(amount *big.Int) []byte {
	enc, err := trustReserve.abi.Pack("deposit", amount)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackDeposit is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xb6b55f25.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function deposit(uint256 amount) payable returns()
func (trustReserve *TrustReserve) TryPackDeposit(amount *big.Int) ([]byte, error) {
	return trustReserve.abi.Pack("deposit", amount)
}

// PackFactory is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xc45a0155.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function factory() view returns(address)
func (trustReserve *TrustReserve) PackFactory() []byte {
	enc, err := trustReserve.abi.Pack("factory")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackFactory is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xc45a0155.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function factory() view returns(address)
func (trustReserve *TrustReserve) TryPackFactory() ([]byte, error) {
	return trustReserve.abi.Pack("factory")
}

// UnpackFactory is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xc45a0155.
//
// Solidity: function factory() view returns(address)
func (trustReserve *TrustReserve) UnpackFactory(data []byte) (common.Address, error) {
	out, err := trustReserve.abi.Unpack("factory", data)
	if err != nil {
		return *new(common.Address), err
	}
	out0 := *abi.ConvertType(out[0], new(common.Address)).(*common.Address)
	return out0, nil
}

// PackInitialize is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x4cd88b76.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function initialize(string name_, string symbol_) returns()
func (trustReserve *TrustReserve) PackInitialize(name string, symbol string) []byte {
	enc, err := trustReserve.abi.Pack("initialize", name, symbol)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackInitialize is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x4cd88b76.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function initialize(string name_, string symbol_) returns()
func (trustReserve *TrustReserve) TryPackInitialize(name string, symbol string) ([]byte, error) {
	return trustReserve.abi.Pack("initialize", name, symbol)
}

// PackIssuer is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x1d143848.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function issuer() view returns(address a)
func (trustReserve *TrustReserve) PackIssuer() []byte {
	enc, err := trustReserve.abi.Pack("issuer")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackIssuer is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x1d143848.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function issuer() view returns(address a)
func (trustReserve *TrustReserve) TryPackIssuer() ([]byte, error) {
	return trustReserve.abi.Pack("issuer")
}

// UnpackIssuer is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x1d143848.
//
// Solidity: function issuer() view returns(address a)
func (trustReserve *TrustReserve) UnpackIssuer(data []byte) (common.Address, error) {
	out, err := trustReserve.abi.Unpack("issuer", data)
	if err != nil {
		return *new(common.Address), err
	}
	out0 := *abi.ConvertType(out[0], new(common.Address)).(*common.Address)
	return out0, nil
}

// PackName is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x06fdde03.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function name() view returns(string)
func (trustReserve *TrustReserve) PackName() []byte {
	enc, err := trustReserve.abi.Pack("name")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackName is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x06fdde03.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function name() view returns(string)
func (trustReserve *TrustReserve) TryPackName() ([]byte, error) {
	return trustReserve.abi.Pack("name")
}

// UnpackName is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x06fdde03.
//
// Solidity: function name() view returns(string)
func (trustReserve *TrustReserve) UnpackName(data []byte) (string, error) {
	out, err := trustReserve.abi.Unpack("name", data)
	if err != nil {
		return *new(string), err
	}
	out0 := *abi.ConvertType(out[0], new(string)).(*string)
	return out0, nil
}

// PackOutstanding is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe50d33e3.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function outstanding() view returns(uint256)
func (trustReserve *TrustReserve) PackOutstanding() []byte {
	enc, err := trustReserve.abi.Pack("outstanding")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackOutstanding is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe50d33e3.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function outstanding() view returns(uint256)
func (trustReserve *TrustReserve) TryPackOutstanding() ([]byte, error) {
	return trustReserve.abi.Pack("outstanding")
}

// UnpackOutstanding is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xe50d33e3.
//
// Solidity: function outstanding() view returns(uint256)
func (trustReserve *TrustReserve) UnpackOutstanding(data []byte) (*big.Int, error) {
	out, err := trustReserve.abi.Unpack("outstanding", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackRedeem is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x7bde82f2.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function redeem(uint256 amount, address to) returns()
func (trustReserve *TrustReserve) PackRedeem(amount *big.Int, to common.Address) []byte {
	enc, err := trustReserve.abi.Pack("redeem", amount, to)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRedeem is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x7bde82f2.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function redeem(uint256 amount, address to) returns()
func (trustReserve *TrustReserve) TryPackRedeem(amount *big.Int, to common.Address) ([]byte, error) {
	return trustReserve.abi.Pack("redeem", amount, to)
}

// PackRedeemDeep is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x91fac6f7.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function redeemDeep(uint256 amount, address to) returns()
func (trustReserve *TrustReserve) PackRedeemDeep(amount *big.Int, to common.Address) []byte {
	enc, err := trustReserve.abi.Pack("redeemDeep", amount, to)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRedeemDeep is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x91fac6f7.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function redeemDeep(uint256 amount, address to) returns()
func (trustReserve *TrustReserve) TryPackRedeemDeep(amount *big.Int, to common.Address) ([]byte, error) {
	return trustReserve.abi.Pack("redeemDeep", amount, to)
}

// PackReserve is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xcd3293de.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function reserve() view returns(uint256)
func (trustReserve *TrustReserve) PackReserve() []byte {
	enc, err := trustReserve.abi.Pack("reserve")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackReserve is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xcd3293de.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function reserve() view returns(uint256)
func (trustReserve *TrustReserve) TryPackReserve() ([]byte, error) {
	return trustReserve.abi.Pack("reserve")
}

// UnpackReserve is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xcd3293de.
//
// Solidity: function reserve() view returns(uint256)
func (trustReserve *TrustReserve) UnpackReserve(data []byte) (*big.Int, error) {
	out, err := trustReserve.abi.Unpack("reserve", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackReup is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xcdadbef2.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function reup(address holder, uint256 maxMint) returns(uint256 minted)
func (trustReserve *TrustReserve) PackReup(holder common.Address, maxMint *big.Int) []byte {
	enc, err := trustReserve.abi.Pack("reup", holder, maxMint)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackReup is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xcdadbef2.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function reup(address holder, uint256 maxMint) returns(uint256 minted)
func (trustReserve *TrustReserve) TryPackReup(holder common.Address, maxMint *big.Int) ([]byte, error) {
	return trustReserve.abi.Pack("reup", holder, maxMint)
}

// UnpackReup is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xcdadbef2.
//
// Solidity: function reup(address holder, uint256 maxMint) returns(uint256 minted)
func (trustReserve *TrustReserve) UnpackReup(data []byte) (*big.Int, error) {
	out, err := trustReserve.abi.Unpack("reup", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackReupMany is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x43ed670f.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function reupMany(address[] holders, uint256[] maxMints) returns(uint256[] minted)
func (trustReserve *TrustReserve) PackReupMany(holders []common.Address, maxMints []*big.Int) []byte {
	enc, err := trustReserve.abi.Pack("reupMany", holders, maxMints)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackReupMany is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x43ed670f.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function reupMany(address[] holders, uint256[] maxMints) returns(uint256[] minted)
func (trustReserve *TrustReserve) TryPackReupMany(holders []common.Address, maxMints []*big.Int) ([]byte, error) {
	return trustReserve.abi.Pack("reupMany", holders, maxMints)
}

// UnpackReupMany is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x43ed670f.
//
// Solidity: function reupMany(address[] holders, uint256[] maxMints) returns(uint256[] minted)
func (trustReserve *TrustReserve) UnpackReupMany(data []byte) ([]*big.Int, error) {
	out, err := trustReserve.abi.Unpack("reupMany", data)
	if err != nil {
		return *new([]*big.Int), err
	}
	out0 := *abi.ConvertType(out[0], new([]*big.Int)).(*[]*big.Int)
	return out0, nil
}

// PackRevoke is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xeac449d9.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function revoke(address holder, uint256 amount) returns(uint256 burned)
func (trustReserve *TrustReserve) PackRevoke(holder common.Address, amount *big.Int) []byte {
	enc, err := trustReserve.abi.Pack("revoke", holder, amount)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRevoke is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xeac449d9.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function revoke(address holder, uint256 amount) returns(uint256 burned)
func (trustReserve *TrustReserve) TryPackRevoke(holder common.Address, amount *big.Int) ([]byte, error) {
	return trustReserve.abi.Pack("revoke", holder, amount)
}

// UnpackRevoke is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xeac449d9.
//
// Solidity: function revoke(address holder, uint256 amount) returns(uint256 burned)
func (trustReserve *TrustReserve) UnpackRevoke(data []byte) (*big.Int, error) {
	out, err := trustReserve.abi.Unpack("revoke", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackSymbol is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x95d89b41.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function symbol() view returns(string)
func (trustReserve *TrustReserve) PackSymbol() []byte {
	enc, err := trustReserve.abi.Pack("symbol")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSymbol is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x95d89b41.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function symbol() view returns(string)
func (trustReserve *TrustReserve) TryPackSymbol() ([]byte, error) {
	return trustReserve.abi.Pack("symbol")
}

// UnpackSymbol is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x95d89b41.
//
// Solidity: function symbol() view returns(string)
func (trustReserve *TrustReserve) UnpackSymbol(data []byte) (string, error) {
	out, err := trustReserve.abi.Unpack("symbol", data)
	if err != nil {
		return *new(string), err
	}
	out0 := *abi.ConvertType(out[0], new(string)).(*string)
	return out0, nil
}

// PackTotalSupply is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x18160ddd.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function totalSupply() view returns(uint256 s)
func (trustReserve *TrustReserve) PackTotalSupply() []byte {
	enc, err := trustReserve.abi.Pack("totalSupply")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackTotalSupply is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x18160ddd.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function totalSupply() view returns(uint256 s)
func (trustReserve *TrustReserve) TryPackTotalSupply() ([]byte, error) {
	return trustReserve.abi.Pack("totalSupply")
}

// UnpackTotalSupply is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x18160ddd.
//
// Solidity: function totalSupply() view returns(uint256 s)
func (trustReserve *TrustReserve) UnpackTotalSupply(data []byte) (*big.Int, error) {
	out, err := trustReserve.abi.Unpack("totalSupply", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackTransfer is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa9059cbb.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function transfer(address to, uint256 amount) returns(bool)
func (trustReserve *TrustReserve) PackTransfer(to common.Address, amount *big.Int) []byte {
	enc, err := trustReserve.abi.Pack("transfer", to, amount)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackTransfer is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa9059cbb.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function transfer(address to, uint256 amount) returns(bool)
func (trustReserve *TrustReserve) TryPackTransfer(to common.Address, amount *big.Int) ([]byte, error) {
	return trustReserve.abi.Pack("transfer", to, amount)
}

// UnpackTransfer is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xa9059cbb.
//
// Solidity: function transfer(address to, uint256 amount) returns(bool)
func (trustReserve *TrustReserve) UnpackTransfer(data []byte) (bool, error) {
	out, err := trustReserve.abi.Unpack("transfer", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackTransferFrom is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x23b872dd.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function transferFrom(address from, address to, uint256 amount) returns(bool)
func (trustReserve *TrustReserve) PackTransferFrom(from common.Address, to common.Address, amount *big.Int) []byte {
	enc, err := trustReserve.abi.Pack("transferFrom", from, to, amount)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackTransferFrom is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x23b872dd.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function transferFrom(address from, address to, uint256 amount) returns(bool)
func (trustReserve *TrustReserve) TryPackTransferFrom(from common.Address, to common.Address, amount *big.Int) ([]byte, error) {
	return trustReserve.abi.Pack("transferFrom", from, to, amount)
}

// UnpackTransferFrom is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x23b872dd.
//
// Solidity: function transferFrom(address from, address to, uint256 amount) returns(bool)
func (trustReserve *TrustReserve) UnpackTransferFrom(data []byte) (bool, error) {
	out, err := trustReserve.abi.Unpack("transferFrom", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackTrust is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x9951d62f.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function trust(address holder, uint256 amount) returns()
func (trustReserve *TrustReserve) PackTrust(holder common.Address, amount *big.Int) []byte {
	enc, err := trustReserve.abi.Pack("trust", holder, amount)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackTrust is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x9951d62f.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function trust(address holder, uint256 amount) returns()
func (trustReserve *TrustReserve) TryPackTrust(holder common.Address, amount *big.Int) ([]byte, error) {
	return trustReserve.abi.Pack("trust", holder, amount)
}

// PackWithdraw is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x00f714ce.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function withdraw(uint256 amount, address to) returns()
func (trustReserve *TrustReserve) PackWithdraw(amount *big.Int, to common.Address) []byte {
	enc, err := trustReserve.abi.Pack("withdraw", amount, to)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackWithdraw is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x00f714ce.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function withdraw(uint256 amount, address to) returns()
func (trustReserve *TrustReserve) TryPackWithdraw(amount *big.Int, to common.Address) ([]byte, error) {
	return trustReserve.abi.Pack("withdraw", amount, to)
}

// TrustReserveApproval represents a Approval event raised by the TrustReserve contract.
type TrustReserveApproval struct {
	Owner   common.Address
	Spender common.Address
	Amount  *big.Int
	Raw     *types.Log // Blockchain specific contextual infos
}

const TrustReserveApprovalEventName = "Approval"

// ContractEventName returns the user-defined event name.
func (TrustReserveApproval) ContractEventName() string {
	return TrustReserveApprovalEventName
}

// UnpackApprovalEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Approval(address indexed owner, address indexed spender, uint256 amount)
func (trustReserve *TrustReserve) UnpackApprovalEvent(log *types.Log) (*TrustReserveApproval, error) {
	event := "Approval"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != trustReserve.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TrustReserveApproval)
	if len(log.Data) > 0 {
		if err := trustReserve.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range trustReserve.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// TrustReserveDeposited represents a Deposited event raised by the TrustReserve contract.
type TrustReserveDeposited struct {
	From   common.Address
	Amount *big.Int
	Raw    *types.Log // Blockchain specific contextual infos
}

const TrustReserveDepositedEventName = "Deposited"

// ContractEventName returns the user-defined event name.
func (TrustReserveDeposited) ContractEventName() string {
	return TrustReserveDepositedEventName
}

// UnpackDepositedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Deposited(address indexed from, uint256 amount)
func (trustReserve *TrustReserve) UnpackDepositedEvent(log *types.Log) (*TrustReserveDeposited, error) {
	event := "Deposited"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != trustReserve.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TrustReserveDeposited)
	if len(log.Data) > 0 {
		if err := trustReserve.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range trustReserve.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// TrustReserveRevoked represents a Revoked event raised by the TrustReserve contract.
type TrustReserveRevoked struct {
	Amount *big.Int
	Raw    *types.Log // Blockchain specific contextual infos
}

const TrustReserveRevokedEventName = "Revoked"

// ContractEventName returns the user-defined event name.
func (TrustReserveRevoked) ContractEventName() string {
	return TrustReserveRevokedEventName
}

// UnpackRevokedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Revoked(uint256 amount)
func (trustReserve *TrustReserve) UnpackRevokedEvent(log *types.Log) (*TrustReserveRevoked, error) {
	event := "Revoked"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != trustReserve.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TrustReserveRevoked)
	if len(log.Data) > 0 {
		if err := trustReserve.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range trustReserve.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// TrustReserveTransfer represents a Transfer event raised by the TrustReserve contract.
type TrustReserveTransfer struct {
	From   common.Address
	To     common.Address
	Amount *big.Int
	Raw    *types.Log // Blockchain specific contextual infos
}

const TrustReserveTransferEventName = "Transfer"

// ContractEventName returns the user-defined event name.
func (TrustReserveTransfer) ContractEventName() string {
	return TrustReserveTransferEventName
}

// UnpackTransferEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Transfer(address indexed from, address indexed to, uint256 amount)
func (trustReserve *TrustReserve) UnpackTransferEvent(log *types.Log) (*TrustReserveTransfer, error) {
	event := "Transfer"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != trustReserve.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TrustReserveTransfer)
	if len(log.Data) > 0 {
		if err := trustReserve.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range trustReserve.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// TrustReserveTrusted represents a Trusted event raised by the TrustReserve contract.
type TrustReserveTrusted struct {
	Holder common.Address
	Amount *big.Int
	Raw    *types.Log // Blockchain specific contextual infos
}

const TrustReserveTrustedEventName = "Trusted"

// ContractEventName returns the user-defined event name.
func (TrustReserveTrusted) ContractEventName() string {
	return TrustReserveTrustedEventName
}

// UnpackTrustedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Trusted(address indexed holder, uint256 amount)
func (trustReserve *TrustReserve) UnpackTrustedEvent(log *types.Log) (*TrustReserveTrusted, error) {
	event := "Trusted"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != trustReserve.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TrustReserveTrusted)
	if len(log.Data) > 0 {
		if err := trustReserve.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range trustReserve.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// TrustReserveWithdrawn represents a Withdrawn event raised by the TrustReserve contract.
type TrustReserveWithdrawn struct {
	To     common.Address
	Amount *big.Int
	Raw    *types.Log // Blockchain specific contextual infos
}

const TrustReserveWithdrawnEventName = "Withdrawn"

// ContractEventName returns the user-defined event name.
func (TrustReserveWithdrawn) ContractEventName() string {
	return TrustReserveWithdrawnEventName
}

// UnpackWithdrawnEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Withdrawn(address indexed to, uint256 amount)
func (trustReserve *TrustReserve) UnpackWithdrawnEvent(log *types.Log) (*TrustReserveWithdrawn, error) {
	event := "Withdrawn"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != trustReserve.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TrustReserveWithdrawn)
	if len(log.Data) > 0 {
		if err := trustReserve.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range trustReserve.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// UnpackError attempts to decode the provided error data using user-defined
// error definitions.
func (trustReserve *TrustReserve) UnpackError(raw []byte) (any, error) {
	if bytes.Equal(raw[:4], trustReserve.abi.Errors["AlreadyInitialized"].ID.Bytes()[:4]) {
		return trustReserve.UnpackAlreadyInitializedError(raw[4:])
	}
	if bytes.Equal(raw[:4], trustReserve.abi.Errors["EmptySymbol"].ID.Bytes()[:4]) {
		return trustReserve.UnpackEmptySymbolError(raw[4:])
	}
	if bytes.Equal(raw[:4], trustReserve.abi.Errors["InsufficientAllowance"].ID.Bytes()[:4]) {
		return trustReserve.UnpackInsufficientAllowanceError(raw[4:])
	}
	if bytes.Equal(raw[:4], trustReserve.abi.Errors["InsufficientBalance"].ID.Bytes()[:4]) {
		return trustReserve.UnpackInsufficientBalanceError(raw[4:])
	}
	if bytes.Equal(raw[:4], trustReserve.abi.Errors["InsufficientReserve"].ID.Bytes()[:4]) {
		return trustReserve.UnpackInsufficientReserveError(raw[4:])
	}
	if bytes.Equal(raw[:4], trustReserve.abi.Errors["LengthMismatch"].ID.Bytes()[:4]) {
		return trustReserve.UnpackLengthMismatchError(raw[4:])
	}
	if bytes.Equal(raw[:4], trustReserve.abi.Errors["NotFactory"].ID.Bytes()[:4]) {
		return trustReserve.UnpackNotFactoryError(raw[4:])
	}
	if bytes.Equal(raw[:4], trustReserve.abi.Errors["NotIssuer"].ID.Bytes()[:4]) {
		return trustReserve.UnpackNotIssuerError(raw[4:])
	}
	if bytes.Equal(raw[:4], trustReserve.abi.Errors["Overflow"].ID.Bytes()[:4]) {
		return trustReserve.UnpackOverflowError(raw[4:])
	}
	if bytes.Equal(raw[:4], trustReserve.abi.Errors["Reentrancy"].ID.Bytes()[:4]) {
		return trustReserve.UnpackReentrancyError(raw[4:])
	}
	if bytes.Equal(raw[:4], trustReserve.abi.Errors["ToReserveItself"].ID.Bytes()[:4]) {
		return trustReserve.UnpackToReserveItselfError(raw[4:])
	}
	if bytes.Equal(raw[:4], trustReserve.abi.Errors["TransferFailed"].ID.Bytes()[:4]) {
		return trustReserve.UnpackTransferFailedError(raw[4:])
	}
	if bytes.Equal(raw[:4], trustReserve.abi.Errors["WrongValue"].ID.Bytes()[:4]) {
		return trustReserve.UnpackWrongValueError(raw[4:])
	}
	if bytes.Equal(raw[:4], trustReserve.abi.Errors["ZeroAddress"].ID.Bytes()[:4]) {
		return trustReserve.UnpackZeroAddressError(raw[4:])
	}
	if bytes.Equal(raw[:4], trustReserve.abi.Errors["ZeroAmount"].ID.Bytes()[:4]) {
		return trustReserve.UnpackZeroAmountError(raw[4:])
	}
	return nil, errors.New("Unknown error")
}

// TrustReserveAlreadyInitialized represents a AlreadyInitialized error raised by the TrustReserve contract.
type TrustReserveAlreadyInitialized struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AlreadyInitialized()
func TrustReserveAlreadyInitializedErrorID() common.Hash {
	return common.HexToHash("0x0dc149f07762891dbcea3fe72770f3d63a1863fc54b2f084e8c59ec476996927")
}

// UnpackAlreadyInitializedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AlreadyInitialized()
func (trustReserve *TrustReserve) UnpackAlreadyInitializedError(raw []byte) (*TrustReserveAlreadyInitialized, error) {
	out := new(TrustReserveAlreadyInitialized)
	if err := trustReserve.abi.UnpackIntoInterface(out, "AlreadyInitialized", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TrustReserveEmptySymbol represents a EmptySymbol error raised by the TrustReserve contract.
type TrustReserveEmptySymbol struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error EmptySymbol()
func TrustReserveEmptySymbolErrorID() common.Hash {
	return common.HexToHash("0x198c27f65e3907c62c92c38d5f89703a806bc0adfb424866c5fb0d1c955c35e8")
}

// UnpackEmptySymbolError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error EmptySymbol()
func (trustReserve *TrustReserve) UnpackEmptySymbolError(raw []byte) (*TrustReserveEmptySymbol, error) {
	out := new(TrustReserveEmptySymbol)
	if err := trustReserve.abi.UnpackIntoInterface(out, "EmptySymbol", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TrustReserveInsufficientAllowance represents a InsufficientAllowance error raised by the TrustReserve contract.
type TrustReserveInsufficientAllowance struct {
	Available *big.Int
	Requested *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InsufficientAllowance(uint256 available, uint256 requested)
func TrustReserveInsufficientAllowanceErrorID() common.Hash {
	return common.HexToHash("0x2a1b2dd846b7c4bf41216c8f38fc58089000eb0b20edf03e6f81ecadbe2cbedf")
}

// UnpackInsufficientAllowanceError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InsufficientAllowance(uint256 available, uint256 requested)
func (trustReserve *TrustReserve) UnpackInsufficientAllowanceError(raw []byte) (*TrustReserveInsufficientAllowance, error) {
	out := new(TrustReserveInsufficientAllowance)
	if err := trustReserve.abi.UnpackIntoInterface(out, "InsufficientAllowance", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TrustReserveInsufficientBalance represents a InsufficientBalance error raised by the TrustReserve contract.
type TrustReserveInsufficientBalance struct {
	Available *big.Int
	Requested *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InsufficientBalance(uint256 available, uint256 requested)
func TrustReserveInsufficientBalanceErrorID() common.Hash {
	return common.HexToHash("0xcf4791818fba6e019216eb4864093b4947f674afada5d305e57d598b641dad1d")
}

// UnpackInsufficientBalanceError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InsufficientBalance(uint256 available, uint256 requested)
func (trustReserve *TrustReserve) UnpackInsufficientBalanceError(raw []byte) (*TrustReserveInsufficientBalance, error) {
	out := new(TrustReserveInsufficientBalance)
	if err := trustReserve.abi.UnpackIntoInterface(out, "InsufficientBalance", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TrustReserveInsufficientReserve represents a InsufficientReserve error raised by the TrustReserve contract.
type TrustReserveInsufficientReserve struct {
	Available *big.Int
	Requested *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InsufficientReserve(uint256 available, uint256 requested)
func TrustReserveInsufficientReserveErrorID() common.Hash {
	return common.HexToHash("0x315276c95df83f9bf0b5451466839985e62391f3f31e046aeb26e5cfc49ecc78")
}

// UnpackInsufficientReserveError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InsufficientReserve(uint256 available, uint256 requested)
func (trustReserve *TrustReserve) UnpackInsufficientReserveError(raw []byte) (*TrustReserveInsufficientReserve, error) {
	out := new(TrustReserveInsufficientReserve)
	if err := trustReserve.abi.UnpackIntoInterface(out, "InsufficientReserve", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TrustReserveLengthMismatch represents a LengthMismatch error raised by the TrustReserve contract.
type TrustReserveLengthMismatch struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error LengthMismatch()
func TrustReserveLengthMismatchErrorID() common.Hash {
	return common.HexToHash("0xff633a3803c58b9bc21e58efecee59f27e033cc0b1883fccb4969c76146fe60f")
}

// UnpackLengthMismatchError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error LengthMismatch()
func (trustReserve *TrustReserve) UnpackLengthMismatchError(raw []byte) (*TrustReserveLengthMismatch, error) {
	out := new(TrustReserveLengthMismatch)
	if err := trustReserve.abi.UnpackIntoInterface(out, "LengthMismatch", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TrustReserveNotFactory represents a NotFactory error raised by the TrustReserve contract.
type TrustReserveNotFactory struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NotFactory()
func TrustReserveNotFactoryErrorID() common.Hash {
	return common.HexToHash("0x32cc723614e775fc4a8386492bc9a860c12fe98d5f5f28ec17e265818645b229")
}

// UnpackNotFactoryError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NotFactory()
func (trustReserve *TrustReserve) UnpackNotFactoryError(raw []byte) (*TrustReserveNotFactory, error) {
	out := new(TrustReserveNotFactory)
	if err := trustReserve.abi.UnpackIntoInterface(out, "NotFactory", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TrustReserveNotIssuer represents a NotIssuer error raised by the TrustReserve contract.
type TrustReserveNotIssuer struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NotIssuer()
func TrustReserveNotIssuerErrorID() common.Hash {
	return common.HexToHash("0x54ec50639373b9ecf5c1576d5fcbf1e5c4f02c9b67d364a6a3471b351bfc58b7")
}

// UnpackNotIssuerError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NotIssuer()
func (trustReserve *TrustReserve) UnpackNotIssuerError(raw []byte) (*TrustReserveNotIssuer, error) {
	out := new(TrustReserveNotIssuer)
	if err := trustReserve.abi.UnpackIntoInterface(out, "NotIssuer", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TrustReserveOverflow represents a Overflow error raised by the TrustReserve contract.
type TrustReserveOverflow struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error Overflow()
func TrustReserveOverflowErrorID() common.Hash {
	return common.HexToHash("0x35278d127e53c148a0565944278d7e3633ce8d20f99f96aa81dc51a2ab474200")
}

// UnpackOverflowError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error Overflow()
func (trustReserve *TrustReserve) UnpackOverflowError(raw []byte) (*TrustReserveOverflow, error) {
	out := new(TrustReserveOverflow)
	if err := trustReserve.abi.UnpackIntoInterface(out, "Overflow", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TrustReserveReentrancy represents a Reentrancy error raised by the TrustReserve contract.
type TrustReserveReentrancy struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error Reentrancy()
func TrustReserveReentrancyErrorID() common.Hash {
	return common.HexToHash("0xab143c06c9772d69bbbc9f2fe74acd02f810e93b099f3d1dac8448ac9ae35991")
}

// UnpackReentrancyError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error Reentrancy()
func (trustReserve *TrustReserve) UnpackReentrancyError(raw []byte) (*TrustReserveReentrancy, error) {
	out := new(TrustReserveReentrancy)
	if err := trustReserve.abi.UnpackIntoInterface(out, "Reentrancy", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TrustReserveToReserveItself represents a ToReserveItself error raised by the TrustReserve contract.
type TrustReserveToReserveItself struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ToReserveItself()
func TrustReserveToReserveItselfErrorID() common.Hash {
	return common.HexToHash("0x6bbc001f55df7135f5faee38cbacff4987e56c6501c8a37fccca4d6aea001e03")
}

// UnpackToReserveItselfError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ToReserveItself()
func (trustReserve *TrustReserve) UnpackToReserveItselfError(raw []byte) (*TrustReserveToReserveItself, error) {
	out := new(TrustReserveToReserveItself)
	if err := trustReserve.abi.UnpackIntoInterface(out, "ToReserveItself", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TrustReserveTransferFailed represents a TransferFailed error raised by the TrustReserve contract.
type TrustReserveTransferFailed struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error TransferFailed()
func TrustReserveTransferFailedErrorID() common.Hash {
	return common.HexToHash("0x90b8ec1877afffd816d05d9b13947f3ff18ec5851c38bad15ec2b710f92391b1")
}

// UnpackTransferFailedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error TransferFailed()
func (trustReserve *TrustReserve) UnpackTransferFailedError(raw []byte) (*TrustReserveTransferFailed, error) {
	out := new(TrustReserveTransferFailed)
	if err := trustReserve.abi.UnpackIntoInterface(out, "TransferFailed", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TrustReserveWrongValue represents a WrongValue error raised by the TrustReserve contract.
type TrustReserveWrongValue struct {
	Sent     *big.Int
	Expected *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error WrongValue(uint256 sent, uint256 expected)
func TrustReserveWrongValueErrorID() common.Hash {
	return common.HexToHash("0x195a3ca12ac3744ef64727effb118b3b203c382e49c7a7d24d450eae5e3b889a")
}

// UnpackWrongValueError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error WrongValue(uint256 sent, uint256 expected)
func (trustReserve *TrustReserve) UnpackWrongValueError(raw []byte) (*TrustReserveWrongValue, error) {
	out := new(TrustReserveWrongValue)
	if err := trustReserve.abi.UnpackIntoInterface(out, "WrongValue", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TrustReserveZeroAddress represents a ZeroAddress error raised by the TrustReserve contract.
type TrustReserveZeroAddress struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ZeroAddress()
func TrustReserveZeroAddressErrorID() common.Hash {
	return common.HexToHash("0xd92e233df2717d4a40030e20904abd27b68fcbeede117eaaccbbdac9618c8c73")
}

// UnpackZeroAddressError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ZeroAddress()
func (trustReserve *TrustReserve) UnpackZeroAddressError(raw []byte) (*TrustReserveZeroAddress, error) {
	out := new(TrustReserveZeroAddress)
	if err := trustReserve.abi.UnpackIntoInterface(out, "ZeroAddress", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TrustReserveZeroAmount represents a ZeroAmount error raised by the TrustReserve contract.
type TrustReserveZeroAmount struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ZeroAmount()
func TrustReserveZeroAmountErrorID() common.Hash {
	return common.HexToHash("0x1f2a2005cb66a8e145327e8814e243a0996aec9bfe1e15a495778b1236dbd485")
}

// UnpackZeroAmountError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ZeroAmount()
func (trustReserve *TrustReserve) UnpackZeroAmountError(raw []byte) (*TrustReserveZeroAmount, error) {
	out := new(TrustReserveZeroAmount)
	if err := trustReserve.abi.UnpackIntoInterface(out, "ZeroAmount", raw); err != nil {
		return nil, err
	}
	return out, nil
}
