// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "./lib/Test.sol";
import {TrustReserve} from "../src/TrustReserve.sol";
import {TrustReserveFactory} from "../src/TrustReserveFactory.sol";
import {TestUSD} from "../src/TestUSD.sol";

/// @notice Fuzz tests of TrustReserve over amounts and actors.
contract FuzzTest is Test {
    address constant ALICE = address(0xA11CE);
    address constant CONSOLE = 0x000000000000000000636F6e736F6c652e6c6f67;
    uint256 constant MAX128 = type(uint128).max;

    TrustReserveFactory factory;
    TestUSD usd;
    /// Alice's tUSD reserve and native reserve, no backing yet.
    TrustReserve r;
    TrustReserve n;

    function setUp() public {
        factory = new TrustReserveFactory();
        usd = new TestUSD();
        vm.prank(ALICE);
        r = TrustReserve(factory.create(address(usd), "t", "T"));
        vm.prank(ALICE);
        n = TrustReserve(factory.create(address(0), "n", "N"));
    }

    /*//////////////////////////////////////////////////////////////
                                 HELPERS
    //////////////////////////////////////////////////////////////*/

    /// A plain account: not zero, no code, above the precompiles, not a cheatcode address, not the issuer.
    function _actor(address a) internal view {
        vm.assume(a != address(0) && a.code.length == 0 && a > address(0x10000));
        vm.assume(a != address(vm) && a != CONSOLE && a != ALICE);
    }

    function _fund(TrustReserve res, uint256 amount) internal {
        if (amount == 0) return;
        if (res.asset() == address(0)) {
            vm.deal(ALICE, ALICE.balance + amount);
            vm.prank(ALICE);
            res.deposit{value: amount}(amount);
        } else {
            usd.mint(ALICE, amount);
            vm.prank(ALICE);
            usd.approve(address(res), amount);
            vm.prank(ALICE);
            res.deposit(amount);
        }
    }

    function _assetBalance(TrustReserve res, address a) internal view returns (uint256) {
        return res.asset() == address(0) ? a.balance : usd.balanceOf(a);
    }

    function _trust(TrustReserve res, address holder, uint256 amount) internal {
        vm.prank(ALICE);
        res.trust(holder, amount);
    }

    function _min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }

    function _max(uint256 a, uint256 b) internal pure returns (uint256) {
        return a > b ? a : b;
    }

    /*//////////////////////////////////////////////////////////////
                                 REDEEM
    //////////////////////////////////////////////////////////////*/

    function _redeemWithinReserve(
        TrustReserve res,
        address holder,
        address to,
        uint256 trusted,
        uint256 backing,
        uint256 amount
    ) internal {
        _actor(holder);
        _actor(to);
        trusted = bound(trusted, 1, MAX128);
        backing = bound(backing, 1, MAX128);
        amount = bound(amount, 1, _min(trusted, backing));
        _fund(res, backing);
        _trust(res, holder, trusted);

        uint256 toBefore = _assetBalance(res, to);
        vm.prank(holder);
        res.redeem(amount, to);

        vm.assertEq(_assetBalance(res, to), toBefore + amount, "paid to");
        vm.assertEq(res.balanceOf(holder), trusted - amount, "holder balance");
        vm.assertEq(res.budgetOf(holder), trusted, "budget unchanged");
        vm.assertEq(res.reserve(), backing - amount, "reserve");
        vm.assertEq(res.totalSupply(), trusted - amount, "supply");
        vm.assertEq(_assetBalance(res, address(res)), res.reserve(), "reserve is real balance");
    }

    function testFuzz_RedeemWithinReservePaysExactly_ERC20(
        address holder,
        address to,
        uint256 trusted,
        uint256 backing,
        uint256 amount
    ) public {
        _redeemWithinReserve(r, holder, to, trusted, backing, amount);
    }

    function testFuzz_RedeemWithinReservePaysExactly_Native(
        address holder,
        address to,
        uint256 trusted,
        uint256 backing,
        uint256 amount
    ) public {
        _redeemWithinReserve(n, holder, to, trusted, backing, amount);
    }

    function testFuzz_RedeemDeepWithinReservePaysExactly_ERC20(address holder, uint256 trusted, uint256 amount)
        public
    {
        _actor(holder);
        trusted = bound(trusted, 1, MAX128);
        amount = bound(amount, 1, trusted);
        _fund(r, trusted);
        _trust(r, holder, trusted);
        vm.prank(holder);
        r.redeemDeep(amount, holder);
        vm.assertEq(usd.balanceOf(holder), amount);
        vm.assertEq(r.balanceOf(holder), trusted - amount);
        vm.assertEq(r.reserve(), trusted - amount);
    }

    function _redeemAboveReserve(TrustReserve res, address holder, address to, uint256 backing, uint256 trusted, uint256 amount)
        internal
    {
        _actor(holder);
        _actor(to);
        backing = bound(backing, 0, MAX128 - 1);
        trusted = bound(trusted, backing + 1, MAX128);
        amount = bound(amount, backing + 1, trusted);
        _fund(res, backing);
        _trust(res, holder, trusted);

        uint256 toBefore = _assetBalance(res, to);
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientReserve.selector, backing, amount));
        vm.prank(holder);
        res.redeem(amount, to);

        vm.assertEq(_assetBalance(res, to), toBefore, "nothing paid");
        vm.assertEq(res.balanceOf(holder), trusted, "nothing burned");
        vm.assertEq(res.budgetOf(holder), trusted, "budget");
        vm.assertEq(res.reserve(), backing, "reserve");
        vm.assertEq(res.totalSupply(), trusted, "supply");

        // redeemDeep on a one-layer reserve says the same.
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientReserve.selector, backing, amount));
        vm.prank(holder);
        res.redeemDeep(amount, to);
        vm.assertEq(res.balanceOf(holder), trusted, "nothing burned (deep)");
    }

    function testFuzz_RedeemAboveReserveReverts_ERC20(
        address holder,
        address to,
        uint256 backing,
        uint256 trusted,
        uint256 amount
    ) public {
        _redeemAboveReserve(r, holder, to, backing, trusted, amount);
    }

    function testFuzz_RedeemAboveReserveReverts_Native(
        address holder,
        address to,
        uint256 backing,
        uint256 trusted,
        uint256 amount
    ) public {
        _redeemAboveReserve(n, holder, to, backing, trusted, amount);
    }

    function testFuzz_RedeemAboveBalanceReverts(address holder, uint256 trusted, uint256 amount) public {
        _actor(holder);
        trusted = bound(trusted, 0, MAX128 - 1);
        amount = bound(amount, trusted + 1, type(uint256).max);
        _fund(r, MAX128);
        if (trusted != 0) _trust(r, holder, trusted);
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientBalance.selector, trusted, amount));
        vm.prank(holder);
        r.redeem(amount, holder);
        vm.assertEq(r.balanceOf(holder), trusted);
    }

    /*//////////////////////////////////////////////////////////////
                                 REVOKE
    //////////////////////////////////////////////////////////////*/

    function testFuzz_RevokeBurnsMinAndSaturatesBudget(
        address holder,
        address other,
        uint256 trusted,
        uint256 sentAway,
        uint256 received,
        uint256 amount
    ) public {
        _actor(holder);
        _actor(other);
        vm.assume(holder != other);
        trusted = bound(trusted, 0, MAX128 / 2);
        sentAway = bound(sentAway, 0, trusted);
        received = bound(received, 0, MAX128 / 2);
        amount = bound(amount, 1, type(uint256).max);

        if (trusted != 0) _trust(r, holder, trusted);
        if (sentAway != 0) {
            vm.prank(holder);
            r.transfer(other, sentAway);
        }
        if (received != 0) {
            _trust(r, other, received);
            vm.prank(other);
            r.transfer(holder, received);
        }
        vm.assertEq(r.balanceOf(holder), trusted - sentAway + received);
        vm.assertEq(r.budgetOf(holder), trusted);
        _checkedRevoke(holder, other, amount);
    }

    function _checkedRevoke(address holder, address other, uint256 amount) internal {
        uint256 bal = r.balanceOf(holder);
        uint256 budget = r.budgetOf(holder);
        uint256 supply = r.totalSupply();
        uint256 otherAcct = (r.budgetOf(other) << 128) | r.balanceOf(other);

        vm.prank(ALICE);
        uint256 burned = r.revoke(holder, amount);

        uint256 expectBurned = _min(amount, bal);
        vm.assertEq(burned, expectBurned, "burned");
        vm.assertEq(r.balanceOf(holder), bal - expectBurned, "balance");
        vm.assertEq(r.budgetOf(holder), amount >= budget ? 0 : budget - amount, "budget");
        vm.assertEq(r.totalSupply(), supply - expectBurned, "supply");
        vm.assertEq((r.budgetOf(other) << 128) | r.balanceOf(other), otherAcct, "other account");
    }

    /*//////////////////////////////////////////////////////////////
                                  TRUST
    //////////////////////////////////////////////////////////////*/

    /// trust either adds exactly `amount` to balance, budget and supply, or reverts Overflow when
    /// the budget or the supply would pass 2**128 - 1 (no wrapping, whatever the amount).
    function testFuzz_TrustAddsExactlyOrOverflows(address holder, address other, uint256 first, uint256 otherSupply, uint256 amount)
        public
    {
        _actor(holder);
        _actor(other);
        vm.assume(holder != other);
        first = bound(first, 1, MAX128);
        otherSupply = bound(otherSupply, 0, MAX128 - first);
        amount = bound(amount, 1, type(uint256).max);
        _trust(r, holder, first);
        if (otherSupply != 0) _trust(r, other, otherSupply);
        uint256 supply = first + otherSupply;

        bool overflows = amount > MAX128 - first || amount > MAX128 - supply;
        if (overflows) vm.expectRevert(TrustReserve.Overflow.selector);
        vm.prank(ALICE);
        r.trust(holder, amount);
        if (overflows) {
            vm.assertEq(r.balanceOf(holder), first);
            vm.assertEq(r.budgetOf(holder), first);
            vm.assertEq(r.totalSupply(), supply);
        } else {
            vm.assertEq(r.balanceOf(holder), first + amount);
            vm.assertEq(r.budgetOf(holder), first + amount);
            vm.assertEq(r.totalSupply(), supply + amount);
        }
    }

    /*//////////////////////////////////////////////////////////////
                                  REUP
    //////////////////////////////////////////////////////////////*/

    function _checkedReup(address holder, uint256 maxMint) internal {
        uint256 bal = r.balanceOf(holder);
        uint256 budget = r.budgetOf(holder);
        uint256 supply = r.totalSupply();
        uint256 expected = budget > bal ? _min(budget - bal, maxMint) : 0;
        vm.prank(ALICE);
        uint256 minted = r.reup(holder, maxMint);
        uint256 after_ = r.balanceOf(holder);
        vm.assertEq(minted, expected, "minted");
        vm.assertEq(after_, bal + minted, "balance");
        vm.assertLe(after_, _max(bal, budget), "reup minted above the budget");
        vm.assertEq(r.budgetOf(holder), budget, "reup moved the budget");
        vm.assertEq(r.totalSupply(), supply + minted, "supply");
    }

    /// Any sequence of trust / transfers in and out / revoke / redeem / reup, then a reup:
    /// minting never takes the balance above max(balance before, budget).
    function testFuzz_ReupNeverMintsAboveBudget(
        address holder,
        address other,
        uint256[10] memory steps,
        uint256[10] memory amounts,
        uint256 maxMint
    ) public {
        _actor(holder);
        _actor(other);
        vm.assume(holder != other);
        _fund(r, 1e36);
        for (uint256 i; i < steps.length; ++i) {
            uint256 op = steps[i] % 7;
            uint256 amt = amounts[i];
            if (op == 0) {
                _trust(r, holder, bound(amt, 1, 1e30));
            } else if (op == 1) {
                _trust(r, other, bound(amt, 1, 1e30));
            } else if (op == 2) {
                uint256 x = bound(amt, 0, r.balanceOf(holder));
                vm.prank(holder);
                r.transfer(other, x);
            } else if (op == 3) {
                uint256 x = bound(amt, 0, r.balanceOf(other));
                vm.prank(other);
                r.transfer(holder, x);
            } else if (op == 4) {
                vm.prank(ALICE);
                r.revoke(holder, bound(amt, 1, type(uint256).max));
            } else if (op == 5) {
                uint256 b = r.balanceOf(holder);
                if (b != 0) {
                    vm.prank(holder);
                    r.redeem(bound(amt, 1, b), holder);
                }
            } else {
                _checkedReup(holder, amt);
            }
        }
        _checkedReup(holder, maxMint);
        _checkedReup(other, maxMint);
        // Right after a full re-up, a second one mints nothing.
        _checkedReup(holder, type(uint256).max);
        vm.prank(ALICE);
        vm.assertEq(r.reup(holder, type(uint256).max), 0);
    }

    /*//////////////////////////////////////////////////////////////
                               TRANSFERS
    //////////////////////////////////////////////////////////////*/

    /// Transfers between random actors conserve the total supply and never move budgets.
    function testFuzz_TransfersConserveTotalSupply(
        address a,
        address b,
        address c,
        uint256 trustA,
        uint256 trustB,
        uint256[8] memory moves,
        uint256[8] memory amounts
    ) public {
        _actor(a);
        _actor(b);
        _actor(c);
        vm.assume(a != b && b != c && a != c);
        trustA = bound(trustA, 1, MAX128 / 2);
        trustB = bound(trustB, 1, MAX128 / 2);
        _trust(r, a, trustA);
        _trust(r, b, trustB);
        address[3] memory actors = [a, b, c];
        for (uint256 i; i < moves.length; ++i) {
            _move(actors, moves[i], amounts[i]);
            vm.assertEq(r.totalSupply(), trustA + trustB, "supply");
            vm.assertEq(r.balanceOf(a) + r.balanceOf(b) + r.balanceOf(c), trustA + trustB, "sum of balances");
        }
        vm.assertEq(r.budgetOf(a), trustA);
        vm.assertEq(r.budgetOf(b), trustB);
        vm.assertEq(r.budgetOf(c), 0);
    }

    /// One transfer, direct or through an allowance, between actors picked by `move`.
    function _move(address[3] memory actors, uint256 move, uint256 amount) internal {
        address from = actors[move % 3];
        address to = actors[(move / 3) % 3];
        uint256 fromBal = r.balanceOf(from);
        uint256 toBal = r.balanceOf(to);
        amount = bound(amount, 0, fromBal);
        if ((move / 9) % 2 == 0) {
            vm.prank(from);
            r.transfer(to, amount);
        } else {
            address spender = actors[(move / 18) % 3];
            vm.prank(from);
            r.approve(spender, amount);
            vm.prank(spender);
            r.transferFrom(from, to, amount);
            vm.assertEq(r.allowance(from, spender), 0, "allowance spent");
        }
        if (from != to) {
            vm.assertEq(r.balanceOf(from), fromBal - amount, "from");
            vm.assertEq(r.balanceOf(to), toBal + amount, "to");
        } else {
            vm.assertEq(r.balanceOf(from), fromBal, "self");
        }
    }

    /// A transfer of more than the balance reverts with the exact figures and moves nothing.
    function testFuzz_TransferAboveBalanceReverts(address from, address to, uint256 trusted, uint256 amount) public {
        _actor(from);
        _actor(to);
        vm.assume(from != to);
        trusted = bound(trusted, 1, MAX128);
        amount = bound(amount, trusted + 1, type(uint256).max);
        _trust(r, from, trusted);
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientBalance.selector, trusted, amount));
        vm.prank(from);
        r.transfer(to, amount);
        vm.assertEq(r.balanceOf(from), trusted);
        vm.assertEq(r.balanceOf(to), 0);
    }

    /*//////////////////////////////////////////////////////////////
                           DEPOSIT / WITHDRAW
    //////////////////////////////////////////////////////////////*/

    function _depositWithdraw(TrustReserve res, address depositor, address to, uint256[8] memory steps) internal {
        _actor(depositor);
        _actor(to);
        uint256 expected;
        for (uint256 i; i < steps.length; ++i) {
            uint256 amt = steps[i] >> 1;
            if (steps[i] & 1 == 0 || expected == 0) {
                amt = bound(amt, 1, 1e36);
                if (res.asset() == address(0)) {
                    vm.deal(depositor, amt);
                    vm.prank(depositor);
                    res.deposit{value: amt}(amt);
                } else {
                    usd.mint(depositor, amt);
                    vm.prank(depositor);
                    usd.approve(address(res), amt);
                    vm.prank(depositor);
                    res.deposit(amt);
                }
                expected += amt;
            } else {
                amt = bound(amt, 1, expected);
                uint256 toBefore = _assetBalance(res, to);
                vm.prank(ALICE);
                res.withdraw(amt, to);
                vm.assertEq(_assetBalance(res, to), toBefore + amt, "withdrawn to");
                expected -= amt;
            }
            vm.assertEq(res.reserve(), expected, "reserve");
            vm.assertEq(res.reserve(), _assetBalance(res, address(res)), "reserve is the real balance");
        }
        // Withdrawing one unit more than is held reverts with the exact figures.
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientReserve.selector, expected, expected + 1));
        vm.prank(ALICE);
        res.withdraw(expected + 1, to);
    }

    function testFuzz_DepositWithdrawKeepsReserveEqualToBalance_Native(
        address depositor,
        address to,
        uint256[8] memory steps
    ) public {
        _depositWithdraw(n, depositor, to, steps);
    }

    function testFuzz_DepositWithdrawKeepsReserveEqualToBalance_ERC20(
        address depositor,
        address to,
        uint256[8] memory steps
    ) public {
        _depositWithdraw(r, depositor, to, steps);
    }

    function testFuzz_DepositNativeWrongValueReverts(address depositor, uint256 amount, uint256 value) public {
        _actor(depositor);
        amount = bound(amount, 1, 1e36);
        value = bound(value, 0, 1e36);
        vm.assume(value != amount);
        vm.deal(depositor, value);
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.WrongValue.selector, value, amount));
        vm.prank(depositor);
        n.deposit{value: value}(amount);
        vm.assertEq(n.reserve(), 0);
    }

    /*//////////////////////////////////////////////////////////////
                              ACCESS CONTROL
    //////////////////////////////////////////////////////////////*/

    function testFuzz_OnlyIssuerManages(address caller, uint256 amount) public {
        _actor(caller);
        amount = bound(amount, 1, MAX128);
        _fund(r, amount);
        vm.expectRevert(TrustReserve.NotIssuer.selector);
        vm.prank(caller);
        r.trust(caller, amount);
        vm.expectRevert(TrustReserve.NotIssuer.selector);
        vm.prank(caller);
        r.reup(caller, amount);
        vm.expectRevert(TrustReserve.NotIssuer.selector);
        vm.prank(caller);
        r.revoke(caller, amount);
        vm.expectRevert(TrustReserve.NotIssuer.selector);
        vm.prank(caller);
        r.withdraw(amount, caller);
    }
}
