//! IOUs: what a consumer of a grid service owes the service's provider, signed by both.
//!
//! An IOU is cumulative, like a Swarm cheque: it states everything the consumer used on a
//! channel since the channel opened (one counter per priced unit of the service), what that
//! usage costs at the channel's prices, and a sequence number. Only a channel's newest IOU
//! matters: an older or replayed one pays nothing, because what was paid is subtracted.
//!
//! Both parties sign the same bytes, [`Iou::signed_message`]: the SCALE encoding of
//!
//! | field | type | encoding |
//! | --- | --- | --- |
//! | protocol tag | `[u8; 16]` | the 16 bytes `gridchain/iou/v1` |
//! | genesis hash of the chain | `[u8; 32]` | 32 bytes |
//! | channel id | `u64` | 8 bytes, little endian |
//! | usage counters | `Vec<u64>` | compact length, then 8 bytes each, little endian |
//! | amount | `u128` | 16 bytes, little endian |
//! | sequence | `u64` | 8 bytes, little endian |
//!
//! A signature is accepted over those bytes, or over `<Bytes>` + those bytes + `</Bytes>`
//! (what polkadot.js `signRaw` and browser wallets sign). Byte-exact vectors for other
//! implementations are in `tests/vectors/iou.json`.
//!
//! The amount must be exactly [`price_usage`] of the usage at the channel's prices: each
//! counter's usage times its price per unit, divided by the unit's size and rounded down, summed.
//! Rounding down the cumulative usage (never each increment) means the consumer pays less than
//! a chain unit (10^-7 TFT) per counter below the exact value, over the channel's whole life.

use crate::{AccountId, Balance, Hash};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::ConstU32;
use sp_runtime::{
	helpers_128bit::multiply_by_rational_with_rounding, traits::Verify, BoundedVec, MultiSignature,
	Rounding,
};

/// The first bytes of every signed IOU: the protocol and its version.
pub const IOU_TAG: [u8; 16] = *b"gridchain/iou/v1";

/// The most usage counters a service (and so an IOU) has.
pub const MAX_USAGE_COUNTERS: u32 = 8;

/// A channel between a consumer and a provider's service, through a bridge.
pub type ChannelId = u64;

/// Cumulative usage, one counter per priced unit of the service, in the service's order.
pub type Usage = BoundedVec<u64, ConstU32<MAX_USAGE_COUNTERS>>;

/// What a consumer owes on a channel, cumulative since the channel opened.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct Iou {
	/// The channel it is for.
	pub channel: ChannelId,
	/// Everything used since the channel opened, per counter.
	pub usage: Usage,
	/// What that usage costs at the channel's prices ([`price_usage`]).
	pub amount: Balance,
	/// Increases with every IOU of the channel.
	pub sequence: u64,
}

impl Iou {
	/// The bytes both parties sign for this IOU on the chain whose genesis hash is `genesis`.
	pub fn signed_message(&self, genesis: &Hash) -> Vec<u8> {
		(IOU_TAG, genesis, self).encode()
	}
}

/// An IOU with both parties' signatures over [`Iou::signed_message`].
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct SignedIou {
	/// What is owed.
	pub iou: Iou,
	/// By the consumer's account.
	pub consumer_signature: MultiSignature,
	/// By the provider's account (the farm's owner or its operator).
	pub provider_signature: MultiSignature,
}

/// The price of one counter of a service: `price` for every `per` units used (e.g. 0.1 TFT
/// per 2^30 bytes, or per 1,000 requests).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
pub struct CounterPrice {
	/// In the chain's smallest unit, for every `per` units.
	pub price: Balance,
	/// How many units the price is for; never 0.
	pub per: u64,
}

/// Why an IOU's amount cannot be checked against its usage.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PricingError {
	/// The IOU has another number of counters than the service's prices.
	CounterCountMismatch,
	/// A price is for 0 units.
	ZeroUnit,
	/// The amount does not fit in a `Balance`.
	Overflow,
}

/// What `usage` costs at `prices`: per counter, `usage × price / per` rounded down, summed.
/// Exact integer arithmetic; an amount that does not fit is an error, never a wrapped value.
pub fn price_usage(usage: &[u64], prices: &[CounterPrice]) -> Result<Balance, PricingError> {
	if usage.len() != prices.len() {
		return Err(PricingError::CounterCountMismatch);
	}
	usage.iter().zip(prices).try_fold(0, |total: Balance, (used, price)| {
		if price.per == 0 {
			return Err(PricingError::ZeroUnit);
		}
		// The product in 256 bits: only a cost that itself does not fit is an overflow.
		let cost = multiply_by_rational_with_rounding(
			Balance::from(*used),
			price.price,
			Balance::from(price.per),
			Rounding::Down,
		)
		.ok_or(PricingError::Overflow)?;
		total.checked_add(cost).ok_or(PricingError::Overflow)
	})
}

/// `message` as browser wallets and polkadot.js `signRaw` sign it: `<Bytes>` + message +
/// `</Bytes>`.
pub fn wrapped_message(message: &[u8]) -> Vec<u8> {
	let mut wrapped = Vec::with_capacity(message.len() + 15);
	wrapped.extend_from_slice(b"<Bytes>");
	wrapped.extend_from_slice(message);
	wrapped.extend_from_slice(b"</Bytes>");
	wrapped
}

/// Whether `signature` is `signer`'s over `message`, signed raw or wrapped
/// ([`wrapped_message`]).
pub fn verify_signature(message: &[u8], signature: &MultiSignature, signer: &AccountId) -> bool {
	verify_signature_counting(message, signature, signer, &mut 0)
}

/// [`verify_signature`], adding to `checks` the signature verifications it made (1 or 2): the
/// chain charges for them.
pub fn verify_signature_counting(
	message: &[u8],
	signature: &MultiSignature,
	signer: &AccountId,
	checks: &mut u32,
) -> bool {
	*checks = checks.saturating_add(1);
	if signature.verify(message, signer) {
		return true;
	}
	*checks = checks.saturating_add(1);
	signature.verify(&wrapped_message(message)[..], signer)
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::{ed25519, sr25519, Pair};

	const GIB: u64 = 1 << 30;

	fn usage(counters: &[u64]) -> Usage {
		BoundedVec::try_from(counters.to_vec()).unwrap()
	}

	fn example() -> Iou {
		Iou { channel: 7, usage: usage(&[3 * GIB, 12_345]), amount: 30_123_450, sequence: 42 }
	}

	#[test]
	fn the_signed_message_is_the_documented_layout() {
		let genesis = Hash::repeat_byte(0xab);
		let message = example().signed_message(&genesis);
		let mut expected = Vec::new();
		expected.extend_from_slice(b"gridchain/iou/v1");
		expected.extend_from_slice(&[0xab; 32]);
		expected.extend_from_slice(&7u64.to_le_bytes());
		expected.push(2 << 2); // compact 2
		expected.extend_from_slice(&(3 * GIB).to_le_bytes());
		expected.extend_from_slice(&12_345u64.to_le_bytes());
		expected.extend_from_slice(&30_123_450u128.to_le_bytes());
		expected.extend_from_slice(&42u64.to_le_bytes());
		assert_eq!(message, expected);
		assert_eq!(message.len(), 16 + 32 + 8 + 1 + 16 + 16 + 8);
	}

	#[test]
	fn the_amount_is_the_usage_priced_and_rounded_down_per_counter() {
		// 1 TFT per GiB, 0.001 TFT per 1,000 requests.
		let prices = [
			CounterPrice { price: 10_000_000, per: GIB },
			CounterPrice { price: 10_000, per: 1_000 },
		];
		assert_eq!(price_usage(&[3 * GIB, 12_345], &prices), Ok(30_000_000 + 123_450));
		// Half a GiB and one request: 0.5 TFT and 10 units (exact), then 1 byte: rounds to 0.
		assert_eq!(price_usage(&[GIB / 2, 1], &prices), Ok(5_000_000 + 10));
		assert_eq!(price_usage(&[1, 0], &prices), Ok(0));
		assert_eq!(price_usage(&[1], &prices), Err(PricingError::CounterCountMismatch));
		let zero = [CounterPrice { price: 1, per: 0 }];
		assert_eq!(price_usage(&[1], &zero), Err(PricingError::ZeroUnit));
		let huge = [CounterPrice { price: Balance::MAX, per: 1 }; 2];
		assert_eq!(price_usage(&[2, 0], &huge), Err(PricingError::Overflow));
		assert_eq!(price_usage(&[1, 1], &huge), Err(PricingError::Overflow));
		// A product beyond 128 bits whose quotient fits is exact, not an overflow.
		let fine = [CounterPrice { price: Balance::MAX, per: u64::MAX }];
		assert_eq!(price_usage(&[3], &fine), Ok(Balance::MAX / Balance::from(u64::MAX) * 3));
		assert_eq!(price_usage(&[], &[]), Ok(0));
	}

	#[test]
	fn raw_and_wrapped_signatures_verify_and_nothing_else_does() {
		let genesis = Hash::repeat_byte(1);
		let message = example().signed_message(&genesis);
		let consumer = sr25519::Pair::from_string("//Alice", None).unwrap();
		let other = sr25519::Pair::from_string("//Bob", None).unwrap();
		let account = |pair: &sr25519::Pair| AccountId::from(pair.public());
		let raw = MultiSignature::from(consumer.sign(&message));
		let wrapped = MultiSignature::from(consumer.sign(&wrapped_message(&message)));
		assert!(verify_signature(&message, &raw, &account(&consumer)));
		assert!(verify_signature(&message, &wrapped, &account(&consumer)));
		assert!(!verify_signature(&message, &raw, &account(&other)));
		// Another chain, another sequence: other bytes.
		let elsewhere = example().signed_message(&Hash::repeat_byte(2));
		assert!(!verify_signature(&elsewhere, &raw, &account(&consumer)));
		let later = Iou { sequence: 43, ..example() }.signed_message(&genesis);
		assert!(!verify_signature(&later, &raw, &account(&consumer)));
		// ed25519 keys sign too.
		let ed = ed25519::Pair::from_string("//Alice", None).unwrap();
		let signature = MultiSignature::from(ed.sign(&message));
		assert!(verify_signature(&message, &signature, &AccountId::from(ed.public())));
	}

	/// The vectors of `tests/vectors/iou.json`, computed here: the encoding, deterministic
	/// ed25519 signatures (sr25519 ones are randomized: the JavaScript test signs and checks
	/// its own).
	fn vectors() -> serde_json::Value {
		let hex = |bytes: &[u8]| format!("0x{}", hex::encode(bytes));
		let ed = ed25519::Pair::from_string("//Alice", None).unwrap();
		let cases = [
			("two counters", Hash::repeat_byte(0xab), example()),
			(
				"no usage yet",
				Hash::repeat_byte(0x01),
				Iou { channel: 1, usage: usage(&[0]), amount: 0, sequence: 0 },
			),
			(
				"large values",
				Hash::repeat_byte(0xfe),
				Iou {
					channel: u64::MAX,
					usage: usage(&[u64::MAX, 1, 2, 3, 4, 5, 6, 7]),
					amount: u128::MAX,
					sequence: u64::MAX,
				},
			),
		];
		let encoding: Vec<_> = cases
			.iter()
			.map(|(name, genesis, iou)| {
				let message = iou.signed_message(genesis);
				serde_json::json!({
					"name": name,
					"genesis_hash": hex(genesis.as_bytes()),
					"channel": iou.channel.to_string(),
					"usage": iou.usage.iter().map(|u| u.to_string()).collect::<Vec<_>>(),
					"amount": iou.amount.to_string(),
					"sequence": iou.sequence.to_string(),
					"message": hex(&message),
					"wrapped_message": hex(&wrapped_message(&message)),
					"ed25519_signature": hex(ed.sign(&message).as_ref()),
					"ed25519_wrapped_signature": hex(ed.sign(&wrapped_message(&message)).as_ref()),
				})
			})
			.collect();
		let prices = [
			CounterPrice { price: 10_000_000, per: GIB },
			CounterPrice { price: 10_000, per: 1_000 },
		];
		let pricing: Vec<_> = [[3 * GIB, 12_345], [GIB / 2, 1], [1, 999], [GIB - 1, 0]]
			.iter()
			.map(|used| {
				serde_json::json!({
					"usage": used.iter().map(|u| u.to_string()).collect::<Vec<_>>(),
					"prices": prices.iter().map(|p| serde_json::json!({
						"price": p.price.to_string(), "per": p.per.to_string()
					})).collect::<Vec<_>>(),
					"amount": price_usage(used, &prices).unwrap().to_string(),
				})
			})
			.collect();
		serde_json::json!({
			"about": "gridchain IOU test vectors: `message` is what both parties sign (see primitives/src/iou.rs), `wrapped_message` what polkadot.js signRaw signs; ed25519 signatures are by the secret URI //Alice (deterministic); amounts are the usage priced per counter, rounded down. Integers are decimal strings.",
			"protocol_tag": "gridchain/iou/v1",
			"ed25519_secret_uri": "//Alice",
			"ed25519_public": hex(ed.public().as_ref()),
			"encoding": encoding,
			"pricing": pricing,
		})
	}

	/// Regenerate with `cargo test -p gridchain-primitives -- --ignored print_iou_vectors
	/// --nocapture` when the format changes (and bump the protocol tag).
	#[test]
	#[ignore]
	fn print_iou_vectors() {
		println!("{}", serde_json::to_string_pretty(&vectors()).unwrap());
	}

	#[test]
	fn the_published_vectors_are_what_this_code_computes() {
		let published: serde_json::Value =
			serde_json::from_str(include_str!("../../tests/vectors/iou.json")).unwrap();
		assert_eq!(published, vectors());
	}
}
