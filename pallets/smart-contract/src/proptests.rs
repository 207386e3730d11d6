//! Random call sequences: long runs of every call of the registry and the agreements pallet,
//! by random callers (owners and strangers), with random amounts (0 and the largest among
//! them), random block advances across grace periods and deployment timeouts, and deployment
//! reports of every outcome. After every step: nothing panicked, both pallets' invariants hold,
//! and the total issuance is unchanged.
//!
//! The test command runs a short version; `GRIDCHAIN_PROPTEST_CASES=N` runs more sequences
//! (docs/agreements.md gives a longer run's figures).

use crate::{mock::*, tests::check_invariants, *};
use frame_support::{dispatch::RawOrigin, traits::UnfilteredDispatchable, BoundedVec};
use gridchain_primitives::grid::PricingPolicy;
use pallet_registry::Member;
use proptest::prelude::*;
use sp_runtime::Perbill;

/// One step of a sequence.
#[derive(Clone, Debug)]
enum Step {
	Create { who: u8, gib: u8, deposit: u8, style: bool },
	TopUp { who: u8, id: u8, amount: u8 },
	Cancel { who: u8, id: u8 },
	Report { who: u8, id: u8, outcome: u8 },
	Settle { id: u8 },
	PayFarm { farm: u8 },
	PayDebt { who: u8, farm: u8 },
	ClaimEarnings { who: u8 },
	Advance { blocks: u16 },
	SetPricing { price: u8 },
	JoinCooperative,
	LeaveCooperative { who: u8 },
	SetMembers { split: u8 },
	ClaimCooperative { who: u8 },
	OfferOperator { who: u8, to: u8 },
	AcceptOperator { who: u8 },
	ResignOperator { who: u8 },
}

/// The accounts that act: Alice, Charlie and Dave (users), Bob (the farm owner), Ferdie (the
/// operator), and Eve (a stranger with no twin).
fn account(index: u8) -> AccountId {
	match index % 6 {
		0 => alice(),
		1 => charlie(),
		2 => dave(),
		3 => bob(),
		4 => operator(),
		_ => sp_keyring::Sr25519Keyring::Eve.to_account_id(),
	}
}

/// Amounts, including zero and the largest a balance holds.
fn amount(choice: u8) -> Balance {
	match choice % 8 {
		0 => 0,
		1 => 1,
		2 => TFT / 100,
		3 => TFT,
		4 => 10 * TFT,
		5 => 200 * TFT,
		6 => ENDOWMENT,
		_ => Balance::MAX,
	}
}

fn step_strategy() -> impl Strategy<Value = Step> {
	prop_oneof![
		4 => (any::<u8>(), 1u8..20, any::<u8>(), any::<bool>())
			.prop_map(|(who, gib, deposit, style)| Step::Create { who, gib, deposit, style }),
		2 => (any::<u8>(), any::<u8>(), any::<u8>())
			.prop_map(|(who, id, amount)| Step::TopUp { who, id, amount }),
		2 => (any::<u8>(), any::<u8>()).prop_map(|(who, id)| Step::Cancel { who, id }),
		4 => (any::<u8>(), any::<u8>(), any::<u8>())
			.prop_map(|(who, id, outcome)| Step::Report { who, id, outcome }),
		1 => any::<u8>().prop_map(|id| Step::Settle { id }),
		2 => any::<u8>().prop_map(|farm| Step::PayFarm { farm }),
		1 => (any::<u8>(), any::<u8>()).prop_map(|(who, farm)| Step::PayDebt { who, farm }),
		1 => any::<u8>().prop_map(|who| Step::ClaimEarnings { who }),
		4 => prop_oneof![1u16..20, 100u16..800, 1_000u16..2_500]
			.prop_map(|blocks| Step::Advance { blocks }),
		1 => any::<u8>().prop_map(|price| Step::SetPricing { price }),
		1 => Just(Step::JoinCooperative),
		1 => any::<u8>().prop_map(|who| Step::LeaveCooperative { who }),
		1 => any::<u8>().prop_map(|split| Step::SetMembers { split }),
		1 => any::<u8>().prop_map(|who| Step::ClaimCooperative { who }),
		1 => (any::<u8>(), any::<u8>()).prop_map(|(who, to)| Step::OfferOperator { who, to }),
		1 => any::<u8>().prop_map(|who| Step::AcceptOperator { who }),
		1 => any::<u8>().prop_map(|who| Step::ResignOperator { who }),
	]
}

/// An agreement id among those made (or one past them).
fn contract_id(choice: u8) -> ContractId {
	let next = NextContractId::<Test>::get();
	1 + u64::from(choice) % next
}

/// Dispatches `call` from `who` as the chain does: a failed call changes nothing.
fn dispatch(who: &AccountId, call: RuntimeCall) {
	let _ = call.dispatch_bypass_filter(RawOrigin::Signed(who.clone()).into());
}

fn apply(step: &Step) {
	use pallet_registry::Call as RegistryCall;
	match step.clone() {
		Step::Create { who, gib, deposit, style } => {
			let who = account(who);
			let twin_id = pallet_registry::TwinIdByAccount::<Test>::get(&who).unwrap_or(0);
			let style = if style { SignatureStyle::PolkaWallet } else { SignatureStyle::Raw };
			let workloads = vec![volume("vol", u64::from(gib))];
			let signature = match sp_keyring::Sr25519Keyring::from_account_id(&who) {
				Some(_) if twin_id > 0 => sign(&who, twin_id, &workloads, style),
				_ => [0; 64],
			};
			dispatch(
				&who,
				RuntimeCall::SmartContract(Call::create_node_contract {
					node_id: 1,
					workloads,
					metadata: text("deployment-meta"),
					description: text("deployment-desc"),
					signature: DeploymentSignature { signature, style },
					deposit: amount(deposit),
				}),
			);
		},
		Step::TopUp { who, id, amount: choice } => dispatch(
			&account(who),
			RuntimeCall::SmartContract(Call::top_up {
				contract_id: contract_id(id),
				amount: amount(choice),
			}),
		),
		Step::Cancel { who, id } => dispatch(
			&account(who),
			RuntimeCall::SmartContract(Call::cancel_contract { contract_id: contract_id(id) }),
		),
		Step::Report { who, id, outcome } => {
			// Mostly the operator, sometimes a stranger.
			let who = if who % 4 == 0 { account(who / 4) } else { operator() };
			let outcome = match outcome % 5 {
				0 => DeploymentOutcome::Deployed,
				1 => DeploymentOutcome::Failed(text("no")),
				2 => DeploymentOutcome::Deleted,
				3 => DeploymentOutcome::Paused,
				_ => DeploymentOutcome::Resumed,
			};
			dispatch(
				&who,
				RuntimeCall::SmartContract(Call::report_deployment {
					contract_id: contract_id(id),
					outcome,
				}),
			);
		},
		Step::Settle { id } => dispatch(
			&charlie(),
			RuntimeCall::SmartContract(Call::settle { contract_id: contract_id(id) }),
		),
		Step::PayFarm { farm } => dispatch(
			&dave(),
			RuntimeCall::SmartContract(Call::pay_farm { farm_id: u32::from(farm % 3) }),
		),
		Step::PayDebt { who, farm } => dispatch(
			&account(who),
			RuntimeCall::SmartContract(Call::pay_debt { farm_id: u32::from(farm % 3) }),
		),
		Step::ClaimEarnings { who } => {
			dispatch(&account(who), RuntimeCall::SmartContract(Call::claim_earnings {}))
		},
		Step::Advance { blocks } => run_to_block(System::block_number() + u64::from(blocks)),
		Step::SetPricing { price } => {
			let price = amount(price).min(1_000 * TFT);
			dispatch(
				&bob(),
				RuntimeCall::Registry(RegistryCall::set_pricing_policy {
					farm_id: 1,
					pricing: PricingPolicy {
						cru_per_core_hour: price,
						mru_per_gib_hour: price,
						sru_per_gib_hour: price,
						hru_per_gib_hour: price,
					},
				}),
			);
		},
		Step::JoinCooperative => {
			dispatch(
				&bob(),
				RuntimeCall::Registry(RegistryCall::request_cooperative_membership {
					farm_id: 1,
					cooperative_id: 1,
				}),
			);
			dispatch(
				&charlie(),
				RuntimeCall::Registry(RegistryCall::approve_cooperative_membership {
					cooperative_id: 1,
					farm_id: 1,
				}),
			);
		},
		Step::LeaveCooperative { who } => dispatch(
			&account(who),
			RuntimeCall::Registry(RegistryCall::leave_cooperative { farm_id: 1 }),
		),
		Step::SetMembers { split } => {
			let first = Perbill::from_percent(u32::from(split % 101));
			let members = vec![
				Member { account: charlie(), share: first },
				Member { account: dave(), share: Perbill::one() - first },
			];
			dispatch(
				&charlie(),
				RuntimeCall::Registry(RegistryCall::set_cooperative_members {
					cooperative_id: 1,
					members,
				}),
			);
		},
		Step::ClaimCooperative { who } => dispatch(
			&account(who),
			RuntimeCall::Registry(RegistryCall::claim_cooperative_earnings { cooperative_id: 1 }),
		),
		Step::OfferOperator { who, to } => dispatch(
			&account(who),
			RuntimeCall::Registry(RegistryCall::set_farm_operator {
				farm_id: 1,
				operator: account(to),
			}),
		),
		Step::AcceptOperator { who } => dispatch(
			&account(who),
			RuntimeCall::Registry(RegistryCall::accept_farm_operator { farm_id: 1 }),
		),
		Step::ResignOperator { who } => dispatch(
			&account(who),
			RuntimeCall::Registry(RegistryCall::resign_farm_operator { farm_id: 1 }),
		),
	}
}

/// Charlie's and Dave's twins, and Charlie's cooperative of Charlie and Dave.
fn setup() {
	use pallet_registry::Pallet as Reg;
	Reg::<Test>::register_twin(RuntimeOrigin::signed(charlie())).unwrap();
	Reg::<Test>::register_twin(RuntimeOrigin::signed(dave())).unwrap();
	Reg::<Test>::create_cooperative(
		RuntimeOrigin::signed(charlie()),
		BoundedVec::try_from(b"coop".to_vec()).unwrap(),
		vec![
			Member { account: charlie(), share: Perbill::from_percent(50) },
			Member { account: dave(), share: Perbill::from_percent(50) },
		],
	)
	.unwrap();
}

fn cases() -> u32 {
	std::env::var("GRIDCHAIN_PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(12)
}

proptest! {
	#![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

	#[test]
	fn random_call_sequences_keep_every_invariant(
		steps in prop::collection::vec(step_strategy(), 1..80)
	) {
		new_test_ext().execute_with(|| {
			setup();
			let issuance = Balances::total_issuance();
			for step in &steps {
				apply(step);
				check_invariants();
				assert_eq!(Balances::total_issuance(), issuance, "after {step:?}");
			}
			// Then a long quiet stretch: grace periods and deployment waits end by themselves.
			run_to_block(System::block_number() + 30_000);
			check_invariants();
			assert_eq!(Balances::total_issuance(), issuance);
		});
	}
}
