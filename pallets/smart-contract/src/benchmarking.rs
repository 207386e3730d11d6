//! Benchmarks of the calls and hooks, each in its worst case: the most workloads with the
//! longest names and texts, a farm paying its cooperative's account, and block hooks that
//! touch distinct owners, farms and twins and list agreements in new pages.

use super::*;
use crate::Pallet as SmartContract;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, Get},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use gridchain_primitives::grid::{FarmId, GridRegistry, NodeId, PricingPolicy, Resources, GIB};
use sp_core::crypto::KeyTypeId;
use sp_runtime::{traits::Bounded, AccountId32};

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
	T::Registry::benchmark_twin(&account);
	account
}

fn fund<T: Config>(account: &T::AccountId) {
	let plenty = BalanceOf::<T>::max_value() / 1_000_000u32.into();
	<T as Config>::Currency::set_balance(account, plenty);
}

/// A farm of its own owner `seed`, in a cooperative (the costliest payee: a payment and its
/// record), served by an operator, with a node with room for everything. Returns the node.
fn cooperative_node<T: Config>(seed: u32) -> NodeId {
	let owner: T::AccountId = account("farmer", seed, 0);
	fund::<T>(&owner);
	let price: BalanceOf<T> = 1_000_000u32.into();
	let pricing = PricingPolicy {
		cru_per_core_hour: price,
		mru_per_gib_hour: price,
		sru_per_gib_hour: price,
		hru_per_gib_hour: price,
	};
	let capacity = Resources { cru: 1024, mru: 1 << 50, sru: 1 << 60, hru: 1 << 60 };
	let node_id = T::Registry::benchmark_node(&owner, &operator::<T>(), pricing, capacity);
	let farm_id = T::Registry::node(node_id).expect("just made").farm_id;
	T::Registry::benchmark_cooperative(farm_id, &owner);
	node_id
}

fn operator<T: Config>() -> T::AccountId {
	account("operator", 0, 0)
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

/// Makes an agreement for `count` workloads (with the longest texts when `long`) on
/// `node_id` by `owner`, funded for `hours` hours.
fn contract<T: Config>(
	owner: &T::AccountId,
	node_id: NodeId,
	count: u32,
	long: bool,
	hours: u32,
) -> ContractId {
	let length = if long { T::MaxTextLength::get() } else { 0 };
	let workloads = workloads_with_texts::<T>(count, length);
	let text = text_of::<T>(length, b't');
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
	let twin_id = T::Registry::twin_of(owner).expect("has a twin");
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

fn report<T: Config>(contract_id: ContractId, outcome: DeploymentOutcome<FailureReasonOf<T>>) {
	SmartContract::<T>::report_deployment(
		RawOrigin::Signed(operator::<T>()).into(),
		contract_id,
		outcome,
	)
	.expect("a valid report");
}

fn advance<T: Config>(blocks: u32) -> BlockNumberFor<T> {
	let now = frame_system::Pallet::<T>::block_number() + blocks.into();
	frame_system::Pallet::<T>::set_block_number(now);
	// The hooks of the blocks passed have run.
	CheckCursor::<T>::put(now + 1u32.into());
	now
}

/// An agreement with the most workloads and the longest texts on a cooperative farm, funded
/// for ten hours and deployed an hour ago. Returns (owner, agreement id).
fn deployed_an_hour_ago<T: Config>() -> (T::AccountId, ContractId) {
	let node_id = cooperative_node::<T>(0);
	let owner = user::<T>(0);
	let id = contract::<T>(&owner, node_id, T::MaxWorkloads::get(), true, 10);
	report::<T>(id, DeploymentOutcome::Deployed);
	advance::<T>(T::BlocksPerHour::get());
	(owner, id)
}

/// Lists `count` filler ids in block `at`, filling all its pages but the last's last slot, so
/// the next agreement listed there is written into the fullest page.
fn nearly_full_page<T: Config>(at: BlockNumberFor<T>) {
	let size = T::CheckPageSize::get();
	let filler: Vec<ContractId> = (1_000_000..).take(size.saturating_sub(1) as usize).collect();
	CheckPages::<T>::insert(at, 0, BoundedVec::try_from(filler).expect("one less than a page"));
	CheckPageCount::<T>::insert(at, 1);
}

/// Agreements for the hook benchmarks: `n` of them funded for an hour, each by its own owner
/// on its own farm, deployed or not.
fn distinct_agreements<T: Config>(n: u32, deployed: bool) -> Vec<ContractId> {
	(0..n)
		.map(|i| {
			let node_id = cooperative_node::<T>(i + 1);
			let owner = user::<T>(i + 1);
			let id = contract::<T>(&owner, node_id, 1, false, 1);
			if deployed {
				report::<T>(id, DeploymentOutcome::Deployed);
			}
			id
		})
		.collect()
}

/// Runs the checks of the block all of `ids` are listed at.
fn run_checks_of<T: Config>(ids: &[ContractId]) -> BlockNumberFor<T> {
	let at = ids
		.first()
		.and_then(|id| Contracts::<T>::get(id)?.next_check)
		.map(|slot| slot.at)
		.unwrap_or_else(|| frame_system::Pallet::<T>::block_number() + 1u32.into());
	frame_system::Pallet::<T>::set_block_number(at);
	CheckCursor::<T>::put(at);
	at
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
		let node_id = cooperative_node::<T>(0);
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
		// Its expiry check goes into the fullest page of its block.
		let now = frame_system::Pallet::<T>::block_number();
		nearly_full_page::<T>(now + T::DeploymentTimeout::get());
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
		let node_id = cooperative_node::<T>(0);
		let caller = user::<T>(0);
		let id = contract::<T>(&caller, node_id, T::MaxWorkloads::get(), true, 1);
		report::<T>(id, DeploymentOutcome::Deployed);
		advance::<T>(T::BlocksPerHour::get() + 10);
		SmartContract::<T>::settle(RawOrigin::Signed(caller.clone()).into(), id).unwrap();
		assert!(matches!(
			Contracts::<T>::get(id).unwrap().state,
			ContractState::GracePeriod { .. }
		));
		let hourly = SmartContract::<T>::escrow_view(id).unwrap().cost_per_hour;
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id, hourly * 10u32.into());
		assert_eq!(Contracts::<T>::get(id).unwrap().state, ContractState::Deployed);
	}

	#[benchmark]
	fn cancel_contract() {
		// Worst case: a deployed agreement that leaves its farm's rate and refunds.
		let (caller, id) = deployed_an_hour_ago::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id);
		assert!(matches!(Contracts::<T>::get(id).unwrap().state, ContractState::Cancelled { .. }));
	}

	#[benchmark]
	fn report_deployed() {
		// Worst case: its depletion check lands in the fullest page of its block.
		let node_id = cooperative_node::<T>(0);
		let caller = user::<T>(0);
		let id = contract::<T>(&caller, node_id, T::MaxWorkloads::get(), true, 10);
		let contract = Contracts::<T>::get(id).unwrap();
		let now = frame_system::Pallet::<T>::block_number();
		let runs_out = SmartContract::<T>::runs_out_at(&Contract { since: now, ..contract });
		nearly_full_page::<T>(runs_out);
		#[extrinsic_call]
		report_deployment(RawOrigin::Signed(operator::<T>()), id, DeploymentOutcome::Deployed);
		assert_eq!(Contracts::<T>::get(id).unwrap().state, ContractState::Deployed);
	}

	#[benchmark]
	fn report_failed() {
		// The longest reason; the deposit is refunded, the capacity and deposit released.
		let node_id = cooperative_node::<T>(0);
		let caller = user::<T>(0);
		let id = contract::<T>(&caller, node_id, T::MaxWorkloads::get(), true, 10);
		let reason = BoundedVec::try_from(vec![b'e'; T::MaxTextLength::get() as usize]).unwrap();
		#[extrinsic_call]
		report_deployment(
			RawOrigin::Signed(operator::<T>()),
			id,
			DeploymentOutcome::Failed(reason),
		);
		assert!(!Contracts::<T>::contains_key(id));
	}

	#[benchmark]
	fn report_deleted() {
		let (caller, id) = deployed_an_hour_ago::<T>();
		SmartContract::<T>::cancel_contract(RawOrigin::Signed(caller).into(), id).unwrap();
		#[extrinsic_call]
		report_deployment(RawOrigin::Signed(operator::<T>()), id, DeploymentOutcome::Deleted);
		assert!(!Contracts::<T>::contains_key(id));
	}

	#[benchmark]
	fn report_paused() {
		let node_id = cooperative_node::<T>(0);
		let caller = user::<T>(0);
		let id = contract::<T>(&caller, node_id, T::MaxWorkloads::get(), true, 1);
		report::<T>(id, DeploymentOutcome::Deployed);
		advance::<T>(T::BlocksPerHour::get() + 10);
		SmartContract::<T>::settle(RawOrigin::Signed(caller).into(), id).unwrap();
		#[extrinsic_call]
		report_deployment(RawOrigin::Signed(operator::<T>()), id, DeploymentOutcome::Paused);
		assert_eq!(PendingActions::<T>::get(Contracts::<T>::get(id).unwrap().farm_id, id), None);
	}

	#[benchmark]
	fn settle() {
		// Worst case: the escrow ran out: the agreement enters grace.
		let node_id = cooperative_node::<T>(0);
		let caller = user::<T>(0);
		let id = contract::<T>(&caller, node_id, T::MaxWorkloads::get(), true, 1);
		report::<T>(id, DeploymentOutcome::Deployed);
		advance::<T>(T::BlocksPerHour::get() + 10);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id);
		assert!(matches!(
			Contracts::<T>::get(id).unwrap().state,
			ContractState::GracePeriod { .. }
		));
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

	/// A farm paying its cooperative with `a` deployed agreements: the payout's work must not
	/// depend on `a`. The chain holds 100,000 agreements whatever `a` (the rest on another
	/// farm), so what is compared is the farm's number of agreements, not the size of the
	/// whole state (which every call's database weights already account for).
	#[benchmark]
	fn pay_farm(a: Linear<1, { billing::PAYOUT_BENCHMARKED_AGREEMENTS }>) {
		let (_, id) = deployed_an_hour_ago::<T>();
		let template = Contracts::<T>::get(id).unwrap();
		let farm_id: FarmId = template.farm_id;
		for other in 1..billing::PAYOUT_BENCHMARKED_AGREEMENTS {
			let contract_id = 10_000_000 + u64::from(other);
			let farm_id = if other < a { farm_id } else { farm_id.saturating_add(1) };
			Contracts::<T>::insert(
				contract_id,
				Contract { farm_id, next_check: None, ..template.clone() },
			);
		}
		FarmLedgers::<T>::mutate(farm_id, |ledger| {
			ledger.rate = ledger.rate.saturating_mul(a.into())
		});
		fund::<T>(&SmartContract::<T>::account_id());
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), farm_id);
		assert_eq!(SmartContract::<T>::farm_earnings(farm_id), 0u32.into());
	}

	#[benchmark]
	fn pay_debt() {
		let node_id = cooperative_node::<T>(0);
		let caller = user::<T>(0);
		let id = contract::<T>(&caller, node_id, 1, false, 1);
		report::<T>(id, DeploymentOutcome::Deployed);
		advance::<T>(T::BlocksPerHour::get() + 10);
		SmartContract::<T>::cancel_contract(RawOrigin::Signed(caller.clone()).into(), id).unwrap();
		let twin_id = T::Registry::twin_of(&caller).unwrap();
		let farm_id = Contracts::<T>::get(id).unwrap().farm_id;
		assert!(TwinDebts::<T>::contains_key(twin_id, farm_id));
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), farm_id);
		assert!(!TwinDebts::<T>::contains_key(twin_id, farm_id));
	}

	/// `n` agreements of distinct owners on distinct farms whose escrow runs out in the same
	/// block: each leaves its farm's rate and is listed in a new page at its grace end.
	#[benchmark]
	fn on_initialize_runouts(
		n: Linear<0, { T::CheckPageSize::get() * T::CheckPagesPerBlock::get() }>,
	) {
		let ids = distinct_agreements::<T>(n, true);
		let at = run_checks_of::<T>(&ids);
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

	/// `n` agreements of distinct twins whose grace period ends in the same block: each debt
	/// is recorded against its twin.
	#[benchmark]
	fn on_initialize_grace_ends(
		n: Linear<0, { T::CheckPageSize::get() * T::CheckPagesPerBlock::get() }>,
	) {
		let ids = distinct_agreements::<T>(n, true);
		let runs_out = run_checks_of::<T>(&ids);
		SmartContract::<T>::run_checks(runs_out);
		let at = run_checks_of::<T>(&ids);
		#[block]
		{
			SmartContract::<T>::run_checks(at);
		}
		for id in ids {
			assert!(matches!(
				Contracts::<T>::get(id).unwrap().state,
				ContractState::Cancelled { .. }
			));
		}
	}

	/// `n` agreements of distinct owners never deployed: each is refunded.
	#[benchmark]
	fn on_initialize_expiries(
		n: Linear<0, { T::CheckPageSize::get() * T::CheckPagesPerBlock::get() }>,
	) {
		let ids = distinct_agreements::<T>(n, false);
		let at = run_checks_of::<T>(&ids);
		#[block]
		{
			SmartContract::<T>::run_checks(at);
		}
		for id in ids {
			assert!(matches!(
				Contracts::<T>::get(id).unwrap().state,
				ContractState::Cancelled { cause: CancelCause::NotDeployed }
			));
		}
	}

	/// A hook that steps over `p` blocks without checks (catching up).
	#[benchmark]
	fn on_initialize_pages(p: Linear<1, { schedule::MAX_EMPTY_BLOCKS_PER_HOOK }>) {
		let now = frame_system::Pallet::<T>::block_number() + p.into();
		frame_system::Pallet::<T>::set_block_number(now);
		CheckCursor::<T>::put(now + 1u32.into() - p.into());
		#[block]
		{
			SmartContract::<T>::run_checks(now);
		}
		assert!(SmartContract::<T>::checks_up_to_date(now));
	}

	impl_benchmark_test_suite!(SmartContract, crate::mock::new_test_ext(), crate::mock::Test);
}
