//! ZOS deployment types, serialized exactly as ZOS (`pkg/gridtypes`) does.

use alloc::{string::String, vec::Vec};
use serde::{Deserialize, Serialize};

/// The `type` of a volume workload.
pub const VOLUME_TYPE: &str = "volume";
/// The `type` of a zmount (a disk attached to a VM) workload.
pub const ZMOUNT_TYPE: &str = "zmount";

/// A deployment: the set of workloads a twin asks one ZOS node to run under one contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
	/// 0 at creation, incremented by every update.
	pub version: u32,
	/// The twin that owns the deployment.
	pub twin_id: u32,
	/// The contract on chain that pays for it.
	pub contract_id: u64,
	/// Free text for the owner's tools.
	pub metadata: String,
	/// Free text for people.
	pub description: String,
	/// Deprecated in ZOS; still part of the challenge.
	#[serde(default)]
	pub expiration: i64,
	/// Who must sign, and the signatures.
	pub signature_requirement: SignatureRequirement,
	/// The workloads.
	pub workloads: Vec<Workload>,
}

impl Deployment {
	/// A new deployment of `workloads` that one twin signs alone, as a gridchain agreement
	/// carries it: version 0, no expiration, one signature request for the twin (weight 1, not
	/// required), weight 1 required, no signatures yet. The runtime and clients build the
	/// deployment whose challenge a twin signs with this, so both hash the same thing.
	pub fn single_twin(
		contract_id: u64,
		twin_id: u32,
		metadata: String,
		description: String,
		signature_style: SignatureStyle,
		workloads: Vec<Workload>,
	) -> Self {
		Deployment {
			version: 0,
			twin_id,
			contract_id,
			metadata,
			description,
			expiration: 0,
			signature_requirement: SignatureRequirement {
				requests: alloc::vec![SignatureRequest { twin_id, required: false, weight: 1 }],
				weight_required: 1,
				signatures: Vec::new(),
				signature_style,
			},
			workloads,
		}
	}
}

/// Who must sign a deployment, and with what weight.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureRequirement {
	/// The twins whose signatures count.
	pub requests: Vec<SignatureRequest>,
	/// The total weight of valid signatures needed.
	pub weight_required: u32,
	/// The signatures collected so far.
	#[serde(default)]
	pub signatures: Vec<Signature>,
	/// What bytes a signature signs.
	#[serde(default)]
	pub signature_style: SignatureStyle,
}

/// One twin whose signature counts toward a deployment's required weight.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureRequest {
	/// The signing twin.
	pub twin_id: u32,
	/// Whether the deployment is invalid without this twin's signature.
	pub required: bool,
	/// The weight of this twin's signature.
	pub weight: u32,
}

/// A signature over the deployment's challenge hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
	/// The signing twin.
	pub twin_id: u32,
	/// The signature, hex encoded.
	pub signature: String,
	/// The key type of the twin.
	pub signature_type: SignatureType,
}

/// The key type a signature was made with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureType {
	/// Ed25519.
	Ed25519,
	/// Sr25519 with the signing context `substrate`.
	Sr25519,
}

/// What a signature signs: the raw hash bytes, or the text a Polkadot browser wallet signs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignatureStyle {
	/// The 16 raw bytes of the challenge hash (`""` in ZOS).
	#[default]
	#[serde(rename = "")]
	Raw,
	/// `<Bytes>` + the hash's 32 hex characters + `</Bytes>` (`"polka-wallet"` in ZOS).
	#[serde(rename = "polka-wallet")]
	PolkaWallet,
}

impl SignatureStyle {
	/// The style's name as it appears in the JSON and in the challenge.
	pub fn as_str(&self) -> &'static str {
		match self {
			SignatureStyle::Raw => "",
			SignatureStyle::PolkaWallet => "polka-wallet",
		}
	}
}

/// One workload of a deployment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workload {
	/// 0 at creation; set to the deployment's version when the workload changes.
	pub version: u32,
	/// Unique within the deployment: `^[a-zA-Z0-9_]+$`.
	pub name: String,
	/// What to run, with its `type`.
	#[serde(flatten)]
	pub data: WorkloadData,
	/// Free text for the owner's tools.
	#[serde(default)]
	pub metadata: String,
	/// Free text for people.
	#[serde(default)]
	pub description: String,
	/// What the node made of it.
	#[serde(default)]
	pub result: WorkloadResult,
}

impl Workload {
	/// A new workload (version 0, no result yet).
	pub fn new(name: String, data: WorkloadData, metadata: String, description: String) -> Self {
		Workload { version: 0, name, data, metadata, description, result: Default::default() }
	}
}

/// A workload's `type` and `data`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "lowercase")]
pub enum WorkloadData {
	/// Storage space on the node's SSD: `{"size": bytes}`.
	Volume {
		/// Bytes; must be more than 0.
		size: u64,
	},
	/// A disk for a VM on the node's SSD: `{"size": bytes}`.
	Zmount {
		/// Bytes; must be more than 0.
		size: u64,
	},
}

impl WorkloadData {
	/// The workload's `type` as ZOS names it.
	pub fn type_name(&self) -> &'static str {
		match self {
			WorkloadData::Volume { .. } => VOLUME_TYPE,
			WorkloadData::Zmount { .. } => ZMOUNT_TYPE,
		}
	}

	/// SSD bytes the workload reserves (SRU).
	pub fn sru(&self) -> u64 {
		match self {
			WorkloadData::Volume { size } | WorkloadData::Zmount { size } => *size,
		}
	}
}

/// The state of a workload on the node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResultState {
	/// No result yet.
	#[default]
	#[serde(rename = "")]
	None,
	/// Being deployed.
	Init,
	/// Kept as it was by an update.
	Unchanged,
	/// Failed; the reason is in the message.
	Error,
	/// Running.
	Ok,
	/// Removed.
	Deleted,
	/// Paused (the contract is in its grace period).
	Paused,
}

/// What the node made of a workload.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadResult {
	/// When the result was set, unix seconds.
	#[serde(default)]
	pub created: i64,
	/// The workload's state.
	#[serde(default)]
	pub state: ResultState,
	/// The error, when the state is `error`.
	#[serde(default)]
	pub message: String,
	/// Type-specific result data, e.g. `{"id": "<twin>-<contract>-<name>"}` for a volume.
	#[serde(default)]
	pub data: serde_json::Value,
}
