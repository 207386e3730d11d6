//! Transactions from the vault as the relay handles them (payments, and changes of the vault's
//! signers): it rebuilds each one the chain fixed with SDF's `stellar-xdr` (not the chain's own
//! encoder) and signs only when both agree on the hash; it assembles the envelope from the
//! signatures of the vault's current signers; and it decides what to report from what Stellar
//! shows.

use gridchain_primitives::stellar::{Memo as ChainMemo, Payment, SetSigners, VaultTransaction};
use stellar_xdr::{
	AccountId, AlphaNum12, AlphaNum4, Asset, AssetCode12, AssetCode4, DecoratedSignature, Hash,
	Limits, Memo, MuxedAccount, Operation, OperationBody, PaymentOp, Preconditions, PublicKey,
	SequenceNumber, SetOptionsOp, Signature, SignatureHint, Signer, SignerKey, StringM, TimeBounds,
	TimePoint, Transaction, TransactionEnvelope, TransactionExt, TransactionV1Envelope, Uint256,
	WriteXdr,
};

use crate::horizon::{Account, TxRecord};

/// Why the relay will not sign a payment.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PaymentError {
	#[error("the payment cannot be a Stellar transaction: {0}")]
	NotATransaction(&'static str),
	#[error("the chain's hash {chain} is not the transaction's {ours}: refusing to sign")]
	HashMismatch { chain: String, ours: String },
}

/// The chain's transaction as a Stellar transaction, built with SDF's types.
pub fn transaction(transaction: &VaultTransaction) -> Result<Transaction, PaymentError> {
	match transaction {
		VaultTransaction::Payment(payment) => payment_transaction(payment),
		VaultTransaction::SetSigners(change) => set_signers_transaction(change),
	}
}

fn account(key: &[u8; 32]) -> MuxedAccount {
	MuxedAccount::Ed25519(Uint256(*key))
}

fn memo(memo: &ChainMemo) -> Result<Memo, PaymentError> {
	Ok(match memo {
		ChainMemo::None => Memo::None,
		ChainMemo::Text(text) => Memo::Text(
			StringM::try_from(text.to_vec())
				.map_err(|_| PaymentError::NotATransaction("a text memo over 28 bytes"))?,
		),
		ChainMemo::Id(id) => Memo::Id(*id),
		ChainMemo::Hash(hash) => Memo::Hash(Hash(*hash)),
		ChainMemo::Return(hash) => Memo::Return(Hash(*hash)),
	})
}

/// The transaction around `operations`.
fn with_operations(
	(source, fee, sequence): (&[u8; 32], u32, i64),
	(min_time, max_time): (u64, u64),
	chain_memo: &ChainMemo,
	operations: Vec<Operation>,
) -> Result<Transaction, PaymentError> {
	Ok(Transaction {
		source_account: account(source),
		fee,
		seq_num: SequenceNumber(sequence),
		cond: Preconditions::Time(TimeBounds {
			min_time: TimePoint(min_time),
			max_time: TimePoint(max_time),
		}),
		memo: memo(chain_memo)?,
		operations: operations
			.try_into()
			.map_err(|_| PaymentError::NotATransaction("more than 100 operations"))?,
		ext: TransactionExt::V0,
	})
}

/// A change of the vault's signers: one set-options operation per signer, then the master
/// weight (0) and the thresholds.
fn set_signers_transaction(change: &SetSigners) -> Result<Transaction, PaymentError> {
	let set_options = |options: SetOptionsOp| Operation {
		source_account: None,
		body: OperationBody::SetOptions(options),
	};
	let none = SetOptionsOp {
		inflation_dest: None,
		clear_flags: None,
		set_flags: None,
		master_weight: None,
		low_threshold: None,
		med_threshold: None,
		high_threshold: None,
		home_domain: None,
		signer: None,
	};
	let mut operations: Vec<Operation> = change
		.signers
		.iter()
		.map(|(key, weight)| {
			set_options(SetOptionsOp {
				signer: Some(Signer {
					key: SignerKey::Ed25519(Uint256(*key)),
					weight: u32::from(*weight),
				}),
				..none.clone()
			})
		})
		.collect();
	let threshold = Some(u32::from(change.threshold));
	operations.push(set_options(SetOptionsOp {
		master_weight: Some(0),
		low_threshold: threshold,
		med_threshold: threshold,
		high_threshold: threshold,
		..none
	}));
	with_operations(
		(&change.source, change.fee, change.sequence),
		(change.min_time, change.max_time),
		&change.memo,
		operations,
	)
}

fn payment_transaction(payment: &Payment) -> Result<Transaction, PaymentError> {
	let issuer = AccountId(PublicKey::PublicKeyTypeEd25519(Uint256(payment.asset.issuer)));
	let asset = match payment.asset.code.len() {
		4 => Asset::CreditAlphanum4(AlphaNum4 {
			asset_code: AssetCode4(payment.asset.code.as_slice().try_into().expect("4 bytes")),
			issuer,
		}),
		12 => Asset::CreditAlphanum12(AlphaNum12 {
			asset_code: AssetCode12(payment.asset.code.as_slice().try_into().expect("12 bytes")),
			issuer,
		}),
		_ => return Err(PaymentError::NotATransaction("an asset code of neither 4 nor 12 bytes")),
	};
	let operation = Operation {
		source_account: None,
		body: OperationBody::Payment(PaymentOp {
			destination: account(&payment.destination),
			asset,
			amount: payment.amount,
		}),
	};
	with_operations(
		(&payment.source, payment.fee, payment.sequence),
		(payment.min_time, payment.max_time),
		&payment.memo,
		vec![operation],
	)
}

/// The payment's hash on the network `network_id`, checked against the hash the chain stored:
/// what the relay signs.
pub fn checked_hash(
	payment: &VaultTransaction,
	network_id: [u8; 32],
	chain_hash: &[u8; 32],
) -> Result<[u8; 32], PaymentError> {
	let ours = transaction(payment)?
		.hash(network_id)
		.map_err(|_| PaymentError::NotATransaction("not encodable"))?;
	if &ours != chain_hash {
		return Err(PaymentError::HashMismatch {
			chain: hex::encode(chain_hash),
			ours: hex::encode(ours),
		});
	}
	Ok(ours)
}

/// The signatures to submit: those of the vault's current signers (Stellar refuses any other,
/// `tx_bad_auth_extra`), heaviest first, just enough to reach the threshold `transaction`
/// needs (medium for a payment, high for a change of signers); `None` while they do not reach
/// it.
pub fn enough_signatures(
	held: &[([u8; 32], [u8; 64])],
	vault: &Account,
	transaction: &VaultTransaction,
) -> Option<Vec<([u8; 32], [u8; 64])>> {
	let mut usable: Vec<_> = held
		.iter()
		.filter_map(|(key, signature)| {
			let weight = vault.signers.iter().find(|(signer, _)| signer == key)?.1;
			(weight > 0).then_some((weight, *key, *signature))
		})
		.collect();
	usable.sort_by_key(|(weight, _, _)| std::cmp::Reverse(*weight));
	let threshold = match transaction {
		VaultTransaction::Payment(_) => vault.med_threshold,
		VaultTransaction::SetSigners(_) => vault.high_threshold,
	};
	let needed = u32::from(threshold.max(1));
	let mut total = 0u32;
	let mut chosen = Vec::new();
	for (weight, key, signature) in usable {
		if total >= needed {
			break;
		}
		total += u32::from(weight);
		chosen.push((key, signature));
	}
	(total >= needed).then_some(chosen)
}

/// The signed envelope (base64 XDR) to submit.
pub fn envelope(
	payment: &VaultTransaction,
	signatures: &[([u8; 32], [u8; 64])],
) -> Result<String, PaymentError> {
	let signatures: Vec<_> = signatures
		.iter()
		.map(|(key, signature)| DecoratedSignature {
			hint: SignatureHint(key[28..].try_into().expect("4 bytes")),
			signature: Signature(signature.to_vec().try_into().expect("64 bytes")),
		})
		.collect();
	let envelope = TransactionEnvelope::Tx(TransactionV1Envelope {
		tx: transaction(payment)?,
		signatures: signatures
			.try_into()
			.map_err(|_| PaymentError::NotATransaction("more than 20 signatures"))?,
	});
	envelope
		.to_xdr_base64(Limits::none())
		.map_err(|_| PaymentError::NotATransaction("not encodable"))
}

/// What a validator reports of a payment (the chain's `PaymentResult`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
	Paid,
	Failed,
	Expired,
}

/// What to do about a pending payment, from what Stellar shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
	Report(Outcome),
	/// Submit it (enough signatures are there and it may still apply).
	Submit,
	/// Nothing to do now, and why.
	Wait(&'static str),
}

/// Decides about a pending payment: `found` is the transaction with its hash on Stellar, if
/// any; `vault_sequence` the vault's sequence number now; `closed_at` when the latest ledger
/// closed; `signed` whether enough signatures are held.
pub fn next_step(
	payment: &VaultTransaction,
	found: Option<&TxRecord>,
	vault_sequence: i64,
	closed_at: u64,
	signed: bool,
) -> Next {
	if let Some(record) = found {
		return Next::Report(if record.successful { Outcome::Paid } else { Outcome::Failed });
	}
	if vault_sequence >= payment.sequence() {
		// Its sequence was used by another transaction: it can never apply. Only the council
		// can put the vault right (this must not happen: only the chain fixes vault payments).
		return Next::Wait("the vault's sequence passed this payment's without it");
	}
	if payment.max_time() != 0 && closed_at > payment.max_time() {
		return Next::Report(Outcome::Expired);
	}
	if signed {
		Next::Submit
	} else {
		Next::Wait("waiting for the validators' signatures")
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use gridchain_primitives::stellar::{self, Asset as ChainAsset};
	use proptest::prelude::*;

	fn payment(memo: ChainMemo, code: &[u8], min_time: u64, max_time: u64) -> Payment {
		Payment {
			source: [0x0a; 32],
			fee: 100,
			sequence: 1_001,
			min_time,
			max_time,
			memo,
			destination: [0xde; 32],
			asset: ChainAsset::new(code, [0x15; 32]).unwrap(),
			amount: 95_000_000,
		}
	}

	/// The chain's encoder (primitives::stellar) and SDF's agree on every byte.
	fn agree(payment: &VaultTransaction) {
		let network = stellar::network_id(stellar::TEST_NETWORK);
		let sdf = transaction(payment).unwrap();
		assert_eq!(payment.transaction_xdr(), sdf.to_xdr(Limits::none()).unwrap());
		assert_eq!(payment.hash(&network), sdf.hash(network).unwrap());
		assert_eq!(
			checked_hash(payment, network, &payment.hash(&network)),
			Ok(payment.hash(&network))
		);
	}

	#[test]
	fn the_chains_encoder_and_sdfs_agree_on_every_memo_and_asset() {
		let memos = [
			ChainMemo::None,
			ChainMemo::Text(b"burn_42".to_vec().try_into().unwrap()),
			ChainMemo::Id(7),
			ChainMemo::Hash([3; 32]),
			ChainMemo::Return([4; 32]),
		];
		for memo in memos {
			agree(&VaultTransaction::Payment(payment(memo.clone(), b"TFT", 0, 0)));
			agree(&VaultTransaction::Payment(payment(
				memo,
				b"TFTLONGCODE",
				1_700_000_000,
				1_700_003_600,
			)));
		}
	}

	fn set_signers(signers: Vec<([u8; 32], u8)>, threshold: u8) -> VaultTransaction {
		VaultTransaction::SetSigners(SetSigners {
			source: [0x0a; 32],
			fee: 300,
			sequence: 1_002,
			min_time: 0,
			max_time: 1_700_003_600,
			memo: ChainMemo::Text(b"vault_signers".to_vec().try_into().unwrap()),
			signers: signers.try_into().unwrap(),
			threshold,
		})
	}

	#[test]
	fn the_chains_encoder_and_sdfs_agree_on_changes_of_signers() {
		agree(&set_signers(vec![], 3));
		agree(&set_signers(vec![([4; 32], 0), ([6; 32], 1)], 3));
		let sdf = transaction(&set_signers(vec![([4; 32], 0), ([6; 32], 1)], 2)).unwrap();
		assert_eq!(sdf.operations.len(), 3);
		let OperationBody::SetOptions(last) = &sdf.operations[2].body else { panic!() };
		assert_eq!(
			(last.master_weight, last.low_threshold, last.med_threshold, last.high_threshold),
			(Some(0), Some(2), Some(2), Some(2))
		);
	}

	proptest! {
		#[test]
		fn they_agree_on_random_payments(
			fee in any::<u32>(), sequence in any::<i64>(), min_time in any::<u64>(),
			max_time in any::<u64>(), amount in any::<i64>(), text in "[a-z_0-9]{0,28}",
			code in "[A-Z0-9]{1,12}", keys in any::<[u8; 32]>(),
		) {
			let mut p = payment(ChainMemo::Text(text.into_bytes().try_into().unwrap()), code.as_bytes(), min_time, max_time);
			p.fee = fee;
			p.sequence = sequence;
			p.amount = amount;
			p.destination = keys;
			agree(&VaultTransaction::Payment(p));
		}

		#[test]
		fn they_agree_on_random_changes_of_signers(
			signers in prop::collection::vec((any::<[u8; 32]>(), any::<u8>()), 0..40),
			threshold in any::<u8>(), fee in any::<u32>(), sequence in any::<i64>(),
		) {
			let VaultTransaction::SetSigners(mut change) = set_signers(signers, threshold) else {
				unreachable!()
			};
			change.fee = fee;
			change.sequence = sequence;
			agree(&VaultTransaction::SetSigners(change));
		}
	}

	#[test]
	fn a_hash_the_transaction_does_not_have_is_not_signed() {
		let chains = payment(ChainMemo::None, b"TFT", 0, 3_600);
		let network = stellar::network_id(stellar::TEST_NETWORK);
		let mut other = chains.clone();
		other.amount += 1;
		let (p, other) = (VaultTransaction::Payment(chains), VaultTransaction::Payment(other));
		assert!(matches!(
			checked_hash(&p, network, &other.hash(&network)),
			Err(PaymentError::HashMismatch { .. })
		));
		// Another network: another hash.
		assert!(checked_hash(&p, stellar::network_id(stellar::PUBLIC_NETWORK), &p.hash(&network))
			.is_err());
	}

	#[test]
	fn the_envelope_is_the_chains_envelope_with_the_signatures_chosen() {
		let p = VaultTransaction::Payment(payment(
			ChainMemo::Text(b"burn_1".to_vec().try_into().unwrap()),
			b"TFT",
			0,
			3_600,
		));
		let signatures = [([1u8; 32], [9u8; 64]), ([2u8; 32], [8u8; 64])];
		let ours = envelope(&p, &signatures).unwrap();
		let chains: Vec<_> = signatures
			.iter()
			.map(|(key, signature)| stellar::DecoratedSignature::new(key, *signature))
			.collect();
		use base64::Engine;
		assert_eq!(ours, base64::engine::general_purpose::STANDARD.encode(p.envelope_xdr(&chains)));
	}

	fn vault(med_threshold: u8, signers: &[(u8, u8)]) -> Account {
		Account {
			sequence: 1_000,
			low_threshold: med_threshold,
			med_threshold,
			high_threshold: med_threshold + 1,
			signers: signers.iter().map(|(key, weight)| ([*key; 32], *weight)).collect(),
		}
	}

	#[test]
	fn only_current_signers_count_and_just_enough_are_sent() {
		let held = [([1; 32], [1; 64]), ([9; 32], [9; 64]), ([2; 32], [2; 64]), ([3; 32], [3; 64])];
		let pay = VaultTransaction::Payment(payment(ChainMemo::None, b"TFT", 0, 0));
		// Key 9 is no signer of the vault (a member whose key the vault does not know yet).
		let signers = vault(2, &[(1, 1), (2, 1), (3, 1), (4, 1)]);
		let chosen = enough_signatures(&held, &signers, &pay).unwrap();
		assert_eq!(chosen.len(), 2);
		assert!(chosen.iter().all(|(key, _)| *key != [9; 32]));
		assert_eq!(enough_signatures(&held[..2], &vault(2, &[(1, 1), (2, 1)]), &pay), None);
		// A master key of weight 0 never counts.
		assert_eq!(enough_signatures(&held[..1], &vault(1, &[(1, 0)]), &pay), None);
		// A change of signers needs the high threshold (3 here).
		let change = set_signers(vec![([9; 32], 1)], 2);
		assert_eq!(enough_signatures(&held, &signers, &change).map(|c| c.len()), Some(3));
		assert_eq!(enough_signatures(&held[..3], &signers, &change), None);
	}

	#[test]
	fn what_stellar_shows_decides_the_report() {
		let p = VaultTransaction::Payment(payment(ChainMemo::None, b"TFT", 0, 5_000));
		let record = |successful| TxRecord {
			hash: [0; 32],
			paging_token: "1".into(),
			successful,
			ledger: 1,
			envelope_xdr: String::new(),
		};
		assert_eq!(
			next_step(&p, Some(&record(true)), 1_001, 10, true),
			Next::Report(Outcome::Paid)
		);
		assert_eq!(
			next_step(&p, Some(&record(false)), 1_001, 10, true),
			Next::Report(Outcome::Failed)
		);
		assert_eq!(next_step(&p, None, 1_000, 5_000, true), Next::Submit);
		assert_eq!(next_step(&p, None, 1_000, 5_001, true), Next::Report(Outcome::Expired));
		assert!(matches!(next_step(&p, None, 1_000, 10, false), Next::Wait(_)));
		assert!(matches!(next_step(&p, None, 1_001, 9_999, true), Next::Wait(_)));
	}
}
