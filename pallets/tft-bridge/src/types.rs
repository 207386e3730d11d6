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
	/// No one: the transaction is not a deposit the bridge can credit, whatever the chain
	/// holds; it is paid back to its sender (the transaction's source account).
	Unusable(UnusableDeposit),
}

/// Why a transaction to the vault is not a deposit the bridge can credit, as the relays read
/// it on Stellar.
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
pub enum UnusableDeposit {
	/// No memo.
	NoMemo,
	/// A memo that is neither a 32-byte hash, `twin_<id>` nor `contract_<id>`.
	BadMemo,
	/// TFT paid to the vault by several accounts in one transaction.
	SeveralSenders,
	/// Operations other than TFT payments to the vault (another asset, another operation):
	/// the TFT it paid goes back.
	NotOnlyTftPayments,
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
	/// Not a deposit the bridge can credit.
	Unusable(UnusableDeposit),
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
	/// Below the dust limit: neither minted nor refunded; the vault keeps it (a refund would
	/// cost the vault and every validator more than it returns).
	KeptAsDust,
}

/// A deposit that was executed: it never executes again.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct ExecutedDeposit<BlockNumber> {
	/// The block it was executed in.
	pub at: BlockNumber,
	/// Minted, refunded or kept.
	pub outcome: DepositOutcome,
}

/// The votes for a deposit not yet executed, one per voter: the hash of the claim it voted
/// for. Only the votes of the bridge circle's current members count.
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
pub struct PendingDeposit<T: crate::Config> {
	/// The block of the first vote: the votes may be pruned a vote lifetime later.
	pub first_voted: frame_system::pallet_prelude::BlockNumberFor<T>,
	/// Each voter and the hash of its claim.
	pub votes:
		frame_support::BoundedVec<(T::AccountId, T::Hash), <T as crate::Config>::MaxValidators>,
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
	/// The fee each outgoing payment offers, in stroops (per operation).
	pub fee: u32,
	/// How long each outgoing transaction's envelope is valid on Stellar, in seconds from when
	/// the chain fixes it: its `max_time`.
	pub payment_lifetime: u64,
	/// The sequence of the last transaction the chain made (the next gets this + 1).
	pub sequence: i64,
	/// The vault's signers on Stellar (each of weight 1; the master key's weight 0), as the
	/// council set them or the last confirmed signer change made them: only their signatures
	/// count.
	pub signers: VaultSigners,
	/// The vault's low, medium and high thresholds on Stellar: the signatures a transaction
	/// needs.
	pub threshold: u8,
}

/// The vault as the council gives it ([`crate::Pallet::set_vault`]).
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct VaultSettings {
	/// The vault's account (a `G…` strkey's 32 bytes).
	pub account: AccountKey,
	/// The network's passphrase (e.g. `Public Global Stellar Network ; September 2015`).
	pub network_passphrase: frame_support::BoundedVec<u8, frame_support::traits::ConstU32<64>>,
	/// TFT's code on that network (1–12 letters or digits).
	pub asset_code: frame_support::BoundedVec<u8, frame_support::traits::ConstU32<12>>,
	/// TFT's issuer on that network.
	pub asset_issuer: AccountKey,
	/// The fee each outgoing transaction offers per operation, in stroops (at least 100).
	pub fee: u32,
	/// How long an outgoing transaction's envelope is valid, in seconds (a minute to a day).
	pub payment_lifetime: u64,
	/// The vault's sequence number on Stellar now.
	pub sequence: i64,
	/// The vault's signers on Stellar now, each of weight 1 (its master key's weight 0).
	pub signers: VaultSigners,
	/// The vault's low, medium and high thresholds on Stellar now.
	pub threshold: u8,
}

/// The vault's signers' keys, sorted, each once.
pub type VaultSigners = frame_support::BoundedVec<
	AccountKey,
	frame_support::traits::ConstU32<{ gridchain_primitives::stellar::MAX_ACCOUNT_SIGNERS }>,
>;

/// Why a payment leaves the vault.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub enum PaymentPurpose<AccountId> {
	/// A withdrawal by a chain account (burned on chain).
	Withdrawal { who: AccountId },
	/// A deposit paid back (never minted).
	Refund { deposit: StellarTxHash },
	/// The vault's signers made to follow the bridge circle: once applied, these are its
	/// signers and this its threshold.
	VaultSigners { signers: VaultSigners, threshold: u8 },
}

/// A validator's signature of a payment, with the key it was made with.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct PaymentSignature<AccountId> {
	/// The validator.
	pub signer: AccountId,
	/// Its Stellar key when it signed: the signature counts while the key is still its key
	/// and one of the vault's signers.
	pub key: AccountKey,
	/// The signature as the envelope carries it (the key's hint and the signature).
	pub signature: gridchain_primitives::stellar::DecoratedSignature,
}

/// A transaction from the vault (a payment or a change of its signers), fixed by the chain,
/// waiting for the validators' signatures and then for their reports of what Stellar did with
/// it.
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
	pub transaction: gridchain_primitives::stellar::VaultTransaction,
	/// Its hash on the vault's network: what each signature signs.
	pub hash: [u8; 32],
	/// Why it is paid.
	pub purpose: PaymentPurpose<T::AccountId>,
	/// The validators' signatures, each checked against the signer's Stellar key, at most one
	/// per key.
	pub signatures:
		frame_support::BoundedVec<PaymentSignature<T::AccountId>, <T as crate::Config>::MaxSigners>,
	/// Each validator's report of what Stellar did with it.
	pub reports: frame_support::BoundedVec<
		(T::AccountId, PaymentResult),
		<T as crate::Config>::MaxValidators,
	>,
}

impl<T: crate::Config> OutgoingPayment<T> {
	/// The envelope a relay submits: the transaction with the signatures kept.
	pub fn envelope_xdr(&self) -> alloc::vec::Vec<u8> {
		let signatures: alloc::vec::Vec<_> =
			self.signatures.iter().map(|held| held.signature.clone()).collect();
		self.transaction.envelope_xdr(&signatures)
	}

	/// The TFT it pays out of the vault (nothing for a change of signers).
	pub fn amount(&self) -> Balance {
		match &self.transaction {
			gridchain_primitives::stellar::VaultTransaction::Payment(payment) => {
				Balance::try_from(payment.amount).unwrap_or_default()
			},
			gridchain_primitives::stellar::VaultTransaction::SetSigners(_) => 0,
		}
	}
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
	/// Applied: the destination was paid (the vault's sequence moved past it).
	Paid,
	/// Applied but its payment failed (e.g. the destination has no TFT trustline): nothing was
	/// paid and the vault's sequence moved past it, so its envelope can never apply again.
	Failed,
	/// Not applied, and it never can be: a ledger closed after its `max_time` while the
	/// vault's sequence was still below its own. The chain fixes it again, same sequence.
	Expired,
}
