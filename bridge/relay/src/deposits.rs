//! Reading deposits off the vault's transactions: what each validator votes for. The
//! envelope (XDR) is read, not Horizon's summary of it; whatever the transaction holds, the
//! result is a vote, or a reason to let it pass, never a crash.

use crate::horizon::TxRecord;
use stellar_xdr::{
	Asset, Limits, Memo, MuxedAccount, Operation, OperationBody, ReadXdr, TransactionEnvelope,
};

/// The largest envelope read (Stellar's own limit for a transaction is far below).
const MAX_ENVELOPE_BYTES: usize = 128 * 1024;

/// TFT on Stellar and the vault that receives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VaultAsset {
	pub vault: [u8; 32],
	pub code: Vec<u8>,
	pub issuer: [u8; 32],
}

/// Who a deposit is for (the chain's `DepositTarget`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
	Account([u8; 32]),
	Twin(u32),
	Contract(u64),
	Unusable(Unusable),
}

/// Why a transaction paying the vault TFT is paid back (the chain's `UnusableDeposit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unusable {
	NoMemo,
	BadMemo,
	SeveralSenders,
	NotOnlyTftPayments,
}

/// A deposit as this validator votes for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deposit {
	pub tx_hash: [u8; 32],
	/// Where a refund goes: the only sender, or the transaction's source account.
	pub sender: [u8; 32],
	pub target: Target,
	/// TFT paid to the vault, in stroops.
	pub amount: u128,
}

/// What a transaction on the vault's history is to the relay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seen {
	/// TFT paid to the vault: vote for it.
	Deposit(Deposit),
	/// The vault's own transaction (a payment the chain fixed).
	Outgoing,
	/// Nothing to vote for, and why.
	Pass(&'static str),
}

/// What the vault's transaction `record` is.
pub fn classify(record: &TxRecord, asset: &VaultAsset) -> Seen {
	if !record.successful {
		return Seen::Pass("failed on Stellar: it moved nothing");
	}
	if record.envelope_xdr.len() > MAX_ENVELOPE_BYTES {
		return Seen::Pass("envelope too large");
	}
	let limits = Limits { depth: 64, len: MAX_ENVELOPE_BYTES };
	let Ok(envelope) = TransactionEnvelope::from_xdr_base64(&record.envelope_xdr, limits) else {
		return Seen::Pass("envelope is not valid XDR");
	};
	let (source, memo, operations): (_, _, &[Operation]) = match &envelope {
		TransactionEnvelope::TxV0(v0) => {
			(v0.tx.source_account_ed25519.0, &v0.tx.memo, v0.tx.operations.as_slice())
		},
		TransactionEnvelope::Tx(v1) => {
			(account_of(&v1.tx.source_account), &v1.tx.memo, v1.tx.operations.as_slice())
		},
		TransactionEnvelope::TxFeeBump(bump) => {
			let stellar_xdr::FeeBumpTransactionInnerTx::Tx(inner) = &bump.tx.inner_tx;
			(account_of(&inner.tx.source_account), &inner.tx.memo, inner.tx.operations.as_slice())
		},
	};
	if source == asset.vault {
		return Seen::Outgoing;
	}
	let mut amount: u128 = 0;
	let mut senders: Vec<[u8; 32]> = Vec::new();
	let mut other_operations = false;
	for operation in operations {
		match tft_paid_to_vault(operation, asset) {
			Some(paid) => {
				amount = amount.saturating_add(paid);
				let sender = operation.source_account.as_ref().map_or(source, account_of);
				if !senders.contains(&sender) {
					senders.push(sender);
				}
			},
			None => other_operations = true,
		}
	}
	if amount == 0 {
		return Seen::Pass("no TFT paid to the vault");
	}
	if let Memo::Return(_) = memo {
		// A refund sent to the vault: paying it back could start a loop between two bridges.
		return Seen::Pass("a return memo: not a deposit");
	}
	let target = if other_operations {
		Target::Unusable(Unusable::NotOnlyTftPayments)
	} else if senders.len() > 1 {
		Target::Unusable(Unusable::SeveralSenders)
	} else {
		target_of(memo)
	};
	let sender = if senders.len() == 1 { senders[0] } else { source };
	Seen::Deposit(Deposit { tx_hash: record.hash, sender, target, amount })
}

/// The TFT an operation pays the vault (positive), if that is all it does.
fn tft_paid_to_vault(operation: &Operation, asset: &VaultAsset) -> Option<u128> {
	let OperationBody::Payment(payment) = &operation.body else { return None };
	if account_of(&payment.destination) != asset.vault || !is_tft(&payment.asset, asset) {
		return None;
	}
	u128::try_from(payment.amount).ok().filter(|amount| *amount > 0)
}

fn is_tft(paid: &Asset, asset: &VaultAsset) -> bool {
	let (code, issuer): (&[u8], _) = match paid {
		Asset::CreditAlphanum4(a) => (&a.asset_code.0, &a.issuer),
		Asset::CreditAlphanum12(a) => (&a.asset_code.0, &a.issuer),
		Asset::Native => return false,
	};
	let stellar_xdr::PublicKey::PublicKeyTypeEd25519(issuer) = &issuer.0;
	// Codes are padded with zeros to 4 or 12 bytes.
	let code = &code[..code.iter().position(|b| *b == 0).unwrap_or(code.len())];
	issuer.0 == asset.issuer && code == asset.code.as_slice()
}

fn account_of(account: &MuxedAccount) -> [u8; 32] {
	match account {
		MuxedAccount::Ed25519(key) => key.0,
		MuxedAccount::MuxedEd25519(muxed) => muxed.ed25519.0,
	}
}

/// The target a memo names: a 32-byte chain account (hash memo), `twin_<id>` or
/// `contract_<id>` (decimal, as written by people: no sign, no spaces, no leading zeros).
pub fn target_of(memo: &Memo) -> Target {
	match memo {
		Memo::None => Target::Unusable(Unusable::NoMemo),
		Memo::Hash(hash) => Target::Account(hash.0),
		Memo::Text(text) => {
			let text: &[u8] = text.as_ref();
			if let Some(id) = text.strip_prefix(b"twin_").and_then(decimal) {
				u32::try_from(id).map_or(Target::Unusable(Unusable::BadMemo), Target::Twin)
			} else if let Some(id) = text.strip_prefix(b"contract_").and_then(decimal) {
				Target::Contract(id)
			} else {
				Target::Unusable(Unusable::BadMemo)
			}
		},
		Memo::Id(_) | Memo::Return(_) => Target::Unusable(Unusable::BadMemo),
	}
}

fn decimal(digits: &[u8]) -> Option<u64> {
	let canonical = !digits.is_empty()
		&& digits.iter().all(u8::is_ascii_digit)
		&& (digits[0] != b'0' || digits.len() == 1);
	canonical.then(|| core::str::from_utf8(digits).ok()?.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
	use super::*;
	use stellar_xdr::{
		AccountId, AlphaNum4, AssetCode4, Hash, PaymentOp, Preconditions, PublicKey,
		SequenceNumber, StringM, Transaction, TransactionExt, TransactionV1Envelope, Uint256,
		WriteXdr,
	};

	const VAULT: [u8; 32] = [0x0a; 32];
	const ISSUER: [u8; 32] = [0x15; 32];
	const ALICE: [u8; 32] = [0xa1; 32];
	const BOB: [u8; 32] = [0xb0; 32];

	fn asset() -> VaultAsset {
		VaultAsset { vault: VAULT, code: b"TFT".to_vec(), issuer: ISSUER }
	}

	fn tft(code: &[u8; 4], issuer: [u8; 32]) -> Asset {
		Asset::CreditAlphanum4(AlphaNum4 {
			asset_code: AssetCode4(*code),
			issuer: AccountId(PublicKey::PublicKeyTypeEd25519(Uint256(issuer))),
		})
	}

	fn pay(from: Option<[u8; 32]>, to: [u8; 32], asset: Asset, amount: i64) -> Operation {
		Operation {
			source_account: from.map(|from| MuxedAccount::Ed25519(Uint256(from))),
			body: OperationBody::Payment(PaymentOp {
				destination: MuxedAccount::Ed25519(Uint256(to)),
				asset,
				amount,
			}),
		}
	}

	fn record(source: [u8; 32], memo: Memo, operations: Vec<Operation>) -> TxRecord {
		let tx = Transaction {
			source_account: MuxedAccount::Ed25519(Uint256(source)),
			fee: 100,
			seq_num: SequenceNumber(1),
			cond: Preconditions::None,
			memo,
			operations: operations.try_into().unwrap(),
			ext: TransactionExt::V0,
		};
		let envelope =
			TransactionEnvelope::Tx(TransactionV1Envelope { tx, signatures: Default::default() });
		TxRecord {
			hash: [7; 32],
			paging_token: "1".into(),
			successful: true,
			ledger: 1,
			envelope_xdr: envelope.to_xdr_base64(Limits::none()).unwrap(),
		}
	}

	fn text(memo: &str) -> Memo {
		Memo::Text(StringM::try_from(memo.as_bytes().to_vec()).unwrap())
	}

	fn deposit(seen: Seen) -> Deposit {
		match seen {
			Seen::Deposit(deposit) => deposit,
			other => panic!("not a deposit: {other:?}"),
		}
	}

	#[test]
	fn memos_name_accounts_twins_and_agreements() {
		let pays = || vec![pay(None, VAULT, tft(b"TFT\0", ISSUER), 50_000_000)];
		let seen = deposit(classify(&record(ALICE, Memo::Hash(Hash(BOB)), pays()), &asset()));
		assert_eq!(
			seen,
			Deposit {
				tx_hash: [7; 32],
				sender: ALICE,
				target: Target::Account(BOB),
				amount: 50_000_000
			}
		);
		let twin = deposit(classify(&record(ALICE, text("twin_42"), pays()), &asset()));
		assert_eq!(twin.target, Target::Twin(42));
		let contract = deposit(classify(&record(ALICE, text("contract_7"), pays()), &asset()));
		assert_eq!(contract.target, Target::Contract(7));
		for bad in [
			"twin_",
			"twin_-1",
			"twin_007",
			"twin_4294967296",
			"twin 1",
			"contract_1x",
			"burn_3",
			"TWIN_1",
		] {
			let seen = deposit(classify(&record(ALICE, text(bad), pays()), &asset()));
			assert_eq!(seen.target, Target::Unusable(Unusable::BadMemo), "{bad}");
		}
		let none = deposit(classify(&record(ALICE, Memo::None, pays()), &asset()));
		assert_eq!(none.target, Target::Unusable(Unusable::NoMemo));
		let id = deposit(classify(&record(ALICE, Memo::Id(5), pays()), &asset()));
		assert_eq!(id.target, Target::Unusable(Unusable::BadMemo));
	}

	#[test]
	fn several_payments_of_one_sender_add_up_and_mixed_ones_go_back() {
		let twin = text("twin_1");
		let two = vec![
			pay(None, VAULT, tft(b"TFT\0", ISSUER), 3),
			pay(Some(ALICE), VAULT, tft(b"TFT\0", ISSUER), 4),
		];
		let seen = deposit(classify(&record(ALICE, twin.clone(), two), &asset()));
		assert_eq!((seen.amount, seen.target), (7, Target::Twin(1)));
		// Bob pays too: paid back, in full, to the transaction's source.
		let senders = vec![
			pay(None, VAULT, tft(b"TFT\0", ISSUER), 3),
			pay(Some(BOB), VAULT, tft(b"TFT\0", ISSUER), 4),
		];
		let seen = deposit(classify(&record(ALICE, twin.clone(), senders), &asset()));
		assert_eq!(
			(seen.amount, seen.sender, seen.target),
			(7, ALICE, Target::Unusable(Unusable::SeveralSenders))
		);
		// Another asset (a fake TFT of another issuer, XLM) mixed in: the TFT goes back.
		for other in [tft(b"TFT\0", BOB), Asset::Native, tft(b"TFTA", ISSUER)] {
			let mixed =
				vec![pay(None, VAULT, tft(b"TFT\0", ISSUER), 3), pay(None, VAULT, other, 9)];
			let seen = deposit(classify(&record(ALICE, twin.clone(), mixed), &asset()));
			assert_eq!(
				(seen.amount, seen.target),
				(3, Target::Unusable(Unusable::NotOnlyTftPayments))
			);
		}
	}

	#[test]
	fn what_is_not_a_deposit_passes() {
		let fake = vec![pay(None, VAULT, tft(b"TFT\0", BOB), 3)];
		assert!(matches!(classify(&record(ALICE, text("twin_1"), fake), &asset()), Seen::Pass(_)));
		let elsewhere = vec![pay(None, BOB, tft(b"TFT\0", ISSUER), 3)];
		assert!(matches!(
			classify(&record(ALICE, text("twin_1"), elsewhere), &asset()),
			Seen::Pass(_)
		));
		let ours = vec![pay(None, BOB, tft(b"TFT\0", ISSUER), 3)];
		assert_eq!(classify(&record(VAULT, text("burn_1"), ours), &asset()), Seen::Outgoing);
		let refund = vec![pay(None, VAULT, tft(b"TFT\0", ISSUER), 3)];
		assert!(matches!(
			classify(&record(ALICE, Memo::Return(Hash([1; 32])), refund.clone()), &asset()),
			Seen::Pass(_)
		));
		let mut failed = record(ALICE, text("twin_1"), refund.clone());
		failed.successful = false;
		assert!(matches!(classify(&failed, &asset()), Seen::Pass(_)));
		let mut garbage = record(ALICE, text("twin_1"), refund);
		garbage.envelope_xdr = "AAAA!!".into();
		assert!(matches!(classify(&garbage, &asset()), Seen::Pass(_)));
	}
}
