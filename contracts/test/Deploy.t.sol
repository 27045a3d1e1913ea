// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "./lib/Test.sol";
import {Deploy} from "../script/Deploy.s.sol";
import {TrustReserveFactory} from "../src/TrustReserveFactory.sol";
import {TestUSD} from "../src/TestUSD.sol";

contract DeployTest is Test {
    function test_Deploy_FactoryWorks() public {
        (TrustReserveFactory factory, TestUSD usd) = new Deploy().run();
        vm.assertEq(address(usd), address(0), "tUSD is only deployed when DEPLOY_TEST_USD=true");
        vm.assertTrue(factory.implementation().code.length > 0, "implementation deployed");
        address reserve = factory.create(address(0), "Native trust", "tNAT");
        vm.assertEq(reserve, factory.predict(address(this), address(0)));
        vm.assertTrue(factory.isReserve(reserve));
    }
}
