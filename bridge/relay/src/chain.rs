//! The relay's view of gridchain, through the typed client: the bridge's circle and vault, the
//! payments waiting for signatures and reports; and the relay's calls. It reads at the latest
//! finalized block only.

use crate::{
	deposits::{Deposit, Target, Unusable},
	payments::Outcome,
};
use codec::{Decode, Encode};
use gridchain_client::{
	runtime::{self, runtime_types::pallet_tft_bridge::types as bridge},
	subxt::utils::AccountId32,
	Connection, Signer, SubmitError,
};
use gridchain_primitives::stellar::VaultTransaction;

/// What can go wrong reading the chain.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
	#[error("reading the chain failed: {0}")]
	Read(String),
	#[error(transparent)]
	Submit(#[from] SubmitError),
}

fn read(error: impl std::fmt::Display) -> ChainError {
	ChainError::Read(error.to_string())
}

/// The vault as the chain knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vault {
	pub account: [u8; 32],
	pub network_id: [u8; 32],
	pub asset_code: Vec<u8>,
	pub asset_issuer: [u8; 32],
	pub sequence: i64,
	/// The vault's signers as the chain knows them: only their signatures count.
	pub signers: Vec<[u8; 32]>,
	pub threshold: u8,
}

/// The bridge's circle and vault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bridge {
	pub circle: u32,
	pub threshold: u32,
	pub vault: Vault,
}

/// A transaction from the vault waiting on the chain.
#[derive(Clone, Debug)]
pub struct Pending {
	pub id: u64,
	pub transaction: VaultTransaction,
	pub hash: [u8; 32],
	/// Each signature with its key.
	pub signatures: Vec<(AccountId32, [u8; 32], [u8; 64])>,
	pub reports: Vec<(AccountId32, Outcome)>,
}

/// gridchain, as one validator's relay reaches it.
pub struct Chain {
	connection: Connection,
	signer: Signer,
	pub me: AccountId32,
}

impl Chain {
	pub fn new(connection: Connection, signer: Signer) -> Self {
		let me = AccountId32(signer.public_key().0);
		Self { connection, signer, me }
	}

	/// The hashes of the best and the latest finalized blocks.
	pub async fn heads(&self) -> Result<([u8; 32], [u8; 32]), ChainError> {
		let (best, finalized) = self.connection.heads().await.map_err(ChainError::Read)?;
		Ok((best.0, finalized.0))
	}

	/// How many blocks the latest finalized block is behind the best block.
	pub async fn finality_lag(&self) -> Result<u64, ChainError> {
		let finalized = self.connection.client.at_current_block().await.map_err(read)?;
		let best = self.connection.at_best_block().await.map_err(ChainError::Read)?;
		Ok(best.block_number().saturating_sub(finalized.block_number()))
	}

	/// The bridge, once the council chose its circle and set the vault.
	pub async fn bridge(&self) -> Result<Option<Bridge>, ChainError> {
		let at = self.connection.client.at_current_block().await.map_err(read)?;
		let storage = at.storage();
		let Some(circle) = storage
			.try_fetch(runtime::storage().tft_bridge().bridge_circle(), ())
			.await
			.map_err(read)?
		else {
			return Ok(None);
		};
		let circle: u32 = circle.decode().map_err(read)?;
		let Some(vault) = storage
			.try_fetch(runtime::storage().tft_bridge().vault_of(), ())
			.await
			.map_err(read)?
		else {
			return Ok(None);
		};
		let vault = vault.decode().map_err(read)?;
		let Some(record) = storage
			.try_fetch(runtime::storage().guardian().circles(), (circle,))
			.await
			.map_err(read)?
		else {
			return Ok(None);
		};
		let threshold = record.decode().map_err(read)?.threshold;
		let code = vault.asset.code.0;
		let code = code[..code.iter().position(|b| *b == 0).unwrap_or(code.len())].to_vec();
		Ok(Some(Bridge {
			circle,
			threshold,
			vault: Vault {
				account: vault.account,
				network_id: vault.network_id,
				asset_code: code,
				asset_issuer: vault.asset.issuer,
				sequence: vault.sequence,
				signers: vault.signers.0,
				threshold: vault.threshold,
			},
		}))
	}

	/// The payments not yet applied on Stellar, oldest first, as of the latest finalized block
	/// (`finalized`) or of the best block: what the relay signs must be final (a payment of a
	/// block that is reverted must never be signed), signatures may come from the best block.
	pub async fn pending_payments(&self, finalized: bool) -> Result<Vec<Pending>, ChainError> {
		let at = if finalized {
			self.connection.client.at_current_block().await.map_err(read)?
		} else {
			self.connection.at_best_block().await.map_err(ChainError::Read)?
		};
		let storage = at.storage();
		let bridge_storage = runtime::storage().tft_bridge();
		let first: u64 = storage
			.fetch(bridge_storage.first_pending_payment(), ())
			.await
			.map_err(read)?
			.decode()
			.map_err(read)?;
		let next: u64 = storage
			.fetch(bridge_storage.next_payment_id(), ())
			.await
			.map_err(read)?
			.decode()
			.map_err(read)?;
		let mut pending = Vec::new();
		for id in first..next {
			let Some(value) =
				storage.try_fetch(bridge_storage.outgoing_payments(), (id,)).await.map_err(read)?
			else {
				continue;
			};
			let outgoing = value.decode().map_err(read)?;
			// The client's generated type and the runtime's own encode alike.
			let transaction =
				VaultTransaction::decode(&mut &outgoing.transaction.encode()[..]).map_err(read)?;
			pending.push(Pending {
				id,
				transaction,
				hash: outgoing.hash,
				signatures: outgoing
					.signatures
					.0
					.into_iter()
					.map(|held| (held.signer, held.key, held.signature.signature))
					.collect(),
				reports: outgoing
					.reports
					.0
					.into_iter()
					.map(|(who, result)| (who, outcome_of(result)))
					.collect(),
			});
		}
		Ok(pending)
	}

	/// Submits `calls` signed by this validator, all in one block; each one's result.
	async fn submit_all<Call: gridchain_client::subxt::transactions::Payload>(
		&self,
		calls: &[Call],
	) -> Vec<Result<(), SubmitError>> {
		let results = self.connection.submit_all(calls, &self.signer).await;
		results.into_iter().map(|result| result.map(drop)).collect()
	}

	/// Votes for each batch of deposits in its own call, all calls in one block; each call's
	/// result.
	pub async fn vote_all(&self, batches: &[Vec<Deposit>]) -> Vec<Result<(), SubmitError>> {
		let calls: Vec<_> = batches
			.iter()
			.map(|batch| {
				runtime::tx().tft_bridge().vote_deposits(batch.iter().map(vote_of).collect())
			})
			.collect();
		self.submit_all(&calls).await
	}

	/// Hands in this validator's signatures of payments, all in one block; each one's result.
	pub async fn sign_all(&self, signatures: &[(u64, [u8; 64])]) -> Vec<Result<(), SubmitError>> {
		let calls: Vec<_> = signatures
			.iter()
			.map(|(id, signature)| runtime::tx().tft_bridge().sign_payment(*id, *signature))
			.collect();
		self.submit_all(&calls).await
	}

	/// Asks the chain to make the vault follow the bridge circle: the change queued, as
	/// (its payment id, the signers it makes, their threshold).
	pub async fn update_vault_signers(&self) -> Result<(u64, Vec<[u8; 32]>, u8), ChainError> {
		let events = self
			.connection
			.submit(&runtime::tx().tft_bridge().update_vault_signers(), &self.signer)
			.await?;
		let queued = events
			.find_first::<runtime::tft_bridge::events::VaultSignersChangeQueued>()
			.ok_or_else(|| ChainError::Read("no VaultSignersChangeQueued event".into()))?
			.map_err(read)?;
		Ok((queued.id, queued.signers.0, queued.threshold))
	}

	/// Reports what Stellar did with payments, in the order given, all in one block; each
	/// one's result.
	pub async fn report_all(&self, reports: &[(u64, Outcome)]) -> Vec<Result<(), SubmitError>> {
		let calls: Vec<_> = reports
			.iter()
			.map(|(id, outcome)| {
				let result = match outcome {
					Outcome::Paid => bridge::PaymentResult::Paid,
					Outcome::Failed => bridge::PaymentResult::Failed,
					Outcome::Expired => bridge::PaymentResult::Expired,
				};
				runtime::tx().tft_bridge().report_payment(*id, result)
			})
			.collect();
		self.submit_all(&calls).await
	}
}

fn outcome_of(result: bridge::PaymentResult) -> Outcome {
	match result {
		bridge::PaymentResult::Paid => Outcome::Paid,
		bridge::PaymentResult::Failed => Outcome::Failed,
		bridge::PaymentResult::Expired => Outcome::Expired,
	}
}

fn vote_of(deposit: &Deposit) -> bridge::DepositVote<AccountId32> {
	let target = match deposit.target {
		Target::Account(account) => bridge::DepositTarget::Account(AccountId32(account)),
		Target::Twin(twin) => bridge::DepositTarget::Twin(twin),
		Target::Contract(contract) => bridge::DepositTarget::Contract(contract),
		Target::Unusable(why) => bridge::DepositTarget::Unusable(match why {
			Unusable::NoMemo => bridge::UnusableDeposit::NoMemo,
			Unusable::BadMemo => bridge::UnusableDeposit::BadMemo,
			Unusable::SeveralSenders => bridge::UnusableDeposit::SeveralSenders,
			Unusable::NotOnlyTftPayments => bridge::UnusableDeposit::NotOnlyTftPayments,
		}),
	};
	bridge::DepositVote {
		tx_hash: deposit.tx_hash,
		claim: bridge::DepositClaim { sender: deposit.sender, target, amount: deposit.amount },
	}
}
