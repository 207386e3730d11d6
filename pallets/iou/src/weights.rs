// This file is part of gridchain.
// SPDX-License-Identifier: Apache-2.0

//! Weights for `pallet_iou`. Until `scripts/bench.sh iou` has run, these are estimates: 25 µs
//! and the storage accesses of each call, 100 µs per signature check pair.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]
#![allow(dead_code)]

use frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}};
use core::marker::PhantomData;

/// The weight of each call of `pallet_iou`.
pub trait WeightInfo {
	fn set_service() -> Weight;
	fn remove_service() -> Weight;
	fn set_service_bounds() -> Weight;
	fn set_bridge_policy() -> Weight;
	fn deposit_escrow() -> Weight;
	fn request_withdrawal() -> Weight;
	fn withdraw_escrow() -> Weight;
	fn open_channel() -> Weight;
	fn close_channel() -> Weight;
	fn pay_request() -> Weight;
	fn set_consumer_blocked() -> Weight;
	fn submit_ious(n: u32, ) -> Weight;
	fn submit_ious_worst(n: u32, ) -> Weight;
	fn roll_up(n: u32, ) -> Weight;
	fn on_initialize_bounces(b: u32, ) -> Weight;
	fn on_initialize_due(d: u32, ) -> Weight;
	fn on_initialize_settlements(n: u32, a: u32, ) -> Weight;
}

/// Weights on the reference machine, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn set_service() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn remove_service() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn set_service_bounds() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn set_bridge_policy() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn deposit_escrow() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn request_withdrawal() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn withdraw_escrow() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn open_channel() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn close_channel() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn pay_request() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn set_consumer_blocked() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn submit_ious(n: u32, ) -> Weight {
		Weight::from_parts(20_000_000, 4_000)
			.saturating_add(Weight::from_parts(150_000_000, 5_000).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads((5_u64).saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes((2_u64).saturating_mul(n.into())))
	}
	fn submit_ious_worst(n: u32, ) -> Weight {
		Weight::from_parts(20_000_000, 4_000)
			.saturating_add(Weight::from_parts(350_000_000, 5_000).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads((5_u64).saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes((2_u64).saturating_mul(n.into())))
	}
	fn roll_up(n: u32, ) -> Weight {
		Weight::from_parts(20_000_000, 4_000)
			.saturating_add(Weight::from_parts(60_000_000, 8_000).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads((6_u64).saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes((6_u64).saturating_mul(n.into())))
	}
	fn on_initialize_bounces(b: u32, ) -> Weight {
		Weight::from_parts(5_000_000, 2_000)
			.saturating_add(Weight::from_parts(80_000_000, 8_000).saturating_mul(b.into()))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_add((5_u64).saturating_mul(b.into()))))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_add((5_u64).saturating_mul(b.into()))))
	}
	fn on_initialize_due(d: u32, ) -> Weight {
		Weight::from_parts(5_000_000, 2_000)
			.saturating_add(Weight::from_parts(5_000_000, 100).saturating_mul(d.into()))
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn on_initialize_settlements(n: u32, a: u32, ) -> Weight {
		Weight::from_parts(5_000_000, 2_000)
			.saturating_add(Weight::from_parts(60_000_000, 8_000).saturating_mul(n.into()))
			.saturating_add(Weight::from_parts(20_000_000, 4_000).saturating_mul(a.into()))
			.saturating_add(ParityDbWeight::get().reads((6_u64).saturating_mul(n.into()).saturating_add((4_u64).saturating_mul(a.into()))))
			.saturating_add(ParityDbWeight::get().writes((6_u64).saturating_mul(n.into()).saturating_add((3_u64).saturating_mul(a.into()))))
	}
}

// For tests.
impl WeightInfo for () {
	fn set_service() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn remove_service() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn set_service_bounds() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn set_bridge_policy() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn deposit_escrow() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn request_withdrawal() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn withdraw_escrow() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn open_channel() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn close_channel() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn pay_request() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn set_consumer_blocked() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn submit_ious(n: u32, ) -> Weight {
		Weight::from_parts(20_000_000, 4_000)
			.saturating_add(Weight::from_parts(150_000_000, 5_000).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads((5_u64).saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes((2_u64).saturating_mul(n.into())))
	}
	fn submit_ious_worst(n: u32, ) -> Weight {
		Weight::from_parts(20_000_000, 4_000)
			.saturating_add(Weight::from_parts(350_000_000, 5_000).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads((5_u64).saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes((2_u64).saturating_mul(n.into())))
	}
	fn roll_up(n: u32, ) -> Weight {
		Weight::from_parts(20_000_000, 4_000)
			.saturating_add(Weight::from_parts(60_000_000, 8_000).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads((6_u64).saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes((6_u64).saturating_mul(n.into())))
	}
	fn on_initialize_bounces(b: u32, ) -> Weight {
		Weight::from_parts(5_000_000, 2_000)
			.saturating_add(Weight::from_parts(80_000_000, 8_000).saturating_mul(b.into()))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_add((5_u64).saturating_mul(b.into()))))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_add((5_u64).saturating_mul(b.into()))))
	}
	fn on_initialize_due(d: u32, ) -> Weight {
		Weight::from_parts(5_000_000, 2_000)
			.saturating_add(Weight::from_parts(5_000_000, 100).saturating_mul(d.into()))
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn on_initialize_settlements(n: u32, a: u32, ) -> Weight {
		Weight::from_parts(5_000_000, 2_000)
			.saturating_add(Weight::from_parts(60_000_000, 8_000).saturating_mul(n.into()))
			.saturating_add(Weight::from_parts(20_000_000, 4_000).saturating_mul(a.into()))
			.saturating_add(ParityDbWeight::get().reads((6_u64).saturating_mul(n.into()).saturating_add((4_u64).saturating_mul(a.into()))))
			.saturating_add(ParityDbWeight::get().writes((6_u64).saturating_mul(n.into()).saturating_add((3_u64).saturating_mul(a.into()))))
	}
}
