// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "solady/tokens/ERC20.sol";

/// @title TestUSD
/// @notice tUSD: a 6-decimal test dollar with an open mint, for development chains only.
contract TestUSD is ERC20 {
    /// @notice "Test USD".
    function name() public pure override returns (string memory) {
        return "Test USD";
    }

    /// @notice "tUSD".
    function symbol() public pure override returns (string memory) {
        return "tUSD";
    }

    /// @notice 6, like USDC.
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Mints `amount` to `to`; open to anyone, which is why this token is for dev chains only.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
