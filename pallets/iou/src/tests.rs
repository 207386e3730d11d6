//! Unit tests: every call, every error, the roll-up, payment requests and bounces, and the
//! money each moves (to the unit).

use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
	BoundedVec,
};
use gridchain_primitives::grid::GIB;
use sp_core::Pair;
use sp_runtime::{DispatchError, MultiSignature, Permill};

/// `assert_noop!` for calls that report the weight they used when they fail.
macro_rules! assert_refused {
	($call:expr, $error:expr $(,)?) => {
		frame_support::assert_storage_noop!(frame_support::assert_err_ignore_postinfo!(
			$call, $error
		))
	};
}

fn signed(account: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(account)
}

fn escrow_of(consumer: &AccountId) -> Balance {
	Consumers::<Test>::get(BRIDGE, consumer).map_or(0, |account| account.escrow)
}

fn held_escrow(consumer: &AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::Escrow.into(), consumer)
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Ious(event) => Some(event),
			_ => None,
		})
		.collect()
}

fn prices(list: &[(Balance, u64)]) -> ServicePrices {
	BoundedVec::try_from(
		list.iter().map(|&(price, per)| CounterPrice { price, per }).collect::<Vec<_>>(),
	)
	.unwrap()
}

fn range(min: (Balance, u64), max: (Balance, u64)) -> PriceRange {
	PriceRange {
		min: CounterPrice { price: min.0, per: min.1 },
		max: CounterPrice { price: max.0, per: max.1 },
	}
}

/// The cost of `gib` GiB and `requests` requests at bandwidth's prices.
fn cost(gib: u64, requests: u64) -> Balance {
	Balance::from(gib) * TFT + Balance::from(requests) * (TFT / 100) / 1_000
}

/// A channel of `consumer` with 5 TFT of escrow and an IOU for 8 TFT handed in.
fn short_channel(consumer: &AccountId) -> ChannelId {
	let channel = open_channel_with_escrow(consumer, 5 * TFT);
	assert_ok!(Ious::submit_ious(
		signed(bob()),
		batch(vec![signed_iou(channel, &[8 * GIB, 0], 1, consumer, &operator())])
	));
	channel
}

// ---- services ----

#[test]
fn the_owner_and_the_operator_set_services_and_no_one_else() {
	test(|| {
		let storage = prices(&[(TFT, GIB)]);
		assert_ok!(Ious::set_service(signed(operator()), 1, ServiceKind::Storage, storage.clone()));
		assert_eq!(Services::<Test>::get(1, ServiceKind::Storage), Some(storage.clone()));
		assert_noop!(
			Ious::set_service(signed(alice()), 1, ServiceKind::Storage, storage.clone()),
			Error::<Test>::NotFarmManager
		);
		assert_noop!(
			Ious::set_service(signed(bob()), 9, ServiceKind::Storage, storage),
			Error::<Test>::UnknownFarm
		);
		assert_noop!(
			Ious::set_service(signed(bob()), 1, ServiceKind::Storage, prices(&[])),
			Error::<Test>::InvalidPrices
		);
		assert_noop!(
			Ious::set_service(signed(bob()), 1, ServiceKind::Storage, prices(&[(1, 1), (1, 0)])),
			Error::<Test>::InvalidPrices
		);
		assert_ok!(Ious::remove_service(signed(bob()), 1, ServiceKind::Storage));
		assert!(
			events().contains(&Event::ServiceRemoved { farm_id: 1, service: ServiceKind::Storage })
		);
		assert_noop!(
			Ious::remove_service(signed(bob()), 1, ServiceKind::Storage),
			Error::<Test>::UnknownService
		);
		assert_noop!(
			Ious::remove_service(signed(alice()), 1, ServiceKind::Bandwidth),
			Error::<Test>::NotFarmManager
		);
	});
}

#[test]
fn the_councils_bounds_fix_the_counters_and_their_rates() {
	test(|| {
		// Messaging: one counter, between 0.001 and 0.01 TFT per message.
		let bounds: ServiceBounds =
			BoundedVec::try_from(vec![range((TFT / 1_000, 1), (TFT / 100, 1))]).unwrap();
		assert_noop!(
			Ious::set_service_bounds(signed(alice()), ServiceKind::Messaging, Some(bounds.clone())),
			DispatchError::BadOrigin
		);
		let inverted: ServiceBounds =
			BoundedVec::try_from(vec![range((TFT / 100, 1), (TFT / 1_000, 1))]).unwrap();
		assert_noop!(
			Ious::set_service_bounds(RuntimeOrigin::root(), ServiceKind::Messaging, Some(inverted)),
			Error::<Test>::InvalidBounds
		);
		assert_ok!(Ious::set_service_bounds(
			RuntimeOrigin::root(),
			ServiceKind::Messaging,
			Some(bounds)
		));
		let set = |list: &[(Balance, u64)]| {
			Ious::set_service(signed(bob()), 1, ServiceKind::Messaging, prices(list))
		};
		assert_noop!(set(&[(TFT / 100, 1), (1, 1)]), Error::<Test>::CounterCountMismatch);
		assert_noop!(set(&[(TFT / 10, 1)]), Error::<Test>::PriceOutOfBounds);
		assert_noop!(set(&[(TFT / 1_000 - 1, 1)]), Error::<Test>::PriceOutOfBounds);
		// The same rate per 1,000 messages is within: rates compare across units.
		assert_ok!(set(&[(TFT * 5, 1_000)]));
		// Other kinds are not bounded; lifting the bounds frees messaging too.
		assert_ok!(Ious::set_service_bounds(RuntimeOrigin::root(), ServiceKind::Messaging, None));
		assert_ok!(set(&[(TFT, 1)]));
	});
}

// ---- bridges ----

#[test]
fn a_circle_registers_as_a_bridge_by_its_own_origin_within_bounds() {
	test(|| {
		MockCircles::create(8, vec![dave()]);
		assert_noop!(Ious::set_bridge_policy(signed(dave()), policy()), DispatchError::BadOrigin);
		let with = |change: fn(&mut BridgePolicy<u64>)| {
			let mut policy = policy();
			change(&mut policy);
			Ious::set_bridge_policy(circle_origin(8), policy)
		};
		assert_noop!(with(|p| p.fee = Permill::from_percent(11)), Error::<Test>::FeeTooHigh);
		assert_noop!(with(|p| p.settlement_interval = 1), Error::<Test>::PeriodOutOfRange);
		assert_noop!(with(|p| p.payment_period = 1_001), Error::<Test>::PeriodOutOfRange);
		assert_noop!(with(|p| p.withdrawal_delay = 9), Error::<Test>::InvalidWithdrawalDelay);
		assert_noop!(with(|p| p.withdrawal_delay = 1_001), Error::<Test>::InvalidWithdrawalDelay);
		assert_noop!(
			Ious::set_bridge_policy(circle_origin(8), policy()),
			Error::<Test>::TreasuryMissing
		);
		fund_treasury(8);
		assert_ok!(Ious::set_bridge_policy(circle_origin(8), policy()));
		assert_eq!(Bridges::<Test>::get(8).unwrap().next_rollup, 11);
		assert!(RollupAgenda::<Test>::get(11).contains(&8));
		// A change keeps the schedule.
		assert_ok!(with(|p| p.fee = Permill::from_percent(5)));
		assert_eq!(Bridges::<Test>::get(8).unwrap().policy.fee, Permill::from_percent(5));
		assert_eq!(RollupAgenda::<Test>::get(11).iter().filter(|id| **id == 8).count(), 1);
		assert!(matches!(events().last(), Some(Event::BridgePolicyChanged { bridge: 8, .. })));
	});
}

// ---- escrow ----

#[test]
fn escrow_is_held_and_leaves_only_after_the_withdrawal_delay() {
	test(|| {
		let free = Balances::balance(&alice());
		assert_ok!(Ious::deposit_escrow(signed(alice()), BRIDGE, 30 * TFT));
		assert_eq!(held_escrow(&alice()), 30 * TFT);
		assert_eq!(Balances::balance(&alice()), free - 30 * TFT);
		assert_noop!(
			Ious::deposit_escrow(signed(alice()), 99, 30 * TFT),
			Error::<Test>::UnknownBridge
		);
		assert_noop!(
			Ious::deposit_escrow(signed(dave()), BRIDGE, 30 * TFT),
			Error::<Test>::NotATwin
		);
		assert_noop!(
			Ious::deposit_escrow(signed(alice()), BRIDGE, TFT - 1),
			Error::<Test>::DepositTooSmall
		);
		assert_noop!(
			Ious::deposit_escrow(signed(charlie()), BRIDGE, ENDOWMENT + 1),
			sp_runtime::TokenError::FundsUnavailable
		);

		assert_noop!(
			Ious::withdraw_escrow(signed(alice()), BRIDGE),
			Error::<Test>::NoWithdrawalRequested
		);
		assert_noop!(
			Ious::request_withdrawal(signed(alice()), BRIDGE, 31 * TFT),
			Error::<Test>::InsufficientEscrow
		);
		assert_noop!(
			Ious::request_withdrawal(signed(alice()), BRIDGE, 0),
			Error::<Test>::InsufficientEscrow
		);
		assert_noop!(
			Ious::request_withdrawal(signed(charlie()), BRIDGE, TFT),
			Error::<Test>::UnknownConsumer
		);
		assert_ok!(Ious::request_withdrawal(signed(alice()), BRIDGE, 10 * TFT));
		assert_eq!(
			events().last(),
			Some(&Event::WithdrawalRequested {
				bridge: BRIDGE,
				consumer: alice(),
				amount: 10 * TFT,
				unlocks_at: 21
			})
		);
		run_to_block(20);
		assert_noop!(
			Ious::withdraw_escrow(signed(alice()), BRIDGE),
			Error::<Test>::WithdrawalNotDue
		);
		run_to_block(21);
		assert_ok!(Ious::withdraw_escrow(signed(alice()), BRIDGE));
		assert_eq!(escrow_of(&alice()), 20 * TFT);
		assert_eq!(held_escrow(&alice()), 20 * TFT);
		assert_eq!(Balances::balance(&alice()), free - 20 * TFT);
		assert_noop!(
			Ious::withdraw_escrow(signed(alice()), BRIDGE),
			Error::<Test>::NoWithdrawalRequested
		);
	});
}

#[test]
fn a_new_withdrawal_request_restarts_the_delay() {
	test(|| {
		assert_ok!(Ious::deposit_escrow(signed(alice()), BRIDGE, 30 * TFT));
		assert_ok!(Ious::request_withdrawal(signed(alice()), BRIDGE, 10 * TFT));
		run_to_block(15);
		assert_ok!(Ious::request_withdrawal(signed(alice()), BRIDGE, 5 * TFT));
		run_to_block(21);
		assert_noop!(
			Ious::withdraw_escrow(signed(alice()), BRIDGE),
			Error::<Test>::WithdrawalNotDue
		);
		run_to_block(35);
		assert_ok!(Ious::withdraw_escrow(signed(alice()), BRIDGE));
		assert_eq!(escrow_of(&alice()), 25 * TFT);
	});
}

// ---- channels ----

#[test]
fn a_channel_fixes_the_services_prices_and_ids_are_never_reused() {
	test(|| {
		let first = open_channel_with_escrow(&alice(), 10 * TFT);
		assert_eq!(first, 0);
		assert_eq!(
			Balances::balance_on_hold(&HoldReason::ChannelDeposit.into(), &alice()),
			CHANNEL_DEPOSIT
		);
		// The farm doubles its prices: the open channel keeps the old ones.
		let doubled = prices(&[(2 * TFT, GIB), (TFT / 50, 1_000)]);
		assert_ok!(Ious::set_service(signed(bob()), 1, ServiceKind::Bandwidth, doubled.clone()));
		assert_eq!(Channels::<Test>::get(first).unwrap().prices, bandwidth_prices());
		assert_ok!(Ious::close_channel(signed(operator()), first));
		assert!(Channels::<Test>::get(first).is_none());
		assert_ok!(Ious::open_channel(signed(alice()), BRIDGE, 1, ServiceKind::Bandwidth));
		assert_eq!(Channels::<Test>::get(1).unwrap().prices, doubled);
		assert!(Channels::<Test>::get(0).is_none());
	});
}

#[test]
fn opening_a_channel_needs_a_service_escrow_and_standing() {
	test(|| {
		let open =
			|who: AccountId| Ious::open_channel(signed(who), BRIDGE, 1, ServiceKind::Bandwidth);
		assert_noop!(
			Ious::open_channel(signed(alice()), BRIDGE, 1, ServiceKind::Storage),
			Error::<Test>::UnknownService
		);
		assert_noop!(
			Ious::open_channel(signed(alice()), 99, 1, ServiceKind::Bandwidth),
			Error::<Test>::UnknownBridge
		);
		assert_noop!(open(dave()), Error::<Test>::NotATwin);
		assert_noop!(open(alice()), Error::<Test>::UnknownConsumer);
		assert_ok!(Ious::deposit_escrow(signed(alice()), BRIDGE, 5 * TFT));
		// Escrow on its way out does not count.
		assert_ok!(Ious::request_withdrawal(signed(alice()), BRIDGE, TFT));
		assert_noop!(open(alice()), Error::<Test>::EscrowTooLow);
		assert_ok!(Ious::deposit_escrow(signed(alice()), BRIDGE, TFT));
		assert_ok!(open(alice()));

		// The circle blocks Alice: no new channel; only the circle can.
		assert_noop!(
			Ious::set_consumer_blocked(signed(alice()), alice(), false),
			DispatchError::BadOrigin
		);
		assert_ok!(Ious::set_consumer_blocked(circle_origin(BRIDGE), alice(), true));
		assert_noop!(open(alice()), Error::<Test>::ConsumerBlocked);
		assert_ok!(Ious::set_consumer_blocked(circle_origin(BRIDGE), alice(), false));
		assert_ok!(open(alice()));
	});
}

#[test]
fn the_provider_closes_at_once_the_consumer_with_notice() {
	test(|| {
		let channel = open_channel_with_escrow(&alice(), 10 * TFT);
		assert_noop!(
			Ious::close_channel(signed(charlie()), channel),
			Error::<Test>::NotChannelParty
		);
		assert_noop!(Ious::close_channel(signed(bob()), 42), Error::<Test>::UnknownChannel);
		assert_ok!(Ious::close_channel(signed(alice()), channel));
		assert_eq!(events().last(), Some(&Event::ChannelClosing { channel, closes_at: 21 }));
		assert_noop!(
			Ious::close_channel(signed(alice()), channel),
			Error::<Test>::ChannelNotClosable
		);
		// The provider may still hand in IOUs during the notice.
		assert_ok!(Ious::submit_ious(
			signed(bob()),
			batch(vec![signed_iou(channel, &[GIB, 0], 1, &alice(), &operator())])
		));
		run_to_block(21);
		assert_refused!(
			Ious::submit_ious(
				signed(bob()),
				batch(vec![signed_iou(channel, &[2 * GIB, 0], 2, &alice(), &operator())])
			),
			Error::<Test>::ChannelClosing
		);
		// Settled at block 11: nothing owed, the deposit comes back.
		assert_ok!(Ious::close_channel(signed(alice()), channel));
		assert!(Channels::<Test>::get(channel).is_none());
		assert_eq!(Balances::balance_on_hold(&HoldReason::ChannelDeposit.into(), &alice()), 0);
	});
}

#[test]
fn a_channel_that_owes_cannot_be_closed() {
	test(|| {
		let channel = open_channel_with_escrow(&alice(), 10 * TFT);
		assert_ok!(Ious::submit_ious(
			signed(bob()),
			batch(vec![signed_iou(channel, &[GIB, 0], 1, &alice(), &operator())])
		));
		assert_ok!(Ious::close_channel(signed(operator()), channel));
		assert_noop!(
			Ious::close_channel(signed(operator()), channel),
			Error::<Test>::ChannelUnpaid
		);
		run_to_block(11);
		assert_ok!(Ious::close_channel(signed(alice()), channel));
		assert!(Channels::<Test>::get(channel).is_none());
	});
}

// ---- IOUs ----

#[test]
fn the_newest_iou_is_kept_and_the_channel_queued_once() {
	test(|| {
		let channel = open_channel_with_escrow(&alice(), 10 * TFT);
		let first = signed_iou(channel, &[GIB, 1_000], 1, &alice(), &operator());
		// The farm owner's signature stands for the farm too.
		let second = signed_iou(channel, &[2 * GIB, 1_500], 2, &alice(), &bob());
		System::reset_events();
		assert_ok!(Ious::submit_ious(signed(bob()), batch(vec![first, second])));
		let stored = Channels::<Test>::get(channel).unwrap();
		let newest = stored.newest.unwrap();
		assert_eq!((newest.sequence, newest.amount), (2, cost(2, 1_500)));
		assert!(stored.queued);
		assert_eq!(SettlementQueue::<Test>::get(BRIDGE, 0).to_vec(), vec![channel]);
		assert_eq!(
			events(),
			vec![
				Event::IouAccepted { channel, sequence: 1, amount: cost(1, 1_000) },
				Event::IouAccepted { channel, sequence: 2, amount: cost(2, 1_500) },
			]
		);
		// Anyone may hand in an IOU both parties signed: the signatures decide.
		let third = signed_iou(channel, &[3 * GIB, 1_500], 3, &alice(), &operator());
		assert_ok!(Ious::submit_ious(signed(charlie()), batch(vec![third])));
		assert_eq!(SettlementQueue::<Test>::get(BRIDGE, 0).len(), 1);
	});
}

#[test]
fn wrapped_signatures_as_polkadot_js_makes_them_are_accepted() {
	test(|| {
		let channel = open_channel_with_escrow(&alice(), 10 * TFT);
		let usage: Usage = BoundedVec::try_from(vec![GIB, 0]).unwrap();
		let iou = Iou { channel, usage, amount: cost(1, 0), sequence: 0 };
		let wrapped = gridchain_primitives::iou::wrapped_message(&iou.signed_message(&genesis()));
		let signed_iou = SignedIou {
			consumer_signature: MultiSignature::from(pair_of(&alice()).sign(&wrapped)),
			provider_signature: MultiSignature::from(pair_of(&operator()).sign(&wrapped)),
			iou,
		};
		assert_ok!(Ious::submit_ious(signed(bob()), batch(vec![signed_iou])));
	});
}

#[test]
fn bad_ious_are_refused_by_name_and_change_nothing() {
	test(|| {
		let channel = open_channel_with_escrow(&alice(), 10 * TFT);
		let other = open_channel_with_escrow(&charlie(), 10 * TFT);
		assert_ok!(Ious::submit_ious(
			signed(bob()),
			batch(vec![signed_iou(channel, &[2 * GIB, 2_000], 5, &alice(), &operator())])
		));
		let submit = |iou: SignedIou| Ious::submit_ious(signed(bob()), batch(vec![iou]));
		let usage =
			|counters: &[u64]| -> Usage { BoundedVec::try_from(counters.to_vec()).unwrap() };

		assert_refused!(Ious::submit_ious(signed(bob()), batch(vec![])), Error::<Test>::EmptyBatch);
		assert_refused!(
			submit(signed_iou(42, &[GIB, 0], 6, &alice(), &operator())),
			Error::<Test>::UnknownChannel
		);
		// Replays and going backwards.
		assert_refused!(
			submit(signed_iou(channel, &[2 * GIB, 2_000], 5, &alice(), &operator())),
			Error::<Test>::IouReplayed
		);
		assert_refused!(
			submit(signed_iou(channel, &[GIB, 1_000], 4, &alice(), &operator())),
			Error::<Test>::SequenceWentBackwards
		);
		assert_refused!(
			submit(signed_iou(channel, &[3 * GIB, 1_999], 6, &alice(), &operator())),
			Error::<Test>::UsageWentBackwards
		);
		// Amounts that are not the usage at the channel's prices.
		let one_unit_more = Iou {
			channel,
			usage: usage(&[3 * GIB, 2_000]),
			amount: cost(3, 2_000) + 1,
			sequence: 6,
		};
		assert_refused!(
			submit(sign(one_unit_more, &alice(), &operator())),
			Error::<Test>::AmountMismatch
		);
		let three_counters = Iou {
			channel,
			usage: usage(&[3 * GIB, 2_000, 1]),
			amount: cost(3, 2_000),
			sequence: 6,
		};
		assert_refused!(
			submit(sign(three_counters, &alice(), &operator())),
			Error::<Test>::UsageCounterMismatch
		);
		let overflowing =
			Iou { channel, usage: usage(&[u64::MAX, u64::MAX]), amount: 0, sequence: 6 };
		// u64::MAX GiB-units at 1 TFT per GiB fits; the test farm's prices cannot overflow a
		// u128 with u64 counters, so the amount is merely wrong.
		assert_refused!(
			submit(sign(overflowing, &alice(), &operator())),
			Error::<Test>::AmountMismatch
		);

		// Signatures: by another key, over another chain's or another channel's bytes.
		assert_refused!(
			submit(signed_iou(channel, &[3 * GIB, 2_000], 6, &charlie(), &operator())),
			Error::<Test>::BadConsumerSignature
		);
		assert_refused!(
			submit(signed_iou(channel, &[3 * GIB, 2_000], 6, &alice(), &charlie())),
			Error::<Test>::BadProviderSignature
		);
		let good = signed_iou(channel, &[3 * GIB, 2_000], 6, &alice(), &operator());
		let elsewhere = {
			let message = good.iou.signed_message(&sp_core::H256::repeat_byte(9));
			SignedIou {
				iou: good.iou.clone(),
				consumer_signature: MultiSignature::from(pair_of(&alice()).sign(&message)),
				provider_signature: MultiSignature::from(pair_of(&operator()).sign(&message)),
			}
		};
		assert_refused!(submit(elsewhere), Error::<Test>::BadConsumerSignature);
		// Charlie's channel, with Alice's signed IOU moved onto it.
		let moved = SignedIou { iou: Iou { channel: other, ..good.iou.clone() }, ..good.clone() };
		assert_refused!(submit(moved), Error::<Test>::BadConsumerSignature);
		// A consumer signature reused with a provider signature of other bytes.
		let mixed = SignedIou {
			provider_signature: signed_iou(channel, &[4 * GIB, 2_000], 7, &alice(), &operator())
				.provider_signature,
			..good.clone()
		};
		assert_refused!(submit(mixed), Error::<Test>::BadProviderSignature);

		// A bad IOU refuses the whole batch.
		let later = signed_iou(channel, &[4 * GIB, 2_000], 7, &alice(), &operator());
		assert_refused!(
			Ious::submit_ious(
				signed(bob()),
				batch(vec![good.clone(), signed_iou(other, &[GIB, 0], 1, &alice(), &operator())])
			),
			Error::<Test>::BadConsumerSignature
		);
		assert_ok!(Ious::submit_ious(signed(bob()), batch(vec![good, later])));
	});
}

#[test]
fn a_batch_over_the_bound_is_refused_by_name() {
	test(|| {
		let channel = open_channel_with_escrow(&alice(), 10 * TFT);
		let iou = signed_iou(channel, &[GIB, 0], 1, &alice(), &operator());
		let too_many = vec![iou.clone(); MAX_IOUS_PER_BATCH as usize + 1];
		assert_refused!(Ious::submit_ious(signed(bob()), too_many), Error::<Test>::BatchTooLarge);
		// Charged as the largest batch, not by its length.
		let call = RuntimeCall::Ious(Call::submit_ious {
			ious: vec![iou; MAX_IOUS_PER_BATCH as usize * 4],
		});
		let charged =
			frame_support::dispatch::GetDispatchInfo::get_dispatch_info(&call).call_weight;
		assert_eq!(charged, <() as crate::WeightInfo>::submit_ious_worst(MAX_IOUS_PER_BATCH));
	});
}

// ---- roll-up ----

#[test]
fn the_rollup_pays_the_newest_iou_exactly_when_due() {
	test(|| {
		let channel = open_channel_with_escrow(&alice(), 10 * TFT);
		let bob_before = Balances::balance(&bob());
		let alice_total = Balances::total_balance(&alice());
		let issuance = Balances::total_issuance();
		let everyone = total_of_everyone();
		// 1.5 GiB and 12,345 requests; an older IOU handed in after it pays nothing more.
		let newest = signed_iou(channel, &[GIB + GIB / 2, 12_345], 2, &alice(), &operator());
		assert_ok!(Ious::submit_ious(signed(operator()), batch(vec![newest])));
		// 1.5 GiB at 1 TFT per GiB, 12,345 requests at 0.01 TFT per 1,000.
		let owed = TFT + TFT / 2 + 1_234_500;
		run_to_block(10);
		assert_eq!(Balances::balance(&bob()), bob_before, "not before the interval");
		run_to_block(11);
		let fee = Permill::from_percent(2).mul_floor(owed);
		assert_eq!(Balances::balance(&bob()), bob_before + owed - fee);
		assert_eq!(Balances::balance(&treasury(BRIDGE)), EXISTENTIAL_DEPOSIT + fee);
		assert_eq!(escrow_of(&alice()), 10 * TFT - owed);
		assert_eq!(held_escrow(&alice()), 10 * TFT - owed);
		assert_eq!(Balances::total_balance(&alice()), alice_total - owed);
		assert_eq!(Balances::total_issuance(), issuance);
		assert_eq!(total_of_everyone(), everyone);
		assert!(events().contains(&Event::ChannelSettled {
			channel,
			paid: owed,
			fee,
			total_paid: owed
		}));
		assert!(events().contains(&Event::RollupCompleted { bridge: BRIDGE, next_rollup: 21 }));
		let account = Consumers::<Test>::get(BRIDGE, alice()).unwrap();
		assert_eq!((account.reputation.settled_amount, account.reputation.settled_ious), (owed, 1));

		// The next IOU pays only the difference, at the next roll-up.
		let more = signed_iou(channel, &[2 * GIB, 12_345], 3, &alice(), &operator());
		assert_ok!(Ious::submit_ious(signed(operator()), batch(vec![more])));
		run_to_block(21);
		assert_eq!(Channels::<Test>::get(channel).unwrap().paid, owed + TFT / 2);
		assert_eq!(escrow_of(&alice()), 10 * TFT - owed - TFT / 2);
		assert_eq!(total_of_everyone(), everyone);
	});
}

#[test]
fn a_member_triggers_a_rollup_and_no_one_else() {
	test(|| {
		let channel = open_channel_with_escrow(&alice(), 10 * TFT);
		assert_ok!(Ious::submit_ious(
			signed(bob()),
			batch(vec![signed_iou(channel, &[GIB, 0], 1, &alice(), &operator())])
		));
		assert_noop!(Ious::roll_up(signed(bob()), BRIDGE, 10), Error::<Test>::NotBridgeMember);
		assert_noop!(Ious::roll_up(signed(dave()), 99, 10), Error::<Test>::UnknownBridge);
		assert_ok!(Ious::roll_up(signed(dave()), BRIDGE, 10));
		assert_eq!(Channels::<Test>::get(channel).unwrap().paid, TFT);
		assert_eq!(
			events().last(),
			Some(&Event::RollupTriggered { bridge: BRIDGE, member: dave(), settled: 1 })
		);
		// Nothing left: the scheduled roll-up finds an empty queue and pays nothing twice.
		run_to_block(11);
		assert_eq!(Channels::<Test>::get(channel).unwrap().paid, TFT);
		assert_eq!(escrow_of(&alice()), 9 * TFT);
	});
}

#[test]
fn the_rollup_is_bounded_per_block_and_continues() {
	test(|| {
		// Ten channels (queue pages of 4), six settlements per block.
		let channels: Vec<_> = (0..10)
			.map(|n| {
				let consumer = if n % 2 == 0 { alice() } else { charlie() };
				if n < 2 {
					open_channel_with_escrow(&consumer, 50 * TFT)
				} else {
					let id = NextChannelId::<Test>::get();
					assert_ok!(Ious::open_channel(
						signed(consumer),
						BRIDGE,
						1,
						ServiceKind::Bandwidth
					));
					id
				}
			})
			.collect();
		let ious = channels
			.iter()
			.enumerate()
			.map(|(n, channel)| {
				let consumer = if n % 2 == 0 { alice() } else { charlie() };
				signed_iou(*channel, &[GIB, 0], 1, &consumer, &operator())
			})
			.collect();
		assert_ok!(Ious::submit_ious(signed(bob()), batch(ious)));
		assert_eq!(Bridges::<Test>::get(BRIDGE).unwrap().queue_tail, 2);
		let paid =
			|| channels.iter().filter(|id| Channels::<Test>::get(*id).unwrap().paid > 0).count();
		run_to_block(11);
		assert_eq!(paid(), 6);
		assert_eq!(ActiveRollups::<Test>::get().to_vec(), vec![BRIDGE]);
		run_to_block(12);
		assert_eq!(paid(), 10);
		assert!(ActiveRollups::<Test>::get().is_empty());
		assert_eq!(Bridges::<Test>::get(BRIDGE).unwrap().next_rollup, 22);
		assert_eq!(SettlementQueue::<Test>::iter_prefix(BRIDGE).count(), 0);
	});
}

// ---- payment requests, bounces, reputation ----

#[test]
fn what_escrow_does_not_cover_is_requested_and_paid_by_one_call() {
	test(|| {
		let channel = open_channel_with_escrow(&alice(), 5 * TFT);
		let everyone = total_of_everyone();
		assert_ok!(Ious::submit_ious(
			signed(bob()),
			batch(vec![signed_iou(channel, &[8 * GIB, 0], 1, &alice(), &operator())])
		));
		run_to_block(11);
		assert_eq!(Channels::<Test>::get(channel).unwrap().paid, 5 * TFT);
		assert_eq!(escrow_of(&alice()), 0);
		assert_eq!(
			Channels::<Test>::get(channel).unwrap().request,
			Some(PaymentRequest { amount: 3 * TFT, deadline: 16 })
		);
		assert!(events().contains(&Event::PaymentRequested {
			channel,
			consumer: alice(),
			amount: 3 * TFT,
			deadline: 16
		}));
		assert_noop!(Ious::pay_request(signed(charlie()), channel), Error::<Test>::NotChannelParty);
		let bob_before = Balances::balance(&bob());
		assert_ok!(Ious::pay_request(signed(alice()), channel));
		let fee = Permill::from_percent(2).mul_floor(3 * TFT);
		assert_eq!(Balances::balance(&bob()), bob_before + 3 * TFT - fee);
		assert_eq!(Channels::<Test>::get(channel).unwrap().paid, 8 * TFT);
		assert_noop!(Ious::pay_request(signed(alice()), channel), Error::<Test>::NoPaymentRequest);
		assert_eq!(total_of_everyone(), everyone);
		// Paid: no bounce at the deadline.
		run_to_block(16);
		assert!(Channels::<Test>::get(channel).is_some());
		let reputation = Consumers::<Test>::get(BRIDGE, alice()).unwrap().reputation;
		assert_eq!(
			(reputation.settled_amount, reputation.settled_ious, reputation.bounces),
			(8 * TFT, 2, 0)
		);
	});
}

#[test]
fn an_unpaid_request_bounces_and_the_bridge_refuses_the_consumer() {
	test(|| {
		let channel = short_channel(&charlie());
		run_to_block(15);
		assert!(Channels::<Test>::get(channel).is_some());
		run_to_block(16);
		assert!(Channels::<Test>::get(channel).is_none(), "the bounce closes the channel");
		assert!(events().contains(&Event::PaymentBounced {
			channel,
			bridge: BRIDGE,
			consumer: charlie(),
			unpaid: 3 * TFT
		}));
		let account = Consumers::<Test>::get(BRIDGE, charlie()).unwrap();
		assert_eq!(account.reputation.bounces, 1);
		assert_eq!(account.reputation.bounced_amount, 3 * TFT);
		assert_eq!(account.reputation.last_bounce, Some(16));
		// 50 + 0 (one settlement) - 25 = 25, below the bridge's 40.
		assert_eq!(account.reputation.score(), 25);
		assert_eq!(Balances::balance_on_hold(&HoldReason::ChannelDeposit.into(), &charlie()), 0);
		assert_ok!(Ious::deposit_escrow(signed(charlie()), BRIDGE, 10 * TFT));
		assert_noop!(
			Ious::open_channel(signed(charlie()), BRIDGE, 1, ServiceKind::Bandwidth),
			Error::<Test>::ReputationTooLow
		);
		let view = Ious::consumer_view(BRIDGE, &charlie()).unwrap();
		assert_eq!((view.score, view.may_open_channel, view.escrow), (25, false, 10 * TFT));
		// With the escrow the bridge asks of low scores, it may.
		assert_ok!(Ious::deposit_escrow(signed(charlie()), BRIDGE, 40 * TFT));
		assert!(Ious::consumer_view(BRIDGE, &charlie()).unwrap().may_open_channel);
		assert_ok!(Ious::open_channel(signed(charlie()), BRIDGE, 1, ServiceKind::Bandwidth));
	});
}

#[test]
fn escrow_topped_up_pays_a_request_at_the_next_iou() {
	test(|| {
		let channel = short_channel(&alice());
		run_to_block(11);
		assert_ok!(Ious::deposit_escrow(signed(alice()), BRIDGE, 10 * TFT));
		assert_ok!(Ious::submit_ious(
			signed(bob()),
			batch(vec![signed_iou(channel, &[9 * GIB, 0], 2, &alice(), &operator())])
		));
		assert_ok!(Ious::roll_up(signed(eve()), BRIDGE, 5));
		let stored = Channels::<Test>::get(channel).unwrap();
		assert_eq!((stored.paid, stored.request), (9 * TFT, None));
		assert_eq!(escrow_of(&alice()), 6 * TFT);
		run_to_block(16);
		assert!(Channels::<Test>::get(channel).is_some(), "nothing to bounce");
	});
}

#[test]
fn escrow_parked_before_the_deadline_pays_the_request() {
	test(|| {
		let channel = short_channel(&alice());
		run_to_block(11);
		assert_ok!(Ious::deposit_escrow(signed(alice()), BRIDGE, 2 * TFT));
		run_to_block(16);
		// 2 of the 3 TFT asked came from escrow at the deadline; the rest bounced.
		assert!(events().contains(&Event::PaymentBounced {
			channel,
			bridge: BRIDGE,
			consumer: alice(),
			unpaid: TFT
		}));
		assert_eq!(escrow_of(&alice()), 0);
	});
	test(|| {
		let channel = short_channel(&alice());
		run_to_block(11);
		assert_ok!(Ious::deposit_escrow(signed(alice()), BRIDGE, 3 * TFT));
		run_to_block(16);
		let stored = Channels::<Test>::get(channel).expect("no bounce");
		assert_eq!((stored.paid, stored.request), (8 * TFT, None));
		assert_eq!(Consumers::<Test>::get(BRIDGE, alice()).unwrap().reputation.bounces, 0);
	});
}

#[test]
fn scores_follow_the_documented_formula() {
	let reputation =
		|settled_ious, bounces| Reputation::<u64> { settled_ious, bounces, ..Default::default() };
	assert_eq!(reputation(0, 0).score(), 50);
	assert_eq!(reputation(9, 0).score(), 50);
	assert_eq!(reputation(10, 0).score(), 51);
	assert_eq!(reputation(10_000, 0).score(), 100);
	assert_eq!(reputation(0, 1).score(), 25);
	assert_eq!(reputation(0, 2).score(), 0);
	assert_eq!(reputation(500, 3).score(), 25);
	assert_eq!(reputation(0, u32::MAX).score(), 0);
}

#[test]
fn a_withdrawal_cannot_outrun_the_rollup() {
	test(|| {
		// Alice asks for everything back right after using the service: the IOU she signed
		// is settled before the delay is over, and only what is left leaves.
		let channel = open_channel_with_escrow(&alice(), 10 * TFT);
		assert_ok!(Ious::request_withdrawal(signed(alice()), BRIDGE, 10 * TFT));
		assert_ok!(Ious::submit_ious(
			signed(bob()),
			batch(vec![signed_iou(channel, &[4 * GIB, 0], 1, &alice(), &operator())])
		));
		run_to_block(21);
		assert_ok!(Ious::withdraw_escrow(signed(alice()), BRIDGE));
		assert_eq!(
			events().last(),
			Some(&Event::EscrowWithdrawn {
				bridge: BRIDGE,
				consumer: alice(),
				amount: 6 * TFT,
				escrow: 0
			})
		);
		assert_eq!(Channels::<Test>::get(channel).unwrap().paid, 4 * TFT);
	});
}

#[test]
fn a_settlement_the_payee_cannot_receive_moves_nothing() {
	test(|| {
		// A fee-only bridge of 100%? No: a payee that cannot receive. Make the farm's owner
		// account dead and the amount below the existential deposit.
		let channel = open_channel_with_escrow(&alice(), 10 * TFT);
		use frame_support::traits::fungible::Mutate;
		assert_ok!(Balances::transfer(
			&bob(),
			&alice(),
			Balances::balance(&bob()),
			frame_support::traits::tokens::Preservation::Expendable
		));
		// 1,000 requests: 0.01 TFT less 2%, below the existential deposit.
		assert_ok!(Ious::submit_ious(
			signed(bob()),
			batch(vec![signed_iou(channel, &[0, 1_000], 1, &alice(), &operator())])
		));
		let everyone = total_of_everyone();
		run_to_block(11);
		assert!(matches!(
			events().iter().find(|event| matches!(event, Event::SettlementFailed { .. })),
			Some(Event::SettlementFailed { channel: 0, .. })
		));
		let stored = Channels::<Test>::get(channel).unwrap();
		assert_eq!((stored.paid, stored.queued), (0, false));
		assert_eq!(escrow_of(&alice()), 10 * TFT);
		assert_eq!(total_of_everyone(), everyone);
	});
}

#[test]
fn a_fee_the_treasury_cannot_receive_goes_to_the_provider() {
	test(|| {
		use frame_support::traits::fungible::Mutate;
		let channel = open_channel_with_escrow(&alice(), 10 * TFT);
		// The circle spent its treasury to nothing: the account is gone.
		Balances::set_balance(&treasury(BRIDGE), 0);
		let bob_before = Balances::balance(&bob());
		assert_ok!(Ious::submit_ious(
			signed(bob()),
			batch(vec![signed_iou(channel, &[GIB, 0], 1, &alice(), &operator())])
		));
		let everyone = total_of_everyone();
		run_to_block(11);
		// 2% of 1 TFT is 0.02 TFT, above the existential deposit: the treasury reopens.
		assert_eq!(Balances::balance(&treasury(BRIDGE)), TFT / 50);
		assert_ok!(Ious::submit_ious(
			signed(bob()),
			batch(vec![signed_iou(channel, &[GIB, 1_000], 2, &alice(), &operator())])
		));
		Balances::set_balance(&treasury(BRIDGE), 0);
		assert_ok!(Ious::roll_up(signed(dave()), BRIDGE, 1));
		// 2% of 0.01 TFT is below it: the provider gets the whole 0.01 TFT.
		assert!(events().contains(&Event::ChannelSettled {
			channel,
			paid: TFT / 100,
			fee: 0,
			total_paid: TFT + TFT / 100
		}));
		assert_eq!(Balances::balance(&bob()), bob_before + TFT - TFT / 50 + TFT / 100);
		assert_eq!(total_of_everyone() + TFT / 50, everyone);
	});
}

#[test]
fn a_full_deadline_block_moves_the_deadline_to_the_next() {
	test(|| {
		DeadlineAgenda::<Test>::mutate(
			30,
			|entries| {
				while entries.try_push(ChannelId::MAX).is_ok() {}
			},
		);
		assert_eq!(
			crate::settlement::schedule::<Test, DeadlineAgenda<Test>, _, _>(30, 1).ok(),
			Some(31)
		);
		for block in 31..31 + crate::settlement::SCHEDULE_SEARCH as u64 {
			DeadlineAgenda::<Test>::mutate(block, |entries| {
				while entries.try_push(ChannelId::MAX).is_ok() {}
			});
		}
		assert!(matches!(
			crate::settlement::schedule::<Test, DeadlineAgenda<Test>, _, _>(30, 1),
			Err(Error::<Test>::AgendaFull)
		));
	});
}

#[test]
fn bounces_take_from_the_blocks_settlement_budget() {
	test(|| {
		// Alice and Charlie each owe 16 TFT on two channels with 5 TFT of escrow.
		let mut short = Vec::new();
		for consumer in [alice(), charlie()] {
			short.push(open_channel_with_escrow(&consumer, 5 * TFT));
			let id = NextChannelId::<Test>::get();
			assert_ok!(Ious::open_channel(
				signed(consumer.clone()),
				BRIDGE,
				1,
				ServiceKind::Bandwidth
			));
			short.push(id);
		}
		let consumers = [alice(), alice(), charlie(), charlie()];
		let ious = short
			.iter()
			.zip(&consumers)
			.map(|(id, consumer)| signed_iou(*id, &[8 * GIB, 0], 1, consumer, &operator()))
			.collect();
		assert_ok!(Ious::submit_ious(signed(bob()), batch(ious)));
		run_to_block(6);
		assert_ok!(Ious::roll_up(signed(dave()), BRIDGE, 10));
		assert!(short.iter().all(|id| {
			Channels::<Test>::get(id).unwrap().request.is_some_and(|request| request.deadline == 11)
		}));
		// Bob uses his own farm on six channels, well covered, handed in before block 11.
		let mut paid = Vec::new();
		for n in 0..6 {
			paid.push(if n == 0 {
				open_channel_with_escrow(&bob(), 100 * TFT)
			} else {
				let id = NextChannelId::<Test>::get();
				assert_ok!(Ious::open_channel(signed(bob()), BRIDGE, 1, ServiceKind::Bandwidth));
				id
			});
		}
		let ious =
			paid.iter().map(|id| signed_iou(*id, &[GIB, 0], 1, &bob(), &operator())).collect();
		assert_ok!(Ious::submit_ious(signed(bob()), batch(ious)));
		let settled =
			|| paid.iter().filter(|id| Channels::<Test>::get(*id).unwrap().paid > 0).count();
		// Block 11: four bounces and the roll-up due; the mock settles 6 per block in all.
		run_to_block(11);
		assert!(short.iter().all(|id| Channels::<Test>::get(id).is_none()));
		assert_eq!(settled(), 2);
		run_to_block(12);
		assert_eq!(settled(), 6);
	});
}

#[test]
fn a_copy_handed_in_first_does_not_sink_the_providers_batch() {
	test(|| {
		let first = open_channel_with_escrow(&alice(), 10 * TFT);
		let second = open_channel_with_escrow(&charlie(), 10 * TFT);
		let a = signed_iou(first, &[GIB, 0], 1, &alice(), &operator());
		let b = signed_iou(second, &[2 * GIB, 0], 1, &charlie(), &operator());
		// Someone copies `a` out of the pool and hands it in first.
		assert_ok!(Ious::submit_ious(signed(eve()), batch(vec![a.clone()])));
		assert_ok!(Ious::submit_ious(signed(operator()), batch(vec![a.clone(), b])));
		assert_eq!(Channels::<Test>::get(second).unwrap().owed(), 2 * TFT);
		// A batch with nothing new is refused by name, and changes nothing.
		assert_refused!(
			Ious::submit_ious(signed(eve()), batch(vec![a])),
			Error::<Test>::IouReplayed
		);
		let older = signed_iou(first, &[0, 0], 0, &alice(), &operator());
		assert_refused!(
			Ious::submit_ious(signed(eve()), batch(vec![older])),
			Error::<Test>::SequenceWentBackwards
		);
	});
}

#[test]
fn escrow_stays_while_ious_wait_for_a_late_rollup() {
	test(|| {
		let channel = open_channel_with_escrow(&alice(), 10 * TFT);
		assert_ok!(Ious::request_withdrawal(signed(alice()), BRIDGE, 10 * TFT));
		run_to_block(19);
		assert_ok!(Ious::submit_ious(
			signed(bob()),
			batch(vec![signed_iou(channel, &[4 * GIB, 0], 1, &alice(), &operator())])
		));
		// The roll-up due at block 21 runs late (say, others used the block's budget).
		RollupAgenda::<Test>::remove(21);
		run_to_block(21);
		assert_eq!(Consumers::<Test>::get(BRIDGE, alice()).unwrap().queued_channels, 1);
		assert_noop!(Ious::withdraw_escrow(signed(alice()), BRIDGE), Error::<Test>::UnsettledIous);
		assert_ok!(Ious::roll_up(signed(dave()), BRIDGE, 10));
		assert_ok!(Ious::withdraw_escrow(signed(alice()), BRIDGE));
		assert_eq!(Channels::<Test>::get(channel).unwrap().paid, 4 * TFT);
		assert_eq!(escrow_of(&alice()), 0);
	});
}
