// This file is part of gridchain.
// SPDX-License-Identifier: Apache-2.0

//! Weights for `pallet_tft_bridge`. Estimates until `scripts/bench.sh tft-bridge` runs (the
//! benchmarks come with the withdrawals): the storage accesses of each call at ParityDB's
//! weights and 50 µs of execution per vote.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]
#![allow(dead_code)]

use frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}};
use core::marker::PhantomData;

/// The weight of each call of `pallet_tft_bridge`.
pub trait WeightInfo {
	fn set_bridge_circle() -> Weight;
	fn vote_deposits_minting(n: u32, ) -> Weight;
	fn vote_deposits_refunding(n: u32, ) -> Weight;
	fn set_vault() -> Weight;
	fn withdraw() -> Weight;
	fn sign_payment() -> Weight;
	fn report_payment_failed() -> Weight;
	fn report_payment_expired() -> Weight;
	fn prune_deposit_votes() -> Weight;
	fn set_payment_fee() -> Weight;
	fn retry_refund() -> Weight;
}

/// Weights on the reference machine, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn set_bridge_circle() -> Weight {
		Weight::from_parts(20_000_000, 2_000)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn vote_deposits_minting(n: u32, ) -> Weight {
		Weight::from_parts(30_000_000, 4_000)
			.saturating_add(Weight::from_parts(50_000_000, 8_000).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads((3_u64).saturating_add((6_u64).saturating_mul(n.into()))))
			.saturating_add(ParityDbWeight::get().writes((6_u64).saturating_mul(n.into())))
	}
	fn vote_deposits_refunding(n: u32, ) -> Weight {
		Weight::from_parts(30_000_000, 4_000)
			.saturating_add(Weight::from_parts(50_000_000, 8_000).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads((3_u64).saturating_add((6_u64).saturating_mul(n.into()))))
			.saturating_add(ParityDbWeight::get().writes((6_u64).saturating_mul(n.into())))
	}
	fn set_vault() -> Weight {
		Weight::from_parts(25_000_000, 2_000)
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn withdraw() -> Weight {
		Weight::from_parts(120_000_000, 6_000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn sign_payment() -> Weight {
		Weight::from_parts(120_000_000, 6_000)
			.saturating_add(ParityDbWeight::get().reads(4_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn report_payment_failed() -> Weight {
		Weight::from_parts(80_000_000, 6_000)
			.saturating_add(ParityDbWeight::get().reads(8_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn report_payment_expired() -> Weight {
		Weight::from_parts(80_000_000, 6_000)
			.saturating_add(ParityDbWeight::get().reads(8_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn prune_deposit_votes() -> Weight {
		Weight::from_parts(40_000_000, 6_000)
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(100_u64))
	}
	fn set_payment_fee() -> Weight {
		Weight::from_parts(20_000_000, 2_000)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn retry_refund() -> Weight {
		Weight::from_parts(120_000_000, 6_000)
			.saturating_add(ParityDbWeight::get().reads(4_u64))
			.saturating_add(ParityDbWeight::get().writes(5_u64))
	}
}

// For tests.
impl WeightInfo for () {
	fn set_bridge_circle() -> Weight {
		Weight::from_parts(20_000_000, 2_000)
	}
	fn vote_deposits_minting(n: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 8_000).saturating_mul(n.into())
	}
	fn vote_deposits_refunding(n: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 8_000).saturating_mul(n.into())
	}
	fn set_vault() -> Weight {
		Weight::from_parts(25_000_000, 2_000)
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn withdraw() -> Weight {
		Weight::from_parts(120_000_000, 6_000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn sign_payment() -> Weight {
		Weight::from_parts(120_000_000, 6_000)
			.saturating_add(ParityDbWeight::get().reads(4_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn report_payment_failed() -> Weight {
		Weight::from_parts(80_000_000, 6_000)
			.saturating_add(ParityDbWeight::get().reads(8_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn report_payment_expired() -> Weight {
		Weight::from_parts(80_000_000, 6_000)
			.saturating_add(ParityDbWeight::get().reads(8_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn prune_deposit_votes() -> Weight {
		Weight::from_parts(40_000_000, 6_000)
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(100_u64))
	}
	fn set_payment_fee() -> Weight {
		Weight::from_parts(20_000_000, 2_000)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn retry_refund() -> Weight {
		Weight::from_parts(120_000_000, 6_000)
			.saturating_add(ParityDbWeight::get().reads(4_u64))
			.saturating_add(ParityDbWeight::get().writes(5_u64))
	}
}
