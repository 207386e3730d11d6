//! # zos-sim: a simulator of one ZOS node's deployment API
//!
//! **This is a simulator.** It runs no workloads; it keeps their records and answers the
//! deployment commands the way a ZOS node does, so gridchain's off-chain worker and tests can
//! run where there is no ZOS hardware:
//!
//! - it reads RMB request envelopes POSTed to its endpoint and answers with RMB replies
//!   ([`zos_client::rmb`]); it refuses a request not signed by the operator that the chain
//!   names for the farm owning the node (code 401), or valid for more than
//!   [`server::MAX_REQUEST_TTL_SECS`], and signs every reply with the node's own ed25519 key
//!   (`--key-seed`), the key registered with the node on chain;
//! - it validates a new deployment as ZOS does: names, sizes, versions, signature weights with
//!   ed25519 and sr25519 in both signature styles, and the agreement on chain (it exists, is
//!   for this node and this twin, is not cancelled, carries this deployment's hash), with the
//!   twins' keys read from the chain;
//! - it keeps the capacity it was given and refuses what does not fit;
//! - it persists its state to a file, so a restart keeps its deployments;
//! - it injects faults on request: fail the next N deployments, add latency, refuse
//!   connections for a while.
//!
//! Where it differs from ZOS: it answers only the farm's operator, who relays the user's
//! signed deployment (ZOS answers any twin, and takes deployments from their own twin; here
//! the deployment's signatures and the agreement on chain are what ties it to its user);
//! `zos.deployment.delete`, `pause` and
//! `resume` exist, succeeding only when the chain says the contract is cancelled, in grace, or
//! deployed again (real ZOS acts by itself when it sees the contract change on chain).

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
