// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test, Vm} from "./lib/Test.sol";
import {TrustReserve} from "../src/TrustReserve.sol";
import {TrustReserveFactory} from "../src/TrustReserveFactory.sol";
import {TestUSD} from "../src/TestUSD.sol";

/// @notice A port of OpenZeppelin's ERC-20 behaviour tests (test/token/ERC20/ERC20.behavior.js:
/// shouldBehaveLikeERC20, shouldBehaveLikeERC20Transfer, shouldBehaveLikeERC20Approve) to the trust
/// token of a TrustReserve clone. Tokens come from trust(); OZ's custom errors map to the reserve's:
/// ERC20InsufficientBalance -> InsufficientBalance(available, requested),
/// ERC20InsufficientAllowance -> InsufficientAllowance(available, requested),
/// ERC20InvalidReceiver / ERC20InvalidSpender -> ZeroAddress.
/// Budgets belong to the issuer's grant, not to the tokens: every test checks they never move.
contract ERC20BehaviourTest is Test {
    event Transfer(address indexed from, address indexed to, uint256 amount);
    event Approval(address indexed owner, address indexed spender, uint256 amount);

    address constant ISSUER = address(0x155E7);
    address constant INITIAL_HOLDER = address(0x1D1);
    address constant RECIPIENT = address(0x2EC1);
    address constant ANOTHER_ACCOUNT = address(0xA707);

    uint256 constant INITIAL_SUPPLY = 100e6;

    TrustReserveFactory factory;
    TestUSD usd;
    TrustReserve token;

    function setUp() public {
        factory = new TrustReserveFactory();
        usd = new TestUSD();
        vm.prank(ISSUER);
        token = TrustReserve(factory.create(address(usd), "My Token", "MTKN"));
        vm.prank(ISSUER);
        token.trust(INITIAL_HOLDER, INITIAL_SUPPLY);
    }

    /// Budgets are fixed by trust/revoke only: transfers and approvals never touch them.
    function _assertBudgetsUnchanged() internal view {
        vm.assertEq(token.budgetOf(INITIAL_HOLDER), INITIAL_SUPPLY, "holder budget");
        vm.assertEq(token.budgetOf(RECIPIENT), 0, "recipient budget");
        vm.assertEq(token.budgetOf(ANOTHER_ACCOUNT), 0, "spender budget");
    }

    function _countApprovals(Vm.Log[] memory logs) internal view returns (uint256 count) {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(token) && logs[i].topics[0] == Approval.selector) ++count;
        }
    }

    /*//////////////////////////////////////////////////////////////
                               METADATA
    //////////////////////////////////////////////////////////////*/

    function test_Metadata_NameSymbolDecimals() public view {
        vm.assertEq(token.name(), "My Token");
        vm.assertEq(token.symbol(), "MTKN");
        vm.assertEq(uint256(token.decimals()), 6);
    }

    /*//////////////////////////////////////////////////////////////
                              TOTAL SUPPLY
    //////////////////////////////////////////////////////////////*/

    function test_TotalSupply_ReturnsTheTotalTokenAmount() public view {
        vm.assertEq(token.totalSupply(), INITIAL_SUPPLY);
    }

    /*//////////////////////////////////////////////////////////////
                               BALANCE OF
    //////////////////////////////////////////////////////////////*/

    function test_BalanceOf_AccountWithNoTokensReturnsZero() public view {
        vm.assertEq(token.balanceOf(ANOTHER_ACCOUNT), 0);
    }

    function test_BalanceOf_AccountWithTokensReturnsTotalAmount() public view {
        vm.assertEq(token.balanceOf(INITIAL_HOLDER), INITIAL_SUPPLY);
    }

    /*//////////////////////////////////////////////////////////////
                                TRANSFER
    //////////////////////////////////////////////////////////////*/

    function test_Transfer_RevertWhen_SenderDoesNotHaveEnoughBalance() public {
        vm.expectRevert(
            abi.encodeWithSelector(TrustReserve.InsufficientBalance.selector, INITIAL_SUPPLY, INITIAL_SUPPLY + 1)
        );
        vm.prank(INITIAL_HOLDER);
        token.transfer(RECIPIENT, INITIAL_SUPPLY + 1);
    }

    function test_Transfer_RevertWhen_SenderHasNoTokens() public {
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientBalance.selector, 0, 1));
        vm.prank(ANOTHER_ACCOUNT);
        token.transfer(RECIPIENT, 1);
    }

    function test_Transfer_AllBalanceTransfersRequestedAmount() public {
        vm.prank(INITIAL_HOLDER);
        vm.assertTrue(token.transfer(RECIPIENT, INITIAL_SUPPLY));
        vm.assertEq(token.balanceOf(INITIAL_HOLDER), 0);
        vm.assertEq(token.balanceOf(RECIPIENT), INITIAL_SUPPLY);
        vm.assertEq(token.totalSupply(), INITIAL_SUPPLY);
        _assertBudgetsUnchanged();
    }

    function test_Transfer_AllBalanceEmitsTransfer() public {
        vm.expectEmit(address(token));
        emit Transfer(INITIAL_HOLDER, RECIPIENT, INITIAL_SUPPLY);
        vm.prank(INITIAL_HOLDER);
        token.transfer(RECIPIENT, INITIAL_SUPPLY);
    }

    function test_Transfer_PartialEmitsTransferWithExactArgs() public {
        vm.expectEmit(address(token));
        emit Transfer(INITIAL_HOLDER, RECIPIENT, 37);
        vm.prank(INITIAL_HOLDER);
        token.transfer(RECIPIENT, 37);
        vm.assertEq(token.balanceOf(INITIAL_HOLDER), INITIAL_SUPPLY - 37);
        vm.assertEq(token.balanceOf(RECIPIENT), 37);
        _assertBudgetsUnchanged();
    }

    function test_Transfer_ZeroTokensTransfersNothing() public {
        vm.prank(INITIAL_HOLDER);
        vm.assertTrue(token.transfer(RECIPIENT, 0));
        vm.assertEq(token.balanceOf(INITIAL_HOLDER), INITIAL_SUPPLY);
        vm.assertEq(token.balanceOf(RECIPIENT), 0);
        _assertBudgetsUnchanged();
    }

    function test_Transfer_ZeroTokensEmitsTransfer() public {
        vm.expectEmit(address(token));
        emit Transfer(INITIAL_HOLDER, RECIPIENT, 0);
        vm.prank(INITIAL_HOLDER);
        token.transfer(RECIPIENT, 0);
    }

    function test_Transfer_ToSelfKeepsBalance() public {
        vm.expectEmit(address(token));
        emit Transfer(INITIAL_HOLDER, INITIAL_HOLDER, 40);
        vm.prank(INITIAL_HOLDER);
        token.transfer(INITIAL_HOLDER, 40);
        vm.assertEq(token.balanceOf(INITIAL_HOLDER), INITIAL_SUPPLY);
        _assertBudgetsUnchanged();
    }

    function test_Transfer_RevertWhen_RecipientIsZeroAddress() public {
        vm.expectRevert(TrustReserve.ZeroAddress.selector);
        vm.prank(INITIAL_HOLDER);
        token.transfer(address(0), INITIAL_SUPPLY);
    }

    /*//////////////////////////////////////////////////////////////
                             TRANSFER FROM
    //////////////////////////////////////////////////////////////*/

    function _approve(uint256 amount) internal {
        vm.prank(INITIAL_HOLDER);
        token.approve(ANOTHER_ACCOUNT, amount);
    }

    // when the spender has enough allowance / when the token owner has enough balance

    function test_TransferFrom_EnoughAllowance_TransfersRequestedAmount() public {
        _approve(INITIAL_SUPPLY);
        vm.prank(ANOTHER_ACCOUNT);
        vm.assertTrue(token.transferFrom(INITIAL_HOLDER, RECIPIENT, INITIAL_SUPPLY));
        vm.assertEq(token.balanceOf(INITIAL_HOLDER), 0);
        vm.assertEq(token.balanceOf(RECIPIENT), INITIAL_SUPPLY);
        vm.assertEq(token.balanceOf(ANOTHER_ACCOUNT), 0);
        vm.assertEq(token.totalSupply(), INITIAL_SUPPLY);
        _assertBudgetsUnchanged();
    }

    function test_TransferFrom_EnoughAllowance_DecreasesSpenderAllowance() public {
        _approve(INITIAL_SUPPLY);
        vm.prank(ANOTHER_ACCOUNT);
        token.transferFrom(INITIAL_HOLDER, RECIPIENT, 30);
        vm.assertEq(token.allowance(INITIAL_HOLDER, ANOTHER_ACCOUNT), INITIAL_SUPPLY - 30);
        vm.prank(ANOTHER_ACCOUNT);
        token.transferFrom(INITIAL_HOLDER, RECIPIENT, INITIAL_SUPPLY - 30);
        vm.assertEq(token.allowance(INITIAL_HOLDER, ANOTHER_ACCOUNT), 0);
    }

    function test_TransferFrom_EnoughAllowance_EmitsTransfer() public {
        _approve(INITIAL_SUPPLY);
        vm.expectEmit(address(token));
        emit Transfer(INITIAL_HOLDER, RECIPIENT, INITIAL_SUPPLY);
        vm.prank(ANOTHER_ACCOUNT);
        token.transferFrom(INITIAL_HOLDER, RECIPIENT, INITIAL_SUPPLY);
    }

    function test_TransferFrom_EnoughAllowance_DoesNotEmitApproval() public {
        _approve(INITIAL_SUPPLY);
        vm.recordLogs();
        vm.prank(ANOTHER_ACCOUNT);
        token.transferFrom(INITIAL_HOLDER, RECIPIENT, INITIAL_SUPPLY);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        vm.assertEq(_countApprovals(logs), 0);
        vm.assertEq(logs.length, 1); // the Transfer only
    }

    function test_TransferFrom_ZeroAmountWithZeroAllowance() public {
        vm.expectEmit(address(token));
        emit Transfer(INITIAL_HOLDER, RECIPIENT, 0);
        vm.prank(ANOTHER_ACCOUNT);
        vm.assertTrue(token.transferFrom(INITIAL_HOLDER, RECIPIENT, 0));
        vm.assertEq(token.balanceOf(INITIAL_HOLDER), INITIAL_SUPPLY);
    }

    function test_TransferFrom_SpenderMayBeRecipient() public {
        _approve(50);
        vm.prank(ANOTHER_ACCOUNT);
        token.transferFrom(INITIAL_HOLDER, ANOTHER_ACCOUNT, 50);
        vm.assertEq(token.balanceOf(ANOTHER_ACCOUNT), 50);
        vm.assertEq(token.allowance(INITIAL_HOLDER, ANOTHER_ACCOUNT), 0);
        _assertBudgetsUnchanged();
    }

    // when the spender has enough allowance / when the token owner does not have enough balance

    function test_TransferFrom_EnoughAllowance_RevertWhen_OwnerDoesNotHaveEnoughBalance() public {
        _approve(INITIAL_SUPPLY);
        vm.prank(INITIAL_HOLDER);
        token.transfer(RECIPIENT, 1);
        vm.expectRevert(
            abi.encodeWithSelector(TrustReserve.InsufficientBalance.selector, INITIAL_SUPPLY - 1, INITIAL_SUPPLY)
        );
        vm.prank(ANOTHER_ACCOUNT);
        token.transferFrom(INITIAL_HOLDER, RECIPIENT, INITIAL_SUPPLY);
        // The reverted call left the allowance alone.
        vm.assertEq(token.allowance(INITIAL_HOLDER, ANOTHER_ACCOUNT), INITIAL_SUPPLY);
    }

    // when the spender does not have enough allowance

    function test_TransferFrom_RevertWhen_InsufficientAllowanceOwnerHasEnoughBalance() public {
        _approve(INITIAL_SUPPLY - 1);
        vm.expectRevert(
            abi.encodeWithSelector(TrustReserve.InsufficientAllowance.selector, INITIAL_SUPPLY - 1, INITIAL_SUPPLY)
        );
        vm.prank(ANOTHER_ACCOUNT);
        token.transferFrom(INITIAL_HOLDER, RECIPIENT, INITIAL_SUPPLY);
    }

    function test_TransferFrom_RevertWhen_InsufficientAllowanceOwnerDoesNotHaveEnoughBalance() public {
        _approve(INITIAL_SUPPLY - 1);
        vm.prank(INITIAL_HOLDER);
        token.transfer(RECIPIENT, 2);
        vm.expectRevert(
            abi.encodeWithSelector(TrustReserve.InsufficientAllowance.selector, INITIAL_SUPPLY - 1, INITIAL_SUPPLY)
        );
        vm.prank(ANOTHER_ACCOUNT);
        token.transferFrom(INITIAL_HOLDER, RECIPIENT, INITIAL_SUPPLY);
    }

    function test_TransferFrom_RevertWhen_NoAllowance() public {
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientAllowance.selector, 0, 1));
        vm.prank(ANOTHER_ACCOUNT);
        token.transferFrom(INITIAL_HOLDER, RECIPIENT, 1);
    }

    /// Trusting the spender does not let it move someone else's tokens.
    function test_TransferFrom_RevertWhen_IssuerHasNoAllowance() public {
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientAllowance.selector, 0, 1));
        vm.prank(ISSUER);
        token.transferFrom(INITIAL_HOLDER, ISSUER, 1);
    }

    // when the spender has unlimited allowance

    function test_TransferFrom_UnlimitedAllowance_DoesNotDecreaseAllowance() public {
        _approve(type(uint256).max);
        vm.prank(ANOTHER_ACCOUNT);
        token.transferFrom(INITIAL_HOLDER, RECIPIENT, 1);
        vm.assertEq(token.allowance(INITIAL_HOLDER, ANOTHER_ACCOUNT), type(uint256).max);
        vm.prank(ANOTHER_ACCOUNT);
        token.transferFrom(INITIAL_HOLDER, RECIPIENT, INITIAL_SUPPLY - 1);
        vm.assertEq(token.allowance(INITIAL_HOLDER, ANOTHER_ACCOUNT), type(uint256).max);
        vm.assertEq(token.balanceOf(RECIPIENT), INITIAL_SUPPLY);
        _assertBudgetsUnchanged();
    }

    function test_TransferFrom_UnlimitedAllowance_DoesNotEmitApproval() public {
        _approve(type(uint256).max);
        vm.recordLogs();
        vm.prank(ANOTHER_ACCOUNT);
        token.transferFrom(INITIAL_HOLDER, RECIPIENT, 1);
        vm.assertEq(_countApprovals(vm.getRecordedLogs()), 0);
    }

    /// max - 1 is a finite allowance and does decrease.
    function test_TransferFrom_AlmostUnlimitedAllowanceDecreases() public {
        _approve(type(uint256).max - 1);
        vm.prank(ANOTHER_ACCOUNT);
        token.transferFrom(INITIAL_HOLDER, RECIPIENT, 1);
        vm.assertEq(token.allowance(INITIAL_HOLDER, ANOTHER_ACCOUNT), type(uint256).max - 2);
    }

    // when the recipient is the zero address

    function test_TransferFrom_RevertWhen_RecipientIsZeroAddress() public {
        _approve(INITIAL_SUPPLY);
        vm.expectRevert(TrustReserve.ZeroAddress.selector);
        vm.prank(ANOTHER_ACCOUNT);
        token.transferFrom(INITIAL_HOLDER, address(0), INITIAL_SUPPLY);
        vm.assertEq(token.allowance(INITIAL_HOLDER, ANOTHER_ACCOUNT), INITIAL_SUPPLY);
        vm.assertEq(token.balanceOf(INITIAL_HOLDER), INITIAL_SUPPLY);
    }

    // when the token owner is the zero address: nobody can approve as address(0) and it holds nothing

    function test_TransferFrom_RevertWhen_OwnerIsZeroAddress() public {
        vm.expectRevert(TrustReserve.ZeroAddress.selector);
        vm.prank(RECIPIENT);
        token.transferFrom(address(0), RECIPIENT, 1);
        // A zero amount from the zero address would look like a mint: refused too.
        vm.expectRevert(TrustReserve.ZeroAddress.selector);
        vm.prank(RECIPIENT);
        token.transferFrom(address(0), RECIPIENT, 0);
    }

    /*//////////////////////////////////////////////////////////////
                                APPROVE
    //////////////////////////////////////////////////////////////*/

    // when the spender is not the zero address / when the sender has enough balance

    function test_Approve_EnoughBalance_EmitsApproval() public {
        vm.expectEmit(address(token));
        emit Approval(INITIAL_HOLDER, RECIPIENT, INITIAL_SUPPLY);
        vm.prank(INITIAL_HOLDER);
        vm.assertTrue(token.approve(RECIPIENT, INITIAL_SUPPLY));
    }

    function test_Approve_EnoughBalance_NoPriorAllowance_ApprovesRequestedAmount() public {
        vm.prank(INITIAL_HOLDER);
        token.approve(RECIPIENT, INITIAL_SUPPLY);
        vm.assertEq(token.allowance(INITIAL_HOLDER, RECIPIENT), INITIAL_SUPPLY);
        _assertBudgetsUnchanged();
    }

    function test_Approve_EnoughBalance_PriorAllowance_ReplacesIt() public {
        vm.prank(INITIAL_HOLDER);
        token.approve(RECIPIENT, 1);
        vm.prank(INITIAL_HOLDER);
        token.approve(RECIPIENT, INITIAL_SUPPLY);
        vm.assertEq(token.allowance(INITIAL_HOLDER, RECIPIENT), INITIAL_SUPPLY);
    }

    function test_Approve_ReplacesWithSmallerAndZero() public {
        vm.prank(INITIAL_HOLDER);
        token.approve(RECIPIENT, INITIAL_SUPPLY);
        vm.prank(INITIAL_HOLDER);
        token.approve(RECIPIENT, 5);
        vm.assertEq(token.allowance(INITIAL_HOLDER, RECIPIENT), 5);
        vm.expectEmit(address(token));
        emit Approval(INITIAL_HOLDER, RECIPIENT, 0);
        vm.prank(INITIAL_HOLDER);
        token.approve(RECIPIENT, 0);
        vm.assertEq(token.allowance(INITIAL_HOLDER, RECIPIENT), 0);
    }

    // when the sender does not have enough balance

    function test_Approve_MoreThanBalance_EmitsApproval() public {
        vm.expectEmit(address(token));
        emit Approval(INITIAL_HOLDER, RECIPIENT, INITIAL_SUPPLY + 1);
        vm.prank(INITIAL_HOLDER);
        token.approve(RECIPIENT, INITIAL_SUPPLY + 1);
    }

    function test_Approve_MoreThanBalance_NoPriorAllowance_ApprovesRequestedAmount() public {
        vm.prank(INITIAL_HOLDER);
        token.approve(RECIPIENT, INITIAL_SUPPLY + 1);
        vm.assertEq(token.allowance(INITIAL_HOLDER, RECIPIENT), INITIAL_SUPPLY + 1);
    }

    function test_Approve_MoreThanBalance_PriorAllowance_ReplacesIt() public {
        vm.prank(INITIAL_HOLDER);
        token.approve(RECIPIENT, 1);
        vm.prank(INITIAL_HOLDER);
        token.approve(RECIPIENT, INITIAL_SUPPLY + 1);
        vm.assertEq(token.allowance(INITIAL_HOLDER, RECIPIENT), INITIAL_SUPPLY + 1);
    }

    function test_Approve_AccountWithoutTokens() public {
        vm.expectEmit(address(token));
        emit Approval(ANOTHER_ACCOUNT, RECIPIENT, type(uint256).max);
        vm.prank(ANOTHER_ACCOUNT);
        token.approve(RECIPIENT, type(uint256).max);
        vm.assertEq(token.allowance(ANOTHER_ACCOUNT, RECIPIENT), type(uint256).max);
        vm.assertEq(token.allowance(RECIPIENT, ANOTHER_ACCOUNT), 0);
    }

    function test_Approve_RevertWhen_SpenderIsZeroAddress() public {
        vm.expectRevert(TrustReserve.ZeroAddress.selector);
        vm.prank(INITIAL_HOLDER);
        token.approve(address(0), INITIAL_SUPPLY);
    }

    /*//////////////////////////////////////////////////////////////
                  MINT AND BURN (trust / revoke; OZ _mint, _burn)
    //////////////////////////////////////////////////////////////*/

    function test_Mint_IncrementsTotalSupplyAndRecipientBalanceAndEmitsTransfer() public {
        vm.expectEmit(address(token));
        emit Transfer(address(0), RECIPIENT, 50);
        vm.prank(ISSUER);
        token.trust(RECIPIENT, 50);
        vm.assertEq(token.totalSupply(), INITIAL_SUPPLY + 50);
        vm.assertEq(token.balanceOf(RECIPIENT), 50);
    }

    function test_Mint_RevertWhen_AccountIsZeroAddress() public {
        vm.expectRevert(TrustReserve.ZeroAddress.selector);
        vm.prank(ISSUER);
        token.trust(address(0), 50);
    }

    function test_Burn_DecrementsTotalSupplyAndBalanceAndEmitsTransfer() public {
        vm.expectEmit(address(token));
        emit Transfer(INITIAL_HOLDER, address(0), 40);
        vm.prank(ISSUER);
        token.revoke(INITIAL_HOLDER, 40);
        vm.assertEq(token.totalSupply(), INITIAL_SUPPLY - 40);
        vm.assertEq(token.balanceOf(INITIAL_HOLDER), INITIAL_SUPPLY - 40);
    }

    function test_Burn_RevertWhen_AccountIsZeroAddress() public {
        vm.expectRevert(TrustReserve.ZeroAddress.selector);
        vm.prank(ISSUER);
        token.revoke(address(0), 1);
    }

    /// Redeeming burns the holder's own tokens: OZ's _burn by the holder.
    function test_Burn_ByRedeemDecrementsTotalSupply() public {
        usd.mint(address(token), INITIAL_SUPPLY);
        vm.expectEmit(address(token));
        emit Transfer(INITIAL_HOLDER, address(0), 25);
        vm.prank(INITIAL_HOLDER);
        token.redeem(25, INITIAL_HOLDER);
        vm.assertEq(token.totalSupply(), INITIAL_SUPPLY - 25);
        vm.assertEq(token.balanceOf(INITIAL_HOLDER), INITIAL_SUPPLY - 25);
        _assertBudgetsUnchanged();
    }
}
