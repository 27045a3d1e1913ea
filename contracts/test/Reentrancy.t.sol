// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "./lib/Test.sol";
import {TrustReserve} from "../src/TrustReserve.sol";
import {TrustReserveFactory} from "../src/TrustReserveFactory.sol";
import {Reenterer} from "./attack/Reenterer.sol";
import {HookToken} from "./attack/HookToken.sol";

/// @notice Re-entering a reserve while it pays out. Redeem burns before it pays and every paying
/// function (deposit, withdraw, redeem, redeemDeep) carries a transient-storage guard, so a
/// re-entry fails with Reentrancy(); when the attacker lets that failure bubble, the payout itself
/// fails and the reserve reports TransferFailed() (the inner reason does not surface: the reserve
/// does not forward a failed payee's revert data). When the attacker swallows it, the redeem goes
/// through and pays exactly once; the swallowed reason is recorded to show it was Reentrancy().
contract ReentrancyTest is Test {
    address constant ALICE = address(0xA11CE); // issuer

    TrustReserveFactory factory;
    Reenterer attacker;

    function setUp() public {
        factory = new TrustReserveFactory();
        attacker = new Reenterer();
    }

    /*//////////////////////////////////////////////////////////////
                       (a) NATIVE PAYOUT: receive()
    //////////////////////////////////////////////////////////////*/

    function _nativeReserve() internal returns (TrustReserve r) {
        vm.prank(ALICE);
        r = TrustReserve(factory.create(address(0), "Alice trust ETH", "tALICE-ETH"));
        vm.deal(ALICE, 100 ether);
        vm.prank(ALICE);
        r.deposit{value: 100 ether}(100 ether);
        vm.prank(ALICE);
        r.trust(address(attacker), 10 ether);
    }

    /// receive() re-enters redeem for the rest of its balance: the whole redeem reverts.
    function test_native_reenterRedeem_reverts() public {
        TrustReserve r = _nativeReserve();
        attacker.arm(address(r), abi.encodeCall(TrustReserve.redeem, (5 ether, address(attacker))), 0, false);

        vm.expectRevert(TrustReserve.TransferFailed.selector);
        attacker.exec(address(r), abi.encodeCall(TrustReserve.redeem, (5 ether, address(attacker))));

        _assertNativeUntouched(r);
    }

    /// The same through redeemDeep (on a native reserve it pays like redeem).
    function test_native_reenterRedeemDeep_reverts() public {
        TrustReserve r = _nativeReserve();
        attacker.arm(address(r), abi.encodeCall(TrustReserve.redeemDeep, (5 ether, address(attacker))), 0, false);

        vm.expectRevert(TrustReserve.TransferFailed.selector);
        attacker.exec(address(r), abi.encodeCall(TrustReserve.redeemDeep, (5 ether, address(attacker))));

        _assertNativeUntouched(r);
    }

    /// redeem re-entered from redeemDeep's payout, and redeemDeep from redeem's: the guard is shared.
    function test_native_crossReenter_reverts() public {
        TrustReserve r = _nativeReserve();
        attacker.arm(address(r), abi.encodeCall(TrustReserve.redeem, (5 ether, address(attacker))), 0, false);
        vm.expectRevert(TrustReserve.TransferFailed.selector);
        attacker.exec(address(r), abi.encodeCall(TrustReserve.redeemDeep, (5 ether, address(attacker))));

        attacker.arm(address(r), abi.encodeCall(TrustReserve.redeemDeep, (5 ether, address(attacker))), 0, false);
        vm.expectRevert(TrustReserve.TransferFailed.selector);
        attacker.exec(address(r), abi.encodeCall(TrustReserve.redeem, (5 ether, address(attacker))));

        _assertNativeUntouched(r);
    }

    /// A deposit made from inside the payout is refused too (deposit shares the guard).
    function test_native_reenterDeposit_reverts() public {
        TrustReserve r = _nativeReserve();
        attacker.arm(address(r), abi.encodeCall(TrustReserve.deposit, (1 ether)), 1 ether, false);

        vm.expectRevert(TrustReserve.TransferFailed.selector);
        attacker.exec(address(r), abi.encodeCall(TrustReserve.redeem, (5 ether, address(attacker))));

        _assertNativeUntouched(r);
    }

    /// The inner failure is Reentrancy(): an attacker that swallows it gets its one redeem, nothing more.
    function test_native_reenterRedeem_swallowed_isReentrancy() public {
        TrustReserve r = _nativeReserve();
        attacker.arm(address(r), abi.encodeCall(TrustReserve.redeem, (5 ether, address(attacker))), 0, true);

        attacker.exec(address(r), abi.encodeCall(TrustReserve.redeem, (5 ether, address(attacker))));

        vm.assertEq(attacker.reentries(), 1, "the hook ran");
        vm.assertFalse(attacker.reentrySucceeded(), "re-entry went through");
        vm.assertEq(attacker.lastError(), abi.encodeWithSelector(TrustReserve.Reentrancy.selector));
        vm.assertEq(address(attacker).balance, 5 ether, "paid once");
        vm.assertEq(r.balanceOf(address(attacker)), 5 ether, "burned once");
        vm.assertEq(r.reserve(), 95 ether);
        vm.assertEq(r.totalSupply(), 5 ether);
    }

    /// Same for redeemDeep re-entered from redeemDeep.
    function test_native_reenterRedeemDeep_swallowed_isReentrancy() public {
        TrustReserve r = _nativeReserve();
        attacker.arm(address(r), abi.encodeCall(TrustReserve.redeemDeep, (5 ether, address(attacker))), 0, true);

        attacker.exec(address(r), abi.encodeCall(TrustReserve.redeemDeep, (5 ether, address(attacker))));

        vm.assertEq(attacker.lastError(), abi.encodeWithSelector(TrustReserve.Reentrancy.selector));
        vm.assertEq(address(attacker).balance, 5 ether, "paid once");
        vm.assertEq(r.reserve(), 95 ether);
    }

    /// withdraw is not reachable from the payout: it is issuer-only, so the attacker is refused
    /// with NotIssuer() before the guard is even looked at.
    function test_native_reenterWithdraw_notIssuer() public {
        TrustReserve r = _nativeReserve();
        attacker.arm(address(r), abi.encodeCall(TrustReserve.withdraw, (50 ether, address(attacker))), 0, true);

        attacker.exec(address(r), abi.encodeCall(TrustReserve.redeem, (5 ether, address(attacker))));

        vm.assertEq(bytes32(attacker.lastErrorSelector()), bytes32(TrustReserve.NotIssuer.selector)); // NotIssuer()
        vm.assertEq(address(attacker).balance, 5 ether);
        vm.assertEq(r.reserve(), 95 ether);

        // And bubbling it fails the payout like any other failed re-entry.
        attacker.arm(address(r), abi.encodeCall(TrustReserve.withdraw, (50 ether, address(attacker))), 0, false);
        vm.expectRevert(TrustReserve.TransferFailed.selector);
        attacker.exec(address(r), abi.encodeCall(TrustReserve.redeem, (5 ether, address(attacker))));
    }

    /// Re-entering a layer above while the base pays natively: every reserve on the path is locked.
    function test_native_layered_reenterUpperLayer_reverts() public {
        TrustReserve a = _nativeReserve();
        // Bob's layer on Alice's token, with the attacker trusted by Bob.
        address bob = address(0xB0B);
        vm.prank(ALICE);
        a.trust(bob, 20 ether);
        vm.prank(bob);
        TrustReserve b = TrustReserve(factory.create(address(a), "Bob trust", "tBOB"));
        vm.prank(bob);
        a.approve(address(b), 20 ether);
        vm.prank(bob);
        b.deposit(20 ether);
        vm.prank(bob);
        b.trust(address(attacker), 10 ether);

        // b.redeemDeep -> a.redeemDeep -> pays ETH -> attacker re-enters b.redeem: b is locked.
        attacker.arm(address(b), abi.encodeCall(TrustReserve.redeem, (5 ether, address(attacker))), 0, true);
        attacker.exec(address(b), abi.encodeCall(TrustReserve.redeemDeep, (5 ether, address(attacker))));
        vm.assertEq(attacker.lastError(), abi.encodeWithSelector(TrustReserve.Reentrancy.selector));
        vm.assertEq(address(attacker).balance, 5 ether, "paid once");
        vm.assertEq(b.balanceOf(address(attacker)), 5 ether);
        vm.assertEq(a.balanceOf(address(b)), 15 ether);

        // Bubbling it: the base payout fails, and the whole unwinding reverts.
        attacker.arm(address(b), abi.encodeCall(TrustReserve.redeem, (5 ether, address(attacker))), 0, false);
        vm.expectRevert(TrustReserve.TransferFailed.selector);
        attacker.exec(address(b), abi.encodeCall(TrustReserve.redeemDeep, (5 ether, address(attacker))));
        vm.assertEq(address(attacker).balance, 5 ether);
        vm.assertEq(b.balanceOf(address(attacker)), 5 ether);
    }

    function _assertNativeUntouched(TrustReserve r) internal view {
        vm.assertEq(address(attacker).balance, 0, "attacker gained ETH");
        vm.assertEq(r.balanceOf(address(attacker)), 10 ether, "attacker's tokens burned");
        vm.assertEq(r.budgetOf(address(attacker)), 10 ether);
        vm.assertEq(r.totalSupply(), 10 ether, "supply changed");
        vm.assertEq(r.reserve(), 100 ether, "reserve changed");
        vm.assertEq(address(r).balance, 100 ether);
    }

    /*//////////////////////////////////////////////////////////////
               (b) ERC-20 ASSET WITH TRANSFER HOOKS (777/1363)
    //////////////////////////////////////////////////////////////*/

    function _hookReserve() internal returns (HookToken t, TrustReserve r) {
        t = new HookToken();
        vm.prank(ALICE);
        r = TrustReserve(factory.create(address(t), "Alice trust HOOK", "tALICE-HOOK"));
        t.mint(ALICE, 1000e6);
        vm.prank(ALICE);
        t.approve(address(r), 1000e6);
        vm.prank(ALICE);
        r.deposit(1000e6);
        vm.prank(ALICE);
        r.trust(address(attacker), 100e6);
        // The attacker asks the token to call it back on every transfer to or from it.
        attacker.exec(address(t), abi.encodeCall(HookToken.registerHooks, (true)));
    }

    /// tokensReceived re-enters redeem during the payout: the whole redeem reverts.
    function test_hook_reenterRedeem_reverts() public {
        (HookToken t, TrustReserve r) = _hookReserve();
        attacker.arm(address(r), abi.encodeCall(TrustReserve.redeem, (50e6, address(attacker))), 0, false);

        vm.expectRevert(TrustReserve.TransferFailed.selector);
        attacker.exec(address(r), abi.encodeCall(TrustReserve.redeem, (50e6, address(attacker))));

        _assertHookUntouched(t, r);
    }

    /// tokensReceived re-enters redeemDeep during redeemDeep's payout.
    function test_hook_reenterRedeemDeep_reverts() public {
        (HookToken t, TrustReserve r) = _hookReserve();
        attacker.arm(address(r), abi.encodeCall(TrustReserve.redeemDeep, (50e6, address(attacker))), 0, false);

        vm.expectRevert(TrustReserve.TransferFailed.selector);
        attacker.exec(address(r), abi.encodeCall(TrustReserve.redeemDeep, (50e6, address(attacker))));

        _assertHookUntouched(t, r);
    }

    /// Swallowed, the hook's re-entry is seen to fail with Reentrancy(), and the redeem pays once.
    function test_hook_reenterRedeem_swallowed_isReentrancy() public {
        (HookToken t, TrustReserve r) = _hookReserve();
        attacker.arm(address(r), abi.encodeCall(TrustReserve.redeem, (50e6, address(attacker))), 0, true);

        attacker.exec(address(r), abi.encodeCall(TrustReserve.redeem, (50e6, address(attacker))));

        vm.assertEq(attacker.reentries(), 1, "the hook ran");
        vm.assertEq(attacker.lastError(), abi.encodeWithSelector(TrustReserve.Reentrancy.selector));
        vm.assertEq(t.balanceOf(address(attacker)), 50e6, "paid once");
        vm.assertEq(r.balanceOf(address(attacker)), 50e6, "burned once");
        vm.assertEq(r.reserve(), 950e6);
    }

    /// tokensReceived re-enters deposit during the redeem payout (sending back what it just got).
    function test_hook_reenterDepositFromRedeem_reverts() public {
        (HookToken t, TrustReserve r) = _hookReserve();
        attacker.exec(address(t), abi.encodeCall(t.approve, (address(r), type(uint256).max)));
        attacker.arm(address(r), abi.encodeCall(TrustReserve.deposit, (50e6)), 0, false);

        vm.expectRevert(TrustReserve.TransferFailed.selector);
        attacker.exec(address(r), abi.encodeCall(TrustReserve.redeem, (50e6, address(attacker))));
        _assertHookUntouched(t, r);

        attacker.arm(address(r), abi.encodeCall(TrustReserve.deposit, (50e6)), 0, true);
        attacker.exec(address(r), abi.encodeCall(TrustReserve.redeem, (50e6, address(attacker))));
        vm.assertEq(attacker.lastError(), abi.encodeWithSelector(TrustReserve.Reentrancy.selector));
        vm.assertEq(t.balanceOf(address(attacker)), 50e6, "the deposit did not happen");
        vm.assertEq(r.reserve(), 950e6);
    }

    /// tokensToSend (the sender hook inside the reserve's transferFrom) re-enters redeem during a
    /// deposit: the pull fails and the deposit reverts with TransferFailed().
    function test_hook_reenterRedeemFromDeposit_reverts() public {
        (HookToken t, TrustReserve r) = _hookReserve();
        t.mint(address(attacker), 30e6);
        attacker.exec(address(t), abi.encodeCall(t.approve, (address(r), type(uint256).max)));
        attacker.arm(address(r), abi.encodeCall(TrustReserve.redeem, (50e6, address(attacker))), 0, false);

        vm.expectRevert(TrustReserve.TransferFailed.selector);
        attacker.exec(address(r), abi.encodeCall(TrustReserve.deposit, (30e6)));

        vm.assertEq(t.balanceOf(address(attacker)), 30e6);
        vm.assertEq(r.balanceOf(address(attacker)), 100e6);
        vm.assertEq(r.reserve(), 1000e6);

        // Swallowed: the deposit goes through, the redeem inside it does not.
        attacker.arm(address(r), abi.encodeCall(TrustReserve.redeem, (50e6, address(attacker))), 0, true);
        attacker.exec(address(r), abi.encodeCall(TrustReserve.deposit, (30e6)));
        vm.assertEq(attacker.lastError(), abi.encodeWithSelector(TrustReserve.Reentrancy.selector));
        vm.assertEq(t.balanceOf(address(attacker)), 0, "deposited");
        vm.assertEq(r.balanceOf(address(attacker)), 100e6, "no tokens burned");
        vm.assertEq(r.reserve(), 1030e6);
    }

    /// With the guard out of the way (no hook armed), the hook token works as a plain asset.
    function test_hook_unarmed_redeemWorks() public {
        (HookToken t, TrustReserve r) = _hookReserve();
        attacker.exec(address(r), abi.encodeCall(TrustReserve.redeem, (100e6, address(attacker))));
        vm.assertEq(t.balanceOf(address(attacker)), 100e6);
        vm.assertEq(r.reserve(), 900e6);
        vm.assertEq(r.totalSupply(), 0);
    }

    function _assertHookUntouched(HookToken t, TrustReserve r) internal view {
        vm.assertEq(t.balanceOf(address(attacker)), 0, "attacker gained the asset");
        vm.assertEq(r.balanceOf(address(attacker)), 100e6, "attacker's tokens burned");
        vm.assertEq(r.totalSupply(), 100e6, "supply changed");
        vm.assertEq(r.reserve(), 1000e6, "reserve changed");
        vm.assertEq(t.balanceOf(address(r)), 1000e6);
    }
}
