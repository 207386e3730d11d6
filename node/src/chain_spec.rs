//! Chain specifications built into the node.

use gridchain_primitives::{token, SS58_PREFIX};
use gridchain_runtime::WASM_BINARY;
use sc_service::{ChainType, Properties};

/// The network protocol id: nodes of other chains do not connect to gridchain nodes.
const PROTOCOL_ID: &str = "gridchain";

/// A chain specification of gridchain.
pub type ChainSpec = sc_service::GenericChainSpec;

/// The chain properties wallets read to show TFT: its symbol, its 7 decimals, and the address
/// format.
pub fn properties() -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), token::SYMBOL.into());
	properties.insert("tokenDecimals".into(), token::DECIMALS.into());
	properties.insert("ss58Format".into(), SS58_PREFIX.into());
	properties
}

fn wasm_binary() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"The runtime's wasm binary is not available: build without SKIP_WASM_BUILD.".to_string()
	})
}

fn chain_spec(
	name: &str,
	id: &str,
	chain_type: ChainType,
	preset: &str,
) -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name(name)
		.with_id(id)
		.with_chain_type(chain_type)
		.with_protocol_id(PROTOCOL_ID)
		.with_genesis_config_preset_name(preset)
		.with_properties(properties())
		.build())
}

/// A single-validator development chain: Alice authors and finalizes every block.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	chain_spec(
		"gridchain development",
		"gridchain_dev",
		ChainType::Development,
		sp_genesis_builder::DEV_RUNTIME_PRESET,
	)
}

/// A local test network of four validators: Alice, Bob, Charlie and Dave (`scripts/localnet.sh`).
pub fn local_testnet_chain_spec() -> Result<ChainSpec, String> {
	chain_spec(
		"gridchain local testnet",
		"gridchain_local_testnet",
		ChainType::Local,
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET,
	)
}

#[cfg(test)]
mod tests {
	use super::*;
	use sc_service::ChainSpec as _;

	/// Builds a spec's genesis storage the way the node does at first start: by calling the
	/// runtime's wasm `GenesisBuilder` API.
	fn builds_genesis(spec: ChainSpec) {
		let storage = spec.as_storage_builder().build_storage().expect("genesis builds");
		assert!(!storage.top.is_empty());
	}

	#[test]
	fn development_spec_builds_its_genesis_from_the_wasm_runtime() {
		let spec = development_chain_spec().unwrap();
		assert_eq!(spec.id(), "gridchain_dev");
		assert_eq!(spec.chain_type(), ChainType::Development);
		builds_genesis(spec);
	}

	#[test]
	fn local_testnet_spec_builds_its_genesis_from_the_wasm_runtime() {
		let spec = local_testnet_chain_spec().unwrap();
		assert_eq!(spec.chain_type(), ChainType::Local);
		builds_genesis(spec);
	}

	#[test]
	fn properties_announce_tft_with_seven_decimals() {
		let properties = properties();
		assert_eq!(properties["tokenSymbol"], "TFT");
		assert_eq!(properties["tokenDecimals"], 7);
		assert_eq!(properties["ss58Format"], 42);
	}
}
