// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "./Test.sol";
import {TrustReserve} from "../../src/TrustReserve.sol";
import {TrustReserveFactory} from "../../src/TrustReserveFactory.sol";
import {TestUSD} from "../../src/TestUSD.sol";

/// @notice A factory, tUSD, and helpers that make funded reserves and layers on them.
abstract contract ReserveFixtures is Test {
    TrustReserveFactory factory;
    TestUSD usd;

    function _deployFactoryAndUSD() internal {
        factory = new TrustReserveFactory();
        usd = new TestUSD();
    }

    /// `issuer`'s reserve of `asset` (address(0) = native coin), holding `backing` (0: none).
    function _reserve(address issuer, address asset, uint256 backing) internal returns (TrustReserve r) {
        vm.prank(issuer);
        r = TrustReserve(factory.create(asset, "trust", "TRUST"));
        if (backing == 0) return r;
        if (asset == address(0)) {
            vm.deal(issuer, issuer.balance + backing);
            vm.prank(issuer);
            r.deposit{value: backing}(backing);
        } else {
            TestUSD(asset).mint(issuer, backing);
            vm.prank(issuer);
            TestUSD(asset).approve(address(r), backing);
            vm.prank(issuer);
            r.deposit(backing);
        }
    }

    /// `issuer` is trusted `backing` by `parent`'s issuer and puts it all into a reserve on parent's token.
    function _layer(TrustReserve parent, address issuer, uint256 backing) internal returns (TrustReserve r) {
        vm.prank(parent.issuer());
        parent.trust(issuer, backing);
        vm.prank(issuer);
        r = TrustReserve(factory.create(address(parent), "layer", "LAYER"));
        vm.prank(issuer);
        parent.approve(address(r), backing);
        vm.prank(issuer);
        r.deposit(backing);
    }
}
