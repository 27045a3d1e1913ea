// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {FeeToken} from "./FeeToken.sol";

/// @notice A USDC-like token implementation: 6 decimals, set up by `initialize` behind a proxy,
/// minted by its owner, and with a blacklist: a transfer from or to a blacklisted account, or by
/// a blacklisted spender, reverts with "Blacklistable: account is blacklisted", as Circle's
/// FiatToken does.
contract BlacklistToken {
    event Transfer(address indexed from, address indexed to, uint256 amount);
    event Approval(address indexed owner, address indexed spender, uint256 amount);
    event Blacklisted(address indexed account);
    event UnBlacklisted(address indexed account);

    string public name;
    string public symbol;
    uint8 public decimals;
    address public owner;
    bool public initialized;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    mapping(address => bool) public isBlacklisted;

    modifier onlyOwner() {
        require(msg.sender == owner, "Ownable: caller is not the owner");
        _;
    }

    modifier notBlacklisted(address account) {
        require(!isBlacklisted[account], "Blacklistable: account is blacklisted");
        _;
    }

    /// @notice Sets the token up once, through the proxy.
    function initialize(string calldata name_, string calldata symbol_, uint8 decimals_, address owner_) external {
        require(!initialized, "FiatToken: contract is already initialized");
        name = name_;
        symbol = symbol_;
        decimals = decimals_;
        owner = owner_;
        initialized = true;
    }

    /// @notice Mints `amount` to `to` (owner only).
    function mint(address to, uint256 amount) external onlyOwner notBlacklisted(to) {
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    /// @notice Refuses every transfer from or to `account` (owner only).
    function blacklist(address account) external onlyOwner {
        isBlacklisted[account] = true;
        emit Blacklisted(account);
    }

    /// @notice Lifts the blacklisting of `account` (owner only).
    function unBlacklist(address account) external onlyOwner {
        isBlacklisted[account] = false;
        emit UnBlacklisted(account);
    }

    function approve(address spender, uint256 amount)
        external
        notBlacklisted(msg.sender)
        notBlacklisted(spender)
        returns (bool)
    {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external notBlacklisted(msg.sender) notBlacklisted(to) returns (bool) {
        _move(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount)
        external
        notBlacklisted(msg.sender)
        notBlacklisted(from)
        notBlacklisted(to)
        returns (bool)
    {
        require(amount <= allowance[from][msg.sender], "ERC20: transfer amount exceeds allowance");
        allowance[from][msg.sender] -= amount;
        _move(from, to, amount);
        return true;
    }

    function _move(address from, address to, uint256 amount) private {
        require(to != address(0), "ERC20: transfer to the zero address");
        require(amount <= balanceOf[from], "ERC20: transfer amount exceeds balance");
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }
}

/// @notice An EIP-1967 proxy: the implementation's address sits in the standard slot and every
/// call is delegated to it, as USDC's proxy does.
contract Eip1967Proxy {
    /// @dev bytes32(uint256(keccak256("eip1967.proxy.implementation")) - 1).
    bytes32 internal constant _IMPLEMENTATION_SLOT = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;

    event Upgraded(address indexed implementation);

    /// @notice Points the proxy at `implementation` and runs `data` (its initializer) through it.
    constructor(address implementation, bytes memory data) {
        assembly {
            sstore(_IMPLEMENTATION_SLOT, implementation)
        }
        emit Upgraded(implementation);
        if (data.length > 0) {
            (bool ok, bytes memory reason) = implementation.delegatecall(data);
            if (!ok) {
                assembly {
                    revert(add(reason, 0x20), mload(reason))
                }
            }
        }
    }

    fallback() external payable {
        assembly {
            let impl := sload(_IMPLEMENTATION_SLOT)
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), impl, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch ok
            case 0 { revert(0, returndatasize()) }
            default { return(0, returndatasize()) }
        }
    }
}

/// @notice A USDT-like token: 6 decimals; transfer, transferFrom and approve return nothing, and
/// approve from a non-zero allowance to another non-zero one reverts, as Tether's does (set it
/// to 0 first). Minted by anyone: a test token.
contract NoReturnToken {
    event Transfer(address indexed from, address indexed to, uint256 amount);
    event Approval(address indexed owner, address indexed spender, uint256 amount);

    string public constant name = "Tether USD";
    string public constant symbol = "USDT";
    uint8 public constant decimals = 6;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    /// @notice Mints `amount` to `to`.
    function mint(address to, uint256 amount) external {
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function approve(address spender, uint256 amount) external {
        require(!((amount != 0) && (allowance[msg.sender][spender] != 0)));
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
    }

    function transfer(address to, uint256 amount) external {
        _move(msg.sender, to, amount);
    }

    function transferFrom(address from, address to, uint256 amount) external {
        uint256 allowed = allowance[from][msg.sender];
        require(allowed >= amount);
        if (allowed < type(uint256).max) allowance[from][msg.sender] = allowed - amount;
        _move(from, to, amount);
    }

    function _move(address from, address to, uint256 amount) private {
        require(balanceOf[from] >= amount);
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }
}

/// @notice FeeToken (1% burned on every transfer) with a name and a symbol, as a wallet and the
/// bot read them.
contract FeeUSD is FeeToken {
    function name() external pure returns (string memory) {
        return "Fee USD";
    }

    function symbol() external pure returns (string memory) {
        return "FEE";
    }
}
