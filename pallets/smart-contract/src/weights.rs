//! Weights for `pallet_smart_contract`: a placeholder until `scripts/bench.sh` generates this
//! file. Every weight is zero, which no runtime may ship.

#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::weights::Weight;

/// The weight of each call and hook of `pallet_smart_contract`.
pub trait WeightInfo {
	fn create_node_contract(w: u32) -> Weight;
	fn top_up() -> Weight;
	fn cancel_contract() -> Weight;
	fn report_deployment() -> Weight;
	fn settle() -> Weight;
	fn claim_earnings() -> Weight;
	fn on_initialize_checks(n: u32) -> Weight;
	fn on_initialize_sweep(n: u32) -> Weight;
}

/// Placeholder.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T> WeightInfo for SubstrateWeight<T> {
	fn create_node_contract(_w: u32) -> Weight {
		Weight::zero()
	}
	fn top_up() -> Weight {
		Weight::zero()
	}
	fn cancel_contract() -> Weight {
		Weight::zero()
	}
	fn report_deployment() -> Weight {
		Weight::zero()
	}
	fn settle() -> Weight {
		Weight::zero()
	}
	fn claim_earnings() -> Weight {
		Weight::zero()
	}
	fn on_initialize_checks(_n: u32) -> Weight {
		Weight::zero()
	}
	fn on_initialize_sweep(_n: u32) -> Weight {
		Weight::zero()
	}
}
impl WeightInfo for () {
	fn create_node_contract(_w: u32) -> Weight {
		Weight::zero()
	}
	fn top_up() -> Weight {
		Weight::zero()
	}
	fn cancel_contract() -> Weight {
		Weight::zero()
	}
	fn report_deployment() -> Weight {
		Weight::zero()
	}
	fn settle() -> Weight {
		Weight::zero()
	}
	fn claim_earnings() -> Weight {
		Weight::zero()
	}
	fn on_initialize_checks(_n: u32) -> Weight {
		Weight::zero()
	}
	fn on_initialize_sweep(_n: u32) -> Weight {
		Weight::zero()
	}
}
