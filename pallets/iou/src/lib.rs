//! # IOU pallet: grid services paid by dual-signed IOUs through Mycelium Pay bridges
//!
//! Seed 000: a service tracks what a consumer used, the farm prices it, farmer and consumer
//! both sign an IOU, and a *Mycelium Pay bridge*, run by a guardian circle, collects at
//! regular intervals from the escrow consumers parked with it, keeping each consumer's
//! reputation.
//!
//! ## Overview
//!
//! - **Services.** A farm's owner or operator registers the services the farm runs
//!   ([`ServiceKind`]) with a price per usage counter ([`Pallet::set_service`]). The council
//!   bounds each kind's prices ([`Pallet::set_service_bounds`]).
//! - **Bridges.** A guardian circle becomes a bridge by its own proposal
//!   ([`Pallet::set_bridge_policy`]), with a [`BridgePolicy`]: its fee, how often it rolls up,
//!   the withdrawal delay, how long a payment request stays open, and what it asks of
//!   consumers.
//! - **Escrow.** A consumer (a twin) parks escrow with a bridge: held on its own account
//!   ([`Pallet::deposit_escrow`]). It leaves only after the bridge's withdrawal delay
//!   ([`Pallet::request_withdrawal`], then [`Pallet::withdraw_escrow`]), and settlements take
//!   from it meanwhile.
//! - **Channels.** A consumer opens a channel with a farm's service through a bridge
//!   ([`Pallet::open_channel`]); the channel fixes the service's prices. Channel ids are
//!   global and never reused, so an IOU for one channel never pays on another.
//! - **IOUs.** Both parties sign cumulative IOUs ([`gridchain_primitives::iou`]); anyone hands
//!   the newest to the chain, many at once ([`Pallet::submit_ious`]). The chain checks both
//!   signatures, that the amount is the usage at the channel's prices, and that nothing goes
//!   backwards, then keeps the newest per channel and queues the channel for its bridge's
//!   roll-up.
//! - **Roll-up.** When a bridge's interval is due, the block's initialization settles its
//!   queued channels (a bounded number per block, continued in the next blocks); a member of
//!   the circle can also settle with [`Pallet::roll_up`]. Settling pays what the newest IOU says
//!   beyond what was paid, from the consumer's escrow, less the bridge's fee to the circle's
//!   treasury. What escrow does not cover becomes a payment request with a deadline
//!   ([`Pallet::pay_request`]); unpaid at the deadline it bounces: the rest is written off,
//!   recorded against the consumer's reputation, and the channel is closed.
//! - **Reputation.** Kept per bridge and consumer ([`Reputation`]); the bridge's policy asks
//!   more escrow of consumers with a low score, and the circle can block a consumer
//!   ([`Pallet::set_consumer_blocked`]). The runtime API [`IouApi`] tells a provider a
//!   consumer's escrow and reputation before it serves it.
//!
//! Money is moved, never made: settlement moves held escrow to the farm's payee and the
//! bridge's treasury; `try_state` checks that escrow held equals the escrows recorded and that
//! no channel is paid beyond its newest IOU.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod channels;
#[cfg(any(feature = "try-runtime", test))]
mod invariants;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod proptests;
mod services;
mod settlement;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

sp_api::decl_runtime_apis! {
	/// What providers and wallets ask about IOU bridges.
	pub trait IouApi<AccountId, BlockNumber>
	where
		AccountId: codec::Codec,
		BlockNumber: codec::Codec,
	{
		/// A consumer's escrow and reputation with a bridge, and whether it may open a channel.
		fn consumer(bridge: CircleId, consumer: AccountId) -> Option<ConsumerView<BlockNumber>>;
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
			tokens::Precision,
		},
	};
	use frame_system::pallet_prelude::*;
	use gridchain_primitives::{
		circles::Circles,
		grid::{FarmId, GridRegistry},
	};
	use sp_runtime::{traits::Zero, AccountId32, DispatchErrorWithPostInfo, Permill, Saturating};

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why the pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A consumer's escrow with bridges.
		#[codec(index = 0)]
		Escrow,
		/// A channel's storage, held from its consumer until it closes.
		#[codec(index = 1)]
		ChannelDeposit,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config<AccountId = AccountId32, Hash = sp_core::H256> {
		/// The currency of escrows, deposits and payments.
		type Currency: Inspect<Self::AccountId, Balance = Balance>
			+ Mutate<Self::AccountId>
			+ InspectHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reasons.
		type RuntimeHoldReason: From<HoldReason>;

		/// Twins, farms, operators and payees.
		type Registry: GridRegistry<Self::AccountId, Balance>;

		/// Guardian circles: members and treasuries.
		type Circles: Circles<Self::AccountId>;

		/// The origin of a circle's own calls: succeeds with the circle's id. In the runtime,
		/// `pallet_guardian::EnsureCircle`.
		type CircleOrigin: EnsureOrigin<Self::RuntimeOrigin, Success = CircleId>;

		/// Who bounds services' prices: in the runtime, the council.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The most IOUs in one [`Pallet::submit_ious`].
		#[pallet::constant]
		type MaxIousPerBatch: Get<u32>;

		/// How many channels one page of a bridge's settlement queue lists.
		#[pallet::constant]
		type QueuePageSize: Get<u32>;

		/// The most channels a block's initialization settles or bounces, and the most payment
		/// deadlines in one block (requests are made at most this fast by the hook).
		#[pallet::constant]
		type MaxSettlementsPerBlock: Get<u32>;

		/// The most bridges rolling up at once (more wait in the agenda).
		#[pallet::constant]
		type MaxActiveRollups: Get<u32>;

		/// The most roll-ups that become due in one block; more go to the next blocks.
		#[pallet::constant]
		type MaxRollupsDuePerBlock: Get<u32>;

		/// The storage deposit of a channel, held from its consumer until it closes.
		#[pallet::constant]
		type ChannelDeposit: Get<Balance>;

		/// The least a consumer parks with a bridge at once.
		#[pallet::constant]
		type MinEscrowDeposit: Get<Balance>;

		/// The highest fee a bridge may take.
		#[pallet::constant]
		type MaxBridgeFee: Get<Permill>;

		/// The shortest settlement interval and payment period.
		#[pallet::constant]
		type MinPeriod: Get<BlockNumberFor<Self>>;

		/// The longest settlement interval, withdrawal delay and payment period.
		#[pallet::constant]
		type MaxPeriod: Get<BlockNumberFor<Self>>;

		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;
	}

	/// The services farms run, with their prices.
	#[pallet::storage]
	pub type Services<T: Config> =
		StorageDoubleMap<_, Twox64Concat, FarmId, Twox64Concat, ServiceKind, ServicePrices>;

	/// The council's bounds on each kind of service's prices (none: any price).
	#[pallet::storage]
	pub type ServiceBoundsOf<T: Config> = StorageMap<_, Twox64Concat, ServiceKind, ServiceBounds>;

	/// The bridges, by their circle.
	#[pallet::storage]
	pub type Bridges<T: Config> = StorageMap<_, Twox64Concat, CircleId, Bridge<T>>;

	/// Each bridge's channels waiting to be settled, in pages.
	#[pallet::storage]
	pub type SettlementQueue<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		CircleId,
		Twox64Concat,
		u32,
		BoundedVec<ChannelId, T::QueuePageSize>,
		ValueQuery,
	>;

	/// Per block, the bridges whose roll-up is due.
	#[pallet::storage]
	pub type RollupAgenda<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<CircleId, T::MaxRollupsDuePerBlock>,
		ValueQuery,
	>;

	/// The bridges whose roll-up is under way, in the order they became due.
	#[pallet::storage]
	pub type ActiveRollups<T: Config> =
		StorageValue<_, BoundedVec<CircleId, T::MaxActiveRollups>, ValueQuery>;

	/// Per block, the channels whose payment request is due then.
	#[pallet::storage]
	pub type DeadlineAgenda<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<ChannelId, T::MaxSettlementsPerBlock>,
		ValueQuery,
	>;

	/// Consumers' accounts with bridges: escrow, withdrawal, reputation.
	#[pallet::storage]
	pub type Consumers<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		CircleId,
		Blake2_128Concat,
		T::AccountId,
		ConsumerAccount<BlockNumberFor<T>>,
	>;

	/// The channels, by id.
	#[pallet::storage]
	pub type Channels<T: Config> = StorageMap<_, Twox64Concat, ChannelId, Channel<T>>;

	/// The id the next channel gets. Ids are never reused.
	#[pallet::storage]
	pub type NextChannelId<T: Config> = StorageValue<_, ChannelId, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A farm registered a service or changed its prices (open channels keep theirs).
		ServiceSet { farm_id: FarmId, service: ServiceKind, prices: ServicePrices },
		/// A farm no longer offers a service (open channels go on).
		ServiceRemoved { farm_id: FarmId, service: ServiceKind },
		/// The council bounded a kind of service's prices (`None`: no bounds).
		ServiceBoundsSet { service: ServiceKind, bounds: Option<ServiceBounds> },
		/// A circle registered as a bridge.
		BridgeRegistered { bridge: CircleId, policy: BridgePolicy<BlockNumberFor<T>> },
		/// A bridge changed its policy.
		BridgePolicyChanged { bridge: CircleId, policy: BridgePolicy<BlockNumberFor<T>> },
		/// A consumer parked escrow with a bridge.
		EscrowDeposited {
			bridge: CircleId,
			consumer: T::AccountId,
			amount: Balance,
			escrow: Balance,
		},
		/// A consumer asked for escrow back; it can leave from `unlocks_at`.
		WithdrawalRequested {
			bridge: CircleId,
			consumer: T::AccountId,
			amount: Balance,
			unlocks_at: BlockNumberFor<T>,
		},
		/// Escrow left a bridge.
		EscrowWithdrawn {
			bridge: CircleId,
			consumer: T::AccountId,
			amount: Balance,
			escrow: Balance,
		},
		/// A consumer opened a channel with a farm's service.
		ChannelOpened {
			channel: ChannelId,
			bridge: CircleId,
			consumer: T::AccountId,
			farm_id: FarmId,
			service: ServiceKind,
			prices: ServicePrices,
		},
		/// A channel takes no IOUs from `closes_at`.
		ChannelClosing { channel: ChannelId, closes_at: BlockNumberFor<T> },
		/// A channel closed; its deposit went back to the consumer.
		ChannelClosed { channel: ChannelId },
		/// An IOU became a channel's newest.
		IouAccepted { channel: ChannelId, sequence: u64, amount: Balance },
		/// A channel was settled: `paid` went from escrow to the provider (`fee` of it to the
		/// bridge's treasury); the channel has now been paid `total_paid`.
		ChannelSettled { channel: ChannelId, paid: Balance, fee: Balance, total_paid: Balance },
		/// Settling a channel failed (e.g. its payee cannot receive the amount); nothing moved
		/// and the next IOU queues it again.
		SettlementFailed { channel: ChannelId, error: DispatchError },
		/// Escrow did not cover a channel: the consumer is asked to pay `amount` by `deadline`.
		PaymentRequested {
			channel: ChannelId,
			consumer: T::AccountId,
			amount: Balance,
			deadline: BlockNumberFor<T>,
		},
		/// A consumer paid a payment request (`fee` of it to the bridge's treasury).
		PaymentRequestPaid {
			channel: ChannelId,
			consumer: T::AccountId,
			amount: Balance,
			fee: Balance,
		},
		/// A payment request was not paid by its deadline: `unpaid` is written off, recorded
		/// against the consumer, and the channel closed.
		PaymentBounced {
			channel: ChannelId,
			bridge: CircleId,
			consumer: T::AccountId,
			unpaid: Balance,
		},
		/// A bridge's queue is empty; its next roll-up is due at `next_rollup`.
		RollupCompleted { bridge: CircleId, next_rollup: BlockNumberFor<T> },
		/// A member settled `settled` channels of its bridge.
		RollupTriggered { bridge: CircleId, member: T::AccountId, settled: u32 },
		/// A bridge's circle blocked or unblocked a consumer.
		ConsumerBlockSet { bridge: CircleId, consumer: T::AccountId, blocked: bool },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The farm does not exist.
		UnknownFarm,
		/// Only the farm's owner or operator manages its services.
		NotFarmManager,
		/// A service has 1 to 8 counters, each priced for at least one unit.
		InvalidPrices,
		/// The prices have another number of counters than the council's bounds for the kind.
		CounterCountMismatch,
		/// A price is outside the council's bounds.
		PriceOutOfBounds,
		/// A bound's minimum rate is above its maximum.
		InvalidBounds,
		/// The farm does not offer this service.
		UnknownService,
		/// No bridge is registered for this circle.
		UnknownBridge,
		/// The fee is above the most a bridge may take.
		FeeTooHigh,
		/// The settlement interval or payment period is outside the allowed range.
		PeriodOutOfRange,
		/// The withdrawal delay is shorter than the settlement interval or too long.
		InvalidWithdrawalDelay,
		/// The account has no twin.
		NotATwin,
		/// Less than the least escrow deposit.
		DepositTooSmall,
		/// The consumer has no account with this bridge.
		UnknownConsumer,
		/// More than the consumer's escrow.
		InsufficientEscrow,
		/// Nothing to withdraw: no withdrawal was requested.
		NoWithdrawalRequested,
		/// The withdrawal delay has not passed.
		WithdrawalNotDue,
		/// IOUs of the consumer's channels wait for the bridge's roll-up.
		UnsettledIous,
		/// The bridge's circle blocked this consumer.
		ConsumerBlocked,
		/// The consumer's escrow is below what the bridge asks to open a channel.
		EscrowTooLow,
		/// The consumer's score is below the bridge's minimum and its escrow below what the
		/// bridge asks of such consumers.
		ReputationTooLow,
		/// Every channel id was used.
		ChannelIdsExhausted,
		/// The channel does not exist (or was closed).
		UnknownChannel,
		/// Only the channel's consumer or provider can do that.
		NotChannelParty,
		/// The channel is closing or closed: it takes no more IOUs.
		ChannelClosing,
		/// The channel is still open, or not closing yet for this caller.
		ChannelNotClosable,
		/// The channel still has IOUs or a payment request not paid.
		ChannelUnpaid,
		/// No IOU in the batch.
		EmptyBatch,
		/// More IOUs in the batch than [`Config::MaxIousPerBatch`].
		BatchTooLarge,
		/// The IOU has another number of counters than the channel's prices.
		UsageCounterMismatch,
		/// The IOU's amount is not its usage at the channel's prices.
		AmountMismatch,
		/// The IOU's usage costs more than a balance can hold.
		AmountOverflow,
		/// The IOU's sequence is below the channel's newest.
		SequenceWentBackwards,
		/// The IOU's sequence is the channel's newest: a replay.
		IouReplayed,
		/// A usage counter of the IOU is below the channel's newest.
		UsageWentBackwards,
		/// The consumer's signature is not over this IOU on this chain, or not by the consumer.
		BadConsumerSignature,
		/// The provider's signature is not over this IOU on this chain, or not by the farm's
		/// owner or operator.
		BadProviderSignature,
		/// The caller is not a member of the bridge's circle.
		NotBridgeMember,
		/// The channel has no payment request.
		NoPaymentRequest,
		/// An agenda is full for many blocks ahead.
		AgendaFull,
		/// The circle's treasury account does not exist: send it the existential deposit first.
		TreasuryMissing,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::process_block(now)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers a service the farm runs, or changes its prices.
		///
		/// - Origin: the farm owner's twin account or the farm's operator.
		/// - Effect: the service is offered at `prices` (one per usage counter, in the order
		///   the service's IOUs count); channels opened before keep their prices.
		/// - Errors: [`Error::UnknownFarm`], [`Error::NotFarmManager`],
		///   [`Error::InvalidPrices`], [`Error::CounterCountMismatch`],
		///   [`Error::PriceOutOfBounds`].
		/// - Event: [`Event::ServiceSet`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_service())]
		pub fn set_service(
			origin: OriginFor<T>,
			farm_id: FarmId,
			service: ServiceKind,
			prices: ServicePrices,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::ensure_farm_manager(&who, farm_id)?;
			Self::ensure_valid_prices(service, &prices)?;
			Services::<T>::insert(farm_id, service, &prices);
			Self::deposit_event(Event::ServiceSet { farm_id, service, prices });
			Ok(())
		}

		/// Stops offering a service.
		///
		/// - Origin: the farm owner's twin account or the farm's operator.
		/// - Effect: no new channel opens with it; open channels go on at their prices.
		/// - Errors: [`Error::UnknownFarm`], [`Error::NotFarmManager`],
		///   [`Error::UnknownService`].
		/// - Event: [`Event::ServiceRemoved`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::remove_service())]
		pub fn remove_service(
			origin: OriginFor<T>,
			farm_id: FarmId,
			service: ServiceKind,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::ensure_farm_manager(&who, farm_id)?;
			ensure!(Services::<T>::contains_key(farm_id, service), Error::<T>::UnknownService);
			Services::<T>::remove(farm_id, service);
			Self::deposit_event(Event::ServiceRemoved { farm_id, service });
			Ok(())
		}

		/// Bounds the prices of a kind of service, or lifts the bounds (`None`).
		///
		/// - Origin: [`Config::GovernanceOrigin`] (the council).
		/// - Effect: services of the kind registered or changed from now on must have one
		///   counter per range, each priced within its range; services in force are kept.
		/// - Errors: [`Error::InvalidBounds`].
		/// - Event: [`Event::ServiceBoundsSet`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_service_bounds())]
		pub fn set_service_bounds(
			origin: OriginFor<T>,
			service: ServiceKind,
			bounds: Option<ServiceBounds>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			if let Some(bounds) = &bounds {
				ensure!(services::valid_bounds(bounds), Error::<T>::InvalidBounds);
			}
			ServiceBoundsOf::<T>::set(service, bounds.clone());
			Self::deposit_event(Event::ServiceBoundsSet { service, bounds });
			Ok(())
		}

		/// Registers the calling circle as a bridge with `policy`, or changes its policy.
		///
		/// - Origin: a guardian circle ([`Config::CircleOrigin`]): the circle's own proposal.
		/// - Effect: the first time, its first roll-up is due a settlement interval from now. A
		///   changed policy applies from the next roll-up, to withdrawals requested and
		///   payment requests made from now on.
		/// - Errors: [`Error::FeeTooHigh`], [`Error::PeriodOutOfRange`],
		///   [`Error::InvalidWithdrawalDelay`], [`Error::TreasuryMissing`],
		///   [`Error::AgendaFull`].
		/// - Events: [`Event::BridgeRegistered`] or [`Event::BridgePolicyChanged`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_bridge_policy())]
		pub fn set_bridge_policy(
			origin: OriginFor<T>,
			policy: BridgePolicy<BlockNumberFor<T>>,
		) -> DispatchResult {
			let bridge = T::CircleOrigin::ensure_origin(origin)?;
			Self::ensure_valid_policy(&policy)?;
			// Fees below the existential deposit could not open the treasury's account.
			ensure!(
				T::Currency::balance(&T::Circles::treasury(bridge))
					>= T::Currency::minimum_balance(),
				Error::<T>::TreasuryMissing
			);
			if let Some(mut existing) = Bridges::<T>::get(bridge) {
				existing.policy = policy.clone();
				Bridges::<T>::insert(bridge, existing);
				Self::deposit_event(Event::BridgePolicyChanged { bridge, policy });
			} else {
				let now = frame_system::Pallet::<T>::block_number();
				let due = now.saturating_add(policy.settlement_interval);
				let next_rollup = settlement::schedule::<T, RollupAgenda<T>, _, _>(due, bridge)?;
				Bridges::<T>::insert(
					bridge,
					Bridge { policy: policy.clone(), next_rollup, queue_head: 0, queue_tail: 0 },
				);
				Self::deposit_event(Event::BridgeRegistered { bridge, policy });
			}
			Ok(())
		}

		/// Parks `amount` with a bridge, held on the caller's account.
		///
		/// - Origin: a twin's account.
		/// - Effect: the escrow with the bridge grows by `amount` (held, not transferred).
		/// - Errors: [`Error::UnknownBridge`], [`Error::NotATwin`], [`Error::DepositTooSmall`],
		///   the currency's error when the balance cannot hold it.
		/// - Event: [`Event::EscrowDeposited`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::deposit_escrow())]
		pub fn deposit_escrow(
			origin: OriginFor<T>,
			bridge: CircleId,
			#[pallet::compact] amount: Balance,
		) -> DispatchResult {
			let consumer = ensure_signed(origin)?;
			ensure!(Bridges::<T>::contains_key(bridge), Error::<T>::UnknownBridge);
			ensure!(T::Registry::twin_of(&consumer).is_some(), Error::<T>::NotATwin);
			ensure!(amount >= T::MinEscrowDeposit::get(), Error::<T>::DepositTooSmall);
			let mut account = Consumers::<T>::get(bridge, &consumer).unwrap_or_default();
			account.escrow =
				account.escrow.checked_add(amount).ok_or(sp_runtime::ArithmeticError::Overflow)?;
			T::Currency::hold(&HoldReason::Escrow.into(), &consumer, amount)?;
			let escrow = account.escrow;
			Consumers::<T>::insert(bridge, &consumer, account);
			Self::deposit_event(Event::EscrowDeposited { bridge, consumer, amount, escrow });
			Ok(())
		}

		/// Asks for `amount` of escrow back; it can leave after the bridge's withdrawal delay.
		///
		/// - Origin: the consumer.
		/// - Effect: replaces any earlier request (its clock starts again). Until withdrawn,
		///   the amount still pays settlements, and does not count towards opening channels.
		/// - Errors: [`Error::UnknownBridge`], [`Error::UnknownConsumer`],
		///   [`Error::InsufficientEscrow`] (also for 0).
		/// - Event: [`Event::WithdrawalRequested`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::request_withdrawal())]
		pub fn request_withdrawal(
			origin: OriginFor<T>,
			bridge: CircleId,
			#[pallet::compact] amount: Balance,
		) -> DispatchResult {
			let consumer = ensure_signed(origin)?;
			let policy = Bridges::<T>::get(bridge).ok_or(Error::<T>::UnknownBridge)?.policy;
			let mut account =
				Consumers::<T>::get(bridge, &consumer).ok_or(Error::<T>::UnknownConsumer)?;
			ensure!(!amount.is_zero() && amount <= account.escrow, Error::<T>::InsufficientEscrow);
			let unlocks_at =
				frame_system::Pallet::<T>::block_number().saturating_add(policy.withdrawal_delay);
			account.unlocking = Some(Unlocking { amount, at: unlocks_at });
			Consumers::<T>::insert(bridge, &consumer, account);
			Self::deposit_event(Event::WithdrawalRequested {
				bridge,
				consumer,
				amount,
				unlocks_at,
			});
			Ok(())
		}

		/// Releases the requested escrow once the withdrawal delay has passed.
		///
		/// - Origin: the consumer.
		/// - Effect: the requested amount (at most what settlements left of the escrow) is no
		///   longer held.
		/// - Errors: [`Error::UnknownConsumer`], [`Error::NoWithdrawalRequested`],
		///   [`Error::WithdrawalNotDue`], [`Error::UnsettledIous`] (a channel of the consumer
		///   waits in the bridge's settlement queue: a member's roll-up or the next one settles
		///   it).
		/// - Event: [`Event::EscrowWithdrawn`].
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::withdraw_escrow())]
		pub fn withdraw_escrow(origin: OriginFor<T>, bridge: CircleId) -> DispatchResult {
			let consumer = ensure_signed(origin)?;
			let mut account =
				Consumers::<T>::get(bridge, &consumer).ok_or(Error::<T>::UnknownConsumer)?;
			let unlocking = account.unlocking.take().ok_or(Error::<T>::NoWithdrawalRequested)?;
			ensure!(
				frame_system::Pallet::<T>::block_number() >= unlocking.at,
				Error::<T>::WithdrawalNotDue
			);
			// IOUs handed in are paid first, even when the roll-up runs late.
			ensure!(account.queued_channels == 0, Error::<T>::UnsettledIous);
			let amount = unlocking.amount.min(account.escrow);
			T::Currency::release(&HoldReason::Escrow.into(), &consumer, amount, Precision::Exact)?;
			account.escrow = account.escrow.saturating_sub(amount);
			let escrow = account.escrow;
			Consumers::<T>::insert(bridge, &consumer, account);
			Self::deposit_event(Event::EscrowWithdrawn { bridge, consumer, amount, escrow });
			Ok(())
		}

		/// Opens a channel with a farm's service through a bridge, at the service's prices now.
		///
		/// - Origin: a twin's account with escrow at the bridge.
		/// - Effect: a new channel (a new id) holding the channel deposit from the caller.
		/// - Errors: [`Error::UnknownBridge`], [`Error::NotATwin`], [`Error::UnknownService`],
		///   [`Error::UnknownConsumer`], [`Error::ConsumerBlocked`],
		///   [`Error::ReputationTooLow`], [`Error::EscrowTooLow`],
		///   [`Error::ChannelIdsExhausted`], the currency's error for the deposit.
		/// - Event: [`Event::ChannelOpened`].
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::open_channel())]
		pub fn open_channel(
			origin: OriginFor<T>,
			bridge: CircleId,
			farm_id: FarmId,
			service: ServiceKind,
		) -> DispatchResult {
			let consumer = ensure_signed(origin)?;
			Self::do_open_channel(consumer, bridge, farm_id, service).map(|_| ())
		}

		/// Closes a channel, in two steps when the consumer asks.
		///
		/// - Origin: the channel's consumer, or its farm's owner or operator (the provider).
		/// - Effect: the provider closes the channel now (it gives up IOUs it did not submit).
		///   The consumer's first call starts a notice of the bridge's withdrawal delay,
		///   during which the provider can still submit IOUs. Once closing, a call by either
		///   removes the channel when everything its newest IOU says is paid, and releases
		///   the deposit to the consumer.
		/// - Errors: [`Error::UnknownChannel`], [`Error::NotChannelParty`],
		///   [`Error::ChannelNotClosable`] (notice not over), [`Error::ChannelUnpaid`].
		/// - Events: [`Event::ChannelClosing`], [`Event::ChannelClosed`].
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::close_channel())]
		pub fn close_channel(origin: OriginFor<T>, channel: ChannelId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_close_channel(&who, channel)
		}

		/// Hands the chain the newest IOUs of channels, each signed by both parties.
		///
		/// - Origin: anyone signed (usually the provider; the signatures decide).
		/// - Effect: each IOU becomes its channel's newest and the channel joins its bridge's
		///   settlement queue. An IOU no newer than its channel's newest is skipped (a copy
		///   handed in first by someone else must not sink the batch); any other bad IOU
		///   refuses the whole batch, and so does a batch with nothing new (by the error of its
		///   first stale IOU: [`Error::IouReplayed`] or [`Error::SequenceWentBackwards`]).
		/// - Errors: [`Error::EmptyBatch`], [`Error::BatchTooLarge`], [`Error::UnknownChannel`],
		///   [`Error::ChannelClosing`], [`Error::UsageCounterMismatch`],
		///   [`Error::AmountOverflow`], [`Error::AmountMismatch`],
		///   [`Error::SequenceWentBackwards`], [`Error::IouReplayed`],
		///   [`Error::UsageWentBackwards`], [`Error::BadConsumerSignature`],
		///   [`Error::BadProviderSignature`].
		/// - Events: [`Event::IouAccepted`] per IOU.
		/// - Weight: charged for the dearest signatures (wrapped, by the owner after the
		///   operator), refunded down to the verifications made (2 per IOU signed raw by the
		///   consumer and the operator).
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::submit_ious_worst(
			(ious.len() as u32).min(T::MaxIousPerBatch::get())
		))]
		pub fn submit_ious(
			origin: OriginFor<T>,
			ious: Vec<SignedIou>,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			ensure!(!ious.is_empty(), Error::<T>::EmptyBatch);
			// A plain list (its decoding bounded by the block's length) so that a batch over
			// the bound is refused by name rather than left undecodable.
			ensure!(ious.len() as u32 <= T::MaxIousPerBatch::get(), Error::<T>::BatchTooLarge);
			let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
			let count = ious.len() as u32;
			let mut checks = 0u32;
			let mut accepted = 0u32;
			// An IOU no newer than its channel's newest (a copy of one handed in already, by
			// anyone) is skipped, so such a copy cannot sink a provider's batch; a batch with
			// nothing new is refused by the first such IOU's error.
			let mut stale = None;
			for signed in ious {
				match Self::accept_iou(&genesis, signed) {
					Ok(made) => {
						checks = checks.saturating_add(made);
						accepted = accepted.saturating_add(1);
					},
					Err(error) if Self::is_stale(&error) => {
						stale.get_or_insert(error);
					},
					Err(error) => {
						return Err(DispatchErrorWithPostInfo {
							post_info: Some(Self::submit_weight(count, checks)).into(),
							error,
						})
					},
				}
			}
			// Charged for the worst signatures, refunded to the verifications made.
			let weight = Self::submit_weight(count, checks);
			match stale {
				Some(error) if accepted == 0 => {
					Err(DispatchErrorWithPostInfo { post_info: Some(weight).into(), error })
				},
				_ => Ok(Some(weight).into()),
			}
		}

		/// Settles up to `max_channels` of the bridge's queued channels now.
		///
		/// - Origin: a member of the bridge's circle.
		/// - Effect: as the roll-up in a block's initialization; it does not move the next
		///   scheduled roll-up.
		/// - Errors: [`Error::UnknownBridge`], [`Error::NotBridgeMember`].
		/// - Event: [`Event::RollupTriggered`], with the settlements' events.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::roll_up(
			(*max_channels).min(T::MaxSettlementsPerBlock::get())
		))]
		pub fn roll_up(
			origin: OriginFor<T>,
			bridge: CircleId,
			max_channels: u32,
		) -> DispatchResultWithPostInfo {
			let member = ensure_signed(origin)?;
			ensure!(Bridges::<T>::contains_key(bridge), Error::<T>::UnknownBridge);
			ensure!(T::Circles::is_member(bridge, &member), Error::<T>::NotBridgeMember);
			let max = max_channels.min(T::MaxSettlementsPerBlock::get());
			let now = frame_system::Pallet::<T>::block_number();
			let (settled, _) = Self::settle_queue(bridge, max, now);
			Self::deposit_event(Event::RollupTriggered { bridge, member, settled });
			Ok(Some(T::WeightInfo::roll_up(settled)).into())
		}

		/// Pays a channel's payment request from the caller's free balance.
		///
		/// - Origin: the channel's consumer.
		/// - Effect: the requested amount goes to the provider (the bridge's fee to its
		///   treasury); the request is gone and counts for the consumer's reputation.
		/// - Errors: [`Error::UnknownChannel`], [`Error::NotChannelParty`],
		///   [`Error::NoPaymentRequest`], the currency's error when the balance is short.
		/// - Event: [`Event::PaymentRequestPaid`].
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::pay_request())]
		pub fn pay_request(origin: OriginFor<T>, channel: ChannelId) -> DispatchResult {
			let consumer = ensure_signed(origin)?;
			Self::do_pay_request(consumer, channel)
		}

		/// Blocks a consumer from opening channels through the calling bridge, or unblocks it.
		///
		/// - Origin: the bridge's circle ([`Config::CircleOrigin`]).
		/// - Effect: a blocked consumer opens no channel; its open channels and escrow are
		///   untouched (what it owes is still settled).
		/// - Errors: [`Error::UnknownBridge`].
		/// - Event: [`Event::ConsumerBlockSet`].
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::set_consumer_blocked())]
		pub fn set_consumer_blocked(
			origin: OriginFor<T>,
			consumer: T::AccountId,
			blocked: bool,
		) -> DispatchResult {
			let bridge = T::CircleOrigin::ensure_origin(origin)?;
			ensure!(Bridges::<T>::contains_key(bridge), Error::<T>::UnknownBridge);
			Consumers::<T>::mutate(bridge, &consumer, |account| {
				account.get_or_insert_with(Default::default).blocked = blocked;
			});
			Self::deposit_event(Event::ConsumerBlockSet { bridge, consumer, blocked });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// What the runtime API tells about a consumer with a bridge.
		pub fn consumer_view(
			bridge: CircleId,
			consumer: &T::AccountId,
		) -> Option<ConsumerView<BlockNumberFor<T>>> {
			let policy = Bridges::<T>::get(bridge)?.policy;
			let account = Consumers::<T>::get(bridge, consumer)?;
			let may_open_channel = Self::ensure_may_open(&policy, &account).is_ok();
			Some(ConsumerView {
				escrow: account.escrow,
				available: account.available(),
				score: account.reputation.score(),
				unlocking: account.unlocking,
				reputation: account.reputation,
				blocked: account.blocked,
				may_open_channel,
			})
		}
	}
}
