//! Tests of the runtime's own configuration: genesis presets and fees.

use crate::{
	configs::WeightToFee, genesis_config_presets, token::TFT, Balances, Grandpa,
	RuntimeGenesisConfig, System,
};
use frame_support::{
	genesis_builder_helper::build_state,
	weights::{constants::ExtrinsicBaseWeight, WeightToFee as _},
};
use pallet_balances::WeightInfo as _;
use serde_json::Value;
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// Applies a JSON merge patch (RFC 7386), as the node does with a preset over the defaults.
fn merge(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) => {
			for (key, value) in patch {
				if value.is_null() {
					base.remove(&key);
				} else {
					merge(base.entry(key).or_insert(Value::Null), value);
				}
			}
		},
		(base, patch) => *base = patch,
	}
}

/// Builds the genesis state of a preset in fresh externalities.
fn preset_state(preset: &str) -> sp_io::TestExternalities {
	let patch: Value =
		serde_json::from_slice(&genesis_config_presets::get_preset(&preset.into()).unwrap())
			.unwrap();
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	merge(&mut config, patch);
	let mut ext = sp_io::TestExternalities::default();
	ext.execute_with(|| build_state::<RuntimeGenesisConfig>(config.to_string().into_bytes()))
		.unwrap();
	ext
}

#[test]
fn development_preset_has_alice_as_only_authority_and_the_guardians_as_council() {
	preset_state(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(
			pallet_aura::Authorities::<crate::Runtime>::get().into_inner(),
			vec![Sr25519Keyring::Alice.public().into()]
		);
		assert_eq!(
			Grandpa::grandpa_authorities(),
			vec![(Ed25519Keyring::Alice.public().into(), 1)]
		);
		// No sudo: the council of nine development guardians governs, five of them decide.
		assert_eq!(
			pallet_guardian::Roles::<crate::Runtime>::get(pallet_guardian::Role::Council),
			Some(1)
		);
		let council = crate::Guardian::circle_view(1).unwrap();
		assert_eq!(council.threshold, 5);
		let members: Vec<_> = council.members.into_iter().map(|(account, _)| account).collect();
		assert_eq!(members, genesis_config_presets::dev_guardians());
		let first: crate::AccountId = {
			use sp_core::Pair;
			sp_core::sr25519::Pair::from_string("//Guardian1", None).unwrap().public().into()
		};
		assert_eq!(members[0], first);
	});
}

#[test]
fn local_testnet_preset_has_four_validators_with_short_sessions() {
	preset_state(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let four = [
			(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
			(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
		];
		let mut accounts: Vec<crate::AccountId> =
			four.iter().map(|(sr, _)| sr.to_account_id()).collect();
		accounts.sort();
		assert_eq!(pallet_validators::Approved::<crate::Runtime>::get().into_inner(), accounts);
		// Aura and GRANDPA take the validators' session keys, in the validators' order.
		assert_eq!(pallet_session::Validators::<crate::Runtime>::get(), accounts);
		let aura = pallet_aura::Authorities::<crate::Runtime>::get().into_inner();
		let grandpa: Vec<_> = Grandpa::grandpa_authorities().into_iter().map(|(k, _)| k).collect();
		for (sr, ed) in four {
			let at = accounts.iter().position(|a| *a == sr.to_account_id()).unwrap();
			assert_eq!(aura[at], sr.public().into());
			assert_eq!(grandpa[at], ed.public().into());
		}
		assert_eq!(pallet_validators::MinimumValidators::<crate::Runtime>::get(), 4);
		assert_eq!(
			pallet_validators::SessionLength::<crate::Runtime>::get(),
			genesis_config_presets::LOCAL_TESTNET_SESSION_LENGTH
		);
		// The council admits validators.
		assert_eq!(
			pallet_guardian::Roles::<crate::Runtime>::get(
				pallet_guardian::Role::ValidatorAdmission
			),
			Some(1)
		);
	});
}

#[test]
fn presets_endow_the_twelve_dev_accounts_and_the_nine_guardians_with_a_million_tft() {
	preset_state(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		for account in Sr25519Keyring::well_known() {
			assert_eq!(Balances::free_balance(account.to_account_id()), 1_000_000 * TFT);
		}
		for guardian in genesis_config_presets::dev_guardians() {
			assert_eq!(Balances::free_balance(guardian), 1_000_000 * TFT);
		}
		// The dev accounts and guardians, and the existential deposit that keeps the
		// smart-contract pallet's account alive.
		assert_eq!(
			Balances::total_issuance(),
			21 * 1_000_000 * TFT + crate::token::EXISTENTIAL_DEPOSIT
		);
		assert_eq!(System::block_number(), 0);
	});
}

#[test]
fn unknown_preset_is_none_and_both_presets_are_listed() {
	assert!(genesis_config_presets::get_preset(&"mainnet".into()).is_none());
	let names = genesis_config_presets::preset_names();
	assert!(names.contains(&sp_genesis_builder::DEV_RUNTIME_PRESET.into()));
	assert!(names.contains(&sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET.into()));
}

#[test]
fn a_transfer_costs_between_a_thousandth_and_a_tenth_of_a_tft() {
	let weight = pallet_balances::weights::SubstrateWeight::<crate::Runtime>::transfer_keep_alive()
		.saturating_add(ExtrinsicBaseWeight::get());
	let length_fee = 10 * 150; // LengthToFee: 10 units per byte, a transfer is ~150 bytes
	let fee = WeightToFee::weight_to_fee(&weight) + length_fee;
	assert!(fee > TFT / 1_000, "fee {fee} is below 0.001 TFT");
	assert!(fee < TFT / 10, "fee {fee} is above 0.1 TFT");
}

#[test]
fn the_iou_hook_at_its_worst_and_the_largest_batch_fit_in_a_block() {
	use frame_support::traits::Get;
	use pallet_iou::WeightInfo as _;
	type Weights = pallet_iou::weights::SubstrateWeight<crate::Runtime>;
	let most = <crate::Runtime as pallet_iou::Config>::MaxSettlementsPerBlock::get();
	let rollups = <crate::Runtime as pallet_iou::Config>::MaxActiveRollups::get();
	let due = <crate::Runtime as pallet_iou::Config>::MaxRollupsDuePerBlock::get();
	// Bounces and settlements share the budget: the dearer of the two, all the way.
	let settling =
		Weights::on_initialize_settlements(most).max(Weights::on_initialize_bounces(most));
	let hook = settling
		.saturating_add(Weights::on_initialize_due(due))
		.saturating_add(Weights::on_initialize_rollups(rollups));
	let block = crate::configs::RuntimeBlockWeights::get();
	assert!(
		hook.all_lte(sp_runtime::Perbill::from_percent(50) * block.max_block),
		"the IOU hook may take {hook:?} of {:?}",
		block.max_block
	);
	let batch =
		Weights::submit_ious_worst(<crate::Runtime as pallet_iou::Config>::MaxIousPerBatch::get());
	let normal = block.get(frame_support::dispatch::DispatchClass::Normal).max_extrinsic.unwrap();
	assert!(batch.all_lte(normal), "a batch of IOUs may weigh {batch:?}, more than {normal:?}");
}

#[test]
fn the_largest_call_of_deposit_votes_fits_in_a_block_with_room_to_spare() {
	use frame_support::traits::Get;
	let most = <crate::Runtime as pallet_tft_bridge::Config>::MaxVotesPerCall::get();
	// Every vote executing a top-up of an agreement and counting every validator's vote.
	let votes = crate::TftBridge::vote_deposits_weight(most);
	let block = crate::configs::RuntimeBlockWeights::get();
	let normal = block.get(frame_support::dispatch::DispatchClass::Normal).max_extrinsic.unwrap();
	assert!(
		votes.all_lte(sp_runtime::Perbill::from_percent(25) * normal),
		"{most} deposit votes may weigh {votes:?}, more than a quarter of {normal:?}"
	);
}

/// The metadata the typed client (`client/`, generated by subxt) is built from is this
/// runtime's. `GRIDCHAIN_UPDATE_METADATA=1 cargo test -p gridchain-runtime metadata` rewrites
/// it after a change of calls, storage, events or errors.
#[test]
fn the_typed_clients_metadata_is_this_runtimes() {
	let versions = crate::Runtime::metadata_versions();
	let newest = versions.iter().copied().filter(|v| *v != u32::MAX).max().expect("a version");
	let metadata = crate::Runtime::metadata_at_version(newest).expect("the newest version");
	// The checkout's path as cargo gives it when running the test (not the one baked in at
	// compile time: a test binary may be reused from a checkout elsewhere through a cached
	// target directory).
	let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo");
	let path = std::path::Path::new(&manifest_dir).join("../client/metadata.scale");
	if std::env::var_os("GRIDCHAIN_UPDATE_METADATA").is_some() {
		std::fs::write(&path, &*metadata).expect("metadata written");
	}
	let file = std::fs::read(&path).unwrap_or_default();
	assert!(
		file == *metadata,
		"client/metadata.scale is not this runtime's metadata (v{newest}): run \
		 GRIDCHAIN_UPDATE_METADATA=1 cargo test -p gridchain-runtime metadata"
	);
}
