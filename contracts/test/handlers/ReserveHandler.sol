// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm} from "../lib/Test.sol";
import {TrustReserve} from "../../src/TrustReserve.sol";
import {TrustReserveFactory} from "../../src/TrustReserveFactory.sol";
import {TestUSD} from "../../src/TestUSD.sol";

/// @dev Foundry's `load` cheatcode (the same cheatcode address as `Vm`).
interface VmLoad {
    function load(address target, bytes32 slot) external view returns (bytes32 data);
}

/// @notice Drives two reserves of one issuer (index 0: native coin, index 1: tUSD) through every
/// action a holder, the issuer or a donor can take, with bounded inputs so that no call reverts
/// (the invariant config has fail_on_revert = true): an action that would revert is skipped.
/// @dev After every action `_settle` compares the balance and budget of every holder, and the
/// supply, with what it saw after the previous action and classifies each change: a balance may
/// rise only through an issuer mint or a transfer, and fall only through an issuer revoke, the
/// holder's own redeem or a transfer; a budget may change only through trust or revoke. Anything
/// else is a violation (a sticky counter), and the invariants require none. `_settle` also
/// asserts, after every single call, that the holders' balances add up to the supply and that the
/// reserve holds exactly what went in minus what went out, and trust/revoke check the budget
/// model, so these hold between the invariant checks too (InvariantTest asserts every 10 calls).
/// To keep 256 x 100 calls per invariant fast, `_settle` reads the accounts straight from storage
/// (one slot per holder: balance in the low 128 bits, budget in the high 128, as TrustReserve
/// documents); the invariants read through the public API (balanceOf, budgetOf, totalSupply,
/// reserve), which cross-checks that reading.
contract ReserveHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    VmLoad internal constant vml = VmLoad(address(uint160(uint256(keccak256("hevm cheat code")))));

    /// @dev Holders: four actors and, at index 4, the issuer.
    uint256 public constant N = 5;
    uint256 internal constant ISSUER_INDEX = 4;
    uint256 internal constant MAX_AMOUNT = 1e30;
    uint256 internal constant MASK128 = type(uint128).max;
    /// @dev TrustReserve's storage layout: account slot = keccak256(holder . uint96(seed)), supply slot.
    uint96 internal constant ACCOUNT_SEED = 0x7472757374626f74;
    bytes32 internal constant SUPPLY_SLOT = bytes32(uint256(0x05345cdf77eb68f44c));

    address public constant ISSUER = address(0x1550E4);

    enum Kind {
        Neutral, // no balance may change: deposit, withdraw, donate, refused issuer actions
        Mint, // trust, reup, reupMany (issuer)
        Burn, // revoke (issuer)
        Redeem, // only the redeemer's balance falls, by exactly the amount
        Move // transfer, transferFrom: supply unchanged
    }

    struct Snap {
        uint256 supply;
        uint256[N] bal;
        uint256[N] budget;
    }

    // Immutables and constants rather than storage: every storage read is a cold SLOAD in each
    // invariant call, which is what makes a handler slow.
    TrustReserveFactory public immutable factory;
    TestUSD public immutable usd;
    TrustReserve public immutable nativeReserve;
    TrustReserve public immutable usdReserve;

    // What _settle saw last, per reserve.
    uint256[2] internal _seenSupply;
    uint256[N][2] internal _seenAcct;

    // Ghosts per reserve (0 native, 1 tUSD).
    uint256[2] internal _deposited; // deposits, initial backing and donations
    uint256[2] internal _donated;
    uint256[2] internal _paidOut; // withdrawals and redeem payouts, measured at the recipient
    uint256[2] internal _withdrawn;

    // Ghosts per reserve and holder, all derived from observed balance changes.
    uint256[N][2] internal _minted;
    uint256[N][2] internal _transferredIn;
    uint256[N][2] internal _transferredOut;
    uint256[N][2] internal _redeemedTokens;
    uint256[N][2] internal _revokedFrom;
    uint256[N][2] internal _redeemedAsset; // asset paid out for the holder's redeems (to whichever `to`)
    uint256[N][2] internal _modelBudget; // the budget as trust and revoke say it must be

    // Violations (must stay 0).
    uint256 public unauthorizedMintBurn;
    uint256 public budgetChangedOutsideTrustRevoke;
    uint256 public nonIssuerSucceeded;
    uint256 public nonIssuerWrongError;
    bytes4 public nonIssuerLastError;
    string public lastViolation;

    // Statistics.
    uint256 public redeems;
    uint256 public revokes;
    uint256 public donations;

    constructor() {
        TrustReserveFactory f = new TrustReserveFactory();
        TestUSD u = new TestUSD();
        factory = f;
        usd = u;
        vm.prank(ISSUER);
        nativeReserve = TrustReserve(f.create(address(0), "Issuer trust ETH", "tISS-ETH"));
        vm.prank(ISSUER);
        usdReserve = TrustReserve(f.create(address(u), "Issuer trust tUSD", "tISS"));

        // Some backing and some trust to start from, through the same bookkeeping as the actions.
        _doDeposit(0, ISSUER_INDEX, 100 ether);
        _doDeposit(1, ISSUER_INDEX, 1_000_000e6);
        for (uint256 i; i < 4; ++i) {
            _doTrust(0, i, 10 ether);
            _doTrust(1, i, (i + 1) * 100e6);
        }
        // The storage reads agree with the public API.
        for (uint256 r; r < 2; ++r) {
            TrustReserve res = _res(r);
            _check(_seenSupply[r] == res.totalSupply(), "layout: supply");
            for (uint256 i; i < N; ++i) {
                _check(_seenAcct[r][i] & MASK128 == res.balanceOf(_holder(i)), "layout: balance");
                _check(_seenAcct[r][i] >> 128 == res.budgetOf(_holder(i)), "layout: budget");
            }
        }
    }

    /*//////////////////////////////////////////////////////////////
                                 ACTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Anyone (an actor or the issuer) adds backing.
    function deposit(uint256 rSeed, uint256 whoSeed, uint256 amount) external {
        _doDeposit(rSeed % 2, whoSeed % N, _bound(amount, 1, MAX_AMOUNT));
    }

    /// @notice The issuer takes backing out to any holder.
    function withdraw(uint256 rSeed, uint256 toSeed, uint256 amount) external {
        uint256 r = rSeed % 2;
        TrustReserve res = _res(r);
        uint256 available = _assetOf(r, address(res));
        if (available == 0) return _skip();
        amount = _bound(amount, 1, available);
        address to = _holder(toSeed % N);
        Snap memory s = _snap(r);
        uint256 before = _assetOf(r, to);
        vm.prank(ISSUER);
        res.withdraw(amount, to);
        uint256 got = _assetOf(r, to) - before;
        _check(got == amount, "withdraw: paid");
        _paidOut[r] += got;
        _withdrawn[r] += got;
        _settle(r, s, Kind.Neutral, 0, 0, false);
    }

    /// @notice The issuer extends a budget.
    function trust(uint256 rSeed, uint256 holderSeed, uint256 amount) external {
        uint256 r = rSeed % 2;
        uint256 i = holderSeed % N;
        amount = _bound(amount, 1, MAX_AMOUNT);
        Snap memory s = _snap(r);
        if (s.supply + amount > MASK128 || s.budget[i] + amount > MASK128) return _skip();
        _doTrust(r, i, amount);
    }

    /// @notice The issuer re-ups one holder, a quarter of the time without a cap.
    function reup(uint256 rSeed, uint256 holderSeed, uint256 maxMint) external {
        uint256 r = rSeed % 2;
        uint256 i = holderSeed % N;
        maxMint = maxMint % 4 == 0 ? type(uint256).max : _bound(maxMint, 0, MAX_AMOUNT);
        Snap memory s = _snap(r);
        uint256 expected = _reupAmount(s.budget[i], s.bal[i], maxMint);
        if (s.supply + expected > MASK128) return _skip();
        vm.prank(ISSUER);
        uint256 minted = _res(r).reup(_holder(i), maxMint);
        _check(minted == expected, "reup: minted != min(budget - balance, maxMint)");
        _settle(r, s, Kind.Mint, 0, 0, false);
        _check(_bal(r, i) == s.bal[i] + minted, "reup: balance");
    }

    /// @notice The issuer re-ups 1 to 5 holders (repeats allowed) in one transaction.
    function reupMany(uint256 rSeed, uint256 holdersSeed, uint256 maxSeed) external {
        uint256 r = rSeed % 2;
        Snap memory s = _snap(r);
        uint256 n = 1 + holdersSeed % N;
        address[] memory hs = new address[](n);
        uint256[] memory maxMints = new uint256[](n);
        uint256 total;
        for (uint256 k; k < n; ++k) {
            uint256 i = (holdersSeed >> (8 * (k + 1))) % N;
            hs[k] = _holder(i);
            uint256 m = uint256(keccak256(abi.encode(maxSeed, k)));
            maxMints[k] = m % 4 == 0 ? type(uint256).max : m % MAX_AMOUNT;
            total += _reupAmount(s.budget[i], 0, maxMints[k]); // an upper bound
        }
        if (s.supply + total > MASK128) return _skip();
        vm.prank(ISSUER);
        uint256[] memory minted = _res(r).reupMany(hs, maxMints);
        uint256 sum;
        for (uint256 k; k < n; ++k) {
            _check(minted[k] <= maxMints[k], "reupMany: more than maxMint");
            sum += minted[k];
        }
        _settle(r, s, Kind.Mint, 0, 0, false);
        _check(_seenSupply[r] == s.supply + sum, "reupMany: supply");
    }

    /// @notice The issuer revokes part of a budget (sometimes more than budget and balance).
    function revoke(uint256 rSeed, uint256 holderSeed, uint256 amount) external {
        uint256 r = rSeed % 2;
        uint256 i = holderSeed % N;
        Snap memory s = _snap(r);
        uint256 top = s.budget[i] > s.bal[i] ? s.budget[i] : s.bal[i];
        _doRevoke(r, i, _bound(amount, 1, 2 * top + 1), s);
    }

    /// @notice The issuer revokes everything: type(uint256).max.
    function revokeAll(uint256 rSeed, uint256 holderSeed) external {
        uint256 r = rSeed % 2;
        _doRevoke(r, holderSeed % N, type(uint256).max, _snap(r));
    }

    /// @notice A holder redeems (redeem or redeemDeep) to any holder.
    function redeem(uint256 rSeed, uint256 holderSeed, uint256 toSeed, uint256 amount, bool deep) external {
        uint256 r = rSeed % 2;
        uint256 i = holderSeed % N;
        Snap memory s = _snap(r);
        uint256 available = _assetOf(r, address(_res(r)));
        uint256 cap = s.bal[i] < available ? s.bal[i] : available;
        if (cap == 0) return _skip();
        _doRedeem(r, i, _holder(toSeed % N), _bound(amount, 1, cap), deep, s);
    }

    /// @notice A holder transfers to any holder (themselves included).
    function transfer(uint256 rSeed, uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        uint256 r = rSeed % 2;
        uint256 f = fromSeed % N;
        uint256 t = toSeed % N;
        Snap memory s = _snap(r);
        if (s.bal[f] == 0) return _skip();
        amount = _bound(amount, 1, s.bal[f]);
        vm.prank(_holder(f));
        _res(r).transfer(_holder(t), amount);
        _settle(r, s, Kind.Move, 0, 0, false);
        if (f != t) {
            _check(_bal(r, f) == s.bal[f] - amount, "transfer: from");
            _check(_bal(r, t) == s.bal[t] + amount, "transfer: to");
        }
    }

    /// @notice A holder approves a spender (a third of the time infinitely), who then moves tokens to any holder.
    function approveAndTransferFrom(
        uint256 rSeed,
        uint256 ownerSeed,
        uint256 spenderSeed,
        uint256 toSeed,
        uint256 amount,
        uint256 allowance
    ) external {
        uint256 r = rSeed % 2;
        TrustReserve res = _res(r);
        uint256 o = ownerSeed % N;
        address owner = _holder(o);
        address spender = _holder(spenderSeed % N);
        Snap memory s = _snap(r);
        if (s.bal[o] == 0) return _skip();
        amount = _bound(amount, 1, s.bal[o]);
        allowance = allowance % 3 == 0 ? type(uint256).max : _bound(allowance, amount, amount + MAX_AMOUNT);
        vm.prank(owner);
        res.approve(spender, allowance);
        vm.prank(spender);
        res.transferFrom(owner, _holder(toSeed % N), amount);
        uint256 left = allowance == type(uint256).max ? allowance : allowance - amount;
        _check(res.allowance(owner, spender) == left, "transferFrom: allowance");
        _settle(r, s, Kind.Move, 0, 0, false);
    }

    /// @notice Someone sends the asset straight to the reserve, without deposit().
    function donate(uint256 rSeed, uint256 amount) external {
        uint256 r = rSeed % 2;
        amount = _bound(amount, 1, MAX_AMOUNT);
        TrustReserve res = _res(r);
        Snap memory s = _snap(r);
        if (r == 0) vm.deal(address(res), address(res).balance + amount);
        else usd.mint(address(res), amount);
        _deposited[r] += amount;
        _donated[r] += amount;
        donations++;
        _settle(r, s, Kind.Neutral, 0, 0, false);
    }

    /// @notice An actor who is not the issuer tries an issuer action; it must fail with NotIssuer().
    function nonIssuerAttempt(uint256 rSeed, uint256 whoSeed, uint256 holderSeed, uint256 amount, uint256 op) external {
        uint256 r = rSeed % 2;
        TrustReserve res = _res(r);
        address who = _holder(whoSeed % 4);
        address h = _holder(holderSeed % N);
        amount = _bound(amount, 1, MAX_AMOUNT);
        Snap memory s = _snap(r);
        bool ok;
        bytes memory err;
        op %= 5;
        vm.prank(who);
        if (op == 0) {
            try res.trust(h, amount) {
                ok = true;
            } catch (bytes memory e) {
                err = e;
            }
        } else if (op == 1) {
            try res.reup(h, amount) {
                ok = true;
            } catch (bytes memory e) {
                err = e;
            }
        } else if (op == 2) {
            address[] memory hs = new address[](1);
            uint256[] memory ms = new uint256[](1);
            hs[0] = h;
            ms[0] = amount;
            try res.reupMany(hs, ms) {
                ok = true;
            } catch (bytes memory e) {
                err = e;
            }
        } else if (op == 3) {
            try res.revoke(h, amount) {
                ok = true;
            } catch (bytes memory e) {
                err = e;
            }
        } else {
            try res.withdraw(amount, who) {
                ok = true;
            } catch (bytes memory e) {
                err = e;
            }
        }
        if (ok) {
            nonIssuerSucceeded++;
            lastViolation = "a non-issuer's issuer action succeeded";
        } else if (err.length != 4 || bytes4(err) != TrustReserve.NotIssuer.selector) {
            nonIssuerWrongError++;
            if (err.length >= 4) nonIssuerLastError = bytes4(err);
        }
        _settle(r, s, Kind.Neutral, 0, 0, false);
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    function holders() external pure returns (address[N] memory hs) {
        for (uint256 i; i < N; ++i) {
            hs[i] = _holder(i);
        }
    }

    function reserveAt(uint256 r) external view returns (TrustReserve) {
        return _res(r);
    }

    /// @notice Asset in and out of reserve `r`: deposits + donations, and withdrawals + redeem payouts.
    function flows(uint256 r) external view returns (uint256 deposited, uint256 paidOut) {
        return (_deposited[r], _paidOut[r]);
    }

    function donated(uint256 r) external view returns (uint256) {
        return _donated[r];
    }

    function withdrawn(uint256 r) external view returns (uint256) {
        return _withdrawn[r];
    }

    /// @notice Per holder: tokens minted or transferred to them, and tokens that left them
    /// (transferred out, redeemed, revoked).
    function tokenFlows(uint256 r) external view returns (uint256[N] memory received, uint256[N] memory left) {
        for (uint256 i; i < N; ++i) {
            received[i] = _minted[r][i] + _transferredIn[r][i];
            left[i] = _transferredOut[r][i] + _redeemedTokens[r][i] + _revokedFrom[r][i];
        }
    }

    /// @notice Per holder: tokens they redeemed and the asset paid out for them.
    function redemptions(uint256 r) external view returns (uint256[N] memory tokens, uint256[N] memory asset) {
        return (_redeemedTokens[r], _redeemedAsset[r]);
    }

    /// @notice Per holder: the budget trust and revoke say they have.
    function modelBudgets(uint256 r) external view returns (uint256[N] memory) {
        return _modelBudget[r];
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNALS
    //////////////////////////////////////////////////////////////*/

    function _doDeposit(uint256 r, uint256 i, uint256 amount) internal {
        TrustReserve res = _res(r);
        address who = _holder(i);
        Snap memory s = _snap(r);
        uint256 before = _assetOf(r, address(res));
        if (r == 0) {
            vm.deal(who, who.balance + amount);
            vm.prank(who);
            res.deposit{value: amount}(amount);
        } else {
            usd.mint(who, amount);
            vm.prank(who);
            usd.approve(address(res), amount);
            vm.prank(who);
            res.deposit(amount);
        }
        _check(_assetOf(r, address(res)) == before + amount, "deposit: backing");
        _deposited[r] += amount;
        _settle(r, s, Kind.Neutral, 0, 0, false);
    }

    function _doTrust(uint256 r, uint256 i, uint256 amount) internal {
        Snap memory s = _snap(r);
        vm.prank(ISSUER);
        _res(r).trust(_holder(i), amount);
        _modelBudget[r][i] += amount;
        _settle(r, s, Kind.Mint, 0, 0, true);
        _check(_seenAcct[r][i] >> 128 == _modelBudget[r][i], "handler: budget != trust - revoke");
        _check(_bal(r, i) == s.bal[i] + amount, "trust: balance");
    }

    function _doRevoke(uint256 r, uint256 i, uint256 amount, Snap memory s) internal {
        vm.prank(ISSUER);
        uint256 burned = _res(r).revoke(_holder(i), amount);
        _check(burned == (amount < s.bal[i] ? amount : s.bal[i]), "revoke: burned != min(amount, balance)");
        uint256 b = _modelBudget[r][i];
        _modelBudget[r][i] = amount < b ? b - amount : 0;
        revokes++;
        _settle(r, s, Kind.Burn, 0, 0, true);
        _check(_seenAcct[r][i] >> 128 == _modelBudget[r][i], "handler: budget != trust - revoke");
        _check(_bal(r, i) == s.bal[i] - burned, "revoke: balance");
    }

    function _doRedeem(uint256 r, uint256 i, address to, uint256 amount, bool deep, Snap memory s) internal {
        TrustReserve res = _res(r);
        uint256 before = _assetOf(r, to);
        vm.prank(_holder(i));
        if (deep) res.redeemDeep(amount, to);
        else res.redeem(amount, to);
        uint256 got = _assetOf(r, to) - before;
        _check(got == amount, "redeem: paid");
        _paidOut[r] += got;
        _redeemedAsset[r][i] += got;
        redeems++;
        _settle(r, s, Kind.Redeem, i, amount, false);
    }

    function _reupAmount(uint256 budget, uint256 bal, uint256 maxMint) internal pure returns (uint256 m) {
        if (budget > bal) {
            m = budget - bal;
            if (maxMint < m) m = maxMint;
        }
    }

    /// @dev The state `_settle` saw last: the state before the coming action.
    function _snap(uint256 r) internal view returns (Snap memory s) {
        s.supply = _seenSupply[r];
        for (uint256 i; i < N; ++i) {
            uint256 acct = _seenAcct[r][i];
            s.bal[i] = acct & MASK128;
            s.budget[i] = acct >> 128;
        }
    }

    function _bal(uint256 r, uint256 i) internal view returns (uint256) {
        return _seenAcct[r][i] & MASK128;
    }

    /// @dev Reads the state after an action, classifies every change since `s` (see the contract-level
    /// notes) and remembers the state for the next action.
    function _settle(uint256 r, Snap memory s, Kind kind, uint256 redeemer, uint256 amount, bool budgetMayChange)
        internal
    {
        address res = address(_res(r));
        uint256 sum;
        for (uint256 i; i < N; ++i) {
            uint256 acct = uint256(vml.load(res, keccak256(abi.encodePacked(_holder(i), ACCOUNT_SEED))));
            _seenAcct[r][i] = acct;
            uint256 b = acct & MASK128;
            sum += b;
            if (b > s.bal[i]) {
                uint256 inc = b - s.bal[i];
                if (kind == Kind.Mint) _minted[r][i] += inc;
                else if (kind == Kind.Move) _transferredIn[r][i] += inc;
                else _violation("a balance rose outside a mint or transfer");
            } else if (b < s.bal[i]) {
                uint256 dec = s.bal[i] - b;
                if (kind == Kind.Burn) _revokedFrom[r][i] += dec;
                else if (kind == Kind.Redeem && i == redeemer && dec == amount) _redeemedTokens[r][i] += dec;
                else if (kind == Kind.Move) _transferredOut[r][i] += dec;
                else _violation("a balance fell outside a revoke, own redeem or transfer");
            }
            if (!budgetMayChange && acct >> 128 != s.budget[i]) {
                budgetChangedOutsideTrustRevoke++;
                lastViolation = "a budget changed outside trust/revoke";
            }
        }
        uint256 supply = uint256(vml.load(res, SUPPLY_SLOT));
        _seenSupply[r] = supply;
        // The invariants assert these through the public API every check_interval calls; the
        // handler asserts them on the raw state after every call, so nothing slips in between.
        _check(sum == supply, "handler: sum of holder balances != supply");
        (uint256 dep, uint256 out) = (_deposited[r], _paidOut[r]);
        _check(out <= dep && _assetOf(r, res) == dep - out, "handler: asset held != deposited - paid out");
        if (kind == Kind.Neutral || kind == Kind.Move) {
            if (supply != s.supply) _violation("the supply changed without a mint or burn");
        } else if (kind == Kind.Mint) {
            if (supply < s.supply) _violation("the supply fell on a mint");
        } else if (kind == Kind.Burn) {
            if (supply > s.supply) _violation("the supply rose on a revoke");
        } else if (supply + amount != s.supply) {
            _violation("a redeem burned another amount than redeemed");
        }
    }

    function _violation(string memory why) internal {
        unauthorizedMintBurn++;
        lastViolation = why;
    }

    function _check(bool ok, string memory why) internal pure {
        require(ok, why);
    }

    function _skip() internal pure {}

    /// @dev Four actors and, at index 4, the issuer.
    function _holder(uint256 i) internal pure returns (address) {
        if (i == 0) return address(0xA11CE);
        if (i == 1) return address(0xB0B);
        if (i == 2) return address(0xCA201);
        if (i == 3) return address(0xDA7E);
        return ISSUER;
    }

    function _res(uint256 r) internal view returns (TrustReserve) {
        return r == 0 ? nativeReserve : usdReserve;
    }

    function _assetOf(uint256 r, address a) internal view returns (uint256) {
        return r == 0 ? a.balance : usd.balanceOf(a);
    }

    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (x >= min && x <= max) return x;
        uint256 size = max - min + 1;
        if (size == 0) return x;
        return min + (x % size);
    }
}
