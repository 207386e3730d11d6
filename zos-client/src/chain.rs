//! What a ZOS node asks the chain about a deployment, as the runtime API `ZosApi` answers it.
//! The runtime and the simulator share these types, so they cannot disagree on the encoding.

use codec::{Decode, Encode};
use scale_info::TypeInfo;

/// The agreement behind a deployment.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct AgreementView {
	/// The agreement's (contract's) id.
	pub contract_id: u64,
	/// The node the agreement is for.
	pub node_id: u32,
	/// The twin that made it.
	pub twin_id: u32,
	/// The twin's public key (its account).
	pub twin_key: [u8; 32],
	/// The 32 lowercase hex characters of the deployment's challenge hash.
	pub deployment_hash: [u8; 32],
	/// Where the agreement stands.
	pub status: AgreementStatus,
}

/// Where an agreement stands, as far as a ZOS node cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum AgreementStatus {
	/// Funded, waiting for the deployment.
	Created,
	/// Deployed and paid for.
	Deployed,
	/// Out of funds, waiting for a top-up: ZOS pauses the workloads.
	GracePeriod,
	/// Cancelled: ZOS removes the workloads.
	Cancelled,
}
