// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TrustReserveFactory} from "../src/TrustReserveFactory.sol";
import {TestUSD} from "../src/TestUSD.sol";

interface VmBroadcast {
    function startBroadcast() external;
    function stopBroadcast() external;
    function envOr(string calldata name, bool defaultValue) external view returns (bool);
}

/// @notice Deploys the factory (and, when DEPLOY_TEST_USD=true, the open-mint tUSD for test chains):
/// `forge script script/Deploy.s.sol --rpc-url $ETH_RPC_URL --broadcast --private-key …`.
/// Put the printed factory address in FACTORY_ADDRESS.
contract Deploy {
    VmBroadcast private constant vm = VmBroadcast(address(uint160(uint256(keccak256("hevm cheat code")))));

    /// @notice Deploys and returns the factory and, if asked for, tUSD (else address(0)).
    function run() external returns (TrustReserveFactory factory, TestUSD usd) {
        bool withTestUSD = vm.envOr("DEPLOY_TEST_USD", false);
        vm.startBroadcast();
        factory = new TrustReserveFactory();
        if (withTestUSD) usd = new TestUSD();
        vm.stopBroadcast();
    }
}
