//! The Stellar TFT bridge: withdrawing to Stellar, where a deposit or a payment from the vault
//! is, and how to deposit.

use crate::{
	context::{AtBlock, Context, Report},
	error::CliError,
	format,
	grid::{self, all, fetch, find_event},
};
use codec::{Decode, Encode};
use gridchain_client::{
	runtime::{self, runtime_types::pallet_tft_bridge::types as bridge},
	subxt::utils::AccountId32,
};
use gridchain_primitives::stellar::{self, Memo, VaultTransaction};
use serde_json::{json, Value};

/// How many pending payments `bridge status deposit` looks through for a deposit's refund.
const MAX_PENDING_SCANNED: u64 = 256;

type VaultRecord = bridge::Vault;
type PaymentRecord = bridge::OutgoingPayment;

#[derive(clap::Subcommand, Debug)]
pub enum BridgeCommand {
	/// Withdraws TFT to a Stellar account: AMOUNT leaves the signing key's account, the
	/// withdrawal fee goes to the bridge circle's treasury and the rest is burned here and paid
	/// from the vault on Stellar (memo burn_<id>).
	Withdraw {
		/// The Stellar account paid (G…). It needs a TFT trustline: without one the payment
		/// fails and the amount is minted back, less the fee.
		stellar_address: String,
		/// TFT taken from the account, the withdrawal fee included.
		amount: String,
	},
	/// Where a deposit or a payment from the vault is.
	#[command(subcommand)]
	Status(StatusCommand),
	/// The bridge: its circle, the vault on Stellar, fees and least amounts, and how to deposit
	/// to the signing key's account.
	Info,
}

#[derive(clap::Subcommand, Debug)]
pub enum StatusCommand {
	/// A deposit, by its Stellar transaction's hash (64 hex digits): the validators' votes so
	/// far against the circle's threshold, or minted, paid back or kept as dust.
	Deposit {
		/// The hash of the Stellar transaction that paid the vault.
		stellar_tx_hash: String,
	},
	/// A payment from the vault (a withdrawal, a refund), by the id `bridge withdraw`
	/// reported: its signatures, the relays' reports, and whether Stellar applied it.
	#[command(visible_alias = "payment")]
	Withdrawal { id: u64 },
}

pub async fn run(ctx: &Context, command: BridgeCommand) -> Result<Report, CliError> {
	match command {
		BridgeCommand::Withdraw { stellar_address, amount } => {
			withdraw(ctx, &stellar_address, &amount).await
		},
		BridgeCommand::Status(StatusCommand::Deposit { stellar_tx_hash }) => {
			deposit_status(ctx, &stellar_tx_hash).await
		},
		BridgeCommand::Status(StatusCommand::Withdrawal { id }) => payment_status(ctx, id).await,
		BridgeCommand::Info => info(ctx).await,
	}
}

/// A Stellar account (`G…`, the strkey of an ed25519 public key) as its 32 bytes. Other strkeys
/// are refused by name; a secret seed (`S…`) is never shown back.
pub fn parse_stellar_account(text: &str) -> Result<[u8; 32], CliError> {
	let text = text.trim();
	if text.starts_with('S') || text.starts_with('s') {
		return Err(CliError::Input(
			"that looks like a Stellar secret seed (S…), not an account: never give it away; \
			 give the account's public key (G…)"
				.into(),
		));
	}
	if let Ok(key) = stellar_strkey::ed25519::PublicKey::from_string(text) {
		return Ok(key.0);
	}
	let mut why = match stellar_strkey::Strkey::from_string(text) {
		Ok(stellar_strkey::Strkey::MuxedAccountEd25519(_)) => {
			"a muxed account (M…): the bridge pays plain accounts; give its G… account".to_owned()
		},
		Ok(stellar_strkey::Strkey::Contract(_)) => "a contract (C…), not an account".to_owned(),
		Ok(_) => "a Stellar key of another kind, not an account (G…)".to_owned(),
		Err(error) => format!("{error}; an account is G and 55 more letters and digits"),
	};
	if text.bytes().any(|b| b.is_ascii_lowercase()) {
		why.push_str("; strkeys are in capitals");
	}
	Err(CliError::Input(format!("not a Stellar account: {text:?} ({why})")))
}

/// A Stellar transaction's hash: 64 hex digits, as Stellar shows it (0x allowed).
pub fn parse_tx_hash(text: &str) -> Result<[u8; 32], CliError> {
	format::parse_hex32(text, "a Stellar transaction hash")
}

/// A payment's memo for people.
fn memo_text(memo: &Memo) -> String {
	match memo {
		Memo::None => "none".into(),
		Memo::Text(text) => format!("text {:?}", format::text(text)),
		Memo::Id(id) => format!("id {id}"),
		Memo::Hash(hash) => format!("hash {}", hex::encode(hash)),
		Memo::Return(hash) => format!("return {}", hex::encode(hash)),
	}
}

/// The bridge's circle as the guardian pallet has it now.
struct Circle {
	id: u32,
	name: String,
	threshold: u32,
	members: Vec<AccountId32>,
	treasury: AccountId32,
}

/// What the bridge is set to, and what it holds.
struct Setting {
	circle: Option<Circle>,
	vault: Option<VaultRecord>,
	deposit_fee: u128,
	withdrawal_fee: u128,
	dust_limit: u128,
	existential_deposit: u128,
	bridged_supply: u128,
}

impl Setting {
	async fn read(at: &AtBlock) -> Result<Self, CliError> {
		let storage = runtime::storage().tft_bridge();
		let constants = runtime::constants().tft_bridge();
		let circle = match fetch(at, storage.bridge_circle(), ()).await? {
			Some(id) => read_circle(at, id).await?,
			None => None,
		};
		Ok(Setting {
			circle,
			vault: fetch(at, storage.vault_of(), ()).await?,
			deposit_fee: at.constants().entry(constants.deposit_fee()).map_err(CliError::read)?,
			withdrawal_fee: at
				.constants()
				.entry(constants.withdrawal_fee())
				.map_err(CliError::read)?,
			dust_limit: at.constants().entry(constants.dust_limit()).map_err(CliError::read)?,
			existential_deposit: at
				.constants()
				.entry(runtime::constants().balances().existential_deposit())
				.map_err(CliError::read)?,
			bridged_supply: fetch(at, storage.bridged_supply(), ()).await?.unwrap_or_default(),
		})
	}

	/// The circle, or why the bridge cannot work yet.
	fn circle(&self) -> Result<&Circle, CliError> {
		self.circle.as_ref().ok_or_else(|| {
			CliError::NotFound(
				"the bridge is not set up: the council has not chosen its circle".into(),
			)
		})
	}

	/// The vault, or why the bridge cannot work yet.
	fn vault(&self) -> Result<&VaultRecord, CliError> {
		self.vault.as_ref().ok_or_else(|| {
			CliError::NotFound("the bridge is not set up: the council has not set its vault".into())
		})
	}
}

async fn read_circle(at: &AtBlock, id: u32) -> Result<Option<Circle>, CliError> {
	let view = at
		.runtime_apis()
		.call(runtime::runtime_apis().guardian_api().circle(id))
		.await
		.map_err(CliError::read)?;
	Ok(view.map(|view| Circle {
		id,
		name: format::text(&view.name),
		threshold: view.threshold,
		members: view.members.into_iter().map(|(account, _)| account).collect(),
		treasury: view.treasury,
	}))
}

/// The network a vault's network id is the id of.
fn network_name(network_id: &[u8; 32]) -> String {
	[
		(stellar::PUBLIC_NETWORK, "the public network"),
		(stellar::TEST_NETWORK, "the test network"),
		(stellar::STANDALONE_NETWORK, "a standalone network"),
	]
	.into_iter()
	.find(|(passphrase, _)| stellar::network_id(passphrase) == *network_id)
	.map(|(_, name)| name.to_owned())
	.unwrap_or_else(|| format!("the network of id {}", hex::encode(network_id)))
}

/// The vault's asset code without its padding.
fn asset_code(vault: &VaultRecord) -> String {
	let code = &vault.asset.code.0;
	format::text(&code[..code.iter().position(|b| *b == 0).unwrap_or(code.len())])
}

async fn withdraw(ctx: &Context, address: &str, amount: &str) -> Result<Report, CliError> {
	let destination = parse_stellar_account(address)?;
	let amount = format::parse_tft(amount)?;
	let at = ctx.at().await?;
	// The chain owns the rules (a bridge circle and a vault set; amounts above the fee by the
	// existential deposit, within a Stellar amount and what the vault holds): it refuses by
	// name. What is read here is only shown.
	let setting = Setting::read(&at).await?;
	let stellar_fee = setting.vault.as_ref().map(|vault| vault.fee);
	let to = stellar::account_to_strkey(&destination);
	if !ctx.quiet() {
		eprintln!(
			"withdrawing {} to {to}: {} paid on Stellar, {} fee to the bridge circle's treasury",
			format::tft(amount),
			format::tft(amount.saturating_sub(setting.withdrawal_fee)),
			format::tft(setting.withdrawal_fee),
		);
	}
	let landed = ctx.submit(&runtime::tx().tft_bridge().withdraw(destination, amount)).await?;
	let event = find_event::<runtime::tft_bridge::events::Withdrawn>(&landed.included)?;
	let queued = grid::maybe_event::<runtime::tft_bridge::events::PaymentQueued>(&landed.included);
	let id = event.payment;
	let mut text = format!(
		"withdrawal queued as payment {id} in block {}\n  to         {to}\n  paid       {} on \
		 Stellar (memo burn_{id})\n  fee        {} to the bridge circle's treasury\n",
		landed.text,
		format::tft(event.amount),
		format::tft(event.fee)
	);
	if let Some(stellar_fee) = stellar_fee {
		text.push_str(&format!(
			"  Stellar    the vault pays its fee, {stellar_fee} stroops of XLM per operation\n"
		));
	}
	if let Some(queued) = &queued {
		text.push_str(&format!(
			"  sequence   {} of the vault\n  hash       {}\n",
			queued.sequence,
			hex::encode(queued.hash)
		));
	}
	text.push_str(&format!(
		"the bridge's validators sign it and their relays pay it on Stellar: `gridchain bridge \
		 status withdrawal {id}`"
	));
	Ok(Report::new(
		text,
		json!({
			"payment": id,
			"destination": to,
			"amount": format::tft_json(amount),
			"paid": format::tft_json(event.amount),
			"fee": format::tft_json(event.fee),
			"stellarFeeStroops": stellar_fee,
			"memo": format!("burn_{id}"),
			"sequence": queued.as_ref().map(|queued| queued.sequence),
			"hash": queued.as_ref().map(|queued| hex::encode(queued.hash)),
			"in": landed.json,
		}),
	))
}

/// Why a deposit is paid back: its key for JSON and its words for people.
fn refund_reason(reason: &bridge::RefundReason) -> (&'static str, &'static str) {
	use bridge::{RefundReason, UnusableDeposit};
	match reason {
		RefundReason::AmountNotAboveFee => {
			("amountNotAboveFee", "the amount is not above the deposit fee")
		},
		RefundReason::UnknownTwin => ("unknownTwin", "the memo names a twin that does not exist"),
		RefundReason::ContractRefused => {
			("contractRefused", "the memo names an agreement that does not exist or takes no funds")
		},
		RefundReason::AccountRefused => (
			"accountRefused",
			"the account cannot receive it (a new account below the existential deposit)",
		),
		RefundReason::Unusable(UnusableDeposit::NoMemo) => ("noMemo", "it has no memo"),
		RefundReason::Unusable(UnusableDeposit::BadMemo) => {
			("badMemo", "its memo is neither a 32-byte hash, twin_<id> nor contract_<id>")
		},
		RefundReason::Unusable(UnusableDeposit::SeveralSenders) => {
			("severalSenders", "several accounts paid the vault in one transaction")
		},
		RefundReason::Unusable(UnusableDeposit::NotOnlyTftPayments) => {
			("notOnlyTftPayments", "the transaction did more than pay TFT to the vault")
		},
	}
}

/// The payment paying back the deposit `tx_hash`, if it is still pending or quarantined: its
/// id and whether it is quarantined.
async fn refund_payment(at: &AtBlock, tx_hash: [u8; 32]) -> Result<Option<(u64, bool)>, CliError> {
	let storage = runtime::storage().tft_bridge();
	let is_refund = |payment: &PaymentRecord| match payment.purpose {
		bridge::PaymentPurpose::Refund { deposit } => deposit == tx_hash,
		_ => false,
	};
	let first = fetch(at, storage.first_pending_payment(), ()).await?.unwrap_or_default();
	let next = fetch(at, storage.next_payment_id(), ()).await?.unwrap_or_default();
	for id in first..next.min(first.saturating_add(MAX_PENDING_SCANNED)) {
		if let Some(payment) = fetch(at, storage.outgoing_payments(), (id,)).await? {
			if is_refund(&payment) {
				return Ok(Some((id, false)));
			}
		}
	}
	let quarantined = all(at, storage.quarantined_refunds()).await?;
	Ok(quarantined.iter().find(|(_, payment)| is_refund(payment)).map(|(id, _)| (*id, true)))
}

async fn deposit_status(ctx: &Context, hash: &str) -> Result<Report, CliError> {
	let tx_hash = parse_tx_hash(hash)?;
	let hash = hex::encode(tx_hash);
	let at = ctx.at().await?;
	let storage = runtime::storage().tft_bridge();
	if let Some(executed) = fetch(&at, storage.executed_deposits(), (tx_hash,)).await? {
		let (when, when_json) = ctx.block_and_time(&at, executed.at).await?;
		let dust_limit = at
			.constants()
			.entry(runtime::constants().tft_bridge().dust_limit())
			.map_err(CliError::read)?;
		let mut json = json!({
			"deposit": hash,
			"block": at.block_number(),
			"executedAt": when_json,
		});
		let text = match &executed.outcome {
			bridge::DepositOutcome::Minted { amount, fee } => {
				json["state"] = json!("minted");
				json["minted"] = format::tft_json(*amount);
				json["fee"] = format::tft_json(*fee);
				format!(
					"deposit {hash}\n  minted at {when}: {} to its target, {} fee to the bridge \
					 circle's treasury",
					format::tft(*amount),
					format::tft(*fee)
				)
			},
			bridge::DepositOutcome::Refunded(reason) => {
				let (key, words) = refund_reason(reason);
				json["state"] = json!("refunded");
				json["reason"] = json!(key);
				let refund = refund_payment(&at, tx_hash).await?;
				json["payment"] = json!(refund.map(|(id, _)| id));
				let payment = match refund {
					Some((id, false)) => format!(
						"\n  it is payment {id}, pending: `gridchain bridge status payment {id}`"
					),
					Some((id, true)) => format!(
						"\n  payment {id} failed on Stellar: quarantined until the council \
						 retries it"
					),
					None => "\n  paid back on Stellar (no longer pending)".to_owned(),
				};
				format!(
					"deposit {hash}\n  not credited at {when}: {words}; paid back in full to its \
					 sender on Stellar (a return memo with this hash){payment}"
				)
			},
			bridge::DepositOutcome::KeptAsDust => {
				json["state"] = json!("keptAsDust");
				format!(
					"deposit {hash}\n  kept by the vault at {when}: below the dust limit, {}, \
					 neither minted nor paid back",
					format::tft(dust_limit)
				)
			},
		};
		return Ok(Report::new(text, json));
	}
	if let Some(pending) = fetch(&at, storage.pending_deposits(), (tx_hash,)).await? {
		let setting = Setting::read(&at).await?;
		let circle = setting.circle()?;
		// Only identical claims count together, and only current members' votes.
		let mut claims: Vec<(_, u32, u32)> = Vec::new();
		for (voter, claim) in &pending.votes.0 {
			let member = u32::from(circle.members.contains(voter));
			match claims.iter_mut().find(|(seen, _, _)| *seen == claim) {
				Some((_, members, votes)) => {
					*members += member;
					*votes += 1;
				},
				None => claims.push((claim, member, 1)),
			}
		}
		let agreeing = claims.iter().map(|(_, members, _)| *members).max().unwrap_or(0);
		let (first, first_json) = ctx.block_and_time(&at, pending.first_voted).await?;
		let lifetime = at
			.constants()
			.entry(runtime::constants().tft_bridge().vote_lifetime())
			.map_err(CliError::read)?;
		let (prunable, prunable_json) =
			ctx.block_and_time(&at, pending.first_voted.saturating_add(lifetime)).await?;
		let mut text = format!(
			"deposit {hash}\n  voting: {agreeing} of the {} votes it needs (circle {}'s threshold) \
			 agree; {} vote(s) in all\n  first vote at {first}\n",
			circle.threshold,
			circle.id,
			pending.votes.0.len()
		);
		if claims.len() > 1 {
			text.push_str(&format!(
				"  the validators saw it differently: {} different claims\n",
				claims.len()
			));
		}
		text.push_str(&format!(
			"  minted once {} validators agree; if they never do, anyone may prune the votes \
			 from {prunable}",
			circle.threshold
		));
		return Ok(Report::new(
			text,
			json!({
				"deposit": hash,
				"block": at.block_number(),
				"state": "voting",
				"agreeing": agreeing,
				"threshold": circle.threshold,
				"votes": pending.votes.0.len(),
				"claims": claims.len(),
				"firstVoted": first_json,
				"prunableFrom": prunable_json,
			}),
		));
	}
	Ok(Report::new(
		format!(
			"deposit {hash}\n  no vote on chain: the relays vote in the block after they see a \
			 transaction paying the vault on Stellar (check the hash, and that it paid the \
			 vault); votes that never reached the threshold may have been pruned"
		),
		json!({ "deposit": hash, "block": at.block_number(), "state": "notSeen" }),
	))
}

fn purpose_text(purpose: &bridge::PaymentPurpose<AccountId32>) -> (String, Value) {
	match purpose {
		bridge::PaymentPurpose::Withdrawal { who } => (
			format!("a withdrawal by {who}"),
			json!({ "kind": "withdrawal", "who": who.to_string() }),
		),
		bridge::PaymentPurpose::Refund { deposit } => (
			format!("the refund of deposit {}", hex::encode(deposit)),
			json!({ "kind": "refund", "deposit": hex::encode(deposit) }),
		),
		bridge::PaymentPurpose::VaultSigners { signers, threshold } => (
			format!(
				"a change of the vault's signers ({} signers, threshold {threshold})",
				signers.0.len()
			),
			json!({ "kind": "vaultSigners", "signers": signers.0.len(), "threshold": threshold }),
		),
	}
}

/// What a pending payment's transaction pays, for people and JSON.
fn transaction_lines(transaction: &VaultTransaction) -> (String, Value) {
	let max_time = format::date(transaction.max_time().saturating_mul(1000));
	match transaction.as_payment() {
		Some(payment) => {
			let amount = u128::try_from(payment.amount).unwrap_or_default();
			let to = stellar::account_to_strkey(&payment.destination);
			(
				format!(
					"  to          {to}\n  amount      {}\n  memo        {}\n  sequence    {} \
					 of the vault\n  valid until {max_time}\n",
					format::tft(amount),
					memo_text(&payment.memo),
					payment.sequence
				),
				json!({
					"destination": to,
					"amount": format::tft_json(amount),
					"memo": memo_text(&payment.memo),
					"sequence": payment.sequence,
					"validUntil": max_time,
				}),
			)
		},
		None => (
			format!(
				"  sequence    {} of the vault\n  valid until {max_time}\n",
				transaction.sequence()
			),
			json!({ "sequence": transaction.sequence(), "validUntil": max_time }),
		),
	}
}

async fn payment_status(ctx: &Context, id: u64) -> Result<Report, CliError> {
	let at = ctx.at().await?;
	let storage = runtime::storage().tft_bridge();
	let next = fetch(&at, storage.next_payment_id(), ()).await?.unwrap_or_default();
	if id >= next {
		return Err(CliError::NotFound(format!(
			"no payment {id}: the vault has made {next} payment(s) so far, ids from 0"
		)));
	}
	if let Some(payment) = fetch(&at, storage.outgoing_payments(), (id,)).await? {
		return pending_payment(ctx, &at, id, &payment).await;
	}
	if let Some(payment) = fetch(&at, storage.quarantined_refunds(), (id,)).await? {
		let (purpose, purpose_json) = purpose_text(&payment.purpose);
		return Ok(Report::new(
			format!(
				"payment {id}: {purpose}\n  failed on Stellar (e.g. the sender has no TFT \
				 trustline): quarantined until the council retries it to an account it chooses"
			),
			json!({ "payment": id, "block": at.block_number(), "state": "quarantined",
				"purpose": purpose_json }),
		));
	}
	Ok(Report::new(
		format!(
			"payment {id}: applied on Stellar and settled: paid, or, if its payment failed there, \
			 a withdrawal minted back to its owner (the fee kept); the chain keeps no record of \
			 which after settling (the events PaymentConfirmed or WithdrawalReturned of payment \
			 {id} tell)"
		),
		json!({ "payment": id, "block": at.block_number(), "state": "settled" }),
	))
}

async fn pending_payment(
	ctx: &Context,
	at: &AtBlock,
	id: u64,
	payment: &PaymentRecord,
) -> Result<Report, CliError> {
	let transaction = VaultTransaction::decode(&mut &payment.transaction.encode()[..])
		.map_err(|e| CliError::Read(format!("payment {id}'s transaction: {e}")))?;
	let setting = Setting::read(at).await?;
	let circle = setting.circle()?;
	let vault = setting.vault()?;
	let (purpose, purpose_json) = purpose_text(&payment.purpose);
	let (lines, mut json) = transaction_lines(&transaction);
	// The signatures that count: by keys the vault has as signers.
	let signatures =
		payment.signatures.0.iter().filter(|held| vault.signers.0.contains(&held.key)).count();
	let needed = usize::from(vault.threshold);
	let reported = |wanted: fn(&bridge::PaymentResult) -> bool| {
		payment
			.reports
			.0
			.iter()
			.filter(|(who, result)| circle.members.contains(who) && wanted(result))
			.count()
	};
	let paid = reported(|result| matches!(result, bridge::PaymentResult::Paid));
	let failed = reported(|result| matches!(result, bridge::PaymentResult::Failed));
	let expired = reported(|result| matches!(result, bridge::PaymentResult::Expired));
	let threshold = circle.threshold as usize;
	let now_ms = ctx.block_time(at, u32::try_from(at.block_number()).unwrap_or(u32::MAX)).await?;
	let past_max_time = now_ms / 1000 > transaction.max_time();
	let first = fetch(at, runtime::storage().tft_bridge().first_pending_payment(), ())
		.await?
		.unwrap_or_default();
	let (state, words) = if paid >= threshold {
		(
			"reportedPaid",
			format!(
				"Stellar paid it; it settles once the payments before it do (the oldest \
				 pending is {first})"
			),
		)
	} else if failed >= threshold {
		(
			"reportedFailed",
			format!(
				"its payment failed on Stellar; it settles once the payments before it do (the \
				 oldest pending is {first}): a withdrawal is then minted back, a refund \
				 quarantined"
			),
		)
	} else if past_max_time {
		(
			"expired",
			"its envelope's time ran out: once the relays report it unapplied, the chain fixes \
			 it again at the same sequence and it is signed anew"
				.to_owned(),
		)
	} else if signatures >= needed {
		("signed", format!("signed ({signatures} of {needed}): the relays submit it to Stellar"))
	} else {
		("signing", format!("waiting for the validators' signatures: {signatures} of {needed}"))
	};
	let text = format!(
		"payment {id}: {purpose}\n  state       {words}\n{lines}  hash        {}\n  reports     \
		 paid {paid}, failed {failed}, expired {expired} (of {threshold} needed)",
		hex::encode(payment.hash)
	);
	json["payment"] = json!(id);
	json["block"] = json!(at.block_number());
	json["state"] = json!(state);
	json["purpose"] = purpose_json;
	json["hash"] = json!(hex::encode(payment.hash));
	json["signatures"] = json!(signatures);
	json["signaturesNeeded"] = json!(needed);
	json["reports"] = json!({ "paid": paid, "failed": failed, "expired": expired,
		"needed": threshold });
	Ok(Report::new(text, json))
}

async fn info(ctx: &Context) -> Result<Report, CliError> {
	let at = ctx.at().await?;
	let setting = Setting::read(&at).await?;
	let storage = runtime::storage().tft_bridge();
	let first = fetch(&at, storage.first_pending_payment(), ()).await?.unwrap_or_default();
	let next = fetch(&at, storage.next_payment_id(), ()).await?.unwrap_or_default();
	let confirmed = fetch(&at, storage.confirmed_withdrawals(), ()).await?.unwrap_or_default();
	let least_withdrawal = setting.withdrawal_fee.saturating_add(setting.existential_deposit);
	let mut text = String::new();
	let mut json = json!({
		"block": at.block_number(),
		"depositFee": format::tft_json(setting.deposit_fee),
		"withdrawalFee": format::tft_json(setting.withdrawal_fee),
		"dustLimit": format::tft_json(setting.dust_limit),
		"leastWithdrawal": format::tft_json(least_withdrawal),
		"bridgedSupply": format::tft_json(setting.bridged_supply),
		"confirmedWithdrawals": format::tft_json(confirmed),
		"pendingPayments": next.saturating_sub(first),
	});
	match &setting.circle {
		Some(circle) => {
			text.push_str(&format!(
				"bridge circle    {} ({}): {} members, threshold {}\n  treasury       {} \
				 (takes the fees)\n",
				circle.id,
				circle.name,
				circle.members.len(),
				circle.threshold,
				circle.treasury
			));
			json["circle"] = json!({
				"id": circle.id,
				"name": circle.name,
				"members": circle.members.len(),
				"threshold": circle.threshold,
				"treasury": circle.treasury.to_string(),
			});
		},
		None => {
			text.push_str("bridge circle    not chosen by the council yet\n");
			json["circle"] = Value::Null;
		},
	}
	let vault_account =
		setting.vault.as_ref().map(|vault| stellar::account_to_strkey(&vault.account));
	match &setting.vault {
		Some(vault) => {
			let account = stellar::account_to_strkey(&vault.account);
			let issuer = stellar::account_to_strkey(&vault.asset.issuer);
			let network = network_name(&vault.network_id);
			text.push_str(&format!(
				"vault            {account} on {network}\n  asset          {} issued by \
				 {issuer}\n  signers        {}, {} of them sign a payment\n  Stellar fee    {} \
				 stroops of XLM per operation, paid by the vault\n  lifetime       a payment is \
				 valid {} s on Stellar, then fixed again\n",
				asset_code(vault),
				vault.signers.0.len(),
				vault.threshold,
				vault.fee,
				vault.payment_lifetime
			));
			json["vault"] = json!({
				"account": account,
				"network": network,
				"asset": asset_code(vault),
				"issuer": issuer,
				"signers": vault.signers.0.len(),
				"threshold": vault.threshold,
				"stellarFeeStroops": vault.fee,
				"paymentLifetimeSeconds": vault.payment_lifetime,
				"sequence": vault.sequence,
			});
		},
		None => {
			text.push_str("vault            not set by the council yet\n");
			json["vault"] = Value::Null;
		},
	}
	text.push_str(&format!(
		"deposits         minted less a fee of {}; at most the fee is paid back, below {} kept \
		 by the vault\nwithdrawals      a fee of {}; at least {} (the fee and the existential \
		 deposit)\nbridged supply   {} held by the vault for the chain; {} paid out by \
		 withdrawals; {} payment(s) pending\n",
		format::tft(setting.deposit_fee),
		format::tft(setting.dust_limit),
		format::tft(setting.withdrawal_fee),
		format::tft(least_withdrawal),
		format::tft(setting.bridged_supply),
		format::tft(confirmed),
		next.saturating_sub(first)
	));
	let vault_text = vault_account.clone().unwrap_or_else(|| "the vault".into());
	match ctx.me_if_given()? {
		Some(me) => {
			let twin = grid::twin_of(&at, &me).await?;
			let hash_memo = hex::encode(me.0);
			text.push_str(&format!(
				"to deposit to {me} (the signing key's account): pay TFT on Stellar to \
				 {vault_text} with\n  the hash memo  {hash_memo}\n"
			));
			if let Some(twin) = twin {
				text.push_str(&format!("  or the text memo twin_{twin} (its twin)\n"));
			}
			text.push_str(
				"  (to top up an agreement instead: the text memo contract_<id>); it is minted \
				 here, less the fee, about a block after the relays see it",
			);
			json["deposit"] = json!({
				"account": me.to_string(),
				"hashMemo": hash_memo,
				"textMemo": twin.map(|twin| format!("twin_{twin}")),
			});
		},
		None => {
			text.push_str(&format!(
				"to deposit: pay TFT on Stellar to {vault_text} with a hash memo holding the \
				 account's 32 bytes in hex, the text memo twin_<id> or contract_<id> (give a \
				 key to see the memo of yours)"
			));
			json["deposit"] = Value::Null;
		},
	}
	json["vaultAccount"] = json!(vault_account);
	Ok(Report::new(text, json))
}

#[cfg(test)]
mod tests {
	use super::*;

	fn strkey(key: [u8; 32]) -> String {
		format!("{}", stellar_strkey::ed25519::PublicKey(key))
	}

	#[test]
	fn stellar_accounts_read_as_their_keys() {
		let key = [7; 32];
		let account = strkey(key);
		assert!(account.starts_with('G') && account.len() == 56);
		assert_eq!(parse_stellar_account(&account).unwrap(), key);
		assert_eq!(parse_stellar_account(&format!("  {account}\n")).unwrap(), key);
		assert_eq!(stellar::account_to_strkey(&key), account);
	}

	#[test]
	fn other_strkeys_and_typos_are_refused_by_name() {
		let account = strkey([7; 32]);
		// One character changed: the checksum (or the encoding) no longer holds.
		let mut typo = account.clone().into_bytes();
		typo[10] = if typo[10] == b'A' { b'B' } else { b'A' };
		let typo = String::from_utf8(typo).unwrap();
		assert!(matches!(parse_stellar_account(&typo), Err(CliError::Input(_))));
		// Lower case, cut short, empty, garbage.
		for bad in [account.to_lowercase(), account[..55].to_owned(), String::new(), "G".into()] {
			assert!(matches!(parse_stellar_account(&bad), Err(CliError::Input(_))), "{bad}");
		}
		// A muxed account is named as such.
		let muxed = stellar_strkey::ed25519::MuxedAccount { ed25519: [7; 32], id: 5 };
		let muxed = format!("{muxed}");
		let Err(CliError::Input(why)) = parse_stellar_account(&muxed) else {
			panic!("a muxed account was taken")
		};
		assert!(why.contains("muxed"), "{why}");
	}

	#[test]
	fn a_secret_seed_is_refused_and_never_shown() {
		let seed = stellar_strkey::ed25519::PrivateKey([9; 32]);
		let seed = format!("{}", seed.as_unredacted());
		assert!(seed.starts_with('S'));
		let Err(CliError::Input(why)) = parse_stellar_account(&seed) else {
			panic!("a secret seed was taken")
		};
		assert!(!why.contains(&seed), "{why}");
		assert!(why.contains("secret"), "{why}");
	}

	#[test]
	fn transaction_hashes_are_64_hex_digits() {
		let hash = "ab".repeat(32);
		assert_eq!(parse_tx_hash(&hash).unwrap(), [0xab; 32]);
		assert_eq!(parse_tx_hash(&format!("0x{hash}")).unwrap(), [0xab; 32]);
		assert_eq!(parse_tx_hash(&hash.to_uppercase()).unwrap(), [0xab; 32]);
		for bad in [&hash[..62], "", "zz", &format!("{hash}00")] {
			assert!(matches!(parse_tx_hash(bad), Err(CliError::Input(_))), "{bad}");
		}
	}

	#[test]
	fn memos_read_for_people() {
		let text = Memo::Text(b"burn_12".to_vec().try_into().unwrap());
		assert_eq!(memo_text(&text), "text \"burn_12\"");
		assert_eq!(memo_text(&Memo::Return([0xab; 32])), format!("return {}", "ab".repeat(32)));
		assert_eq!(memo_text(&Memo::None), "none");
	}

	#[test]
	fn the_known_networks_are_named() {
		assert_eq!(
			network_name(&stellar::network_id(stellar::PUBLIC_NETWORK)),
			"the public network"
		);
		assert!(network_name(&[0; 32]).starts_with("the network of id 0000"));
	}
}
