// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "solady/tokens/ERC20.sol";
import {SafeTransferLib} from "solady/utils/SafeTransferLib.sol";

/// @notice A plain Solady ERC-20 with open mint and burn: the gas baseline for the trust token.
contract PlainERC20 is ERC20 {
    function name() public pure override returns (string memory) {
        return "Plain";
    }

    function symbol() public pure override returns (string memory) {
        return "PLN";
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function burn(address from, uint256 amount) external {
        _burn(from, amount);
    }
}

/// @notice PlainERC20 with the plainest redemption (Solady's burn, then SafeTransferLib's payout),
/// deployed as an EIP-1167 clone whose immutable arg is the ERC-20 asset: the like-for-like baseline
/// of a trust token's redeem.
contract PlainRedeemable is PlainERC20 {
    receive() external payable {}

    /// @notice Burns `amount` of the caller's tokens and pays `amount` of the native coin to `to`.
    function redeemNative(uint256 amount, address to) external {
        _burn(msg.sender, amount);
        SafeTransferLib.safeTransferETH(to, amount);
    }

    /// @notice Burns `amount` of the caller's tokens and pays `amount` of the clone's asset to `to`.
    function redeemERC20(uint256 amount, address to) external {
        _burn(msg.sender, amount);
        address a;
        assembly {
            extcodecopy(address(), 0x0c, 0x2d, 0x14)
            a := mload(0x00)
        }
        SafeTransferLib.safeTransfer(a, to, amount);
    }
}
