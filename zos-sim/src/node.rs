//! The simulated node: its deployments, capacity and persisted state, and what each command
//! does to them. Chain lookups happen before (see [`crate::validate::ChainFacts`]), so this is
//! plain synchronous logic.

use crate::validate::{self, ChainFacts};
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, io, path::PathBuf};
use zos_client::{
	chain::{AgreementStatus, AgreementView},
	commands::{Capacity, Statistics, Users},
	error::code,
	Deployment, ResultState, Workload, WorkloadData, WorkloadResult,
};

/// Why a command failed: the code and message of the error reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
	/// A code from [`zos_client::error::code`].
	pub code: u32,
	/// The message, in ZOS's words where ZOS has them.
	pub message: String,
}

/// What the node is: its id on chain and what it offers.
#[derive(Clone, Debug)]
pub struct NodeConfig {
	/// The node's id on chain.
	pub node_id: u32,
	/// The node's capacity.
	pub capacity: Capacity,
}

/// A deployment and the history of its workloads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
	/// The deployment with its workloads' current results.
	pub deployment: Deployment,
	/// Every workload as it was at each change, oldest first (`zos.deployment.changes`).
	pub history: Vec<Workload>,
}

impl Record {
	/// Whether the deployment holds capacity: some workload is ok or paused (ZOS counts paused
	/// workloads as active).
	fn is_live(&self) -> bool {
		self.deployment
			.workloads
			.iter()
			.any(|w| matches!(w.result.state, ResultState::Ok | ResultState::Paused))
	}

	/// Pauses the workloads that are ok (`paused`, message "paused"), or resumes those paused
	/// (`ok`, no message), keeping their result data, as ZOS's provisioner does. Returns
	/// whether anything changed.
	fn set_paused(&mut self, paused: bool, now: i64) -> bool {
		let (from, to, message) = if paused {
			(ResultState::Ok, ResultState::Paused, "paused")
		} else {
			(ResultState::Paused, ResultState::Ok, "")
		};
		let mut changed = false;
		for workload in &mut self.deployment.workloads {
			if workload.result.state == from {
				workload.result.state = to;
				workload.result.message = message.into();
				workload.result.created = now;
				self.history.push(workload.clone());
				changed = true;
			}
		}
		changed
	}

	fn set_results(&mut self, state: ResultState, message: &str, now: i64) {
		let (twin, contract) = (self.deployment.twin_id, self.deployment.contract_id);
		for workload in &mut self.deployment.workloads {
			let data = match (&workload.data, state) {
				(WorkloadData::Volume { .. }, ResultState::Ok) => {
					serde_json::json!({ "id": format!("{twin}-{contract}-{}", workload.name) })
				},
				(WorkloadData::Zmount { .. }, ResultState::Ok) => {
					serde_json::json!({ "volume_id": format!("{twin}-{contract}-{}", workload.name) })
				},
				_ => serde_json::Value::Null,
			};
			workload.result = WorkloadResult { created: now, state, message: message.into(), data };
			self.history.push(workload.clone());
		}
	}
}

/// Everything the simulator keeps across restarts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
	/// Deployments by contract id, including failed and deleted ones (ZOS keeps them too).
	pub deployments: BTreeMap<u64, Record>,
}

/// The simulated node.
pub struct SimNode {
	config: NodeConfig,
	state: State,
	state_file: Option<PathBuf>,
}

/// The message of a deployment failed by fault injection.
pub const INJECTED_FAILURE: &str =
	"zos-sim: injected failure (the simulator was told to fail this deployment)";

impl SimNode {
	/// A node with the state saved in `state_file` (none yet: empty), saving every change there.
	pub fn load(config: NodeConfig, state_file: Option<PathBuf>) -> io::Result<Self> {
		let state = match &state_file {
			Some(path) if path.exists() => serde_json::from_slice(&std::fs::read(path)?)
				.map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?,
			_ => State::default(),
		};
		Ok(SimNode { config, state, state_file })
	}

	/// The node's id on chain.
	pub fn node_id(&self) -> u32 {
		self.config.node_id
	}

	/// Writes the state file: a temporary file renamed over the old one, so a crash never
	/// leaves half a file.
	fn save(&self) -> Result<(), Refusal> {
		let Some(path) = &self.state_file else { return Ok(()) };
		let write = || -> io::Result<()> {
			let temporary = path.with_extension("tmp");
			std::fs::write(&temporary, serde_json::to_vec_pretty(&self.state)?)?;
			std::fs::rename(&temporary, path)
		};
		write().map_err(|e| Refusal {
			code: code::INTERNAL,
			message: format!("cannot save the simulator's state: {e}"),
		})
	}

	fn used(&self) -> Capacity {
		let mut used = Capacity::default();
		for record in self.state.deployments.values().filter(|r| r.is_live()) {
			for workload in &record.deployment.workloads {
				used.sru = used.sru.saturating_add(workload.data.sru());
			}
		}
		used
	}

	/// `zos.deployment.deploy`: validates and deploys; `fail` makes the workloads end in error
	/// (fault injection) after validation passed, as a failing provisioner does.
	pub fn deploy(
		&mut self,
		mut deployment: Deployment,
		facts: &ChainFacts,
		fail: bool,
		now: i64,
	) -> Result<(), Refusal> {
		if self.state.deployments.contains_key(&deployment.contract_id) {
			return Err(Refusal {
				code: code::CONFLICT,
				message: format!("deployment for contract {} exists", deployment.contract_id),
			});
		}
		validate::check_shape(&deployment)?;
		validate::check_signatures(&deployment, facts)?;
		validate::check_agreement(&deployment, facts, self.config.node_id)?;
		let wanted: u64 = deployment.workloads.iter().map(|w| w.data.sru()).sum();
		let free = self.config.capacity.sru.saturating_sub(self.used().sru);
		if wanted > free {
			return Err(Refusal {
				code: code::REFUSED,
				message: format!("not enough capacity: {wanted} bytes of SSD wanted, {free} free"),
			});
		}
		for workload in &mut deployment.workloads {
			workload.result = WorkloadResult::default();
		}
		let mut record = Record { deployment, history: Vec::new() };
		if fail {
			record.set_results(ResultState::Error, INJECTED_FAILURE, now);
		} else {
			record.set_results(ResultState::Ok, "", now);
		}
		self.state.deployments.insert(record.deployment.contract_id, record);
		self.save()
	}

	fn record(&self, contract_id: u64) -> Result<&Record, Refusal> {
		self.state.deployments.get(&contract_id).ok_or_else(|| Refusal {
			code: code::NOT_FOUND,
			message: format!("deployment for contract {contract_id} not found"),
		})
	}

	/// `zos.deployment.get`.
	pub fn get(&self, contract_id: u64) -> Result<Deployment, Refusal> {
		Ok(self.record(contract_id)?.deployment.clone())
	}

	/// `zos.deployment.changes`.
	pub fn changes(&self, contract_id: u64) -> Result<Vec<Workload>, Refusal> {
		Ok(self.record(contract_id)?.history.clone())
	}

	/// `zos.deployment.list`: the deployments of `twin_id`.
	pub fn list(&self, twin_id: u32) -> Vec<Deployment> {
		self.state
			.deployments
			.values()
			.filter(|record| record.deployment.twin_id == twin_id)
			.map(|record| record.deployment.clone())
			.collect()
	}

	/// Deletes a deployment whose agreement is cancelled on chain (or gone from it: ended). A
	/// deployment deleted before is deleted again without complaint, so a retried deletion
	/// succeeds.
	pub fn delete(
		&mut self,
		contract_id: u64,
		agreement: Option<&AgreementView>,
		now: i64,
	) -> Result<(), Refusal> {
		let record = self.record(contract_id)?;
		let already_deleted =
			record.deployment.workloads.iter().all(|w| w.result.state == ResultState::Deleted);
		if already_deleted {
			return Ok(());
		}
		if let Some(agreement) = agreement {
			if agreement.status != AgreementStatus::Cancelled {
				return Err(Refusal {
					code: code::REFUSED,
					message: format!(
						"contract {contract_id} is not cancelled on chain; ZOS deletes only \
						 the deployments of cancelled contracts"
					),
				});
			}
		}
		if let Some(record) = self.state.deployments.get_mut(&contract_id) {
			record.set_results(ResultState::Deleted, "deleted by contract cancellation", now);
		}
		self.save()
	}

	/// `zos.deployment.pause` / `zos.deployment.resume`: pauses the workloads of a deployment
	/// whose agreement is in its grace period on chain, or resumes them once it is deployed
	/// again (real ZOS does this when it sees the contract's grace period start or end).
	/// Pausing a paused deployment, or resuming a running one, changes nothing.
	pub fn set_paused(
		&mut self,
		contract_id: u64,
		paused: bool,
		agreement: Option<&AgreementView>,
		now: i64,
	) -> Result<(), Refusal> {
		self.record(contract_id)?;
		let wanted = if paused { AgreementStatus::GracePeriod } else { AgreementStatus::Deployed };
		if agreement.map(|a| a.status) != Some(wanted) {
			return Err(Refusal {
				code: code::REFUSED,
				message: format!(
					"contract {contract_id} is not {} on chain",
					if paused { "in its grace period" } else { "deployed" }
				),
			});
		}
		let changed = self
			.state
			.deployments
			.get_mut(&contract_id)
			.is_some_and(|record| record.set_paused(paused, now));
		if changed {
			self.save()?;
		}
		Ok(())
	}

	/// `zos.statistics.get`.
	pub fn statistics(&self) -> Statistics {
		let live = self.state.deployments.values().filter(|r| r.is_live());
		let (deployments, workloads) =
			live.fold((0u64, 0u64), |(d, w), r| (d + 1, w + r.deployment.workloads.len() as u64));
		Statistics {
			total: self.config.capacity,
			used: self.used(),
			system: Capacity::default(),
			users: Users { deployments, workloads },
			open_connections: 0,
		}
	}
}
