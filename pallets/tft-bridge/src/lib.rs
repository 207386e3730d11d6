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
//! One chain unit is one stroop of TFT: the bridge never rounds. `BridgedSupply` (minted by
//! deposits, less burned by withdrawals) is what the vault must hold.

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
mod tests;
pub mod types;
pub mod weights;

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
	use sp_runtime::AccountId32;

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

	/// The deposits executed, by Stellar transaction: none executes twice.
	#[pallet::storage]
	pub type ExecutedDeposits<T: Config> =
		StorageMap<_, Identity, StellarTxHash, ExecutedDeposit<BlockNumberFor<T>>>;

	/// Deposits to pay back on Stellar, by the transaction that brought them.
	#[pallet::storage]
	pub type PendingRefunds<T: Config> = StorageMap<_, Identity, StellarTxHash, Refund>;

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
		/// The threshold agreed on a deposit the chain cannot credit: it is to be paid back.
		DepositRefundQueued {
			tx_hash: StellarTxHash,
			to: AccountKey,
			amount: Balance,
			reason: RefundReason,
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
		///   [`Error::TooManyVotes`], [`Error::ConflictingVote`] (the whole call is refused).
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
			ensure!(!votes.is_empty(), Error::<T>::NoVotes);
			ensure!(votes.len() as u32 <= T::MaxVotesPerCall::get(), Error::<T>::TooManyVotes);
			let threshold = T::Circles::threshold(circle).ok_or(Error::<T>::UnknownCircle)?;
			for vote in votes {
				Self::vote(circle, threshold, &voter, vote)?;
			}
			Ok(())
		}
	}
}
