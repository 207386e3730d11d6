//! The registry as other pallets see it: the [`GridRegistry`] implementation.

use crate::{pallet::*, types::*};
use alloc::vec::Vec;
use frame_support::pallet_prelude::*;
use gridchain_primitives::grid::{GridRegistry, NodeContact, NodeInfo, Payee};
#[cfg(feature = "runtime-benchmarks")]
use sp_runtime::traits::Zero;

/// The farmers: accounts whose twin owns a farm holding at least one node.
pub struct Farmers<T>(core::marker::PhantomData<T>);

impl<T: Config> frame_support::traits::Contains<T::AccountId> for Farmers<T> {
	fn contains(account: &T::AccountId) -> bool {
		TwinIdByAccount::<T>::get(account).is_some_and(|twin| NodeCountByOwner::<T>::get(twin) > 0)
	}
}

impl<T: Config> GridRegistry<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn twin_of(account: &T::AccountId) -> Option<TwinId> {
		TwinIdByAccount::<T>::get(account)
	}

	fn twin_account(twin_id: TwinId) -> Option<T::AccountId> {
		Twins::<T>::get(twin_id).map(|twin| twin.account)
	}

	fn node(node_id: NodeId) -> Option<NodeInfo> {
		Nodes::<T>::get(node_id).map(|node| NodeInfo {
			farm_id: node.farm_id,
			capacity: node.capacity,
			reserved: node.reserved,
			live_agreements: node.live_agreements,
			suspended: node.suspended,
		})
	}

	fn node_contact(node_id: NodeId) -> Option<NodeContact> {
		Nodes::<T>::get(node_id).map(|node| NodeContact {
			endpoint: node.endpoint.into_inner(),
			public_key: node.public_key,
		})
	}

	fn farm_pricing(farm_id: FarmId) -> Option<PricingPolicy<BalanceOf<T>>> {
		Farms::<T>::get(farm_id).map(|farm| farm.pricing)
	}

	fn farm_owner(farm_id: FarmId) -> Option<TwinId> {
		Farms::<T>::get(farm_id).map(|farm| farm.owner)
	}

	fn farm_operator(farm_id: FarmId) -> Option<T::AccountId> {
		Farms::<T>::get(farm_id).and_then(|farm| farm.operator)
	}

	fn farms_operated_by(operator: &T::AccountId) -> Vec<FarmId> {
		FarmsByOperator::<T>::iter_key_prefix(operator).collect()
	}

	fn payee(farm_id: FarmId) -> Option<Payee<T::AccountId>> {
		Pallet::<T>::payee(farm_id)
	}

	fn record_cooperative_earnings(cooperative_id: CooperativeId, amount: BalanceOf<T>) {
		Pallet::<T>::record_cooperative_earnings(cooperative_id, amount)
	}

	fn max_agreements_per_node() -> u32 {
		T::MaxAgreementsPerNode::get()
	}

	fn reserve_capacity(node_id: NodeId, resources: &Resources) -> DispatchResult {
		Pallet::<T>::reserve_capacity(node_id, resources)
	}

	fn release_capacity(node_id: NodeId, resources: &Resources) {
		Pallet::<T>::release_capacity(node_id, resources)
	}

	#[cfg(any(feature = "std", feature = "try-runtime"))]
	fn reservations() -> Vec<(NodeId, Resources, u32)> {
		Nodes::<T>::iter()
			.map(|(node_id, node)| (node_id, node.reserved, node.live_agreements))
			.collect()
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_twin(account: &T::AccountId) -> TwinId {
		TwinIdByAccount::<T>::get(account)
			.unwrap_or_else(|| Pallet::<T>::do_register_twin(account, false).expect("a new twin"))
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_node(
		owner: &T::AccountId,
		operator: &T::AccountId,
		pricing: PricingPolicy<BalanceOf<T>>,
		capacity: Resources,
	) -> NodeId {
		let twin_id = Self::benchmark_twin(owner);
		let name: NameOf<T> = alloc::format!("bench-{}", NextFarmId::<T>::get())
			.into_bytes()
			.try_into()
			.expect("a short name");
		let farm_id =
			Pallet::<T>::do_create_farm(twin_id, name, pricing, None).expect("a new farm");
		Pallet::<T>::do_set_operator(farm_id, Some(operator.clone()));
		let endpoint: EndpointOf<T> =
			b"http://127.0.0.1:1/".to_vec().try_into().expect("a short endpoint");
		Pallet::<T>::do_register_node(farm_id, capacity, endpoint, [0; 32], None)
			.expect("a new node")
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_cooperative(farm_id: FarmId, admin: &T::AccountId) -> CooperativeId {
		use frame_support::traits::fungible::{Inspect, Mutate};
		let cooperative_id = NextCooperativeId::<T>::get();
		NextCooperativeId::<T>::put(cooperative_id.saturating_add(1));
		let minimum = T::Currency::minimum_balance();
		let _ = T::Currency::mint_into(&Pallet::<T>::cooperative_account(cooperative_id), minimum);
		let members: MembersOf<T> = alloc::vec![crate::types::Member {
			account: admin.clone(),
			share: sp_runtime::Perbill::one()
		}]
		.try_into()
		.expect("one member");
		Cooperatives::<T>::insert(
			cooperative_id,
			Cooperative {
				admin: admin.clone(),
				name: b"bench".to_vec().try_into().expect("a short name"),
				members,
				farms: 1,
				deposit: Zero::zero(),
			},
		);
		CooperativeFarms::<T>::insert(cooperative_id, farm_id, ());
		Farms::<T>::mutate(farm_id, |farm| {
			if let Some(farm) = farm {
				farm.cooperative = Some(cooperative_id)
			}
		});
		cooperative_id
	}
}
