//! # Validators pallet: farmers who author and finalize gridchain's blocks
//!
//! gridchain's validators are farmers: an account that owns a farm with at least one
//! registered node sets its session keys (`session.setKeys`, from
//! `author_rotateKeysWithOwner` on its node) and applies ([`Pallet::apply`]). The circle that
//! holds the validator-admission role (chosen by the council) approves or rejects each
//! application and removes validators, by proposal ([`Config::AdmissionOrigin`]); a validator
//! may leave ([`Pallet::withdraw`]). An application holds [`Config::ApplicationDeposit`] on the
//! applicant's account until it is decided or withdrawn: the waiting list is short, and filling
//! it to keep other farmers out locks that much per place.
//!
//! ## When changes take effect
//!
//! The pallet is pallet-session's session manager: at each session boundary, when the approved
//! set changed, it hands the session pallet the approved validators that have keys, and they
//! become the authorities (Aura and GRANDPA) one session later, as pallet-session plans a
//! session ahead. A change approved in session `s` therefore takes effect at the start of
//! session `s + 2`; a removed validator keeps authoring until then.
//!
//! ## Sessions
//!
//! A session lasts [`SessionLength`] blocks, set in the chain's genesis and by the council
//! ([`Pallet::set_session_length`], within [`Config::MinSessionLength`] and
//! [`Config::MaxSessionLength`]); the pallet tells pallet-session when one ends. Each session's
//! first block is full (pallet-session's rotation takes the whole block's weight), so sessions
//! should not be too short: the runtime allows 5 blocks (30 s) at least, which development
//! chains use so tests are quick, and a production chain keeps an hour or more.
//!
//! ## Bounds
//!
//! The set never drops below [`MinimumValidators`] (a removal or withdrawal that would is
//! refused with [`Error::TooFewValidators`]; the council sets the minimum, at most the set's
//! size, with [`Pallet::set_minimum_validators`]) nor grows past [`Config::MaxValidators`].
//!
//! ## Validators that author nothing
//!
//! Every block's author is noted (pallet-authorship's event handler). A validator that authored
//! no block in [`Config::OfflineSessions`] sessions in a row, counted from the first session it
//! was an authority in, is dropped from the next set ([`Event::ValidatorDroppedOffline`]); it
//! may apply again. Drops never take the set below the minimum.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
mod session;
#[cfg(test)]
mod tests;
pub mod weights;

/// A session's number (as pallet-session counts them).
pub type SessionIndex = u32;

/// The balance type of the pallet's currency.
pub type BalanceOf<T> = <<T as Config>::Currency as frame_support::traits::fungible::Inspect<
	<T as frame_system::Config>::AccountId,
>>::Balance;

/// An application waiting for the admission circle.
#[derive(
	codec::Encode,
	codec::Decode,
	codec::DecodeWithMemTracking,
	codec::MaxEncodedLen,
	Clone,
	PartialEq,
	Eq,
	Debug,
	scale_info::TypeInfo,
)]
pub struct Application<BlockNumber, Balance> {
	/// The block it was made in.
	pub applied_at: BlockNumber,
	/// What it holds on the applicant's account until it is decided or withdrawn.
	pub deposit: Balance,
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{self, hold::Mutate as _},
			tokens::Precision,
			Contains, ValidatorRegistration,
		},
	};
	use frame_system::pallet_prelude::*;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why the pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// An application to validate, until it is decided or withdrawn.
		#[codec(index = 0)]
		Application,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The currency application deposits are held in.
		type Currency: fungible::Mutate<Self::AccountId>
			+ fungible::hold::Mutate<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reasons.
		type RuntimeHoldReason: From<HoldReason>;

		/// What an application holds on the applicant's account until it is decided or
		/// withdrawn.
		#[pallet::constant]
		type ApplicationDeposit: Get<BalanceOf<Self>>;

		/// The accounts that may apply: farmers, owning a farm with at least one node.
		type Farmers: Contains<Self::AccountId>;

		/// Whether an account registered session keys (pallet-session).
		type KeysRegistered: ValidatorRegistration<Self::AccountId>;

		/// Who admits and removes validators: in the runtime, the guardian circle that holds
		/// the validator-admission role.
		type AdmissionOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Who sets the minimum number of validators and the session length: the council.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The most validators the set may have.
		#[pallet::constant]
		type MaxValidators: Get<u32>;

		/// The most applications waiting at once.
		#[pallet::constant]
		type MaxApplications: Get<u32>;

		/// Sessions in a row without a block after which a validator is dropped.
		#[pallet::constant]
		type OfflineSessions: Get<SessionIndex>;

		/// The shortest session, in blocks.
		#[pallet::constant]
		type MinSessionLength: Get<BlockNumberFor<Self>>;

		/// The longest session, in blocks.
		#[pallet::constant]
		type MaxSessionLength: Get<BlockNumberFor<Self>>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;

		/// Benchmarks: makes accounts farmers with session keys.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The approved validators, sorted: the set the session manager hands pallet-session.
	#[pallet::storage]
	pub type Approved<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	/// Whether the approved set changed since it was last handed to pallet-session.
	#[pallet::storage]
	pub type SetChanged<T: Config> = StorageValue<_, bool, ValueQuery>;

	/// Applications waiting for the admission circle.
	#[pallet::storage]
	pub type Applications<T: Config> = CountedStorageMap<
		_,
		Twox64Concat,
		T::AccountId,
		Application<BlockNumberFor<T>, BalanceOf<T>>,
	>;

	/// The last session each validator authored a block in (or, for a validator not yet an
	/// authority, the session before the first it will be one in).
	#[pallet::storage]
	pub type LastAuthored<T: Config> =
		StorageMap<_, Twox64Concat, T::AccountId, SessionIndex, ValueQuery>;

	/// The session under way.
	#[pallet::storage]
	pub type CurrentSession<T: Config> = StorageValue<_, SessionIndex, ValueQuery>;

	/// The block the session under way started in.
	#[pallet::storage]
	pub type SessionStart<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// How many blocks a session lasts.
	#[pallet::storage]
	pub type SessionLength<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The fewest validators the set may have (at least one).
	#[pallet::storage]
	pub type MinimumValidators<T: Config> = StorageValue<_, u32, ValueQuery>;

	#[pallet::genesis_config]
	pub struct GenesisConfig<T: Config> {
		/// The validators at genesis (each needs its session keys in pallet-session's genesis).
		pub validators: alloc::vec::Vec<T::AccountId>,
		/// The fewest validators the set may have: at least one, at most the genesis set.
		pub minimum_validators: u32,
		/// How many blocks a session lasts.
		pub session_length: BlockNumberFor<T>,
	}

	impl<T: Config> Default for GenesisConfig<T> {
		fn default() -> Self {
			Self {
				validators: alloc::vec::Vec::new(),
				minimum_validators: 1,
				session_length: T::MaxSessionLength::get(),
			}
		}
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let mut validators = self.validators.clone();
			validators.sort();
			validators.dedup();
			// None (the default) leaves the first sessions to pallet-session's genesis keys; a
			// chain's genesis lists its validators, at least the minimum.
			assert!(self.minimum_validators >= 1, "the minimum number of validators is one");
			assert!(
				validators.is_empty() || validators.len() as u32 >= self.minimum_validators,
				"fewer genesis validators than the minimum"
			);
			assert!(
				(T::MinSessionLength::get()..=T::MaxSessionLength::get())
					.contains(&self.session_length),
				"the genesis session length is out of the runtime's bounds"
			);
			let validators = BoundedVec::<_, T::MaxValidators>::try_from(validators)
				.expect("more genesis validators than the maximum");
			Approved::<T>::put(validators);
			MinimumValidators::<T>::put(self.minimum_validators);
			SessionLength::<T>::put(self.session_length);
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(_: BlockNumberFor<T>) -> Weight {
			// Every block, pallet-session asks whether the session ends (two reads) and
			// pallet-authorship has the author noted (the set, its last session: two reads, a
			// write); neither counts it.
			T::DbWeight::get().reads_writes(4, 1)
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A farmer applied to be a validator; `deposit` is held until the application is
		/// decided or withdrawn.
		Applied { who: T::AccountId, deposit: BalanceOf<T> },
		/// The admission circle approved a validator: it authors from the session after next.
		ValidatorApproved { who: T::AccountId },
		/// The admission circle rejected an application.
		ApplicationRejected { who: T::AccountId },
		/// An applicant withdrew its application.
		ApplicationWithdrawn { who: T::AccountId },
		/// The admission circle removed a validator: it stops from the session after next.
		ValidatorRemoved { who: T::AccountId },
		/// A validator left: it stops from the session after next.
		ValidatorWithdrew { who: T::AccountId },
		/// A validator authored no block in `sessions` sessions in a row: it is out of the next
		/// set, and may apply again.
		ValidatorDroppedOffline { who: T::AccountId, last_authored: SessionIndex, sessions: u32 },
		/// The approved set was handed to pallet-session: these validators author from session
		/// `from_session`.
		NewSetPlanned { from_session: SessionIndex, validators: u32 },
		/// The council set the fewest validators the set may have.
		MinimumValidatorsSet { minimum: u32 },
		/// The council set the session length: the session under way ends `length` blocks
		/// after it started (at the next block if that is past).
		SessionLengthSet { length: BlockNumberFor<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// Only a farmer (an account owning a farm with at least one registered node) applies
		/// or is approved.
		NotAFarmer,
		/// The applicant cannot hold the application deposit.
		CannotPayDeposit,
		/// Set session keys first (`session.setKeys`).
		NoSessionKeys,
		/// Already a validator.
		AlreadyValidator,
		/// Already applied.
		AlreadyApplied,
		/// As many applications wait as the pallet keeps: try later.
		TooManyApplications,
		/// No application from this account.
		NoApplication,
		/// Not a validator.
		NotValidator,
		/// Neither a validator nor an applicant.
		NothingToWithdraw,
		/// The set would drop below the minimum number of validators.
		TooFewValidators,
		/// The set has the maximum number of validators.
		TooManyValidators,
		/// The minimum must be at least one and at most the number of validators.
		InvalidMinimum,
		/// The session length is outside the runtime's bounds.
		SessionLengthOutOfBounds,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Applies to be a validator.
		///
		/// - Origin: a farmer (owns a farm with at least one registered node) whose session
		///   keys are registered.
		/// - Effect: the application waits for the admission circle, holding
		///   [`Config::ApplicationDeposit`] on the applicant's account.
		/// - Errors: [`Error::NotAFarmer`], [`Error::NoSessionKeys`], [`Error::AlreadyValidator`],
		///   [`Error::AlreadyApplied`], [`Error::TooManyApplications`],
		///   [`Error::CannotPayDeposit`].
		/// - Event: [`Event::Applied`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::apply())]
		pub fn apply(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(T::Farmers::contains(&who), Error::<T>::NotAFarmer);
			ensure!(T::KeysRegistered::is_registered(&who), Error::<T>::NoSessionKeys);
			ensure!(!Self::is_validator(&who), Error::<T>::AlreadyValidator);
			ensure!(!Applications::<T>::contains_key(&who), Error::<T>::AlreadyApplied);
			ensure!(
				Applications::<T>::count() < T::MaxApplications::get(),
				Error::<T>::TooManyApplications
			);
			let deposit = T::ApplicationDeposit::get();
			T::Currency::hold(&HoldReason::Application.into(), &who, deposit)
				.map_err(|_| Error::<T>::CannotPayDeposit)?;
			let applied_at = frame_system::Pallet::<T>::block_number();
			Applications::<T>::insert(&who, Application { applied_at, deposit });
			Self::deposit_event(Event::Applied { who, deposit });
			Ok(())
		}

		/// Approves an application.
		///
		/// - Origin: [`Config::AdmissionOrigin`].
		/// - Effect: the applicant joins the approved set; it authors from the session after
		///   next, if its keys are still registered then. Its deposit is released.
		/// - Errors: [`Error::NoApplication`], [`Error::NotAFarmer`] (no longer),
		///   [`Error::NoSessionKeys`], [`Error::AlreadyValidator`], [`Error::TooManyValidators`].
		/// - Event: [`Event::ValidatorApproved`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::approve())]
		pub fn approve(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::AdmissionOrigin::ensure_origin(origin)?;
			let application = Applications::<T>::get(&who).ok_or(Error::<T>::NoApplication)?;
			ensure!(T::Farmers::contains(&who), Error::<T>::NotAFarmer);
			ensure!(T::KeysRegistered::is_registered(&who), Error::<T>::NoSessionKeys);
			let mut validators = Approved::<T>::get();
			let position =
				validators.binary_search(&who).err().ok_or(Error::<T>::AlreadyValidator)?;
			validators
				.try_insert(position, who.clone())
				.map_err(|_| Error::<T>::TooManyValidators)?;
			Approved::<T>::put(validators);
			Self::close_application(&who, application);
			// It becomes an authority two sessions from now: its offline count starts then.
			LastAuthored::<T>::insert(&who, CurrentSession::<T>::get().saturating_add(1));
			SetChanged::<T>::put(true);
			Self::deposit_event(Event::ValidatorApproved { who });
			Ok(())
		}

		/// Rejects an application.
		///
		/// - Origin: [`Config::AdmissionOrigin`].
		/// - Effect: the application is gone, its deposit released.
		/// - Errors: [`Error::NoApplication`].
		/// - Event: [`Event::ApplicationRejected`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::reject())]
		pub fn reject(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::AdmissionOrigin::ensure_origin(origin)?;
			let application = Applications::<T>::get(&who).ok_or(Error::<T>::NoApplication)?;
			Self::close_application(&who, application);
			Self::deposit_event(Event::ApplicationRejected { who });
			Ok(())
		}

		/// Removes a validator.
		///
		/// - Origin: [`Config::AdmissionOrigin`].
		/// - Effect: it leaves the approved set; it stops authoring from the session after next.
		/// - Errors: [`Error::NotValidator`], [`Error::TooFewValidators`].
		/// - Event: [`Event::ValidatorRemoved`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::remove())]
		pub fn remove(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::AdmissionOrigin::ensure_origin(origin)?;
			Self::take_out(&who)?;
			Self::deposit_event(Event::ValidatorRemoved { who });
			Ok(())
		}

		/// Leaves the validators, or withdraws an application.
		///
		/// - Origin: a validator or an applicant.
		/// - Effect: a validator leaves the approved set (it stops authoring from the session
		///   after next: keep the node running until then); an application is gone and its
		///   deposit released.
		/// - Errors: [`Error::TooFewValidators`], [`Error::NothingToWithdraw`].
		/// - Events: [`Event::ValidatorWithdrew`], [`Event::ApplicationWithdrawn`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::withdraw().max(T::WeightInfo::withdraw_application()))]
		pub fn withdraw(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			if Self::is_validator(&who) {
				Self::take_out(&who)?;
				Self::deposit_event(Event::ValidatorWithdrew { who });
			} else {
				let application =
					Applications::<T>::get(&who).ok_or(Error::<T>::NothingToWithdraw)?;
				Self::close_application(&who, application);
				Self::deposit_event(Event::ApplicationWithdrawn { who });
			}
			Ok(())
		}

		/// Sets the fewest validators the set may have.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - `minimum`: at least one, at most the number of approved validators.
		/// - Errors: [`Error::InvalidMinimum`].
		/// - Event: [`Event::MinimumValidatorsSet`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::set_minimum_validators())]
		pub fn set_minimum_validators(origin: OriginFor<T>, minimum: u32) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(
				minimum >= 1 && minimum as usize <= Approved::<T>::decode_len().unwrap_or(0),
				Error::<T>::InvalidMinimum
			);
			MinimumValidators::<T>::put(minimum);
			Self::deposit_event(Event::MinimumValidatorsSet { minimum });
			Ok(())
		}

		/// Sets how many blocks a session lasts.
		///
		/// - Origin: [`Config::GovernanceOrigin`].
		/// - `length`: within [`Config::MinSessionLength`] and [`Config::MaxSessionLength`].
		/// - Effect: the session under way ends `length` blocks after it started, or at the
		///   next block if that is past.
		/// - Errors: [`Error::SessionLengthOutOfBounds`].
		/// - Event: [`Event::SessionLengthSet`].
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::set_session_length())]
		pub fn set_session_length(
			origin: OriginFor<T>,
			length: BlockNumberFor<T>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(
				(T::MinSessionLength::get()..=T::MaxSessionLength::get()).contains(&length),
				Error::<T>::SessionLengthOutOfBounds
			);
			SessionLength::<T>::put(length);
			Self::deposit_event(Event::SessionLengthSet { length });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Whether `who` is in the approved set.
		pub fn is_validator(who: &T::AccountId) -> bool {
			Approved::<T>::get().binary_search(who).is_ok()
		}

		/// Removes `who`'s application and releases its deposit.
		fn close_application(
			who: &T::AccountId,
			application: Application<BlockNumberFor<T>, BalanceOf<T>>,
		) {
			Applications::<T>::remove(who);
			// Held by `apply`: the whole of it is there (holds are not slashed here).
			let _ = T::Currency::release(
				&HoldReason::Application.into(),
				who,
				application.deposit,
				Precision::BestEffort,
			);
		}

		/// The fewest validators the set may have (one if the genesis did not say).
		pub fn minimum_validators() -> u32 {
			MinimumValidators::<T>::get().max(1)
		}

		/// Takes `who` out of the approved set, if the set stays at the minimum or above.
		fn take_out(who: &T::AccountId) -> DispatchResult {
			let mut validators = Approved::<T>::get();
			let position = validators.binary_search(who).map_err(|_| Error::<T>::NotValidator)?;
			ensure!(
				validators.len() as u32 > Self::minimum_validators(),
				Error::<T>::TooFewValidators
			);
			validators.remove(position);
			Approved::<T>::put(validators);
			LastAuthored::<T>::remove(who);
			SetChanged::<T>::put(true);
			Ok(())
		}
	}
}

/// What benchmarks need of the runtime beyond this pallet's config.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Makes `who` a farmer (a farm with a node) with its session keys registered.
	fn farmer_with_keys(who: &AccountId);
}
