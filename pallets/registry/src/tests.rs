//! Unit tests: every call, every error.

use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, Mutate},
	BoundedVec,
};
use gridchain_primitives::grid::{GridRegistry, Payee};
use sp_runtime::{DispatchError, Perbill, TokenError};

type Origin = <Test as frame_system::Config>::RuntimeOrigin;

fn name(text: &str) -> NameOf<Test> {
	BoundedVec::try_from(text.as_bytes().to_vec()).unwrap()
}

/// A node's key (its ZOS identity).
const NODE_KEY: NodeKey = [7; 32];

fn endpoint(text: &str) -> EndpointOf<Test> {
	BoundedVec::try_from(text.as_bytes().to_vec()).unwrap()
}

fn pricing(unit: u64) -> PricingPolicy<u64> {
	PricingPolicy {
		cru_per_core_hour: unit,
		mru_per_gib_hour: 2 * unit,
		sru_per_gib_hour: 3 * unit,
		hru_per_gib_hour: 4 * unit,
	}
}

fn capacity(sru_gib: u64) -> Resources {
	Resources { cru: 8, mru: 16 * GIB, sru: sru_gib * GIB, hru: 0 }
}

fn member(account: u64, percent: u32) -> Member<u64> {
	Member { account, share: Perbill::from_percent(percent) }
}

fn last_event() -> Event<Test> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Registry(event) => Some(event),
			_ => None,
		})
		.next_back()
		.expect("a registry event")
}

/// Alice: twin 1 with farm 1 ("alice-farm", operator OPERATOR, who accepted) and node 1
/// (100 GiB SSD).
fn alice_with_farm_and_node() {
	assert_ok!(Registry::register_twin(Origin::signed(ALICE)));
	assert_ok!(Registry::create_farm(
		Origin::signed(ALICE),
		name("alice-farm"),
		pricing(10),
		OPERATOR
	));
	assert_ok!(Registry::accept_farm_operator(Origin::signed(OPERATOR), 1));
	assert_ok!(Registry::register_node(
		Origin::signed(ALICE),
		1,
		capacity(100),
		endpoint("http://127.0.0.1:8080"),
		NODE_KEY
	));
}

#[test]
fn register_twin_gives_sequential_ids_and_one_per_account() {
	new_test_ext().execute_with(|| {
		assert_ok!(Registry::register_twin(Origin::signed(ALICE)));
		assert_eq!(last_event(), Event::TwinRegistered { twin_id: 1, account: ALICE });
		assert_ok!(Registry::register_twin(Origin::signed(BOB)));
		assert_eq!(Twins::<Test>::get(2), Some(Twin { account: BOB, deposit: 0 }));
		assert_eq!(TwinIdByAccount::<Test>::get(BOB), Some(2));
		assert_noop!(
			Registry::register_twin(Origin::signed(ALICE)),
			Error::<Test>::TwinAlreadyRegistered
		);
	});
}

#[test]
fn register_twin_refuses_unsigned_origins() {
	new_test_ext().execute_with(|| {
		assert_noop!(Registry::register_twin(Origin::root()), DispatchError::BadOrigin);
		assert_noop!(Registry::register_twin(Origin::none()), DispatchError::BadOrigin);
	});
}

#[test]
fn ids_are_never_reused_and_exhaustion_is_an_error() {
	new_test_ext().execute_with(|| {
		NextTwinId::<Test>::put(u32::MAX);
		assert_noop!(Registry::register_twin(Origin::signed(ALICE)), Error::<Test>::IdsExhausted);
	});
}

#[test]
fn create_farm_records_owner_pricing_and_operator() {
	new_test_ext().execute_with(|| {
		assert_ok!(Registry::register_twin(Origin::signed(ALICE)));
		assert_ok!(Registry::create_farm(Origin::signed(ALICE), name("f1"), pricing(7), OPERATOR));
		let farm = Farms::<Test>::get(1).unwrap();
		assert_eq!(farm.owner, 1);
		assert_eq!(farm.pricing, pricing(7));
		// Another account is only offered the role: it serves once it accepts.
		assert_eq!(farm.operator, None);
		assert_eq!(OperatorOffers::<Test>::get(1), Some(OPERATOR));
		assert_eq!(farm.cooperative, None);
		assert_eq!(FarmIdByName::<Test>::get(name("f1")), Some(1));
		assert!(System::events().iter().any(|r| r.event
			== RuntimeEvent::Registry(Event::FarmCreated {
				farm_id: 1,
				owner: 1,
				name: name("f1")
			})));
		assert!(System::events().iter().any(|r| r.event
			== RuntimeEvent::Registry(Event::PricingPolicySet {
				farm_id: 1,
				pricing: pricing(7)
			})));
		assert_eq!(last_event(), Event::FarmOperatorOffered { farm_id: 1, operator: OPERATOR });
		assert!(!FarmsByOperator::<Test>::contains_key(OPERATOR, 1));
		assert_ok!(Registry::accept_farm_operator(Origin::signed(OPERATOR), 1));
		assert_eq!(Farms::<Test>::get(1).unwrap().operator, Some(OPERATOR));
		assert_eq!(last_event(), Event::FarmOperatorSet { farm_id: 1, operator: OPERATOR });
		assert!(FarmsByOperator::<Test>::contains_key(OPERATOR, 1));
		// The owner's own account serves at once.
		assert_ok!(Registry::create_farm(Origin::signed(ALICE), name("f2"), pricing(7), ALICE));
		assert_eq!(Farms::<Test>::get(2).unwrap().operator, Some(ALICE));
	});
}

#[test]
fn create_farm_errors() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Registry::create_farm(Origin::signed(ALICE), name("f1"), pricing(1), OPERATOR),
			Error::<Test>::NoTwin
		);
		assert_ok!(Registry::register_twin(Origin::signed(ALICE)));
		for bad in ["", "has space", "slash/", "ünïcode"] {
			assert_noop!(
				Registry::create_farm(Origin::signed(ALICE), name(bad), pricing(1), OPERATOR),
				Error::<Test>::InvalidName
			);
		}
		assert_ok!(Registry::create_farm(
			Origin::signed(ALICE),
			name("f-1.a_b"),
			pricing(1),
			OPERATOR
		));
		assert_ok!(Registry::register_twin(Origin::signed(BOB)));
		assert_noop!(
			Registry::create_farm(Origin::signed(BOB), name("f-1.a_b"), pricing(1), OPERATOR),
			Error::<Test>::FarmNameTaken
		);
	});
}

#[test]
fn only_the_owner_sets_pricing_and_operator() {
	new_test_ext().execute_with(|| {
		alice_with_farm_and_node();
		assert_ok!(Registry::register_twin(Origin::signed(BOB)));
		assert_noop!(
			Registry::set_pricing_policy(Origin::signed(BOB), 1, pricing(99)),
			Error::<Test>::NotFarmOwner
		);
		assert_noop!(
			Registry::set_pricing_policy(Origin::signed(ALICE), 7, pricing(99)),
			Error::<Test>::FarmNotFound
		);
		assert_ok!(Registry::set_pricing_policy(Origin::signed(ALICE), 1, pricing(99)));
		assert_eq!(Farms::<Test>::get(1).unwrap().pricing, pricing(99));
		assert_eq!(last_event(), Event::PricingPolicySet { farm_id: 1, pricing: pricing(99) });

		assert_noop!(
			Registry::set_farm_operator(Origin::signed(BOB), 1, BOB),
			Error::<Test>::NotFarmOwner
		);
		assert_noop!(
			Registry::set_farm_operator(Origin::signed(CHARLIE), 1, BOB),
			Error::<Test>::NotFarmOwner
		);
		assert!(FarmsByOperator::<Test>::contains_key(OPERATOR, 1));
		assert_ok!(Registry::set_farm_operator(Origin::signed(ALICE), 1, CHARLIE));
		// Offered: the old operator serves until Charlie accepts.
		assert_eq!(Farms::<Test>::get(1).unwrap().operator, Some(OPERATOR));
		assert_eq!(last_event(), Event::FarmOperatorOffered { farm_id: 1, operator: CHARLIE });
		assert_noop!(
			Registry::accept_farm_operator(Origin::signed(BOB), 1),
			Error::<Test>::NoOperatorOffer
		);
		assert_ok!(Registry::accept_farm_operator(Origin::signed(CHARLIE), 1));
		assert_eq!(Farms::<Test>::get(1).unwrap().operator, Some(CHARLIE));
		assert_eq!(last_event(), Event::FarmOperatorSet { farm_id: 1, operator: CHARLIE });
		// The new operator's off-chain worker finds the farm; the old one's no longer does.
		assert!(FarmsByOperator::<Test>::contains_key(CHARLIE, 1));
		assert!(!FarmsByOperator::<Test>::contains_key(OPERATOR, 1));
		// An offer is used once.
		assert_noop!(
			Registry::accept_farm_operator(Origin::signed(CHARLIE), 1),
			Error::<Test>::NoOperatorOffer
		);
		// Only the operator resigns; then nobody serves the farm.
		assert_noop!(
			Registry::resign_farm_operator(Origin::signed(ALICE), 1),
			Error::<Test>::NotFarmOperator
		);
		assert_ok!(Registry::resign_farm_operator(Origin::signed(CHARLIE), 1));
		assert_eq!(last_event(), Event::FarmOperatorResigned { farm_id: 1, operator: CHARLIE });
		assert_eq!(Farms::<Test>::get(1).unwrap().operator, None);
		assert!(!FarmsByOperator::<Test>::contains_key(CHARLIE, 1));
		assert_ok!(Registry::do_try_state());
	});
}

#[test]
fn only_the_farm_owner_registers_nodes() {
	new_test_ext().execute_with(|| {
		alice_with_farm_and_node();
		assert_eq!(
			last_event(),
			Event::NodeRegistered { node_id: 1, farm_id: 1, capacity: capacity(100) }
		);
		let node = Nodes::<Test>::get(1).unwrap();
		assert_eq!(node.farm_id, 1);
		assert_eq!(node.reserved, Resources::default());
		assert_eq!(node.live_agreements, 0);

		assert_ok!(Registry::register_twin(Origin::signed(BOB)));
		assert_noop!(
			Registry::register_node(
				Origin::signed(BOB),
				1,
				capacity(1),
				endpoint("http://x"),
				NODE_KEY
			),
			Error::<Test>::NotFarmOwner
		);
		assert_noop!(
			Registry::register_node(
				Origin::signed(ALICE),
				2,
				capacity(1),
				endpoint("http://x"),
				NODE_KEY
			),
			Error::<Test>::FarmNotFound
		);
		for bad in ["", "ftp://x", "http://", "http://a b", "127.0.0.1:80"] {
			assert_noop!(
				Registry::register_node(
					Origin::signed(ALICE),
					1,
					capacity(1),
					endpoint(bad),
					NODE_KEY
				),
				Error::<Test>::InvalidEndpoint
			);
		}
	});
}

#[test]
fn capacity_can_only_go_down_to_what_is_reserved() {
	new_test_ext().execute_with(|| {
		alice_with_farm_and_node();
		let volume = Resources { sru: 60 * GIB, ..Default::default() };
		assert_ok!(Registry::reserve_capacity(1, &volume));
		assert_noop!(
			Registry::set_node_capacity(Origin::signed(ALICE), 1, capacity(59)),
			Error::<Test>::CapacityBelowReserved
		);
		assert_ok!(Registry::set_node_capacity(Origin::signed(ALICE), 1, capacity(60)));
		assert_eq!(last_event(), Event::NodeCapacitySet { node_id: 1, capacity: capacity(60) });
		assert_eq!(Nodes::<Test>::get(1).unwrap().free_capacity().sru, 0);

		assert_ok!(Registry::register_twin(Origin::signed(BOB)));
		assert_noop!(
			Registry::set_node_capacity(Origin::signed(BOB), 1, capacity(200)),
			Error::<Test>::NotFarmOwner
		);
		assert_noop!(
			Registry::set_node_capacity(Origin::signed(ALICE), 9, capacity(200)),
			Error::<Test>::NodeNotFound
		);
	});
}

#[test]
fn a_node_is_registered_with_its_key_and_only_its_farm_owner_changes_it() {
	new_test_ext().execute_with(|| {
		alice_with_farm_and_node();
		assert_eq!(Nodes::<Test>::get(1).unwrap().public_key, NODE_KEY);
		let deposit = Nodes::<Test>::get(1).unwrap().deposit;
		assert_ok!(Registry::register_twin(Origin::signed(BOB)));
		assert_noop!(
			Registry::set_node_key(Origin::signed(BOB), 1, [9; 32]),
			Error::<Test>::NotFarmOwner
		);
		// The operator serves the farm; it does not own its nodes.
		assert_noop!(
			Registry::set_node_key(Origin::signed(OPERATOR), 1, [9; 32]),
			Error::<Test>::NotFarmOwner
		);
		assert_noop!(
			Registry::set_node_key(Origin::signed(ALICE), 2, [9; 32]),
			Error::<Test>::NodeNotFound
		);
		assert_ok!(Registry::set_node_key(Origin::signed(ALICE), 1, [9; 32]));
		assert_eq!(last_event(), Event::NodeKeySet { node_id: 1, public_key: [9; 32] });
		let node = Nodes::<Test>::get(1).unwrap();
		assert_eq!(node.public_key, [9; 32]);
		assert_eq!(node.deposit, deposit);
		assert_eq!(
			<Registry as GridRegistry<_, _>>::node_contact(1).map(|contact| contact.public_key),
			Some([9; 32])
		);
	});
}

#[test]
fn set_node_endpoint_checks_owner_and_url() {
	new_test_ext().execute_with(|| {
		alice_with_farm_and_node();
		assert_noop!(
			Registry::set_node_endpoint(Origin::signed(ALICE), 1, endpoint("nope")),
			Error::<Test>::InvalidEndpoint
		);
		assert_noop!(
			Registry::set_node_endpoint(Origin::signed(BOB), 1, endpoint("https://zos.example")),
			Error::<Test>::NotFarmOwner
		);
		assert_ok!(Registry::set_node_endpoint(
			Origin::signed(ALICE),
			1,
			endpoint("https://zos.example")
		));
		assert_eq!(Nodes::<Test>::get(1).unwrap().endpoint, endpoint("https://zos.example"));
		assert_eq!(
			last_event(),
			Event::NodeEndpointSet { node_id: 1, endpoint: endpoint("https://zos.example") }
		);
	});
}

#[test]
fn a_node_with_live_agreements_cannot_be_removed() {
	new_test_ext().execute_with(|| {
		alice_with_farm_and_node();
		let volume = Resources { sru: GIB, ..Default::default() };
		assert_ok!(Registry::reserve_capacity(1, &volume));
		assert_noop!(
			Registry::remove_node(Origin::signed(ALICE), 1),
			Error::<Test>::NodeHasLiveAgreements
		);
		Registry::release_capacity(1, &volume);
		assert_noop!(Registry::remove_node(Origin::signed(BOB), 1), Error::<Test>::NotFarmOwner);
		assert_ok!(Registry::remove_node(Origin::signed(ALICE), 1));
		assert_eq!(last_event(), Event::NodeRemoved { node_id: 1, farm_id: 1 });
		assert!(Nodes::<Test>::get(1).is_none());
		assert_noop!(Registry::remove_node(Origin::signed(ALICE), 1), Error::<Test>::NodeNotFound);
	});
}

#[test]
fn reservations_never_exceed_capacity_and_release_restores_it() {
	new_test_ext().execute_with(|| {
		alice_with_farm_and_node();
		let sixty = Resources { sru: 60 * GIB, ..Default::default() };
		assert_ok!(Registry::reserve_capacity(1, &sixty));
		assert_noop!(Registry::reserve_capacity(1, &sixty), Error::<Test>::InsufficientCapacity);
		let overflow = Resources { sru: u64::MAX, ..Default::default() };
		assert_noop!(Registry::reserve_capacity(1, &overflow), Error::<Test>::InsufficientCapacity);
		assert_noop!(Registry::reserve_capacity(2, &sixty), Error::<Test>::NodeNotFound);
		let node = Nodes::<Test>::get(1).unwrap();
		assert_eq!((node.reserved, node.live_agreements), (sixty, 1));

		Registry::release_capacity(1, &sixty);
		let node = Nodes::<Test>::get(1).unwrap();
		assert_eq!((node.reserved, node.live_agreements), (Resources::default(), 0));
		assert_eq!(Nodes::<Test>::get(1).unwrap().free_capacity(), capacity(100));
	});
}

#[test]
fn a_node_holds_at_most_max_agreements_per_node() {
	new_test_ext().execute_with(|| {
		alice_with_farm_and_node();
		let one = Resources { sru: GIB, ..Default::default() };
		for _ in 0..3 {
			assert_ok!(Registry::reserve_capacity(1, &one));
		}
		assert_noop!(Registry::reserve_capacity(1, &one), Error::<Test>::NodeAgreementLimitReached);
		Registry::release_capacity(1, &one);
		assert_ok!(Registry::reserve_capacity(1, &one));
	});
}

/// A cooperative (id 1) administered by Bob with Bob 60% and Charlie 40%.
fn bobs_cooperative() {
	assert_ok!(Registry::create_cooperative(
		Origin::signed(BOB),
		name("coop"),
		vec![member(BOB, 60), member(CHARLIE, 40)]
	));
}

#[test]
fn create_cooperative_checks_members_and_shares() {
	new_test_ext().execute_with(|| {
		let create = |members: Vec<Member<u64>>| {
			Registry::create_cooperative(Origin::signed(BOB), name("coop"), members)
		};
		assert_noop!(create(vec![]), Error::<Test>::NoMembers);
		assert_noop!(
			create(vec![member(BOB, 50), member(BOB, 50)]),
			Error::<Test>::DuplicateMember
		);
		assert_noop!(
			create(vec![member(BOB, 50), member(CHARLIE, 49)]),
			Error::<Test>::SharesDoNotSumToWhole
		);
		assert_noop!(
			create(vec![member(BOB, 60), member(CHARLIE, 41)]),
			Error::<Test>::SharesDoNotSumToWhole
		);
		assert_noop!(
			create((10..16).map(|a| member(a, 0)).collect()),
			Error::<Test>::TooManyMembers
		);
		assert_noop!(
			Registry::create_cooperative(Origin::signed(BOB), name(""), vec![member(BOB, 100)]),
			Error::<Test>::InvalidName
		);
		// Shares that do not divide evenly still sum to exactly one billion parts.
		let thirds = vec![
			Member { account: 10, share: Perbill::from_parts(333_333_333) },
			Member { account: 11, share: Perbill::from_parts(333_333_333) },
			Member { account: 12, share: Perbill::from_parts(333_333_334) },
		];
		assert_ok!(create(thirds.clone()));
		assert_eq!(
			last_event(),
			Event::CooperativeMembersSet { cooperative_id: 1, members: thirds.try_into().unwrap() }
		);
		assert_eq!(Cooperatives::<Test>::get(1).unwrap().admin, BOB);
	});
}

#[test]
fn only_the_admin_sets_members() {
	new_test_ext().execute_with(|| {
		bobs_cooperative();
		assert_noop!(
			Registry::set_cooperative_members(
				Origin::signed(CHARLIE),
				1,
				vec![member(CHARLIE, 100)]
			),
			Error::<Test>::NotCooperativeAdmin
		);
		assert_noop!(
			Registry::set_cooperative_members(Origin::signed(BOB), 2, vec![member(BOB, 100)]),
			Error::<Test>::CooperativeNotFound
		);
		assert_noop!(
			Registry::set_cooperative_members(Origin::signed(BOB), 1, vec![member(BOB, 99)]),
			Error::<Test>::SharesDoNotSumToWhole
		);
		assert_ok!(Registry::set_cooperative_members(
			Origin::signed(BOB),
			1,
			vec![member(ALICE, 100)]
		));
		assert_eq!(
			Cooperatives::<Test>::get(1).unwrap().members.into_inner(),
			vec![member(ALICE, 100)]
		);
	});
}

#[test]
fn a_farm_joins_a_cooperative_with_both_consents_and_its_members_become_payees() {
	new_test_ext().execute_with(|| {
		alice_with_farm_and_node();
		bobs_cooperative();
		assert_eq!(Registry::payee(1).unwrap(), Payee { account: ALICE, cooperative: None });

		// The admin cannot pull a farm in without the owner's request.
		assert_noop!(
			Registry::approve_cooperative_membership(Origin::signed(BOB), 1, 1),
			Error::<Test>::NoMembershipRequest
		);
		// Nobody but the owner can ask.
		assert_noop!(
			Registry::request_cooperative_membership(Origin::signed(BOB), 1, 1),
			Error::<Test>::NotFarmOwner
		);
		assert_noop!(
			Registry::request_cooperative_membership(Origin::signed(ALICE), 1, 5),
			Error::<Test>::CooperativeNotFound
		);
		assert_ok!(Registry::request_cooperative_membership(Origin::signed(ALICE), 1, 1));
		assert_eq!(
			last_event(),
			Event::CooperativeMembershipRequested { farm_id: 1, cooperative_id: 1 }
		);
		// The request alone changes nothing.
		assert_eq!(Registry::payee(1).unwrap(), Payee { account: ALICE, cooperative: None });
		// Only the admin approves.
		assert_noop!(
			Registry::approve_cooperative_membership(Origin::signed(ALICE), 1, 1),
			Error::<Test>::NotCooperativeAdmin
		);
		assert_ok!(Registry::approve_cooperative_membership(Origin::signed(BOB), 1, 1));
		assert_eq!(last_event(), Event::FarmJoinedCooperative { farm_id: 1, cooperative_id: 1 });
		assert!(MembershipRequests::<Test>::get(1).is_none());
		assert_eq!(
			Registry::payee(1).unwrap(),
			Payee { account: Registry::cooperative_account(1), cooperative: Some(1) }
		);
		assert_noop!(
			Registry::request_cooperative_membership(Origin::signed(ALICE), 1, 1),
			Error::<Test>::AlreadyInCooperative
		);
	});
}

#[test]
fn either_side_ends_a_membership() {
	new_test_ext().execute_with(|| {
		alice_with_farm_and_node();
		bobs_cooperative();
		assert_noop!(
			Registry::leave_cooperative(Origin::signed(ALICE), 1),
			Error::<Test>::NotInCooperative
		);
		assert_noop!(
			Registry::leave_cooperative(Origin::signed(ALICE), 3),
			Error::<Test>::FarmNotFound
		);
		for leaver in [ALICE, BOB] {
			assert_ok!(Registry::request_cooperative_membership(Origin::signed(ALICE), 1, 1));
			assert_ok!(Registry::approve_cooperative_membership(Origin::signed(BOB), 1, 1));
			assert_noop!(
				Registry::leave_cooperative(Origin::signed(CHARLIE), 1),
				Error::<Test>::NeitherFarmOwnerNorCooperativeAdmin
			);
			assert_ok!(Registry::leave_cooperative(Origin::signed(leaver), 1));
			assert_eq!(last_event(), Event::FarmLeftCooperative { farm_id: 1, cooperative_id: 1 });
			assert_eq!(Registry::payee(1).unwrap(), Payee { account: ALICE, cooperative: None });
		}
	});
}

#[test]
fn payees_of_an_unknown_farm_is_an_error() {
	new_test_ext().execute_with(|| {
		assert_eq!(Registry::payee(1), None);
	});
}

/// Pays `amount` into cooperative 1's account as a farm's settlement does.
fn cooperative_earns(amount: u64) {
	assert_ok!(Balances::mint_into(&Registry::cooperative_account(1), amount));
	Registry::record_cooperative_earnings(1, amount);
}

fn claim(who: u64) -> Result<u64, DispatchError> {
	let before = Balances::balance(&who);
	Registry::claim_cooperative_earnings(Origin::signed(who), 1)?;
	Ok(Balances::balance(&who) - before)
}

#[test]
fn the_admin_opens_the_cooperative_account_with_the_existential_deposit() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Registry::create_cooperative(
				Origin::signed(DAVE),
				name("coop"),
				vec![member(DAVE, 100)]
			),
			Error::<Test>::CannotFundCooperativeAccount
		);
		bobs_cooperative();
		assert_eq!(Balances::balance(&Registry::cooperative_account(1)), EXISTENTIAL_DEPOSIT);
		assert_eq!(Balances::balance(&BOB), ENDOWMENT - EXISTENTIAL_DEPOSIT);
		assert_ok!(Registry::do_try_state());
	});
}

#[test]
fn members_draw_their_shares_of_what_the_cooperative_earned() {
	new_test_ext().execute_with(|| {
		bobs_cooperative();
		assert_noop!(claim(BOB), Error::<Test>::NothingToClaim);
		cooperative_earns(1_000);
		assert_eq!(Registry::cooperative_earnings_of(1, &BOB), 600);
		assert_eq!(claim(BOB), Ok(600));
		assert_eq!(
			last_event(),
			Event::CooperativeEarningsClaimed { cooperative_id: 1, member: BOB, amount: 600 }
		);
		assert_noop!(claim(BOB), Error::<Test>::NothingToClaim);
		assert_noop!(claim(ALICE), Error::<Test>::NothingToClaim);
		assert_noop!(
			Registry::claim_cooperative_earnings(Origin::signed(BOB), 2),
			Error::<Test>::CooperativeNotFound
		);
		cooperative_earns(500);
		// Bob's draw counts against his share of the total, not of each payment.
		assert_eq!(claim(BOB), Ok(300));
		assert_eq!(claim(CHARLIE), Ok(600));
		// Everything paid in was drawn; the account keeps only its existential deposit.
		assert_eq!(Balances::balance(&Registry::cooperative_account(1)), EXISTENTIAL_DEPOSIT);
		assert_ok!(Registry::do_try_state());
	});
}

#[test]
fn a_new_membership_shares_only_what_is_earned_after_it() {
	new_test_ext().execute_with(|| {
		bobs_cooperative();
		cooperative_earns(1_000);
		assert_eq!(claim(BOB), Ok(600));
		// Alice replaces both; Bob and Charlie keep what the old shares earned.
		assert_ok!(Registry::set_cooperative_members(
			Origin::signed(BOB),
			1,
			vec![member(ALICE, 100)]
		));
		assert_ok!(Registry::do_try_state());
		assert_noop!(claim(ALICE), Error::<Test>::NothingToClaim);
		cooperative_earns(500);
		assert_noop!(claim(BOB), Error::<Test>::NothingToClaim);
		assert_eq!(claim(ALICE), Ok(500));
		assert_eq!(Registry::cooperative_earnings_of(1, &CHARLIE), 400);
		assert_eq!(claim(CHARLIE), Ok(400));
		// A former member who drew everything leaves no record behind.
		assert!(!MemberEarnings::<Test>::contains_key(1, CHARLIE));
		assert_noop!(claim(CHARLIE), Error::<Test>::NothingToClaim);
		assert_eq!(Balances::balance(&Registry::cooperative_account(1)), EXISTENTIAL_DEPOSIT);
		assert_ok!(Registry::do_try_state());
	});
}

#[test]
fn rounding_remainders_are_shared_again_and_never_lost() {
	new_test_ext().execute_with(|| {
		let thirds = || {
			vec![
				Member { account: ALICE, share: Perbill::from_parts(333_333_333) },
				Member { account: BOB, share: Perbill::from_parts(333_333_333) },
				Member { account: CHARLIE, share: Perbill::from_parts(333_333_334) },
			]
		};
		assert_ok!(Registry::create_cooperative(Origin::signed(BOB), name("coop"), thirds()));
		let mut earned = 0;
		let mut drawn = 0;
		// Irregular payments, members re-set (remainders carried over) now and then, everyone
		// drawing as they go.
		for round in 1..=200u64 {
			let amount = 7 + (round * 37) % 101;
			cooperative_earns(amount);
			earned += amount;
			if round % 9 == 0 {
				assert_ok!(Registry::set_cooperative_members(Origin::signed(BOB), 1, thirds()));
			}
			for who in [ALICE, BOB, CHARLIE] {
				if round % 5 == who {
					drawn += claim(who).unwrap_or(0);
				}
			}
			assert_ok!(Registry::do_try_state());
		}
		for who in [ALICE, BOB, CHARLIE] {
			drawn += claim(who).unwrap_or(0);
		}
		let left = Balances::balance(&Registry::cooperative_account(1)) - EXISTENTIAL_DEPOSIT;
		assert_eq!(drawn + left, earned, "every unit is drawn or still in the account");
		// What is left is the last rounding remainder: less than a unit per member.
		assert!(left < 3, "left {left}");
	});
}

#[test]
fn a_member_who_cannot_receive_a_small_amount_claims_it_later() {
	new_test_ext().execute_with(|| {
		assert_ok!(Registry::create_cooperative(
			Origin::signed(BOB),
			name("coop"),
			vec![member(BOB, 50), member(DAVE, 50)]
		));
		// Dave has no account; 5 is below the existential deposit of 10.
		cooperative_earns(10);
		assert_noop!(claim(DAVE), TokenError::BelowMinimum);
		cooperative_earns(20);
		assert_eq!(claim(DAVE), Ok(15));
		assert_ok!(Registry::do_try_state());
	});
}

#[test]
fn storage_deposits_are_held_per_record_by_its_bytes_and_returned_on_removal() {
	new_test_ext().execute_with(|| {
		use frame_support::traits::fungible::InspectHold;
		DepositPerItem::set(5);
		DepositPerByte::set(1);
		let held = |who: u64| Balances::balance_on_hold(&HoldReason::StorageDeposit.into(), &who);
		assert_ok!(Registry::register_twin(Origin::signed(ALICE)));
		let twin = Twins::<Test>::get(1).unwrap();
		// 5 + the record's bytes (an 8-byte account and an 8-byte deposit).
		assert_eq!(twin.deposit, 5 + 16);
		assert_eq!(held(ALICE), twin.deposit);
		assert_ok!(Registry::create_farm(Origin::signed(ALICE), name("f1"), pricing(1), ALICE));
		assert_ok!(Registry::register_node(
			Origin::signed(ALICE),
			1,
			capacity(1),
			endpoint("http://127.0.0.1:1"),
			NODE_KEY
		));
		let short = Nodes::<Test>::get(1).unwrap().deposit;
		// A longer endpoint holds more; a shorter one gives it back.
		assert_ok!(Registry::set_node_endpoint(
			Origin::signed(ALICE),
			1,
			endpoint("http://a-much-longer-host-name.example:8080/zos")
		));
		let long = Nodes::<Test>::get(1).unwrap().deposit;
		assert_eq!(long - short, 47 - 18);
		let farm = Farms::<Test>::get(1).unwrap().deposit;
		assert_eq!(held(ALICE), twin.deposit + farm + long);
		assert_ok!(Registry::do_try_state());
		// Removing the node returns its deposit.
		assert_ok!(Registry::remove_node(Origin::signed(ALICE), 1));
		assert_eq!(held(ALICE), twin.deposit + farm);
		// A cooperative's deposit follows its members.
		assert_ok!(Registry::create_cooperative(
			Origin::signed(BOB),
			name("coop"),
			vec![member(BOB, 100)]
		));
		let one = Cooperatives::<Test>::get(1).unwrap().deposit;
		assert_ok!(Registry::set_cooperative_members(
			Origin::signed(BOB),
			1,
			vec![member(BOB, 50), member(CHARLIE, 50)]
		));
		let two = Cooperatives::<Test>::get(1).unwrap().deposit;
		assert!(two > one);
		assert_eq!(held(BOB), two);
		assert_ok!(Registry::do_try_state());
		// An account that cannot hold the deposit gets no record.
		assert_noop!(
			Registry::register_twin(Origin::signed(DAVE)),
			Error::<Test>::CannotPayDeposit
		);
	});
}

#[test]
fn the_auditors_verify_and_suspend_nodes_and_nobody_else() {
	new_test_ext().execute_with(|| {
		alice_with_farm_and_node();
		let verified = capacity(80);
		assert_noop!(
			Registry::audit_node(Origin::signed(ALICE), 1, verified),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Registry::set_node_suspended(Origin::signed(OPERATOR), 1, true),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Registry::audit_node(Origin::signed(AUDITOR), 9, verified),
			Error::<Test>::NodeNotFound
		);
		assert_ok!(Registry::audit_node(Origin::signed(AUDITOR), 1, verified));
		assert_eq!(last_event(), Event::NodeAudited { node_id: 1, verified });
		assert_ok!(Registry::set_node_suspended(Origin::signed(AUDITOR), 1, true));
		assert_eq!(last_event(), Event::NodeSuspensionSet { node_id: 1, suspended: true });
		let node = Nodes::<Test>::get(1).unwrap();
		assert_eq!((node.audited, node.suspended), (Some(verified), true));
		// What other pallets see.
		assert!(<Registry as GridRegistry<_, _>>::node(1).unwrap().suspended);
		assert_ok!(Registry::set_node_suspended(Origin::signed(AUDITOR), 1, false));
		assert!(!<Registry as GridRegistry<_, _>>::node(1).unwrap().suspended);
	});
}

#[test]
fn farms_price_within_the_councils_bounds_and_policies_in_force_are_kept() {
	new_test_ext().execute_with(|| {
		alice_with_farm_and_node();
		let bounds = PriceBounds { min: pricing(2), max: pricing(20) };
		assert_noop!(
			Registry::set_price_bounds(Origin::signed(ALICE), Some(bounds)),
			DispatchError::BadOrigin
		);
		let upside_down = PriceBounds { min: pricing(20), max: pricing(2) };
		assert_noop!(
			Registry::set_price_bounds(Origin::root(), Some(upside_down)),
			Error::<Test>::InvalidPriceBounds
		);
		assert_ok!(Registry::set_price_bounds(Origin::root(), Some(bounds)));
		assert_eq!(last_event(), Event::PriceBoundsSet { bounds: Some(bounds) });
		// Alice's farm prices at 10 (within), kept; new policies must be within.
		assert_eq!(Farms::<Test>::get(1).unwrap().pricing, pricing(10));
		assert_noop!(
			Registry::set_pricing_policy(Origin::signed(ALICE), 1, pricing(1)),
			Error::<Test>::PriceOutOfBounds
		);
		assert_noop!(
			Registry::set_pricing_policy(Origin::signed(ALICE), 1, pricing(21)),
			Error::<Test>::PriceOutOfBounds
		);
		assert_noop!(
			Registry::create_farm(Origin::signed(ALICE), name("cheap"), pricing(1), ALICE),
			Error::<Test>::PriceOutOfBounds
		);
		assert_ok!(Registry::set_pricing_policy(Origin::signed(ALICE), 1, pricing(2)));
		assert_ok!(Registry::set_price_bounds(Origin::root(), None));
		assert_ok!(Registry::set_pricing_policy(Origin::signed(ALICE), 1, pricing(1)));
	});
}

#[test]
fn a_farmer_is_an_account_whose_farms_hold_a_node() {
	use frame_support::traits::Contains;
	new_test_ext().execute_with(|| {
		let farmer = |account| crate::Farmers::<Test>::contains(&account);
		assert!(!farmer(ALICE), "no twin");
		assert_ok!(Registry::register_twin(Origin::signed(ALICE)));
		assert_ok!(Registry::create_farm(
			Origin::signed(ALICE),
			name("alice-farm"),
			pricing(10),
			ALICE
		));
		assert!(!farmer(ALICE), "a farm without nodes");
		for _ in 0..2 {
			assert_ok!(Registry::register_node(
				Origin::signed(ALICE),
				1,
				capacity(100),
				endpoint("http://127.0.0.1:8080"),
				NODE_KEY
			));
		}
		assert!(farmer(ALICE));
		// The operator runs the farm's worker; it is not the farmer.
		assert!(!farmer(OPERATOR));
		assert_ok!(Registry::remove_node(Origin::signed(ALICE), 1));
		assert!(farmer(ALICE), "one node left");
		assert_ok!(Registry::remove_node(Origin::signed(ALICE), 2));
		assert!(!farmer(ALICE));
		assert_eq!(NodeCountByOwner::<Test>::get(1), 0);
	});
}
