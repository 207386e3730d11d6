//! # zos-sim: a simulator of one ZOS node's deployment API
//!
//! **This is a simulator.** It runs no workloads; it keeps their records and answers the
//! deployment commands the way a ZOS node does, so gridchain's off-chain worker and tests can
//! run where there is no ZOS hardware:
//!
//! - it reads RMB request envelopes POSTed to its endpoint and answers with RMB replies
//!   ([`zos_client::rmb`]);
//! - it validates a new deployment as ZOS does: names, sizes, versions, signature weights with
//!   ed25519 and sr25519 in both signature styles, and the agreement on chain (it exists, is
//!   for this node and this twin, is not cancelled, carries this deployment's hash), with the
//!   twins' keys read from the chain;
//! - it keeps the capacity it was given and refuses what does not fit;
//! - it persists its state to a file, so a restart keeps its deployments;
//! - it injects faults on request: fail the next N deployments, add latency, refuse
//!   connections for a while.
//!
//! Where it differs from ZOS: the sender of a message is not authenticated (gridchain's
//! off-chain worker relays the user's signed deployment; the deployment's signatures are what
//! is checked), and `zos.deployment.delete` exists, succeeding only for a contract cancelled on
//! chain (real ZOS deletes by itself when it sees the cancellation).

pub mod chain;
pub mod node;
pub mod server;
pub mod validate;

/// Writes a log line that says where it comes from.
#[macro_export]
macro_rules! say {
	($($arg:tt)*) => {
		eprintln!("zos-sim (simulator): {}", format_args!($($arg)*))
	};
}
