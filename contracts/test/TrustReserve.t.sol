// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm} from "./lib/Test.sol";
import {ReserveFixtures} from "./lib/Fixtures.sol";
import {PlainERC20} from "./lib/PlainERC20.sol";
import {LibClone} from "solady/utils/LibClone.sol";
import {TrustReserve} from "../src/TrustReserve.sol";
import {TrustReserveFactory} from "../src/TrustReserveFactory.sol";
import {TestUSD} from "../src/TestUSD.sol";
import {FeeToken} from "./mocks/FeeToken.sol";
import {
    NoDecimalsToken,
    RevertingDecimalsToken,
    WideDecimalsToken,
    ShortDecimalsToken
} from "./mocks/OddDecimalsTokens.sol";

/// @notice An ERC-20 whose `transfer` returns false once `failTransfers` is set (pulls still work).
contract UnitFalseToken {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    bool public failTransfers;

    function decimals() external pure returns (uint8) {
        return 8;
    }

    function setFailTransfers(bool f) external {
        failTransfers = f;
    }

    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        if (failTransfers) return false;
        balanceOf[msg.sender] -= amount;
        balanceOf[to] += amount;
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        allowance[from][msg.sender] -= amount;
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
        return true;
    }
}

/// @notice A USDT-style ERC-20: transfer and transferFrom return nothing.
contract UnitNoReturnToken {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    function decimals() external pure returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
    }

    function approve(address spender, uint256 amount) external {
        allowance[msg.sender][spender] = amount;
    }

    function transfer(address to, uint256 amount) external {
        balanceOf[msg.sender] -= amount;
        balanceOf[to] += amount;
    }

    function transferFrom(address from, address to, uint256 amount) external {
        allowance[from][msg.sender] -= amount;
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
    }
}

/// @notice Unit tests: every external function of TrustReserve and TrustReserveFactory and every revert path.
contract TrustReserveTest is ReserveFixtures {
    event Transfer(address indexed from, address indexed to, uint256 amount);
    event Approval(address indexed owner, address indexed spender, uint256 amount);
    event Deposited(address indexed from, uint256 amount);
    event Withdrawn(address indexed to, uint256 amount);
    event Trusted(address indexed holder, uint256 amount);
    event Revoked(uint256 amount);
    event ReserveCreated(address indexed issuer, address indexed asset, address reserve);

    address constant ALICE = address(0xA11CE);
    address constant BOB = address(0xB0B);
    address constant CAROL = address(0xCA201);
    address constant DAVE = address(0xDA7E);
    address constant EVE = address(0xE7E);

    uint256 constant MAX128 = type(uint128).max;

    /// Alice's tUSD reserve, 300 tUSD of backing.
    TrustReserve r;
    /// Alice's native reserve, 10 ether of backing.
    TrustReserve n;

    function setUp() public {
        _deployFactoryAndUSD();
        r = _reserve(ALICE, address(usd), 300e6);
        n = _reserve(ALICE, address(0), 10 ether);
    }

    /*//////////////////////////////////////////////////////////////
                                 HELPERS
    //////////////////////////////////////////////////////////////*/

    function _trust(TrustReserve res, address holder, uint256 amount) internal {
        vm.prank(res.issuer());
        res.trust(holder, amount);
    }

    function _transfer(TrustReserve res, address from, address to, uint256 amount) internal {
        vm.prank(from);
        res.transfer(to, amount);
    }

    function _assertAccount(TrustReserve res, address holder, uint256 balance, uint256 budget) internal view {
        vm.assertEq(res.balanceOf(holder), balance, "balance");
        vm.assertEq(res.budgetOf(holder), budget, "budget");
    }

    function _one(address a) internal pure returns (address[] memory xs) {
        xs = new address[](1);
        xs[0] = a;
    }

    /*//////////////////////////////////////////////////////////////
                               INITIALIZE
    //////////////////////////////////////////////////////////////*/

    function test_Initialize_SetsNameAndSymbol() public {
        vm.prank(BOB);
        TrustReserve b = TrustReserve(factory.create(address(usd), "Bob trust tUSD", "tBOB"));
        vm.assertEq(b.name(), "Bob trust tUSD");
        vm.assertEq(b.symbol(), "tBOB");
    }

    function test_RevertWhen_InitializeCalledByNonFactory() public {
        vm.expectRevert(TrustReserve.NotFactory.selector);
        vm.prank(ALICE); // not even the issuer may rename the token
        r.initialize("x", "X");
    }

    function test_RevertWhen_InitializeCalledTwice() public {
        vm.expectRevert(TrustReserve.AlreadyInitialized.selector);
        vm.prank(address(factory));
        r.initialize("x", "X");
        vm.assertEq(r.symbol(), "TRUST");
    }

    function test_RevertWhen_InitializeImplementationByNonFactory() public {
        TrustReserve impl = TrustReserve(factory.implementation());
        vm.expectRevert(TrustReserve.NotFactory.selector);
        impl.initialize("x", "X");
    }

    /*//////////////////////////////////////////////////////////////
                        IMMUTABLE ARGS AND METADATA
    //////////////////////////////////////////////////////////////*/

    function test_Issuer_IsCreator() public view {
        vm.assertEq(r.issuer(), ALICE);
        vm.assertEq(n.issuer(), ALICE);
    }

    function test_Asset_IsCreatedAsset() public view {
        vm.assertEq(r.asset(), address(usd));
        vm.assertEq(n.asset(), address(0));
    }

    function test_Asset_LayerIsParentReserve() public {
        TrustReserve b = _layer(r, BOB, 100e6);
        vm.assertEq(b.asset(), address(r));
        vm.assertEq(b.issuer(), BOB);
    }

    function test_Factory_IsCreatingFactory() public view {
        vm.assertEq(r.factory(), address(factory));
        vm.assertEq(n.factory(), address(factory));
        vm.assertEq(TrustReserve(factory.implementation()).factory(), address(factory));
    }

    function test_NameAndSymbol_FromCreate() public view {
        vm.assertEq(r.name(), "trust");
        vm.assertEq(r.symbol(), "TRUST");
    }

    function test_Decimals_Native18() public view {
        vm.assertEq(uint256(n.decimals()), 18);
    }

    function test_Decimals_TestUSD6() public view {
        vm.assertEq(uint256(usd.decimals()), 6);
        vm.assertEq(uint256(r.decimals()), 6);
    }

    function test_Decimals_OtherERC20() public {
        UnitFalseToken t = new UnitFalseToken();
        PlainERC20 p = new PlainERC20();
        vm.prank(BOB);
        TrustReserve bt = TrustReserve(factory.create(address(t), "t", "T"));
        vm.prank(BOB);
        TrustReserve bp = TrustReserve(factory.create(address(p), "p", "P"));
        vm.assertEq(uint256(bt.decimals()), 8);
        vm.assertEq(uint256(bp.decimals()), 18);
    }

    function test_Decimals_LayeredReserveUsesAssetDecimals() public {
        TrustReserve b = _layer(r, BOB, 100e6);
        TrustReserve c = _layer(b, CAROL, 50e6);
        vm.assertEq(uint256(b.decimals()), 6);
        vm.assertEq(uint256(c.decimals()), 6);
        TrustReserve bn = _layer(n, BOB, 1 ether);
        vm.assertEq(uint256(bn.decimals()), 18);
    }

    /// An asset without a usable decimals() gives the trust token OpenZeppelin's default, 18.
    function test_Decimals_FallBackTo18() public {
        address[4] memory assets = [
            address(new NoDecimalsToken()),
            address(new RevertingDecimalsToken()),
            address(new WideDecimalsToken()),
            address(new ShortDecimalsToken())
        ];
        for (uint256 i; i < assets.length; ++i) {
            vm.prank(BOB);
            TrustReserve b = TrustReserve(factory.create(assets[i], "odd", "ODD"));
            vm.assertEq(uint256(b.decimals()), 18, "decimals of a reserve on an asset without decimals()");
            TrustReserve c = _layer(b, CAROL, 1);
            vm.assertEq(uint256(c.decimals()), 18, "decimals of a layer on it");
        }
    }

    /*//////////////////////////////////////////////////////////////
                                 DEPOSIT
    //////////////////////////////////////////////////////////////*/

    /// A fee-on-transfer asset: Deposited records what arrived, and a redemption of every token
    /// deposited-and-trusted leaves the reserve's books even (the token's fee comes out of the payout).
    function test_Deposit_FeeOnTransferRecordsWhatArrived() public {
        FeeToken t = new FeeToken();
        vm.prank(BOB);
        TrustReserve b = TrustReserve(factory.create(address(t), "fee", "FEE"));
        t.mint(BOB, 1000e6);
        vm.prank(BOB);
        t.approve(address(b), 1000e6);
        vm.recordLogs();
        vm.prank(BOB);
        b.deposit(1000e6);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        Vm.Log memory last = logs[logs.length - 1];
        vm.assertEq(last.emitter, address(b));
        vm.assertEq(last.topics[0], keccak256("Deposited(address,uint256)"));
        vm.assertEq(abi.decode(last.data, (uint256)), 990e6, "Deposited amount");
        vm.assertEq(b.reserve(), 990e6);

        vm.prank(BOB);
        b.trust(CAROL, 990e6);
        vm.prank(CAROL);
        b.redeem(990e6, CAROL);
        vm.assertEq(b.reserve(), 0);
        vm.assertEq(b.outstanding(), 0);
        vm.assertEq(t.balanceOf(CAROL), 990e6 - t.feeOf(990e6));
    }


    function test_Deposit_Native() public {
        vm.deal(BOB, 3 ether);
        vm.expectEmit(address(n));
        emit Deposited(BOB, 2 ether);
        vm.prank(BOB); // anyone may add backing
        n.deposit{value: 2 ether}(2 ether);
        vm.assertEq(n.reserve(), 12 ether);
        vm.assertEq(address(n).balance, 12 ether);
        vm.assertEq(BOB.balance, 1 ether);
        vm.assertEq(n.outstanding(), 0);
    }

    function test_Deposit_ERC20() public {
        usd.mint(BOB, 50e6);
        vm.prank(BOB);
        usd.approve(address(r), 50e6);
        vm.expectEmit(address(r));
        emit Deposited(BOB, 20e6);
        vm.prank(BOB);
        r.deposit(20e6);
        vm.assertEq(r.reserve(), 320e6);
        vm.assertEq(usd.balanceOf(address(r)), 320e6);
        vm.assertEq(usd.balanceOf(BOB), 30e6);
        vm.assertEq(usd.allowance(BOB, address(r)), 30e6);
    }

    function test_Deposit_NoReturnDataToken() public {
        UnitNoReturnToken t = new UnitNoReturnToken();
        vm.prank(BOB);
        TrustReserve b = TrustReserve(factory.create(address(t), "t", "T"));
        t.mint(BOB, 100);
        vm.prank(BOB);
        t.approve(address(b), 100);
        vm.prank(BOB);
        b.deposit(100);
        vm.assertEq(b.reserve(), 100);
        vm.prank(BOB);
        b.withdraw(40, CAROL);
        vm.assertEq(b.reserve(), 60);
        vm.assertEq(t.balanceOf(CAROL), 40);
    }

    function test_RevertWhen_DepositNativeValueBelowAmount() public {
        vm.deal(BOB, 5 ether);
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.WrongValue.selector, 1 ether, 2 ether));
        vm.prank(BOB);
        n.deposit{value: 1 ether}(2 ether);
        vm.assertEq(n.reserve(), 10 ether);
    }

    function test_RevertWhen_DepositNativeValueAboveAmount() public {
        vm.deal(BOB, 5 ether);
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.WrongValue.selector, 3 ether, 2 ether));
        vm.prank(BOB);
        n.deposit{value: 3 ether}(2 ether);
        vm.assertEq(n.reserve(), 10 ether);
    }

    function test_RevertWhen_DepositNativeZeroAmount() public {
        vm.expectRevert(TrustReserve.ZeroAmount.selector);
        vm.prank(ALICE);
        n.deposit(0);
    }

    function test_RevertWhen_DepositERC20ZeroAmount() public {
        vm.expectRevert(TrustReserve.ZeroAmount.selector);
        vm.prank(ALICE);
        r.deposit(0);
    }

    function test_RevertWhen_DepositERC20WithValue() public {
        usd.mint(BOB, 10e6);
        vm.prank(BOB);
        usd.approve(address(r), 10e6);
        vm.deal(BOB, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.WrongValue.selector, 1, 0));
        vm.prank(BOB);
        r.deposit{value: 1}(10e6);
        vm.assertEq(r.reserve(), 300e6);
    }

    function test_RevertWhen_DepositERC20WithoutApproval() public {
        usd.mint(BOB, 10e6);
        vm.expectRevert(TrustReserve.TransferFailed.selector);
        vm.prank(BOB);
        r.deposit(10e6);
    }

    function test_RevertWhen_DepositERC20BeyondBalance() public {
        usd.mint(BOB, 10e6);
        vm.prank(BOB);
        usd.approve(address(r), 20e6);
        vm.expectRevert(TrustReserve.TransferFailed.selector);
        vm.prank(BOB);
        r.deposit(20e6);
    }

    /*//////////////////////////////////////////////////////////////
                                WITHDRAW
    //////////////////////////////////////////////////////////////*/

    function test_Withdraw_Native() public {
        vm.expectEmit(address(n));
        emit Withdrawn(CAROL, 4 ether);
        vm.prank(ALICE);
        n.withdraw(4 ether, CAROL);
        vm.assertEq(n.reserve(), 6 ether);
        vm.assertEq(CAROL.balance, 4 ether);
    }

    function test_Withdraw_ERC20() public {
        vm.expectEmit(address(r));
        emit Withdrawn(ALICE, 100e6);
        vm.prank(ALICE);
        r.withdraw(100e6, ALICE);
        vm.assertEq(r.reserve(), 200e6);
        vm.assertEq(usd.balanceOf(ALICE), 100e6);
    }

    function test_Withdraw_AllBacking() public {
        vm.prank(ALICE);
        r.withdraw(300e6, BOB);
        vm.prank(ALICE);
        n.withdraw(10 ether, BOB);
        vm.assertEq(r.reserve(), 0);
        vm.assertEq(n.reserve(), 0);
        vm.assertEq(usd.balanceOf(BOB), 300e6);
        vm.assertEq(BOB.balance, 10 ether);
    }

    /// The issuer may take backing out below what is outstanding: the reserve becomes fractional.
    function test_Withdraw_BelowOutstandingMakesReserveFractional() public {
        _trust(r, BOB, 200e6);
        vm.prank(ALICE);
        r.withdraw(150e6, ALICE);
        vm.assertEq(r.reserve(), 150e6);
        vm.assertEq(r.outstanding(), 200e6);
    }

    function test_RevertWhen_WithdrawNotIssuer() public {
        vm.expectRevert(TrustReserve.NotIssuer.selector);
        vm.prank(BOB);
        r.withdraw(1e6, BOB);
        vm.expectRevert(TrustReserve.NotIssuer.selector);
        vm.prank(address(factory));
        n.withdraw(1 ether, BOB);
    }

    function test_RevertWhen_WithdrawZeroAmount() public {
        vm.expectRevert(TrustReserve.ZeroAmount.selector);
        vm.prank(ALICE);
        r.withdraw(0, ALICE);
    }

    function test_RevertWhen_WithdrawToZeroAddress() public {
        vm.expectRevert(TrustReserve.ZeroAddress.selector);
        vm.prank(ALICE);
        n.withdraw(1 ether, address(0));
    }

    function test_RevertWhen_WithdrawNativeExceedsReserve() public {
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientReserve.selector, 10 ether, 10 ether + 1));
        vm.prank(ALICE);
        n.withdraw(10 ether + 1, ALICE);
    }

    function test_RevertWhen_WithdrawERC20ExceedsReserve() public {
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientReserve.selector, 300e6, 301e6));
        vm.prank(ALICE);
        r.withdraw(301e6, ALICE);
    }

    function test_RevertWhen_WithdrawNativeToRejectingContract() public {
        vm.expectRevert(TrustReserve.TransferFailed.selector);
        vm.prank(ALICE);
        n.withdraw(1 ether, address(usd)); // TestUSD has no receive()
    }

    function test_RevertWhen_WithdrawERC20TransferReturnsFalse() public {
        UnitFalseToken t = new UnitFalseToken();
        vm.prank(ALICE);
        TrustReserve f = TrustReserve(factory.create(address(t), "f", "F"));
        t.mint(ALICE, 100);
        vm.prank(ALICE);
        t.approve(address(f), 100);
        vm.prank(ALICE);
        f.deposit(100);
        t.setFailTransfers(true);
        vm.expectRevert(TrustReserve.TransferFailed.selector);
        vm.prank(ALICE);
        f.withdraw(50, ALICE);
        // Asking for more than is held names the shortfall instead.
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientReserve.selector, 100, 101));
        vm.prank(ALICE);
        f.withdraw(101, ALICE);
    }

    /*//////////////////////////////////////////////////////////////
                                  TRUST
    //////////////////////////////////////////////////////////////*/

    function test_Trust_MintsAndSetsBudget() public {
        vm.expectEmit(address(r));
        emit Transfer(address(0), BOB, 100e6);
        vm.expectEmit(address(r));
        emit Trusted(BOB, 100e6);
        vm.prank(ALICE);
        r.trust(BOB, 100e6);
        _assertAccount(r, BOB, 100e6, 100e6);
        vm.assertEq(r.totalSupply(), 100e6);
        vm.assertEq(r.outstanding(), 100e6);
        vm.assertEq(r.reserve(), 300e6);
    }

    function test_Trust_AddsToExistingBudget() public {
        _trust(r, BOB, 100e6);
        _transfer(r, BOB, CAROL, 30e6);
        _trust(r, BOB, 50e6);
        _assertAccount(r, BOB, 120e6, 150e6);
        _assertAccount(r, CAROL, 30e6, 0);
        vm.assertEq(r.outstanding(), 150e6);
    }

    function test_Trust_BeyondBackingIsAllowed() public {
        _trust(n, BOB, 25 ether);
        vm.assertEq(n.outstanding(), 25 ether);
        vm.assertEq(n.reserve(), 10 ether);
    }

    function test_Trust_UpToUint128Max() public {
        _trust(r, BOB, MAX128 - 1);
        _trust(r, CAROL, 1);
        _assertAccount(r, BOB, MAX128 - 1, MAX128 - 1);
        vm.assertEq(r.totalSupply(), MAX128);
    }

    function test_RevertWhen_TrustNotIssuer() public {
        vm.expectRevert(TrustReserve.NotIssuer.selector);
        vm.prank(BOB);
        r.trust(BOB, 1);
    }

    function test_RevertWhen_TrustZeroAddress() public {
        vm.expectRevert(TrustReserve.ZeroAddress.selector);
        vm.prank(ALICE);
        r.trust(address(0), 1);
    }

    function test_RevertWhen_TrustZeroAmount() public {
        vm.expectRevert(TrustReserve.ZeroAmount.selector);
        vm.prank(ALICE);
        r.trust(BOB, 0);
    }

    function test_RevertWhen_TrustAmountAboveUint128() public {
        vm.expectRevert(TrustReserve.Overflow.selector);
        vm.prank(ALICE);
        r.trust(BOB, MAX128 + 1);
    }

    /// The budget alone overflows: Bob's budget is at the cap while the supply is back at 0.
    function test_RevertWhen_TrustBudgetOverflowsUint128() public {
        _trust(r, BOB, MAX128);
        _transfer(r, BOB, CAROL, MAX128);
        vm.prank(ALICE);
        r.revoke(CAROL, type(uint256).max); // burns Carol's tokens; Bob's budget stays
        vm.assertEq(r.totalSupply(), 0);
        _assertAccount(r, BOB, 0, MAX128);
        vm.expectRevert(TrustReserve.Overflow.selector);
        vm.prank(ALICE);
        r.trust(BOB, 1);
        _assertAccount(r, BOB, 0, MAX128);
    }

    /// The supply alone overflows: Carol's budget is 0, the supply is at the cap.
    function test_RevertWhen_TrustSupplyOverflowsUint128() public {
        _trust(r, BOB, MAX128);
        vm.expectRevert(TrustReserve.Overflow.selector);
        vm.prank(ALICE);
        r.trust(CAROL, 1);
        _assertAccount(r, CAROL, 0, 0);
        vm.assertEq(r.totalSupply(), MAX128);
    }

    /// An amount near 2**256 must not wrap the budget and supply sums past the cap check.
    function test_RevertWhen_TrustAmountWrapsUint256() public {
        _trust(r, BOB, 100);
        vm.expectRevert(TrustReserve.Overflow.selector);
        vm.prank(ALICE);
        r.trust(BOB, type(uint256).max);
        _assertAccount(r, BOB, 100, 100);
        vm.assertEq(r.totalSupply(), 100);
    }

    /*//////////////////////////////////////////////////////////////
                                  REUP
    //////////////////////////////////////////////////////////////*/

    function test_Reup_MintsSpentBudget() public {
        _trust(r, BOB, 100e6);
        vm.prank(BOB);
        r.redeem(40e6, BOB);
        _assertAccount(r, BOB, 60e6, 100e6);

        vm.recordLogs();
        vm.prank(ALICE);
        uint256 minted = r.reup(BOB, type(uint256).max);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        vm.assertEq(minted, 40e6);
        _assertAccount(r, BOB, 100e6, 100e6);
        vm.assertEq(r.outstanding(), 100e6);
        // A re-up is a mint without a Trusted after it.
        vm.assertEq(logs.length, 1);
        vm.assertEq(logs[0].emitter, address(r));
        vm.assertEq(logs[0].topics[0], Transfer.selector);
        vm.assertEq(logs[0].topics[1], bytes32(0));
        vm.assertEq(logs[0].topics[2], bytes32(uint256(uint160(BOB))));
        vm.assertEq(abi.decode(logs[0].data, (uint256)), 40e6);
    }

    function test_Reup_EmitsMintTransfer() public {
        _trust(r, BOB, 100e6);
        _transfer(r, BOB, CAROL, 70e6);
        vm.expectEmit(address(r));
        emit Transfer(address(0), BOB, 70e6);
        vm.prank(ALICE);
        r.reup(BOB, 70e6);
    }

    function test_Reup_CappedByMaxMint() public {
        _trust(r, BOB, 100e6);
        _transfer(r, BOB, CAROL, 40e6);
        vm.prank(ALICE);
        uint256 minted = r.reup(BOB, 15e6);
        vm.assertEq(minted, 15e6);
        _assertAccount(r, BOB, 75e6, 100e6);
        vm.assertEq(r.outstanding(), 115e6);
    }

    function test_Reup_ZeroMaxMintMintsNothing() public {
        _trust(r, BOB, 100e6);
        _transfer(r, BOB, CAROL, 40e6);
        vm.recordLogs();
        vm.prank(ALICE);
        uint256 minted = r.reup(BOB, 0);
        vm.assertEq(minted, 0);
        vm.assertEq(vm.getRecordedLogs().length, 0);
        _assertAccount(r, BOB, 60e6, 100e6);
    }

    function test_Reup_ZeroWhenAtBudget() public {
        _trust(r, BOB, 100e6);
        vm.recordLogs();
        vm.prank(ALICE);
        uint256 minted = r.reup(BOB, type(uint256).max);
        vm.assertEq(minted, 0);
        vm.assertEq(vm.getRecordedLogs().length, 0);
        _assertAccount(r, BOB, 100e6, 100e6);
    }

    function test_Reup_ZeroWhenBalanceAboveBudgetAfterReceivingTransfer() public {
        _trust(r, BOB, 100e6);
        _trust(r, CAROL, 10e6);
        _transfer(r, BOB, CAROL, 50e6);
        _assertAccount(r, CAROL, 60e6, 10e6);
        vm.prank(ALICE);
        uint256 minted = r.reup(CAROL, type(uint256).max);
        vm.assertEq(minted, 0);
        _assertAccount(r, CAROL, 60e6, 10e6);
        vm.assertEq(r.outstanding(), 110e6);
    }

    function test_Reup_ZeroWithoutBudget() public {
        _trust(r, BOB, 100e6);
        _transfer(r, BOB, CAROL, 50e6);
        vm.prank(ALICE);
        vm.assertEq(r.reup(CAROL, type(uint256).max), 0);
        vm.prank(ALICE);
        vm.assertEq(r.reup(DAVE, type(uint256).max), 0);
        _assertAccount(r, CAROL, 50e6, 0);
        _assertAccount(r, DAVE, 0, 0);
    }

    function test_Reup_AfterPartialRevoke() public {
        _trust(r, BOB, 100e6);
        _transfer(r, BOB, CAROL, 80e6);
        vm.prank(ALICE);
        r.revoke(BOB, 30e6); // burns Bob's 20, budget 70
        _assertAccount(r, BOB, 0, 70e6);
        vm.prank(ALICE);
        vm.assertEq(r.reup(BOB, type(uint256).max), 70e6);
        _assertAccount(r, BOB, 70e6, 70e6);
    }

    function test_RevertWhen_ReupNotIssuer() public {
        _trust(r, BOB, 100e6);
        _transfer(r, BOB, CAROL, 40e6);
        vm.expectRevert(TrustReserve.NotIssuer.selector);
        vm.prank(BOB);
        r.reup(BOB, 40e6);
    }

    function test_RevertWhen_ReupSupplyOverflowsUint128() public {
        _trust(r, BOB, 100);
        _transfer(r, BOB, CAROL, 100);
        _trust(r, DAVE, MAX128 - 100); // supply now at the cap
        vm.expectRevert(TrustReserve.Overflow.selector);
        vm.prank(ALICE);
        r.reup(BOB, 1);
        _assertAccount(r, BOB, 0, 100);
    }

    /*//////////////////////////////////////////////////////////////
                                REUP MANY
    //////////////////////////////////////////////////////////////*/

    function test_ReupMany_MixedHolders() public {
        _trust(r, BOB, 100e6);
        _trust(r, CAROL, 50e6);
        _trust(r, DAVE, 10e6);
        _transfer(r, BOB, DAVE, 40e6); // Bob spent 40, Dave above budget
        _transfer(r, CAROL, EVE, 50e6); // Carol spent all, Eve has no budget

        address[] memory holders = new address[](5);
        uint256[] memory maxMints = new uint256[](5);
        (holders[0], maxMints[0]) = (BOB, type(uint256).max);
        (holders[1], maxMints[1]) = (CAROL, 20e6);
        (holders[2], maxMints[2]) = (DAVE, type(uint256).max);
        (holders[3], maxMints[3]) = (EVE, type(uint256).max);
        (holders[4], maxMints[4]) = (CAROL, type(uint256).max); // the same holder again
        vm.prank(ALICE);
        uint256[] memory minted = r.reupMany(holders, maxMints);

        vm.assertEq(minted.length, 5);
        vm.assertEq(minted[0], 40e6);
        vm.assertEq(minted[1], 20e6);
        vm.assertEq(minted[2], 0);
        vm.assertEq(minted[3], 0);
        vm.assertEq(minted[4], 30e6);
        _assertAccount(r, BOB, 100e6, 100e6);
        _assertAccount(r, CAROL, 50e6, 50e6);
        _assertAccount(r, DAVE, 50e6, 10e6);
        _assertAccount(r, EVE, 50e6, 0);
        vm.assertEq(r.outstanding(), 250e6);
    }

    function test_ReupMany_Empty() public {
        vm.prank(ALICE);
        uint256[] memory minted = r.reupMany(new address[](0), new uint256[](0));
        vm.assertEq(minted.length, 0);
    }

    function test_ReupMany_EmitsMintTransfers() public {
        _trust(r, BOB, 100e6);
        _trust(r, CAROL, 100e6);
        _transfer(r, BOB, DAVE, 10e6);
        _transfer(r, CAROL, DAVE, 20e6);
        address[] memory holders = new address[](2);
        uint256[] memory maxMints = new uint256[](2);
        (holders[0], maxMints[0]) = (BOB, type(uint256).max);
        (holders[1], maxMints[1]) = (CAROL, type(uint256).max);
        vm.expectEmit(address(r));
        emit Transfer(address(0), BOB, 10e6);
        vm.expectEmit(address(r));
        emit Transfer(address(0), CAROL, 20e6);
        vm.prank(ALICE);
        r.reupMany(holders, maxMints);
    }

    function test_RevertWhen_ReupManyLengthMismatch() public {
        vm.expectRevert(TrustReserve.LengthMismatch.selector);
        vm.prank(ALICE);
        r.reupMany(new address[](2), new uint256[](1));
        vm.expectRevert(TrustReserve.LengthMismatch.selector);
        vm.prank(ALICE);
        r.reupMany(new address[](0), new uint256[](1));
    }

    function test_RevertWhen_ReupManyNotIssuer() public {
        vm.expectRevert(TrustReserve.NotIssuer.selector);
        vm.prank(BOB);
        r.reupMany(_one(BOB), new uint256[](1));
    }

    function test_RevertWhen_ReupManySupplyOverflowsUint128() public {
        _trust(r, BOB, 100);
        _transfer(r, BOB, CAROL, 100);
        _trust(r, DAVE, MAX128 - 100);
        uint256[] memory maxMints = new uint256[](1);
        maxMints[0] = 1;
        vm.expectRevert(TrustReserve.Overflow.selector);
        vm.prank(ALICE);
        r.reupMany(_one(BOB), maxMints);
    }

    /*//////////////////////////////////////////////////////////////
                                 REVOKE
    //////////////////////////////////////////////////////////////*/

    function test_Revoke_Partial() public {
        _trust(r, BOB, 100e6);
        vm.prank(ALICE);
        uint256 burned = r.revoke(BOB, 30e6);
        vm.assertEq(burned, 30e6);
        _assertAccount(r, BOB, 70e6, 70e6);
        vm.assertEq(r.outstanding(), 70e6);
        vm.assertEq(r.reserve(), 300e6);
    }

    function test_Revoke_EmitsBurnTransferThenRevoked() public {
        _trust(r, BOB, 100e6);
        vm.expectEmit(address(r));
        emit Transfer(BOB, address(0), 30e6);
        vm.expectEmit(address(r));
        emit Revoked(30e6);
        vm.prank(ALICE);
        r.revoke(BOB, 30e6);
    }

    /// Exactly two logs, burn first and Revoked right after it, carrying the requested amount.
    function test_Revoke_LogOrder() public {
        _trust(r, BOB, 100e6);
        _transfer(r, BOB, CAROL, 80e6);
        vm.recordLogs();
        vm.prank(ALICE);
        r.revoke(BOB, 50e6); // burns 20
        Vm.Log[] memory logs = vm.getRecordedLogs();
        vm.assertEq(logs.length, 2);
        vm.assertEq(logs[0].topics[0], Transfer.selector);
        vm.assertEq(logs[0].topics[1], bytes32(uint256(uint160(BOB))));
        vm.assertEq(logs[0].topics[2], bytes32(0));
        vm.assertEq(abi.decode(logs[0].data, (uint256)), 20e6);
        vm.assertEq(logs[1].topics.length, 1);
        vm.assertEq(logs[1].topics[0], Revoked.selector);
        vm.assertEq(abi.decode(logs[1].data, (uint256)), 50e6);
        vm.assertEq(logs[1].emitter, address(r));
    }

    function test_Revoke_AmountAboveBalanceBurnsBalance() public {
        _trust(r, BOB, 100e6);
        _transfer(r, BOB, CAROL, 60e6);
        vm.prank(ALICE);
        uint256 burned = r.revoke(BOB, 50e6);
        vm.assertEq(burned, 40e6);
        _assertAccount(r, BOB, 0, 50e6);
        _assertAccount(r, CAROL, 60e6, 0);
        vm.assertEq(r.outstanding(), 60e6);
    }

    function test_Revoke_MaxBurnsAllAndZeroesBudget() public {
        _trust(r, BOB, 100e6);
        _transfer(r, BOB, CAROL, 30e6);
        vm.expectEmit(address(r));
        emit Transfer(BOB, address(0), 70e6);
        vm.expectEmit(address(r));
        emit Revoked(type(uint256).max);
        vm.prank(ALICE);
        uint256 burned = r.revoke(BOB, type(uint256).max);
        vm.assertEq(burned, 70e6);
        _assertAccount(r, BOB, 0, 0);
        vm.assertEq(r.outstanding(), 30e6);
        vm.prank(ALICE);
        vm.assertEq(r.reup(BOB, type(uint256).max), 0);
    }

    function test_Revoke_FromHolderOfTransferredTokensWithoutBudget() public {
        _trust(r, BOB, 100e6);
        _transfer(r, BOB, CAROL, 60e6);
        vm.expectEmit(address(r));
        emit Transfer(CAROL, address(0), 25e6);
        vm.expectEmit(address(r));
        emit Revoked(25e6);
        vm.prank(ALICE);
        uint256 burned = r.revoke(CAROL, 25e6);
        vm.assertEq(burned, 25e6);
        _assertAccount(r, CAROL, 35e6, 0);
        _assertAccount(r, BOB, 40e6, 100e6); // Bob's budget is untouched
        vm.assertEq(r.outstanding(), 75e6);
    }

    function test_Revoke_BudgetSaturatesAtZero() public {
        _trust(r, BOB, 100e6);
        _trust(r, CAROL, 10e6);
        _transfer(r, BOB, CAROL, 60e6);
        vm.prank(ALICE);
        uint256 burned = r.revoke(CAROL, 50e6);
        vm.assertEq(burned, 50e6);
        _assertAccount(r, CAROL, 20e6, 0);
    }

    function test_Revoke_NothingToBurn() public {
        _trust(r, BOB, 100e6);
        _transfer(r, BOB, CAROL, 100e6);
        vm.expectEmit(address(r));
        emit Transfer(BOB, address(0), 0);
        vm.expectEmit(address(r));
        emit Revoked(10e6);
        vm.prank(ALICE);
        uint256 burned = r.revoke(BOB, 10e6);
        vm.assertEq(burned, 0);
        _assertAccount(r, BOB, 0, 90e6);
        vm.assertEq(r.outstanding(), 100e6);
    }

    function test_Revoke_UnknownHolder() public {
        vm.prank(ALICE);
        vm.assertEq(r.revoke(DAVE, 1), 0);
        _assertAccount(r, DAVE, 0, 0);
        vm.assertEq(r.outstanding(), 0);
    }

    /// Tokens backing another reserve are burned where they sit: the layer's backing shrinks.
    function test_Revoke_TokensHeldByAnotherReserve() public {
        TrustReserve b = _layer(r, BOB, 100e6);
        vm.assertEq(b.reserve(), 100e6);
        vm.prank(ALICE);
        uint256 burned = r.revoke(address(b), 40e6);
        vm.assertEq(burned, 40e6);
        vm.assertEq(b.reserve(), 60e6);
        _assertAccount(r, address(b), 60e6, 0);
        _assertAccount(r, BOB, 0, 100e6);
    }

    function test_RevertWhen_RevokeZeroAddress() public {
        vm.expectRevert(TrustReserve.ZeroAddress.selector);
        vm.prank(ALICE);
        r.revoke(address(0), 1);
    }

    function test_RevertWhen_RevokeZeroAmount() public {
        _trust(r, BOB, 100e6);
        vm.expectRevert(TrustReserve.ZeroAmount.selector);
        vm.prank(ALICE);
        r.revoke(BOB, 0);
    }

    function test_RevertWhen_RevokeNotIssuer() public {
        _trust(r, BOB, 100e6);
        vm.expectRevert(TrustReserve.NotIssuer.selector);
        vm.prank(BOB);
        r.revoke(BOB, 1);
        vm.expectRevert(TrustReserve.NotIssuer.selector);
        vm.prank(address(factory));
        r.revoke(BOB, 1);
    }

    /*//////////////////////////////////////////////////////////////
                                 REDEEM
    //////////////////////////////////////////////////////////////*/

    function test_Redeem_ERC20PaysTo() public {
        _trust(r, BOB, 100e6);
        vm.expectEmit(address(r));
        emit Transfer(BOB, address(0), 40e6);
        vm.prank(BOB);
        r.redeem(40e6, CAROL);
        vm.assertEq(usd.balanceOf(CAROL), 40e6);
        vm.assertEq(usd.balanceOf(BOB), 0);
        _assertAccount(r, BOB, 60e6, 100e6); // a redeem spends the balance, not the budget
        vm.assertEq(r.reserve(), 260e6);
        vm.assertEq(r.outstanding(), 60e6);
    }

    function test_Redeem_NativePaysTo() public {
        _trust(n, BOB, 5 ether);
        vm.expectEmit(address(n));
        emit Transfer(BOB, address(0), 2 ether);
        vm.prank(BOB);
        n.redeem(2 ether, CAROL);
        vm.assertEq(CAROL.balance, 2 ether);
        vm.assertEq(BOB.balance, 0);
        _assertAccount(n, BOB, 3 ether, 5 ether);
        vm.assertEq(n.reserve(), 8 ether);
        vm.assertEq(address(n).balance, 8 ether);
        vm.assertEq(n.outstanding(), 3 ether);
    }

    /// A redeem is a burn with no Revoked after it, and pays through the asset's own Transfer.
    function test_Redeem_LogsOnlyBurnAndAssetTransfer() public {
        _trust(r, BOB, 100e6);
        vm.recordLogs();
        vm.prank(BOB);
        r.redeem(100e6, BOB);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        vm.assertEq(logs.length, 2);
        vm.assertEq(logs[0].emitter, address(r));
        vm.assertEq(logs[0].topics[0], Transfer.selector);
        vm.assertEq(logs[1].emitter, address(usd));
        vm.assertEq(logs[1].topics[0], Transfer.selector);
        vm.assertEq(logs[1].topics[1], bytes32(uint256(uint160(address(r)))));
        vm.assertEq(logs[1].topics[2], bytes32(uint256(uint160(BOB))));
    }

    function test_Redeem_WholeBalance() public {
        _trust(r, BOB, 100e6);
        vm.prank(BOB);
        r.redeem(100e6, BOB);
        _assertAccount(r, BOB, 0, 100e6);
        vm.assertEq(usd.balanceOf(BOB), 100e6);
    }

    function test_Redeem_TransferredTokens() public {
        _trust(r, BOB, 100e6);
        _transfer(r, BOB, CAROL, 30e6);
        vm.prank(CAROL);
        r.redeem(30e6, CAROL);
        vm.assertEq(usd.balanceOf(CAROL), 30e6);
        _assertAccount(r, CAROL, 0, 0);
        _assertAccount(r, BOB, 70e6, 100e6);
    }

    /// In a fractional reserve redeems are honoured while the backing lasts.
    function test_Redeem_FractionalReserveWhileBackingLasts() public {
        _trust(n, BOB, 8 ether);
        _trust(n, CAROL, 8 ether);
        vm.prank(BOB);
        n.redeem(8 ether, BOB);
        vm.prank(CAROL);
        n.redeem(2 ether, CAROL);
        vm.assertEq(n.reserve(), 0);
        vm.assertEq(n.outstanding(), 6 ether);
    }

    function test_RevertWhen_RedeemInsufficientBalance() public {
        _trust(r, BOB, 100e6);
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientBalance.selector, 100e6, 100e6 + 1));
        vm.prank(BOB);
        r.redeem(100e6 + 1, BOB);
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientBalance.selector, 0, 1));
        vm.prank(CAROL);
        n.redeem(1, CAROL);
    }

    function test_RevertWhen_RedeemNativeInsufficientReserve() public {
        _trust(n, BOB, 15 ether); // outstanding 15 > reserve 10
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientReserve.selector, 10 ether, 12 ether));
        vm.prank(BOB);
        n.redeem(12 ether, BOB);
        _assertAccount(n, BOB, 15 ether, 15 ether);
        vm.assertEq(n.reserve(), 10 ether);
        vm.assertEq(n.outstanding(), 15 ether);
    }

    function test_RevertWhen_RedeemERC20InsufficientReserve() public {
        _trust(r, BOB, 500e6); // outstanding 500 > reserve 300
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientReserve.selector, 300e6, 300e6 + 1));
        vm.prank(BOB);
        r.redeem(300e6 + 1, BOB);
        _assertAccount(r, BOB, 500e6, 500e6);
        vm.assertEq(r.reserve(), 300e6);
        vm.assertEq(r.outstanding(), 500e6);
    }

    function test_RevertWhen_RedeemAfterIssuerWithdrew() public {
        _trust(r, BOB, 100e6);
        vm.prank(ALICE);
        r.withdraw(250e6, ALICE);
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientReserve.selector, 50e6, 60e6));
        vm.prank(BOB);
        r.redeem(60e6, BOB);
    }

    function test_RevertWhen_RedeemZeroAmount() public {
        _trust(r, BOB, 100e6);
        vm.expectRevert(TrustReserve.ZeroAmount.selector);
        vm.prank(BOB);
        r.redeem(0, BOB);
    }

    function test_RevertWhen_RedeemToZeroAddress() public {
        _trust(r, BOB, 100e6);
        vm.expectRevert(TrustReserve.ZeroAddress.selector);
        vm.prank(BOB);
        r.redeem(1, address(0));
    }

    function test_RevertWhen_RedeemNativeToRejectingContract() public {
        _trust(n, BOB, 1 ether);
        vm.expectRevert(TrustReserve.TransferFailed.selector);
        vm.prank(BOB);
        n.redeem(1 ether, address(usd));
        _assertAccount(n, BOB, 1 ether, 1 ether);
    }

    function test_RevertWhen_RedeemERC20TransferReturnsFalse() public {
        UnitFalseToken t = new UnitFalseToken();
        vm.prank(ALICE);
        TrustReserve f = TrustReserve(factory.create(address(t), "f", "F"));
        t.mint(ALICE, 100);
        vm.prank(ALICE);
        t.approve(address(f), 100);
        vm.prank(ALICE);
        f.deposit(100);
        _trust(f, BOB, 100);
        t.setFailTransfers(true);
        vm.expectRevert(TrustReserve.TransferFailed.selector);
        vm.prank(BOB);
        f.redeem(10, BOB);
        _assertAccount(f, BOB, 100, 100);
    }

    /*//////////////////////////////////////////////////////////////
                       REDEEM DEEP (ONE LAYER)
    //////////////////////////////////////////////////////////////*/

    function test_RedeemDeep_ERC20LikeRedeem() public {
        _trust(r, BOB, 100e6);
        vm.expectEmit(address(r));
        emit Transfer(BOB, address(0), 40e6);
        vm.prank(BOB);
        r.redeemDeep(40e6, CAROL);
        vm.assertEq(usd.balanceOf(CAROL), 40e6);
        _assertAccount(r, BOB, 60e6, 100e6);
        vm.assertEq(r.reserve(), 260e6);
        vm.assertEq(r.outstanding(), 60e6);
    }

    function test_RedeemDeep_NativeLikeRedeem() public {
        _trust(n, BOB, 5 ether);
        vm.prank(BOB);
        n.redeemDeep(2 ether, CAROL);
        vm.assertEq(CAROL.balance, 2 ether);
        _assertAccount(n, BOB, 3 ether, 5 ether);
        vm.assertEq(n.reserve(), 8 ether);
        vm.assertEq(n.outstanding(), 3 ether);
    }

    function test_RevertWhen_RedeemDeepInsufficientReserve() public {
        _trust(n, BOB, 15 ether);
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientReserve.selector, 10 ether, 11 ether));
        vm.prank(BOB);
        n.redeemDeep(11 ether, BOB);
        _trust(r, BOB, 500e6);
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientReserve.selector, 300e6, 400e6));
        vm.prank(BOB);
        r.redeemDeep(400e6, BOB);
    }

    function test_RevertWhen_RedeemDeepInsufficientBalance() public {
        _trust(r, BOB, 10e6);
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientBalance.selector, 10e6, 11e6));
        vm.prank(BOB);
        r.redeemDeep(11e6, BOB);
    }

    function test_RevertWhen_RedeemDeepZeroAmount() public {
        vm.expectRevert(TrustReserve.ZeroAmount.selector);
        vm.prank(BOB);
        r.redeemDeep(0, BOB);
    }

    function test_RevertWhen_RedeemDeepToZeroAddress() public {
        _trust(r, BOB, 10e6);
        vm.expectRevert(TrustReserve.ZeroAddress.selector);
        vm.prank(BOB);
        r.redeemDeep(1, address(0));
    }

    /*//////////////////////////////////////////////////////////////
                          ERC-20 SURFACE (BRIEF)
    //////////////////////////////////////////////////////////////*/

    function test_Approve_SetsAllowanceAndEmits() public {
        vm.expectEmit(address(r));
        emit Approval(BOB, CAROL, 7e6);
        vm.prank(BOB);
        vm.assertTrue(r.approve(CAROL, 7e6));
        vm.assertEq(r.allowance(BOB, CAROL), 7e6);
        vm.assertEq(r.allowance(CAROL, BOB), 0);
    }

    function test_RevertWhen_ApproveZeroSpender() public {
        vm.expectRevert(TrustReserve.ZeroAddress.selector);
        vm.prank(BOB);
        r.approve(address(0), 1);
    }

    function test_Transfer_MovesBalanceNotBudget() public {
        _trust(r, BOB, 100e6);
        vm.expectEmit(address(r));
        emit Transfer(BOB, CAROL, 25e6);
        vm.prank(BOB);
        vm.assertTrue(r.transfer(CAROL, 25e6));
        _assertAccount(r, BOB, 75e6, 100e6);
        _assertAccount(r, CAROL, 25e6, 0);
        vm.assertEq(r.totalSupply(), 100e6);
    }

    /// Tokens sent to the reserve's own address could never be redeemed: refused.
    function test_RevertWhen_TransferToReserveItself() public {
        _trust(r, BOB, 10e6);
        vm.expectRevert(TrustReserve.ToReserveItself.selector);
        vm.prank(BOB);
        r.transfer(address(r), 1);
        vm.prank(BOB);
        r.approve(CAROL, 5e6);
        vm.expectRevert(TrustReserve.ToReserveItself.selector);
        vm.prank(CAROL);
        r.transferFrom(BOB, address(r), 1);
        vm.expectRevert(TrustReserve.ToReserveItself.selector);
        vm.prank(ALICE);
        r.trust(address(r), 1);
        _assertAccount(r, BOB, 10e6, 10e6);
        _assertAccount(r, address(r), 0, 0);
    }

    /// Sending to another reserve stays allowed: that is how a layer gets backing.
    function test_Transfer_ToAnotherReserve() public {
        _trust(r, BOB, 10e6);
        vm.prank(BOB);
        TrustReserve b = TrustReserve(factory.create(address(r), "layer", "LAYER"));
        _transfer(r, BOB, address(b), 4e6);
        vm.assertEq(b.reserve(), 4e6);
        _assertAccount(r, address(b), 4e6, 0);
    }

    function test_TransferFrom_UsesAllowance() public {
        _trust(r, BOB, 100e6);
        vm.prank(BOB);
        r.approve(CAROL, 30e6);
        vm.prank(CAROL);
        vm.assertTrue(r.transferFrom(BOB, DAVE, 20e6));
        vm.assertEq(r.allowance(BOB, CAROL), 10e6);
        _assertAccount(r, DAVE, 20e6, 0);
        _assertAccount(r, BOB, 80e6, 100e6);
    }

    function test_RevertWhen_TransferInsufficientBalance() public {
        _trust(r, BOB, 10e6);
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientBalance.selector, 10e6, 11e6));
        vm.prank(BOB);
        r.transfer(CAROL, 11e6);
    }

    function test_RevertWhen_TransferToZeroAddress() public {
        _trust(r, BOB, 10e6);
        vm.expectRevert(TrustReserve.ZeroAddress.selector);
        vm.prank(BOB);
        r.transfer(address(0), 1);
    }

    function test_RevertWhen_TransferFromInsufficientAllowance() public {
        _trust(r, BOB, 10e6);
        vm.prank(BOB);
        r.approve(CAROL, 5e6);
        vm.expectRevert(abi.encodeWithSelector(TrustReserve.InsufficientAllowance.selector, 5e6, 6e6));
        vm.prank(CAROL);
        r.transferFrom(BOB, CAROL, 6e6);
    }

    /*//////////////////////////////////////////////////////////////
                       ACCOUNTING, STEP BY STEP
    //////////////////////////////////////////////////////////////*/

    function test_Accounting_ReserveOutstandingBudgetAfterEachStep() public {
        // Fresh reserve for Bob, native coin.
        vm.prank(BOB);
        TrustReserve b = TrustReserve(factory.create(address(0), "b", "B"));
        vm.assertEq(b.reserve(), 0);
        vm.assertEq(b.outstanding(), 0);
        vm.assertEq(b.totalSupply(), 0);

        vm.deal(BOB, 10 ether);
        vm.prank(BOB);
        b.deposit{value: 6 ether}(6 ether);
        vm.assertEq(b.reserve(), 6 ether);
        vm.assertEq(b.outstanding(), 0);

        vm.prank(BOB);
        b.trust(CAROL, 4 ether);
        vm.assertEq(b.reserve(), 6 ether);
        vm.assertEq(b.outstanding(), 4 ether);
        _assertAccount(b, CAROL, 4 ether, 4 ether);

        vm.prank(BOB);
        b.trust(DAVE, 3 ether); // now fractional: 7 outstanding on 6
        vm.assertEq(b.outstanding(), 7 ether);
        _assertAccount(b, DAVE, 3 ether, 3 ether);

        _transfer(b, CAROL, DAVE, 1 ether);
        vm.assertEq(b.outstanding(), 7 ether);
        _assertAccount(b, CAROL, 3 ether, 4 ether);
        _assertAccount(b, DAVE, 4 ether, 3 ether);

        vm.prank(DAVE);
        b.redeem(4 ether, DAVE);
        vm.assertEq(b.reserve(), 2 ether);
        vm.assertEq(b.outstanding(), 3 ether);
        vm.assertEq(DAVE.balance, 4 ether);
        _assertAccount(b, DAVE, 0, 3 ether);

        vm.prank(BOB);
        vm.assertEq(b.reup(DAVE, type(uint256).max), 3 ether);
        vm.assertEq(b.outstanding(), 6 ether);
        _assertAccount(b, DAVE, 3 ether, 3 ether);

        vm.prank(BOB);
        vm.assertEq(b.reup(CAROL, type(uint256).max), 1 ether);
        vm.assertEq(b.outstanding(), 7 ether);
        _assertAccount(b, CAROL, 4 ether, 4 ether);

        vm.prank(BOB);
        vm.assertEq(b.revoke(CAROL, 1 ether), 1 ether);
        vm.assertEq(b.outstanding(), 6 ether);
        _assertAccount(b, CAROL, 3 ether, 3 ether);

        vm.prank(BOB);
        b.withdraw(1 ether, BOB);
        vm.assertEq(b.reserve(), 1 ether);
        vm.assertEq(b.outstanding(), 6 ether);

        vm.prank(BOB);
        vm.assertEq(b.revoke(DAVE, type(uint256).max), 3 ether);
        vm.assertEq(b.outstanding(), 3 ether);
        _assertAccount(b, DAVE, 0, 0);
        vm.assertEq(b.reserve(), 1 ether);
        vm.assertEq(BOB.balance, 5 ether);
    }

    /*//////////////////////////////////////////////////////////////
                                 FACTORY
    //////////////////////////////////////////////////////////////*/

    function test_Create_EmitsReserveCreatedAtPredictedAddress() public {
        address predicted = factory.predict(BOB, address(usd));
        vm.assertEq(predicted.code.length, 0);
        vm.expectEmit(address(factory));
        emit ReserveCreated(BOB, address(usd), predicted);
        vm.prank(BOB);
        address created = factory.create(address(usd), "Bob", "tBOB");
        vm.assertEq(created, predicted);
        vm.assertEq(created.code.length, 0x55);
        vm.assertEq(TrustReserve(created).issuer(), BOB);
        vm.assertEq(TrustReserve(created).asset(), address(usd));
        vm.assertEq(TrustReserve(created).totalSupply(), 0);
        vm.assertEq(TrustReserve(created).reserve(), 0);
    }

    function test_Create_NativeAsset() public {
        address predicted = factory.predict(BOB, address(0));
        vm.expectEmit(address(factory));
        emit ReserveCreated(BOB, address(0), predicted);
        vm.prank(BOB);
        address created = factory.create(address(0), "Bob ETH", "tBOB-ETH");
        vm.assertEq(created, predicted);
        vm.assertEq(TrustReserve(created).asset(), address(0));
    }

    function test_Create_LayerOnAnotherReserve() public {
        vm.prank(BOB);
        address created = factory.create(address(r), "Bob on Alice", "tBOB-A");
        vm.assertEq(created, factory.predict(BOB, address(r)));
        vm.assertEq(TrustReserve(created).asset(), address(r));
        vm.assertTrue(factory.isReserve(created));
    }

    function test_RevertWhen_CreateSameIssuerAndAssetTwice() public {
        address existing = factory.predict(ALICE, address(usd));
        vm.assertEq(existing, address(r));
        vm.expectRevert(abi.encodeWithSelector(TrustReserveFactory.ReserveExists.selector, existing));
        vm.prank(ALICE);
        factory.create(address(usd), "again", "AGAIN");
        vm.expectRevert(abi.encodeWithSelector(TrustReserveFactory.ReserveExists.selector, address(n)));
        vm.prank(ALICE);
        factory.create(address(0), "again", "AGAIN");
        vm.assertEq(r.name(), "trust");
    }

    function test_RevertWhen_CreateWithEOAAsset() public {
        vm.expectRevert(abi.encodeWithSelector(TrustReserveFactory.InvalidAsset.selector, DAVE));
        vm.prank(BOB);
        factory.create(DAVE, "x", "X");
        vm.assertEq(factory.predict(BOB, DAVE).code.length, 0);
    }

    function test_Create_DifferentIssuersGetDifferentAddresses() public {
        vm.prank(BOB);
        address b = factory.create(address(usd), "b", "B");
        vm.prank(CAROL);
        address c = factory.create(address(usd), "c", "C");
        vm.assertTrue(b != c);
        vm.assertTrue(b != address(r));
        vm.assertTrue(c != address(r));
        vm.assertEq(TrustReserve(b).issuer(), BOB);
        vm.assertEq(TrustReserve(c).issuer(), CAROL);
    }

    function test_Create_SameIssuerDifferentAssetsGetDifferentAddresses() public view {
        vm.assertTrue(address(r) != address(n));
        vm.assertEq(address(r), factory.predict(ALICE, address(usd)));
        vm.assertEq(address(n), factory.predict(ALICE, address(0)));
    }

    function test_Predict_BeforeCreationEqualsCreated() public {
        address p = factory.predict(DAVE, address(usd));
        vm.assertEq(p, factory.predict(DAVE, address(usd))); // stable
        vm.assertFalse(factory.isReserve(p));
        vm.prank(DAVE);
        address created = factory.create(address(usd), "d", "D");
        vm.assertEq(created, p);
        vm.assertEq(factory.predict(DAVE, address(usd)), p); // unchanged after creation
        vm.assertTrue(factory.isReserve(p));
    }

    function test_Predict_DependsOnFactory() public {
        TrustReserveFactory other = new TrustReserveFactory();
        vm.assertTrue(other.predict(ALICE, address(usd)) != factory.predict(ALICE, address(usd)));
    }

    function test_IsReserve_TrueForCreatedReserves() public {
        TrustReserve b = _layer(r, BOB, 10e6);
        vm.assertTrue(factory.isReserve(address(r)));
        vm.assertTrue(factory.isReserve(address(n)));
        vm.assertTrue(factory.isReserve(address(b)));
    }

    function test_IsReserve_FalseForOthers() public {
        vm.assertFalse(factory.isReserve(address(0)));
        vm.assertFalse(factory.isReserve(ALICE));
        vm.assertFalse(factory.isReserve(address(usd)));
        vm.assertFalse(factory.isReserve(factory.implementation()));
        vm.assertFalse(factory.isReserve(address(factory)));
        vm.assertFalse(factory.isReserve(address(this)));
    }

    function test_IsReserve_FalseForReserveOfDifferentFactory() public {
        TrustReserveFactory other = new TrustReserveFactory();
        vm.prank(ALICE);
        address foreign = other.create(address(usd), "x", "X");
        vm.assertTrue(other.isReserve(foreign));
        vm.assertFalse(factory.isReserve(foreign));
        vm.assertFalse(other.isReserve(address(r)));
    }

    /// A clone of the real implementation with the same args, deployed by someone else, is not a reserve.
    function test_IsReserve_FalseForLookalikeClone() public {
        bytes memory args = abi.encodePacked(ALICE, address(usd));
        address lookalike = LibClone.cloneDeterministic(factory.implementation(), args, keccak256(args));
        vm.assertEq(lookalike.code.length, 0x55);
        vm.assertEq(TrustReserve(lookalike).issuer(), ALICE);
        vm.assertFalse(factory.isReserve(lookalike));
    }

    function test_Implementation_IsNotAClone() public view {
        address impl = factory.implementation();
        vm.assertTrue(impl.code.length > 0x55);
    }
}

/// @notice On a real chain the block's coinbase is not address(0), so address(0) starts cold and
/// touching it costs a cold account access (2,600 gas) that forge's default coinbase hides.
contract RedeemDeepNativeGasTest is ReserveFixtures {
    address constant ALICE = address(0xA11CE);
    address constant CAROL = address(0xCA201);
    address constant BOB = address(0xB0B);

    function setUp() public {
        _deployFactoryAndUSD();
        vm.coinbase(address(0xC0FFEE));
    }

    /// redeemDeep on a native reserve costs what redeem costs, within 100 gas of dispatch.
    function test_RedeemDeep_NativeCostsLikeRedeem() public {
        TrustReserve one = _reserve(ALICE, address(0), 10 ether);
        TrustReserve two = _reserve(CAROL, address(0), 10 ether);
        vm.prank(ALICE);
        one.trust(BOB, 5 ether);
        vm.prank(CAROL);
        two.trust(BOB, 5 ether);
        address[5] memory cold = [address(one), address(two), factory.implementation(), BOB, address(0)];
        for (uint256 i; i < cold.length; ++i) {
            vm.cool(cold[i]);
        }
        vm.assertEq(one.balanceOf(BOB), two.balanceOf(BOB)); // both clones and the implementation warm alike

        vm.prank(BOB);
        uint256 g = gasleft();
        one.redeem(1 ether, address(0xD1));
        uint256 redeemGas = g - gasleft();
        vm.prank(BOB);
        g = gasleft();
        two.redeemDeep(1 ether, address(0xD2));
        uint256 deepGas = g - gasleft();
        vm.assertLe(deepGas, redeemGas + 100, "redeemDeep gas over redeem's + 100");
    }
}
