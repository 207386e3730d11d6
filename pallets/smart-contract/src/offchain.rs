//! The farm's off-chain worker: it turns the pending actions of the farms whose operator key
//! this node holds into ZOS deployments and deletions, and reports the results on chain.
//!
//! - **Who works.** A farm's operator key has its own key type, [`ZOS_KEY_TYPE`] (`zos!`). The
//!   node whose keystore holds it does the farm's work; it finds the farms through the
//!   registry's operator index, never by scanning farms or agreements.
//! - **What work.** [`PendingActions`] lists, per farm, a `Deploy` for each agreement created and
//!   not yet reported, a `Pause` or `Resume` for each one that entered or left its grace
//!   period, and a `Delete` for each one cancelled and not yet deleted. Budgets are per farm:
//!   a run works on no more than [`MAX_ACTIONS_PER_FARM_PER_RUN`] actions of each farm it
//!   serves, passing over those backing off or locked without counting, up to
//!   [`MAX_ACTIONS_LOOKED_AT_PER_FARM`] looked at; so one farm's stuck actions never hold up
//!   another's.
//! - **Idempotent.** A deploy first asks the node (`zos.deployment.get`) whether it has the
//!   deployment, and deploys only if not; a delete of a deployment already gone is a success;
//!   pausing a paused deployment or resuming a running one changes nothing. So redoing an
//!   action after a lost report or a restart changes nothing on the node.
//! - **Retried with back-off.** An unreachable node, and a node still working on a deployment,
//!   is asked again after 1, 2, 4, ... up to [`MAX_BACKOFF_BLOCKS`] blocks, for as long as it
//!   takes: an agreement never deployed is cancelled and refunded by the chain after its
//!   deployment timeout, whatever the worker does.
//! - **Failed only when nothing runs.** A deployment is reported `Failed` (and the user
//!   refunded in full, the capacity released) only when the node says it does not run it: it
//!   refused the deploy and `get` finds nothing, or every workload ended in error. A deploy
//!   that timed out may have gone through, so it is asked about again, never reported
//!   failed.
//! - **Never twice at once.** Each action runs under an off-chain storage lock, so overlapping
//!   runs (a slow node, several blocks imported at once) never do the same action together;
//!   after a report is sent the lock is kept for [`REPORT_WAIT_BLOCKS`], the time for the
//!   report to be included, so a report is not sent twice.
//! - **Signed both ways.** Each RMB envelope is signed with the operator key, and a reply is
//!   believed only when signed by the node's own key registered with it on chain (see
//!   [`zos_client::rmb`]); an answer from anyone else is no answer: tried again, never
//!   reported.
//! - **Reported by the operator.** The result goes back as a `report_deployment` transaction
//!   signed with the operator key, which the chain accepts from that farm's operator only.

use crate::{pallet::*, types::*};
use alloc::{format, string::String, vec, vec::Vec};
use codec::{Decode, Encode};
use frame_support::pallet_prelude::*;
use frame_system::{
	offchain::{SendSignedTransaction, Signer},
	pallet_prelude::BlockNumberFor,
};
use gridchain_primitives::grid::{FarmId, GridRegistry};
use sp_runtime::{
	offchain::{
		storage::StorageValueRef,
		storage_lock::{BlockAndTime, StorageLock},
		Duration,
	},
	KeyTypeId, SaturatedConversion,
};
use zos_client::{commands, offchain::OffchainHttp, rmb, ResultState, ZosError};

/// The key type of farm operator keys.
pub const ZOS_KEY_TYPE: KeyTypeId = KeyTypeId(*b"zos!");

/// A client of a ZOS node, as the worker talks to it.
type NodeClient = commands::Client<OffchainHttp, OperatorSigner>;

/// Signs RMB envelopes with an operator's `zos!` key from this node's keystore.
pub struct OperatorSigner(crypto::Public);

impl OperatorSigner {
	/// The signer of `operator`, whose account is its sr25519 public key.
	pub fn of(operator: &sp_runtime::AccountId32) -> Self {
		let public: &[u8; 32] = operator.as_ref();
		OperatorSigner(crypto::Public::from(sp_core::sr25519::Public::from_raw(*public)))
	}
}

impl rmb::Signer for OperatorSigner {
	fn sign(&self, challenge: &[u8; 32]) -> Option<[u8; rmb::SIGNATURE_LENGTH]> {
		let signature: crypto::Signature = sp_runtime::RuntimeAppPublic::sign(&self.0, challenge)?;
		let bytes: [u8; 64] = AsRef::<[u8]>::as_ref(&signature).try_into().ok()?;
		Some(rmb::with_key_type(rmb::SR25519, bytes))
	}
}

/// The most pending actions of one farm that one run works on (talks to a node for).
pub const MAX_ACTIONS_PER_FARM_PER_RUN: usize = 16;
/// The most pending actions of one farm that one run looks at, counting those it passes over
/// because they are backing off or locked.
pub const MAX_ACTIONS_LOOKED_AT_PER_FARM: usize = 1024;
/// How long one HTTP exchange with a ZOS node may take.
pub const HTTP_TIMEOUT_MILLIS: u64 = 3_000;
/// The longest wait between two attempts at an unreachable node, in blocks (about 3 minutes).
pub const MAX_BACKOFF_BLOCKS: u32 = 32;
/// Blocks to wait after sending a report before looking at the action again.
pub const REPORT_WAIT_BLOCKS: u32 = 5;

/// The operator key's crypto: sr25519 under [`ZOS_KEY_TYPE`].
pub mod crypto {
	use super::ZOS_KEY_TYPE;
	use sp_runtime::{
		app_crypto::{app_crypto, sr25519},
		MultiSignature, MultiSigner,
	};

	app_crypto!(sr25519, ZOS_KEY_TYPE);

	/// Signs the operator's transactions with its `zos!` key.
	pub struct OperatorKey;

	impl frame_system::offchain::AppCrypto<MultiSigner, MultiSignature> for OperatorKey {
		type RuntimeAppPublic = Public;
		type GenericSignature = sp_core::sr25519::Signature;
		type GenericPublic = sp_core::sr25519::Public;
	}
}

/// The off-chain storage key of [`WorkerMetrics`].
pub const METRICS_KEY: &[u8] = b"gridchain/zos/metrics";

/// The most farms whose pending actions [`WorkerMetrics`] lists.
pub const MAX_FARMS_IN_METRICS: usize = 64;

/// What this node's worker did since the node's off-chain storage began: kept in that storage
/// by every run (never on chain), and exported by the node on its Prometheus endpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode)]
pub struct WorkerMetrics {
	/// Runs of the worker.
	pub runs: u64,
	/// Attempts at an action (the worker talked to a node).
	pub attempts: u64,
	/// Attempts that did not finish the action (the node was unreachable, refused, or not done
	/// yet): each starts a back-off.
	pub failed_attempts: u64,
	/// Actions passed over because they were backing off.
	pub backed_off: u64,
	/// Reports sent to the transaction pool.
	pub reports_sent: u64,
	/// Reports the transaction pool did not accept.
	pub reports_rejected: u64,
	/// The pending actions of each farm this node serves, at the last run (at most
	/// [`MAX_FARMS_IN_METRICS`] farms, each counted up to [`MAX_ACTIONS_LOOKED_AT_PER_FARM`]).
	pub pending_by_farm: Vec<(FarmId, u32)>,
}

/// What one look at an action came to, for the run's budget and the metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Attempt {
	/// Waiting out a back-off: not tried.
	BackingOff,
	/// Another run holds it, or its report is on its way: not tried.
	Locked,
	/// Tried; it did not finish and backs off now.
	Failed,
	/// Tried and reported; whether the pool took the report.
	Reported { sent: bool },
}

/// What this node remembers about an action between runs (off-chain storage, never on chain).
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode)]
pub struct ActionProgress {
	/// Attempts in a row that found the node unreachable or not done yet.
	pub unreachable_attempts: u32,
	/// The block before which the action is not tried again.
	pub not_before: u32,
}

/// What one attempt at an action came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step<Reason> {
	/// Tell the chain.
	Report(DeploymentOutcome<Reason>),
	/// The node is not done yet (workloads still initialising); look again after a back-off.
	Wait,
	/// The node could not be reached or was busy; try again after a back-off.
	Retry(ZosError),
}

/// The key under which this node keeps the progress of an action: per agreement and action,
/// so a deletion neither waits for the deployment's lock nor inherits its back-off.
pub(crate) fn progress_key(contract_id: ContractId, action: PendingAction) -> Vec<u8> {
	action_key(b"gridchain/zos/progress/", contract_id, action)
}

fn lock_key(contract_id: ContractId, action: PendingAction) -> Vec<u8> {
	action_key(b"gridchain/zos/lock/", contract_id, action)
}

fn action_key(prefix: &[u8], contract_id: ContractId, action: PendingAction) -> Vec<u8> {
	let mut key = prefix.to_vec();
	key.extend_from_slice(&contract_id.to_le_bytes());
	key.extend_from_slice(&action.encode());
	key
}

/// The wait after `attempts` failed attempts in a row: 1, 2, 4, ... blocks, at most
/// [`MAX_BACKOFF_BLOCKS`].
pub fn backoff_blocks(attempts: u32) -> u32 {
	let doublings = attempts.saturating_sub(1).min(31);
	1u32.checked_shl(doublings).unwrap_or(u32::MAX).min(MAX_BACKOFF_BLOCKS)
}

/// What a deployment's workload results say: all ok is deployed; a failure (with ZOS's
/// message) only when no workload runs (each ended in error or was deleted); anything else is
/// not done yet. A deployment with some workloads running and some failed is neither: it
/// waits, and the chain cancels it after its deployment timeout (then it is deleted).
pub fn outcome_of(deployment: &zos_client::Deployment) -> Step<String> {
	let not_running = |w: &&zos_client::Workload| {
		matches!(w.result.state, ResultState::Error | ResultState::Deleted)
	};
	if let Some(failed) = deployment.workloads.iter().find(|w| w.result.state == ResultState::Error)
	{
		if deployment.workloads.iter().all(|w| not_running(&w)) {
			let message = format!("{}: {}", failed.name, failed.result.message);
			return Step::Report(DeploymentOutcome::Failed(message));
		}
		return Step::Wait;
	}
	if !deployment.workloads.is_empty()
		&& deployment.workloads.iter().all(|w| w.result.state == ResultState::Ok)
	{
		return Step::Report(DeploymentOutcome::Deployed);
	}
	Step::Wait
}

/// The message of a refusal, as the failure reason.
fn refusal_message(error: ZosError) -> String {
	match error {
		ZosError::Remote { message, .. } => message,
		other => format!("{other}"),
	}
}

impl<T: Config> Pallet<T> {
	/// One run of the off-chain worker, after the block `now` was imported.
	///
	/// Each farm this node operates gets its own budget: [`MAX_ACTIONS_PER_FARM_PER_RUN`]
	/// attempts, with actions backing off or locked passed over without counting, and at most
	/// [`MAX_ACTIONS_LOOKED_AT_PER_FARM`] looked at.
	pub(crate) fn run_offchain_worker(now: BlockNumberFor<T>) {
		let now: u32 = now.saturated_into();
		let mut run = WorkerMetrics { runs: 1, ..Default::default() };
		for operator in Signer::<T, T::AuthorityId>::keystore_accounts() {
			for farm_id in T::Registry::farms_operated_by(&operator.id) {
				let mut attempts = 0;
				let mut pending = 0u32;
				let actions =
					PendingActions::<T>::iter_prefix(farm_id).take(MAX_ACTIONS_LOOKED_AT_PER_FARM);
				for (contract_id, action) in actions {
					pending += 1;
					if attempts == MAX_ACTIONS_PER_FARM_PER_RUN {
						continue;
					}
					match Self::attempt(farm_id, contract_id, action, &operator, now) {
						Attempt::BackingOff => run.backed_off += 1,
						Attempt::Locked => {},
						Attempt::Failed => {
							attempts += 1;
							run.attempts += 1;
							run.failed_attempts += 1;
						},
						Attempt::Reported { sent } => {
							attempts += 1;
							run.attempts += 1;
							if sent {
								run.reports_sent += 1;
							} else {
								run.reports_rejected += 1;
							}
						},
					}
				}
				if run.pending_by_farm.len() < MAX_FARMS_IN_METRICS {
					run.pending_by_farm.push((farm_id, pending));
				}
			}
		}
		Self::record_metrics(run);
	}

	/// Adds a run's counts to this node's [`WorkerMetrics`] (a compare-and-set: runs may
	/// overlap).
	fn record_metrics(run: WorkerMetrics) {
		let stored = StorageValueRef::persistent(METRICS_KEY);
		for _ in 0..3 {
			let updated = stored.mutate(|total: Result<Option<WorkerMetrics>, _>| {
				let mut total = total.ok().flatten().unwrap_or_default();
				total.runs = total.runs.saturating_add(run.runs);
				total.attempts = total.attempts.saturating_add(run.attempts);
				total.failed_attempts = total.failed_attempts.saturating_add(run.failed_attempts);
				total.backed_off = total.backed_off.saturating_add(run.backed_off);
				total.reports_sent = total.reports_sent.saturating_add(run.reports_sent);
				total.reports_rejected =
					total.reports_rejected.saturating_add(run.reports_rejected);
				total.pending_by_farm = run.pending_by_farm.clone();
				Ok::<_, ()>(total)
			});
			if updated.is_ok() {
				return;
			}
		}
	}

	/// Tries an action unless it is backing off, locked by another run, or waiting for its
	/// report.
	fn attempt(
		farm_id: FarmId,
		contract_id: ContractId,
		action: PendingAction,
		operator: &frame_system::offchain::Account<T>,
		now: u32,
	) -> Attempt {
		let progress_key = progress_key(contract_id, action);
		let mut progress_ref = StorageValueRef::persistent(&progress_key);
		let mut progress: ActionProgress = progress_ref.get().ok().flatten().unwrap_or_default();
		if now < progress.not_before {
			return Attempt::BackingOff;
		}
		let lock_key = lock_key(contract_id, action);
		let mut lock =
			StorageLock::<BlockAndTime<frame_system::Pallet<T>>>::with_block_and_time_deadline(
				&lock_key,
				REPORT_WAIT_BLOCKS,
				Duration::from_millis(HTTP_TIMEOUT_MILLIS.saturating_mul(4)),
			);
		let Ok(guard) = lock.try_lock() else { return Attempt::Locked };

		let step = Self::carry_out(farm_id, contract_id, action, &operator.id);
		let outcome = match step {
			Step::Report(outcome) => outcome,
			Step::Wait | Step::Retry(_) => {
				progress.unreachable_attempts = progress.unreachable_attempts.saturating_add(1);
				progress.not_before =
					now.saturating_add(backoff_blocks(progress.unreachable_attempts));
				progress_ref.set(&progress);
				let why = match step {
					Step::Retry(error) => format!("{error}"),
					_ => "the node is not done yet".into(),
				};
				log::info!(
					target: "runtime::smart-contract::ocw",
					"contract {contract_id}: {why}; attempt {} did not finish, next at block {}",
					progress.unreachable_attempts,
					progress.not_before
				);
				return Attempt::Failed;
			},
		};
		let outcome = match outcome {
			DeploymentOutcome::Failed(message) => {
				DeploymentOutcome::Failed(Self::failure_reason(&message))
			},
			DeploymentOutcome::Deployed => DeploymentOutcome::Deployed,
			DeploymentOutcome::Deleted => DeploymentOutcome::Deleted,
			DeploymentOutcome::Paused => DeploymentOutcome::Paused,
			DeploymentOutcome::Resumed => DeploymentOutcome::Resumed,
		};
		let signer =
			Signer::<T, T::AuthorityId>::all_accounts().with_filter(vec![operator.public.clone()]);
		let sent = signer
			.send_signed_transaction(|_| Call::report_deployment {
				contract_id,
				outcome: outcome.clone(),
			})
			.into_iter()
			.any(|(_, result)| result.is_ok());
		log::info!(
			target: "runtime::smart-contract::ocw",
			"contract {contract_id}: reporting {outcome:?} ({})",
			if sent { "sent" } else { "not accepted by the pool" }
		);
		progress_ref.clear();
		// The lock stays taken until its deadline, so the action is looked at again only once
		// the report had time to land (and then only if it did not).
		guard.forget();
		Attempt::Reported { sent }
	}

	/// ZOS's message as a failure reason, cut to the longest reason the chain keeps.
	fn failure_reason(message: &str) -> FailureReasonOf<T> {
		let mut bytes = message.as_bytes().to_vec();
		let limit = T::MaxTextLength::get() as usize;
		if bytes.len() > limit {
			let mut end = limit;
			while end > 0 && !message.is_char_boundary(end) {
				end -= 1;
			}
			bytes.truncate(end);
		}
		// Cut to the bound above.
		BoundedVec::truncate_from(bytes)
	}

	/// Does one attempt at an action on the agreement's node, talking as `operator`.
	fn carry_out(
		farm_id: FarmId,
		contract_id: ContractId,
		action: PendingAction,
		operator: &T::AccountId,
	) -> Step<String> {
		let Some(contract) = Contracts::<T>::get(contract_id) else { return Step::Wait };
		let client = Self::node_client(farm_id, &contract, operator);
		match (action, client) {
			(PendingAction::Deploy, Ok(mut client)) => {
				Self::deploy(&mut client, contract_id, &contract)
			},
			(PendingAction::Delete, Ok(mut client)) => Self::delete(&mut client, contract_id),
			(PendingAction::Pause, Ok(mut client)) => Self::pause_or_resume(
				&mut client,
				commands::pause(contract_id),
				DeploymentOutcome::Paused,
			),
			(PendingAction::Resume, Ok(mut client)) => Self::pause_or_resume(
				&mut client,
				commands::resume(contract_id),
				DeploymentOutcome::Resumed,
			),
			// No node to delete from: the workloads are gone with it.
			(PendingAction::Delete, Err(_)) => Step::Report(DeploymentOutcome::Deleted),
			// Without a node nothing was ever deployed.
			(PendingAction::Deploy, Err(why)) => Step::Report(DeploymentOutcome::Failed(why)),
			// Nothing to pause or resume without a node; the agreement ends in time.
			(PendingAction::Pause, Err(_)) => Step::Report(DeploymentOutcome::Paused),
			(PendingAction::Resume, Err(_)) => Step::Report(DeploymentOutcome::Resumed),
		}
	}

	/// A client of the agreement's node, sending as the farm's twin with `operator`'s key and
	/// believing only the node's key; or why there is none.
	fn node_client(
		farm_id: FarmId,
		contract: &Contract<T>,
		operator: &T::AccountId,
	) -> Result<NodeClient, String> {
		let contact = T::Registry::node_contact(contract.node_id)
			.ok_or_else(|| String::from("the node is no longer registered"))?;
		let endpoint = String::from_utf8(contact.endpoint)
			.map_err(|_| String::from("the node's endpoint is not text"))?;
		let parties = commands::Parties {
			signer: OperatorSigner::of(operator),
			source_twin: T::Registry::farm_owner(farm_id).unwrap_or(0),
			node_twin: 0,
			node_key: contact.public_key,
		};
		Ok(commands::Client::new(OffchainHttp::new(endpoint, HTTP_TIMEOUT_MILLIS), parties))
	}

	/// Gets the deployment from the node, deploying it first if the node does not have it.
	/// Reports a failure only when the node runs none of it.
	fn deploy(
		client: &mut NodeClient,
		contract_id: ContractId,
		contract: &Contract<T>,
	) -> Step<String> {
		if contract.state != ContractState::Created {
			// Reported already; the chain drops the action with the report.
			return Step::Wait;
		}
		match Self::get_deployment(client, contract_id) {
			Ok(deployment) => return outcome_of(&deployment),
			Err(error) if !error.is_not_found() => return Step::Retry(error),
			Err(_) => {},
		}
		let Some(terms) = ContractTerms::<T>::get(contract_id) else { return Step::Wait };
		let deployment = match Self::zos_deployment_of(contract_id, contract.twin_id, &terms) {
			Ok(deployment) => deployment,
			Err(_) => return Step::Report(DeploymentOutcome::Failed("invalid agreement".into())),
		};
		let refusal = match client.call(&commands::deploy(&deployment)) {
			// The node has it after all (an earlier deploy that timed out went through): its
			// results decide, as for any deployment the node has.
			Err(ZosError::Remote { code: zos_client::error::code::CONFLICT, .. }) | Ok(()) => None,
			// The deploy may have gone through: ask again later.
			Err(error) if error.is_transient() => return Step::Retry(error),
			Err(error) => Some(refusal_message(error)),
		};
		match (Self::get_deployment(client, contract_id), refusal) {
			(Ok(deployment), _) => outcome_of(&deployment),
			// Refused, and the node does not have it: a failure for sure.
			(Err(error), Some(message)) if error.is_not_found() => {
				Step::Report(DeploymentOutcome::Failed(message))
			},
			(Err(error), _) => Step::Retry(error),
		}
	}

	/// The node's deployment of agreement `contract_id`: a deployment of another agreement is
	/// no answer (what the node signed was about something else).
	fn get_deployment(
		client: &mut NodeClient,
		contract_id: ContractId,
	) -> Result<zos_client::Deployment, ZosError> {
		let deployment = client.call(&commands::get(contract_id))?;
		if deployment.contract_id != contract_id {
			return Err(ZosError::InvalidReply(format!(
				"asked for agreement {contract_id}, the node answered about {}",
				deployment.contract_id
			)));
		}
		Ok(deployment)
	}

	/// Asks the node to remove a cancelled agreement's deployment; one it does not have is gone
	/// already.
	fn delete(client: &mut NodeClient, contract_id: ContractId) -> Step<String> {
		match client.call(&commands::delete(contract_id)) {
			Ok(()) => Step::Report(DeploymentOutcome::Deleted),
			Err(error) if error.is_not_found() => Step::Report(DeploymentOutcome::Deleted),
			// A node that refuses now (e.g. it does not see the cancellation yet) is asked again.
			Err(error) => Step::Retry(error),
		}
	}

	/// Asks the node to pause or resume a deployment; one the node does not have has nothing
	/// to pause or resume.
	fn pause_or_resume(
		client: &mut NodeClient,
		request: commands::Request<()>,
		done: DeploymentOutcome<String>,
	) -> Step<String> {
		match client.call(&request) {
			Ok(()) => Step::Report(done),
			Err(error) if error.is_not_found() => Step::Report(done),
			// Refused (e.g. the node does not see the chain's new state yet): asked again.
			Err(error) => Step::Retry(error),
		}
	}
}
