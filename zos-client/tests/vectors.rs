//! The challenge, its hash and the signed bytes agree with an independent implementation on
//! every case of `vectors/zos_deployments.json` (a copy of `shared/vectors/zos_deployments.json`),
//! and each case's ed25519 signature verifies over the bytes we say are signed.

use serde_json::Value;
use sp_core::{ed25519, Pair};
use zos_client::{signed_message, Deployment, SignatureType};

fn cases() -> Vec<Value> {
	let text = include_str!("vectors/zos_deployments.json");
	let vectors: Value = serde_json::from_str(text).expect("vectors are JSON");
	vectors["cases"].as_array().expect("cases").clone()
}

fn hex_field(case: &Value, field: &str) -> Vec<u8> {
	hex::decode(case[field].as_str().unwrap_or_else(|| panic!("{field} missing"))).unwrap()
}

#[test]
fn there_are_vectors_for_both_signature_styles() {
	let cases = cases();
	assert_eq!(cases.len(), 10);
	let styles: Vec<_> = cases
		.iter()
		.map(|c| c["deployment"]["signature_requirement"]["signature_style"].as_str().unwrap())
		.collect();
	assert!(styles.contains(&""));
	assert!(styles.contains(&"polka-wallet"));
}

#[test]
fn challenge_text_matches_every_vector() {
	for (i, case) in cases().iter().enumerate() {
		let deployment: Deployment = serde_json::from_value(case["deployment"].clone())
			.unwrap_or_else(|e| panic!("case {i}: deployment does not parse: {e}"));
		assert_eq!(
			deployment.challenge(),
			case["expected_challenge"].as_str().unwrap(),
			"case {i}"
		);
	}
}

#[test]
fn challenge_hash_matches_every_vector() {
	for (i, case) in cases().iter().enumerate() {
		let deployment: Deployment = serde_json::from_value(case["deployment"].clone()).unwrap();
		let hash = deployment.challenge_hash();
		assert_eq!(
			core::str::from_utf8(&hash.to_hex()).unwrap(),
			case["expected_challenge_hash_hex"].as_str().unwrap(),
			"case {i}"
		);
	}
}

#[test]
fn signed_bytes_match_and_signatures_verify_for_every_vector() {
	for (i, case) in cases().iter().enumerate() {
		let deployment: Deployment = serde_json::from_value(case["deployment"].clone()).unwrap();
		let requirement = &deployment.signature_requirement;
		let message = signed_message(&deployment.challenge_hash(), requirement.signature_style);
		assert_eq!(message, hex_field(case, "signed_message_hex"), "case {i}");

		let seed: [u8; 32] = hex_field(case, "signer_ed25519_seed_hex").try_into().unwrap();
		let public: [u8; 32] = hex_field(case, "signer_ed25519_public_hex").try_into().unwrap();
		assert_eq!(ed25519::Pair::from_seed(&seed).public().0, public, "case {i}: seed and key");

		assert!(!requirement.signatures.is_empty(), "case {i} has no signature");
		for signature in &requirement.signatures {
			assert_eq!(signature.signature_type, SignatureType::Ed25519);
			let bytes: [u8; 64] = hex::decode(&signature.signature).unwrap().try_into().unwrap();
			assert!(
				ed25519::Pair::verify(
					&ed25519::Signature::from_raw(bytes),
					&message,
					&ed25519::Public::from_raw(public)
				),
				"case {i}: signature does not verify"
			);
		}
	}
}

#[test]
fn a_changed_field_changes_the_hash() {
	let case = &cases()[0];
	let deployment: Deployment = serde_json::from_value(case["deployment"].clone()).unwrap();
	let mut changed = deployment.clone();
	changed.workloads[0].name.push('x');
	assert_ne!(changed.challenge_hash(), deployment.challenge_hash());
	// The contract id and the signatures are not part of the challenge.
	let mut recontracted = deployment.clone();
	recontracted.contract_id += 1;
	recontracted.signature_requirement.signatures.clear();
	assert_eq!(recontracted.challenge_hash(), deployment.challenge_hash());
}

#[test]
fn deployment_json_round_trips() {
	for case in cases() {
		let deployment: Deployment = serde_json::from_value(case["deployment"].clone()).unwrap();
		let again: Deployment =
			serde_json::from_str(&serde_json::to_string(&deployment).unwrap()).unwrap();
		assert_eq!(again, deployment);
	}
}
