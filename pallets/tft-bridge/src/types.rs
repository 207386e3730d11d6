//! The records of the TFT bridge: deposits as validators see them, their votes and outcomes.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
pub use gridchain_primitives::{circles::CircleId, grid::TwinId, stellar::AccountKey, Balance};
use scale_info::TypeInfo;

/// The hash of a Stellar transaction.
pub type StellarTxHash = [u8; 32];

/// An agreement's id (as in the agreements pallet).
pub type ContractId = u64;

/// Who a deposit is for, as its memo names it.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub enum DepositTarget<AccountId> {
	/// A hash memo holding a chain account.
	Account(AccountId),
	/// `twin_<id>`: the twin's account.
	Twin(TwinId),
	/// `contract_<id>`: the agreement's escrow (a top-up).
	Contract(ContractId),
}

/// A deposit to the vault as a validator saw it on Stellar. Validators vote for the whole of
/// it: only identical claims count together.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct DepositClaim<AccountId> {
	/// The Stellar account that paid (where a refund goes).
	pub sender: AccountKey,
	/// Who it is for.
	pub target: DepositTarget<AccountId>,
	/// The TFT paid to the vault, in stroops (= chain units).
	pub amount: Balance,
}

/// One validator's vote: a deposit and the transaction it came in.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct DepositVote<AccountId> {
	/// The Stellar transaction.
	pub tx_hash: StellarTxHash,
	/// What it deposited.
	pub claim: DepositClaim<AccountId>,
}

/// Why a deposit goes back to its sender.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum RefundReason {
	/// The amount does not exceed the deposit fee.
	AmountNotAboveFee,
	/// The memo names a twin that does not exist.
	UnknownTwin,
	/// The agreement named by the memo does not exist or takes no funds.
	ContractRefused,
	/// The account cannot receive the amount (a new account below the existential deposit).
	AccountRefused,
}

/// What became of a deposit once the threshold agreed.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub enum DepositOutcome {
	/// Minted: `amount` to the target, `fee` to the bridge circle's treasury.
	Minted { amount: Balance, fee: Balance },
	/// To be paid back on Stellar.
	Refunded(RefundReason),
}

/// A deposit that was executed: it never executes again.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct ExecutedDeposit<BlockNumber> {
	/// The block it was executed in.
	pub at: BlockNumber,
	/// Minted or refunded.
	pub outcome: DepositOutcome,
}

/// The vault on Stellar as the chain knows it, set by the council.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct Vault {
	/// The vault's account, the source of every outgoing payment.
	pub account: AccountKey,
	/// The network's id (sha256 of its passphrase): signatures are for this network only.
	pub network_id: [u8; 32],
	/// TFT on that network.
	pub asset: gridchain_primitives::stellar::Asset,
	/// The fee each outgoing payment offers, in stroops.
	pub fee: u32,
	/// The sequence of the last payment the chain made (the next gets this + 1).
	pub sequence: i64,
}

/// Why a payment leaves the vault.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub enum PaymentPurpose<AccountId> {
	/// A withdrawal by a chain account (burned on chain).
	Withdrawal { who: AccountId },
	/// A deposit paid back (never minted).
	Refund { deposit: StellarTxHash },
}

/// A payment from the vault, fixed by the chain, waiting for the validators' signatures.
#[derive(
	Encode,
	Decode,
	frame_support::CloneNoBound,
	frame_support::PartialEqNoBound,
	frame_support::EqNoBound,
	frame_support::DebugNoBound,
	TypeInfo,
	MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
pub struct OutgoingPayment<T: crate::Config> {
	/// Every field its signers sign.
	pub payment: gridchain_primitives::stellar::Payment,
	/// Its hash on the vault's network: what each signature signs.
	pub hash: [u8; 32],
	/// Why it is paid.
	pub purpose: PaymentPurpose<T::AccountId>,
	/// The validators' signatures, checked against their registered Stellar keys.
	pub signatures: frame_support::BoundedVec<
		gridchain_primitives::stellar::DecoratedSignature,
		<T as crate::Config>::MaxSigners,
	>,
	/// Who signed, in the same order.
	pub signers: frame_support::BoundedVec<T::AccountId, <T as crate::Config>::MaxSigners>,
}

/// What became of a payment on Stellar, as the relays saw it in the vault's transactions.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum PaymentResult {
	/// Applied: the destination was paid.
	Paid,
	/// Included but failed (e.g. the destination has no TFT trustline): nothing was paid, and
	/// the sequence number was used.
	Failed,
}
