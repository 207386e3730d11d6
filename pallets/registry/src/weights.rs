//! Weights for `pallet_registry`: a placeholder until `scripts/bench.sh` generates this file.
//! Every weight is zero, which no runtime may ship.

#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::weights::Weight;

/// The weight of each call of `pallet_registry`.
pub trait WeightInfo {
	fn register_twin() -> Weight;
	fn create_farm() -> Weight;
	fn set_pricing_policy() -> Weight;
	fn set_farm_operator() -> Weight;
	fn register_node() -> Weight;
	fn set_node_capacity() -> Weight;
	fn set_node_endpoint() -> Weight;
	fn remove_node() -> Weight;
	fn create_cooperative(m: u32) -> Weight;
	fn set_cooperative_members(m: u32) -> Weight;
	fn request_cooperative_membership() -> Weight;
	fn approve_cooperative_membership() -> Weight;
	fn leave_cooperative() -> Weight;
}

/// Placeholder.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T> WeightInfo for SubstrateWeight<T> {
	fn register_twin() -> Weight {
		Weight::zero()
	}
	fn create_farm() -> Weight {
		Weight::zero()
	}
	fn set_pricing_policy() -> Weight {
		Weight::zero()
	}
	fn set_farm_operator() -> Weight {
		Weight::zero()
	}
	fn register_node() -> Weight {
		Weight::zero()
	}
	fn set_node_capacity() -> Weight {
		Weight::zero()
	}
	fn set_node_endpoint() -> Weight {
		Weight::zero()
	}
	fn remove_node() -> Weight {
		Weight::zero()
	}
	fn create_cooperative(_m: u32) -> Weight {
		Weight::zero()
	}
	fn set_cooperative_members(_m: u32) -> Weight {
		Weight::zero()
	}
	fn request_cooperative_membership() -> Weight {
		Weight::zero()
	}
	fn approve_cooperative_membership() -> Weight {
		Weight::zero()
	}
	fn leave_cooperative() -> Weight {
		Weight::zero()
	}
}
impl WeightInfo for () {
	fn register_twin() -> Weight {
		Weight::zero()
	}
	fn create_farm() -> Weight {
		Weight::zero()
	}
	fn set_pricing_policy() -> Weight {
		Weight::zero()
	}
	fn set_farm_operator() -> Weight {
		Weight::zero()
	}
	fn register_node() -> Weight {
		Weight::zero()
	}
	fn set_node_capacity() -> Weight {
		Weight::zero()
	}
	fn set_node_endpoint() -> Weight {
		Weight::zero()
	}
	fn remove_node() -> Weight {
		Weight::zero()
	}
	fn create_cooperative(_m: u32) -> Weight {
		Weight::zero()
	}
	fn set_cooperative_members(_m: u32) -> Weight {
		Weight::zero()
	}
	fn request_cooperative_membership() -> Weight {
		Weight::zero()
	}
	fn approve_cooperative_membership() -> Weight {
		Weight::zero()
	}
	fn leave_cooperative() -> Weight {
		Weight::zero()
	}
}
