//! Guardian circles as other pallets see them: the guardian pallet owns circles, members and
//! treasuries; a pallet that gives a circle a duty (an IOU bridge, the Stellar bridge) asks
//! through [`Circles`].

/// A guardian circle's id.
pub type CircleId = u32;

/// What other pallets ask about guardian circles.
pub trait Circles<AccountId> {
	/// Whether the circle exists.
	fn exists(circle_id: CircleId) -> bool;
	/// Whether `who` is a member of the circle.
	fn is_member(circle_id: CircleId, who: &AccountId) -> bool;
	/// How many members' agreement the circle needs; `None` for no such circle.
	fn threshold(circle_id: CircleId) -> Option<u32>;
	/// The Stellar account key `who` registered as a member of the circle, if any.
	fn stellar_key(circle_id: CircleId, who: &AccountId) -> Option<[u8; 32]>;
	/// The Stellar account keys the circle's members registered, one per member that did.
	fn stellar_keys(circle_id: CircleId) -> alloc::vec::Vec<[u8; 32]>;
	/// The circle's treasury account (derived from its id, so it outlives member changes).
	fn treasury(circle_id: CircleId) -> AccountId;
	/// Benchmarks: a circle with `member` among its members.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_circle(member: &AccountId) -> CircleId;
	/// Benchmarks: a circle of exactly `members` (as many as circles need at least) with
	/// `threshold`, each member with its Stellar key; its treasury exists.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_stellar_circle(members: &[(AccountId, [u8; 32])], threshold: u32) -> CircleId;
}
