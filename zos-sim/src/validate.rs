//! Validating a new deployment the way a ZOS node does (zosbase `pkg/gridtypes` and the
//! provision engine): its shape, its signatures against the twins' keys on chain, and the
//! agreement on chain.

use crate::node::Refusal;
use sp_core::{ed25519, sr25519, Pair as _};
use std::collections::{BTreeMap, BTreeSet};
use zos_client::{
	chain::{AgreementStatus, AgreementView},
	error::code,
	signed_message, Deployment, SignatureType, WorkloadData,
};

/// What the chain says about a deployment: its agreement and the keys of the twins that
/// signed it.
#[derive(Clone, Debug, Default)]
pub struct ChainFacts {
	/// The agreement of the deployment's contract id, if there is one.
	pub agreement: Option<AgreementView>,
	/// The public keys of the signing twins that exist.
	pub twin_keys: BTreeMap<u32, [u8; 32]>,
}

fn refused(message: impl Into<String>) -> Refusal {
	Refusal { code: code::REFUSED, message: message.into() }
}

/// Whether a workload name is what ZOS accepts: `^[a-zA-Z0-9_]+$`.
fn is_valid_name(name: &str) -> bool {
	!name.is_empty() && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// The deployment's own rules: versions, names, sizes, signature requirement.
pub fn check_shape(deployment: &Deployment) -> Result<(), Refusal> {
	if deployment.version != 0 {
		return Err(refused(format!(
			"invalid version {}: a new deployment has version 0",
			deployment.version
		)));
	}
	if deployment.twin_id == 0 {
		return Err(refused("twin id is required"));
	}
	if deployment.contract_id == 0 {
		return Err(refused("contract id is required"));
	}
	if deployment.workloads.is_empty() {
		return Err(refused("deployment has no workloads"));
	}
	let mut names = BTreeSet::new();
	for workload in &deployment.workloads {
		if !is_valid_name(&workload.name) {
			return Err(refused(format!("invalid workload name {:?}", workload.name)));
		}
		if !names.insert(workload.name.as_str()) {
			return Err(refused(format!("multiple workloads with name {:?}", workload.name)));
		}
		if workload.version != 0 {
			return Err(refused(format!(
				"workload {:?} has version {}, not the deployment's 0",
				workload.name, workload.version
			)));
		}
		match workload.data {
			WorkloadData::Volume { size } | WorkloadData::Zmount { size } if size == 0 => {
				return Err(refused(format!("workload {:?}: size cannot be zero", workload.name)))
			},
			_ => {},
		}
	}
	let requirement = &deployment.signature_requirement;
	if requirement.weight_required == 0 {
		return Err(refused("signature requirement: weight_required cannot be 0"));
	}
	if !requirement.requests.iter().any(|request| request.twin_id == deployment.twin_id) {
		return Err(refused(
			"signature requirement: the deployment's twin is not among the requests",
		));
	}
	Ok(())
}

/// The signatures: each by a requested twin, verifying with that twin's key on chain over
/// the challenge hash in the deployment's style; their weights reach `weight_required` and
/// every required twin signed.
pub fn check_signatures(deployment: &Deployment, facts: &ChainFacts) -> Result<(), Refusal> {
	let requirement = &deployment.signature_requirement;
	let message = signed_message(&deployment.challenge_hash(), requirement.signature_style);
	let mut signed = BTreeSet::new();
	let mut weight: u64 = 0;
	for signature in &requirement.signatures {
		let Some(request) =
			requirement.requests.iter().find(|request| request.twin_id == signature.twin_id)
		else {
			return Err(refused(format!(
				"signature of twin {} was not requested",
				signature.twin_id
			)));
		};
		if !signed.insert(signature.twin_id) {
			return Err(refused(format!("twin {} signed twice", signature.twin_id)));
		}
		let key = facts
			.twin_keys
			.get(&signature.twin_id)
			.ok_or_else(|| refused(format!("twin {} not found on chain", signature.twin_id)))?;
		let bytes = hex::decode(&signature.signature)
			.map_err(|_| refused(format!("signature of twin {} is not hex", signature.twin_id)))?;
		let valid = match signature.signature_type {
			SignatureType::Sr25519 => {
				sr25519::Signature::try_from(bytes.as_slice()).is_ok_and(|sig| {
					sr25519::Pair::verify(&sig, &message, &sr25519::Public::from_raw(*key))
				})
			},
			SignatureType::Ed25519 => {
				ed25519::Signature::try_from(bytes.as_slice()).is_ok_and(|sig| {
					ed25519::Pair::verify(&sig, &message, &ed25519::Public::from_raw(*key))
				})
			},
		};
		if !valid {
			return Err(refused(format!("invalid signature of twin {}", signature.twin_id)));
		}
		weight = weight.saturating_add(request.weight.into());
	}
	if let Some(missing) = requirement
		.requests
		.iter()
		.find(|request| request.required && !signed.contains(&request.twin_id))
	{
		return Err(refused(format!("required signature of twin {} is missing", missing.twin_id)));
	}
	if weight < requirement.weight_required.into() {
		return Err(refused(format!(
			"signature weight {weight} does not reach the required {}",
			requirement.weight_required
		)));
	}
	Ok(())
}

/// The agreement on chain: it exists, is this twin's, for this node, not cancelled, and carries
/// this deployment's hash.
pub fn check_agreement(
	deployment: &Deployment,
	facts: &ChainFacts,
	node_id: u32,
) -> Result<(), Refusal> {
	let Some(agreement) = &facts.agreement else {
		return Err(refused(format!("contract {} not found on chain", deployment.contract_id)));
	};
	if agreement.node_id != node_id {
		return Err(refused(format!(
			"contract {} is for node {}, not this node ({node_id})",
			deployment.contract_id, agreement.node_id
		)));
	}
	if agreement.twin_id != deployment.twin_id {
		return Err(refused(format!(
			"contract {} belongs to twin {}, not twin {}",
			deployment.contract_id, agreement.twin_id, deployment.twin_id
		)));
	}
	if agreement.status == AgreementStatus::Cancelled {
		return Err(refused(format!("contract {} is cancelled", deployment.contract_id)));
	}
	let hash = deployment.challenge_hash().to_hex();
	if agreement.deployment_hash != hash {
		return Err(refused(format!(
			"contract {} carries hash {}, the deployment's is {}",
			deployment.contract_id,
			String::from_utf8_lossy(&agreement.deployment_hash),
			String::from_utf8_lossy(&hash)
		)));
	}
	Ok(())
}
