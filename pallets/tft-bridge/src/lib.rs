//! # TFT bridge pallet: TFT between Stellar and gridchain, run by a guardian circle
//!
//! The bridge is run by one guardian circle, chosen by the council: its members are the
//! bridge's validators and its threshold is the bridge's. The vault is a Stellar account whose
//! signers are the members' Stellar keys.
//!
//! ## Deposits (Stellar → chain)
//!
//! Each validator's relay watches the vault and votes for what it saw: the Stellar
//! transaction's hash and the deposit (sender, target from the memo, amount), many at once
//! ([`Pallet::vote_deposits`]). Votes are recorded by voter, and only identical claims count
//! together. When the circle's threshold agree, the deposit executes, once: the TFT is minted
//! to the target less the deposit fee (minted to the circle's treasury), or, when the chain
//! cannot credit it (unknown twin or agreement, an amount not above the fee), it is recorded
//! to be paid back on Stellar. An executed hash never executes again.
//!
//! ## Payments from the vault (chain → Stellar)
//!
//! A withdrawal ([`Pallet::withdraw`]) burns its amount (the withdrawal fee goes to the
//! circle's treasury) and a refund needs paying back: each becomes a Stellar payment that the
//! chain fixes entirely (the vault's next sequence number, the fee, a `burn_<id>` or return
//! memo, no time bounds) and hashes ([`gridchain_primitives::stellar`]) before anyone signs.
//! Validators sign that hash with their Stellar keys registered in the circle
//! ([`Pallet::sign_payment`]); the chain checks each signature, so the envelope the relays
//! assemble from the stored signatures is valid once the threshold signed. The relays then
//! report what Stellar did ([`Pallet::report_payment`]): at the threshold, a paid payment
//! ends, a failed withdrawal is minted back, a failed refund is quarantined.
//!
//! One chain unit is one stroop of TFT: the bridge never rounds. `BridgedSupply` (minted by
//! deposits, less burned by withdrawals not returned) is what the vault must hold.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

mod deposits;
#[cfg(any(feature = "try-runtime", test))]
mod invariants;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;
mod withdrawals;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::fungible::{Inspect, Mutate},
	};
	use frame_system::pallet_prelude::*;
	use gridchain_primitives::{
		circles::Circles,
		grid::{AgreementFunding, GridRegistry},
	};
	use sp_runtime::{AccountId32, Saturating};

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<AccountId = AccountId32> {
		/// The currency the bridge mints and burns.
		type Currency: Inspect<Self::AccountId, Balance = Balance> + Mutate<Self::AccountId>;

		/// Twins: a `twin_<id>` deposit goes to the twin's account.
		type Registry: GridRegistry<Self::AccountId, Balance>;

		/// Agreements: a `contract_<id>` deposit funds the agreement's escrow.
		type Agreements: AgreementFunding<Balance>;

		/// Guardian circles: the bridge circle's members, threshold and treasury.
		type Circles: Circles<Self::AccountId>;

		/// Who chooses the bridge circle: in the runtime, the council.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The fee of a deposit, minted to the bridge circle's treasury out of the deposit.
		#[pallet::constant]
		type DepositFee: Get<Balance>;

		/// The most votes in one [`Pallet::vote_deposits`].
		#[pallet::constant]
		type MaxVotesPerCall: Get<u32>;

		/// How long votes for a deposit that never reaches the threshold stay before anyone may
		/// prune them.
		#[pallet::constant]
		type VoteLifetime: Get<BlockNumberFor<Self>>;

		/// The fee of a withdrawal, paid to the bridge circle's treasury.
		#[pallet::constant]
		type WithdrawalFee: Get<Balance>;

		/// The most signatures a payment keeps (Stellar takes at most 20).
		#[pallet::constant]
		type MaxSigners: Get<u32>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// The circle that runs the bridge.
	#[pallet::storage]
	pub type BridgeCircle<T: Config> = StorageValue<_, CircleId>;

	/// Each validator's vote per Stellar transaction: the hash of the claim it voted for.
	#[pallet::storage]
	pub type DepositVotes<T: Config> =
		StorageDoubleMap<_, Identity, StellarTxHash, Blake2_128Concat, T::AccountId, T::Hash>;

	/// Per Stellar transaction and claim (by its hash), how many validators voted for it.
	#[pallet::storage]
	pub type DepositTallies<T: Config> =
		StorageDoubleMap<_, Identity, StellarTxHash, Identity, T::Hash, u32, ValueQuery>;

	/// The block of the first vote for each Stellar transaction not yet executed.
	#[pallet::storage]
	pub type DepositFirstVoted<T: Config> =
		StorageMap<_, Identity, StellarTxHash, BlockNumberFor<T>>;

	/// The deposits executed, by Stellar transaction: none executes twice.
	#[pallet::storage]
	pub type ExecutedDeposits<T: Config> =
		StorageMap<_, Identity, StellarTxHash, ExecutedDeposit<BlockNumberFor<T>>>;

	/// The vault on Stellar.
	#[pallet::storage]
	pub type VaultOf<T: Config> = StorageValue<_, Vault>;

	/// The id the next outgoing payment gets.
	#[pallet::storage]
	pub type NextPaymentId<T: Config> = StorageValue<_, u64, ValueQuery>;

	/// Payments from the vault, fixed by the chain, with their signatures.
	#[pallet::storage]
	pub type OutgoingPayments<T: Config> = StorageMap<_, Twox64Concat, u64, OutgoingPayment<T>>;

	/// Each validator's report of a payment's result on Stellar.
	#[pallet::storage]
	pub type PaymentReports<T: Config> =
		StorageDoubleMap<_, Twox64Concat, u64, Blake2_128Concat, T::AccountId, PaymentResult>;

	/// Refunds Stellar did not take (their payment failed): kept with their deposit for the
	/// council to settle, never retried in a loop.
	#[pallet::storage]
	pub type QuarantinedRefunds<T: Config> = StorageMap<_, Twox64Concat, u64, OutgoingPayment<T>>;

	/// What confirmed withdrawals paid out of the vault.
	#[pallet::storage]
	pub type ConfirmedWithdrawals<T: Config> = StorageValue<_, Balance, ValueQuery>;

	/// TFT minted by deposits less TFT burned by withdrawals: what the vault must hold.
	#[pallet::storage]
	pub type BridgedSupply<T: Config> = StorageValue<_, Balance, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// The council chose the circle that runs the bridge.
		BridgeCircleSet { circle: CircleId },
		/// A validator voted for a deposit.
		DepositVoted { tx_hash: StellarTxHash, voter: T::AccountId, votes: u32 },
		/// The threshold agreed: `amount` minted to `to`, `fee` to the circle's treasury.
		DepositMinted {
			tx_hash: StellarTxHash,
			target: DepositTarget<T::AccountId>,
			amount: Balance,
			fee: Balance,
		},
		/// The council set the vault.
		VaultSet { vault: Vault },
		/// A payment from the vault was fixed: it awaits the validators' signatures.
		PaymentQueued {
			id: u64,
			hash: [u8; 32],
			sequence: i64,
			purpose: PaymentPurpose<T::AccountId>,
			amount: Balance,
		},
		/// A validator signed a payment.
		PaymentSigned { id: u64, signer: T::AccountId, signatures: u32 },
		/// A payment has the threshold's signatures: the relays submit it.
		PaymentReady { id: u64 },
		/// Votes for a deposit that did not reach the threshold in time were removed.
		DepositVotesPruned { tx_hash: StellarTxHash, votes: u32 },
		/// A validator reported a payment's result on Stellar.
		PaymentReported { id: u64, reporter: T::AccountId, result: PaymentResult, reports: u32 },
		/// The threshold agreed the payment was made: it is done.
		PaymentConfirmed { id: u64 },
		/// A withdrawal's payment failed on Stellar: `amount` is minted back to `who`.
		WithdrawalReturned { id: u64, who: T::AccountId, amount: Balance },
		/// A refund's payment failed on Stellar: it is quarantined.
		RefundQuarantined { id: u64, deposit: StellarTxHash },
		/// A chain account withdrew `amount` to Stellar (`fee` to the treasury).
		Withdrawn {
			who: T::AccountId,
			destination: AccountKey,
			amount: Balance,
			fee: Balance,
			payment: u64,
		},
		/// The threshold agreed on a deposit the chain cannot credit: payment `payment` pays it
		/// back.
		DepositRefundQueued {
			tx_hash: StellarTxHash,
			to: AccountKey,
			amount: Balance,
			reason: RefundReason,
			payment: u64,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The council has not chosen a bridge circle.
		NoBridgeCircle,
		/// The circle does not exist.
		UnknownCircle,
		/// Only a member of the bridge circle votes.
		NotBridgeMember,
		/// No vote in the call.
		NoVotes,
		/// More votes than [`Config::MaxVotesPerCall`].
		TooManyVotes,
		/// The validator already voted for another claim about this transaction.
		ConflictingVote,
		/// A deposit of nothing: Stellar has no such payment.
		ZeroAmount,
		/// The council has not set the vault.
		NoVault,
		/// The amount does not exceed the withdrawal fee, or does not fit a Stellar amount.
		InvalidAmount,
		/// The passphrase is longer than 64 bytes, or the asset's code is not 1–12 letters or digits.
		InvalidVault,
		/// No such outgoing payment.
		UnknownPayment,
		/// The validator registered no Stellar key in the bridge circle.
		NoStellarKey,
		/// The signature is not the validator's Stellar key's over the payment's hash.
		BadSignature,
		/// The validator already signed this payment.
		AlreadySigned,
		/// The payment has all the signatures it keeps.
		TooManySignatures,
		/// More than the vault holds for the chain (the bridged supply).
		InsufficientVault,
		/// The payment does not have the threshold's signatures yet: it cannot be on Stellar.
		PaymentNotReady,
		/// The validator already reported another result for this payment.
		ConflictingReport,
		/// The deposit was executed: its votes are gone already.
		AlreadyExecuted,
		/// No vote for this transaction.
		NothingToPrune,
		/// The first vote for this transaction is younger than the vote lifetime.
		VotesNotExpired,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Chooses the circle that runs the bridge.
		///
		/// - Origin: [`Config::GovernanceOrigin`] (the council).
		/// - Effect: its members vote on deposits from now on, with its threshold.
		/// - Errors: [`Error::UnknownCircle`].
		/// - Event: [`Event::BridgeCircleSet`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_bridge_circle())]
		pub fn set_bridge_circle(origin: OriginFor<T>, circle: CircleId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(T::Circles::exists(circle), Error::<T>::UnknownCircle);
			BridgeCircle::<T>::put(circle);
			Self::deposit_event(Event::BridgeCircleSet { circle });
			Ok(())
		}

		/// Votes for deposits seen on Stellar, many at once.
		///
		/// - Origin: a member of the bridge circle.
		/// - Effect: each vote is recorded for its voter; a vote for a transaction already
		///   executed, or the same vote again, is skipped (a restarted relay may repeat itself).
		///   The vote that brings identical claims to the circle's threshold executes the
		///   deposit: minted (less the fee, to the treasury) or queued to be paid back.
		/// - Errors: [`Error::NoBridgeCircle`], [`Error::NotBridgeMember`], [`Error::NoVotes`],
		///   [`Error::TooManyVotes`], [`Error::ConflictingVote`], [`Error::ZeroAmount`],
		///   [`Error::NoVault`] (the whole call is refused).
		/// - Events: [`Event::DepositVoted`], [`Event::DepositMinted`],
		///   [`Event::DepositRefundQueued`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::vote_deposits((votes.len() as u32).min(T::MaxVotesPerCall::get())))]
		pub fn vote_deposits(
			origin: OriginFor<T>,
			votes: Vec<DepositVote<T::AccountId>>,
		) -> DispatchResult {
			let voter = ensure_signed(origin)?;
			let circle = BridgeCircle::<T>::get().ok_or(Error::<T>::NoBridgeCircle)?;
			ensure!(T::Circles::is_member(circle, &voter), Error::<T>::NotBridgeMember);
			// Refunds are paid from the vault: deposits wait until the chain knows it.
			ensure!(VaultOf::<T>::exists(), Error::<T>::NoVault);
			ensure!(!votes.is_empty(), Error::<T>::NoVotes);
			ensure!(votes.len() as u32 <= T::MaxVotesPerCall::get(), Error::<T>::TooManyVotes);
			let threshold = T::Circles::threshold(circle).ok_or(Error::<T>::UnknownCircle)?;
			for vote in votes {
				Self::vote(circle, threshold, &voter, vote)?;
			}
			Ok(())
		}

		/// Sets the vault: its account, network, TFT's issuer and code, the fee each payment
		/// offers, and its current sequence number on Stellar.
		///
		/// - Origin: [`Config::GovernanceOrigin`] (the council).
		/// - Effect: outgoing payments from now on use it; the next gets `sequence + 1`.
		/// - Errors: [`Error::InvalidVault`].
		/// - Event: [`Event::VaultSet`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_vault())]
		pub fn set_vault(
			origin: OriginFor<T>,
			account: AccountKey,
			network_passphrase: BoundedVec<u8, ConstU32<64>>,
			asset_code: BoundedVec<u8, ConstU32<12>>,
			asset_issuer: AccountKey,
			fee: u32,
			sequence: i64,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let passphrase =
				core::str::from_utf8(&network_passphrase).map_err(|_| Error::<T>::InvalidVault)?;
			let asset = gridchain_primitives::stellar::Asset::new(&asset_code, asset_issuer)
				.ok_or(Error::<T>::InvalidVault)?;
			let vault = Vault {
				account,
				network_id: gridchain_primitives::stellar::network_id(passphrase),
				asset,
				fee,
				sequence,
			};
			VaultOf::<T>::put(&vault);
			Self::deposit_event(Event::VaultSet { vault });
			Ok(())
		}

		/// Withdraws `amount` to a Stellar account: burned here, paid from the vault there.
		///
		/// - Origin: any account.
		/// - Effect: `amount` leaves the caller: the withdrawal fee to the circle's treasury,
		///   the rest burned and queued as a payment to `destination` (memo: the payment's id).
		/// - Errors: [`Error::NoVault`], [`Error::NoBridgeCircle`], [`Error::InvalidAmount`],
		///   the currency's error when the balance is short.
		/// - Events: [`Event::Withdrawn`], [`Event::PaymentQueued`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::withdraw())]
		pub fn withdraw(
			origin: OriginFor<T>,
			destination: AccountKey,
			#[pallet::compact] amount: Balance,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw(who, destination, amount)
		}

		/// Signs an outgoing payment with the validator's Stellar key.
		///
		/// - Origin: a member of the bridge circle with a Stellar key registered in it.
		/// - Effect: the signature, checked against that key over the payment's hash, is kept;
		///   at the circle's threshold the payment is ready to submit.
		/// - Errors: [`Error::NoBridgeCircle`], [`Error::NotBridgeMember`],
		///   [`Error::UnknownPayment`], [`Error::NoStellarKey`], [`Error::BadSignature`],
		///   [`Error::AlreadySigned`], [`Error::TooManySignatures`].
		/// - Events: [`Event::PaymentSigned`], [`Event::PaymentReady`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::sign_payment())]
		pub fn sign_payment(origin: OriginFor<T>, id: u64, signature: [u8; 64]) -> DispatchResult {
			let signer = ensure_signed(origin)?;
			Self::do_sign_payment(signer, id, signature)
		}

		/// Reports what became of a ready payment on Stellar.
		///
		/// - Origin: a member of the bridge circle.
		/// - Effect: the report is recorded for its reporter (the same report again is
		///   skipped); when the circle's threshold report the same result, it takes effect
		///   once: `Paid` ends the payment; `Failed` mints a withdrawal back to its owner, or
		///   quarantines a refund.
		/// - Errors: [`Error::NoBridgeCircle`], [`Error::NotBridgeMember`],
		///   [`Error::UnknownPayment`], [`Error::PaymentNotReady`],
		///   [`Error::ConflictingReport`].
		/// - Events: [`Event::PaymentReported`], [`Event::PaymentConfirmed`],
		///   [`Event::WithdrawalReturned`], [`Event::RefundQuarantined`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::report_payment())]
		pub fn report_payment(
			origin: OriginFor<T>,
			id: u64,
			result: PaymentResult,
		) -> DispatchResult {
			let reporter = ensure_signed(origin)?;
			Self::do_report_payment(reporter, id, result)
		}

		/// Removes the votes for a deposit that did not reach the threshold within the vote
		/// lifetime (e.g. votes for a transaction the other validators never saw).
		///
		/// - Origin: anyone signed.
		/// - Effect: the transaction's votes and tallies are gone; it may still be voted for and
		///   executed later, from no votes.
		/// - Errors: [`Error::AlreadyExecuted`], [`Error::NothingToPrune`],
		///   [`Error::VotesNotExpired`].
		/// - Event: [`Event::DepositVotesPruned`].
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::prune_deposit_votes())]
		pub fn prune_deposit_votes(origin: OriginFor<T>, tx_hash: StellarTxHash) -> DispatchResult {
			ensure_signed(origin)?;
			ensure!(!ExecutedDeposits::<T>::contains_key(tx_hash), Error::<T>::AlreadyExecuted);
			let first = DepositFirstVoted::<T>::get(tx_hash).ok_or(Error::<T>::NothingToPrune)?;
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(
				now >= first.saturating_add(T::VoteLifetime::get()),
				Error::<T>::VotesNotExpired
			);
			let votes = Self::clear_votes(tx_hash);
			Self::deposit_event(Event::DepositVotesPruned { tx_hash, votes });
			Ok(())
		}
	}
}
