//! # zos-client
//!
//! The Zero-OS (ZOS) deployment model as gridchain needs it, in the JSON shapes a ZOS node reads:
//! [`Deployment`], [`Workload`] and their results, and the deployment *challenge*, whose MD5
//! hash a grid user signs and an agreement on chain carries.
//!
//! This core is `no_std` (with `alloc`) so the runtime computes the challenge hash with the very
//! code that clients and the ZOS simulator use: one implementation, checked against vectors
//! from an independent implementation (`shared/vectors/zos_deployments.json`).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod challenge;
mod deployment;

pub use challenge::{signed_message, ChallengeHash};
pub use deployment::{
	Deployment, ResultState, Signature, SignatureRequest, SignatureRequirement, SignatureStyle,
	SignatureType, Workload, WorkloadData, WorkloadResult, VOLUME_TYPE, ZMOUNT_TYPE,
};
