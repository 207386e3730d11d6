//! # gridchain primitives
//!
//! Types and constants shared by every part of gridchain: the runtime, the node, the pallets,
//! the off-chain worker and the clients. Nothing here depends on the runtime, so a client can
//! use these definitions without compiling FRAME.
//!
//! The token is TFT with 7 decimals, the same precision as TFT on Stellar, so one chain unit
//! equals one Stellar stroop of TFT and the bridge never rounds.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod circles;
pub mod grid;
pub mod iou;
pub mod stellar;

use sp_runtime::{
	generic,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiSignature,
};

/// A block number.
pub type BlockNumber = u32;

/// A transaction signature: sr25519, ed25519 or ecdsa.
pub type Signature = MultiSignature;

/// An account: the public key of the signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;

/// An amount of TFT in its smallest unit (10^-7 TFT).
pub type Balance = u128;

/// The number of transactions an account has sent.
pub type Nonce = u32;

/// The hash of a block or of data on chain.
pub type Hash = sp_core::H256;

/// Milliseconds since the unix epoch.
pub type Moment = u64;

/// A block header.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;

/// Opaque types that let the node handle blocks without knowing the runtime's extrinsic format.
pub mod opaque {
	use super::*;

	/// An extrinsic as raw bytes.
	pub type UncheckedExtrinsic = sp_runtime::OpaqueExtrinsic;
	/// A block with opaque extrinsics.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
}

/// The SS58 address format of gridchain accounts.
///
/// 42 is the generic Substrate format, the one tfchain uses: a grid user's existing address
/// reads the same on gridchain, and polkadot.js shows it without a custom registry entry.
pub const SS58_PREFIX: u16 = 42;

/// The TFT token.
pub mod token {
	use super::Balance;

	/// The token symbol shown by wallets.
	pub const SYMBOL: &str = "TFT";
	/// Decimal places: 1 TFT = 10^7 units, as on Stellar.
	pub const DECIMALS: u8 = 7;
	/// One TFT in units.
	pub const TFT: Balance = 10_000_000;
	/// One thousandth of a TFT in units.
	pub const MILLI_TFT: Balance = TFT / 1_000;
	/// The smallest balance an account may hold: 0.01 TFT. Below it the account is reaped,
	/// which keeps dust accounts from filling the state.
	pub const EXISTENTIAL_DEPOSIT: Balance = 10 * MILLI_TFT;
}

/// Block time and durations in blocks.
pub mod time {
	use super::{BlockNumber, Moment};

	/// The target block time. Aura slot duration equals it.
	pub const MILLISECS_PER_BLOCK: Moment = 6_000;
	/// Aura slot duration. It cannot change once a chain has started.
	pub const SLOT_DURATION: Moment = MILLISECS_PER_BLOCK;

	/// Blocks per minute.
	pub const MINUTES: BlockNumber = 60_000 / (MILLISECS_PER_BLOCK as BlockNumber);
	/// Blocks per hour.
	pub const HOURS: BlockNumber = MINUTES * 60;
	/// Blocks per day.
	pub const DAYS: BlockNumber = HOURS * 24;
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn one_tft_is_ten_million_units() {
		assert_eq!(token::TFT, 10u128.pow(token::DECIMALS as u32));
	}

	#[test]
	fn an_hour_is_six_hundred_blocks() {
		assert_eq!(time::HOURS, 600);
		assert_eq!(time::DAYS, 14_400);
	}
}
