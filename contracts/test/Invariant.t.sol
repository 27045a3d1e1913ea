// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "./lib/Test.sol";
import {TrustReserve} from "../src/TrustReserve.sol";
import {TestUSD} from "../src/TestUSD.sol";
import {ReserveHandler} from "./handlers/ReserveHandler.sol";

/// @notice Invariants of a native and a tUSD reserve of one issuer under random sequences of
/// deposits, withdrawals, trust, re-ups, revokes, redeems, transfers, approve + transferFrom,
/// donations and refused issuer actions by non-issuers (see ReserveHandler). Run with the
/// project's [invariant] settings: 256 runs x 100 calls, fail_on_revert = true.
/// @dev Forge spends most of an invariant campaign re-running the invariant function, so these
/// are asserted every 10 calls and after the last call of every run (check_interval = 10, set
/// inline for this contract only). Nothing is lost in between: the handler counts every
/// unauthorized mint, burn or budget change as it happens (sticky counters), checks each action's
/// exact effect, and asserts balances = supply and asset held = in - out after every call.
/// forge-config: default.invariant.check_interval = 10
contract InvariantTest is Test {
    uint256 constant N = 5;

    ReserveHandler handler;
    TestUSD usd;
    TrustReserve[2] reserves;

    function setUp() public {
        handler = new ReserveHandler();
        usd = handler.usd();
        reserves[0] = handler.nativeReserve();
        reserves[1] = handler.usdReserve();
        address[N] memory hs = handler.holders();
        for (uint256 i; i < N; ++i) {
            vm.assertEq(hs[i], _holder(i));
        }
        targetContract(address(handler));
        excludeSender(address(handler));
        excludeSender(address(reserves[0]));
        excludeSender(address(reserves[1]));
        excludeSender(address(usd));
        excludeSender(address(handler.factory()));
    }

    /// The balances of the four actors and the issuer add up to totalSupply (= outstanding): nobody else holds tokens.
    function invariant_supplyIsSumOfHolderBalances() public view {
        for (uint256 r; r < 2; ++r) {
            TrustReserve res = reserves[r];
            uint256 sum;
            for (uint256 i; i < N; ++i) {
                sum += res.balanceOf(_holder(i));
            }
            uint256 supply = res.totalSupply();
            vm.assertEq(sum, supply, "sum of balances != totalSupply");
            vm.assertEq(res.outstanding(), supply, "outstanding != totalSupply");
        }
    }

    /// No reserve ever pays out more of its asset than went into it (deposits and donations).
    function invariant_paidOutNeverExceedsDeposited() public view {
        for (uint256 r; r < 2; ++r) {
            (uint256 deposited, uint256 paidOut) = handler.flows(r);
            vm.assertLe(paidOut, deposited, "paid out more than deposited");
        }
    }

    /// reserve() is the contract's real balance of the asset, which is what went in minus what went out.
    function invariant_reserveIsRealAssetBalance() public view {
        vm.assertEq(reserves[0].reserve(), address(reserves[0]).balance, "native reserve() != balance");
        vm.assertEq(reserves[1].reserve(), usd.balanceOf(address(reserves[1])), "tUSD reserve() != balanceOf");
        for (uint256 r; r < 2; ++r) {
            (uint256 deposited, uint256 paidOut) = handler.flows(r);
            vm.assertEq(reserves[r].reserve(), deposited - paidOut, "reserve() != deposited - paid out");
        }
    }

    /// Every mint and burn seen in the balance deltas came from an issuer action (trust, reup,
    /// reupMany, revoke) or from the holder's own redeem; a non-issuer's attempt at an issuer
    /// action never went through and was refused with NotIssuer().
    function invariant_onlyIssuerMintsOrBurnsFromOthers() public view {
        vm.assertEq(handler.unauthorizedMintBurn(), 0, handler.lastViolation());
        vm.assertEq(handler.nonIssuerSucceeded(), 0, "a non-issuer performed an issuer action");
        vm.assertEq(
            handler.nonIssuerWrongError(),
            0,
            string.concat(
                "non-issuer refused with selector ",
                _hex(handler.nonIssuerLastError()),
                " instead of NotIssuer() ",
                _hex(TrustReserve.NotIssuer.selector)
            )
        );
    }

    /// A holder never gets more asset from redeems than the tokens minted or transferred to them;
    /// every redeemed token paid exactly one unit of the asset; and per holder, tokens received
    /// minus tokens that left (transferred out, redeemed, revoked) is their balanceOf.
    function invariant_redeemedNeverExceedsReceived() public view {
        for (uint256 r; r < 2; ++r) {
            (uint256[N] memory received, uint256[N] memory left) = handler.tokenFlows(r);
            (uint256[N] memory tokens, uint256[N] memory asset) = handler.redemptions(r);
            for (uint256 i; i < N; ++i) {
                vm.assertLe(asset[i], received[i], "redeemed more asset than tokens received");
                vm.assertEq(asset[i], tokens[i], "asset paid != tokens burned by redeem");
                vm.assertEq(received[i] - left[i], reserves[r].balanceOf(_holder(i)), "token flows != balance");
            }
        }
    }

    /// Budgets change only through trust (+amount) and revoke (-amount, saturating at 0).
    function invariant_budgetsOnlyChangeThroughTrustRevoke() public view {
        vm.assertEq(handler.budgetChangedOutsideTrustRevoke(), 0, "a budget changed outside trust/revoke");
        for (uint256 r; r < 2; ++r) {
            uint256[N] memory model = handler.modelBudgets(r);
            for (uint256 i; i < N; ++i) {
                vm.assertEq(reserves[r].budgetOf(_holder(i)), model[i], "budgetOf != sum(trust) - sum(revoke)");
            }
        }
    }

    /// @dev The handler's holders, as constants (cheaper than storage in every invariant call).
    function _holder(uint256 i) internal pure returns (address) {
        if (i == 0) return address(0xA11CE);
        if (i == 1) return address(0xB0B);
        if (i == 2) return address(0xCA201);
        if (i == 3) return address(0xDA7E);
        return address(0x1550E4); // the issuer
    }

    function _hex(bytes4 b) internal pure returns (string memory) {
        bytes memory out = new bytes(10);
        out[0] = "0";
        out[1] = "x";
        for (uint256 k; k < 4; ++k) {
            uint8 v = uint8(b[k]);
            out[2 + 2 * k] = bytes1(uint8(bytes("0123456789abcdef")[v >> 4]));
            out[3 + 2 * k] = bytes1(uint8(bytes("0123456789abcdef")[v & 15]));
        }
        return string(out);
    }
}
