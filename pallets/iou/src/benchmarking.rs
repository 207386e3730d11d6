//! Benchmarks of every call and of the block's hook, each at its worst case: services with the
//! most counters and bounds, agendas full up to the last block searched, IOUs on distinct
//! channels that each join a queue, settlements that pay a cooperative, take a fee and leave a
//! payment request.

use crate::{
	pallet::*,
	settlement::{MAX_CHECKS, SCHEDULE_SEARCH},
	types::*,
};
use alloc::{format, vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, EnsureOrigin, Get},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use gridchain_primitives::{
	circles::Circles,
	grid::{GridRegistry, PricingPolicy, Resources, GIB},
	iou::{price_usage, wrapped_message},
};
use sp_core::crypto::KeyTypeId;
use sp_runtime::{
	traits::{One, Saturating, Zero},
	MultiSignature, Permill,
};

/// The keystore key type of the keys benchmarks sign IOUs with.
const KEY: KeyTypeId = KeyTypeId(*b"iou!");
const TFT: Balance = 10_000_000;

/// An sr25519 key in the keystore, and its account.
fn key<T: Config>(name: &str, n: u32) -> (sp_core::sr25519::Public, T::AccountId) {
	let public = sp_io::crypto::sr25519_generate(KEY, Some(format!("//{name}/{n}").into_bytes()));
	let account = T::AccountId::from(public.0);
	(public, account)
}

fn fund<T: Config>(who: &T::AccountId) {
	T::Currency::set_balance(who, 1_000_000 * TFT);
}

/// The most counters, each at 0.0001 TFT per unit.
fn prices() -> ServicePrices {
	BoundedVec::truncate_from(vec![
		CounterPrice { price: 1_000, per: 1 };
		MAX_USAGE_COUNTERS as usize
	])
}

/// A farm offering bandwidth at [`prices`], in a cooperative (its payee records earnings), with
/// an operator; its owner's and operator's keys.
struct Farm<T: Config> {
	farm_id: FarmId,
	owner: sp_core::sr25519::Public,
	operator: sp_core::sr25519::Public,
	owner_account: T::AccountId,
}

fn farm<T: Config>() -> Farm<T> {
	let (owner, owner_account) = key::<T>("owner", 0);
	let (operator, operator_account) = key::<T>("operator", 0);
	fund::<T>(&owner_account);
	fund::<T>(&operator_account);
	let capacity = Resources { cru: 1, mru: GIB, sru: GIB, hru: 0 };
	let node = T::Registry::benchmark_node(
		&owner_account,
		&operator_account,
		PricingPolicy::default(),
		capacity,
	);
	let farm_id = T::Registry::node(node).expect("the node").farm_id;
	T::Registry::benchmark_cooperative(farm_id, &owner_account);
	Services::<T>::insert(farm_id, ServiceKind::Bandwidth, prices());
	Farm { farm_id, owner, operator, owner_account }
}

fn policy<T: Config>() -> BridgePolicy<BlockNumberFor<T>> {
	BridgePolicy {
		fee: Permill::from_percent(1),
		settlement_interval: T::MinPeriod::get(),
		withdrawal_delay: T::MinPeriod::get(),
		payment_period: T::MinPeriod::get(),
		min_escrow: 0,
		min_score: 0,
		low_score_escrow: 0,
	}
}

/// A registered bridge whose circle has `member`; its treasury exists.
fn bridge<T: Config>(member: &T::AccountId) -> CircleId {
	let circle_id = T::Circles::benchmark_circle(member);
	fund::<T>(&T::Circles::treasury(circle_id));
	let next_rollup = frame_system::Pallet::<T>::block_number().saturating_add(T::MinPeriod::get());
	Bridges::<T>::insert(
		circle_id,
		Bridge { policy: policy::<T>(), next_rollup, queue_head: 0, queue_tail: 0 },
	);
	circle_id
}

/// A funded twin with `escrow` parked at the bridge.
fn consumer<T: Config>(account: &T::AccountId, bridge: CircleId, escrow: Balance) {
	fund::<T>(account);
	T::Registry::benchmark_twin(account);
	Pallet::<T>::deposit_escrow(RawOrigin::Signed(account.clone()).into(), bridge, escrow)
		.expect("escrow parked");
}

fn open<T: Config>(consumer: &T::AccountId, bridge: CircleId, farm_id: FarmId) -> ChannelId {
	Pallet::<T>::do_open_channel(consumer.clone(), bridge, farm_id, ServiceKind::Bandwidth)
		.expect("a channel")
}

fn usage(each: u64) -> Usage {
	BoundedVec::truncate_from(vec![each; MAX_USAGE_COUNTERS as usize])
}

/// An IOU for `each` units of every counter, signed by the consumer and `provider`, raw or
/// wrapped.
fn signed_iou<T: Config>(
	channel: ChannelId,
	each: u64,
	sequence: u64,
	consumer: &sp_core::sr25519::Public,
	provider: &sp_core::sr25519::Public,
	wrapped: bool,
) -> SignedIou {
	let usage = usage(each);
	let amount = price_usage(&usage, &prices()).expect("priced");
	let iou = Iou { channel, usage, amount, sequence };
	let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
	let mut message = iou.signed_message(&genesis);
	if wrapped {
		message = wrapped_message(&message);
	}
	let sign = |public| {
		MultiSignature::Sr25519(sp_io::crypto::sr25519_sign(KEY, public, &message).expect("signed"))
	};
	SignedIou { consumer_signature: sign(consumer), provider_signature: sign(provider), iou }
}

/// A batch of `n` IOUs on distinct channels of distinct consumers (each channel had an IOU
/// before, and each consumer's queued count is written); signed raw by the operator, or
/// (`dearest`) wrapped and by the owner. The last consumer too.
fn batch_on_new_channels<T: Config>(n: u32, dearest: bool) -> (T::AccountId, Vec<SignedIou>) {
	let farm = farm::<T>();
	let bridge = bridge::<T>(&account("member", 0, 0));
	let provider = if dearest { &farm.owner } else { &farm.operator };
	let mut last = None;
	let ious: Vec<_> = (0..n)
		.map(|i| {
			let (consumer_key, who) = key::<T>("consumer", i);
			consumer::<T>(&who, bridge, TFT);
			let channel = open::<T>(&who, bridge, farm.farm_id);
			Channels::<T>::mutate(channel, |record| {
				record.as_mut().expect("the channel").newest =
					Some(Newest { usage: usage(1), amount: 0, sequence: 1 });
			});
			last = Some(who);
			signed_iou::<T>(channel, 1_000, 2, &consumer_key, provider, dearest)
		})
		.collect();
	(last.expect("at least one"), ious)
}

/// `count` channels of distinct consumers, each owing `owed` with `escrow` parked, queued at
/// the bridge.
fn queued_channels<T: Config>(
	seed: u32,
	bridge: CircleId,
	farm_id: FarmId,
	count: u32,
	escrow: Balance,
	owed: Balance,
) -> Vec<ChannelId> {
	(0..count)
		.map(|n| {
			let account: T::AccountId = account("consumer", n, seed);
			consumer::<T>(&account, bridge, escrow.max(T::MinEscrowDeposit::get()));
			if escrow < T::MinEscrowDeposit::get() {
				Consumers::<T>::mutate(bridge, &account, |record| {
					if let Some(record) = record {
						record.escrow = escrow;
					}
				});
				let release = T::MinEscrowDeposit::get() - escrow;
				<T::Currency as frame_support::traits::fungible::MutateHold<_>>::release(
					&HoldReason::Escrow.into(),
					&account,
					release,
					frame_support::traits::tokens::Precision::Exact,
				)
				.expect("released");
			}
			let channel = open::<T>(&account, bridge, farm_id);
			Channels::<T>::mutate(channel, |record| {
				let record = record.as_mut().expect("the channel");
				record.newest = Some(Newest { usage: usage(1), amount: owed, sequence: 1 });
			});
			Pallet::<T>::enqueue(bridge, channel).expect("queued");
			Channels::<T>::mutate(channel, |record| {
				record.as_mut().expect("the channel").queued = true;
			});
			channel
		})
		.collect()
}

/// Fills an agenda's blocks from `from`, all but the last block searched.
fn fill_agenda<T: Config>(from: BlockNumberFor<T>, fill: impl Fn(BlockNumberFor<T>)) {
	let mut block = from;
	for _ in 0..SCHEDULE_SEARCH - 1 {
		fill(block);
		block = block.saturating_add(One::one());
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn set_service() {
		let farm = farm::<T>();
		let range = PriceRange {
			min: CounterPrice { price: 0, per: 1 },
			max: CounterPrice { price: TFT, per: 1 },
		};
		ServiceBoundsOf::<T>::insert(
			ServiceKind::Bandwidth,
			ServiceBounds::truncate_from(vec![range; MAX_USAGE_COUNTERS as usize]),
		);
		#[extrinsic_call]
		_(RawOrigin::Signed(farm.owner_account), farm.farm_id, ServiceKind::Bandwidth, prices());
		assert!(Services::<T>::contains_key(farm.farm_id, ServiceKind::Bandwidth));
	}

	#[benchmark]
	fn remove_service() {
		let farm = farm::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(farm.owner_account), farm.farm_id, ServiceKind::Bandwidth);
		assert!(!Services::<T>::contains_key(farm.farm_id, ServiceKind::Bandwidth));
	}

	#[benchmark]
	fn set_service_bounds() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let range = PriceRange {
			min: CounterPrice { price: 1, per: 1 },
			max: CounterPrice { price: TFT, per: 1 },
		};
		let bounds = ServiceBounds::truncate_from(vec![range; MAX_USAGE_COUNTERS as usize]);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, ServiceKind::Bandwidth, Some(bounds));
		assert!(ServiceBoundsOf::<T>::contains_key(ServiceKind::Bandwidth));
		Ok(())
	}

	#[benchmark]
	fn set_bridge_policy() -> Result<(), BenchmarkError> {
		let origin =
			T::CircleOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let circle_id =
			T::CircleOrigin::try_origin(origin.clone()).map_err(|_| BenchmarkError::Weightless)?;
		Bridges::<T>::remove(circle_id);
		fund::<T>(&T::Circles::treasury(circle_id));
		// Every block the search looks at is full but the last.
		let due = frame_system::Pallet::<T>::block_number().saturating_add(T::MinPeriod::get());
		fill_agenda::<T>(due, |block| {
			RollupAgenda::<T>::insert(
				block,
				BoundedVec::truncate_from(vec![
					CircleId::MAX;
					T::MaxRollupsDuePerBlock::get() as usize
				]),
			)
		});
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, policy::<T>());
		assert!(Bridges::<T>::contains_key(circle_id));
		Ok(())
	}

	#[benchmark]
	fn deposit_escrow() {
		let bridge = bridge::<T>(&account("member", 0, 0));
		let who: T::AccountId = account("consumer", 0, 0);
		consumer::<T>(&who, bridge, TFT);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), bridge, TFT);
		assert_eq!(Consumers::<T>::get(bridge, &who).expect("the account").escrow, 2 * TFT);
	}

	#[benchmark]
	fn request_withdrawal() {
		let bridge = bridge::<T>(&account("member", 0, 0));
		let who: T::AccountId = account("consumer", 0, 0);
		consumer::<T>(&who, bridge, 2 * TFT);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), bridge, TFT);
		assert!(Consumers::<T>::get(bridge, &who).expect("the account").unlocking.is_some());
	}

	#[benchmark]
	fn withdraw_escrow() {
		let bridge = bridge::<T>(&account("member", 0, 0));
		let who: T::AccountId = account("consumer", 0, 0);
		consumer::<T>(&who, bridge, 2 * TFT);
		Pallet::<T>::request_withdrawal(RawOrigin::Signed(who.clone()).into(), bridge, TFT)
			.expect("requested");
		let later = frame_system::Pallet::<T>::block_number().saturating_add(T::MinPeriod::get());
		frame_system::Pallet::<T>::set_block_number(later);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), bridge);
		assert_eq!(Consumers::<T>::get(bridge, &who).expect("the account").escrow, TFT);
	}

	#[benchmark]
	fn open_channel() {
		let farm = farm::<T>();
		let bridge = bridge::<T>(&account("member", 0, 0));
		let who: T::AccountId = account("consumer", 0, 0);
		consumer::<T>(&who, bridge, TFT);
		let id = NextChannelId::<T>::get();
		#[extrinsic_call]
		_(RawOrigin::Signed(who), bridge, farm.farm_id, ServiceKind::Bandwidth);
		assert!(Channels::<T>::contains_key(id));
	}

	#[benchmark]
	fn close_channel() {
		// The consumer ends its notice: both provider checks fail first.
		let farm = farm::<T>();
		let bridge = bridge::<T>(&account("member", 0, 0));
		let who: T::AccountId = account("consumer", 0, 0);
		consumer::<T>(&who, bridge, TFT);
		let channel = open::<T>(&who, bridge, farm.farm_id);
		Pallet::<T>::close_channel(RawOrigin::Signed(who.clone()).into(), channel)
			.expect("closing");
		let later = frame_system::Pallet::<T>::block_number().saturating_add(T::MinPeriod::get());
		frame_system::Pallet::<T>::set_block_number(later);
		#[extrinsic_call]
		_(RawOrigin::Signed(who), channel);
		assert!(!Channels::<T>::contains_key(channel));
	}

	/// Distinct channels that each had an IOU, signed raw by the consumer and the operator.
	#[benchmark]
	fn submit_ious(n: Linear<1, { T::MaxIousPerBatch::get() }>) {
		let (who, batch) = batch_on_new_channels::<T>(n, false);
		#[extrinsic_call]
		submit_ious(RawOrigin::Signed(who), batch);
		assert!(Channels::<T>::iter_values().all(|channel| channel.queued));
	}

	/// As `submit_ious`, with the dearest signatures: wrapped, the provider's by the owner
	/// (the operator's checks fail first).
	#[benchmark]
	fn submit_ious_worst(n: Linear<1, { T::MaxIousPerBatch::get() }>) {
		let (_, batch) = batch_on_new_channels::<T>(n, true);
		#[block]
		{
			let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
			for signed in batch {
				let checks = Pallet::<T>::accept_iou(&genesis, signed).expect("accepted");
				assert_eq!(checks, MAX_CHECKS);
			}
		}
	}

	/// Each channel has its own consumer, whose escrow covers half of what it owes: a fee, a
	/// cooperative's earnings and a payment request per channel.
	#[benchmark]
	fn roll_up(n: Linear<1, { T::MaxSettlementsPerBlock::get() }>) {
		let farm = farm::<T>();
		let member: T::AccountId = account("member", 0, 0);
		let bridge = bridge::<T>(&member);
		let channels = queued_channels::<T>(1, bridge, farm.farm_id, n, TFT, 2 * TFT);
		#[extrinsic_call]
		_(RawOrigin::Signed(member), bridge, n);
		for channel in channels {
			let channel = Channels::<T>::get(channel).expect("the channel");
			assert_eq!(channel.paid, TFT);
			assert!(channel.request.is_some());
		}
	}

	#[benchmark]
	fn pay_request() {
		let farm = farm::<T>();
		let member: T::AccountId = account("member", 0, 0);
		let bridge = bridge::<T>(&member);
		let channel = queued_channels::<T>(1, bridge, farm.farm_id, 1, TFT, 2 * TFT)[0];
		Pallet::<T>::roll_up(RawOrigin::Signed(member).into(), bridge, 1).expect("settled");
		let who = Channels::<T>::get(channel).expect("the channel").consumer;
		#[extrinsic_call]
		_(RawOrigin::Signed(who), channel);
		assert_eq!(Channels::<T>::get(channel).expect("the channel").paid, 2 * TFT);
	}

	#[benchmark]
	fn set_consumer_blocked() -> Result<(), BenchmarkError> {
		let origin =
			T::CircleOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let circle_id =
			T::CircleOrigin::try_origin(origin.clone()).map_err(|_| BenchmarkError::Weightless)?;
		Bridges::<T>::insert(
			circle_id,
			Bridge {
				policy: policy::<T>(),
				next_rollup: Zero::zero(),
				queue_head: 0,
				queue_tail: 0,
			},
		);
		let who: T::AccountId = account("consumer", 0, 0);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone(), true);
		assert!(Consumers::<T>::get(circle_id, &who).expect("the account").blocked);
		Ok(())
	}

	/// `b` payment requests bounce at their deadline (escrow is looked at first: empty).
	#[benchmark]
	fn on_initialize_bounces(b: Linear<0, { T::MaxSettlementsPerBlock::get() }>) {
		let farm = farm::<T>();
		let bridge = bridge::<T>(&account("member", 0, 0));
		let now = frame_system::Pallet::<T>::block_number().saturating_add(T::MinPeriod::get());
		let bouncing = queued_channels::<T>(2, bridge, farm.farm_id, b, 0, TFT);
		Pallet::<T>::settle_queue(bridge, b, frame_system::Pallet::<T>::block_number());
		for channel in &bouncing {
			Channels::<T>::mutate(channel, |record| {
				let record = record.as_mut().expect("the channel");
				record.request = Some(PaymentRequest { amount: TFT, deadline: now });
			});
		}
		DeadlineAgenda::<T>::insert(now, BoundedVec::truncate_from(bouncing.clone()));
		frame_system::Pallet::<T>::set_block_number(now);
		#[block]
		{
			Pallet::<T>::process_block(now);
		}
		for channel in bouncing {
			assert!(!Channels::<T>::contains_key(channel));
		}
	}

	/// `d` roll-ups become due; the most that can be under way already are, so each is put
	/// in the next block's agenda.
	#[benchmark]
	fn on_initialize_due(d: Linear<0, { T::MaxRollupsDuePerBlock::get() }>) {
		let now = frame_system::Pallet::<T>::block_number().saturating_add(T::MinPeriod::get());
		let active: Vec<CircleId> =
			(0..T::MaxActiveRollups::get()).map(|m| CircleId::MAX - m).collect();
		ActiveRollups::<T>::put(BoundedVec::truncate_from(active));
		let due: Vec<CircleId> = (0..d).collect();
		RollupAgenda::<T>::insert(now, BoundedVec::truncate_from(due));
		frame_system::Pallet::<T>::set_block_number(now);
		#[block]
		{
			// Only the agenda's part: the bridges under way are not registered.
			Pallet::<T>::process_block(now);
		}
		assert_eq!(RollupAgenda::<T>::get(now.saturating_add(One::one())).len() as u32, d);
	}

	/// `n` channels of the one bridge under way are settled (each: a fee, a cooperative's
	/// earnings and a payment request).
	#[benchmark]
	fn on_initialize_settlements(n: Linear<0, { T::MaxSettlementsPerBlock::get() }>) {
		let farm = farm::<T>();
		let bridge = self::bridge::<T>(&account("member", 0, 0));
		queued_channels::<T>(1, bridge, farm.farm_id, n, TFT, 2 * TFT);
		ActiveRollups::<T>::put(BoundedVec::truncate_from(vec![bridge]));
		let now = frame_system::Pallet::<T>::block_number().saturating_add(T::MinPeriod::get());
		frame_system::Pallet::<T>::set_block_number(now);
		#[block]
		{
			Pallet::<T>::process_block(now);
		}
		assert!(ActiveRollups::<T>::get().is_empty());
	}

	/// `a` bridges under way whose queues are empty: each is looked at and scheduled again.
	#[benchmark]
	fn on_initialize_rollups(a: Linear<1, { T::MaxActiveRollups::get() }>) {
		let active: Vec<CircleId> =
			(0..a).map(|m| self::bridge::<T>(&account("member", m, 0))).collect();
		ActiveRollups::<T>::put(BoundedVec::truncate_from(active));
		let now = frame_system::Pallet::<T>::block_number().saturating_add(T::MinPeriod::get());
		frame_system::Pallet::<T>::set_block_number(now);
		#[block]
		{
			Pallet::<T>::process_block(now);
		}
		assert!(ActiveRollups::<T>::get().is_empty());
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}
