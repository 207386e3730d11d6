//! Benchmarks of the calls and hooks, each in its worst case: the most workloads with the
//! longest names and texts, a farm paying its cooperative's account, full depletion index
//! entries.

use super::*;
use crate::Pallet as SmartContract;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, Get},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use pallet_registry::{BalanceOf, Member, PricingPolicy, Resources, GIB};
use sp_core::crypto::KeyTypeId;
use sp_runtime::{traits::Bounded, AccountId32, Perbill, SaturatedConversion};

const BENCH_KEY: KeyTypeId = KeyTypeId(*b"bnch");

/// A fresh sr25519 key in the keystore, as an account with a twin and plenty of funds.
fn user<T: Config>(seed: u32) -> T::AccountId {
	let public = sp_io::crypto::sr25519_generate(
		BENCH_KEY,
		Some(alloc::format!("//user{seed}").into_bytes()),
	);
	let account: AccountId32 = public.0.into();
	fund::<T>(&account);
	// Like `whitelisted_caller`: the caller's account is touched by the fee payment anyway, so
	// its storage access is not counted twice (the reference transfer is measured this way).
	whitelist_account!(account);
	pallet_registry::Pallet::<T>::register_twin(RawOrigin::Signed(account.clone()).into())
		.expect("new account");
	account
}

fn fund<T: Config>(account: &T::AccountId) {
	let plenty = BalanceOf::<T>::max_value() / 1_000_000u32.into();
	<T as Config>::Currency::set_balance(account, plenty);
}

/// A farm that belongs to a cooperative (the costliest payee: a payment and its record), and a
/// node with room for everything. Returns (farm owner, node id).
fn cooperative_farm<T: Config>() -> (T::AccountId, pallet_registry::NodeId) {
	let owner: T::AccountId = account("farmer", 0, 0);
	fund::<T>(&owner);
	let signed = || RawOrigin::Signed(owner.clone());
	pallet_registry::Pallet::<T>::register_twin(signed().into()).expect("new account");
	let name = |tag: &[u8]| BoundedVec::try_from(tag.to_vec()).expect("short name");
	pallet_registry::Pallet::<T>::create_farm(
		signed().into(),
		name(b"bench-farm"),
		PricingPolicy {
			cru_per_core_hour: 1_000_000u32.into(),
			mru_per_gib_hour: 1_000_000u32.into(),
			sru_per_gib_hour: 1_000_000u32.into(),
			hru_per_gib_hour: 1_000_000u32.into(),
		},
		owner.clone(),
	)
	.expect("valid farm");
	let farm_id = pallet_registry::NextFarmId::<T>::get() - 1;
	pallet_registry::Pallet::<T>::register_node(
		signed().into(),
		farm_id,
		Resources { cru: 1024, mru: 1 << 50, sru: 1 << 60, hru: 1 << 60 },
		BoundedVec::try_from(b"http://127.0.0.1:1".to_vec()).expect("short url"),
	)
	.expect("valid node");
	let node_id = pallet_registry::NextNodeId::<T>::get() - 1;

	// Settlement pays the cooperative's account, whatever the number of members.
	let members = vec![Member { account: owner.clone(), share: Perbill::one() }];
	pallet_registry::Pallet::<T>::create_cooperative(signed().into(), name(b"bench-coop"), members)
		.expect("valid cooperative");
	let cooperative_id = pallet_registry::NextCooperativeId::<T>::get() - 1;
	pallet_registry::Pallet::<T>::request_cooperative_membership(
		signed().into(),
		farm_id,
		cooperative_id,
	)
	.expect("request");
	pallet_registry::Pallet::<T>::approve_cooperative_membership(
		signed().into(),
		cooperative_id,
		farm_id,
	)
	.expect("approve");
	(owner, node_id)
}

/// `count` workloads with the longest names and the longest texts.
fn workloads<T: Config>(count: u32) -> Vec<Workload<T>> {
	workloads_with_texts::<T>(count, T::MaxTextLength::get())
}

/// A text of `length` bytes.
fn text_of<T: Config>(length: u32, fill: u8) -> TextOf<T> {
	BoundedVec::try_from(vec![fill; length as usize]).expect("within the maximum length")
}

/// `count` workloads with the longest names and texts of `text_length` bytes.
fn workloads_with_texts<T: Config>(count: u32, text_length: u32) -> Vec<Workload<T>> {
	let text = |fill: u8| text_of::<T>(text_length, fill);
	(0..count)
		.map(|i| {
			let mut name = vec![b'w'; T::MaxWorkloadNameLength::get() as usize];
			let digits = alloc::format!("{i}");
			name[..digits.len()].copy_from_slice(digits.as_bytes());
			Workload {
				name: BoundedVec::try_from(name).expect("max length"),
				kind: WorkloadKind::Volume { size: GIB },
				metadata: text(b'm'),
				description: text(b'd'),
			}
		})
		.collect()
}

/// Makes an agreement for `count` workloads on `node_id` by `owner`, funded for about
/// `hours` hours.
fn contract<T: Config>(
	owner: &T::AccountId,
	node_id: pallet_registry::NodeId,
	count: u32,
	hours: u32,
) -> ContractId {
	let workloads = workloads::<T>(count);
	let text = text_of::<T>(T::MaxTextLength::get(), b't');
	let signature = signature::<T>(owner, &workloads, &text, &text);
	let hourly = SmartContract::<T>::quote_cost_per_hour(
		node_id,
		workloads.iter().map(|w| w.kind).collect(),
	)
	.expect("quotable");
	SmartContract::<T>::create_node_contract(
		RawOrigin::Signed(owner.clone()).into(),
		node_id,
		workloads,
		text.clone(),
		text,
		DeploymentSignature { signature, style: SignatureStyle::PolkaWallet },
		hourly * hours.into(),
	)
	.expect("valid agreement");
	NextContractId::<T>::get() - 1
}

/// The owner's signature over the challenge of a deployment with these texts.
fn signature<T: Config>(
	owner: &T::AccountId,
	workloads: &[Workload<T>],
	metadata: &TextOf<T>,
	description: &TextOf<T>,
) -> [u8; 64] {
	let twin_id = pallet_registry::TwinIdByAccount::<T>::get(owner).expect("has a twin");
	let hash = SmartContract::<T>::deployment_hash(
		twin_id,
		workloads,
		metadata,
		description,
		SignatureStyle::PolkaWallet,
	)
	.expect("valid text");
	let message = zos_client::signed_message(&hash, zos_client::SignatureStyle::PolkaWallet);
	let public = sp_core::sr25519::Public::from_raw(owner.clone().into());
	let signature =
		sp_io::crypto::sr25519_sign(BENCH_KEY, &public, &message).expect("key in keystore");
	signature.0
}

fn deploy<T: Config>(contract_id: ContractId) {
	let operator =
		pallet_registry::Farms::<T>::get(Contracts::<T>::get(contract_id).expect("exists").farm_id)
			.expect("farm")
			.operator;
	SmartContract::<T>::report_deployment(
		RawOrigin::Signed(operator).into(),
		contract_id,
		DeploymentOutcome::Deployed,
	)
	.expect("deployable");
}

fn advance<T: Config>(blocks: u32) -> BlockNumberFor<T> {
	let now = frame_system::Pallet::<T>::block_number() + blocks.into();
	frame_system::Pallet::<T>::set_block_number(now);
	now
}

/// An agreement with the most workloads on a cooperative farm, funded for ten hours and
/// deployed an hour ago. Returns (owner, agreement id).
fn deployed_an_hour_ago<T: Config>() -> (T::AccountId, ContractId) {
	let (_, node_id) = cooperative_farm::<T>();
	let owner = user::<T>(0);
	let id = contract::<T>(&owner, node_id, T::MaxWorkloads::get(), 10);
	deploy::<T>(id);
	advance::<T>(T::BlocksPerHour::get());
	(owner, id)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// `w` workloads with the longest names, and `t` bytes of text (the deployment's metadata
	/// and description; every text byte costs the same wherever it is, so the call is charged
	/// for the texts it carries).
	#[benchmark]
	fn create_node_contract(
		w: Linear<1, { T::MaxWorkloads::get() }>,
		t: Linear<0, { 2 * T::MaxTextLength::get() }>,
	) {
		let (_, node_id) = cooperative_farm::<T>();
		let caller = user::<T>(0);
		let workloads = workloads_with_texts::<T>(w, 0);
		let metadata = text_of::<T>(t / 2, b'm');
		let description = text_of::<T>(t - t / 2, b'd');
		let signature = signature::<T>(&caller, &workloads, &metadata, &description);
		let deposit = SmartContract::<T>::quote_cost_per_hour(
			node_id,
			workloads.iter().map(|w| w.kind).collect(),
		)
		.unwrap();
		#[extrinsic_call]
		_(
			RawOrigin::Signed(caller),
			node_id,
			workloads,
			metadata,
			description,
			DeploymentSignature { signature, style: SignatureStyle::PolkaWallet },
			deposit,
		);
		assert!(Contracts::<T>::contains_key(1));
	}

	#[benchmark]
	fn top_up() {
		// Worst case: an agreement in its grace period that the top-up restores.
		let (_, node_id) = cooperative_farm::<T>();
		let caller = user::<T>(0);
		let id = contract::<T>(&caller, node_id, T::MaxWorkloads::get(), 1);
		deploy::<T>(id);
		advance::<T>(T::BlocksPerHour::get() + 10);
		SmartContract::<T>::settle(RawOrigin::Signed(caller.clone()).into(), id).unwrap();
		assert!(matches!(
			Contracts::<T>::get(id).unwrap().state,
			ContractState::GracePeriod { .. }
		));
		let amount = SmartContract::<T>::quote_cost_per_hour(
			node_id,
			workloads::<T>(T::MaxWorkloads::get()).iter().map(|w| w.kind).collect(),
		)
		.unwrap() * 10u32.into();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id, amount);
		assert_eq!(Contracts::<T>::get(id).unwrap().state, ContractState::Deployed);
	}

	#[benchmark]
	fn cancel_contract() {
		// Worst case: a deployed agreement that pays its cooperative and refunds.
		let (caller, id) = deployed_an_hour_ago::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id);
		assert!(matches!(Contracts::<T>::get(id).unwrap().state, ContractState::Cancelled { .. }));
	}

	#[benchmark]
	fn report_deployed() {
		// Worst case: a deployment whose check lands in an almost full index entry.
		let (_, node_id) = cooperative_farm::<T>();
		let caller = user::<T>(0);
		let id = contract::<T>(&caller, node_id, T::MaxWorkloads::get(), 10);
		let contract = Contracts::<T>::get(id).unwrap();
		let now = frame_system::Pallet::<T>::block_number();
		let escrow: u128 = contract.escrow.saturated_into();
		let blocks = contract.rate.blocks_until_cost_exceeds(escrow).unwrap();
		let at = now + (blocks as u32).into();
		let filler: Vec<ContractId> =
			(1_000_000..).take(T::MaxChecksPerBlock::get().saturating_sub(1) as usize).collect();
		Checks::<T>::insert(at, BoundedVec::try_from(filler).unwrap());
		let operator = pallet_registry::Farms::<T>::get(contract.farm_id).unwrap().operator;
		#[extrinsic_call]
		report_deployment(RawOrigin::Signed(operator), id, DeploymentOutcome::Deployed);
		assert_eq!(Contracts::<T>::get(id).unwrap().state, ContractState::Deployed);
	}

	#[benchmark]
	fn report_failed() {
		// The longest reason; the deposit is refunded and the capacity released.
		let (_, node_id) = cooperative_farm::<T>();
		let caller = user::<T>(0);
		let id = contract::<T>(&caller, node_id, T::MaxWorkloads::get(), 10);
		let operator = pallet_registry::Farms::<T>::get(Contracts::<T>::get(id).unwrap().farm_id)
			.unwrap()
			.operator;
		let reason = BoundedVec::try_from(vec![b'e'; T::MaxTextLength::get() as usize]).unwrap();
		#[extrinsic_call]
		report_deployment(RawOrigin::Signed(operator), id, DeploymentOutcome::Failed(reason));
		assert!(!Contracts::<T>::contains_key(id));
	}

	#[benchmark]
	fn report_deleted() {
		let (caller, id) = deployed_an_hour_ago::<T>();
		SmartContract::<T>::cancel_contract(RawOrigin::Signed(caller).into(), id).unwrap();
		let operator = pallet_registry::Farms::<T>::get(Contracts::<T>::get(id).unwrap().farm_id)
			.unwrap()
			.operator;
		#[extrinsic_call]
		report_deployment(RawOrigin::Signed(operator), id, DeploymentOutcome::Deleted);
		assert!(!Contracts::<T>::contains_key(id));
	}

	#[benchmark]
	fn settle() {
		let (caller, id) = deployed_an_hour_ago::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id);
		assert!(Contracts::<T>::get(id).unwrap().charged > 0);
	}

	#[benchmark]
	fn claim_earnings() {
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let amount: BalanceOf<T> = 1_000u32.into();
		fund::<T>(&SmartContract::<T>::account_id());
		UnclaimedEarnings::<T>::insert(&caller, amount);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));
		assert!(!UnclaimedEarnings::<T>::contains_key(&caller));
	}

	#[benchmark]
	fn on_initialize_checks(n: Linear<0, { T::MaxChecksPerBlock::get() }>) {
		// `n` agreements whose escrow runs out in the same block: each pays the cooperative and
		// enters its grace period.
		let (_, node_id) = cooperative_farm::<T>();
		let caller = user::<T>(0);
		let ids: Vec<_> = (0..n).map(|_| contract::<T>(&caller, node_id, 1, 1)).collect();
		for id in &ids {
			deploy::<T>(*id);
		}
		let at = ids.first().map(|id| Contracts::<T>::get(id).unwrap().next_check.unwrap());
		let at = at.unwrap_or_else(|| advance::<T>(1));
		Checks::<T>::insert(at, BoundedVec::try_from(ids.clone()).unwrap());
		for id in &ids {
			Contracts::<T>::mutate(id, |c| c.as_mut().unwrap().next_check = Some(at));
		}
		frame_system::Pallet::<T>::set_block_number(at);
		#[block]
		{
			SmartContract::<T>::run_checks(at);
		}
		for id in ids {
			assert!(matches!(
				Contracts::<T>::get(id).unwrap().state,
				ContractState::GracePeriod { .. }
			));
		}
	}

	#[benchmark]
	fn on_initialize_sweep(n: Linear<0, { T::SweepPerBlock::get() }>) {
		// `n` deployed agreements that the sweep settles, each paying the cooperative.
		let (_, node_id) = cooperative_farm::<T>();
		let caller = user::<T>(0);
		let ids: Vec<_> = (0..n).map(|_| contract::<T>(&caller, node_id, 1, 100)).collect();
		for id in &ids {
			deploy::<T>(*id);
		}
		advance::<T>(T::BlocksPerHour::get());
		SweepCursor::<T>::kill();
		#[block]
		{
			SmartContract::<T>::sweep();
		}
		for id in ids {
			assert!(Contracts::<T>::get(id).unwrap().charged > 0);
		}
	}

	impl_benchmark_test_suite!(SmartContract, crate::mock::new_test_ext(), crate::mock::Test);
}
