// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice An attacker contract that, once armed, re-enters a target with a chosen call when it is
/// paid: on receiving the native coin (receive) and from ERC-777/ERC-1363-style token hooks, both
/// on the receiving side (tokensReceived) and on the sending side (tokensToSend).
/// @dev In "bubble" mode a failed re-entry reverts the hook with the target's revert data, so the
/// outer payout fails; in "swallow" mode the failure is recorded (lastError) and the hook returns.
contract Reenterer {
    address public target;
    bytes public reentryData;
    uint256 public reentryValue;
    bool public swallow;
    bool public armed;

    /// @notice Re-entries attempted (only visible when the outer call did not revert).
    uint256 public reentries;
    /// @notice Whether a re-entry went through (it never should).
    bool public reentrySucceeded;
    /// @notice Revert data of the last swallowed re-entry.
    bytes public lastError;

    /// @notice On the next payout or hook, call `target_` with `data` and `value` once.
    function arm(address target_, bytes calldata data, uint256 value, bool swallow_) external {
        target = target_;
        reentryData = data;
        reentryValue = value;
        swallow = swallow_;
        armed = true;
    }

    /// @notice Makes a call as this contract, bubbling any revert data.
    function exec(address to, bytes calldata data) external payable returns (bytes memory ret) {
        bool ok;
        (ok, ret) = to.call{value: msg.value}(data);
        if (!ok) {
            assembly {
                revert(add(ret, 0x20), mload(ret))
            }
        }
    }

    /// @notice Selector of the last swallowed re-entry error (0 if none).
    function lastErrorSelector() external view returns (bytes4 sel) {
        bytes memory e = lastError;
        if (e.length >= 4) sel = bytes4(e);
    }

    receive() external payable {
        _hook();
    }

    /// @notice ERC-777 tokensReceived / ERC-1363 onTransferReceived style hook.
    function tokensReceived(address, address, uint256) external {
        _hook();
    }

    /// @notice ERC-777 tokensToSend style hook, called before the sender's balance moves.
    function tokensToSend(address, address, uint256) external {
        _hook();
    }

    function _hook() internal {
        if (!armed) return;
        armed = false;
        reentries++;
        (bool ok, bytes memory ret) = target.call{value: reentryValue}(reentryData);
        if (ok) {
            reentrySucceeded = true;
            return;
        }
        if (swallow) {
            lastError = ret;
            return;
        }
        assembly {
            revert(add(ret, 0x20), mload(ret))
        }
    }
}
