//! The ZOS side of an agreement: the workloads' rules, the deployment a ZOS node receives, its
//! challenge hash, and what a ZOS node (or a user about to sign) asks the chain.

use crate::{pallet::*, types::*};
use alloc::vec::Vec;
use frame_support::pallet_prelude::*;
use gridchain_primitives::grid::{GridRegistry, NodeId, TwinId};

impl<T: Config> Pallet<T> {
	/// Workloads that are non-empty, bounded, well named, uniquely named, and non-zero.
	pub(crate) fn checked_workloads(
		workloads: Vec<Workload<T>>,
	) -> Result<WorkloadsOf<T>, DispatchError> {
		ensure!(!workloads.is_empty(), Error::<T>::NoWorkloads);
		let workloads: WorkloadsOf<T> =
			workloads.try_into().map_err(|_| Error::<T>::TooManyWorkloads)?;
		for (i, workload) in workloads.iter().enumerate() {
			ensure!(
				!workload.name.is_empty()
					&& workload.name.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_'),
				Error::<T>::InvalidWorkloadName
			);
			ensure!(
				!workloads[..i].iter().any(|other| other.name == workload.name),
				Error::<T>::DuplicateWorkloadName
			);
			match workload.kind {
				WorkloadKind::Volume { size } => ensure!(size > 0, Error::<T>::ZeroSizeVolume),
			}
		}
		Ok(workloads)
	}

	/// The ZOS deployment challenge hash of a new agreement's deployment, computed by
	/// `zos-client` exactly as a ZOS node computes it.
	pub fn deployment_hash(
		twin_id: TwinId,
		workloads: &[Workload<T>],
		metadata: &[u8],
		description: &[u8],
		style: SignatureStyle,
	) -> Result<zos_client::ChallengeHash, DispatchError> {
		let deployment = Self::zos_deployment(0, twin_id, workloads, metadata, description, style)?;
		Ok(deployment.challenge_hash())
	}

	/// The challenge a twin signs for an agreement on these workloads and texts, after the
	/// same checks `create_node_contract` makes of them.
	pub fn deployment_challenge(
		twin_id: TwinId,
		workloads: Vec<WorkloadArgument>,
		metadata: Vec<u8>,
		description: Vec<u8>,
		style: SignatureStyle,
	) -> Result<ChallengeView, DispatchError> {
		let workloads = workloads
			.into_iter()
			.map(|w| {
				Ok(Workload::<T> {
					name: w.name.try_into().map_err(|_| Error::<T>::InvalidWorkloadName)?,
					kind: w.kind,
					metadata: w.metadata.try_into().map_err(|_| Error::<T>::InvalidText)?,
					description: w.description.try_into().map_err(|_| Error::<T>::InvalidText)?,
				})
			})
			.collect::<Result<Vec<_>, DispatchError>>()?;
		let workloads = Self::checked_workloads(workloads)?;
		let metadata: TextOf<T> = metadata.try_into().map_err(|_| Error::<T>::InvalidText)?;
		let description: TextOf<T> = description.try_into().map_err(|_| Error::<T>::InvalidText)?;
		let hash = Self::deployment_hash(twin_id, &workloads, &metadata, &description, style)?;
		Ok(ChallengeView {
			challenge_hash: hash.to_hex(),
			raw_message: zos_client::signed_message(&hash, style.into()),
		})
	}

	/// An agreement's deployment as the ZOS node receives it: with its contract id and the
	/// twin's signature.
	pub fn zos_deployment_of(
		contract_id: ContractId,
		twin_id: TwinId,
		terms: &Terms<T>,
	) -> Result<zos_client::Deployment, DispatchError> {
		let DeploymentSignature { signature, style } = terms.signature;
		let mut deployment = Self::zos_deployment(
			contract_id,
			twin_id,
			&terms.workloads,
			&terms.metadata,
			&terms.description,
			style,
		)?;
		deployment.signature_requirement.signatures = alloc::vec![zos_client::Signature {
			twin_id,
			signature: hex::encode(signature),
			signature_type: zos_client::SignatureType::Sr25519,
		}];
		Ok(deployment)
	}

	/// The ZOS deployment of `workloads` by `twin_id`, unsigned: version 0, one signature
	/// request for the twin with weight 1, weight required 1.
	fn zos_deployment(
		contract_id: ContractId,
		twin_id: TwinId,
		workloads: &[Workload<T>],
		metadata: &[u8],
		description: &[u8],
		style: SignatureStyle,
	) -> Result<zos_client::Deployment, DispatchError> {
		let text = |bytes: &[u8]| {
			core::str::from_utf8(bytes)
				.map(alloc::string::String::from)
				.map_err(|_| Error::<T>::InvalidText)
		};
		let workloads = workloads
			.iter()
			.map(|workload| {
				Ok(zos_client::Workload::new(
					// Names are checked ASCII.
					text(&workload.name)?,
					match workload.kind {
						WorkloadKind::Volume { size } => zos_client::WorkloadData::Volume { size },
					},
					text(&workload.metadata)?,
					text(&workload.description)?,
				))
			})
			.collect::<Result<Vec<_>, Error<T>>>()?;
		Ok(zos_client::Deployment::single_twin(
			contract_id,
			twin_id,
			text(metadata)?,
			text(description)?,
			style.into(),
			workloads,
		))
	}

	/// What a ZOS node needs to know about the agreement behind a deployment.
	pub fn agreement_view(contract_id: ContractId) -> Option<zos_client::chain::AgreementView> {
		use zos_client::chain::AgreementStatus;
		let contract = Contracts::<T>::get(contract_id)?;
		let terms = ContractTerms::<T>::get(contract_id)?;
		let status = match contract.state {
			ContractState::Created => AgreementStatus::Created,
			ContractState::Deployed => AgreementStatus::Deployed,
			ContractState::GracePeriod { .. } => AgreementStatus::GracePeriod,
			ContractState::Cancelled { .. } => AgreementStatus::Cancelled,
		};
		Some(zos_client::chain::AgreementView {
			contract_id,
			node_id: contract.node_id,
			twin_id: contract.twin_id,
			twin_key: contract.owner.into(),
			deployment_hash: terms.deployment_hash,
			status,
		})
	}

	/// The public key of a twin: its account.
	pub fn twin_key(twin_id: TwinId) -> Option<[u8; 32]> {
		T::Registry::twin_account(twin_id).map(Into::into)
	}

	/// The operator that accepted to serve the farm of `node_id`, whose key signs the worker's
	/// envelopes to the node.
	pub fn node_operator(node_id: NodeId) -> Option<[u8; 32]> {
		let node = T::Registry::node(node_id)?;
		T::Registry::farm_operator(node.farm_id).map(Into::into)
	}
}
