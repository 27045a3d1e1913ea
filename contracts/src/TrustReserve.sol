// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LibClone} from "solady/utils/LibClone.sol";

/// @title TrustReserve
/// @notice One issuer's reserve of one asset, and the ERC-20 trust token it backs 1:1.
/// The issuer extends discretionary budgets to holders by minting trust tokens; a holder
/// redeems tokens for the asset at any moment while the reserve holds enough; the issuer
/// re-ups spent budgets and revokes trust, burning tokens wherever they sit.
/// @dev Deployed as an EIP-1167 clone with immutable args by TrustReserveFactory. The clone's
/// runtime code is the 45-byte minimal proxy followed by 40 bytes of args: issuer, asset.
/// A holder's balance and budget share one storage slot (two uint128), so extending trust to a
/// new holder writes one fresh slot. All changes are relative (+amount, burn up to amount, mint
/// at most maxMint), so front-running a revoke or re-up never yields more than was granted.
contract TrustReserve {
    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice ERC-20 transfer; `from` is zero on a mint, `to` is zero on a burn.
    event Transfer(address indexed from, address indexed to, uint256 amount);
    /// @notice ERC-20 allowance set.
    event Approval(address indexed owner, address indexed spender, uint256 amount);
    /// @notice Backing added to the reserve.
    event Deposited(address indexed from, uint256 amount);
    /// @notice Backing taken out by the issuer.
    event Withdrawn(address indexed to, uint256 amount);
    /// @notice The issuer raised `holder`'s budget by `amount` and minted `amount` to them.
    event Trusted(address indexed holder, uint256 amount);
    /// @notice The issuer cut the budget of the holder named by the burn `Transfer(holder, 0, burned)`
    /// logged just before this one by `amount` (saturating; type(uint256).max cuts it to 0).
    /// @dev Budget changes get their own event; balance changes are plain ERC-20 Transfers. A re-up is
    /// a mint without a `Trusted` after it, a redeem a burn without a `Revoked` after it.
    event Revoked(uint256 amount);

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice Only the reserve's issuer may do this.
    error NotIssuer();
    /// @notice Only the factory that made the reserve may do this.
    error NotFactory();
    /// @notice The reserve was initialized already.
    error AlreadyInitialized();
    /// @notice A trust token needs a symbol.
    error EmptySymbol();
    /// @notice An amount of zero was given where it would do nothing.
    error ZeroAmount();
    /// @notice The zero address was given as a holder, recipient or spender.
    error ZeroAddress();
    /// @notice The caller holds `available` tokens, fewer than the `requested` amount.
    error InsufficientBalance(uint256 available, uint256 requested);
    /// @notice The spender's allowance `available` is below the `requested` amount.
    error InsufficientAllowance(uint256 available, uint256 requested);
    /// @notice The reserve holds `available` of the asset, less than the `requested` payout.
    error InsufficientReserve(uint256 available, uint256 requested);
    /// @notice A budget or the token supply would exceed 2**128 - 1.
    error Overflow();
    /// @notice Native coin sent with an ERC-20 deposit, or a native deposit whose value differs from `amount`.
    error WrongValue(uint256 sent, uint256 expected);
    /// @notice A transfer of the asset failed.
    error TransferFailed();
    /// @notice `holders` and `maxMints` differ in length.
    error LengthMismatch();
    /// @notice A paying function was re-entered.
    error Reentrancy();
    /// @notice The reserve's own address cannot hold its token: tokens there could never be redeemed.
    error ToReserveItself();

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev Seed of the account slots: slot = keccak256(holder, _ACCOUNT_SEED).
    /// Low 128 bits: balance. High 128 bits: budget.
    uint256 private constant _ACCOUNT_SEED = 0x7472757374626f74;
    /// @dev Seed of allowance slots: slot = keccak256(owner, spender, _ALLOWANCE_SEED).
    uint256 private constant _ALLOWANCE_SEED = 0x616c6c6f77616e63;
    /// @dev Slot of the total supply (tokens outstanding).
    uint256 private constant _SUPPLY_SLOT = 0x05345cdf77eb68f44c;
    uint256 private constant _MASK128 = 0xffffffffffffffffffffffffffffffff;
    /// @dev keccak256("Transfer(address,address,uint256)")
    uint256 private constant _TRANSFER_SIG = 0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef;
    /// @dev keccak256("Revoked(uint256)")
    uint256 private constant _REVOKED_SIG = 0x61e27b0bfd8e18e6b92ec32ce1c28bb698d27bfe93e84c7e94d4db0a3135c760;
    /// @dev keccak256("Approval(address,address,uint256)")
    uint256 private constant _APPROVAL_SIG = 0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925;

    string private _name;
    string private _symbol;
    bool private transient _locked;

    /// @notice The factory that deploys clones of this implementation.
    address public immutable factory;
    /// @dev This implementation's own address, shared by every clone through delegatecall.
    address private immutable _implementation;

    constructor() {
        factory = msg.sender;
        _implementation = address(this);
    }

    /// @notice Sets the token's name and symbol; called once by the factory right after cloning.
    /// @param name_ ERC-20 name.
    /// @param symbol_ ERC-20 symbol.
    function initialize(string calldata name_, string calldata symbol_) external {
        if (msg.sender != factory) revert NotFactory();
        if (bytes(_name).length != 0 || bytes(_symbol).length != 0) revert AlreadyInitialized();
        if (bytes(symbol_).length == 0) revert EmptySymbol();
        _name = name_;
        _symbol = symbol_;
    }

    /*//////////////////////////////////////////////////////////////
                              IMMUTABLE ARGS
    //////////////////////////////////////////////////////////////*/

    /// @notice The issuer: the only account that can trust, re-up, revoke and withdraw.
    function issuer() public view returns (address a) {
        assembly {
            extcodecopy(address(), 0x0c, 0x2d, 0x14)
            a := mload(0x00)
        }
    }

    /// @notice The backing asset: address(0) for the native coin, else an ERC-20 (possibly another reserve's token).
    function asset() public view returns (address a) {
        assembly {
            extcodecopy(address(), 0x0c, 0x41, 0x14)
            a := mload(0x00)
        }
    }

    modifier onlyIssuer() {
        _onlyIssuer();
        _;
    }

    function _onlyIssuer() private view {
        assembly {
            extcodecopy(address(), 0x0c, 0x2d, 0x14)
            if iszero(eq(mload(0x00), caller())) {
                mstore(0x00, 0x54ec5063) // NotIssuer()
                revert(0x1c, 0x04)
            }
        }
    }

    modifier nonReentrant() {
        if (_locked) revert Reentrancy();
        _locked = true;
        _;
        _locked = false;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERC-20
    //////////////////////////////////////////////////////////////*/

    /// @notice ERC-20 name.
    function name() external view returns (string memory) {
        return _name;
    }

    /// @notice ERC-20 symbol.
    function symbol() external view returns (string memory) {
        return _symbol;
    }

    /// @notice The asset's decimals (18 for the native coin); 1 token redeems 1 unit of the asset.
    /// 18 as well when the asset has no `decimals()`, it reverts, or it returns no uint8.
    function decimals() external view returns (uint8 d) {
        address a = asset();
        d = 18;
        if (a == address(0)) return d;
        assembly {
            mstore(0x00, 0x313ce567) // decimals()
            let ok := staticcall(gas(), a, 0x1c, 0x04, 0x00, 0x20)
            if and(ok, gt(returndatasize(), 0x1f)) {
                let v := mload(0x00)
                if lt(v, 0x100) { d := v }
            }
        }
    }

    /// @notice Tokens outstanding.
    function totalSupply() public view returns (uint256 s) {
        assembly {
            s := sload(_SUPPLY_SLOT)
        }
    }

    /// @notice Tokens held by `holder`.
    function balanceOf(address holder) external view returns (uint256 b) {
        assembly {
            mstore(0x0c, _ACCOUNT_SEED)
            mstore(0x00, holder)
            b := and(sload(keccak256(0x0c, 0x20)), _MASK128)
        }
    }

    /// @notice Remaining allowance of `spender` over `owner`'s tokens.
    function allowance(address owner, address spender) external view returns (uint256 a) {
        assembly {
            mstore(0x20, spender)
            mstore(0x0c, _ALLOWANCE_SEED)
            mstore(0x00, owner)
            a := sload(keccak256(0x0c, 0x34))
        }
    }

    /// @notice Lets `spender` move up to `amount` of the caller's tokens; type(uint256).max never decreases.
    function approve(address spender, uint256 amount) external returns (bool) {
        if (spender == address(0)) revert ZeroAddress();
        assembly {
            mstore(0x20, spender)
            mstore(0x0c, _ALLOWANCE_SEED)
            mstore(0x00, caller())
            sstore(keccak256(0x0c, 0x34), amount)
            mstore(0x00, amount)
            log3(0x00, 0x20, _APPROVAL_SIG, caller(), shr(96, mload(0x2c)))
        }
        return true;
    }

    /// @notice Moves `amount` of the caller's tokens to `to`. Budgets do not move.
    function transfer(address to, uint256 amount) external returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }

    /// @notice Moves `amount` of `from`'s tokens to `to` against the caller's allowance.
    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        if (from == address(0)) revert ZeroAddress();
        assembly {
            mstore(0x20, caller())
            mstore(0x0c, _ALLOWANCE_SEED)
            mstore(0x00, from)
            let slot := keccak256(0x0c, 0x34)
            let allowed := sload(slot)
            if not(allowed) {
                if gt(amount, allowed) {
                    mstore(0x00, 0x2a1b2dd8) // InsufficientAllowance(uint256,uint256)
                    mstore(0x20, allowed)
                    mstore(0x40, amount)
                    revert(0x1c, 0x44)
                }
                sstore(slot, sub(allowed, amount))
            }
        }
        _transfer(from, to, amount);
        return true;
    }

    function _transfer(address from, address to, uint256 amount) private {
        if (to == address(0)) revert ZeroAddress();
        if (to == address(this)) revert ToReserveItself();
        assembly {
            mstore(0x0c, _ACCOUNT_SEED)
            mstore(0x00, from)
            let fromSlot := keccak256(0x0c, 0x20)
            let fromAcct := sload(fromSlot)
            let bal := and(fromAcct, _MASK128)
            if gt(amount, bal) {
                mstore(0x00, 0xcf479181) // InsufficientBalance(uint256,uint256)
                mstore(0x20, bal)
                mstore(0x40, amount)
                revert(0x1c, 0x44)
            }
            sstore(fromSlot, sub(fromAcct, amount))
            mstore(0x00, to)
            let toSlot := keccak256(0x0c, 0x20)
            // Supply fits in 128 bits, so no balance can overflow into the budget half.
            sstore(toSlot, add(sload(toSlot), amount))
            mstore(0x20, amount)
            log3(0x20, 0x20, _TRANSFER_SIG, from, to)
        }
    }

    /*//////////////////////////////////////////////////////////////
                               RESERVE
    //////////////////////////////////////////////////////////////*/

    /// @notice Backing held now: the reserve's real balance of the asset.
    function reserve() public view returns (uint256) {
        address a = asset();
        if (a == address(0)) return address(this).balance;
        return TrustReserve(a).balanceOf(address(this));
    }

    /// @notice Tokens outstanding (the same as totalSupply).
    function outstanding() external view returns (uint256) {
        return totalSupply();
    }

    /// @notice The budget the issuer extended to `holder`.
    function budgetOf(address holder) external view returns (uint256 b) {
        assembly {
            mstore(0x0c, _ACCOUNT_SEED)
            mstore(0x00, holder)
            b := shr(128, sload(keccak256(0x0c, 0x20)))
        }
    }

    /// @notice Adds `amount` of backing. Native coin: send exactly `amount` as value. ERC-20: approve first.
    /// `Deposited` records what arrived: the reserve's balance of the asset after the pull minus before
    /// it, less than `amount` for a token that takes a fee on transfer.
    /// @param amount Units of the asset.
    function deposit(uint256 amount) external payable nonReentrant {
        if (amount == 0) revert ZeroAmount();
        address a = asset();
        uint256 arrived = amount;
        if (a == address(0)) {
            if (msg.value != amount) revert WrongValue(msg.value, amount);
        } else {
            if (msg.value != 0) revert WrongValue(msg.value, 0);
            uint256 before = _assetBalance(a);
            _pullFrom(a, msg.sender, amount);
            uint256 held = _assetBalance(a);
            if (held < before) revert TransferFailed();
            arrived = held - before;
        }
        emit Deposited(msg.sender, arrived);
    }

    /// @notice The issuer takes `amount` of backing out to `to`.
    function withdraw(uint256 amount, address to) external onlyIssuer nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress();
        _pay(asset(), to, amount);
        emit Withdrawn(to, amount);
    }

    /*//////////////////////////////////////////////////////////////
                                 TRUST
    //////////////////////////////////////////////////////////////*/

    /// @notice Extends `holder`'s budget by `amount` and mints `amount` tokens to them.
    function trust(address holder, uint256 amount) external onlyIssuer {
        if (holder == address(0)) revert ZeroAddress();
        if (holder == address(this)) revert ToReserveItself();
        if (amount == 0) revert ZeroAmount();
        assembly {
            let supply := add(sload(_SUPPLY_SLOT), amount)
            mstore(0x0c, _ACCOUNT_SEED)
            mstore(0x00, holder)
            let slot := keccak256(0x0c, 0x20)
            let acct := sload(slot)
            // Budget and supply both stay below 2**128 (the balance is at most the supply);
            // checking amount itself first keeps the sums from wrapping past 2**256.
            if or(gt(amount, _MASK128), or(gt(supply, _MASK128), gt(add(shr(128, acct), amount), _MASK128))) {
                mstore(0x00, 0x35278d12) // Overflow()
                revert(0x1c, 0x04)
            }
            sstore(_SUPPLY_SLOT, supply)
            sstore(slot, add(acct, add(amount, shl(128, amount))))
            mstore(0x20, amount)
            log3(0x20, 0x20, _TRANSFER_SIG, 0, holder)
        }
        emit Trusted(holder, amount);
    }

    /// @notice Mints `holder` back up to their budget, at most `maxMint` tokens.
    /// @return minted min(budget - balance, maxMint), or 0 when the balance is at or above the budget.
    function reup(address holder, uint256 maxMint) external onlyIssuer returns (uint256 minted) {
        minted = _reup(holder, maxMint);
    }

    /// @notice `reup` for many holders in one transaction.
    /// @return minted Tokens minted to each holder.
    function reupMany(address[] calldata holders, uint256[] calldata maxMints)
        external
        onlyIssuer
        returns (uint256[] memory minted)
    {
        if (holders.length != maxMints.length) revert LengthMismatch();
        minted = new uint256[](holders.length);
        for (uint256 i; i < holders.length; ++i) {
            minted[i] = _reup(holders[i], maxMints[i]);
        }
    }

    function _reup(address holder, uint256 maxMint) private returns (uint256 minted) {
        assembly {
            mstore(0x0c, _ACCOUNT_SEED)
            mstore(0x00, holder)
            let slot := keccak256(0x0c, 0x20)
            let acct := sload(slot)
            let bal := and(acct, _MASK128)
            let budget := shr(128, acct)
            if gt(budget, bal) {
                minted := sub(budget, bal)
                if lt(maxMint, minted) { minted := maxMint }
            }
            if minted {
                let supply := add(sload(_SUPPLY_SLOT), minted)
                if gt(supply, _MASK128) {
                    mstore(0x00, 0x35278d12) // Overflow()
                    revert(0x1c, 0x04)
                }
                sstore(_SUPPLY_SLOT, supply)
                sstore(slot, add(acct, minted))
                mstore(0x20, minted)
                log3(0x20, 0x20, _TRANSFER_SIG, 0, holder)
            }
        }
    }

    /// @notice Cuts `holder`'s budget by `amount` (saturating) and burns up to `amount` of the tokens
    /// `holder` holds, wherever they sit (a holder may be another reserve using them as backing).
    /// `type(uint256).max` burns everything and sets the budget to 0.
    /// @return burned min(amount, balance).
    function revoke(address holder, uint256 amount) external onlyIssuer returns (uint256 burned) {
        if (holder == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        assembly {
            mstore(0x0c, _ACCOUNT_SEED)
            mstore(0x00, holder)
            let slot := keccak256(0x0c, 0x20)
            let acct := sload(slot)
            let bal := and(acct, _MASK128)
            let budget := shr(128, acct)
            burned := bal
            if lt(amount, bal) { burned := amount }
            let newBudget := 0
            if lt(amount, budget) { newBudget := sub(budget, amount) }
            sstore(slot, or(shl(128, newBudget), sub(bal, burned)))
            sstore(_SUPPLY_SLOT, sub(sload(_SUPPLY_SLOT), burned))
            mstore(0x20, burned)
            log3(0x20, 0x20, _TRANSFER_SIG, holder, 0)
            mstore(0x20, amount)
            log1(0x20, 0x20, _REVOKED_SIG)
        }
    }

    /*//////////////////////////////////////////////////////////////
                                 REDEEM
    //////////////////////////////////////////////////////////////*/

    /// @notice Burns `amount` of the caller's tokens and pays `amount` of the asset to `to`.
    /// Reverts with InsufficientReserve(available, requested) when the reserve holds less.
    function redeem(uint256 amount, address to) external nonReentrant {
        _burnForRedeem(amount, to);
        _pay(asset(), to, amount);
    }

    /// @notice Like redeem, but when the asset is another reserve of the same factory, unwinds
    /// layer by layer and pays the base asset to `to` in one transaction.
    function redeemDeep(uint256 amount, address to) external nonReentrant {
        _burnForRedeem(amount, to);
        address a = asset();
        // The native coin is not a reserve: reading address(0)'s code would cost a cold account access.
        if (a != address(0) && _isReserve(a)) {
            bool ok;
            assembly {
                let m := mload(0x40)
                mstore(0x00, shl(224, 0x91fac6f7)) // redeemDeep(uint256,address)
                mstore(0x04, amount)
                mstore(0x24, to)
                ok := call(gas(), a, 0, 0x00, 0x44, 0x00, 0x00)
                mstore(0x40, m)
            }
            if (!ok) {
                // Keep the layer below's reason: the balance read next replaces the return data.
                bytes memory reason;
                assembly {
                    reason := mload(0x40)
                    mstore(reason, returndatasize())
                    returndatacopy(add(reason, 0x20), 0x00, returndatasize())
                    mstore(0x40, add(add(reason, 0x20), and(add(returndatasize(), 0x1f), not(0x1f))))
                }
                // This layer holds too few tokens of the layer below: say so for this layer.
                uint256 available = TrustReserve(a).balanceOf(address(this));
                if (amount > available) revert InsufficientReserve(available, amount);
                assembly {
                    revert(add(reason, 0x20), mload(reason))
                }
            }
        } else {
            _pay(a, to, amount);
        }
    }

    function _burnForRedeem(uint256 amount, address to) private {
        if (amount == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress();
        assembly {
            mstore(0x0c, _ACCOUNT_SEED)
            mstore(0x00, caller())
            let slot := keccak256(0x0c, 0x20)
            let acct := sload(slot)
            let bal := and(acct, _MASK128)
            if gt(amount, bal) {
                mstore(0x00, 0xcf479181) // InsufficientBalance(uint256,uint256)
                mstore(0x20, bal)
                mstore(0x40, amount)
                revert(0x1c, 0x44)
            }
            sstore(slot, sub(acct, amount))
            sstore(_SUPPLY_SLOT, sub(sload(_SUPPLY_SLOT), amount))
            mstore(0x20, amount)
            log3(0x20, 0x20, _TRANSFER_SIG, caller(), 0)
        }
    }

    /// @dev True when `a` is a reserve made by this reserve's factory: its code is this
    /// implementation's clone and its address is the factory's CREATE2 address for its args.
    function _isReserve(address a) private view returns (bool) {
        if (a.code.length != 0x55) return false;
        bytes memory args = LibClone.argsOnClone(a);
        address impl;
        assembly {
            extcodecopy(a, 0x0c, 0x0a, 0x14)
            impl := mload(0x00)
        }
        if (impl != _implementation) return false;
        return LibClone.predictDeterministicAddress(impl, args, keccak256(args), factory) == a;
    }

    /*//////////////////////////////////////////////////////////////
                             ASSET TRANSFERS
    //////////////////////////////////////////////////////////////*/

    /// @dev Pays `amount` of asset `a` to `to`; on failure reports what the reserve holds.
    function _pay(address a, address to, uint256 amount) private {
        bool ok;
        if (a == address(0)) {
            uint256 available = address(this).balance;
            if (amount > available) revert InsufficientReserve(available, amount);
            assembly {
                ok := call(gas(), to, amount, 0, 0, 0, 0)
            }
        } else {
            assembly {
                let m := mload(0x40)
                mstore(0x14, to)
                mstore(0x34, amount)
                mstore(0x00, 0xa9059cbb000000000000000000000000) // transfer(address,uint256)
                ok := call(gas(), a, 0, 0x10, 0x44, 0x00, 0x20)
                // Success: no revert, and a returned true or no return data from a contract.
                ok := and(ok, or(and(iszero(returndatasize()), gt(extcodesize(a), 0)), and(gt(returndatasize(), 0x1f), eq(mload(0x00), 1))))
                mstore(0x34, 0)
                mstore(0x40, m)
            }
            if (!ok) {
                uint256 available = TrustReserve(a).balanceOf(address(this));
                if (amount > available) revert InsufficientReserve(available, amount);
            }
        }
        if (!ok) revert TransferFailed();
    }

    /// @dev The reserve's balance of ERC-20 `a`; TransferFailed() when `a` does not answer balanceOf.
    function _assetBalance(address a) private view returns (uint256 b) {
        bool ok;
        assembly {
            mstore(0x14, address())
            mstore(0x00, 0x70a08231000000000000000000000000) // balanceOf(address)
            ok := staticcall(gas(), a, 0x10, 0x24, 0x00, 0x20)
            ok := and(ok, gt(returndatasize(), 0x1f))
            b := mload(0x00)
        }
        if (!ok) revert TransferFailed();
    }

    /// @dev Pulls `amount` of ERC-20 `a` from `from` into the reserve.
    function _pullFrom(address a, address from, uint256 amount) private {
        bool ok;
        assembly {
            let m := mload(0x40)
            mstore(0x60, amount)
            mstore(0x40, address())
            mstore(0x2c, shl(96, from))
            mstore(0x0c, 0x23b872dd000000000000000000000000) // transferFrom(address,address,uint256)
            ok := call(gas(), a, 0, 0x1c, 0x64, 0x00, 0x20)
            ok := and(ok, or(and(iszero(returndatasize()), gt(extcodesize(a), 0)), and(gt(returndatasize(), 0x1f), eq(mload(0x00), 1))))
            mstore(0x60, 0)
            mstore(0x40, m)
        }
        if (!ok) revert TransferFailed();
    }
}
