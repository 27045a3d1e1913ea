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

// TestUSDMetaData contains all meta data concerning the TestUSD contract.
var TestUSDMetaData = bind.MetaData{
	ABI: "[{\"type\":\"function\",\"name\":\"DOMAIN_SEPARATOR\",\"inputs\":[],\"outputs\":[{\"name\":\"result\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"allowance\",\"inputs\":[{\"name\":\"owner\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"spender\",\"type\":\"address\",\"internalType\":\"address\"}],\"outputs\":[{\"name\":\"result\",\"type\":\"uint256\",\"internalType\":\"uint256\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"approve\",\"inputs\":[{\"name\":\"spender\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"amount\",\"type\":\"uint256\",\"internalType\":\"uint256\"}],\"outputs\":[{\"name\":\"\",\"type\":\"bool\",\"internalType\":\"bool\"}],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"balanceOf\",\"inputs\":[{\"name\":\"owner\",\"type\":\"address\",\"internalType\":\"address\"}],\"outputs\":[{\"name\":\"result\",\"type\":\"uint256\",\"internalType\":\"uint256\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"decimals\",\"inputs\":[],\"outputs\":[{\"name\":\"\",\"type\":\"uint8\",\"internalType\":\"uint8\"}],\"stateMutability\":\"pure\"},{\"type\":\"function\",\"name\":\"mint\",\"inputs\":[{\"name\":\"to\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"amount\",\"type\":\"uint256\",\"internalType\":\"uint256\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"name\",\"inputs\":[],\"outputs\":[{\"name\":\"\",\"type\":\"string\",\"internalType\":\"string\"}],\"stateMutability\":\"pure\"},{\"type\":\"function\",\"name\":\"nonces\",\"inputs\":[{\"name\":\"owner\",\"type\":\"address\",\"internalType\":\"address\"}],\"outputs\":[{\"name\":\"result\",\"type\":\"uint256\",\"internalType\":\"uint256\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"permit\",\"inputs\":[{\"name\":\"owner\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"spender\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"value\",\"type\":\"uint256\",\"internalType\":\"uint256\"},{\"name\":\"deadline\",\"type\":\"uint256\",\"internalType\":\"uint256\"},{\"name\":\"v\",\"type\":\"uint8\",\"internalType\":\"uint8\"},{\"name\":\"r\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"},{\"name\":\"s\",\"type\":\"bytes32\",\"internalType\":\"bytes32\"}],\"outputs\":[],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"symbol\",\"inputs\":[],\"outputs\":[{\"name\":\"\",\"type\":\"string\",\"internalType\":\"string\"}],\"stateMutability\":\"pure\"},{\"type\":\"function\",\"name\":\"totalSupply\",\"inputs\":[],\"outputs\":[{\"name\":\"result\",\"type\":\"uint256\",\"internalType\":\"uint256\"}],\"stateMutability\":\"view\"},{\"type\":\"function\",\"name\":\"transfer\",\"inputs\":[{\"name\":\"to\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"amount\",\"type\":\"uint256\",\"internalType\":\"uint256\"}],\"outputs\":[{\"name\":\"\",\"type\":\"bool\",\"internalType\":\"bool\"}],\"stateMutability\":\"nonpayable\"},{\"type\":\"function\",\"name\":\"transferFrom\",\"inputs\":[{\"name\":\"from\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"to\",\"type\":\"address\",\"internalType\":\"address\"},{\"name\":\"amount\",\"type\":\"uint256\",\"internalType\":\"uint256\"}],\"outputs\":[{\"name\":\"\",\"type\":\"bool\",\"internalType\":\"bool\"}],\"stateMutability\":\"nonpayable\"},{\"type\":\"event\",\"name\":\"Approval\",\"inputs\":[{\"name\":\"owner\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"},{\"name\":\"spender\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"},{\"name\":\"amount\",\"type\":\"uint256\",\"indexed\":false,\"internalType\":\"uint256\"}],\"anonymous\":false},{\"type\":\"event\",\"name\":\"Transfer\",\"inputs\":[{\"name\":\"from\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"},{\"name\":\"to\",\"type\":\"address\",\"indexed\":true,\"internalType\":\"address\"},{\"name\":\"amount\",\"type\":\"uint256\",\"indexed\":false,\"internalType\":\"uint256\"}],\"anonymous\":false},{\"type\":\"error\",\"name\":\"AllowanceOverflow\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"AllowanceUnderflow\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"InsufficientAllowance\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"InsufficientBalance\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"InvalidPermit\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"Permit2AllowanceIsFixedAtInfinity\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"PermitExpired\",\"inputs\":[]},{\"type\":\"error\",\"name\":\"TotalSupplyOverflow\",\"inputs\":[]}]",
	ID:  "TestUSD",
	Bin: "0x6080604052348015600e575f5ffd5b506109a58061001c5f395ff3fe608060405234801561000f575f5ffd5b50600436106100da575f3560e01c806340c10f191161008857806395d89b411161006357806395d89b41146102a5578063a9059cbb146102de578063d505accf146102f1578063dd62ed3e14610304575f5ffd5b806340c10f191461024657806370a082311461025b5780637ecebe0014610280575f5ffd5b806323b872dd116100b857806323b872dd14610166578063313ce567146101795780633644e51514610188575f5ffd5b806306fdde03146100de578063095ea7b31461012957806318160ddd1461014c575b5f5ffd5b60408051808201909152600881527f546573742055534400000000000000000000000000000000000000000000000060208201525b604051610120919061080a565b60405180910390f35b61013c610137366004610885565b610317565b6040519015158152602001610120565b6805345cdf77eb68f44c545b604051908152602001610120565b61013c6101743660046108ad565b6103a4565b60405160068152602001610120565b604080518082018252600881527f546573742055534400000000000000000000000000000000000000000000000060209182015281517f8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f81527f5677e9fba3f2bf6d7ca095d1751fc1e6a8ab6566c300684275d5d5f788b44223918101919091527fc89efdaa54c0f20c7adf612882df0950f5a951637e0307cdcb4c672f298b8bc69181019190915246606082015230608082015260a09020610158565b610259610254366004610885565b610473565b005b6101586102693660046108e7565b6387a211a2600c9081525f91909152602090205490565b61015861028e3660046108e7565b6338377508600c9081525f91909152602090205490565b60408051808201909152600481527f74555344000000000000000000000000000000000000000000000000000000006020820152610113565b61013c6102ec366004610885565b610481565b6102596102ff366004610907565b6104f8565b610158610312366004610974565b61070e565b5f73ffffffffffffffffffffffffffffffffffffffff83166e22d473030f116ddee9f6b43ac78ba3188219151761035557633f68539a5f526004601cfd5b82602052637f5e9f20600c52335f52816034600c2055815f52602c5160601c337f8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b92560205fa35060015b92915050565b5f8360601b6e22d473030f116ddee9f6b43ac78ba333146103f95733602052637f5e9f208117600c526034600c2080548019156103f657808511156103f0576313be252b5f526004601cfd5b84810382555b50505b6387a211a28117600c526020600c2080548085111561041f5763f4d678b85f526004601cfd5b84810382555050835f526020600c208381540181555082602052600c5160601c8160601c7fddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef602080a3505060019392505050565b61047d828261078e565b5050565b5f6387a211a2600c52335f526020600c208054808411156104a95763f4d678b85f526004601cfd5b83810382555050825f526020600c208281540181555081602052600c5160601c337fddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef602080a350600192915050565b73ffffffffffffffffffffffffffffffffffffffff86166e22d473030f116ddee9f6b43ac78ba3188519151761053557633f68539a5f526004601cfd5b60408051808201909152600881527f54657374205553440000000000000000000000000000000000000000000000006020909101527f5677e9fba3f2bf6d7ca095d1751fc1e6a8ab6566c300684275d5d5f788b442237fc89efdaa54c0f20c7adf612882df0950f5a951637e0307cdcb4c672f298b8bc6428610156105c157631a15a3cc5f526004601cfd5b6040518960601b60601c99508860601b60601c985065383775081901600e52895f526020600c2080547f8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f835284602084015283604084015246606084015230608084015260a08320602e527f6e71edae12b1b97f4d1f60370fef10105fa2faae0126114a169c64845d6126c983528b60208401528a60408401528960608401528060808401528860a084015260c08320604e526042602c205f528760ff16602052866040528560605260208060805f60015afa8c3d51146106a95763ddafbaef5f526004601cfd5b019055777f5e9f20000000000000000000000000000000000000000089176040526034602c20889055888a7f8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925602060608501a360405250505f60605250505050505050565b5f7fffffffffffffffffffffffffffffffffffdd2b8cfcf0ee922116094bc538745d73ffffffffffffffffffffffffffffffffffffffff83160161077357507fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff61039e565b50602052637f5e9f20600c9081525f91909152603490205490565b6805345cdf77eb68f44c54818101818110156107b15763e5cfe9575f526004601cfd5b806805345cdf77eb68f44c5550506387a211a2600c52815f526020600c208181540181555080602052600c5160601c5f7fddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef602080a35050565b602081525f82518060208401528060208501604085015e5f6040828501015260407fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe0601f83011684010191505092915050565b803573ffffffffffffffffffffffffffffffffffffffff81168114610880575f5ffd5b919050565b5f5f60408385031215610896575f5ffd5b61089f8361085d565b946020939093013593505050565b5f5f5f606084860312156108bf575f5ffd5b6108c88461085d565b92506108d66020850161085d565b929592945050506040919091013590565b5f602082840312156108f7575f5ffd5b6109008261085d565b9392505050565b5f5f5f5f5f5f5f60e0888a03121561091d575f5ffd5b6109268861085d565b96506109346020890161085d565b95506040880135945060608801359350608088013560ff81168114610957575f5ffd5b9699959850939692959460a0840135945060c09093013592915050565b5f5f60408385031215610985575f5ffd5b61098e8361085d565b915061099c6020840161085d565b9050925092905056",
}

// TestUSD is an auto generated Go binding around an Ethereum contract.
type TestUSD struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *TestUSD) GetABI() abi.ABI {
	return c.abi
}

// NewTestUSD creates a new instance of TestUSD.
func NewTestUSD() *TestUSD {
	parsed, err := TestUSDMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &TestUSD{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *TestUSD) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackDOMAINSEPARATOR is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3644e515.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function DOMAIN_SEPARATOR() view returns(bytes32 result)
func (testUSD *TestUSD) PackDOMAINSEPARATOR() []byte {
	enc, err := testUSD.abi.Pack("DOMAIN_SEPARATOR")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackDOMAINSEPARATOR is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3644e515.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function DOMAIN_SEPARATOR() view returns(bytes32 result)
func (testUSD *TestUSD) TryPackDOMAINSEPARATOR() ([]byte, error) {
	return testUSD.abi.Pack("DOMAIN_SEPARATOR")
}

// UnpackDOMAINSEPARATOR is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x3644e515.
//
// Solidity: function DOMAIN_SEPARATOR() view returns(bytes32 result)
func (testUSD *TestUSD) UnpackDOMAINSEPARATOR(data []byte) ([32]byte, error) {
	out, err := testUSD.abi.Unpack("DOMAIN_SEPARATOR", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackAllowance is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xdd62ed3e.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function allowance(address owner, address spender) view returns(uint256 result)
func (testUSD *TestUSD) PackAllowance(owner common.Address, spender common.Address) []byte {
	enc, err := testUSD.abi.Pack("allowance", owner, spender)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackAllowance is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xdd62ed3e.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function allowance(address owner, address spender) view returns(uint256 result)
func (testUSD *TestUSD) TryPackAllowance(owner common.Address, spender common.Address) ([]byte, error) {
	return testUSD.abi.Pack("allowance", owner, spender)
}

// UnpackAllowance is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xdd62ed3e.
//
// Solidity: function allowance(address owner, address spender) view returns(uint256 result)
func (testUSD *TestUSD) UnpackAllowance(data []byte) (*big.Int, error) {
	out, err := testUSD.abi.Unpack("allowance", data)
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
func (testUSD *TestUSD) PackApprove(spender common.Address, amount *big.Int) []byte {
	enc, err := testUSD.abi.Pack("approve", spender, amount)
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
func (testUSD *TestUSD) TryPackApprove(spender common.Address, amount *big.Int) ([]byte, error) {
	return testUSD.abi.Pack("approve", spender, amount)
}

// UnpackApprove is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x095ea7b3.
//
// Solidity: function approve(address spender, uint256 amount) returns(bool)
func (testUSD *TestUSD) UnpackApprove(data []byte) (bool, error) {
	out, err := testUSD.abi.Unpack("approve", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackBalanceOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x70a08231.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function balanceOf(address owner) view returns(uint256 result)
func (testUSD *TestUSD) PackBalanceOf(owner common.Address) []byte {
	enc, err := testUSD.abi.Pack("balanceOf", owner)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackBalanceOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x70a08231.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function balanceOf(address owner) view returns(uint256 result)
func (testUSD *TestUSD) TryPackBalanceOf(owner common.Address) ([]byte, error) {
	return testUSD.abi.Pack("balanceOf", owner)
}

// UnpackBalanceOf is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x70a08231.
//
// Solidity: function balanceOf(address owner) view returns(uint256 result)
func (testUSD *TestUSD) UnpackBalanceOf(data []byte) (*big.Int, error) {
	out, err := testUSD.abi.Unpack("balanceOf", data)
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
// Solidity: function decimals() pure returns(uint8)
func (testUSD *TestUSD) PackDecimals() []byte {
	enc, err := testUSD.abi.Pack("decimals")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackDecimals is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x313ce567.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function decimals() pure returns(uint8)
func (testUSD *TestUSD) TryPackDecimals() ([]byte, error) {
	return testUSD.abi.Pack("decimals")
}

// UnpackDecimals is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x313ce567.
//
// Solidity: function decimals() pure returns(uint8)
func (testUSD *TestUSD) UnpackDecimals(data []byte) (uint8, error) {
	out, err := testUSD.abi.Unpack("decimals", data)
	if err != nil {
		return *new(uint8), err
	}
	out0 := *abi.ConvertType(out[0], new(uint8)).(*uint8)
	return out0, nil
}

// PackMint is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x40c10f19.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function mint(address to, uint256 amount) returns()
func (testUSD *TestUSD) PackMint(to common.Address, amount *big.Int) []byte {
	enc, err := testUSD.abi.Pack("mint", to, amount)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackMint is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x40c10f19.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function mint(address to, uint256 amount) returns()
func (testUSD *TestUSD) TryPackMint(to common.Address, amount *big.Int) ([]byte, error) {
	return testUSD.abi.Pack("mint", to, amount)
}

// PackName is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x06fdde03.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function name() pure returns(string)
func (testUSD *TestUSD) PackName() []byte {
	enc, err := testUSD.abi.Pack("name")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackName is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x06fdde03.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function name() pure returns(string)
func (testUSD *TestUSD) TryPackName() ([]byte, error) {
	return testUSD.abi.Pack("name")
}

// UnpackName is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x06fdde03.
//
// Solidity: function name() pure returns(string)
func (testUSD *TestUSD) UnpackName(data []byte) (string, error) {
	out, err := testUSD.abi.Unpack("name", data)
	if err != nil {
		return *new(string), err
	}
	out0 := *abi.ConvertType(out[0], new(string)).(*string)
	return out0, nil
}

// PackNonces is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x7ecebe00.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function nonces(address owner) view returns(uint256 result)
func (testUSD *TestUSD) PackNonces(owner common.Address) []byte {
	enc, err := testUSD.abi.Pack("nonces", owner)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackNonces is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x7ecebe00.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function nonces(address owner) view returns(uint256 result)
func (testUSD *TestUSD) TryPackNonces(owner common.Address) ([]byte, error) {
	return testUSD.abi.Pack("nonces", owner)
}

// UnpackNonces is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x7ecebe00.
//
// Solidity: function nonces(address owner) view returns(uint256 result)
func (testUSD *TestUSD) UnpackNonces(data []byte) (*big.Int, error) {
	out, err := testUSD.abi.Unpack("nonces", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackPermit is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd505accf.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s) returns()
func (testUSD *TestUSD) PackPermit(owner common.Address, spender common.Address, value *big.Int, deadline *big.Int, v uint8, r [32]byte, s [32]byte) []byte {
	enc, err := testUSD.abi.Pack("permit", owner, spender, value, deadline, v, r, s)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackPermit is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd505accf.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s) returns()
func (testUSD *TestUSD) TryPackPermit(owner common.Address, spender common.Address, value *big.Int, deadline *big.Int, v uint8, r [32]byte, s [32]byte) ([]byte, error) {
	return testUSD.abi.Pack("permit", owner, spender, value, deadline, v, r, s)
}

// PackSymbol is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x95d89b41.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function symbol() pure returns(string)
func (testUSD *TestUSD) PackSymbol() []byte {
	enc, err := testUSD.abi.Pack("symbol")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSymbol is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x95d89b41.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function symbol() pure returns(string)
func (testUSD *TestUSD) TryPackSymbol() ([]byte, error) {
	return testUSD.abi.Pack("symbol")
}

// UnpackSymbol is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x95d89b41.
//
// Solidity: function symbol() pure returns(string)
func (testUSD *TestUSD) UnpackSymbol(data []byte) (string, error) {
	out, err := testUSD.abi.Unpack("symbol", data)
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
// Solidity: function totalSupply() view returns(uint256 result)
func (testUSD *TestUSD) PackTotalSupply() []byte {
	enc, err := testUSD.abi.Pack("totalSupply")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackTotalSupply is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x18160ddd.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function totalSupply() view returns(uint256 result)
func (testUSD *TestUSD) TryPackTotalSupply() ([]byte, error) {
	return testUSD.abi.Pack("totalSupply")
}

// UnpackTotalSupply is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x18160ddd.
//
// Solidity: function totalSupply() view returns(uint256 result)
func (testUSD *TestUSD) UnpackTotalSupply(data []byte) (*big.Int, error) {
	out, err := testUSD.abi.Unpack("totalSupply", data)
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
func (testUSD *TestUSD) PackTransfer(to common.Address, amount *big.Int) []byte {
	enc, err := testUSD.abi.Pack("transfer", to, amount)
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
func (testUSD *TestUSD) TryPackTransfer(to common.Address, amount *big.Int) ([]byte, error) {
	return testUSD.abi.Pack("transfer", to, amount)
}

// UnpackTransfer is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xa9059cbb.
//
// Solidity: function transfer(address to, uint256 amount) returns(bool)
func (testUSD *TestUSD) UnpackTransfer(data []byte) (bool, error) {
	out, err := testUSD.abi.Unpack("transfer", data)
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
func (testUSD *TestUSD) PackTransferFrom(from common.Address, to common.Address, amount *big.Int) []byte {
	enc, err := testUSD.abi.Pack("transferFrom", from, to, amount)
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
func (testUSD *TestUSD) TryPackTransferFrom(from common.Address, to common.Address, amount *big.Int) ([]byte, error) {
	return testUSD.abi.Pack("transferFrom", from, to, amount)
}

// UnpackTransferFrom is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x23b872dd.
//
// Solidity: function transferFrom(address from, address to, uint256 amount) returns(bool)
func (testUSD *TestUSD) UnpackTransferFrom(data []byte) (bool, error) {
	out, err := testUSD.abi.Unpack("transferFrom", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// TestUSDApproval represents a Approval event raised by the TestUSD contract.
type TestUSDApproval struct {
	Owner   common.Address
	Spender common.Address
	Amount  *big.Int
	Raw     *types.Log // Blockchain specific contextual infos
}

const TestUSDApprovalEventName = "Approval"

// ContractEventName returns the user-defined event name.
func (TestUSDApproval) ContractEventName() string {
	return TestUSDApprovalEventName
}

// UnpackApprovalEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Approval(address indexed owner, address indexed spender, uint256 amount)
func (testUSD *TestUSD) UnpackApprovalEvent(log *types.Log) (*TestUSDApproval, error) {
	event := "Approval"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != testUSD.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TestUSDApproval)
	if len(log.Data) > 0 {
		if err := testUSD.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range testUSD.abi.Events[event].Inputs {
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

// TestUSDTransfer represents a Transfer event raised by the TestUSD contract.
type TestUSDTransfer struct {
	From   common.Address
	To     common.Address
	Amount *big.Int
	Raw    *types.Log // Blockchain specific contextual infos
}

const TestUSDTransferEventName = "Transfer"

// ContractEventName returns the user-defined event name.
func (TestUSDTransfer) ContractEventName() string {
	return TestUSDTransferEventName
}

// UnpackTransferEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Transfer(address indexed from, address indexed to, uint256 amount)
func (testUSD *TestUSD) UnpackTransferEvent(log *types.Log) (*TestUSDTransfer, error) {
	event := "Transfer"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != testUSD.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TestUSDTransfer)
	if len(log.Data) > 0 {
		if err := testUSD.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range testUSD.abi.Events[event].Inputs {
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
func (testUSD *TestUSD) UnpackError(raw []byte) (any, error) {
	if bytes.Equal(raw[:4], testUSD.abi.Errors["AllowanceOverflow"].ID.Bytes()[:4]) {
		return testUSD.UnpackAllowanceOverflowError(raw[4:])
	}
	if bytes.Equal(raw[:4], testUSD.abi.Errors["AllowanceUnderflow"].ID.Bytes()[:4]) {
		return testUSD.UnpackAllowanceUnderflowError(raw[4:])
	}
	if bytes.Equal(raw[:4], testUSD.abi.Errors["InsufficientAllowance"].ID.Bytes()[:4]) {
		return testUSD.UnpackInsufficientAllowanceError(raw[4:])
	}
	if bytes.Equal(raw[:4], testUSD.abi.Errors["InsufficientBalance"].ID.Bytes()[:4]) {
		return testUSD.UnpackInsufficientBalanceError(raw[4:])
	}
	if bytes.Equal(raw[:4], testUSD.abi.Errors["InvalidPermit"].ID.Bytes()[:4]) {
		return testUSD.UnpackInvalidPermitError(raw[4:])
	}
	if bytes.Equal(raw[:4], testUSD.abi.Errors["Permit2AllowanceIsFixedAtInfinity"].ID.Bytes()[:4]) {
		return testUSD.UnpackPermit2AllowanceIsFixedAtInfinityError(raw[4:])
	}
	if bytes.Equal(raw[:4], testUSD.abi.Errors["PermitExpired"].ID.Bytes()[:4]) {
		return testUSD.UnpackPermitExpiredError(raw[4:])
	}
	if bytes.Equal(raw[:4], testUSD.abi.Errors["TotalSupplyOverflow"].ID.Bytes()[:4]) {
		return testUSD.UnpackTotalSupplyOverflowError(raw[4:])
	}
	return nil, errors.New("Unknown error")
}

// TestUSDAllowanceOverflow represents a AllowanceOverflow error raised by the TestUSD contract.
type TestUSDAllowanceOverflow struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AllowanceOverflow()
func TestUSDAllowanceOverflowErrorID() common.Hash {
	return common.HexToHash("0xf90670665e03a4773b0ff0038950e59dcf6eb0e11a551c751bfc6d601d4fba1f")
}

// UnpackAllowanceOverflowError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AllowanceOverflow()
func (testUSD *TestUSD) UnpackAllowanceOverflowError(raw []byte) (*TestUSDAllowanceOverflow, error) {
	out := new(TestUSDAllowanceOverflow)
	if err := testUSD.abi.UnpackIntoInterface(out, "AllowanceOverflow", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TestUSDAllowanceUnderflow represents a AllowanceUnderflow error raised by the TestUSD contract.
type TestUSDAllowanceUnderflow struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AllowanceUnderflow()
func TestUSDAllowanceUnderflowErrorID() common.Hash {
	return common.HexToHash("0x8301ab3813d043283976247523a0a38774b9155d7216ecc20ceae2039c28e28f")
}

// UnpackAllowanceUnderflowError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AllowanceUnderflow()
func (testUSD *TestUSD) UnpackAllowanceUnderflowError(raw []byte) (*TestUSDAllowanceUnderflow, error) {
	out := new(TestUSDAllowanceUnderflow)
	if err := testUSD.abi.UnpackIntoInterface(out, "AllowanceUnderflow", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TestUSDInsufficientAllowance represents a InsufficientAllowance error raised by the TestUSD contract.
type TestUSDInsufficientAllowance struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InsufficientAllowance()
func TestUSDInsufficientAllowanceErrorID() common.Hash {
	return common.HexToHash("0x13be252bc8f22c3de689f75d88d90b4c4aeb9cd39d50c39ae82df3b19f85cf73")
}

// UnpackInsufficientAllowanceError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InsufficientAllowance()
func (testUSD *TestUSD) UnpackInsufficientAllowanceError(raw []byte) (*TestUSDInsufficientAllowance, error) {
	out := new(TestUSDInsufficientAllowance)
	if err := testUSD.abi.UnpackIntoInterface(out, "InsufficientAllowance", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TestUSDInsufficientBalance represents a InsufficientBalance error raised by the TestUSD contract.
type TestUSDInsufficientBalance struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InsufficientBalance()
func TestUSDInsufficientBalanceErrorID() common.Hash {
	return common.HexToHash("0xf4d678b8ce6b5157126b1484a53523762a93571537a7d5ae97d8014a44715c94")
}

// UnpackInsufficientBalanceError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InsufficientBalance()
func (testUSD *TestUSD) UnpackInsufficientBalanceError(raw []byte) (*TestUSDInsufficientBalance, error) {
	out := new(TestUSDInsufficientBalance)
	if err := testUSD.abi.UnpackIntoInterface(out, "InsufficientBalance", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TestUSDInvalidPermit represents a InvalidPermit error raised by the TestUSD contract.
type TestUSDInvalidPermit struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InvalidPermit()
func TestUSDInvalidPermitErrorID() common.Hash {
	return common.HexToHash("0xddafbaefe5cdbfc41219261b5d7468d1f16bc986eedbdef2ea223830eb9c5e3e")
}

// UnpackInvalidPermitError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InvalidPermit()
func (testUSD *TestUSD) UnpackInvalidPermitError(raw []byte) (*TestUSDInvalidPermit, error) {
	out := new(TestUSDInvalidPermit)
	if err := testUSD.abi.UnpackIntoInterface(out, "InvalidPermit", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TestUSDPermit2AllowanceIsFixedAtInfinity represents a Permit2AllowanceIsFixedAtInfinity error raised by the TestUSD contract.
type TestUSDPermit2AllowanceIsFixedAtInfinity struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error Permit2AllowanceIsFixedAtInfinity()
func TestUSDPermit2AllowanceIsFixedAtInfinityErrorID() common.Hash {
	return common.HexToHash("0x3f68539a770258d2bb543cd58b5796e9a7d3756f652a2877fca18c376b7d6d2d")
}

// UnpackPermit2AllowanceIsFixedAtInfinityError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error Permit2AllowanceIsFixedAtInfinity()
func (testUSD *TestUSD) UnpackPermit2AllowanceIsFixedAtInfinityError(raw []byte) (*TestUSDPermit2AllowanceIsFixedAtInfinity, error) {
	out := new(TestUSDPermit2AllowanceIsFixedAtInfinity)
	if err := testUSD.abi.UnpackIntoInterface(out, "Permit2AllowanceIsFixedAtInfinity", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TestUSDPermitExpired represents a PermitExpired error raised by the TestUSD contract.
type TestUSDPermitExpired struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error PermitExpired()
func TestUSDPermitExpiredErrorID() common.Hash {
	return common.HexToHash("0x1a15a3cc224edbade4d933d5c6e98dd80b0bac0717489018b924d44d9f0272ea")
}

// UnpackPermitExpiredError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error PermitExpired()
func (testUSD *TestUSD) UnpackPermitExpiredError(raw []byte) (*TestUSDPermitExpired, error) {
	out := new(TestUSDPermitExpired)
	if err := testUSD.abi.UnpackIntoInterface(out, "PermitExpired", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TestUSDTotalSupplyOverflow represents a TotalSupplyOverflow error raised by the TestUSD contract.
type TestUSDTotalSupplyOverflow struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error TotalSupplyOverflow()
func TestUSDTotalSupplyOverflowErrorID() common.Hash {
	return common.HexToHash("0xe5cfe9574234d28adee0e141da16b8cf97573d6cdb05963cf8520ef32a8feff8")
}

// UnpackTotalSupplyOverflowError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error TotalSupplyOverflow()
func (testUSD *TestUSD) UnpackTotalSupplyOverflowError(raw []byte) (*TestUSDTotalSupplyOverflow, error) {
	out := new(TestUSDTotalSupplyOverflow)
	if err := testUSD.abi.UnpackIntoInterface(out, "TotalSupplyOverflow", raw); err != nil {
		return nil, err
	}
	return out, nil
}
