//! Genesis presets: the starting state of a `development` chain (Alice alone produces and
//! finalizes blocks, sessions of an hour) and of a `local_testnet` (Alice, Bob, Charlie and Dave
//! validate, at least four of them, sessions of 5 blocks so tests of the validator set are
//! quick). Both endow the well-known dev accounts and the nine development guardians, whose
//! council (circle 1) governs the chain and admits validators: there is no sudo. The
//! development chain also has a dev farm operated by Alice, with one node whose ZOS API is a
//! zos-sim on 127.0.0.1:8080 (docs/zos.md).

use crate::{
	token::TFT, AccountId, BalancesConfig, BlockNumber, GuardianConfig, RegistryConfig,
	RuntimeGenesisConfig, SessionKeys, HOURS, MINUTES,
};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use pallet_registry::{PricingPolicy, Resources, GIB};
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// What each endowed dev account starts with: one million TFT.
pub const DEV_ENDOWMENT: crate::Balance = 1_000_000 * TFT;

/// The dev farm's node's ZOS endpoint: where `zos-sim` listens by default.
pub const DEV_NODE_ENDPOINT: &str = "http://127.0.0.1:8080/";

/// The development chain's registry: Alice's twin (1), her farm `dev-farm` (1) which she also
/// operates, so the dev node's off-chain worker deploys its agreements, and its node (1): 8
/// cores, 32 GiB memory, 1 TiB SSD, at [`DEV_NODE_ENDPOINT`], whose key (its ZOS identity) is
/// Alice's ed25519 dev key, as zos-sim's default `--key-seed //Alice`. Prices: 1 TFT per GiB of SSD
/// per hour, and likewise per core and per GiB of memory or HDD.
fn dev_registry() -> RegistryConfig {
	let alice = Sr25519Keyring::Alice.to_account_id();
	let pricing = PricingPolicy {
		cru_per_core_hour: TFT,
		mru_per_gib_hour: TFT,
		sru_per_gib_hour: TFT,
		hru_per_gib_hour: TFT,
	};
	let capacity = Resources { cru: 8, mru: 32 * GIB, sru: 1024 * GIB, hru: 0 };
	RegistryConfig {
		twins: vec![alice.clone()],
		farms: vec![(1, b"dev-farm".to_vec(), pricing, alice)],
		nodes: vec![(
			1,
			capacity,
			DEV_NODE_ENDPOINT.as_bytes().to_vec(),
			Ed25519Keyring::Alice.public().0,
		)],
	}
}

/// The development council's members: the sr25519 keys of the secret URIs `//Guardian1` to
/// `//Guardian9` (development keys, public to anyone: docs/guardian.md).
pub fn dev_guardians() -> Vec<AccountId> {
	use sp_core::Pair;
	(1..=9)
		.map(|n| {
			sp_core::sr25519::Pair::from_string(&alloc::format!("//Guardian{n}"), None)
				.expect("a valid development secret URI")
				.public()
				.into()
		})
		.collect()
}

/// How long the development council votes: 10 minutes; approved calls run in the next block.
const DEV_COUNCIL_VOTING_PERIOD: BlockNumber = 10 * MINUTES;

/// The council, circle 1, with the runtime's root-level powers: 5 of the 9 guardians decide.
/// It also admits validators until it chooses another circle for that.
fn dev_council() -> GuardianConfig {
	GuardianConfig {
		circles: vec![(b"council".to_vec(), dev_guardians(), 5, DEV_COUNCIL_VOTING_PERIOD, 0)],
		roles: vec![
			(pallet_guardian::Role::Council, 1),
			(pallet_guardian::Role::ValidatorAdmission, 1),
		],
	}
}

/// A chain's validators at genesis and how its sessions run.
struct ValidatorSet {
	/// Each validator's account and its session keys.
	validators: Vec<(AccountId, SessionKeys)>,
	minimum_validators: u32,
	session_length: BlockNumber,
}

fn genesis(
	validator_set: ValidatorSet,
	endowed_accounts: Vec<AccountId>,
	registry: RegistryConfig,
) -> Value {
	let ValidatorSet { validators, minimum_validators, session_length } = validator_set;
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed_accounts
				.into_iter()
				.map(|account| (account, DEV_ENDOWMENT))
				.collect::<Vec<_>>(),
		},
		// Aura's and GRANDPA's first authorities come from the session keys below.
		validators: pallet_validators::GenesisConfig {
			validators: validators.iter().map(|(account, _)| account.clone()).collect::<Vec<_>>(),
			minimum_validators,
			session_length,
		},
		session: pallet_session::GenesisConfig {
			keys: validators
				.into_iter()
				.map(|(account, keys)| (account.clone(), account, keys))
				.collect::<Vec<_>>(),
		},
		registry,
		guardian: dev_council(),
	})
}

/// A well-known dev validator: its account and session keys (its sr25519 key for Aura, its
/// ed25519 key for GRANDPA, as `--alice` and the like put them in a node's keystore).
fn dev_validator(sr: Sr25519Keyring, ed: Ed25519Keyring) -> (AccountId, SessionKeys) {
	let aura: AuraId = sr.public().into();
	let grandpa: GrandpaId = ed.public().into();
	(sr.to_account_id(), SessionKeys { aura, grandpa })
}

/// The well-known dev accounts (Alice..Ferdie and their stash accounts) and the development
/// guardians.
fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::well_known().map(|k| k.to_account_id()).chain(dev_guardians()).collect()
}

/// The `development` preset: Alice is the only validator; sessions of an hour.
pub fn development_config_genesis() -> Value {
	genesis(
		ValidatorSet {
			validators: vec![dev_validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
			minimum_validators: 1,
			session_length: HOURS,
		},
		dev_accounts(),
		dev_registry(),
	)
}

/// How long a `local_testnet` session lasts: 5 blocks (30 s), the runtime's shortest, so
/// changes of the validator set take effect within a minute.
pub const LOCAL_TESTNET_SESSION_LENGTH: BlockNumber = 5;

/// The `local_testnet` preset: Alice, Bob, Charlie and Dave validate (GRANDPA finalizes with
/// any three); the set keeps at least four.
pub fn local_config_genesis() -> Value {
	genesis(
		ValidatorSet {
			validators: vec![
				dev_validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
				dev_validator(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
				dev_validator(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
				dev_validator(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
			],
			minimum_validators: 4,
			session_length: LOCAL_TESTNET_SESSION_LENGTH,
		},
		dev_accounts(),
		RegistryConfig::default(),
	)
}

/// The preset with the given id, as JSON, or `None` for an unknown id.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	serde_json::to_vec(&patch).ok()
}

/// The ids of the presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
