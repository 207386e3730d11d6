//! # TFT bridge pallet: TFT between Stellar and gridchain, run by a guardian circle
//!
//! The bridge is run by one guardian circle, chosen by the council: its members are the
//! bridge's validators and its threshold is the bridge's. The vault is a Stellar account whose
//! signers are the members' Stellar keys, each of weight 1, with the circle's threshold as its
//! thresholds. The chain records the vault's signers as Stellar has them; when the circle's
//! members, their keys or its threshold change, a member asks the chain to make the vault
//! follow ([`Pallet::update_vault_signers`]): the chain fixes a set-options transaction from
//! the vault like any payment, the vault's current signers sign it, and once it is confirmed
//! applied the new keys count.
//!
//! ## Deposits (Stellar → chain)
//!
//! Each validator's relay watches the vault and votes for what it saw: the Stellar
//! transaction's hash and the deposit (sender, target from the memo, amount), many at once
//! ([`Pallet::vote_deposits`]). Votes are recorded by voter, only identical claims count
//! together, and only the votes of the circle's current members count. When the circle's
//! threshold agree, the deposit executes, once: the TFT is minted to the target less the
//! deposit fee (minted to the circle's treasury), or, when the chain cannot credit it (unknown
//! twin or agreement, an amount not above the fee), it is recorded to be paid back on Stellar.
//! Dust (below [`Config::DustLimit`]) stays in the vault: a refund would cost more than it
//! returns. An executed hash never executes again.
//!
//! ## Payments from the vault (chain → Stellar)
//!
//! A withdrawal ([`Pallet::withdraw`]) burns its amount (the withdrawal fee goes to the
//! circle's treasury) and a refund needs paying back: each becomes a Stellar payment that the
//! chain fixes entirely (the vault's next sequence number, the fee, a `burn_<id>` or return
//! memo, a `max_time` the vault's payment lifetime ahead) and hashes
//! ([`gridchain_primitives::stellar`]) before anyone signs. Validators sign that hash with
//! their Stellar keys registered in the circle ([`Pallet::sign_payment`]); the chain checks
//! each signature, so the envelope the relays assemble from the stored signatures is valid
//! once the threshold signed. The relays then report what Stellar did
//! ([`Pallet::report_payment`]); at the threshold of current members:
//! - `Paid`: it ends;
//! - `Failed` (applied, its payment failed, the sequence used): a withdrawal is minted back,
//!   a refund is quarantined until the council retries it ([`Pallet::retry_refund`]);
//! - `Expired` (past its `max_time` and not applied, so its envelope can never apply): the
//!   chain fixes it again with the same sequence, a new `max_time` and the current fee, to be
//!   signed anew. Nothing is minted back for a payment whose envelope might still apply, and
//!   no payment blocks the sequence forever (keys rotated, signers gone, a fee too low).
//!
//! One chain unit is one stroop of TFT: the bridge never rounds. `BridgedSupply` (minted by
//! deposits, less burned by withdrawals not returned) is what the vault must hold.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
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
mod vault;
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

		/// The most signatures a payment keeps (Stellar takes at most 20): the bridge circle's
		/// threshold may not exceed it.
		#[pallet::constant]
		type MaxSigners: Get<u32>;

		/// The most validators whose votes or reports one deposit or payment keeps: the bridge
		/// circle's size, members past and present.
		#[pallet::constant]
		type MaxValidators: Get<u32>;

		/// Deposits below this are kept by the vault, neither minted nor refunded.
		#[pallet::constant]
		type DustLimit: Get<Balance>;

		/// The most payments one report settles (the oldest pending ones whose result the
		/// threshold reported).
		#[pallet::constant]
		type MaxSettledPerReport: Get<u32>;

		/// The chain's clock, for `max_time`.
		type UnixTime: frame_support::traits::UnixTime;

		/// The weight of [`AgreementFunding::fund`], charged for each vote that may fund an
		/// agreement (refunded when it does not).
		type AgreementFundingWeight: Get<Weight>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;

		/// Benchmarks: sets the chain's clock.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper;
	}

	/// The circle that runs the bridge.
	#[pallet::storage]
	pub type BridgeCircle<T: Config> = StorageValue<_, CircleId>;

	/// The votes for each Stellar transaction not yet executed.
	#[pallet::storage]
	pub type PendingDeposits<T: Config> = StorageMap<_, Identity, StellarTxHash, PendingDeposit<T>>;

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

	/// The oldest payment not yet applied on Stellar: payments apply in order of their ids (and
	/// sequences), so every id from this one to [`NextPaymentId`] is pending.
	#[pallet::storage]
	pub type FirstPendingPayment<T: Config> = StorageValue<_, u64, ValueQuery>;

	/// Payments from the vault, fixed by the chain, with their signatures and reports.
	#[pallet::storage]
	pub type OutgoingPayments<T: Config> = StorageMap<_, Twox64Concat, u64, OutgoingPayment<T>>;

	/// The pending transaction that changes the vault's signers, if any: one at a time.
	#[pallet::storage]
	pub type VaultSignersChange<T: Config> = StorageValue<_, u64>;

	/// Refunds Stellar did not take (their payment failed): kept with their deposit until the
	/// council retries them ([`Pallet::retry_refund`]), never retried in a loop.
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
		/// A validator signed a payment (`signatures`: those of current members' keys).
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
		/// A payment expired on Stellar unapplied: the chain fixed it again, same sequence (a
		/// change of signers from the circle as it is now), `fee` per operation; its new hash
		/// awaits the validators' signatures.
		PaymentReissued { id: u64, hash: [u8; 32], max_time: u64, fee: u32 },
		/// A member asked the vault to follow the circle: transaction `id` makes `signers` the
		/// vault's signers and `threshold` its thresholds.
		VaultSignersChangeQueued { id: u64, signers: VaultSigners, threshold: u8 },
		/// The change of the vault's signers was applied on Stellar: their signatures count now.
		VaultSignersChanged { signers: VaultSigners, threshold: u8 },
		/// The change of the vault's signers failed on Stellar: the vault keeps its signers.
		VaultSignersChangeFailed { id: u64 },
		/// A deposit below the dust limit: the vault keeps it.
		DepositKeptAsDust { tx_hash: StellarTxHash, amount: Balance },
		/// The council set the fee each payment offers from now on.
		PaymentFeeSet { fee: u32 },
		/// The council retried a quarantined refund as payment `payment` to `to`.
		RefundRetried { quarantined: u64, payment: u64, to: AccountKey },
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
		/// A withdrawal not above the fee by the existential deposit, or an amount beyond a
		/// Stellar amount (2^63 - 1 stroops).
		InvalidAmount,
		/// The passphrase is longer than 64 bytes, or the asset's code is not 1–12 letters or digits.
		InvalidVault,
		/// The fee is below Stellar's minimum of 100 stroops per operation.
		FeeTooLow,
		/// A payment lifetime below a minute (envelopes would expire before the validators
		/// sign them: they sign what is final) or above a day.
		PaymentLifetimeOutOfRange,
		/// Payments from the vault are still pending: the vault cannot change under them.
		PaymentsPending,
		/// The circle's threshold is above the signatures a payment keeps: it could never be
		/// signed.
		ThresholdAboveSigners,
		/// The circle's treasury account does not exist: send it the existential deposit first.
		TreasuryMissing,
		/// More validators voted or reported than a deposit or payment keeps, even without
		/// former members.
		TooManyValidators,
		/// The payment's `max_time` has not passed on the chain's clock.
		PaymentNotExpired,
		/// No quarantined refund with this id.
		UnknownQuarantinedRefund,
		/// No such outgoing payment.
		UnknownPayment,
		/// The validator registered no Stellar key in the bridge circle.
		NoStellarKey,
		/// The signature is not the validator's Stellar key's over the payment's hash.
		BadSignature,
		/// The validator, or its key, already signed this payment.
		AlreadySigned,
		/// The payment has all the signatures it keeps.
		TooManySignatures,
		/// More than the vault holds for the chain (the bridged supply).
		InsufficientVault,
		/// The validator already reported another result for this payment.
		ConflictingReport,
		/// The deposit was executed: its votes are gone already.
		AlreadyExecuted,
		/// No vote for this transaction.
		NothingToPrune,
		/// The first vote for this transaction is younger than the vote lifetime.
		VotesNotExpired,
		/// The validator's Stellar key is not one of the vault's signers (yet): the vault must
		/// follow the circle first.
		NotAVaultSigner,
		/// The vault's signers and threshold are the circle's already.
		VaultSignersUpToDate,
		/// A change of the vault's signers is pending: one at a time.
		VaultSignersChangePending,
		/// Fewer of the circle's members registered distinct Stellar keys than its threshold: the
		/// vault could never sign again.
		TooFewStellarKeys,
		/// More distinct Stellar keys in the circle than a Stellar account takes signers (20).
		TooManyStellarKeys,
		/// The circle's members hold fewer of the vault's current signers' keys than its
		/// threshold: they could not sign the change (the council sets the vault anew).
		VaultSignersUnreachable,
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
		/// - Effect: its members vote on deposits, sign and report payments from now on, with
		///   its threshold; votes, signatures and reports of anyone else stop counting.
		/// - Errors: [`Error::UnknownCircle`], [`Error::ThresholdAboveSigners`],
		///   [`Error::TreasuryMissing`].
		/// - Event: [`Event::BridgeCircleSet`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_bridge_circle())]
		pub fn set_bridge_circle(origin: OriginFor<T>, circle: CircleId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let threshold = T::Circles::threshold(circle).ok_or(Error::<T>::UnknownCircle)?;
			ensure!(threshold <= T::MaxSigners::get(), Error::<T>::ThresholdAboveSigners);
			ensure!(
				T::Currency::balance(&T::Circles::treasury(circle))
					>= T::Currency::minimum_balance(),
				Error::<T>::TreasuryMissing
			);
			BridgeCircle::<T>::put(circle);
			Self::deposit_event(Event::BridgeCircleSet { circle });
			Ok(())
		}

		/// Votes for deposits seen on Stellar, many at once.
		///
		/// - Origin: a member of the bridge circle.
		/// - Effect: each vote is recorded for its voter; a vote for a transaction already
		///   executed is skipped, and the same vote again only counts the votes anew (a
		///   restarted relay may repeat itself). When the current members' identical claims
		///   reach the circle's threshold the deposit executes: minted (less the fee, to the
		///   treasury), queued to be paid back, or kept as dust.
		/// - Errors: [`Error::NoBridgeCircle`], [`Error::UnknownCircle`],
		///   [`Error::NotBridgeMember`], [`Error::NoVault`], [`Error::NoVotes`],
		///   [`Error::TooManyVotes`], [`Error::ConflictingVote`], [`Error::ZeroAmount`],
		///   [`Error::InvalidAmount`], [`Error::TooManyValidators`] (the whole call is refused).
		/// - Events: [`Event::DepositVoted`], [`Event::DepositMinted`],
		///   [`Event::DepositRefundQueued`], [`Event::DepositKeptAsDust`].
		#[pallet::call_index(1)]
		#[pallet::weight(Pallet::<T>::vote_deposits_weight(votes.len() as u32))]
		pub fn vote_deposits(
			origin: OriginFor<T>,
			votes: Vec<DepositVote<T::AccountId>>,
		) -> DispatchResultWithPostInfo {
			let voter = ensure_signed(origin)?;
			Self::do_vote_deposits(voter, votes)
		}

		/// Sets the vault ([`VaultSettings`]): its account, network, TFT's issuer and code, the
		/// fee each payment offers, how long a payment's envelope is valid (seconds), and, as
		/// they are on Stellar now, its sequence number, its signers (each of weight 1) and its
		/// thresholds.
		///
		/// - Origin: [`Config::GovernanceOrigin`] (the council).
		/// - Effect: outgoing payments from now on use it; the next gets `sequence + 1`; the
		///   signatures of `signers` count, `threshold` of them make a payment ready.
		/// - Errors: [`Error::InvalidVault`] (also: a threshold of 0 or above the signers, a
		///   signer twice), [`Error::ThresholdAboveSigners`], [`Error::FeeTooLow`],
		///   [`Error::PaymentLifetimeOutOfRange`], [`Error::PaymentsPending`] (their envelopes
		///   name the old vault and sequence).
		/// - Event: [`Event::VaultSet`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_vault())]
		pub fn set_vault(origin: OriginFor<T>, settings: VaultSettings) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let vault = Self::checked_vault(settings)?;
			ensure!(
				OutgoingPayments::<T>::iter_keys().next().is_none(),
				Error::<T>::PaymentsPending
			);
			VaultOf::<T>::put(&vault);
			Self::deposit_event(Event::VaultSet { vault });
			Ok(())
		}

		/// Withdraws `amount` to a Stellar account: burned here, paid from the vault there.
		///
		/// - Origin: any account.
		/// - Effect: `amount` leaves the caller: the withdrawal fee to the circle's treasury,
		///   the rest burned and queued as a payment to `destination` (memo `burn_<id>`).
		/// - Errors: [`Error::NoBridgeCircle`], [`Error::UnknownCircle`], [`Error::NoVault`],
		///   [`Error::InvalidAmount`] (not above the fee by the existential deposit, or beyond
		///   a Stellar amount), [`Error::InsufficientVault`], the currency's error when the
		///   balance is short.
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

		/// Signs an outgoing transaction with the validator's Stellar key.
		///
		/// - Origin: a member of the bridge circle with a Stellar key registered in it that is
		///   one of the vault's signers.
		/// - Effect: the signature, checked against that key over the transaction's hash, is
		///   kept (signatures of former members, former keys or keys the vault no longer has
		///   are dropped); when they reach the vault's threshold it is ready to submit.
		/// - Errors: [`Error::NoBridgeCircle`], [`Error::NotBridgeMember`],
		///   [`Error::UnknownPayment`], [`Error::NoStellarKey`], [`Error::NoVault`],
		///   [`Error::NotAVaultSigner`], [`Error::AlreadySigned`], [`Error::BadSignature`],
		///   [`Error::TooManySignatures`].
		/// - Events: [`Event::PaymentSigned`], [`Event::PaymentReady`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::sign_payment())]
		pub fn sign_payment(origin: OriginFor<T>, id: u64, signature: [u8; 64]) -> DispatchResult {
			let signer = ensure_signed(origin)?;
			Self::do_sign_payment(signer, id, signature)
		}

		/// Reports what became of a payment on Stellar.
		///
		/// - Origin: a member of the bridge circle.
		/// - Effect: the report is recorded for its reporter (the same report again only counts
		///   the reports anew). When the current members' identical reports reach the circle's
		///   threshold it takes effect once: `Expired` at once, fixing the payment again with
		///   the same sequence; `Paid` and `Failed` in the order of the payments (Stellar
		///   applies them in order): from the oldest pending on, each payment whose result the
		///   threshold reported settles, up to [`Config::MaxSettledPerReport`] in one call.
		///   `Paid` ends the payment; `Failed` mints a withdrawal back to its owner, or
		///   quarantines a refund.
		/// - Errors: [`Error::NoBridgeCircle`], [`Error::UnknownCircle`],
		///   [`Error::NotBridgeMember`], [`Error::UnknownPayment`],
		///   [`Error::PaymentNotExpired`] (`Expired` before its `max_time` on the chain's
		///   clock), [`Error::ConflictingReport`], [`Error::TooManyValidators`], the currency's
		///   error when a withdrawal cannot be minted back.
		/// - Events: [`Event::PaymentReported`], [`Event::PaymentConfirmed`],
		///   [`Event::WithdrawalReturned`], [`Event::RefundQuarantined`],
		///   [`Event::PaymentReissued`].
		#[pallet::call_index(5)]
		#[pallet::weight(Pallet::<T>::report_payment_weight())]
		pub fn report_payment(
			origin: OriginFor<T>,
			id: u64,
			result: PaymentResult,
		) -> DispatchResultWithPostInfo {
			let reporter = ensure_signed(origin)?;
			Self::do_report_payment(reporter, id, result)
		}

		/// Removes the votes for a deposit that did not reach the threshold within the vote
		/// lifetime (e.g. votes for a transaction the other validators never saw).
		///
		/// - Origin: anyone signed.
		/// - Effect: the transaction's votes are gone; it may still be voted for and executed
		///   later, from no votes.
		/// - Errors: [`Error::AlreadyExecuted`], [`Error::NothingToPrune`],
		///   [`Error::VotesNotExpired`].
		/// - Event: [`Event::DepositVotesPruned`].
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::prune_deposit_votes())]
		pub fn prune_deposit_votes(origin: OriginFor<T>, tx_hash: StellarTxHash) -> DispatchResult {
			ensure_signed(origin)?;
			ensure!(!ExecutedDeposits::<T>::contains_key(tx_hash), Error::<T>::AlreadyExecuted);
			let pending = PendingDeposits::<T>::get(tx_hash).ok_or(Error::<T>::NothingToPrune)?;
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(
				now >= pending.first_voted.saturating_add(T::VoteLifetime::get()),
				Error::<T>::VotesNotExpired
			);
			PendingDeposits::<T>::remove(tx_hash);
			let votes = pending.votes.len() as u32;
			Self::deposit_event(Event::DepositVotesPruned { tx_hash, votes });
			Ok(())
		}

		/// Sets the fee each payment offers from now on (when Stellar's fees rise, payments
		/// that expired unapplied are fixed again with it).
		///
		/// - Origin: [`Config::GovernanceOrigin`] (the council).
		/// - Errors: [`Error::NoVault`], [`Error::FeeTooLow`].
		/// - Event: [`Event::PaymentFeeSet`].
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::set_payment_fee())]
		pub fn set_payment_fee(origin: OriginFor<T>, fee: u32) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(fee >= MIN_STELLAR_FEE, Error::<T>::FeeTooLow);
			VaultOf::<T>::try_mutate(|vault| {
				vault.as_mut().ok_or(Error::<T>::NoVault)?.fee = fee;
				Ok::<_, Error<T>>(())
			})?;
			Self::deposit_event(Event::PaymentFeeSet { fee });
			Ok(())
		}

		/// Pays a quarantined refund again, to `destination` (the sender's account once it
		/// can take TFT, or another account the sender named).
		///
		/// - Origin: [`Config::GovernanceOrigin`] (the council).
		/// - Effect: the refund leaves quarantine as a new payment at the vault's next
		///   sequence, memo the deposit's hash as before.
		/// - Errors: [`Error::UnknownQuarantinedRefund`], [`Error::NoVault`].
		/// - Events: [`Event::RefundRetried`], [`Event::PaymentQueued`].
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::retry_refund())]
		pub fn retry_refund(
			origin: OriginFor<T>,
			id: u64,
			destination: AccountKey,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_retry_refund(id, destination)
		}

		/// Makes the vault follow the bridge circle: its signers become the members' Stellar
		/// keys (each of weight 1, the master key's weight 0) and its thresholds the circle's
		/// threshold.
		///
		/// - Origin: a member of the bridge circle.
		/// - Effect: a set-options transaction from the vault, at its next sequence, with the
		///   signers changed (removed and added) and the thresholds, is fixed and queued like a
		///   payment: the vault's current signers sign it (Stellar checks it against their high
		///   threshold), the relays submit and report it; confirmed applied, the new signers'
		///   signatures count. One change at a time.
		/// - Errors: [`Error::NoBridgeCircle`], [`Error::UnknownCircle`],
		///   [`Error::NotBridgeMember`], [`Error::NoVault`],
		///   [`Error::VaultSignersChangePending`], [`Error::TooFewStellarKeys`],
		///   [`Error::TooManyStellarKeys`], [`Error::ThresholdAboveSigners`],
		///   [`Error::VaultSignersUpToDate`], [`Error::VaultSignersUnreachable`].
		/// - Events: [`Event::VaultSignersChangeQueued`], [`Event::PaymentQueued`].
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::update_vault_signers())]
		pub fn update_vault_signers(origin: OriginFor<T>) -> DispatchResult {
			let member = ensure_signed(origin)?;
			Self::do_update_vault_signers(member)
		}
	}
}

/// What benchmarks need of the runtime beyond this pallet's config.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper {
	/// Sets the clock [`Config::UnixTime`] reads to `seconds` since 1970.
	fn set_time(seconds: u64);
}

/// Stellar's minimum fee per operation, in stroops: a payment offering less is never applied.
pub const MIN_STELLAR_FEE: u32 = 100;

/// The shortest payment lifetime, in seconds: ten 6-second blocks, enough for a payment to be
/// final, signed, submitted and applied (about four).
pub const MIN_PAYMENT_LIFETIME: u64 = 60;

/// The longest payment lifetime, in seconds: an envelope that cannot apply should be fixed
/// again within a day.
pub const MAX_PAYMENT_LIFETIME: u64 = 86_400;
