//! What must always hold, checked by `try_state` (after every unit test, and by try-runtime).

use crate::{pallet::*, types::*};
use alloc::collections::{BTreeMap, BTreeSet};
use frame_support::{ensure, traits::fungible::InspectHold};
use sp_runtime::TryRuntimeError;

impl<T: Config> Pallet<T> {
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		// Escrow held on each account equals its escrows with all bridges.
		let mut escrows: BTreeMap<T::AccountId, Balance> = BTreeMap::new();
		for (bridge, consumer, account) in Consumers::<T>::iter() {
			ensure!(Bridges::<T>::contains_key(bridge), "a consumer account of no bridge");
			let sum = escrows.entry(consumer).or_default();
			*sum = sum.checked_add(account.escrow).ok_or("escrows overflow")?;
		}
		for (consumer, sum) in &escrows {
			let held = T::Currency::balance_on_hold(&HoldReason::Escrow.into(), consumer);
			ensure!(held == *sum, "escrow held differs from the escrows recorded");
		}

		// Channel deposits held equal the open channels' deposits; no channel is paid beyond
		// its newest IOU, nor asked for more than it owes; queued channels are in their
		// bridge's queue, once.
		let mut queued: BTreeMap<CircleId, BTreeSet<ChannelId>> = BTreeMap::new();
		for bridge in Bridges::<T>::iter_keys() {
			let listed = queued.entry(bridge).or_default();
			for (_, page) in SettlementQueue::<T>::iter_prefix(bridge) {
				for id in page {
					let queued_once = listed.insert(id);
					// A removed channel may stay listed until its page is reached.
					ensure!(
						queued_once || !Channels::<T>::contains_key(id),
						"a channel queued twice"
					);
				}
			}
		}
		let mut deposits: BTreeMap<T::AccountId, Balance> = BTreeMap::new();
		let mut queued_per_consumer: BTreeMap<(CircleId, T::AccountId), u32> = BTreeMap::new();
		let next_id = NextChannelId::<T>::get();
		for (id, channel) in Channels::<T>::iter() {
			ensure!(id < next_id, "a channel id not yet given");
			ensure!(channel.paid <= channel.owed(), "a channel paid beyond its newest IOU");
			if let Some(request) = &channel.request {
				ensure!(request.amount <= channel.unpaid(), "a request beyond what is owed");
				ensure!(request.amount > 0, "an empty payment request");
			}
			let in_queue = queued.get(&channel.bridge).is_some_and(|ids| ids.contains(&id));
			ensure!(!channel.queued || in_queue, "a queued channel missing from its queue");
			if let Some(newest) = &channel.newest {
				ensure!(
					newest.usage.len() == channel.prices.len(),
					"an IOU with another number of counters than its channel"
				);
			}
			if channel.queued {
				*queued_per_consumer
					.entry((channel.bridge, channel.consumer.clone()))
					.or_default() += 1;
			}
			let sum = deposits.entry(channel.consumer).or_default();
			*sum = sum.checked_add(channel.deposit).ok_or("deposits overflow")?;
		}
		for (bridge, consumer, account) in Consumers::<T>::iter() {
			let queued = queued_per_consumer.get(&(bridge, consumer)).copied().unwrap_or(0);
			ensure!(account.queued_channels == queued, "a consumer's queued channels miscounted");
		}
		for (consumer, sum) in &deposits {
			let held = T::Currency::balance_on_hold(&HoldReason::ChannelDeposit.into(), consumer);
			ensure!(held == *sum, "channel deposits held differ from the open channels'");
		}
		Ok(())
	}
}
