//! Bridges' policies, what they ask of consumers, and channels: opening, closing, and
//! payment requests paid by the consumer.

use crate::{pallet::*, types::*};
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Mutate, MutateHold},
		tokens::Precision,
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use gridchain_primitives::{circles::Circles, grid::GridRegistry};
use sp_runtime::Saturating;

impl<T: Config> Pallet<T> {
	/// A fee within the most allowed, periods within range, a withdrawal delay at least the
	/// settlement interval (so providers' IOUs are settled before escrow leaves).
	pub(crate) fn ensure_valid_policy(policy: &BridgePolicy<BlockNumberFor<T>>) -> DispatchResult {
		ensure!(policy.fee <= T::MaxBridgeFee::get(), Error::<T>::FeeTooHigh);
		let in_range = |period: BlockNumberFor<T>| {
			period >= T::MinPeriod::get() && period <= T::MaxPeriod::get()
		};
		ensure!(
			in_range(policy.settlement_interval) && in_range(policy.payment_period),
			Error::<T>::PeriodOutOfRange
		);
		ensure!(
			policy.withdrawal_delay >= policy.settlement_interval
				&& policy.withdrawal_delay <= T::MaxPeriod::get(),
			Error::<T>::InvalidWithdrawalDelay
		);
		Ok(())
	}

	/// What the bridge asks of a consumer to open a channel: not blocked, and enough escrow
	/// (more when its score is below the bridge's minimum).
	pub(crate) fn ensure_may_open(
		policy: &BridgePolicy<BlockNumberFor<T>>,
		account: &ConsumerAccount<BlockNumberFor<T>>,
	) -> DispatchResult {
		ensure!(!account.blocked, Error::<T>::ConsumerBlocked);
		let available = account.available();
		if account.reputation.score() < policy.min_score {
			ensure!(available >= policy.low_score_escrow, Error::<T>::ReputationTooLow);
		}
		ensure!(available >= policy.min_escrow, Error::<T>::EscrowTooLow);
		Ok(())
	}

	pub(crate) fn do_open_channel(
		consumer: T::AccountId,
		bridge: CircleId,
		farm_id: FarmId,
		service: ServiceKind,
	) -> Result<ChannelId, DispatchError> {
		let policy = Bridges::<T>::get(bridge).ok_or(Error::<T>::UnknownBridge)?.policy;
		ensure!(T::Registry::twin_of(&consumer).is_some(), Error::<T>::NotATwin);
		let prices = Services::<T>::get(farm_id, service).ok_or(Error::<T>::UnknownService)?;
		let account = Consumers::<T>::get(bridge, &consumer).ok_or(Error::<T>::UnknownConsumer)?;
		Self::ensure_may_open(&policy, &account)?;
		let channel = NextChannelId::<T>::get();
		let next = channel.checked_add(1).ok_or(Error::<T>::ChannelIdsExhausted)?;
		let deposit = T::ChannelDeposit::get();
		T::Currency::hold(&HoldReason::ChannelDeposit.into(), &consumer, deposit)?;
		NextChannelId::<T>::put(next);
		Channels::<T>::insert(
			channel,
			Channel {
				bridge,
				consumer: consumer.clone(),
				farm_id,
				service,
				prices: prices.clone(),
				deposit,
				newest: None,
				paid: 0,
				queued: false,
				request: None,
				closes_at: None,
			},
		);
		Self::deposit_event(Event::ChannelOpened {
			channel,
			bridge,
			consumer,
			farm_id,
			service,
			prices,
		});
		Ok(channel)
	}

	/// The provider closes at once; the consumer gives the bridge's withdrawal delay as notice.
	/// A closing channel whose notice is over and that owes nothing is removed.
	pub(crate) fn do_close_channel(who: &T::AccountId, id: ChannelId) -> DispatchResult {
		let mut channel = Channels::<T>::get(id).ok_or(Error::<T>::UnknownChannel)?;
		let by_provider = Self::is_provider(who, channel.farm_id);
		ensure!(by_provider || who == &channel.consumer, Error::<T>::NotChannelParty);
		let now = frame_system::Pallet::<T>::block_number();
		let notice_end = if by_provider {
			now
		} else {
			let policy = Bridges::<T>::get(channel.bridge).ok_or(Error::<T>::UnknownBridge)?.policy;
			now.saturating_add(policy.withdrawal_delay)
		};
		let closes_at = channel.closes_at.map_or(notice_end, |at| at.min(notice_end));
		if now >= closes_at && channel.unpaid() == 0 && channel.request.is_none() {
			Self::remove_channel(id, &channel);
			return Ok(());
		}
		if channel.closes_at == Some(closes_at) {
			return Err(if now >= closes_at {
				Error::<T>::ChannelUnpaid
			} else {
				Error::<T>::ChannelNotClosable
			}
			.into());
		}
		channel.closes_at = Some(closes_at);
		Channels::<T>::insert(id, channel);
		Self::deposit_event(Event::ChannelClosing { channel: id, closes_at });
		Ok(())
	}

	/// Removes a channel and releases its deposit to the consumer.
	pub(crate) fn remove_channel(id: ChannelId, channel: &Channel<T>) {
		if channel.queued {
			Self::count_queued(channel, false);
		}
		// The deposit was held when the channel opened and only this releases it; `BestEffort`
		// so a missing hold can never keep a channel alive.
		let _ = T::Currency::release(
			&HoldReason::ChannelDeposit.into(),
			&channel.consumer,
			channel.deposit,
			Precision::BestEffort,
		);
		Channels::<T>::remove(id);
		Self::deposit_event(Event::ChannelClosed { channel: id });
	}

	pub(crate) fn do_pay_request(consumer: T::AccountId, id: ChannelId) -> DispatchResult {
		let mut channel = Channels::<T>::get(id).ok_or(Error::<T>::UnknownChannel)?;
		ensure!(channel.consumer == consumer, Error::<T>::NotChannelParty);
		let request = channel.request.take().ok_or(Error::<T>::NoPaymentRequest)?;
		let policy = Bridges::<T>::get(channel.bridge).ok_or(Error::<T>::UnknownBridge)?.policy;
		let fee = Self::pay_channel(&channel, policy.fee, request.amount, Source::FreeBalance)?;
		channel.paid = channel.paid.saturating_add(request.amount);
		Consumers::<T>::mutate(channel.bridge, &consumer, |account| {
			account.get_or_insert_with(Default::default).reputation.record_payment(request.amount)
		});
		Channels::<T>::insert(id, channel);
		Self::deposit_event(Event::PaymentRequestPaid {
			channel: id,
			consumer,
			amount: request.amount,
			fee,
		});
		Ok(())
	}
}

/// Where a channel's payment comes from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Source {
	/// The consumer's escrow with the channel's bridge (held).
	Escrow,
	/// The consumer's free balance (a payment request).
	FreeBalance,
}

impl<T: Config> Pallet<T> {
	/// Moves `amount` from the consumer to the farm's payee, the bridge's fee of it to the
	/// bridge's treasury; all of it or nothing. A fee the treasury cannot receive (below the
	/// existential deposit while the treasury account does not exist) goes to the payee with
	/// the rest. Returns the fee taken.
	pub(crate) fn pay_channel(
		channel: &Channel<T>,
		fee_rate: sp_runtime::Permill,
		amount: Balance,
		source: Source,
	) -> Result<Balance, DispatchError> {
		use frame_support::traits::tokens::{Fortitude, Preservation, Restriction};
		let payee = T::Registry::payee(channel.farm_id).ok_or(Error::<T>::UnknownFarm)?;
		let treasury = T::Circles::treasury(channel.bridge);
		let pay = |to: &T::AccountId, part: Balance| -> DispatchResult {
			if part == 0 {
				return Ok(());
			}
			frame_support::storage::with_storage_layer(|| match source {
				Source::Escrow => T::Currency::transfer_on_hold(
					&HoldReason::Escrow.into(),
					&channel.consumer,
					to,
					part,
					Precision::Exact,
					Restriction::Free,
					Fortitude::Polite,
				)
				.map(|_| ()),
				Source::FreeBalance => {
					T::Currency::transfer(&channel.consumer, to, part, Preservation::Preserve)
						.map(|_| ())
				},
			})
		};
		frame_support::storage::with_storage_layer(|| {
			let wanted_fee = fee_rate.mul_floor(amount);
			let fee = if pay(&treasury, wanted_fee).is_ok() { wanted_fee } else { 0 };
			let share = amount.saturating_sub(fee);
			pay(&payee.account, share)?;
			if let Some(cooperative) = payee.cooperative {
				T::Registry::record_cooperative_earnings(cooperative, share);
			}
			Ok(fee)
		})
	}
}
