// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LibClone} from "solady/utils/LibClone.sol";
import {TrustReserve} from "./TrustReserve.sol";

/// @title TrustReserveFactory
/// @notice Deploys one TrustReserve per issuer and asset, as an EIP-1167 clone with the issuer
/// and asset as immutable args, at an address known before it exists.
contract TrustReserveFactory {
    /// @notice `issuer` created `reserve`, backed by `asset` (address(0) = native coin).
    event ReserveCreated(address indexed issuer, address indexed asset, address reserve);

    /// @notice The caller already has a reserve of this asset.
    error ReserveExists(address reserve);
    /// @notice The asset is neither the native coin (address(0)) nor a contract.
    error InvalidAsset(address asset);

    /// @notice The TrustReserve implementation every clone delegates to.
    address public immutable implementation;

    constructor() {
        implementation = address(new TrustReserve());
    }

    /// @notice Deploys the caller's reserve of `asset` with the token's `name` and `symbol`.
    /// @param asset address(0) for the native coin, else an ERC-20 (another reserve's token makes a layer).
    /// @return reserve The new reserve, at `predict(msg.sender, asset)`.
    function create(address asset, string calldata name, string calldata symbol) external returns (address reserve) {
        if (asset != address(0) && asset.code.length == 0) revert InvalidAsset(asset);
        bytes memory args = abi.encodePacked(msg.sender, asset);
        address predicted = LibClone.predictDeterministicAddress(implementation, args, keccak256(args), address(this));
        if (predicted.code.length != 0) revert ReserveExists(predicted);
        reserve = LibClone.cloneDeterministic(implementation, args, keccak256(args));
        TrustReserve(reserve).initialize(name, symbol);
        emit ReserveCreated(msg.sender, asset, reserve);
    }

    /// @notice The address `issuer`'s reserve of `asset` has, or will have once created.
    function predict(address issuer, address asset) public view returns (address) {
        bytes memory args = abi.encodePacked(issuer, asset);
        return LibClone.predictDeterministicAddress(implementation, args, keccak256(args), address(this));
    }

    /// @notice True when `a` is a reserve this factory created.
    function isReserve(address a) external view returns (bool) {
        if (a.code.length != 0x55) return false;
        bytes memory args = LibClone.argsOnClone(a);
        address issuer;
        address asset;
        assembly {
            issuer := shr(96, mload(add(args, 0x20)))
            asset := shr(96, mload(add(args, 0x34)))
        }
        return predict(issuer, asset) == a;
    }
}
