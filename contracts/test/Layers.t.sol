// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LibClone} from "solady/utils/LibClone.sol";
import {ReserveFixtures} from "./lib/Fixtures.sol";
import {TrustReserve} from "../src/TrustReserve.sol";
import {TrustReserveFactory} from "../src/TrustReserveFactory.sol";
import {TestUSD} from "../src/TestUSD.sol";

/// @notice Deploys a clone of a given implementation with the same immutable args a factory
/// would use, but from another deployer: same code, different (non-factory) address.
contract CloneDeployer {
    function clone(address implementation, address issuer, address asset) external returns (address) {
        bytes memory args = abi.encodePacked(issuer, asset);
        return LibClone.cloneDeterministic(implementation, args, keccak256(args));
    }
}

/// @notice Reserves backed by other reserves' tokens: tUSD <- Alice <- Bob <- Carol <- Dave.
/// Layer k's asset is layer k-1's token; each layer's issuer was trusted by the layer below and
/// deposited all of it (see Gas.t.sol's _layer). Eve holds tokens of every layer; Frank receives.
contract LayersTest is ReserveFixtures {
    address constant ALICE = address(0xA11CE);
    address constant BOB = address(0xB0B);
    address constant CAROL = address(0xCA201);
    address constant DAVE = address(0xDA7E);
    address constant EVE = address(0xE7E);
    address constant FRANK = address(0xF4A2C);

    function setUp() public {
        _deployFactoryAndUSD();
    }

    /// The four layers, Eve trusted 50 by every issuer.
    function _chain() internal returns (TrustReserve[4] memory L) {
        L[0] = _reserve(ALICE, address(usd), 300e6);
        L[1] = _layer(L[0], BOB, 200e6);
        L[2] = _layer(L[1], CAROL, 150e6);
        L[3] = _layer(L[2], DAVE, 120e6);
        address[4] memory issuers = [ALICE, BOB, CAROL, DAVE];
        for (uint256 k; k < 4; ++k) {
            vm.prank(issuers[k]);
            L[k].trust(EVE, 50e6);
        }
    }

    /*//////////////////////////////////////////////////////////////
                       redeemDeep THROUGH 0..3 LAYERS
    //////////////////////////////////////////////////////////////*/

    function test_chain_setup() public {
        TrustReserve[4] memory L = _chain();
        vm.assertEq(L[0].reserve(), 300e6, "Alice holds 300 tUSD");
        vm.assertEq(L[0].outstanding(), 250e6, "200 to Bob (in Bob's reserve) + 50 to Eve");
        vm.assertEq(L[1].reserve(), 200e6);
        vm.assertEq(L[1].outstanding(), 200e6, "150 to Carol (in Carol's reserve) + 50 to Eve");
        vm.assertEq(L[2].reserve(), 150e6);
        vm.assertEq(L[2].outstanding(), 170e6, "120 to Dave (in Dave's reserve) + 50 to Eve");
        vm.assertEq(L[3].reserve(), 120e6);
        vm.assertEq(L[3].outstanding(), 50e6);
        for (uint256 k = 1; k < 4; ++k) {
            vm.assertEq(L[k].asset(), address(L[k - 1]));
            vm.assertTrue(factory.isReserve(address(L[k])));
            vm.assertEq(L[k - 1].balanceOf(address(L[k])), L[k].reserve(), "reserve() = backing tokens held");
        }
        vm.assertEq(L[2].decimals(), 6, "decimals come from the base asset");
    }

    function test_redeemDeep_base() public {
        _redeemDeepAndCheck(_chain(), 0, 10e6);
    }

    function test_redeemDeep_oneLayer() public {
        _redeemDeepAndCheck(_chain(), 1, 10e6);
    }

    function test_redeemDeep_twoLayers() public {
        _redeemDeepAndCheck(_chain(), 2, 10e6);
    }

    function test_redeemDeep_threeLayers() public {
        _redeemDeepAndCheck(_chain(), 3, 10e6);
    }

    /// Everything Eve holds in the top layer, then again until Dave's reserve is empty.
    function test_redeemDeep_threeLayers_all() public {
        TrustReserve[4] memory L = _chain();
        _redeemDeepAndCheck(L, 3, 50e6);
        vm.prank(DAVE);
        L[3].trust(EVE, 70e6);
        _redeemDeepAndCheck(L, 3, 70e6);
        vm.assertEq(L[3].reserve(), 0, "Dave's backing fully unwound");
        vm.assertEq(usd.balanceOf(FRANK), 120e6);
    }

    function testFuzz_redeemDeep(uint256 depth, uint256 amount) public {
        TrustReserve[4] memory L = _chain();
        depth = bound(depth, 0, 3);
        amount = bound(amount, 1, 50e6);
        _redeemDeepAndCheck(L, depth, amount);
    }

    /// redeemDeep on layers atop a native reserve pays the native coin.
    function test_redeemDeep_nativeBase() public {
        TrustReserve a = _reserve(ALICE, address(0), 10 ether);
        TrustReserve b = _layer(a, BOB, 4 ether);
        TrustReserve c = _layer(b, CAROL, 3 ether);
        vm.prank(CAROL);
        c.trust(EVE, 2 ether);

        vm.prank(EVE);
        c.redeemDeep(1.5 ether, FRANK);

        vm.assertEq(FRANK.balance, 1.5 ether);
        vm.assertEq(a.reserve(), 8.5 ether);
        vm.assertEq(b.reserve(), 2.5 ether);
        vm.assertEq(c.reserve(), 1.5 ether);
        vm.assertEq(c.balanceOf(EVE), 0.5 ether);
        vm.assertEq(c.outstanding(), 0.5 ether, "Carol trusted Eve 2, 1.5 redeemed");
        vm.assertEq(b.outstanding(), 1.5 ether);
        vm.assertEq(a.outstanding(), 2.5 ether);
    }

    /// Eve redeems the top layer deeply for `amount`: every layer down to tUSD burns `amount` of
    /// the holder above it, its backing drops by `amount`, tUSD goes to Frank; nothing else moves.
    function _redeemDeepAndCheck(TrustReserve[4] memory L, uint256 top, uint256 amount) internal {
        uint256[4] memory supply;
        uint256[4] memory backing;
        uint256[4] memory eve;
        uint256[4] memory budget;
        for (uint256 k; k < 4; ++k) {
            supply[k] = L[k].outstanding();
            backing[k] = L[k].reserve();
            eve[k] = L[k].balanceOf(EVE);
            budget[k] = L[k].budgetOf(EVE);
        }
        uint256 frank = usd.balanceOf(FRANK);

        vm.prank(EVE);
        L[top].redeemDeep(amount, FRANK);

        vm.assertEq(usd.balanceOf(FRANK), frank + amount, "tUSD paid to `to`");
        vm.assertEq(usd.balanceOf(address(L[0])), backing[0] - amount, "base backing");
        vm.assertEq(L[top].balanceOf(EVE), eve[top] - amount, "Eve's top tokens burned");
        for (uint256 k; k < 4; ++k) {
            uint256 d = k <= top ? amount : 0;
            vm.assertEq(L[k].outstanding(), supply[k] - d, string.concat("outstanding of layer ", vm.toString(k)));
            vm.assertEq(L[k].totalSupply(), supply[k] - d);
            vm.assertEq(L[k].reserve(), backing[k] - d, string.concat("reserve() of layer ", vm.toString(k)));
            if (k != top) vm.assertEq(L[k].balanceOf(EVE), eve[k], "Eve's other tokens");
            vm.assertEq(L[k].budgetOf(EVE), budget[k], "budgets do not move");
            if (k > 0) vm.assertEq(L[k - 1].balanceOf(address(L[k])), L[k].reserve());
            vm.assertEq(L[k].balanceOf(FRANK), 0, "no intermediate tokens to `to`");
        }
    }

    /*//////////////////////////////////////////////////////////////
                        redeem (NOT DEEP) ON A LAYER
    //////////////////////////////////////////////////////////////*/

    /// Plain redeem on Carol's layer pays Bob-tokens, not tUSD; Frank can unwind them later.
    function test_redeem_onLayer_paysNextLayersToken() public {
        TrustReserve[4] memory L = _chain();
        vm.prank(EVE);
        L[2].redeem(10e6, FRANK);

        vm.assertEq(L[1].balanceOf(FRANK), 10e6, "Frank got Bob-tokens");
        vm.assertEq(usd.balanceOf(FRANK), 0, "no tUSD");
        vm.assertEq(L[2].balanceOf(EVE), 40e6);
        vm.assertEq(L[2].outstanding(), 160e6);
        vm.assertEq(L[2].reserve(), 140e6);
        vm.assertEq(L[1].outstanding(), 200e6, "Bob's supply did not change, it moved");
        vm.assertEq(L[1].reserve(), 200e6);
        vm.assertEq(L[0].outstanding(), 250e6);
        vm.assertEq(usd.balanceOf(address(L[0])), 300e6);

        vm.prank(FRANK);
        L[1].redeemDeep(10e6, FRANK);
        vm.assertEq(usd.balanceOf(FRANK), 10e6);
        vm.assertEq(L[1].outstanding(), 190e6);
        vm.assertEq(L[0].reserve(), 290e6);
    }

    /*//////////////////////////////////////////////////////////////
                            SHORT LAYERS
    //////////////////////////////////////////////////////////////*/

    /// Bob's reserve holds 8 Alice-tokens; Carol redeemDeep 10 of Bob's: InsufficientReserve(8, 10).
    function test_redeemDeep_shortMiddleLayer_revertsNamingIt() public {
        TrustReserve a = _reserve(ALICE, address(usd), 300e6);
        TrustReserve b = _layer(a, BOB, 8e6);
        vm.prank(BOB);
        b.trust(CAROL, 10e6);

        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientReserve.selector, 8e6, 10e6));
        vm.prank(CAROL);
        b.redeemDeep(10e6, CAROL);

        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientReserve.selector, 8e6, 10e6));
        vm.prank(CAROL);
        b.redeem(10e6, CAROL);

        vm.assertEq(b.balanceOf(CAROL), 10e6, "nothing burned");
        vm.assertEq(b.reserve(), 8e6);
        vm.assertEq(a.outstanding(), 8e6);

        // 8 goes through.
        vm.prank(CAROL);
        b.redeemDeep(8e6, CAROL);
        vm.assertEq(usd.balanceOf(CAROL), 8e6);
        vm.assertEq(b.reserve(), 0);
    }

    /// Two layers up, the error still names Bob's layer: InsufficientReserve(8, 10), not Carol's.
    function test_redeemDeep_shortMiddleLayer_fromAbove() public {
        TrustReserve a = _reserve(ALICE, address(usd), 300e6);
        TrustReserve b = _layer(a, BOB, 8e6);
        TrustReserve c = _layer(b, CAROL, 10e6);
        TrustReserve d = _layer(c, DAVE, 10e6);
        vm.prank(DAVE);
        d.trust(EVE, 10e6);

        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientReserve.selector, 8e6, 10e6));
        vm.prank(EVE);
        d.redeemDeep(10e6, EVE);

        vm.assertEq(d.balanceOf(EVE), 10e6, "the whole unwinding reverted");
        vm.assertEq(d.reserve(), 10e6);
        vm.assertEq(c.reserve(), 10e6);
        vm.assertEq(b.reserve(), 8e6);
        vm.assertEq(usd.balanceOf(EVE), 0);
    }

    /// A short top layer names itself: Dave's reserve holds 5 Carol-tokens, Eve asks 10.
    function test_redeemDeep_shortTopLayer() public {
        TrustReserve[4] memory L = _chain();
        vm.prank(DAVE);
        L[3].withdraw(115e6, DAVE); // Dave takes out all but 5 Carol-tokens
        vm.assertEq(L[3].reserve(), 5e6);

        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientReserve.selector, 5e6, 10e6));
        vm.prank(EVE);
        L[3].redeemDeep(10e6, EVE);
    }

    /// A short base names the base: Alice's reserve holds 5 tUSD.
    function test_redeemDeep_shortBase() public {
        TrustReserve[4] memory L = _chain();
        vm.prank(ALICE);
        L[0].withdraw(295e6, ALICE);

        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientReserve.selector, 5e6, 10e6));
        vm.prank(EVE);
        L[3].redeemDeep(10e6, EVE);
    }

    /*//////////////////////////////////////////////////////////////
                       REVOKING BACKING IN A LAYER
    //////////////////////////////////////////////////////////////*/

    /// Alice revokes the Alice-tokens sitting in Bob's reserve: they are burned there, Bob's
    /// reserve() drops, Bob's outstanding does not, so his coverage falls; redeemDeep through
    /// Bob's layer then fails with InsufficientReserve naming Bob's holdings.
    function test_revokeBackingInLayer_burnsThere_andDownstreamFails() public {
        TrustReserve[4] memory L = _chain();
        TrustReserve a = L[0];
        TrustReserve b = L[1];

        vm.prank(ALICE);
        uint256 burned = a.revoke(address(b), 195e6);

        vm.assertEq(burned, 195e6);
        vm.assertEq(a.balanceOf(address(b)), 5e6);
        vm.assertEq(b.reserve(), 5e6, "Bob's backing dropped");
        vm.assertEq(b.outstanding(), 200e6, "Bob's outstanding unchanged");
        vm.assertLt(b.reserve() * 100 / b.outstanding(), 100);
        vm.assertEq(a.outstanding(), 55e6, "250 - 195");
        vm.assertEq(a.reserve(), 300e6, "Alice's tUSD stays");
        vm.assertEq(a.budgetOf(address(b)), 0, "the reserve never had a budget; saturates at 0");
        vm.assertEq(a.budgetOf(BOB), 200e6, "Bob's own budget is untouched");

        // Downstream: Dave's and Carol's layers still hold their backing, Bob's does not.
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientReserve.selector, 5e6, 10e6));
        vm.prank(EVE);
        L[3].redeemDeep(10e6, EVE);
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientReserve.selector, 5e6, 10e6));
        vm.prank(EVE);
        L[2].redeemDeep(10e6, EVE);
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientReserve.selector, 5e6, 10e6));
        vm.prank(EVE);
        b.redeemDeep(10e6, EVE);

        // What is left still unwinds.
        vm.prank(EVE);
        L[3].redeemDeep(5e6, EVE);
        vm.assertEq(usd.balanceOf(EVE), 5e6);
        vm.assertEq(b.reserve(), 0);
    }

    /// Revoking Bob himself cuts his budget but cannot reach the backing: it sits in Bob's reserve.
    function test_revokeIssuerOfLayer_doesNotTouchBacking() public {
        TrustReserve[4] memory L = _chain();
        vm.prank(ALICE);
        uint256 burned = L[0].revoke(BOB, type(uint256).max);
        vm.assertEq(burned, 0, "Bob holds none himself");
        vm.assertEq(L[0].budgetOf(BOB), 0);
        vm.assertEq(L[1].reserve(), 200e6, "backing untouched");
        _redeemDeepAndCheck(L, 3, 10e6);
    }

    /*//////////////////////////////////////////////////////////////
                              LOOK-ALIKES
    //////////////////////////////////////////////////////////////*/

    /// A reserve of another factory is a plain ERC-20 to this factory's reserves: redeemDeep on a
    /// layer backed by it pays its tokens instead of unwinding.
    function test_redeemDeep_lookAlikeFromOtherFactory_doesNotUnwind() public {
        TrustReserveFactory other = new TrustReserveFactory();
        vm.prank(ALICE);
        TrustReserve a2 = TrustReserve(other.create(address(usd), "Alice elsewhere", "tALICE2"));
        usd.mint(ALICE, 100e6);
        vm.prank(ALICE);
        usd.approve(address(a2), 100e6);
        vm.prank(ALICE);
        a2.deposit(100e6);
        vm.assertEq(address(a2).code.length, 0x55, "same clone shape");
        vm.assertTrue(other.isReserve(address(a2)));
        vm.assertFalse(factory.isReserve(address(a2)));

        TrustReserve b = _layer(a2, BOB, 50e6); // Bob's layer, made by `factory`, on a2's token
        vm.prank(BOB);
        b.trust(EVE, 20e6);

        vm.prank(EVE);
        b.redeemDeep(10e6, FRANK);

        vm.assertEq(a2.balanceOf(FRANK), 10e6, "paid a2 tokens");
        vm.assertEq(usd.balanceOf(FRANK), 0, "did not unwind to tUSD");
        vm.assertEq(a2.outstanding(), 50e6, "nothing burned in a2");
        vm.assertEq(a2.reserve(), 100e6);
        vm.assertEq(b.reserve(), 40e6);
        vm.assertEq(b.balanceOf(EVE), 10e6);
    }

    /// The same implementation cloned with the same args by another deployer is not one of the
    /// factory's reserves either (wrong CREATE2 address), so it is not unwound.
    function test_redeemDeep_lookAlikeCloneOfSameImplementation_doesNotUnwind() public {
        CloneDeployer deployer = new CloneDeployer();
        TrustReserve fake = TrustReserve(deployer.clone(factory.implementation(), ALICE, address(usd)));
        vm.prank(ALICE);
        address real = factory.create(address(usd), "Alice trust tUSD", "tALICE");
        vm.assertEq(keccak256(address(fake).code), keccak256(real.code)); // byte-for-byte the same code
        vm.assertEq(fake.issuer(), ALICE);
        vm.assertEq(fake.asset(), address(usd));
        vm.assertFalse(factory.isReserve(address(fake)));
        vm.assertTrue(address(fake) != real);

        usd.mint(ALICE, 100e6);
        vm.prank(ALICE);
        usd.approve(address(fake), 100e6);
        vm.prank(ALICE);
        fake.deposit(100e6);

        TrustReserve b = _layer(fake, BOB, 50e6);
        vm.prank(BOB);
        b.trust(EVE, 20e6);
        vm.prank(EVE);
        b.redeemDeep(10e6, FRANK);

        vm.assertEq(fake.balanceOf(FRANK), 10e6, "paid the look-alike's tokens");
        vm.assertEq(usd.balanceOf(FRANK), 0, "did not unwind");
        vm.assertEq(fake.reserve(), 100e6);
    }

}
