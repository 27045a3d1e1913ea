// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ReserveFixtures} from "./lib/Fixtures.sol";
import {PlainERC20, PlainRedeemable} from "./lib/PlainERC20.sol";
import {LibClone} from "solady/utils/LibClone.sol";
import {TrustReserve} from "../src/TrustReserve.sol";
import {TrustReserveFactory} from "../src/TrustReserveFactory.sol";
import {TestUSD} from "../src/TestUSD.sol";

/// @notice The gas figures of contracts/gas.sh. Run with `forge test --isolate` so that every
/// measured call is its own transaction: figures are full-transaction gas (21,000 base, calldata,
/// refunds subtracted), written to snapshots/gas.json. The coinbase is not address(0), as on a real
/// chain, so address(0) is a cold account like any other.
contract GasTest is ReserveFixtures {
    address constant ALICE = address(0xA11CE);
    address constant BOB = address(0xB0B);
    address constant CAROL = address(0xCA201);
    address constant DAVE = address(0xDA7E);

    PlainERC20 plain;
    /// The same Solady ERC-20 behind an EIP-1167 clone: what every trust-token call pays for the clone.
    PlainRedeemable plainClone;

    function setUp() public {
        vm.coinbase(address(0xC0FFEE));
        _deployFactoryAndUSD();
        plain = new PlainERC20();
        plainClone = PlainRedeemable(payable(LibClone.clone(address(new PlainRedeemable()), abi.encodePacked(address(usd)))));
        vm.deal(ALICE, 1000 ether);
        usd.mint(ALICE, 1_000_000e6);
    }

    /// The plain Solady ERC-20 that the trust token is compared with.
    function test_gas_baseline() public {
        plain.mint(CAROL, 100e6); // supply and a holder exist
        plain.mint(BOB, 100e6);
        plain.mint(DAVE, 100e6);
        vm.snapshotGasLastCall("gas", "baseline_mint_new");
        plain.mint(DAVE, 100e6);
        vm.snapshotGasLastCall("gas", "baseline_mint_existing");
        vm.prank(BOB);
        plain.transfer(CAROL, 40e6);
        vm.snapshotGasLastCall("gas", "baseline_transfer_existing");
        plain.burn(BOB, 60e6);
        vm.snapshotGasLastCall("gas", "baseline_burn_all");
    }

    /// The same figures through an EIP-1167 clone, and the plainest redemption through one.
    function test_gas_baseline_clone() public {
        plainClone.mint(CAROL, 100e6);
        plainClone.mint(BOB, 100e6);
        plainClone.mint(DAVE, 100e6);
        vm.snapshotGasLastCall("gas", "baseline_clone_mint_new");
        plainClone.mint(DAVE, 100e6);
        vm.snapshotGasLastCall("gas", "baseline_clone_mint_existing");
        vm.prank(BOB);
        plainClone.transfer(CAROL, 40e6);
        vm.snapshotGasLastCall("gas", "baseline_clone_transfer_existing");
        plainClone.burn(BOB, 60e6);
        vm.snapshotGasLastCall("gas", "baseline_clone_burn_all");

        usd.mint(address(plainClone), 300e6);
        vm.deal(address(plainClone), 10 ether);
        plainClone.mint(BOB, 100e6 + 5 ether);
        usd.mint(BOB, 1e6); // Bob already holds some of the asset, as in redeem_erc20_partial
        vm.prank(BOB, BOB);
        plainClone.redeemERC20(40e6, BOB);
        vm.snapshotGasLastCall("gas", "baseline_clone_redeem_erc20_partial");
        vm.prank(BOB, BOB);
        plainClone.redeemNative(1 ether, BOB);
        vm.snapshotGasLastCall("gas", "baseline_clone_redeem_native_partial");
    }

    function test_gas_create_and_deposit() public {
        vm.prank(ALICE);
        TrustReserve(factory.create(address(usd), "Alice trust tUSD", "tALICE"));
        vm.snapshotGasLastCall("gas", "create_reserve");
        TrustReserve r = TrustReserve(factory.predict(ALICE, address(usd)));
        vm.prank(ALICE);
        usd.approve(address(r), 300e6);
        vm.prank(ALICE);
        r.deposit(300e6);
        vm.snapshotGasLastCall("gas", "deposit_erc20");

        vm.prank(ALICE);
        TrustReserve n = TrustReserve(factory.create(address(0), "Alice trust ETH", "tALICE-ETH"));
        vm.prank(ALICE);
        n.deposit{value: 1 ether}(1 ether);
        vm.snapshotGasLastCall("gas", "deposit_native");
    }

    function test_gas_trust_reup_revoke() public {
        TrustReserve r = _reserve(ALICE, address(usd), 300e6);
        vm.prank(ALICE);
        r.trust(CAROL, 100e6); // supply exists
        vm.prank(ALICE);
        r.trust(BOB, 100e6);
        vm.snapshotGasLastCall("gas", "trust_new_holder");
        vm.prank(BOB);
        r.transfer(CAROL, 40e6);
        vm.prank(ALICE);
        r.reup(BOB, 40e6);
        vm.snapshotGasLastCall("gas", "reup_existing");
        vm.prank(ALICE);
        r.revoke(BOB, type(uint256).max);
        vm.snapshotGasLastCall("gas", "revoke_all");
    }

    function test_gas_redeem() public {
        TrustReserve r = _reserve(ALICE, address(usd), 300e6);
        vm.prank(ALICE);
        r.trust(BOB, 100e6);
        usd.mint(BOB, 1e6); // Bob already holds some of the asset
        vm.prank(BOB, BOB); // a holder redeems from their own wallet: sender = tx.origin
        r.redeem(40e6, BOB);
        vm.snapshotGasLastCall("gas", "redeem_erc20_partial");

        TrustReserve n = _reserve(ALICE, address(0), 10 ether);
        vm.prank(ALICE);
        n.trust(BOB, 5 ether);
        vm.prank(BOB, BOB);
        n.redeem(1 ether, BOB);
        vm.snapshotGasLastCall("gas", "redeem_native_partial");

        TrustReserve m = _reserve(CAROL, address(0), 10 ether);
        vm.prank(CAROL);
        m.trust(BOB, 5 ether);
        vm.prank(BOB, BOB);
        m.redeemDeep(1 ether, BOB);
        vm.snapshotGasLastCall("gas", "redeem_deep_native");
    }

    /// redeemDeep through 1, 2 and 3 layers: Alice (tUSD) <- Bob <- Carol <- Dave.
    function test_gas_redeem_deep() public {
        TrustReserve a = _reserve(ALICE, address(usd), 300e6);
        TrustReserve b = _layer(a, BOB, 200e6);
        TrustReserve c = _layer(b, CAROL, 150e6);
        TrustReserve d = _layer(c, DAVE, 120e6);
        address eve = address(0xE7E);
        usd.mint(eve, 1e6);
        vm.prank(ALICE);
        a.trust(eve, 50e6);
        vm.prank(BOB);
        b.trust(eve, 50e6);
        vm.prank(CAROL);
        c.trust(eve, 50e6);
        vm.prank(DAVE);
        d.trust(eve, 50e6);

        vm.prank(eve, eve);
        a.redeemDeep(10e6, eve);
        vm.snapshotGasLastCall("gas", "redeem_deep_0");
        vm.prank(eve, eve);
        b.redeemDeep(10e6, eve);
        vm.snapshotGasLastCall("gas", "redeem_deep_1");
        vm.prank(eve, eve);
        c.redeemDeep(10e6, eve);
        vm.snapshotGasLastCall("gas", "redeem_deep_2");
        vm.prank(eve, eve);
        d.redeemDeep(10e6, eve);
        vm.snapshotGasLastCall("gas", "redeem_deep_3");
    }
}
