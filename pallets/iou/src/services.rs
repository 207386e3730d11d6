//! Services and their prices: who manages a farm's services, what a valid price list is, and
//! the council's bounds (rates compared exactly, by cross-multiplication).

use crate::{pallet::*, types::*};
use frame_support::pallet_prelude::*;
use gridchain_primitives::grid::GridRegistry;
use sp_core::U256;

/// `a.price / a.per` compared with `b.price / b.per`, exactly: `a.price × b.per` against
/// `b.price × a.per` (at most 192 bits each).
fn compare_rates(a: &CounterPrice, b: &CounterPrice) -> core::cmp::Ordering {
	let left = U256::from(a.price) * U256::from(b.per);
	let right = U256::from(b.price) * U256::from(a.per);
	left.cmp(&right)
}

/// Whether `price` is priced for at least one unit and its rate within `range`.
fn within(price: &CounterPrice, range: &PriceRange) -> bool {
	price.per != 0
		&& compare_rates(price, &range.min).is_ge()
		&& compare_rates(price, &range.max).is_le()
}

/// Whether every range is of units (never 0) with its minimum rate at most its maximum.
pub fn valid_bounds(bounds: &ServiceBounds) -> bool {
	!bounds.is_empty()
		&& bounds
			.iter()
			.all(|range| range.min.per != 0 && range.max.per != 0 && within(&range.min, range))
}

impl<T: Config> Pallet<T> {
	/// The farm's owner (its twin's account) or operator may manage its services.
	pub(crate) fn ensure_farm_manager(who: &T::AccountId, farm_id: FarmId) -> DispatchResult {
		ensure!(T::Registry::farm_owner(farm_id).is_some(), Error::<T>::UnknownFarm);
		ensure!(Self::is_provider(who, farm_id), Error::<T>::NotFarmManager);
		Ok(())
	}

	/// Whether `who` is the farm's operator or its owner twin's account.
	pub(crate) fn is_provider(who: &T::AccountId, farm_id: FarmId) -> bool {
		Self::provider_signers(farm_id).iter().flatten().any(|signer| signer == who)
	}

	/// The accounts whose signature stands for the farm as provider: its operator (the
	/// agent that signs automatically), then its owner.
	pub(crate) fn provider_signers(farm_id: FarmId) -> [Option<T::AccountId>; 2] {
		[
			T::Registry::farm_operator(farm_id),
			T::Registry::farm_owner(farm_id).and_then(T::Registry::twin_account),
		]
	}

	/// 1 to 8 counters, each for at least one unit, within the council's bounds of the kind.
	pub(crate) fn ensure_valid_prices(
		service: ServiceKind,
		prices: &ServicePrices,
	) -> DispatchResult {
		ensure!(
			!prices.is_empty() && prices.iter().all(|price| price.per != 0),
			Error::<T>::InvalidPrices
		);
		if let Some(bounds) = ServiceBoundsOf::<T>::get(service) {
			ensure!(bounds.len() == prices.len(), Error::<T>::CounterCountMismatch);
			ensure!(
				prices.iter().zip(bounds.iter()).all(|(price, range)| within(price, range)),
				Error::<T>::PriceOutOfBounds
			);
		}
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn price(price: Balance, per: u64) -> CounterPrice {
		CounterPrice { price, per }
	}

	#[test]
	fn rates_compare_exactly_across_units() {
		// 1 per 3 units against 333 per 1000 units: 1/3 > 0.333.
		assert!(compare_rates(&price(1, 3), &price(333, 1000)).is_gt());
		assert!(compare_rates(&price(2, 6), &price(1, 3)).is_eq());
		// Values whose products overflow 128 bits still compare.
		assert!(compare_rates(&price(Balance::MAX, u64::MAX), &price(Balance::MAX, u64::MAX - 1))
			.is_lt());
		let range = PriceRange { min: price(1, 1000), max: price(1, 10) };
		assert!(within(&price(5, 1000), &range));
		assert!(within(&price(1, 10), &range));
		assert!(!within(&price(11, 100), &range));
		assert!(!within(&price(1, 1001), &range));
		assert!(!within(&price(1, 0), &range));
	}

	#[test]
	fn bounds_need_a_minimum_at_most_the_maximum() {
		let bounds = |min, max| ServiceBounds::try_from(vec![PriceRange { min, max }]).unwrap();
		assert!(valid_bounds(&bounds(price(1, 10), price(1, 10))));
		assert!(valid_bounds(&bounds(price(0, 1), price(1, 1))));
		assert!(!valid_bounds(&bounds(price(2, 10), price(1, 10))));
		assert!(!valid_bounds(&bounds(price(1, 0), price(1, 10))));
		assert!(!valid_bounds(&ServiceBounds::default()));
	}
}
