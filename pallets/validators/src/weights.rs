// This file is part of gridchain.
// SPDX-License-Identifier: Apache-2.0

//! Weights for `pallet_validators`. Not yet measured: these are estimates (each call reads and
//! writes at most the set of validators, an application and a counter) until
//! `scripts/bench.sh validators` generates this file from the pallet's benchmarks.

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::Weight};

/// The weight of each call of `pallet_validators`.
pub trait WeightInfo {
	fn apply() -> Weight;
	fn approve() -> Weight;
	fn reject() -> Weight;
	fn remove() -> Weight;
	fn withdraw() -> Weight;
	fn set_minimum_validators() -> Weight;
	fn set_session_length() -> Weight;
}

/// Estimates with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn apply() -> Weight {
		Weight::from_parts(60_000_000, 4_000).saturating_add(T::DbWeight::get().reads_writes(4, 2))
	}
	fn approve() -> Weight {
		Weight::from_parts(80_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(4, 5))
	}
	fn reject() -> Weight {
		Weight::from_parts(40_000_000, 4_000).saturating_add(T::DbWeight::get().reads_writes(2, 2))
	}
	fn remove() -> Weight {
		Weight::from_parts(70_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(1, 3))
	}
	fn withdraw() -> Weight {
		Weight::from_parts(70_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(3, 3))
	}
	fn set_minimum_validators() -> Weight {
		Weight::from_parts(30_000_000, 4_000).saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}
	fn set_session_length() -> Weight {
		Weight::from_parts(20_000_000, 0).saturating_add(T::DbWeight::get().writes(1))
	}
}

impl WeightInfo for () {
	fn apply() -> Weight {
		Weight::zero()
	}
	fn approve() -> Weight {
		Weight::zero()
	}
	fn reject() -> Weight {
		Weight::zero()
	}
	fn remove() -> Weight {
		Weight::zero()
	}
	fn withdraw() -> Weight {
		Weight::zero()
	}
	fn set_minimum_validators() -> Weight {
		Weight::zero()
	}
	fn set_session_length() -> Weight {
		Weight::zero()
	}
}
