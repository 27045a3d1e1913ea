// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice An ERC-20 without decimals() (optional in ERC-20): calling it reverts.
contract NoDecimalsToken {
    mapping(address => uint256) public balanceOf;

    function transfer(address to, uint256 amount) external returns (bool) {
        balanceOf[msg.sender] -= amount;
        balanceOf[to] += amount;
        return true;
    }
}

/// @notice A token whose decimals() reverts with a reason.
contract RevertingDecimalsToken {
    function decimals() external pure returns (uint8) {
        revert("no decimals");
    }
}

/// @notice A token whose decimals() returns a word that is no uint8.
contract WideDecimalsToken {
    function decimals() external pure returns (uint256) {
        return 256;
    }
}

/// @notice A token whose decimals() returns fewer than 32 bytes.
contract ShortDecimalsToken {
    fallback() external {
        assembly {
            mstore(0x00, shl(248, 6))
            return(0x00, 0x01)
        }
    }
}
