// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "solady/tokens/ERC20.sol";

/// @notice The hooks HookToken calls on registered accounts.
interface ITokenHooks {
    function tokensToSend(address from, address to, uint256 amount) external;
    function tokensReceived(address from, address to, uint256 amount) external;
}

/// @notice A test ERC-20 with ERC-777/ERC-1363-style transfer hooks: an account that registered
/// itself is called back before it sends (tokensToSend) and after it receives (tokensReceived),
/// including inside transferFrom, so it can re-enter whoever moved the tokens.
contract HookToken is ERC20 {
    /// @notice Accounts that asked to be called back on their transfers.
    mapping(address => bool) public hooked;

    function name() public pure override returns (string memory) {
        return "Hook Token";
    }

    function symbol() public pure override returns (string memory) {
        return "HOOK";
    }

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Like an ERC-1820 registration: the caller asks for (or stops) callbacks.
    function registerHooks(bool on) external {
        hooked[msg.sender] = on;
    }

    function _beforeTokenTransfer(address from, address to, uint256 amount) internal override {
        if (from != address(0) && hooked[from]) ITokenHooks(from).tokensToSend(from, to, amount);
    }

    function _afterTokenTransfer(address from, address to, uint256 amount) internal override {
        if (to != address(0) && hooked[to]) ITokenHooks(to).tokensReceived(from, to, amount);
    }
}
