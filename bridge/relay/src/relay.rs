//! One validator's relay: each round it reads the vault's new transactions and votes for the
//! deposits, then signs the payments the chain fixed, submits those ready, and reports what
//! Stellar did with them. Every step is safe to repeat, so a relay killed at any point and
//! restarted loses nothing and pays nothing twice.

use crate::{
	chain::{Bridge, Chain, ChainError},
	crash::{self, Step},
	deposits::{classify, Deposit, Seen, VaultAsset},
	horizon::{Horizon, HorizonError, Submitted},
	metrics::Metrics,
	payments::{checked_hash, enough_signatures, envelope, next_step, Next, Outcome},
	state::{Quarantined, RelayState, StateFile},
};
use ed25519_dalek::{Signer as _, SigningKey};
use gridchain_client::SubmitError;

/// Vault transactions read per Horizon request.
const PAGE: u32 = 200;

/// Votes per call (the runtime takes up to 100).
const VOTES_PER_CALL: usize = 100;

/// Pages of the vault's history read in one round (their votes go in one block).
const PAGES_PER_ROUND: usize = 20;

/// Why a round stopped early (the next round starts over from the persisted state).
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
	#[error(transparent)]
	Chain(#[from] ChainError),
	#[error(transparent)]
	Horizon(#[from] HorizonError),
	#[error("the relay's state file: {0}")]
	State(#[from] std::io::Error),
	#[error("the vault {0} does not exist on Stellar")]
	NoVault(String),
	#[error("the chain's vault or network is not the one configured: doing nothing")]
	OtherVault,
}

/// What a round acts on: the chain's best and finalized blocks and Stellar's latest ledger. A
/// round that would see the same as the last one has nothing new to act on: nothing can have
/// been voted, signed, applied or closed since.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct View {
	best: [u8; 32],
	finalized: [u8; 32],
	ledger: u32,
}

/// A relay and what it keeps.
pub struct Relay {
	/// The network id (sha256 of the passphrase) and vault the operator configured: the relay
	/// acts only when the chain's are the same.
	pub network_id: [u8; 32],
	pub vault: [u8; 32],
	pub chain: Chain,
	pub horizon: Horizon,
	pub stellar_key: SigningKey,
	pub state_file: StateFile,
	pub state: RelayState,
	pub metrics: Metrics,
	/// What the last round that ended well saw.
	pub last_view: Option<View>,
}

/// A log line as `key=value` pairs (logfmt): time, level and the message.
#[macro_export]
macro_rules! say {
	($level:literal, $($arg:tt)*) => {
		eprintln!(
			"ts={} level={} msg={:?}",
			std::time::SystemTime::now()
				.duration_since(std::time::UNIX_EPOCH)
				.map_or(0, |elapsed| elapsed.as_secs()),
			$level,
			format!($($arg)*)
		)
	};
}

impl Relay {
	/// One round: deposits, then payments; skipped (three small requests) when neither the
	/// chain nor Stellar moved since the last round that ended well.
	pub async fn round(&mut self) -> Result<(), RelayError> {
		let (best, finalized) = self.chain.heads().await?;
		let network = self.horizon.network().await?;
		let view = View { best, finalized, ledger: network.latest_ledger };
		if self.last_view == Some(view) {
			return Ok(());
		}
		let Some(bridge) = self.chain.bridge().await? else {
			say!("info", "the council has not set up the bridge yet (circle and vault)");
			return Ok(());
		};
		if bridge.vault.account != self.vault || bridge.vault.network_id != self.network_id {
			return Err(RelayError::OtherVault);
		}
		self.deposits(&bridge).await?;
		self.payments(&bridge, &network).await?;
		// A paging token is a TOID: the ledger in its high 32 bits.
		let read_up_to = self.state.cursor.parse::<u64>().map_or(0, |token| token >> 32);
		self.metrics
			.horizon_lag_ledgers
			.set(u64::from(network.latest_ledger).saturating_sub(read_up_to));
		self.metrics.chain_finality_lag_blocks.set(self.chain.finality_lag().await?);
		self.metrics.rounds.inc();
		self.last_view = Some(view);
		Ok(())
	}

	/// Reads the vault's history from the cursor and votes for the deposits not yet voted.
	async fn deposits(&mut self, bridge: &Bridge) -> Result<(), RelayError> {
		let asset = VaultAsset {
			vault: bridge.vault.account,
			code: bridge.vault.asset_code.clone(),
			issuer: bridge.vault.asset_issuer,
		};
		let mut cursor = self.state.cursor.clone();
		let mut votes = Vec::new();
		for _ in 0..PAGES_PER_ROUND {
			let records = self.horizon.transactions(&asset.vault, &cursor, PAGE).await?;
			let Some(last) = records.last() else { break };
			cursor = last.paging_token.clone();
			for record in &records {
				match classify(record, &asset) {
					// Voted again after a restart, or once executed, a vote is skipped by the
					// chain (and its fee refunded to what it cost): the chain's records decide.
					Seen::Deposit(deposit) => {
						self.metrics.deposits_seen.inc();
						votes.push(deposit);
					},
					Seen::Outgoing => {},
					Seen::Pass(why) => {
						self.metrics.transactions_passed.inc();
						say!("info", "passing {}: {why}", hex::encode(record.hash));
					},
				}
			}
			if records.len() < PAGE as usize {
				break;
			}
		}
		let voted = !votes.is_empty();
		self.vote(votes).await?;
		if voted {
			crash::point(Step::AfterVotes);
		}
		// Only now: a relay killed before this line votes these again, which is harmless.
		if cursor != self.state.cursor {
			self.state.cursor = cursor;
			self.state_file.save(&self.state)?;
		}
		Ok(())
	}

	/// Votes in calls of up to [`VOTES_PER_CALL`], all in one block; when the chain refuses a
	/// call, votes its deposits one by one, setting aside each the chain refuses (with its
	/// reason) instead of retrying it forever.
	async fn vote(&mut self, votes: Vec<Deposit>) -> Result<(), RelayError> {
		let batches: Vec<Vec<Deposit>> = votes.chunks(VOTES_PER_CALL).map(<[_]>::to_vec).collect();
		let results = self.chain.vote_all(&batches).await;
		for (batch, result) in batches.into_iter().zip(results) {
			match result {
				Ok(()) => self.metrics.deposits_voted.inc_by(batch.len() as u64),
				Err(SubmitError::Failed(reason)) if batch.len() == 1 => {
					self.quarantine(&batch[0], reason.error)?
				},
				Err(SubmitError::Failed(reason)) => {
					say!(
						"warn",
						"the chain refused {} votes together ({}): voting one by one",
						batch.len(),
						reason.error
					);
					// One call per vote, all in one block.
					let singles: Vec<Vec<Deposit>> =
						batch.into_iter().map(|deposit| vec![deposit]).collect();
					let results = self.chain.vote_all(&singles).await;
					for (single, result) in singles.iter().zip(results) {
						match result {
							Ok(()) => self.metrics.deposits_voted.inc(),
							Err(SubmitError::Failed(reason)) => {
								self.quarantine(&single[0], reason.error)?
							},
							Err(other) => return Err(ChainError::Submit(other).into()),
						}
					}
				},
				Err(other) => return Err(ChainError::Submit(other).into()),
			}
		}
		Ok(())
	}

	fn quarantine(&mut self, deposit: &Deposit, reason: String) -> Result<(), RelayError> {
		say!(
			"warn",
			"setting aside {}: the chain refused its vote: {reason}",
			hex::encode(deposit.tx_hash)
		);
		self.metrics.transactions_quarantined.inc();
		self.state.quarantined.push(Quarantined { tx_hash: hex::encode(deposit.tx_hash), reason });
		self.state_file.save(&self.state)?;
		Ok(())
	}

	/// Signs, submits and reports the pending payments.
	async fn payments(
		&mut self,
		bridge: &Bridge,
		network: &crate::horizon::Network,
	) -> Result<(), RelayError> {
		let pending = self.chain.pending_payments(true).await?;
		self.metrics.pending_payments.set(pending.len() as u64);
		if pending.is_empty() {
			return Ok(());
		}
		let my_key = self.stellar_key.verifying_key().to_bytes();
		let me = self.chain.me;

		// Sign what this validator has not signed, after rebuilding each payment itself; only
		// a signer of the vault signs (a new member's key counts once the vault follows the
		// circle: the chain refuses other signatures).
		let mut signing = Vec::new();
		let a_vault_signer = bridge.vault.signers.contains(&my_key);
		for payment in pending.iter().filter(|_| a_vault_signer) {
			if payment.signatures.iter().any(|(who, key, _)| *who == me && *key == my_key) {
				continue;
			}
			match checked_hash(&payment.transaction, bridge.vault.network_id, &payment.hash) {
				Ok(hash) => signing.push((payment.id, self.stellar_key.sign(&hash).to_bytes())),
				Err(error) => {
					self.metrics.errors.with_label_values(&["hash"]).inc();
					say!("error", "payment {}: {error}", payment.id);
				},
			}
		}
		let signed = self.chain.sign_all(&signing).await;
		let mut mine = std::collections::BTreeMap::new();
		for ((id, signature), result) in signing.into_iter().zip(signed) {
			match result {
				Ok(()) => {
					self.metrics.payments_signed.inc();
					mine.insert(id, signature);
				},
				Err(refused) => say!("warn", "could not sign payment {id}: {refused}"),
			}
		}
		if !mine.is_empty() {
			crash::point(Step::AfterSignatures);
		}

		// The signatures of the best block, for the finalized payments whose hash they sign:
		// the other validators signed in the same block as this one, most likely.
		let best = self.chain.pending_payments(false).await?;
		let signatures_now = |payment: &crate::chain::Pending| {
			best.iter()
				.find(|at_best| at_best.id == payment.id && at_best.hash == payment.hash)
				.map_or(&payment.signatures, |at_best| &at_best.signatures)
				.clone()
		};

		// Look at each on Stellar: report what applied or expired, submit what may apply next
		// (`network` was read at the round's start: an older ledger only delays an expiry).
		let vault =
			self.horizon.account(&bridge.vault.account).await?.ok_or_else(|| {
				RelayError::NoVault(crate::horizon::strkey(&bridge.vault.account))
			})?;
		let mut next_sequence = vault.sequence.saturating_add(1);
		let mut reports = Vec::new();
		for payment in &pending {
			let mut held: Vec<([u8; 32], [u8; 64])> = signatures_now(payment)
				.iter()
				.map(|(_, key, signature)| (*key, *signature))
				.collect();
			if let Some(signature) = mine.get(&payment.id) {
				if !held.iter().any(|(key, _)| *key == my_key) {
					held.push((my_key, *signature));
				}
			}
			let found = self.horizon.transaction(&payment.hash).await?;
			let signatures = enough_signatures(&held, &vault, &payment.transaction);
			let step = next_step(
				&payment.transaction,
				found.as_ref(),
				vault.sequence,
				network.latest_closed_at,
				signatures.is_some(),
			);
			match step {
				// Whatever order they are reported in, the chain settles them in order.
				Next::Report(outcome) => {
					if !payment.reports.iter().any(|(who, o)| *who == me && *o == outcome) {
						reports.push((payment.id, outcome));
					}
				},
				Next::Submit if payment.transaction.sequence() == next_sequence => {
					let signatures = signatures.unwrap_or_default();
					let Ok(envelope) = envelope(&payment.transaction, &signatures) else {
						continue;
					};
					self.metrics.payments_submitted.inc();
					match self.horizon.submit(&envelope).await? {
						// In a ledger: reported at once, as the ledger has it.
						Submitted::Included(record) => {
							crash::point(Step::AfterSubmission);
							next_sequence = next_sequence.saturating_add(1);
							let outcome =
								if record.successful { Outcome::Paid } else { Outcome::Failed };
							reports.push((payment.id, outcome));
						},
						// `tx_failed` is also what Horizon answers for a transaction refused
						// before any ledger (an operation invalid as such): only the ledger says
						// whether its sequence was used. Reporting `Failed` for one that was not
						// would mint a withdrawal back while its envelope can still apply.
						Submitted::Failed { operations } => {
							match self.horizon.transaction(&payment.hash).await? {
								Some(record) => {
									crash::point(Step::AfterSubmission);
									next_sequence = next_sequence.saturating_add(1);
									let outcome = if record.successful {
										Outcome::Paid
									} else {
										Outcome::Failed
									};
									reports.push((payment.id, outcome));
								},
								None => {
									say!(
										"warn",
										"Stellar refused payment {} before any ledger: {operations:?}",
										payment.id
									);
									break;
								},
							}
						},
						Submitted::Unknown => break,
						Submitted::Refused(code) => {
							say!("warn", "Stellar refused payment {}: {code}", payment.id);
							break;
						},
					}
				},
				Next::Submit | Next::Wait(_) => {},
			}
		}
		let results = self.chain.report_all(&reports).await;
		let mut reported = false;
		for ((id, outcome), result) in reports.into_iter().zip(results) {
			match result {
				Ok(()) => {
					reported = true;
					self.metrics
						.payments_reported
						.with_label_values(&[&format!("{outcome:?}")])
						.inc()
				},
				Err(refused) => {
					say!("warn", "could not report payment {id} {outcome:?}: {refused}")
				},
			}
		}
		if reported {
			crash::point(Step::AfterReports);
		}
		Ok(())
	}
}
