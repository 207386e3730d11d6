//! IOUs and their settlement: accepting a channel's newest IOU, the bridges' settlement
//! queues, settling a channel from escrow, payment requests and their bounce, the agendas, and
//! the block's hook that runs roll-ups when they are due.

use crate::{channels::Source, pallet::*, types::*, weights::WeightInfo};
use alloc::vec::Vec;
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use gridchain_primitives::iou::{price_usage, verify_signature_counting, PricingError};
use sp_runtime::{
	traits::{One, Saturating},
	BoundedVec,
};

/// How many blocks past the wanted one an agenda entry may land when blocks are full.
pub const SCHEDULE_SEARCH: u32 = 16;

/// Signature verifications an IOU needs at least: the consumer's and the provider's, raw.
pub const BASE_CHECKS: u32 = 2;
/// Signature verifications an IOU needs at most: the consumer's wrapped (2), the provider's
/// wrapped by the owner after the operator's two failed (4).
pub const MAX_CHECKS: u32 = 6;

/// Adds `item` to `Agenda` at `from`, or at the first later block with room (at most
/// [`SCHEDULE_SEARCH`] blocks later). Returns the block it landed on.
pub(crate) fn schedule<T, Agenda, Item, Bound>(
	from: BlockNumberFor<T>,
	item: Item,
) -> Result<BlockNumberFor<T>, Error<T>>
where
	T: Config,
	Agenda: frame_support::storage::StorageMap<
		BlockNumberFor<T>,
		BoundedVec<Item, Bound>,
		Query = BoundedVec<Item, Bound>,
	>,
	Item: codec::FullCodec + Clone,
	Bound: Get<u32>,
{
	let mut block = from;
	for _ in 0..SCHEDULE_SEARCH {
		if Agenda::try_mutate(block, |entries| entries.try_push(item.clone())).is_ok() {
			return Ok(block);
		}
		block = block.saturating_add(One::one());
	}
	Err(Error::<T>::AgendaFull)
}

impl<T: Config> Pallet<T> {
	/// Checks `signed` against its channel and makes it the channel's newest IOU. Returns how
	/// many signature verifications it took.
	pub(crate) fn accept_iou(genesis: &T::Hash, signed: SignedIou) -> Result<u32, DispatchError> {
		let SignedIou { iou, consumer_signature, provider_signature } = signed;
		let id = iou.channel;
		let mut channel = Channels::<T>::get(id).ok_or(Error::<T>::UnknownChannel)?;
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(channel.closes_at.is_none_or(|at| now < at), Error::<T>::ChannelClosing);
		let amount = price_usage(&iou.usage, &channel.prices).map_err(|error| match error {
			PricingError::Overflow => Error::<T>::AmountOverflow,
			// Prices are checked for units when set: only the count can differ.
			PricingError::CounterCountMismatch | PricingError::ZeroUnit => {
				Error::<T>::UsageCounterMismatch
			},
		})?;
		ensure!(iou.amount == amount, Error::<T>::AmountMismatch);
		if let Some(newest) = &channel.newest {
			ensure!(iou.sequence >= newest.sequence, Error::<T>::SequenceWentBackwards);
			ensure!(iou.sequence != newest.sequence, Error::<T>::IouReplayed);
			ensure!(
				iou.usage.iter().zip(newest.usage.iter()).all(|(now, before)| now >= before),
				Error::<T>::UsageWentBackwards
			);
		}
		// Signatures last: they are the dearest checks.
		let message = iou.signed_message(genesis);
		let mut checks = 0;
		ensure!(
			verify_signature_counting(
				&message,
				&consumer_signature,
				&channel.consumer,
				&mut checks
			),
			Error::<T>::BadConsumerSignature
		);
		ensure!(
			Self::provider_signers(channel.farm_id).iter().flatten().any(|signer| {
				verify_signature_counting(&message, &provider_signature, signer, &mut checks)
			}),
			Error::<T>::BadProviderSignature
		);
		channel.newest = Some(Newest { usage: iou.usage, amount, sequence: iou.sequence });
		if !channel.queued {
			Self::enqueue(channel.bridge, id)?;
			channel.queued = true;
			Self::count_queued(&channel, true);
		}
		Channels::<T>::insert(id, channel);
		Self::deposit_event(Event::IouAccepted { channel: id, sequence: iou.sequence, amount });
		Ok(checks)
	}

	/// Whether `error` says an IOU is no newer than its channel's newest.
	pub(crate) fn is_stale(error: &DispatchError) -> bool {
		*error == Error::<T>::IouReplayed.into()
			|| *error == Error::<T>::SequenceWentBackwards.into()
	}

	/// The weight of a batch of `count` IOUs that took `checks` signature verifications: the
	/// measured batch of raw signatures, plus the extra verifications at their measured cost.
	pub(crate) fn submit_weight(count: u32, checks: u32) -> Weight {
		let typical = T::WeightInfo::submit_ious(count);
		let worst = T::WeightInfo::submit_ious_worst(count);
		let extra_checks = checks.saturating_sub(count.saturating_mul(BASE_CHECKS));
		let most_extra = count.saturating_mul(MAX_CHECKS - BASE_CHECKS).max(1);
		let extra = worst.saturating_sub(typical);
		typical.saturating_add(Weight::from_parts(
			sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
				extra.ref_time().into(),
				extra_checks.min(most_extra).into(),
				most_extra.into(),
				sp_runtime::Rounding::Up,
			)
			.unwrap_or(u128::from(extra.ref_time()))
			.try_into()
			.unwrap_or(extra.ref_time()),
			extra.proof_size(),
		))
	}

	/// Counts a channel of its consumer joining (or leaving) the bridge's settlement queue.
	pub(crate) fn count_queued(channel: &Channel<T>, joined: bool) {
		Consumers::<T>::mutate(channel.bridge, &channel.consumer, |account| {
			let account = account.get_or_insert_with(Default::default);
			account.queued_channels = if joined {
				account.queued_channels.saturating_add(1)
			} else {
				account.queued_channels.saturating_sub(1)
			};
		});
	}

	/// Adds a channel to the tail page of its bridge's settlement queue.
	pub(crate) fn enqueue(bridge: CircleId, channel: ChannelId) -> DispatchResult {
		let mut record = Bridges::<T>::get(bridge).ok_or(Error::<T>::UnknownBridge)?;
		let pushed = SettlementQueue::<T>::try_mutate(bridge, record.queue_tail, |page| {
			page.try_push(channel)
		});
		if pushed.is_err() {
			// The tail page is full: the next one starts. A channel is queued at most once, so
			// the queue never holds more entries than there are channels.
			record.queue_tail = record.queue_tail.saturating_add(1);
			SettlementQueue::<T>::insert(
				bridge,
				record.queue_tail,
				BoundedVec::truncate_from(alloc::vec![channel]),
			);
			Bridges::<T>::insert(bridge, record);
		}
		Ok(())
	}

	/// Settles up to `max` channels from the head of the bridge's queue. Returns how many it
	/// took from the queue and whether the queue is now empty.
	pub(crate) fn settle_queue(bridge: CircleId, max: u32, now: BlockNumberFor<T>) -> (u32, bool) {
		let Some(mut record) = Bridges::<T>::get(bridge) else { return (0, true) };
		let head_before = record.queue_head;
		let mut settled = 0u32;
		let empty = loop {
			let page = SettlementQueue::<T>::get(bridge, record.queue_head);
			if page.is_empty() {
				if record.queue_head >= record.queue_tail {
					break true;
				}
				record.queue_head = record.queue_head.saturating_add(1);
				continue;
			}
			if settled >= max {
				break false;
			}
			let mut ids: Vec<ChannelId> = page.into_inner();
			let take = ids.len().min(max.saturating_sub(settled) as usize);
			let rest = ids.split_off(take);
			for id in ids {
				Self::settle_channel(id, &record.policy, now);
				settled = settled.saturating_add(1);
			}
			if rest.is_empty() {
				SettlementQueue::<T>::remove(bridge, record.queue_head);
			} else {
				SettlementQueue::<T>::insert(
					bridge,
					record.queue_head,
					BoundedVec::truncate_from(rest),
				);
			}
		};
		if record.queue_head != head_before {
			Bridges::<T>::insert(bridge, record);
		}
		(settled, empty)
	}

	/// Pays a channel what its newest IOU says beyond what was paid, from the consumer's
	/// escrow with the bridge; asks the consumer for what escrow does not cover.
	pub(crate) fn settle_channel(
		id: ChannelId,
		policy: &BridgePolicy<BlockNumberFor<T>>,
		now: BlockNumberFor<T>,
	) {
		// A channel closed (or bounced) after it was queued is simply gone.
		let Some(mut channel) = Channels::<T>::get(id) else { return };
		// The consumer's record is read once: its queued count and, when escrow pays, its
		// escrow and reputation change together.
		let mut account =
			Consumers::<T>::get(channel.bridge, &channel.consumer).unwrap_or_default();
		let was_queued = channel.queued;
		if was_queued {
			channel.queued = false;
			account.queued_channels = account.queued_channels.saturating_sub(1);
		}
		let due = channel.unpaid();
		let covered = due.min(account.escrow);
		let remaining = due.saturating_sub(covered);
		// The deadline is scheduled before money moves, so a full agenda changes nothing.
		let deadline = match (&channel.request, remaining) {
			(_, 0) => None,
			(Some(request), _) => Some(request.deadline),
			(None, _) => {
				let wanted = now.saturating_add(policy.payment_period);
				match schedule::<T, DeadlineAgenda<T>, _, _>(wanted, id) {
					Ok(deadline) => Some(deadline),
					Err(error) => {
						Self::deposit_event(Event::SettlementFailed {
							channel: id,
							error: error.into(),
						});
						if was_queued {
							Consumers::<T>::insert(channel.bridge, &channel.consumer, account);
						}
						Channels::<T>::insert(id, channel);
						return;
					},
				}
			},
		};
		if covered > 0 {
			match Self::pay_channel(&channel, policy.fee, covered, Source::Escrow) {
				Ok(fee) => {
					account.escrow = account.escrow.saturating_sub(covered);
					account.reputation.record_payment(covered);
					channel.paid = channel.paid.saturating_add(covered);
					Self::deposit_event(Event::ChannelSettled {
						channel: id,
						paid: covered,
						fee,
						total_paid: channel.paid,
					});
				},
				Err(error) => {
					Self::deposit_event(Event::SettlementFailed { channel: id, error });
					if was_queued {
						Consumers::<T>::insert(channel.bridge, &channel.consumer, account);
					}
					Channels::<T>::insert(id, channel);
					return;
				},
			}
		}
		let asked_before = channel.request.as_ref().map(|request| request.amount);
		channel.request = deadline.map(|deadline| PaymentRequest { amount: remaining, deadline });
		if let Some(request) = &channel.request {
			if asked_before != Some(request.amount) {
				Self::deposit_event(Event::PaymentRequested {
					channel: id,
					consumer: channel.consumer.clone(),
					amount: request.amount,
					deadline: request.deadline,
				});
			}
		}
		if was_queued || covered > 0 {
			Consumers::<T>::insert(channel.bridge, &channel.consumer, account);
		}
		Channels::<T>::insert(id, channel);
	}

	/// A payment request unpaid at its deadline bounces: what the channel still owes is
	/// written off against the consumer's reputation and the channel closes. Escrow parked
	/// since the request is used first.
	fn bounce_if_due(id: ChannelId, now: BlockNumberFor<T>) {
		let due_now = |channel: &Channel<T>| {
			channel.request.as_ref().is_some_and(|request| request.deadline == now)
		};
		// Paid, or a later request with another deadline: nothing is due now.
		let Some(channel) = Channels::<T>::get(id).filter(due_now) else { return };
		if let Some(bridge) = Bridges::<T>::get(channel.bridge) {
			Self::settle_channel(id, &bridge.policy, now);
		}
		let Some(channel) = Channels::<T>::get(id).filter(due_now) else { return };
		let unpaid = channel.unpaid();
		Consumers::<T>::mutate(channel.bridge, &channel.consumer, |account| {
			let reputation = &mut account.get_or_insert_with(Default::default).reputation;
			reputation.bounces = reputation.bounces.saturating_add(1);
			reputation.bounced_amount = reputation.bounced_amount.saturating_add(unpaid);
			reputation.last_bounce = Some(now);
		});
		Self::deposit_event(Event::PaymentBounced {
			channel: id,
			bridge: channel.bridge,
			consumer: channel.consumer.clone(),
			unpaid,
		});
		Self::remove_channel(id, &channel);
	}

	/// The block's work: bounces due, roll-ups that became due, and settlements of the
	/// roll-ups under way; bounces and settlements together at most
	/// [`Config::MaxSettlementsPerBlock`].
	pub(crate) fn process_block(now: BlockNumberFor<T>) -> Weight {
		let deadlines = DeadlineAgenda::<T>::take(now);
		let bounces = deadlines.len() as u32;
		for id in deadlines {
			Self::bounce_if_due(id, now);
		}

		let due = RollupAgenda::<T>::take(now);
		let started = due.len() as u32;
		let mut active = ActiveRollups::<T>::get();
		for bridge in due {
			if active.contains(&bridge) {
				continue;
			}
			if active.try_push(bridge).is_err() {
				// Too many roll-ups under way: this one starts when there is room. If the
				// agenda is full too, it waits for its members to roll up.
				let _ =
					schedule::<T, RollupAgenda<T>, _, _>(now.saturating_add(One::one()), bridge);
			}
		}
		let base = T::WeightInfo::on_initialize_bounces(bounces)
			.saturating_add(T::WeightInfo::on_initialize_due(started));
		if active.is_empty() {
			return base;
		}

		let budget = T::MaxSettlementsPerBlock::get().saturating_sub(bounces);
		let mut left = budget;
		let mut finished = Vec::new();
		for bridge in active.iter() {
			let (settled, empty) = Self::settle_queue(*bridge, left, now);
			left = left.saturating_sub(settled);
			if empty {
				finished.push(*bridge);
			}
			if left == 0 {
				break;
			}
		}
		for bridge in &finished {
			if Self::schedule_next_rollup(*bridge, now) {
				active.retain(|active| active != bridge);
			}
		}
		let looked_at = (active.len() + finished.len()) as u32;
		ActiveRollups::<T>::put(active);
		base.saturating_add(T::WeightInfo::on_initialize_settlements(budget.saturating_sub(left)))
			.saturating_add(T::WeightInfo::on_initialize_rollups(looked_at))
	}

	/// Puts a bridge whose queue is empty in the agenda a settlement interval from now.
	/// `false` when the agenda has no room (it stays under way and is tried again).
	fn schedule_next_rollup(bridge: CircleId, now: BlockNumberFor<T>) -> bool {
		let Some(mut record) = Bridges::<T>::get(bridge) else { return true };
		let wanted = now.saturating_add(record.policy.settlement_interval);
		match schedule::<T, RollupAgenda<T>, _, _>(wanted, bridge) {
			Ok(next_rollup) => {
				record.next_rollup = next_rollup;
				Bridges::<T>::insert(bridge, record);
				Self::deposit_event(Event::RollupCompleted { bridge, next_rollup });
				true
			},
			Err(_) => false,
		}
	}
}
