//! # gridchain runtime
//!
//! The FRAME runtime of gridchain: block production by Aura, finality by GRANDPA, the TFT token
//! in `pallet-balances`, fees in `pallet-transaction-payment`, governance by guardian circles
//! (`pallet-guardian`). The validators are farmers admitted by a circle (`pallet-validators`,
//! the session manager of `pallet-session`). `pallet-registry` records twins, farms, nodes and
//! cooperatives; `pallet-smart-contract` holds the agreements for IT between them.
//!
//! - [`configs`]: the configuration of each pallet.
//! - [`apis`]: the runtime APIs the node and clients call.
//! - [`genesis_config_presets`]: the `development` and `local_testnet` genesis states.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime` and `impl_runtime_apis` expand to deeply nested code.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

// Before `apis`: it defines the `list_benchmarks!` and `add_benchmarks!` macros `apis` uses.
#[cfg(feature = "runtime-benchmarks")]
#[macro_use]
mod benchmarks;
pub mod apis;
pub mod configs;
pub mod genesis_config_presets;
#[cfg(test)]
mod tests;

use alloc::{borrow::Cow, vec::Vec};
use sp_runtime::{generic, impl_opaque_keys, traits::BlakeTwo256};
use sp_version::{runtime_version, RuntimeVersion};

pub use gridchain_primitives::{
	opaque, time::*, token, AccountId, Balance, BlockNumber, Hash, Moment, Nonce, Signature,
	SS58_PREFIX,
};
pub use pallet_balances::Call as BalancesCall;

impl_opaque_keys! {
	/// The keys a validator registers: its Aura (block authoring) and GRANDPA (finality) keys.
	pub struct SessionKeys {
		pub aura: Aura,
		pub grandpa: Grandpa,
	}
}

/// The runtime's version. `spec_version` must grow with every runtime upgrade.
#[runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: Cow::Borrowed("gridchain"),
	impl_name: Cow::Borrowed("gridchain"),
	authoring_version: 1,
	spec_version: 100,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// The runtime, composed of its pallets.
#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	// Authorship and Validators before Session: pallets initialize in this order, and the
	// author of a block is found (and noted) among the validators it was authored by, before
	// Session may rotate them; Validators' genesis set must exist when Session's genesis asks
	// for it.
	#[runtime::pallet_index(6)]
	pub type Authorship = pallet_authorship;

	#[runtime::pallet_index(7)]
	pub type Validators = pallet_validators;

	#[runtime::pallet_index(8)]
	pub type Session = pallet_session;

	#[runtime::pallet_index(10)]
	pub type Registry = pallet_registry;

	#[runtime::pallet_index(11)]
	pub type SmartContract = pallet_smart_contract;

	#[runtime::pallet_index(12)]
	pub type Guardian = pallet_guardian;

	#[runtime::pallet_index(13)]
	pub type Iou = pallet_iou;

	#[runtime::pallet_index(14)]
	pub type TftBridge = pallet_tft_bridge;
}

/// The address format: an account id, or an index (unused, kept for wallet compatibility).
pub type Address = sp_runtime::MultiAddress<AccountId, ()>;
/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// The checks every signed transaction passes, in order.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Storage migrations run at the next runtime upgrade, besides the pallets' own.
type Migrations = ();

/// Dispatches blocks and transactions to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;
