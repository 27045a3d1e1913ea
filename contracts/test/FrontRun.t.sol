// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "./lib/Test.sol";
import {TrustReserve} from "../src/TrustReserve.sol";
import {TrustReserveFactory} from "../src/TrustReserveFactory.sol";
import {TestUSD} from "../src/TestUSD.sol";

/// @notice A holder who sees the issuer's revoke or re-up in the mempool and front-runs it with a
/// redeem (and a transfer to a second address they control) never ends up with more than the
/// issuer granted, because every change is relative: revoke burns min(amount, balance) of what is
/// left, reup mints at most maxMint, neither sets a balance to a value (SWC-114, the approve race).
/// "Value" below is what the holder controls across both addresses: asset + tokens.
contract FrontRunTest is Test {
    address constant ALICE = address(0xA11CE); // issuer
    address constant BOB = address(0xB0B); // holder
    address constant BOB2 = address(0xB0B2); // Bob's second address
    address constant SHOP = address(0x5409); // a third party Bob paid earlier

    uint256 constant BACKING = 1_000_000e6;

    TrustReserveFactory factory;
    TestUSD usd;
    TrustReserve r;

    function setUp() public {
        factory = new TrustReserveFactory();
        usd = new TestUSD();
        vm.prank(ALICE);
        r = TrustReserve(factory.create(address(usd), "Alice trust tUSD", "tALICE"));
        usd.mint(ALICE, BACKING);
        vm.prank(ALICE);
        usd.approve(address(r), BACKING);
        vm.prank(ALICE);
        r.deposit(BACKING);
    }

    /*//////////////////////////////////////////////////////////////
                         REDEEM BEFORE REVOKE
    //////////////////////////////////////////////////////////////*/

    /// Alice sends revoke(Bob, max); Bob front-runs: redeems 60 and moves 40 to his second address.
    function test_redeemBeforeRevokeAll() public {
        _trust(BOB, 100e6);

        _redeem(BOB, 60e6);
        _move(BOB, BOB2, 40e6);
        vm.prank(ALICE);
        uint256 burned = r.revoke(BOB, type(uint256).max);

        vm.assertEq(burned, 0, "nothing left on Bob to burn");
        vm.assertEq(r.budgetOf(BOB), 0, "budget cut to 0");
        vm.assertEq(_value(), 100e6, "Bob keeps what he had, no more");
        vm.assertLe(_value(), 100e6, "value <= budget granted");

        // Tokens can be revoked wherever they sit: Alice follows them to the second address.
        vm.prank(ALICE);
        vm.assertEq(r.revoke(BOB2, type(uint256).max), 40e6, "burned at the second address");
        vm.assertEq(_value(), 60e6, "only the redeemed asset is left");
        vm.assertEq(r.totalSupply(), 0);
    }

    /// Alice sends revoke(Bob, 50); Bob redeems 30 first: the revoke burns min(50, 70) = 50 of what is left.
    function test_redeemBeforePartialRevoke_burnsMinOfWhatIsLeft() public {
        _trust(BOB, 100e6);

        _redeem(BOB, 30e6);
        vm.prank(ALICE);
        uint256 burned = r.revoke(BOB, 50e6);

        vm.assertEq(burned, 50e6, "min(amount, balance) = min(50, 70)");
        vm.assertEq(r.balanceOf(BOB), 20e6, "70 - 50");
        vm.assertEq(r.budgetOf(BOB), 50e6, "100 - 50");
        vm.assertEq(_value(), 50e6, "30 redeemed + 20 held");
    }

    /// Bob redeems almost everything first: the revoke burns only what is left, min(50, 10) = 10.
    function test_redeemBeforePartialRevoke_burnsOnlyTheRest() public {
        _trust(BOB, 100e6);

        _redeem(BOB, 90e6);
        vm.prank(ALICE);
        uint256 burned = r.revoke(BOB, 50e6);

        vm.assertEq(burned, 10e6, "min(50, 10)");
        vm.assertEq(r.balanceOf(BOB), 0);
        vm.assertEq(r.budgetOf(BOB), 50e6, "the budget is cut by the full amount");
        vm.assertEq(_value(), 90e6);
        vm.assertLe(_value(), 100e6);
    }

    /// Front-running the revoke with a transfer to the second address only moves where the
    /// tokens sit; what Bob holds across both addresses never exceeds the budget.
    function test_transferBeforeRevoke() public {
        _trust(BOB, 100e6);

        _move(BOB, BOB2, 100e6);
        vm.prank(ALICE);
        vm.assertEq(r.revoke(BOB, 100e6), 0, "nothing on Bob's first address");
        vm.assertEq(_value(), 100e6);
        vm.assertEq(r.budgetOf(BOB), 0);

        // Re-up cannot be abused afterwards either: the budget is gone.
        vm.prank(ALICE);
        vm.assertEq(r.reup(BOB, type(uint256).max), 0, "no budget left to restore");
        vm.assertEq(_value(), 100e6);
    }

    /// Fuzz: trust B; Bob pays the shop s; Alice sends revoke(Bob, x) (or max); Bob front-runs with
    /// a redeem y and a move z to BOB2. Bob never ends with more than B - s, the revoke burns
    /// exactly min(x, what is left on BOB), and the budget is cut by x, saturating.
    function testFuzz_redeemBeforeRevoke(
        uint256 budget,
        uint256 spent,
        uint256 redeemed,
        uint256 moved,
        uint256 revoked,
        bool revokeAll
    ) public {
        budget = bound(budget, 1, BACKING);
        spent = bound(spent, 0, budget);
        redeemed = bound(redeemed, 0, budget - spent);
        moved = bound(moved, 0, budget - spent - redeemed);
        revoked = revokeAll ? type(uint256).max : bound(revoked, 1, 2 * budget);

        _trust(BOB, budget);
        if (spent > 0) _move(BOB, SHOP, spent);
        // Bob front-runs.
        if (redeemed > 0) _redeem(BOB, redeemed);
        if (moved > 0) _move(BOB, BOB2, moved);
        uint256 left = r.balanceOf(BOB);
        // Alice's revoke lands.
        vm.prank(ALICE);
        uint256 burned = r.revoke(BOB, revoked);

        vm.assertEq(burned, revoked < left ? revoked : left, "burned != min(amount, balance left)");
        vm.assertEq(r.balanceOf(BOB), left - burned);
        vm.assertEq(r.budgetOf(BOB), revoked < budget ? budget - revoked : 0, "budget -= amount, saturating");
        vm.assertLe(_value(), budget, "value > budget granted");
        vm.assertEq(_value(), budget - spent - burned, "value != granted - spent - burned");
    }

    /*//////////////////////////////////////////////////////////////
                          REDEEM BEFORE RE-UP
    //////////////////////////////////////////////////////////////*/

    /// Bob spent 40 of 100 at the shop; Alice sends reup(Bob, 40) to restore it. Bob front-runs by
    /// redeeming his remaining 60: the re-up still mints only maxMint = 40 (an absolute "set the
    /// balance back to the budget" would have minted 100), so Bob holds 60 + 40 = the budget.
    function test_redeemBeforeReup_mintsAtMostMaxMint() public {
        _trust(BOB, 100e6);
        _move(BOB, SHOP, 40e6);

        _redeem(BOB, 60e6);
        vm.prank(ALICE);
        uint256 minted = r.reup(BOB, 40e6);

        vm.assertEq(minted, 40e6, "min(budget - balance = 100, maxMint = 40)");
        vm.assertEq(r.balanceOf(BOB), 40e6);
        vm.assertEq(r.budgetOf(BOB), 100e6, "reup leaves the budget alone");
        vm.assertEq(_value(), 100e6, "60 redeemed + 40 re-upped");
        vm.assertLe(_value(), 100e6, "value <= budget");
    }

    /// Same through reupMany, with a transfer to the second address instead of a redeem.
    function test_moveBeforeReupMany_mintsAtMostMaxMint() public {
        _trust(BOB, 100e6);
        _move(BOB, SHOP, 25e6);

        _move(BOB, BOB2, 75e6);
        address[] memory hs = new address[](1);
        uint256[] memory ms = new uint256[](1);
        hs[0] = BOB;
        ms[0] = 25e6;
        vm.prank(ALICE);
        uint256[] memory minted = r.reupMany(hs, ms);

        vm.assertEq(minted[0], 25e6);
        vm.assertEq(_value(), 100e6, "75 on BOB2 + 25 re-upped");
    }

    /// A re-up never mints above the budget: Bob topped himself up from his second address first.
    function test_reupWhenAtBudget_mintsNothing() public {
        _trust(BOB, 100e6);
        _move(BOB, BOB2, 30e6);
        _move(BOB2, BOB, 30e6);
        vm.prank(ALICE);
        vm.assertEq(r.reup(BOB, type(uint256).max), 0, "balance is at the budget");
        vm.assertEq(_value(), 100e6);
    }

    /// Fuzz: trust B; Bob pays the shop s; Alice sends reup(Bob, m); Bob front-runs with a redeem y
    /// and a move z to BOB2. The re-up mints min(B - left, m) <= m, so Bob ends with
    /// B - s + minted <= B - s + m, i.e. at most the budget when Alice restores exactly what was spent.
    function testFuzz_redeemBeforeReup(uint256 budget, uint256 spent, uint256 redeemed, uint256 moved, uint256 maxMint)
        public
    {
        budget = bound(budget, 1, BACKING);
        spent = bound(spent, 0, budget);
        redeemed = bound(redeemed, 0, budget - spent);
        moved = bound(moved, 0, budget - spent - redeemed);
        maxMint = bound(maxMint, 0, 2 * budget);

        _trust(BOB, budget);
        if (spent > 0) _move(BOB, SHOP, spent);
        if (redeemed > 0) _redeem(BOB, redeemed);
        if (moved > 0) _move(BOB, BOB2, moved);
        uint256 left = r.balanceOf(BOB);
        vm.prank(ALICE);
        uint256 minted = r.reup(BOB, maxMint);

        uint256 gap = budget - left;
        vm.assertEq(minted, gap < maxMint ? gap : maxMint, "minted != min(budget - balance, maxMint)");
        vm.assertLe(minted, maxMint, "minted > maxMint");
        vm.assertLe(r.balanceOf(BOB), budget, "balance above budget after reup");
        vm.assertEq(_value(), budget - spent + minted);
        vm.assertLe(_value(), budget - spent + maxMint, "value > granted + maxMint");
        if (maxMint <= spent) vm.assertLe(_value(), budget, "value > budget when restoring what was spent");
    }

    /// Fuzz: the same with the re-up intended to restore exactly what Bob spent (maxMint = s):
    /// whatever Bob does first, he ends with exactly the budget, never more.
    function testFuzz_redeemBeforeReup_restoringSpent(uint256 budget, uint256 spent, uint256 redeemed, uint256 moved)
        public
    {
        budget = bound(budget, 1, BACKING);
        spent = bound(spent, 1, budget);
        redeemed = bound(redeemed, 0, budget - spent);
        moved = bound(moved, 0, budget - spent - redeemed);

        _trust(BOB, budget);
        _move(BOB, SHOP, spent);
        if (redeemed > 0) _redeem(BOB, redeemed);
        if (moved > 0) _move(BOB, BOB2, moved);
        vm.prank(ALICE);
        uint256 minted = r.reup(BOB, spent);

        vm.assertEq(minted, spent);
        vm.assertEq(_value(), budget, "value != budget");
    }

    /// Fuzz: Bob front-runs a revoke and a later re-up by the issuer (the revoke lands first): after
    /// both, he holds at most the budget before the revoke, and the re-up only refills the cut budget.
    function testFuzz_redeemBeforeRevokeThenReup(uint256 budget, uint256 redeemed, uint256 moved, uint256 revoked)
        public
    {
        budget = bound(budget, 1, BACKING);
        redeemed = bound(redeemed, 0, budget);
        moved = bound(moved, 0, budget - redeemed);
        revoked = bound(revoked, 1, budget);

        _trust(BOB, budget);
        if (redeemed > 0) _redeem(BOB, redeemed);
        if (moved > 0) _move(BOB, BOB2, moved);
        vm.prank(ALICE);
        r.revoke(BOB, revoked);
        uint256 cut = budget - revoked;
        vm.assertEq(r.budgetOf(BOB), cut);
        vm.prank(ALICE);
        uint256 minted = r.reup(BOB, type(uint256).max);

        vm.assertLe(r.balanceOf(BOB), cut, "re-up filled above the cut budget");
        vm.assertLe(minted, cut, "re-up minted more than the cut budget");
    }

    /*//////////////////////////////////////////////////////////////
                                HELPERS
    //////////////////////////////////////////////////////////////*/

    /// Asset and tokens Bob controls across both addresses.
    function _value() internal view returns (uint256) {
        return usd.balanceOf(BOB) + usd.balanceOf(BOB2) + r.balanceOf(BOB) + r.balanceOf(BOB2);
    }

    function _trust(address h, uint256 amount) internal {
        vm.prank(ALICE);
        r.trust(h, amount);
    }

    function _redeem(address h, uint256 amount) internal {
        vm.prank(h);
        r.redeem(amount, h);
    }

    function _move(address from, address to, uint256 amount) internal {
        vm.prank(from);
        r.transfer(to, amount);
    }
}
