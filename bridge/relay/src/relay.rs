//! One validator's relay: each round it reads the vault's new transactions and votes for the
//! deposits, then signs the payments the chain fixed, submits those ready, and reports what
//! Stellar did with them. Every step is safe to repeat, so a relay killed at any point and
//! restarted loses nothing and pays nothing twice.

use crate::{
	chain::{Bridge, Chain, ChainError},
	deposits::{classify, Deposit, Seen, VaultAsset},
	horizon::{Horizon, HorizonError, Submitted},
	metrics::Metrics,
	payments::{checked_hash, enough_signatures, envelope, next_step, Next, Outcome},
	state::{Quarantined, RelayState, StateFile},
};
use ed25519_dalek::{Signer as _, SigningKey};
use gridchain_client::SubmitError;

/// Vault transactions read per Horizon request.
const PAGE: u32 = 100;

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
}

/// A relay and what it keeps.
pub struct Relay {
	pub chain: Chain,
	pub horizon: Horizon,
	pub stellar_key: SigningKey,
	pub state_file: StateFile,
	pub state: RelayState,
	pub metrics: Metrics,
}

macro_rules! say {
	($($arg:tt)*) => { eprintln!("gridchain-bridge: {}", format_args!($($arg)*)) };
}

impl Relay {
	/// One round: deposits, then payments.
	pub async fn round(&mut self) -> Result<(), RelayError> {
		let Some(bridge) = self.chain.bridge().await? else {
			say!("the council has not set up the bridge yet (circle and vault)");
			return Ok(());
		};
		self.deposits(&bridge).await?;
		self.payments(&bridge).await?;
		self.metrics.rounds.inc();
		Ok(())
	}

	/// Reads the vault's history from the cursor and votes for the deposits not yet voted.
	async fn deposits(&mut self, bridge: &Bridge) -> Result<(), RelayError> {
		let asset = VaultAsset {
			vault: bridge.vault.account,
			code: bridge.vault.asset_code.clone(),
			issuer: bridge.vault.asset_issuer,
		};
		loop {
			let records = self.horizon.transactions(&asset.vault, &self.state.cursor, PAGE).await?;
			let Some(last) = records.last() else { return Ok(()) };
			let mut votes = Vec::new();
			for record in &records {
				match classify(record, &asset) {
					Seen::Deposit(deposit) => {
						if self.chain.needs_vote(deposit.tx_hash).await? {
							votes.push(deposit);
						}
					},
					Seen::Outgoing => {},
					Seen::Pass(why) => {
						self.metrics.transactions_passed.inc();
						say!("passing {}: {why}", hex::encode(record.hash));
					},
				}
			}
			self.vote(votes).await?;
			// Only now: a relay killed before this line votes these again, which is harmless.
			self.state.cursor = last.paging_token.clone();
			self.state_file.save(&self.state)?;
			if records.len() < PAGE as usize {
				return Ok(());
			}
		}
	}

	/// Votes in one call; when the chain refuses the call, vote by vote, setting aside each
	/// deposit the chain refuses (with its reason) instead of retrying it forever.
	async fn vote(&mut self, votes: Vec<Deposit>) -> Result<(), RelayError> {
		if votes.is_empty() {
			return Ok(());
		}
		match self.chain.vote(&votes).await {
			Ok(()) => {
				self.metrics.deposits_voted.inc_by(votes.len() as u64);
				return Ok(());
			},
			Err(ChainError::Submit(SubmitError::Failed(reason))) if votes.len() > 1 => say!(
				"the chain refused {} votes together ({reason}): voting one by one",
				votes.len()
			),
			Err(ChainError::Submit(SubmitError::Failed(reason))) => {
				return self.quarantine(&votes[0], reason)
			},
			Err(other) => return Err(other.into()),
		}
		for deposit in votes {
			match self.chain.vote(std::slice::from_ref(&deposit)).await {
				Ok(()) => self.metrics.deposits_voted.inc(),
				Err(ChainError::Submit(SubmitError::Failed(reason))) => {
					self.quarantine(&deposit, reason)?
				},
				Err(other) => return Err(other.into()),
			}
		}
		Ok(())
	}

	fn quarantine(&mut self, deposit: &Deposit, reason: String) -> Result<(), RelayError> {
		say!(
			"setting aside {}: the chain refused its vote: {reason}",
			hex::encode(deposit.tx_hash)
		);
		self.metrics.transactions_quarantined.inc();
		self.state.quarantined.push(Quarantined { tx_hash: hex::encode(deposit.tx_hash), reason });
		self.state_file.save(&self.state)?;
		Ok(())
	}

	/// Signs, submits and reports the pending payments.
	async fn payments(&mut self, bridge: &Bridge) -> Result<(), RelayError> {
		let pending = self.chain.pending_payments().await?;
		self.metrics.pending_payments.set(pending.len() as u64);
		if pending.is_empty() {
			return Ok(());
		}
		let my_key = self.stellar_key.verifying_key().to_bytes();
		let network = self.horizon.network().await?;
		let vault =
			self.horizon.account(&bridge.vault.account).await?.ok_or_else(|| {
				RelayError::NoVault(crate::horizon::strkey(&bridge.vault.account))
			})?;
		for (index, payment) in pending.iter().enumerate() {
			let mine = payment
				.signatures
				.iter()
				.any(|(who, key, _)| *who == self.chain.me && *key == my_key);
			let mut held: Vec<([u8; 32], [u8; 64])> =
				payment.signatures.iter().map(|(_, key, signature)| (*key, *signature)).collect();
			if !mine {
				match checked_hash(&payment.payment, bridge.vault.network_id, &payment.hash) {
					Ok(hash) => {
						let signature = self.stellar_key.sign(&hash).to_bytes();
						match self.chain.sign(payment.id, signature).await {
							Ok(()) => {
								self.metrics.payments_signed.inc();
								held.push((my_key, signature));
							},
							Err(ChainError::Submit(refused)) => {
								say!("could not sign payment {}: {refused}", payment.id)
							},
							Err(other) => return Err(other.into()),
						}
					},
					Err(error) => {
						self.metrics.errors.with_label_values(&["hash"]).inc();
						say!("payment {}: {error}", payment.id);
						continue;
					},
				}
			}
			let found = self.horizon.transaction(&payment.hash).await?;
			let signatures = enough_signatures(&held, &vault);
			let step = next_step(
				&payment.payment,
				found.as_ref(),
				vault.sequence,
				network.latest_closed_at,
				signatures.is_some(),
			);
			match step {
				Next::Report(outcome) => {
					// Stellar applies the vault's payments in order; so do the chain's reports.
					if outcome != Outcome::Expired && index != 0 {
						continue;
					}
					let reported = payment
						.reports
						.iter()
						.any(|(who, o)| *who == self.chain.me && *o == outcome);
					if !reported {
						match self.chain.report(payment.id, outcome).await {
							Ok(()) => self
								.metrics
								.payments_reported
								.with_label_values(&[&format!("{outcome:?}")])
								.inc(),
							Err(ChainError::Submit(refused)) => say!(
								"could not report payment {} {outcome:?}: {refused}",
								payment.id
							),
							Err(other) => return Err(other.into()),
						}
					}
				},
				Next::Submit if payment.payment.sequence == vault.sequence.saturating_add(1) => {
					let signatures = signatures.unwrap_or_default();
					let Ok(envelope) = envelope(&payment.payment, &signatures) else { continue };
					self.metrics.payments_submitted.inc();
					match self.horizon.submit(&envelope).await? {
						Submitted::Included(_) | Submitted::Failed { .. } | Submitted::Unknown => {
							// Reported next round, from the ledger itself.
						},
						Submitted::Refused(code) => {
							say!("Stellar refused payment {}: {code}", payment.id)
						},
					}
				},
				Next::Submit => {},
				Next::Wait(_) => {},
			}
		}
		Ok(())
	}
}
