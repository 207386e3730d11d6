//! The records of the IOU pallet: services and their prices, bridges and their policies,
//! consumers' escrow and reputation with a bridge, and channels.

use crate::pallet::Config;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::ConstU32, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
pub use gridchain_primitives::{
	circles::CircleId,
	grid::FarmId,
	iou::{ChannelId, CounterPrice, Iou, SignedIou, Usage, MAX_USAGE_COUNTERS},
	Balance,
};
use scale_info::TypeInfo;
use sp_runtime::Permill;

/// A kind of grid service. New kinds join at the end with the next index; a kind's index never
/// changes.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
pub enum ServiceKind {
	/// Storing data (e.g. per GiB-day stored, per GiB written).
	#[codec(index = 0)]
	Storage,
	/// Running computations (e.g. per core-hour).
	#[codec(index = 1)]
	Compute,
	/// Moving data (e.g. per GiB transferred).
	#[codec(index = 2)]
	Bandwidth,
	/// Answering requests (e.g. per 1,000 RPC requests).
	#[codec(index = 3)]
	Requests,
	/// Delivering messages (e.g. per SMS, per email).
	#[codec(index = 4)]
	Messaging,
	/// AI inference (e.g. per 1,000 tokens).
	#[codec(index = 5)]
	Inference,
}

/// The prices of a service: one per usage counter, in the counters' order.
pub type ServicePrices = BoundedVec<CounterPrice, ConstU32<MAX_USAGE_COUNTERS>>;

/// The lowest and highest price of one counter. Prices are compared as rates (`price / per`),
/// exactly (by cross-multiplication).
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
pub struct PriceRange {
	/// The lowest rate allowed.
	pub min: CounterPrice,
	/// The highest rate allowed.
	pub max: CounterPrice,
}

/// The council's bounds for a kind of service: one range per counter, so the bounds also fix
/// how many counters services of that kind have.
pub type ServiceBounds = BoundedVec<PriceRange, ConstU32<MAX_USAGE_COUNTERS>>;

/// How a bridge works, set by its circle.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct BridgePolicy<BlockNumber> {
	/// The bridge's share of every settled amount, paid to its circle's treasury.
	pub fee: Permill,
	/// Blocks between two roll-ups.
	pub settlement_interval: BlockNumber,
	/// Blocks between a consumer's withdrawal request and the withdrawal: at least the
	/// settlement interval, so providers get the IOUs they hold settled first.
	pub withdrawal_delay: BlockNumber,
	/// Blocks a consumer has to pay a payment request before it bounces.
	pub payment_period: BlockNumber,
	/// The escrow (beyond what is being withdrawn) a consumer needs to open a channel.
	pub min_escrow: Balance,
	/// The reputation score (0..=100) below which a consumer needs `low_score_escrow`.
	pub min_score: u8,
	/// The escrow a consumer below `min_score` needs to open a channel.
	pub low_score_escrow: Balance,
}

/// A registered bridge: its policy and its roll-up's state.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
pub struct Bridge<T: Config> {
	/// How it works.
	pub policy: BridgePolicy<BlockNumberFor<T>>,
	/// The block its next roll-up is due (in the roll-up agenda).
	pub next_rollup: BlockNumberFor<T>,
	/// The first page of its settlement queue that may hold channels.
	pub queue_head: u32,
	/// The page of its settlement queue new channels join.
	pub queue_tail: u32,
}

/// A withdrawal of escrow waiting for the bridge's delay.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct Unlocking<BlockNumber> {
	/// How much leaves (at most what is left in escrow then).
	pub amount: Balance,
	/// From which block it can be withdrawn.
	pub at: BlockNumber,
}

/// What a bridge knows of how a consumer pays.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct Reputation<BlockNumber> {
	/// Everything the consumer paid through the bridge (settlements and payment requests).
	pub settled_amount: Balance,
	/// How many settlements and paid requests paid something.
	pub settled_ious: u64,
	/// How many payment requests bounced.
	pub bounces: u32,
	/// What the bounces left unpaid.
	pub bounced_amount: Balance,
	/// The block of the last bounce.
	pub last_bounce: Option<BlockNumber>,
}

/// A consumer's score for a new consumer: neither trusted nor distrusted.
pub const NEUTRAL_SCORE: u8 = 50;
/// The most a good record adds to the neutral score.
pub const MAX_SCORE_EARNED: u64 = 50;
/// Settlements that add one point.
pub const SETTLEMENTS_PER_POINT: u64 = 10;
/// Points a bounce takes.
pub const POINTS_PER_BOUNCE: u64 = 25;

impl<BlockNumber> Default for Reputation<BlockNumber> {
	fn default() -> Self {
		Self {
			settled_amount: 0,
			settled_ious: 0,
			bounces: 0,
			bounced_amount: 0,
			last_bounce: None,
		}
	}
}

impl<BlockNumber> Reputation<BlockNumber> {
	/// The score, 0..=100: 50, plus a point per 10 settlements (at most 50), minus 25 per
	/// bounce. A consumer who bounced twice is at 0 until it has settled 500 times more.
	pub fn score(&self) -> u8 {
		let earned = (self.settled_ious / SETTLEMENTS_PER_POINT).min(MAX_SCORE_EARNED);
		let lost = u64::from(self.bounces).saturating_mul(POINTS_PER_BOUNCE);
		(u64::from(NEUTRAL_SCORE) + earned).saturating_sub(lost).min(100) as u8
	}

	/// Counts a payment (a settlement from escrow or a paid request).
	pub fn record_payment(&mut self, amount: Balance) {
		self.settled_amount = self.settled_amount.saturating_add(amount);
		self.settled_ious = self.settled_ious.saturating_add(1);
	}
}

/// A consumer's account with a bridge: escrow, a pending withdrawal, reputation. It stays when
/// the escrow is gone: reputation is not erased by withdrawing.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct ConsumerAccount<BlockNumber> {
	/// Held on the consumer's account for this bridge.
	pub escrow: Balance,
	/// A withdrawal waiting for the delay.
	pub unlocking: Option<Unlocking<BlockNumber>>,
	/// How it paid so far.
	pub reputation: Reputation<BlockNumber>,
	/// Blocked by the bridge's circle: opens no channel.
	pub blocked: bool,
	/// Its channels waiting in the bridge's settlement queue: escrow stays while any does.
	pub queued_channels: u32,
}

impl<BlockNumber> Default for ConsumerAccount<BlockNumber> {
	fn default() -> Self {
		Self {
			escrow: 0,
			unlocking: None,
			reputation: Reputation::default(),
			blocked: false,
			queued_channels: 0,
		}
	}
}

impl<BlockNumber> ConsumerAccount<BlockNumber> {
	/// Escrow not on its way out.
	pub fn available(&self) -> Balance {
		let leaving = self.unlocking.as_ref().map_or(0, |unlocking| unlocking.amount);
		self.escrow.saturating_sub(leaving)
	}
}

/// The newest IOU accepted on a channel (without its signatures).
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct Newest {
	/// Cumulative usage per counter.
	pub usage: Usage,
	/// Cumulative amount.
	pub amount: Balance,
	/// Its sequence number.
	pub sequence: u64,
}

/// Part of a channel's amount the consumer was asked to pay itself (its escrow did not cover
/// it).
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct PaymentRequest<BlockNumber> {
	/// What is asked.
	pub amount: Balance,
	/// Unpaid at this block, it bounces.
	pub deadline: BlockNumber,
}

/// A channel: a consumer using a farm's service, paid through a bridge.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
pub struct Channel<T: Config> {
	/// The bridge that settles it.
	pub bridge: CircleId,
	/// Who uses the service and pays.
	pub consumer: T::AccountId,
	/// The farm that provides the service.
	pub farm_id: FarmId,
	/// Which of the farm's services.
	pub service: ServiceKind,
	/// The service's prices when the channel opened: they hold for the channel's life.
	pub prices: ServicePrices,
	/// The storage deposit held on the consumer's account.
	pub deposit: Balance,
	/// The newest IOU accepted; `None` before the first.
	pub newest: Option<Newest>,
	/// What was paid to the provider (with the bridge's fee) so far.
	pub paid: Balance,
	/// Waiting in the bridge's settlement queue.
	pub queued: bool,
	/// What the consumer was asked to pay, if anything.
	pub request: Option<PaymentRequest<BlockNumberFor<T>>>,
	/// From this block it takes no more IOUs and can be closed once paid.
	pub closes_at: Option<BlockNumberFor<T>>,
}

impl<T: Config> Channel<T> {
	/// The newest IOU's amount (0 before the first).
	pub fn owed(&self) -> Balance {
		self.newest.as_ref().map_or(0, |newest| newest.amount)
	}

	/// What the newest IOU says beyond what was paid.
	pub fn unpaid(&self) -> Balance {
		self.owed().saturating_sub(self.paid)
	}
}

/// What the runtime API tells about a consumer with a bridge.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct ConsumerView<BlockNumber> {
	/// Held for the bridge.
	pub escrow: Balance,
	/// Escrow not on its way out.
	pub available: Balance,
	/// A withdrawal waiting for the delay.
	pub unlocking: Option<Unlocking<BlockNumber>>,
	/// How it paid so far.
	pub reputation: Reputation<BlockNumber>,
	/// The score the bridge's policy compares (see [`Reputation::score`]).
	pub score: u8,
	/// Blocked by the bridge's circle.
	pub blocked: bool,
	/// Whether the bridge's policy lets it open a channel now.
	pub may_open_channel: bool,
}
