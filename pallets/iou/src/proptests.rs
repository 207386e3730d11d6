//! Random sequences of usage, IOUs (the newest, stale ones, forged ones), deposits,
//! withdrawals, roll-ups, payment requests and block advances, by random callers. After every
//! step: the invariants hold, the total issuance is unchanged, what everyone involved has
//! (consumers, farmer, operator, members, the bridge's treasury; free and held) sums to the
//! same, and no channel was ever paid more than the newest IOU both parties signed for it.
//!
//! The test command runs a short version; `GRIDCHAIN_PROPTEST_CASES=N` runs more sequences, and
//! `IOU_PROPTEST_STATS=1` prints the events of each sequence (to see what the steps reach).

use crate::{mock::*, *};
use frame_support::{dispatch::RawOrigin, traits::UnfilteredDispatchable};
use gridchain_primitives::grid::GIB;
use proptest::prelude::*;
use std::collections::BTreeMap;

/// One step of a sequence.
#[derive(Clone, Debug)]
enum Step {
	/// The consumer of `channel` uses more of it; both sides sign the new cumulative IOU.
	Use {
		channel: u8,
		gib: u8,
		requests: u16,
	},
	/// `who` hands in an IOU of `channel`: the newest signed, an older one, or a forged one.
	Submit {
		who: u8,
		channel: u8,
		kind: u8,
	},
	Deposit {
		who: u8,
		amount: u8,
	},
	RequestWithdrawal {
		who: u8,
		amount: u8,
	},
	Withdraw {
		who: u8,
	},
	RollUp {
		who: u8,
		max: u8,
	},
	PayRequest {
		who: u8,
		channel: u8,
	},
	Close {
		who: u8,
		channel: u8,
	},
	Advance {
		blocks: u8,
	},
}

fn step_strategy() -> impl Strategy<Value = Step> {
	prop_oneof![
		4 => (any::<u8>(), any::<u8>(), any::<u16>())
			.prop_map(|(channel, gib, requests)| Step::Use { channel, gib, requests }),
		4 => (any::<u8>(), any::<u8>(), any::<u8>())
			.prop_map(|(who, channel, kind)| Step::Submit { who, channel, kind }),
		2 => (any::<u8>(), any::<u8>()).prop_map(|(who, amount)| Step::Deposit { who, amount }),
		1 => (any::<u8>(), any::<u8>())
			.prop_map(|(who, amount)| Step::RequestWithdrawal { who, amount }),
		1 => any::<u8>().prop_map(|who| Step::Withdraw { who }),
		1 => (any::<u8>(), any::<u8>()).prop_map(|(who, max)| Step::RollUp { who, max }),
		1 => (any::<u8>(), any::<u8>())
			.prop_map(|(who, channel)| Step::PayRequest { who, channel }),
		1 => (any::<u8>(), any::<u8>()).prop_map(|(who, channel)| Step::Close { who, channel }),
		2 => (1u8..40).prop_map(|blocks| Step::Advance { blocks }),
	]
}

/// Alice and Charlie consume, Bob farms, Ferdie operates, Dave and Eve run the bridge.
fn account(index: u8) -> AccountId {
	match index % 6 {
		0 => alice(),
		1 => charlie(),
		2 => bob(),
		3 => operator(),
		4 => dave(),
		_ => eve(),
	}
}

fn amount(choice: u8) -> Balance {
	match choice % 6 {
		0 => 0,
		1 => 1,
		2 => TFT,
		3 => 7 * TFT,
		4 => 40 * TFT,
		_ => 20 * TFT,
	}
}

/// Every IOU signed so far, per channel: (usage, sequence) in order.
#[derive(Default)]
struct Signed {
	ious: BTreeMap<ChannelId, Vec<(Vec<u64>, u64)>>,
}

impl Signed {
	fn newest_amount(&self, channel: ChannelId) -> Balance {
		self.ious.get(&channel).and_then(|list| list.last()).map_or(0, |(usage, _)| {
			gridchain_primitives::iou::price_usage(usage, &bandwidth_prices()).unwrap()
		})
	}
}

fn dispatch(who: &AccountId, call: crate::Call<Test>) {
	// Refused calls change nothing (the invariants say so); what matters is what passes.
	let _ = call.dispatch_bypass_filter(RawOrigin::Signed(who.clone()).into());
}

fn apply(step: &Step, channels: &[(ChannelId, AccountId)], signed: &mut Signed) {
	let channel_of = |choice: u8| &channels[choice as usize % channels.len()];
	match *step {
		Step::Use { channel, gib, requests } => {
			let (id, _) = channel_of(channel);
			let list = signed.ious.entry(*id).or_default();
			let (usage, sequence) = list.last().cloned().unwrap_or((vec![0, 0], 0));
			let usage = vec![
				usage[0].saturating_add(u64::from(gib % 8) * GIB / 2),
				usage[1].saturating_add(u64::from(requests)),
			];
			list.push((usage, sequence + 1));
		},
		Step::Submit { who, channel, kind } => {
			let (id, consumer) = channel_of(channel);
			let Some(list) = signed.ious.get(id) else { return };
			let (usage, sequence) = match kind % 4 {
				// An older one, when there is one.
				0 => list[list.len().saturating_sub(2)].clone(),
				_ => list.last().cloned().expect("one at least"),
			};
			let mut iou = signed_iou(*id, &usage, sequence, consumer, &operator());
			match kind % 4 {
				// Forged: one unit more than the usage costs, signed by both.
				2 => {
					iou.iou.amount += 1;
					iou = sign(iou.iou, consumer, &operator());
				},
				// Forged: the provider's signature by a consumer.
				3 if kind % 8 == 7 => iou = sign(iou.iou, consumer, consumer),
				_ => {},
			}
			dispatch(&account(who), crate::Call::submit_ious { ious: batch(vec![iou]) });
		},
		Step::Deposit { who, amount: choice } => dispatch(
			&account(who),
			crate::Call::deposit_escrow { bridge: BRIDGE, amount: amount(choice) },
		),
		Step::RequestWithdrawal { who, amount: choice } => dispatch(
			&account(who),
			crate::Call::request_withdrawal { bridge: BRIDGE, amount: amount(choice) },
		),
		Step::Withdraw { who } => {
			dispatch(&account(who), crate::Call::withdraw_escrow { bridge: BRIDGE })
		},
		Step::RollUp { who, max } => dispatch(
			&account(who),
			crate::Call::roll_up { bridge: BRIDGE, max_channels: u32::from(max % 4) },
		),
		Step::PayRequest { who, channel } => {
			let (id, _) = channel_of(channel);
			dispatch(&account(who), crate::Call::pay_request { channel: *id })
		},
		Step::Close { who, channel } => {
			let (id, _) = channel_of(channel);
			dispatch(&account(who), crate::Call::close_channel { channel: *id })
		},
		Step::Advance { blocks } => run_to_block(System::block_number() + u64::from(blocks)),
	}
}

fn cases() -> u32 {
	std::env::var("GRIDCHAIN_PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(16)
}

proptest! {
	#![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

	#[test]
	fn random_sequences_never_create_lose_or_overpay(
		steps in prop::collection::vec(step_strategy(), 1..80)
	) {
		new_test_ext().execute_with(|| {
			// Two channels each for Alice and Charlie.
			let channels: Vec<(ChannelId, AccountId)> = [alice(), charlie(), alice(), charlie()]
				.into_iter()
				.enumerate()
				.map(|(n, consumer)| {
					let id = if n < 2 {
						open_channel_with_escrow(&consumer, 5 * TFT)
					} else {
						let id = NextChannelId::<Test>::get();
						Ious::open_channel(
							RuntimeOrigin::signed(consumer.clone()),
							BRIDGE,
							1,
							ServiceKind::Bandwidth,
						)
						.unwrap();
						id
					};
					(id, consumer)
				})
				.collect();
			let issuance = Balances::total_issuance();
			let everyone = total_of_everyone();
			let mut signed = Signed::default();
			let mut paid_before: BTreeMap<ChannelId, Balance> = BTreeMap::new();
			for step in &steps {
				apply(step, &channels, &mut signed);
				Ious::do_try_state().expect("the invariants hold");
				assert_eq!(Balances::total_issuance(), issuance, "after {step:?}");
				assert_eq!(total_of_everyone(), everyone, "after {step:?}");
				for (id, _) in &channels {
					if let Some(channel) = Channels::<Test>::get(id) {
						assert!(channel.paid <= signed.newest_amount(*id), "overpaid after {step:?}");
						let before = paid_before.entry(*id).or_default();
						assert!(channel.paid >= *before, "paid went down after {step:?}");
						*before = channel.paid;
					}
				}
			}
			if std::env::var("IOU_PROPTEST_STATS").is_ok() {
				let kinds: Vec<_> = System::events().iter().filter_map(|record| match &record.event {
					RuntimeEvent::Ious(event) => Some(format!("{event:?}").split([' ', '{']).next().unwrap().to_string()),
					_ => None,
				}).collect();
				eprintln!("STATS {}", kinds.join(","));
			}
		});
	}
}
