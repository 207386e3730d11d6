//! # Smart-contract pallet: agreements for IT
//!
//! A grid user (a twin) and a farm agree on chain on workloads that one of the farm's nodes
//! runs. The chain holds the user's funds in escrow, pays the farm as the workloads run, and
//! tracks each agreement's state until ZOS has removed the workloads.
//!
//! ## Overview
//!
//! - [`Pallet::create_node_contract`]: a twin asks for workloads (a ZOS volume for now) on a
//!   node, with a deposit. The chain computes the ZOS deployment challenge hash itself (with
//!   `zos-client`, the same code the ZOS simulator uses), verifies the twin's sr25519 signature
//!   over it, reserves the node's capacity, fixes the price at the farm's current pricing
//!   policy (never below [`Config::MinimumCostPerHour`]), moves the deposit into escrow and
//!   holds a storage deposit for the records.
//! - [`Pallet::report_deployment`]: the farm's operator (its off-chain worker) reports what ZOS
//!   made of it: deployed (billing starts), failed (the deposit is refunded in full), paused or
//!   resumed (grace), or, after a cancellation, deleted (the node's capacity is released).
//! - [`Pallet::top_up`] adds to the escrow; [`Pallet::cancel_contract`] ends an agreement and
//!   refunds what is unspent; [`Pallet::pay_farm`] pays a farm everything it earned, by anyone,
//!   in one call whatever the number of its agreements; [`Pallet::pay_debt`] pays what a twin
//!   still owes a farm after an agreement ended in debt.
//!
//! ## Billing
//!
//! See the [`billing`] module. In short: escrow sits in the pallet's account; each agreement's
//! escrow is computed from its record rather than updated every block, and each farm has one
//! ledger whose rate is the sum of its deployed agreements' rates, so paying a farm is constant
//! work. Amounts accrue in exact *fine units*; rounding happens only when they become currency
//! units, and the remainder always goes to the farm, never lost or created.
//!
//! ## The depletion index
//!
//! See the [`schedule`] module: each agreement that can change state by itself (its escrow
//! runs out, its grace period ends, it was never deployed in time) is listed under the block
//! where that happens, in pages that never fill up. A block's hook looks only at its own
//! entries, up to [`Config::CheckPagesPerBlock`] pages; a larger burst is finished in the next
//! blocks, and farm payouts wait until it is.
//!
//! ## Off-chain worker
//!
//! Each agreement created, paused, restored or cancelled leaves a [`PendingAction`] for its
//! farm. The node that holds the farm's operator key (key type `zos!`) carries it out on the
//! ZOS node through `zos-client` and reports the outcome with a signed `report_deployment`;
//! see the [`offchain`] module.
//!
//! ## States
//!
//! `Created` -> `Deployed` | `Failed` (refunded, removed) | `Cancelled(NotDeployed)`;
//! `Deployed` <-> `GracePeriod` (paused on ZOS); `Deployed` | `GracePeriod` -> `Cancelled` ->
//! `Deleted` (capacity released, removed). See [`ContractState`].

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

mod agreements;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod billing;
#[cfg(any(feature = "try-runtime", test))]
mod invariants;
#[cfg(test)]
mod mock;
pub mod offchain;
#[cfg(test)]
mod offchain_tests;
#[cfg(test)]
mod proptests;
pub mod schedule;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;
pub mod zos;

sp_api::decl_runtime_apis! {
	/// Quotes agreements before a user commits to one, and shows their money after.
	pub trait SmartContractApi<Balance, BlockNumber> where
		Balance: codec::Codec,
		BlockNumber: codec::Codec,
	{
		/// The cost per hour of `workloads` on `node_id` at its farm's current prices, or why
		/// no agreement could be made for them.
		fn quote_cost_per_hour(
			node_id: gridchain_primitives::grid::NodeId,
			workloads: alloc::vec::Vec<WorkloadKind>,
		) -> Result<Balance, sp_runtime::DispatchError>;
		/// An agreement's escrow, debt and cost so far, now.
		fn escrow(contract_id: ContractId) -> Option<EscrowView<Balance, BlockNumber>>;
		/// What `pay_farm` would pay the farm now.
		fn farm_earnings(farm_id: gridchain_primitives::grid::FarmId) -> Balance;
		/// What a twin owes a farm from agreements that ended in debt.
		fn twin_debt(
			twin_id: gridchain_primitives::grid::TwinId,
			farm_id: gridchain_primitives::grid::FarmId,
		) -> Balance;
	}

	/// What a ZOS node (and a user making an agreement) asks the chain.
	pub trait ZosApi {
		/// The agreement behind a deployment's contract id.
		fn agreement(contract_id: ContractId) -> Option<zos_client::chain::AgreementView>;
		/// The public key of a twin.
		fn twin_key(twin_id: gridchain_primitives::grid::TwinId) -> Option<[u8; 32]>;
		/// The operator that accepted to serve the farm of a node: its account, the sr25519
		/// key that signs the envelopes a node must answer; `None` without one.
		fn node_operator(node_id: gridchain_primitives::grid::NodeId) -> Option<[u8; 32]>;
		/// The deployment challenge a twin signs for an agreement on these workloads and texts
		/// (the `signature` argument of `create_node_contract`).
		fn deployment_challenge(
			twin_id: gridchain_primitives::grid::TwinId,
			workloads: alloc::vec::Vec<WorkloadArgument>,
			metadata: alloc::vec::Vec<u8>,
			description: alloc::vec::Vec<u8>,
			style: SignatureStyle,
		) -> Result<ChallengeView, sp_runtime::DispatchError>;
	}
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, InspectHold, Mutate, MutateHold},
			tokens::Preservation,
			ConstU64,
		},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use gridchain_primitives::grid::{FarmId, GridRegistry, NodeId, TwinId};
	use sp_runtime::{
		traits::{AccountIdConversion, Zero},
		AccountId32,
	};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The storage deposit of an agreement's records, returned when they are removed.
		#[codec(index = 1)]
		AgreementDeposit,
	}

	#[pallet::config]
	pub trait Config:
		frame_system::Config<AccountId = AccountId32>
		+ frame_system::offchain::CreateSignedTransaction<Call<Self>>
	{
		/// The crypto of farm operator keys, with which the off-chain worker signs its reports
		/// (see [`offchain::crypto::OperatorKey`]).
		type AuthorityId: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>;

		/// The currency of escrows, deposits and payments.
		type Currency: Inspect<Self::AccountId>
			+ Mutate<Self::AccountId>
			+ InspectHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reasons.
		type RuntimeHoldReason: From<HoldReason>;

		/// Twins, farms, nodes, operators and payees.
		type Registry: GridRegistry<Self::AccountId, BalanceOf<Self>>;

		/// Blocks per hour: prices are per hour, billing is per block.
		#[pallet::constant]
		type BlocksPerHour: Get<u32>;

		/// Blocks an agreement with an exhausted escrow stays in its grace period.
		#[pallet::constant]
		type GracePeriod: Get<BlockNumberFor<Self>>;

		/// Blocks an agreement may wait for its deployment; after that it is cancelled and
		/// refunded in full.
		#[pallet::constant]
		type DeploymentTimeout: Get<BlockNumberFor<Self>>;

		/// The least an agreement costs per hour, whatever the farm's prices: nothing is free,
		/// so every agreement runs out some day.
		#[pallet::constant]
		type MinimumCostPerHour: Get<BalanceOf<Self>>;

		/// The storage deposit of an agreement: this much per agreement...
		#[pallet::constant]
		type DepositPerAgreement: Get<BalanceOf<Self>>;

		/// ...plus this much per byte its records take.
		#[pallet::constant]
		type DepositPerByte: Get<BalanceOf<Self>>;

		/// The most workloads in one agreement.
		#[pallet::constant]
		type MaxWorkloads: Get<u32>;

		/// The longest workload name, in bytes.
		#[pallet::constant]
		type MaxWorkloadNameLength: Get<u32>;

		/// The longest metadata, description or failure reason, in bytes.
		#[pallet::constant]
		type MaxTextLength: Get<u32>;

		/// How many agreements one page of the depletion index lists.
		#[pallet::constant]
		type CheckPageSize: Get<u32>;

		/// How many pages of the depletion index a block's hook works through at most.
		#[pallet::constant]
		type CheckPagesPerBlock: Get<u32>;

		/// How far ahead an agreement is listed at most: one whose escrow lasts longer is
		/// looked at again after this many blocks (and listed further on).
		#[pallet::constant]
		type CheckHorizon: Get<BlockNumberFor<Self>>;

		/// The pallet's account: it holds the escrows and the payments kept for payees.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;
	}

	/// Agreements by id: the small record billing reads and writes. Failed and deleted
	/// agreements are removed; their events remain.
	#[pallet::storage]
	pub type Contracts<T: Config> = StorageMap<_, Twox64Concat, ContractId, Contract<T>>;

	/// What each agreement fixed at creation (workloads, texts, signature, hash, resources).
	#[pallet::storage]
	pub type ContractTerms<T: Config> = StorageMap<_, Twox64Concat, ContractId, Terms<T>>;

	/// The id the next agreement gets.
	#[pallet::storage]
	pub type NextContractId<T: Config> = StorageValue<_, ContractId, ValueQuery, ConstU64<1>>;

	/// Each farm's earnings: accrued, and the rate at which they grow.
	#[pallet::storage]
	pub type FarmLedgers<T: Config> =
		StorageMap<_, Twox64Concat, FarmId, FarmLedger<BlockNumberFor<T>>, ValueQuery>;

	/// The depletion index: per block, pages of the agreements to look at in that block.
	#[pallet::storage]
	pub type CheckPages<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		Twox64Concat,
		u32,
		BoundedVec<ContractId, T::CheckPageSize>,
	>;

	/// How many pages each block of the depletion index has.
	#[pallet::storage]
	pub type CheckPageCount<T: Config> =
		StorageMap<_, Twox64Concat, BlockNumberFor<T>, u32, ValueQuery>;

	/// The first block whose checks have not all run. Past the current block when the hooks
	/// are up to date; farm payouts wait while it is not.
	#[pallet::storage]
	pub type CheckCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, OptionQuery>;

	/// The work of each farm's off-chain worker: per agreement, what it has to do next on the
	/// ZOS node. A farm has at most one per live agreement on its nodes (bounded by the
	/// registry's `MaxAgreementsPerNode`).
	#[pallet::storage]
	pub type PendingActions<T: Config> =
		StorageDoubleMap<_, Twox64Concat, FarmId, Twox64Concat, ContractId, PendingAction>;

	/// What twins still owe farms from agreements that ended in their grace period. A twin
	/// that owes anything makes no new agreement until it has paid.
	#[pallet::storage]
	pub type TwinDebts<T: Config> =
		StorageDoubleMap<_, Twox64Concat, TwinId, Twox64Concat, FarmId, BalanceOf<T>, ValueQuery>;

	/// How many farms each indebted twin owes.
	#[pallet::storage]
	pub type TwinDebtCount<T: Config> = StorageMap<_, Twox64Concat, TwinId, u32, ValueQuery>;

	/// Payments that could not reach their payee (an account that does not exist and a payment
	/// below the existential deposit), kept in the pallet's account until claimed.
	#[pallet::storage]
	pub type UnclaimedEarnings<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BalanceOf<T>, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			// The pallet account must exist: it holds escrows and small unclaimed payments.
			let account = Pallet::<T>::account_id();
			let minimum = <T as Config>::Currency::minimum_balance();
			if <T as Config>::Currency::balance(&account) < minimum {
				let _ = <T as Config>::Currency::mint_into(&account, minimum);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A twin made an agreement; it awaits deployment.
		ContractCreated {
			contract_id: ContractId,
			twin_id: TwinId,
			node_id: NodeId,
			deployment_hash: [u8; 32],
			deposit: BalanceOf<T>,
			cost_per_hour: BalanceOf<T>,
			storage_deposit: BalanceOf<T>,
		},
		/// ZOS deployed the workloads; billing started.
		ContractDeployed { contract_id: ContractId },
		/// ZOS refused the workloads (and does not have them); the deposit was refunded.
		ContractFailed {
			contract_id: ContractId,
			reason: FailureReasonOf<T>,
			refunded: BalanceOf<T>,
		},
		/// The owner added to the escrow; `escrow` is what it holds now.
		ContractToppedUp { contract_id: ContractId, amount: BalanceOf<T>, escrow: BalanceOf<T> },
		/// The escrow ran out at block `at`; the workloads are paused and the agreement is in
		/// its grace period until `ends_at`.
		ContractInGracePeriod {
			contract_id: ContractId,
			at: BlockNumberFor<T>,
			debt: BalanceOf<T>,
			ends_at: BlockNumberFor<T>,
		},
		/// A top-up paid the debt; the agreement runs again and its workloads are resumed.
		ContractRestored { contract_id: ContractId, debt_paid: BalanceOf<T> },
		/// ZOS paused the workloads of an agreement in its grace period.
		WorkloadsPaused { contract_id: ContractId },
		/// ZOS resumed the workloads of a restored agreement.
		WorkloadsResumed { contract_id: ContractId },
		/// The agreement ended; the unspent escrow was refunded and any unpaid debt recorded
		/// against the twin.
		ContractCancelled {
			contract_id: ContractId,
			cause: CancelCause,
			refunded: BalanceOf<T>,
			unpaid_debt: BalanceOf<T>,
		},
		/// ZOS removed the workloads; the node's capacity and the storage deposit were released.
		ContractDeleted { contract_id: ContractId },
		/// A farm was paid what it earned.
		FarmPaid { farm_id: FarmId, payee: T::AccountId, amount: BalanceOf<T> },
		/// A payee could not receive a payment (a new account below the existential deposit);
		/// it is kept for them to claim.
		PaymentKeptForPayee { farm_id: FarmId, payee: T::AccountId, amount: BalanceOf<T> },
		/// A payee claimed the payments kept for them.
		EarningsClaimed { payee: T::AccountId, amount: BalanceOf<T> },
		/// A twin paid what it owed a farm.
		DebtPaid { twin_id: TwinId, farm_id: FarmId, amount: BalanceOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The caller has no twin.
		NoTwin,
		/// No node has this id.
		NodeNotFound,
		/// No farm has this id.
		FarmNotFound,
		/// The node's farm has no operator that accepted to serve it: nobody would deploy.
		FarmHasNoOperator,
		/// An agreement needs at least one workload.
		NoWorkloads,
		/// More workloads than `MaxWorkloads`.
		TooManyWorkloads,
		/// A workload name is empty, too long, or has characters other than letters, digits
		/// and '_'.
		InvalidWorkloadName,
		/// Two workloads have the same name.
		DuplicateWorkloadName,
		/// A volume of size zero.
		ZeroSizeVolume,
		/// Metadata or a description is not UTF-8 text, or is too long.
		InvalidText,
		/// The signature does not verify against the twin's key over the deployment challenge.
		InvalidSignature,
		/// The node does not have this much free capacity.
		InsufficientCapacity,
		/// The node holds as many live agreements as it may.
		NodeAgreementLimitReached,
		/// The price of these resources, or an amount, does not fit in a number.
		PriceOverflow,
		/// The deposit does not cover one hour of the agreement.
		DepositBelowOneHour,
		/// The account cannot pay this much (its free balance is too low).
		InsufficientFunds,
		/// No agreement has this id.
		ContractNotFound,
		/// Only the agreement's owner may do this.
		NotContractOwner,
		/// Only the operator of the node's farm may report deployments.
		NotFarmOperator,
		/// This report does not fit the agreement's state or its pending action.
		InvalidStateTransition,
		/// The agreement has ended.
		ContractEnded,
		/// A top-up of zero.
		ZeroAmount,
		/// In the grace period a top-up must pay the debt and one more hour.
		TopUpDoesNotCoverDebt,
		/// The twin owes farms from agreements that ended in debt; it must pay first
		/// (`pay_debt`).
		TwinHasDebt,
		/// The twin owes this farm nothing.
		NoDebt,
		/// Agreements ran out in earlier blocks than the hooks have looked at yet (after a
		/// burst); earnings are exact again within a few blocks. Try again then.
		ChecksBehind,
		/// Nothing is kept for the caller.
		NothingToClaim,
		/// Every agreement id is taken.
		IdsExhausted,
		/// The auditors suspended the node: it takes no new agreements.
		NodeSuspended,
	}

	/// What the farm's operator reports about an agreement.
	#[derive(Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo)]
	#[scale_info(skip_type_params(T))]
	pub enum DeploymentOutcome<Reason> {
		/// ZOS runs the workloads.
		Deployed,
		/// ZOS refused the workloads, with its message, and does not have them.
		Failed(Reason),
		/// ZOS removed the workloads of a cancelled agreement.
		Deleted,
		/// ZOS paused the workloads of an agreement in its grace period.
		Paused,
		/// ZOS resumed the workloads of a restored agreement.
		Resumed,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::run_checks(now)
		}

		fn offchain_worker(now: BlockNumberFor<T>) {
			Self::run_offchain_worker(now);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(now: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state(now)
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Makes an agreement for `workloads` on `node_id`, funded with `deposit`.
		///
		/// - Origin: signed, by an account with a twin that owes no farm.
		/// - `metadata`, `description`: the deployment's texts, part of the challenge.
		/// - `signature`: the twin's sr25519 signature over the ZOS deployment challenge hash
		///   (version 0, this twin, these workloads, one signature request for the twin with
		///   weight 1, weight required 1), in its style (see the `deployment_challenge` runtime
		///   API).
		/// - `deposit`: moved into escrow; at least one hour of the agreement's cost.
		/// - Effect: reserves the workloads' resources on the node, fixes the price at the
		///   farm's current policy (at least [`Config::MinimumCostPerHour`]), moves the deposit
		///   into escrow, holds the storage deposit, stores the terms, and leaves a `Deploy`
		///   action for the farm's off-chain worker. State `Created`: nothing is billed until
		///   the farm reports the deployment, and after [`Config::DeploymentTimeout`] without
		///   one it is cancelled and refunded in full.
		/// - Errors: [`Error::NoTwin`], [`Error::TwinHasDebt`], [`Error::NodeNotFound`],
		///   [`Error::NodeSuspended`],
		///   [`Error::FarmNotFound`], [`Error::FarmHasNoOperator`], [`Error::NoWorkloads`],
		///   [`Error::TooManyWorkloads`], [`Error::InvalidWorkloadName`],
		///   [`Error::DuplicateWorkloadName`], [`Error::ZeroSizeVolume`],
		///   [`Error::InvalidText`], [`Error::InvalidSignature`],
		///   [`Error::InsufficientCapacity`], [`Error::NodeAgreementLimitReached`],
		///   [`Error::PriceOverflow`], [`Error::DepositBelowOneHour`],
		///   [`Error::InsufficientFunds`], [`Error::IdsExhausted`].
		/// - Event: [`Event::ContractCreated`].
		#[pallet::call_index(0)]
		#[pallet::weight(<T as Config>::WeightInfo::create_node_contract(
			workloads.len() as u32,
			Pallet::<T>::text_length(workloads, metadata, description),
		))]
		pub fn create_node_contract(
			origin: OriginFor<T>,
			node_id: NodeId,
			workloads: Vec<Workload<T>>,
			metadata: TextOf<T>,
			description: TextOf<T>,
			signature: DeploymentSignature,
			deposit: BalanceOf<T>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_create(owner, node_id, workloads, metadata, description, signature, deposit)
		}

		/// Adds `amount` to an agreement's escrow. In the grace period the top-up must pay the
		/// debt and at least one more hour: the debt goes to the farm, the rest into escrow,
		/// and the agreement runs again (its workloads are resumed).
		///
		/// - Origin: signed, by the agreement's owner.
		/// - Errors: [`Error::ContractNotFound`], [`Error::NotContractOwner`],
		///   [`Error::ContractEnded`], [`Error::ZeroAmount`], [`Error::TopUpDoesNotCoverDebt`],
		///   [`Error::PriceOverflow`], [`Error::InsufficientFunds`].
		/// - Events: [`Event::ContractToppedUp`], [`Event::ContractRestored`], and from
		///   settling: [`Event::ContractInGracePeriod`], [`Event::ContractCancelled`].
		#[pallet::call_index(1)]
		#[pallet::weight(<T as Config>::WeightInfo::top_up())]
		pub fn top_up(
			origin: OriginFor<T>,
			contract_id: ContractId,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let contract = Self::owned_contract(&who, contract_id)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			Self::do_top_up(contract_id, contract, amount, billing::TopUpSource::Owner)
		}

		/// Ends an agreement. What it cost until now is the farm's; the unspent escrow is
		/// refunded at once (all of it before deployment); a debt from the grace period is
		/// recorded against the twin. The workloads' capacity stays reserved until the farm
		/// confirms ZOS removed them: a `Delete` action is left for the farm's off-chain
		/// worker.
		///
		/// - Origin: signed, by the agreement's owner.
		/// - Errors: [`Error::ContractNotFound`], [`Error::NotContractOwner`],
		///   [`Error::ContractEnded`].
		/// - Event: [`Event::ContractCancelled`].
		#[pallet::call_index(2)]
		#[pallet::weight(<T as Config>::WeightInfo::cancel_contract())]
		pub fn cancel_contract(origin: OriginFor<T>, contract_id: ContractId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut contract = Self::owned_contract(&who, contract_id)?;
			ensure!(contract.state.is_open(), Error::<T>::ContractEnded);
			let now = frame_system::Pallet::<T>::block_number();
			// It may have ended by itself since it was last looked at (out of funds, never
			// deployed); then that stands.
			Self::advance(contract_id, &mut contract, now);
			Self::end_contract(contract_id, &mut contract, CancelCause::ByUser, now);
			Contracts::<T>::insert(contract_id, contract);
			Ok(())
		}

		/// Reports what ZOS made of an agreement's deployment, or of its pause or resumption.
		///
		/// - Origin: signed, by the operator account of the node's farm (one that accepted).
		/// - `Deployed` (from `Created`): billing starts at this block.
		/// - `Failed(reason)` (from `Created`): the node does not have the workloads; the
		///   deposit is refunded in full, the capacity released, and the agreement removed.
		/// - `Paused` / `Resumed`: ZOS did the pending `Pause` / `Resume`.
		/// - `Deleted` (from `Cancelled`): the capacity and the storage deposit are released and
		///   the agreement removed.
		/// - Each accepted report takes the agreement's action off the farm's pending actions.
		/// - Weight: benchmarked per outcome.
		/// - Errors: [`Error::ContractNotFound`], [`Error::NotFarmOperator`],
		///   [`Error::InvalidStateTransition`].
		/// - Events: [`Event::ContractDeployed`], [`Event::ContractFailed`],
		///   [`Event::WorkloadsPaused`], [`Event::WorkloadsResumed`], [`Event::ContractDeleted`].
		#[pallet::call_index(3)]
		#[pallet::weight(match outcome {
			DeploymentOutcome::Deployed => <T as Config>::WeightInfo::report_deployed(),
			DeploymentOutcome::Failed(_) => <T as Config>::WeightInfo::report_failed(),
			DeploymentOutcome::Deleted => <T as Config>::WeightInfo::report_deleted(),
			DeploymentOutcome::Paused | DeploymentOutcome::Resumed =>
				<T as Config>::WeightInfo::report_paused(),
		})]
		pub fn report_deployment(
			origin: OriginFor<T>,
			contract_id: ContractId,
			outcome: DeploymentOutcome<FailureReasonOf<T>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let contract = Contracts::<T>::get(contract_id).ok_or(Error::<T>::ContractNotFound)?;
			ensure!(
				T::Registry::farm_operator(contract.farm_id).as_ref() == Some(&who),
				Error::<T>::NotFarmOperator
			);
			Self::do_report(contract_id, contract, outcome)
		}

		/// Brings an agreement up to date: an escrow that ran out starts the grace period, a
		/// grace period past its end cancels it. The block hooks do this when it happens; this
		/// call serves only while they are catching up after a burst. Anyone may call it.
		///
		/// - Origin: signed, anyone.
		/// - Errors: [`Error::ContractNotFound`].
		/// - Events: [`Event::ContractInGracePeriod`], [`Event::ContractCancelled`].
		#[pallet::call_index(4)]
		#[pallet::weight(<T as Config>::WeightInfo::settle())]
		pub fn settle(origin: OriginFor<T>, contract_id: ContractId) -> DispatchResult {
			ensure_signed(origin)?;
			let mut contract =
				Contracts::<T>::get(contract_id).ok_or(Error::<T>::ContractNotFound)?;
			let now = frame_system::Pallet::<T>::block_number();
			Self::advance(contract_id, &mut contract, now);
			Contracts::<T>::insert(contract_id, contract);
			Ok(())
		}

		/// Pays the caller the payments that were kept for them because they could not receive
		/// them at the time.
		///
		/// - Origin: signed, by a payee with kept payments.
		/// - Errors: [`Error::NothingToClaim`], and the currency's error if the caller still
		///   cannot receive the amount.
		/// - Event: [`Event::EarningsClaimed`].
		#[pallet::call_index(5)]
		#[pallet::weight(<T as Config>::WeightInfo::claim_earnings())]
		pub fn claim_earnings(origin: OriginFor<T>) -> DispatchResult {
			let payee = ensure_signed(origin)?;
			let amount = UnclaimedEarnings::<T>::get(&payee);
			ensure!(!amount.is_zero(), Error::<T>::NothingToClaim);
			<T as Config>::Currency::transfer(
				&Self::account_id(),
				&payee,
				amount,
				Preservation::Preserve,
			)?;
			UnclaimedEarnings::<T>::remove(&payee);
			Self::deposit_event(Event::EarningsClaimed { payee, amount });
			Ok(())
		}

		/// Pays a farm everything its agreements earned up to this block, to its payee (the
		/// owner, or its cooperative's account). The work is the same whatever the number of
		/// the farm's agreements. Anyone may call it.
		///
		/// - Origin: signed, anyone.
		/// - Errors: [`Error::ChecksBehind`] (only right after a burst of agreements ran out
		///   together; try a few blocks later).
		/// - Events: [`Event::FarmPaid`] or [`Event::PaymentKeptForPayee`] (nothing when
		///   nothing is due).
		#[pallet::call_index(6)]
		#[pallet::weight(Pallet::<T>::pay_farm_weight())]
		pub fn pay_farm(origin: OriginFor<T>, farm_id: FarmId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::pay_out_farm(farm_id)
		}

		/// Pays what the caller's twin owes a farm from agreements that ended in debt. The
		/// twin can make agreements again once it owes nothing.
		///
		/// - Origin: signed, by the twin's account.
		/// - Errors: [`Error::NoTwin`], [`Error::NoDebt`], [`Error::InsufficientFunds`].
		/// - Event: [`Event::DebtPaid`].
		#[pallet::call_index(7)]
		#[pallet::weight(<T as Config>::WeightInfo::pay_debt())]
		pub fn pay_debt(origin: OriginFor<T>, farm_id: FarmId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let twin_id = T::Registry::twin_of(&who).ok_or(Error::<T>::NoTwin)?;
			Self::do_pay_debt(&who, twin_id, farm_id)
		}
	}

	impl<T: Config> Pallet<T> {
		/// The pallet's account: it holds the escrows and the payments kept for payees.
		pub fn account_id() -> T::AccountId {
			<T as Config>::PalletId::get().into_account_truncating()
		}

		/// The agreement, if `who` owns it.
		fn owned_contract(
			who: &T::AccountId,
			contract_id: ContractId,
		) -> Result<Contract<T>, DispatchError> {
			let contract = Contracts::<T>::get(contract_id).ok_or(Error::<T>::ContractNotFound)?;
			ensure!(contract.owner == *who, Error::<T>::NotContractOwner);
			Ok(contract)
		}

		/// The bytes of text a new agreement carries (its texts and its workloads'), which its
		/// weight is charged by.
		pub fn text_length(workloads: &[Workload<T>], metadata: &[u8], description: &[u8]) -> u32 {
			let workload_texts = workloads
				.iter()
				.map(|w| w.metadata.len().saturating_add(w.description.len()))
				.fold(0usize, usize::saturating_add);
			let total =
				metadata.len().saturating_add(description.len()).saturating_add(workload_texts);
			u32::try_from(total).unwrap_or(u32::MAX)
		}
	}
}
