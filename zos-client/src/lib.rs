//! # zos-client
//!
//! The Zero-OS (ZOS) deployment model as gridchain needs it, in the JSON shapes a ZOS node reads:
//! [`Deployment`], [`Workload`] and their results, the deployment *challenge*, whose MD5 hash a
//! grid user signs and an agreement on chain carries, and the commands a node answers, carried
//! in RMB message bodies ([`rmb`]).
//!
//! This core is `no_std` (with `alloc`) so the runtime computes the challenge hash with the very
//! code that clients and the ZOS simulator use: one implementation, checked against vectors
//! from an independent implementation (`shared/vectors/zos_deployments.json`).
//!
//! Transports, behind features:
//! - `offchain`: HTTP POST from an off-chain worker ([`offchain::OffchainHttp`] with
//!   [`commands::Client`]);
//! - `http`: async HTTP for std programs ([`http::HttpClient`]).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod chain;
mod challenge;
pub mod commands;
mod deployment;
pub mod error;
#[cfg(feature = "http")]
pub mod http;
#[cfg(feature = "offchain")]
pub mod offchain;
pub mod rmb;

pub use challenge::{signed_message, ChallengeHash};
pub use deployment::{
	Deployment, ResultState, Signature, SignatureRequest, SignatureRequirement, SignatureStyle,
	SignatureType, Workload, WorkloadData, WorkloadResult, VOLUME_TYPE, ZMOUNT_TYPE,
};
pub use error::ZosError;

/// The longest reply a client reads from a node: a deployment with the most workloads and the
/// longest texts is well under it; anything longer is refused, not read on.
pub const MAX_REPLY_BYTES: usize = 256 * 1024;
