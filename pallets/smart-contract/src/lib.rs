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
//!   policy, and holds the deposit.
//! - [`Pallet::report_deployment`]: the farm's operator (its off-chain worker) reports what ZOS
//!   made of it: deployed (billing starts), failed (the deposit is refunded in full), or, after
//!   a cancellation, deleted (the node's capacity is released).
//! - [`Pallet::top_up`] adds to the escrow; [`Pallet::cancel_contract`] ends an agreement and
//!   refunds what is unspent; [`Pallet::settle`] pays the farm what is due, by anyone.
//!
//! ## Off-chain worker
//!
//! Each agreement created or cancelled leaves a [`PendingAction`] for its farm. The node that
//! holds the farm's operator key (key type `zos!`) deploys or deletes the workloads on the ZOS
//! node through `zos-client` and reports the outcome with a signed `report_deployment`; see
//! the [`offchain`] module.
//!
//! ## Billing
//!
//! Cost accrues per block at the agreement's fixed [`Rate`], as an exact fraction: the
//! cumulative cost since billing started is charged minus what was charged before, so rounding
//! never creates or loses a unit. Settlement is lazy (every touch of an agreement settles it)
//! plus a bounded sweep each block, so farms are paid regularly without any transaction.
//!
//! Each billed agreement has one entry in a *depletion index* keyed by the block at which its
//! escrow runs out. A block's hook looks only at the agreements in its own entry, so detecting
//! exhausted escrows costs work proportional to the agreements that run out in that block,
//! never a scan of all agreements. An agreement whose escrow runs out enters its grace period;
//! a top-up that covers the debt restores it, otherwise it is cancelled when grace ends.
//!
//! ## States
//!
//! `Created` -> `Deployed` | `Failed` (refunded, removed) -> `GracePeriod` -> `Cancelled` ->
//! `Deleted` (capacity released, removed). See [`ContractState`].

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod billing;
#[cfg(test)]
mod mock;
pub mod offchain;
#[cfg(test)]
mod offchain_tests;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

sp_api::decl_runtime_apis! {
	/// Quotes agreements before a user commits to one.
	pub trait SmartContractApi<Balance> where Balance: codec::Codec {
		/// The cost per hour of `workloads` on `node_id` at its farm's current prices, or why
		/// no agreement could be made for them.
		fn quote_cost_per_hour(
			node_id: pallet_registry::NodeId,
			workloads: alloc::vec::Vec<WorkloadKind>,
		) -> Result<Balance, sp_runtime::DispatchError>;
	}

	/// What a ZOS node asks the chain before it deploys or deletes.
	pub trait ZosApi {
		/// The agreement behind a deployment's contract id.
		fn agreement(contract_id: ContractId) -> Option<zos_client::chain::AgreementView>;
		/// The public key of a twin.
		fn twin_key(twin_id: pallet_registry::TwinId) -> Option<[u8; 32]>;
	}
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::traits::ConstU64;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, InspectHold, Mutate, MutateHold},
			tokens::{Fortitude, Precision, Preservation, Restriction},
		},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use pallet_registry::{BalanceOf, FarmId, NodeId, Resources, TwinId, TwinIdByAccount};
	use sp_runtime::{
		traits::{AccountIdConversion, Saturating, Zero},
		AccountId32,
	};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The escrow of an agreement.
		#[codec(index = 0)]
		AgreementEscrow,
	}

	#[pallet::config]
	pub trait Config:
		frame_system::Config<AccountId = AccountId32>
		+ pallet_registry::Config
		+ frame_system::offchain::CreateSignedTransaction<Call<Self>>
	{
		/// The crypto of farm operator keys, with which the off-chain worker signs its reports
		/// (see [`offchain::crypto::OperatorKey`]).
		type AuthorityId: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>;

		/// The currency of deposits and payments; the registry's pricing currency.
		type Currency: Inspect<Self::AccountId, Balance = BalanceOf<Self>>
			+ Mutate<Self::AccountId>
			+ InspectHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reasons.
		type RuntimeHoldReason: From<HoldReason>;

		/// Blocks per hour: prices are per hour, billing is per block.
		#[pallet::constant]
		type BlocksPerHour: Get<u32>;

		/// Blocks an agreement with an exhausted escrow stays in its grace period.
		#[pallet::constant]
		type GracePeriod: Get<BlockNumberFor<Self>>;

		/// The most workloads in one agreement.
		#[pallet::constant]
		type MaxWorkloads: Get<u32>;

		/// The longest workload name, in bytes.
		#[pallet::constant]
		type MaxWorkloadNameLength: Get<u32>;

		/// The longest metadata, description or failure reason, in bytes.
		#[pallet::constant]
		type MaxTextLength: Get<u32>;

		/// The most agreements the depletion index looks at in one block.
		#[pallet::constant]
		type MaxChecksPerBlock: Get<u32>;

		/// How many agreements the sweep looks at each block. It settles those not settled
		/// within the last hour.
		#[pallet::constant]
		type SweepPerBlock: Get<u32>;

		/// The account that keeps payments a payee could not receive yet (see
		/// [`Pallet::claim_earnings`]).
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;
	}

	/// Agreements by id. Failed and deleted agreements are removed; their events remain.
	#[pallet::storage]
	pub type Contracts<T: Config> = StorageMap<_, Twox64Concat, ContractId, Contract<T>>;

	/// The id the next agreement gets.
	#[pallet::storage]
	pub type NextContractId<T: Config> = StorageValue<_, ContractId, ValueQuery, ConstU64<1>>;

	/// The depletion index: the agreements to look at in a block (escrow runs out, or grace
	/// ends).
	#[pallet::storage]
	pub type Checks<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<ContractId, T::MaxChecksPerBlock>,
		ValueQuery,
	>;

	/// The work of each farm's off-chain worker: per agreement, what it has to do next on the
	/// ZOS node. An entry exists from creation until the deployment is reported, and from
	/// cancellation until the deletion is reported; a farm has at most one per live agreement
	/// on its nodes (bounded by the registry's `MaxAgreementsPerNode`).
	#[pallet::storage]
	pub type PendingActions<T: Config> =
		StorageDoubleMap<_, Twox64Concat, FarmId, Twox64Concat, ContractId, PendingAction>;

	/// Where the settlement sweep continues next block.
	#[pallet::storage]
	pub type SweepCursor<T: Config> = StorageValue<_, ContractId, OptionQuery>;

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
			// The pallet account must exist to keep small unclaimed payments.
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
		},
		/// ZOS deployed the workloads; billing started.
		ContractDeployed { contract_id: ContractId },
		/// ZOS refused the workloads; the deposit was refunded.
		ContractFailed {
			contract_id: ContractId,
			reason: FailureReasonOf<T>,
			refunded: BalanceOf<T>,
		},
		/// The owner added to the escrow.
		ContractToppedUp { contract_id: ContractId, amount: BalanceOf<T>, escrow: BalanceOf<T> },
		/// The farm was paid from the escrow.
		FarmPaid { contract_id: ContractId, farm_id: FarmId, amount: BalanceOf<T> },
		/// A payee of the farm received their part of a payment.
		PayeePaid { contract_id: ContractId, payee: T::AccountId, amount: BalanceOf<T> },
		/// A payee could not receive a payment (a new account below the existential deposit);
		/// it is kept for them to claim.
		PaymentKeptForPayee { contract_id: ContractId, payee: T::AccountId, amount: BalanceOf<T> },
		/// A payee claimed the payments kept for them.
		EarningsClaimed { payee: T::AccountId, amount: BalanceOf<T> },
		/// The escrow ran out; the agreement is in its grace period until `ends_at`.
		ContractInGracePeriod {
			contract_id: ContractId,
			debt: BalanceOf<T>,
			ends_at: BlockNumberFor<T>,
		},
		/// A top-up covered the debt; the agreement runs again.
		ContractRestored { contract_id: ContractId },
		/// The agreement ended; the unspent escrow was refunded.
		ContractCancelled {
			contract_id: ContractId,
			cause: CancelCause,
			refunded: BalanceOf<T>,
			unpaid_debt: BalanceOf<T>,
		},
		/// ZOS removed the workloads; the node's capacity was released.
		ContractDeleted { contract_id: ContractId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The caller has no twin.
		NoTwin,
		/// No node has this id.
		NodeNotFound,
		/// No farm has this id.
		FarmNotFound,
		/// An agreement needs at least one workload.
		NoWorkloads,
		/// More workloads than `MaxWorkloads`.
		TooManyWorkloads,
		/// A workload name is empty or has characters other than letters, digits and '_'.
		InvalidWorkloadName,
		/// Two workloads have the same name.
		DuplicateWorkloadName,
		/// A volume of size zero.
		ZeroSizeVolume,
		/// Metadata or a description is not UTF-8 text.
		InvalidText,
		/// The signature does not verify against the twin's key over the deployment challenge.
		InvalidSignature,
		/// The node does not have this much free capacity.
		InsufficientCapacity,
		/// The node holds as many live agreements as it may.
		NodeAgreementLimitReached,
		/// The price of these resources does not fit in a number.
		PriceOverflow,
		/// The deposit does not cover one hour of the agreement.
		DepositBelowOneHour,
		/// The account cannot hold this much (its free balance is too low).
		InsufficientFunds,
		/// No agreement has this id.
		ContractNotFound,
		/// Only the agreement's owner may do this.
		NotContractOwner,
		/// Only the operator of the node's farm may report deployments.
		NotFarmOperator,
		/// This report does not fit the agreement's state.
		InvalidStateTransition,
		/// The agreement has ended.
		ContractEnded,
		/// A top-up of zero.
		ZeroAmount,
		/// Too many agreements need a check in the blocks around this one; try again later.
		ChecksFull,
		/// Nothing is kept for the caller.
		NothingToClaim,
		/// Every agreement id is taken.
		IdsExhausted,
	}

	/// What the farm's operator reports about an agreement.
	#[derive(Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo)]
	#[scale_info(skip_type_params(T))]
	pub enum DeploymentOutcome<Reason> {
		/// ZOS runs the workloads.
		Deployed,
		/// ZOS refused the workloads, with its message.
		Failed(Reason),
		/// ZOS removed the workloads of a cancelled agreement.
		Deleted,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let checked = Self::run_checks(now);
			let swept = Self::sweep();
			<T as Config>::WeightInfo::on_initialize_checks(checked)
				.saturating_add(<T as Config>::WeightInfo::on_initialize_sweep(swept))
		}

		fn offchain_worker(now: BlockNumberFor<T>) {
			Self::run_offchain_worker(now);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_now: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Makes an agreement for `workloads` on `node_id`, funded with `deposit`.
		///
		/// - Origin: signed, by an account with a twin.
		/// - `metadata`, `description`: the deployment's texts, part of the challenge.
		/// - `signature`: the twin's sr25519 signature over the ZOS deployment challenge hash
		///   (version 0, this twin, these workloads, one signature request for the twin with
		///   weight 1, weight required 1), in its style.
		/// - `deposit`: held in escrow; at least one hour of the agreement's cost.
		/// - Effect: reserves the workloads' resources on the node, fixes the price at the
		///   farm's current policy, holds the deposit, stores the challenge hash and the
		///   signature, and leaves a `Deploy` action for the farm's off-chain worker. State
		///   `Created`: nothing is billed until the farm reports the deployment.
		/// - Errors: [`Error::NoTwin`], [`Error::NodeNotFound`], [`Error::FarmNotFound`],
		///   [`Error::NoWorkloads`], [`Error::TooManyWorkloads`],
		///   [`Error::InvalidWorkloadName`], [`Error::DuplicateWorkloadName`],
		///   [`Error::ZeroSizeVolume`], [`Error::InvalidText`], [`Error::InvalidSignature`],
		///   [`Error::InsufficientCapacity`], [`Error::NodeAgreementLimitReached`],
		///   [`Error::PriceOverflow`],
		///   [`Error::DepositBelowOneHour`], [`Error::InsufficientFunds`],
		///   [`Error::IdsExhausted`].
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
			let DeploymentSignature { signature, style } = signature;
			let owner = ensure_signed(origin)?;
			let twin_id = TwinIdByAccount::<T>::get(&owner).ok_or(Error::<T>::NoTwin)?;
			let node = pallet_registry::Nodes::<T>::get(node_id).ok_or(Error::<T>::NodeNotFound)?;
			let farm =
				pallet_registry::Farms::<T>::get(node.farm_id).ok_or(Error::<T>::FarmNotFound)?;
			let workloads = Self::checked_workloads(workloads)?;
			let deployment_hash =
				Self::deployment_hash(twin_id, &workloads, &metadata, &description, style)?;
			let message = zos_client::signed_message(&deployment_hash, style.into());
			ensure!(
				sp_io::crypto::sr25519_verify(
					&sp_core::sr25519::Signature::from_raw(signature),
					&message,
					&sp_core::sr25519::Public::from_raw(owner.clone().into()),
				),
				Error::<T>::InvalidSignature
			);
			// Capacity is checked here, before the price and the deposit, so an oversized
			// request is told so; `reserve_capacity` below checks again as it writes.
			let (resources, rate) =
				Self::price_on(&node, &farm, workloads.iter().map(|workload| &workload.kind))?;
			ensure!(
				node.live_agreements < <T as pallet_registry::Config>::MaxAgreementsPerNode::get(),
				Error::<T>::NodeAgreementLimitReached
			);
			let cost_per_hour = Self::balance_of(rate.cost_of(T::BlocksPerHour::get().into()))?;
			ensure!(
				deposit >= cost_per_hour && !deposit.is_zero(),
				Error::<T>::DepositBelowOneHour
			);
			ensure!(
				<T as Config>::Currency::ensure_can_hold(
					&HoldReason::AgreementEscrow.into(),
					&owner,
					deposit
				)
				.is_ok(),
				Error::<T>::InsufficientFunds
			);
			let contract_id = NextContractId::<T>::get();
			let next_id = contract_id.checked_add(1).ok_or(Error::<T>::IdsExhausted)?;

			// Checks are done; from here on every step succeeds or the call reverts whole.
			pallet_registry::Pallet::<T>::reserve_capacity(node_id, &resources)?;
			<T as Config>::Currency::hold(&HoldReason::AgreementEscrow.into(), &owner, deposit)
				.map_err(|_| Error::<T>::InsufficientFunds)?;
			NextContractId::<T>::put(next_id);
			Contracts::<T>::insert(
				contract_id,
				Contract {
					twin_id,
					owner,
					node_id,
					farm_id: node.farm_id,
					workloads,
					metadata,
					description,
					deployment_hash: deployment_hash.to_hex(),
					signature: DeploymentSignature { signature, style },
					resources,
					rate,
					state: ContractState::Created,
					escrow: deposit,
					billing_since: None,
					last_settled: frame_system::Pallet::<T>::block_number(),
					charged: 0,
					debt: 0,
					next_check: None,
				},
			);
			PendingActions::<T>::insert(node.farm_id, contract_id, PendingAction::Deploy);
			Self::deposit_event(Event::ContractCreated {
				contract_id,
				twin_id,
				node_id,
				deployment_hash: deployment_hash.to_hex(),
				deposit,
				cost_per_hour,
			});
			Ok(())
		}

		/// Adds `amount` to an agreement's escrow. A top-up that covers the debt of an agreement
		/// in its grace period restores it.
		///
		/// - Origin: signed, by the agreement's owner.
		/// - Errors: [`Error::ContractNotFound`], [`Error::NotContractOwner`],
		///   [`Error::ContractEnded`], [`Error::ZeroAmount`], [`Error::InsufficientFunds`],
		///   [`Error::ChecksFull`].
		/// - Events: [`Event::ContractToppedUp`], and from settling: [`Event::FarmPaid`],
		///   [`Event::ContractRestored`].
		#[pallet::call_index(1)]
		#[pallet::weight(<T as Config>::WeightInfo::top_up())]
		pub fn top_up(
			origin: OriginFor<T>,
			contract_id: ContractId,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut contract = Self::owned_contract(&who, contract_id)?;
			ensure!(contract.state.is_open(), Error::<T>::ContractEnded);
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			ensure!(
				<T as Config>::Currency::ensure_can_hold(
					&HoldReason::AgreementEscrow.into(),
					&who,
					amount
				)
				.is_ok(),
				Error::<T>::InsufficientFunds
			);
			let now = frame_system::Pallet::<T>::block_number();
			<T as Config>::Currency::hold(&HoldReason::AgreementEscrow.into(), &who, amount)
				.map_err(|_| Error::<T>::InsufficientFunds)?;
			contract.escrow = contract.escrow.saturating_add(amount);
			Self::deposit_event(Event::ContractToppedUp {
				contract_id,
				amount,
				escrow: contract.escrow,
			});
			Self::settle_and_reschedule(contract_id, &mut contract, now)?;
			Contracts::<T>::insert(contract_id, contract);
			Ok(())
		}

		/// Ends an agreement. What is due is paid to the farm; the unspent escrow is refunded
		/// at once (all of it before deployment). The workloads' capacity stays reserved until
		/// the farm confirms ZOS removed them: a `Delete` action is left for the farm's
		/// off-chain worker.
		///
		/// - Origin: signed, by the agreement's owner.
		/// - Errors: [`Error::ContractNotFound`], [`Error::NotContractOwner`],
		///   [`Error::ContractEnded`].
		/// - Events: [`Event::ContractCancelled`], and from settling: [`Event::FarmPaid`].
		#[pallet::call_index(2)]
		#[pallet::weight(<T as Config>::WeightInfo::cancel_contract())]
		pub fn cancel_contract(origin: OriginFor<T>, contract_id: ContractId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut contract = Self::owned_contract(&who, contract_id)?;
			ensure!(contract.state.is_open(), Error::<T>::ContractEnded);
			let now = frame_system::Pallet::<T>::block_number();
			Self::end_contract(contract_id, &mut contract, CancelCause::ByUser, now);
			Contracts::<T>::insert(contract_id, contract);
			Ok(())
		}

		/// Reports what ZOS made of an agreement's deployment.
		///
		/// - Origin: signed, by the operator account of the node's farm.
		/// - `Deployed` (from `Created`): billing starts at this block.
		/// - `Failed(reason)` (from `Created`): the deposit is refunded in full, the capacity
		///   released, and the agreement removed.
		/// - `Deleted` (from `Cancelled`): the capacity is released and the agreement removed.
		/// - Each accepted report takes the agreement's action off the farm's pending actions.
		/// - Weight: benchmarked per outcome (a failure refunds and releases, so costs more).
		/// - Errors: [`Error::ContractNotFound`], [`Error::FarmNotFound`],
		///   [`Error::NotFarmOperator`], [`Error::InvalidStateTransition`],
		///   [`Error::ChecksFull`].
		/// - Events: [`Event::ContractDeployed`], [`Event::ContractFailed`],
		///   [`Event::ContractDeleted`].
		#[pallet::call_index(3)]
		#[pallet::weight(match outcome {
			DeploymentOutcome::Deployed => <T as Config>::WeightInfo::report_deployed(),
			DeploymentOutcome::Failed(_) => <T as Config>::WeightInfo::report_failed(),
			DeploymentOutcome::Deleted => <T as Config>::WeightInfo::report_deleted(),
		})]
		pub fn report_deployment(
			origin: OriginFor<T>,
			contract_id: ContractId,
			outcome: DeploymentOutcome<FailureReasonOf<T>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut contract =
				Contracts::<T>::get(contract_id).ok_or(Error::<T>::ContractNotFound)?;
			let farm = pallet_registry::Farms::<T>::get(contract.farm_id)
				.ok_or(Error::<T>::FarmNotFound)?;
			ensure!(farm.operator == who, Error::<T>::NotFarmOperator);
			let now = frame_system::Pallet::<T>::block_number();
			let farm_id = contract.farm_id;
			match (&contract.state, outcome) {
				(ContractState::Created, DeploymentOutcome::Deployed) => {
					contract.state = ContractState::Deployed;
					contract.billing_since = Some(now);
					contract.last_settled = now;
					Self::reschedule(contract_id, &mut contract, now)?;
					Contracts::<T>::insert(contract_id, contract);
					Self::deposit_event(Event::ContractDeployed { contract_id });
				},
				(ContractState::Created, DeploymentOutcome::Failed(reason)) => {
					let refunded = Self::refund_escrow(&mut contract);
					pallet_registry::Pallet::<T>::release_capacity(
						contract.node_id,
						&contract.resources,
					);
					Contracts::<T>::remove(contract_id);
					Self::deposit_event(Event::ContractFailed { contract_id, reason, refunded });
				},
				(ContractState::Cancelled { .. }, DeploymentOutcome::Deleted) => {
					pallet_registry::Pallet::<T>::release_capacity(
						contract.node_id,
						&contract.resources,
					);
					Contracts::<T>::remove(contract_id);
					Self::deposit_event(Event::ContractDeleted { contract_id });
				},
				_ => return Err(Error::<T>::InvalidStateTransition.into()),
			}
			// The farm's off-chain worker is done with this agreement until its next change.
			PendingActions::<T>::remove(farm_id, contract_id);
			Ok(())
		}

		/// Pays the farm what an agreement owes it up to this block. Anyone may call it; every
		/// other call on an agreement settles it too, and a sweep settles agreements each
		/// block.
		///
		/// - Origin: signed, anyone.
		/// - Errors: [`Error::ContractNotFound`], [`Error::ChecksFull`].
		/// - Events: [`Event::FarmPaid`], [`Event::ContractInGracePeriod`].
		#[pallet::call_index(4)]
		#[pallet::weight(<T as Config>::WeightInfo::settle())]
		pub fn settle(origin: OriginFor<T>, contract_id: ContractId) -> DispatchResult {
			ensure_signed(origin)?;
			let mut contract =
				Contracts::<T>::get(contract_id).ok_or(Error::<T>::ContractNotFound)?;
			let now = frame_system::Pallet::<T>::block_number();
			Self::settle_and_reschedule(contract_id, &mut contract, now)?;
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
	}

	impl<T: Config> Pallet<T> {
		/// The account that keeps payments a payee could not receive yet.
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

		/// Workloads that are non-empty, bounded, well named, uniquely named, and non-zero.
		fn checked_workloads(workloads: Vec<Workload<T>>) -> Result<WorkloadsOf<T>, DispatchError> {
			ensure!(!workloads.is_empty(), Error::<T>::NoWorkloads);
			let workloads: WorkloadsOf<T> =
				workloads.try_into().map_err(|_| Error::<T>::TooManyWorkloads)?;
			for (i, workload) in workloads.iter().enumerate() {
				ensure!(
					!workload.name.is_empty()
						&& workload.name.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_'),
					Error::<T>::InvalidWorkloadName
				);
				ensure!(
					!workloads[..i].iter().any(|other| other.name == workload.name),
					Error::<T>::DuplicateWorkloadName
				);
				match workload.kind {
					WorkloadKind::Volume { size } => ensure!(size > 0, Error::<T>::ZeroSizeVolume),
				}
			}
			Ok(workloads)
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

		/// What workloads of these kinds reserve on `node` and cost at `farm`'s current prices.
		/// Errors: [`Error::InsufficientCapacity`] (also for sizes that overflow),
		/// [`Error::PriceOverflow`].
		fn price_on<'a>(
			node: &pallet_registry::Node<T>,
			farm: &pallet_registry::Farm<T>,
			mut kinds: impl Iterator<Item = &'a WorkloadKind>,
		) -> Result<(Resources, Rate), DispatchError> {
			let resources = kinds
				.try_fold(Resources::default(), |sum, kind| sum.checked_add(&kind.resources()))
				.ok_or(Error::<T>::InsufficientCapacity)?;
			ensure!(resources.fits_within(&node.free_capacity()), Error::<T>::InsufficientCapacity);
			let rate = Rate::new(&resources, &farm.pricing, T::BlocksPerHour::get())
				.ok_or(Error::<T>::PriceOverflow)?;
			Ok((resources, rate))
		}

		/// The ZOS deployment challenge hash of a new agreement's deployment, computed by
		/// `zos-client` exactly as a ZOS node computes it.
		pub fn deployment_hash(
			twin_id: TwinId,
			workloads: &[Workload<T>],
			metadata: &[u8],
			description: &[u8],
			style: SignatureStyle,
		) -> Result<zos_client::ChallengeHash, DispatchError> {
			let deployment =
				Self::zos_deployment(0, twin_id, workloads, metadata, description, style)?;
			Ok(deployment.challenge_hash())
		}

		/// An agreement's deployment as the ZOS node receives it: with its contract id and the
		/// twin's signature.
		pub fn zos_deployment_of(
			contract_id: ContractId,
			contract: &Contract<T>,
		) -> Result<zos_client::Deployment, DispatchError> {
			let DeploymentSignature { signature, style } = contract.signature;
			let mut deployment = Self::zos_deployment(
				contract_id,
				contract.twin_id,
				&contract.workloads,
				&contract.metadata,
				&contract.description,
				style,
			)?;
			deployment.signature_requirement.signatures = alloc::vec![zos_client::Signature {
				twin_id: contract.twin_id,
				signature: hex::encode(signature),
				signature_type: zos_client::SignatureType::Sr25519,
			}];
			Ok(deployment)
		}

		/// The ZOS deployment of `workloads` by `twin_id`, unsigned: version 0, one signature
		/// request for the twin with weight 1, weight required 1.
		fn zos_deployment(
			contract_id: ContractId,
			twin_id: TwinId,
			workloads: &[Workload<T>],
			metadata: &[u8],
			description: &[u8],
			style: SignatureStyle,
		) -> Result<zos_client::Deployment, DispatchError> {
			let text = |bytes: &[u8]| {
				core::str::from_utf8(bytes)
					.map(alloc::string::String::from)
					.map_err(|_| Error::<T>::InvalidText)
			};
			let workloads = workloads
				.iter()
				.map(|workload| {
					Ok(zos_client::Workload {
						version: 0,
						// Names are checked ASCII.
						name: text(&workload.name)?,
						data: match workload.kind {
							WorkloadKind::Volume { size } => {
								zos_client::WorkloadData::Volume { size }
							},
						},
						metadata: text(&workload.metadata)?,
						description: text(&workload.description)?,
						result: Default::default(),
					})
				})
				.collect::<Result<Vec<_>, Error<T>>>()?;
			Ok(zos_client::Deployment {
				version: 0,
				twin_id,
				contract_id,
				metadata: text(metadata)?,
				description: text(description)?,
				expiration: 0,
				signature_requirement: zos_client::SignatureRequirement {
					requests: alloc::vec![zos_client::SignatureRequest {
						twin_id,
						required: false,
						weight: 1,
					}],
					weight_required: 1,
					signatures: Vec::new(),
					signature_style: style.into(),
				},
				workloads,
			})
		}

		/// What a ZOS node needs to know about the agreement behind a deployment.
		pub fn agreement_view(contract_id: ContractId) -> Option<zos_client::chain::AgreementView> {
			use zos_client::chain::AgreementStatus;
			let contract = Contracts::<T>::get(contract_id)?;
			let status = match contract.state {
				ContractState::Created => AgreementStatus::Created,
				ContractState::Deployed => AgreementStatus::Deployed,
				ContractState::GracePeriod { .. } => AgreementStatus::GracePeriod,
				ContractState::Cancelled { .. } => AgreementStatus::Cancelled,
			};
			Some(zos_client::chain::AgreementView {
				contract_id,
				node_id: contract.node_id,
				twin_id: contract.twin_id,
				twin_key: contract.owner.into(),
				deployment_hash: contract.deployment_hash,
				status,
			})
		}

		/// The public key of a twin: its account.
		pub fn twin_key(twin_id: TwinId) -> Option<[u8; 32]> {
			pallet_registry::Twins::<T>::get(twin_id).map(|twin| twin.account.into())
		}

		/// A `u128` amount as a balance, or [`Error::PriceOverflow`].
		fn balance_of(amount: u128) -> Result<BalanceOf<T>, DispatchError> {
			amount.try_into().map_err(|_| Error::<T>::PriceOverflow.into())
		}

		/// Returns the whole escrow to the owner.
		pub(crate) fn refund_escrow(contract: &mut Contract<T>) -> BalanceOf<T> {
			let escrow = core::mem::take(&mut contract.escrow);
			// Releasing what this pallet holds cannot fail: the held amount covers every
			// agreement's escrow (checked in `try_state`).
			<T as Config>::Currency::release(
				&HoldReason::AgreementEscrow.into(),
				&contract.owner,
				escrow,
				Precision::BestEffort,
			)
			.unwrap_or_default()
		}

		/// The cost per hour of `workloads` on `node_id` at its farm's current prices.
		pub fn quote_cost_per_hour(
			node_id: NodeId,
			workloads: Vec<WorkloadKind>,
		) -> Result<BalanceOf<T>, DispatchError> {
			let node = pallet_registry::Nodes::<T>::get(node_id).ok_or(Error::<T>::NodeNotFound)?;
			let farm =
				pallet_registry::Farms::<T>::get(node.farm_id).ok_or(Error::<T>::FarmNotFound)?;
			ensure!(!workloads.is_empty(), Error::<T>::NoWorkloads);
			let (_, rate) = Self::price_on(&node, &farm, workloads.iter())?;
			Self::balance_of(rate.cost_of(T::BlocksPerHour::get().into()))
		}

		/// Pays `amount` from `owner`'s escrow hold to `payee`; a payment the payee cannot
		/// receive is moved to the pallet account and kept for them. Returns whether the
		/// payee received it.
		pub(crate) fn pay(
			contract_id: ContractId,
			owner: &T::AccountId,
			payee: &T::AccountId,
			amount: BalanceOf<T>,
		) -> bool {
			if amount.is_zero() {
				return false;
			}
			let reason = HoldReason::AgreementEscrow.into();
			let paid = <T as Config>::Currency::transfer_on_hold(
				&reason,
				owner,
				payee,
				amount,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Polite,
			);
			if paid.is_ok() {
				Self::deposit_event(Event::PayeePaid { contract_id, payee: payee.clone(), amount });
				return true;
			}
			let kept = <T as Config>::Currency::transfer_on_hold(
				&reason,
				owner,
				&Self::account_id(),
				amount,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Polite,
			);
			if kept.is_ok() {
				UnclaimedEarnings::<T>::mutate(payee, |unclaimed| {
					*unclaimed = unclaimed.saturating_add(amount)
				});
				Self::deposit_event(Event::PaymentKeptForPayee {
					contract_id,
					payee: payee.clone(),
					amount,
				});
			} else {
				// The pallet account always exists (genesis), so this cannot happen; if it did,
				// the funds stay held and `try_state` reports the mismatch.
				log::error!(
					target: "runtime::smart-contract",
					"payment of {amount:?} for contract {contract_id} could not be made or kept"
				);
			}
			false
		}

		/// Checks the pallet's invariants: the held escrow of every account equals the sum of
		/// its agreements' escrow; each node's reservation equals the sum over its live
		/// agreements; every agreement that can run out of funds is in the depletion index;
		/// exactly the created and the cancelled agreements have a pending action for their
		/// farm (deploy, delete); the pallet account covers the unclaimed earnings.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_map::BTreeMap;
			let mut escrow_by_owner: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
			let mut reserved_by_node: BTreeMap<NodeId, (Resources, u32)> = BTreeMap::new();
			for (contract_id, contract) in Contracts::<T>::iter() {
				let escrow = escrow_by_owner.entry(contract.owner.clone()).or_default();
				*escrow = escrow.saturating_add(contract.escrow);
				// Every stored agreement holds its capacity: failed and deleted ones are removed.
				let (reserved, count) = reserved_by_node.entry(contract.node_id).or_default();
				*reserved =
					reserved.checked_add(&contract.resources).ok_or("reservations overflow")?;
				*count += 1;
				let expected_action = match contract.state {
					ContractState::Created => Some(PendingAction::Deploy),
					ContractState::Cancelled { .. } => Some(PendingAction::Delete),
					_ => None,
				};
				ensure!(
					PendingActions::<T>::get(contract.farm_id, contract_id) == expected_action,
					"an agreement's pending action does not match its state"
				);
				let runs_out = matches!(contract.state, ContractState::GracePeriod { .. })
					|| (contract.state.is_billed() && contract.rate.numerator > 0);
				if runs_out {
					let at = contract.next_check.ok_or("a billed agreement has no check")?;
					ensure!(
						Checks::<T>::get(at).contains(&contract_id),
						"a billed agreement is missing from the depletion index"
					);
				}
			}
			for (owner, escrow) in escrow_by_owner {
				ensure!(
					<T as Config>::Currency::balance_on_hold(
						&HoldReason::AgreementEscrow.into(),
						&owner
					) == escrow,
					"held escrow differs from the agreements' escrow"
				);
			}
			for (node_id, node) in pallet_registry::Nodes::<T>::iter() {
				let (reserved, count) = reserved_by_node.remove(&node_id).unwrap_or_default();
				ensure!(
					node.reserved == reserved,
					"a node's reservation differs from its agreements'"
				);
				ensure!(node.live_agreements == count, "a node's agreement count is wrong");
			}
			ensure!(reserved_by_node.is_empty(), "an agreement reserves on a missing node");
			for (farm_id, contract_id, _) in PendingActions::<T>::iter() {
				ensure!(
					Contracts::<T>::get(contract_id).is_some_and(|c| c.farm_id == farm_id),
					"a pending action for an agreement that is gone or of another farm"
				);
			}
			let unclaimed = UnclaimedEarnings::<T>::iter_values()
				.fold(BalanceOf::<T>::zero(), |sum, amount| sum.saturating_add(amount));
			ensure!(
				<T as Config>::Currency::balance(&Self::account_id())
					>= unclaimed.saturating_add(<T as Config>::Currency::minimum_balance()),
				"the pallet account does not cover the unclaimed earnings"
			);
			Ok(())
		}
	}
}
