//! # Registry pallet
//!
//! The registry records who is who on the grid and what they offer: the parties that the
//! agreements of `pallet-smart-contract` are made between.
//!
//! ## Overview
//!
//! - **Twins.** An account registers one twin, identified by a `u32` as ZOS does. The twin's
//!   public key is the account's, so a ZOS node checks a deployment's signature against it.
//! - **Farms.** A twin owns farms. A farm has a unique name, a [`PricingPolicy`], and an
//!   *operator* account: the key of the off-chain worker whose deployment reports for the
//!   farm's nodes the chain accepts.
//! - **Nodes.** Only a farm's owner registers nodes in the farm (no node joins a farm by
//!   itself). A node has a [`Resources`] capacity and the URL of its ZOS API. Agreements
//!   reserve capacity; a node's capacity can be lowered only down to what is reserved, and a
//!   node with live agreements cannot be removed.
//! - **Cooperatives.** A cooperative has members whose shares sum to 100%. A farm joins a
//!   cooperative with both its owner's and the cooperative admin's consent; from then on the
//!   farm's earnings are paid to the cooperative's own account, and each member draws its
//!   share from there with [`Pallet::claim_cooperative_earnings`]. Paying one account keeps
//!   the cost of a settlement the same whatever the number of members; a change of members
//!   first credits each member with what the old shares earned, so nothing moves between
//!   members retroactively and nothing is lost to rounding (the rounding remainder stays with
//!   the cooperative and is shared again).
//!
//! - **Operators serve by consent.** A farm's owner names an operator; unless it is the owner's
//!   own account, the operator serves only after accepting ([`Pallet::accept_farm_operator`]),
//!   and it can stop at any time ([`Pallet::resign_farm_operator`]).
//! - **Earnings follow the payee of their time.** Before a farm joins or leaves a cooperative,
//!   and before a cooperative's members change, the farms concerned are paid what they earned
//!   so far (through [`Config::FarmPayouts`]), so no earnings move to the new payee.
//!
//! ## Interface for other pallets
//!
//! Other pallets reach the registry through the
//! [`GridRegistry`](gridchain_primitives::grid::GridRegistry) trait, implemented in
//! [`grid`]; the registry reaches the agreements pallet through
//! [`FarmPayouts`](gridchain_primitives::grid::FarmPayouts).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use grid::Farmers;
pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod grid;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

sp_api::decl_runtime_apis! {
	/// What wallets ask the registry.
	pub trait RegistryApi<AccountId, Balance> where AccountId: codec::Codec, Balance: codec::Codec {
		/// What `cooperative_id` owes `account` now: what
		/// `registry.claimCooperativeEarnings` would pay it.
		fn cooperative_earnings(cooperative_id: CooperativeId, account: AccountId) -> Balance;
	}
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use crate::types::Member;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{self, Inspect as _, InspectHold as _, Mutate as _, MutateHold as _},
			tokens::Preservation,
		},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use gridchain_primitives::grid::{FarmPayouts, Payee};
	use sp_runtime::{
		traits::{AccountIdConversion, Saturating, Zero},
		Perbill,
	};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why the registry holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The storage deposit of a twin, farm, node or cooperative, returned when it is
		/// removed.
		#[codec(index = 0)]
		StorageDeposit,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The currency prices are quoted in, cooperatives are paid in, and deposits are held
		/// in.
		type Currency: fungible::Mutate<Self::AccountId>
			+ fungible::MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reasons.
		type RuntimeHoldReason: From<HoldReason>;

		/// The storage deposit of a record: this much per record...
		#[pallet::constant]
		type DepositPerItem: Get<BalanceOf<Self>>;

		/// ...plus this much per byte it stores.
		#[pallet::constant]
		type DepositPerByte: Get<BalanceOf<Self>>;

		/// Derives each cooperative's own account, which its farms pay.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// The longest farm or cooperative name, in bytes.
		#[pallet::constant]
		type MaxNameLength: Get<u32>;

		/// The longest ZOS endpoint URL, in bytes.
		#[pallet::constant]
		type MaxEndpointLength: Get<u32>;

		/// The most members a cooperative can have.
		#[pallet::constant]
		type MaxCooperativeMembers: Get<u32>;

		/// The most live agreements one node can hold. It also bounds the work pending for a
		/// farm's off-chain worker, which has one action per live agreement at most.
		#[pallet::constant]
		type MaxAgreementsPerNode: Get<u32>;

		/// The most farms one cooperative can have: a change of members first pays out each
		/// farm, so this bounds that change's work.
		#[pallet::constant]
		type MaxCooperativeFarms: Get<u32>;

		/// Pays a farm its earnings before its payee changes (the agreements pallet).
		type FarmPayouts: FarmPayouts;

		/// Who audits nodes' capacity and suspends nodes: in the runtime, the auditor circle.
		type AuditorOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Who sets the bounds of farms' prices: in the runtime, the council.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Twins by id.
	#[pallet::storage]
	pub type Twins<T: Config> =
		StorageMap<_, Twox64Concat, TwinId, Twin<T::AccountId, BalanceOf<T>>>;

	/// The twin of each account that has one.
	#[pallet::storage]
	pub type TwinIdByAccount<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, TwinId>;

	/// The id the next twin gets.
	#[pallet::storage]
	pub type NextTwinId<T: Config> = StorageValue<_, TwinId, ValueQuery, ConstU32<1>>;

	/// Farms by id.
	#[pallet::storage]
	pub type Farms<T: Config> = StorageMap<_, Twox64Concat, FarmId, Farm<T>>;

	/// The farms each account operates: where an off-chain worker holding an operator key
	/// finds its work.
	#[pallet::storage]
	pub type FarmsByOperator<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, FarmId, ()>;

	/// Farm ids by name: names are unique.
	#[pallet::storage]
	pub type FarmIdByName<T: Config> = StorageMap<_, Blake2_128Concat, NameOf<T>, FarmId>;

	/// The id the next farm gets.
	#[pallet::storage]
	pub type NextFarmId<T: Config> = StorageValue<_, FarmId, ValueQuery, ConstU32<1>>;

	/// Nodes by id.
	#[pallet::storage]
	pub type Nodes<T: Config> = StorageMap<_, Twox64Concat, NodeId, Node<T>>;

	/// The id the next node gets.
	#[pallet::storage]
	pub type NextNodeId<T: Config> = StorageValue<_, NodeId, ValueQuery, ConstU32<1>>;

	/// How many nodes the farms of each twin hold: a twin with one is a farmer, whose account
	/// may apply to validate ([`Farmers`]).
	#[pallet::storage]
	pub type NodeCountByOwner<T: Config> = StorageMap<_, Twox64Concat, TwinId, u32, ValueQuery>;

	/// Cooperatives by id.
	#[pallet::storage]
	pub type Cooperatives<T: Config> = StorageMap<_, Twox64Concat, CooperativeId, Cooperative<T>>;

	/// The id the next cooperative gets.
	#[pallet::storage]
	pub type NextCooperativeId<T: Config> = StorageValue<_, CooperativeId, ValueQuery, ConstU32<1>>;

	/// What each cooperative has earned, in total and before its current membership.
	#[pallet::storage]
	pub type CooperativeEarnings<T: Config> =
		StorageMap<_, Twox64Concat, CooperativeId, EarningsLedger<BalanceOf<T>>, ValueQuery>;

	/// What each member or former member of a cooperative drew or is still owed. An entry
	/// exists while a current member has drawn something or anyone is owed something.
	#[pallet::storage]
	pub type MemberEarnings<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		CooperativeId,
		Blake2_128Concat,
		T::AccountId,
		MemberLedger<BalanceOf<T>>,
		ValueQuery,
	>;

	/// Operators named by a farm's owner that have not accepted yet.
	#[pallet::storage]
	pub type OperatorOffers<T: Config> = StorageMap<_, Twox64Concat, FarmId, T::AccountId>;

	/// The farms of each cooperative.
	#[pallet::storage]
	pub type CooperativeFarms<T: Config> =
		StorageDoubleMap<_, Twox64Concat, CooperativeId, Twox64Concat, FarmId, ()>;

	/// Farms whose owner asked to join a cooperative, awaiting the cooperative admin's
	/// approval. A farm has at most one pending request.
	#[pallet::storage]
	pub type MembershipRequests<T: Config> = StorageMap<_, Twox64Concat, FarmId, CooperativeId>;

	/// The lowest and highest prices farms' pricing policies may set; none: any price.
	#[pallet::storage]
	pub type PriceBoundsInForce<T: Config> = StorageValue<_, PriceBounds<BalanceOf<T>>>;

	/// Registry entries a chain starts with (e.g. the dev chain's farm, see docs/zos.md).
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Accounts that get a twin, with ids from 1 in this order.
		pub twins: Vec<T::AccountId>,
		/// Farms, with ids from 1: owner twin, name, prices, operator account (which consents
		/// by being in the genesis).
		pub farms: Vec<GenesisFarm<T>>,
		/// Nodes, with ids from 1: farm, capacity, ZOS endpoint URL, the node's ed25519 key.
		pub nodes: Vec<(FarmId, Resources, Vec<u8>, NodeKey)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			// A genesis that breaks the registry's rules must not start a chain: the same
			// checks as the calls, failing loudly.
			for account in &self.twins {
				Pallet::<T>::do_register_twin(account, false).expect("genesis: a twin is invalid");
			}
			for (owner, name, pricing, operator) in &self.farms {
				assert!(Twins::<T>::contains_key(owner), "genesis: a farm's owner is no twin");
				let name = name.clone().try_into().expect("genesis: a farm name is too long");
				let farm_id = Pallet::<T>::do_create_farm(*owner, name, *pricing, None)
					.expect("genesis: a farm is invalid");
				Pallet::<T>::do_set_operator(farm_id, Some(operator.clone()));
			}
			for (farm_id, capacity, endpoint, public_key) in &self.nodes {
				assert!(Farms::<T>::contains_key(farm_id), "genesis: a node's farm does not exist");
				let endpoint =
					endpoint.clone().try_into().expect("genesis: an endpoint is too long");
				Pallet::<T>::do_register_node(*farm_id, *capacity, endpoint, *public_key, None)
					.expect("genesis: a node is invalid");
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An account registered a twin.
		TwinRegistered { twin_id: TwinId, account: T::AccountId },
		/// A twin created a farm.
		FarmCreated { farm_id: FarmId, owner: TwinId, name: NameOf<T> },
		/// A farm's pricing policy changed; existing agreements keep their price.
		PricingPolicySet { farm_id: FarmId, pricing: PricingPolicy<BalanceOf<T>> },
		/// A farm's owner named an operator; it serves the farm once it accepts.
		FarmOperatorOffered { farm_id: FarmId, operator: T::AccountId },
		/// An operator accepted to serve a farm (or the owner named its own account).
		FarmOperatorSet { farm_id: FarmId, operator: T::AccountId },
		/// An operator stopped serving a farm.
		FarmOperatorResigned { farm_id: FarmId, operator: T::AccountId },
		/// A farm owner registered a node.
		NodeRegistered { node_id: NodeId, farm_id: FarmId, capacity: Resources },
		/// A node's capacity changed.
		NodeCapacitySet { node_id: NodeId, capacity: Resources },
		/// A node's ZOS endpoint changed.
		NodeEndpointSet { node_id: NodeId, endpoint: EndpointOf<T> },
		/// A node's key (its ZOS identity) was set.
		NodeKeySet { node_id: NodeId, public_key: NodeKey },
		/// The auditors verified a node's capacity.
		NodeAudited { node_id: NodeId, verified: Resources },
		/// The auditors suspended a node (no new agreements), or lifted its suspension.
		NodeSuspensionSet { node_id: NodeId, suspended: bool },
		/// The council set the bounds of farms' prices (`None`: no bounds).
		PriceBoundsSet { bounds: Option<PriceBounds<BalanceOf<T>>> },
		/// A farm owner removed a node.
		NodeRemoved { node_id: NodeId, farm_id: FarmId },
		/// An account created a cooperative and became its admin.
		CooperativeCreated { cooperative_id: CooperativeId, admin: T::AccountId },
		/// A cooperative's members or their shares changed.
		CooperativeMembersSet { cooperative_id: CooperativeId, members: MembersOf<T> },
		/// A farm owner asked for the farm to join a cooperative.
		CooperativeMembershipRequested { farm_id: FarmId, cooperative_id: CooperativeId },
		/// A farm joined a cooperative: its earnings now go to the members.
		FarmJoinedCooperative { farm_id: FarmId, cooperative_id: CooperativeId },
		/// A farm left its cooperative: its earnings go to the farm owner again.
		FarmLeftCooperative { farm_id: FarmId, cooperative_id: CooperativeId },
		/// A member (or former member) drew its earnings from the cooperative's account.
		CooperativeEarningsClaimed {
			cooperative_id: CooperativeId,
			member: T::AccountId,
			amount: BalanceOf<T>,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account already has a twin.
		TwinAlreadyRegistered,
		/// The account has no twin; register one first.
		NoTwin,
		/// No twin has this id.
		TwinNotFound,
		/// No farm has this id.
		FarmNotFound,
		/// Only the farm's owner may do this.
		NotFarmOwner,
		/// Another farm has this name.
		FarmNameTaken,
		/// The name is empty or has characters other than letters, digits, '-', '_' and '.'.
		InvalidName,
		/// The endpoint is not an http:// or https:// URL of printable characters.
		InvalidEndpoint,
		/// No node has this id.
		NodeNotFound,
		/// The new capacity is below what agreements have reserved on the node.
		CapacityBelowReserved,
		/// A price of the pricing policy is outside the bounds the council set.
		PriceOutOfBounds,
		/// A price bound's minimum is above its maximum.
		InvalidPriceBounds,
		/// The node does not have this much free capacity.
		InsufficientCapacity,
		/// The node holds `MaxAgreementsPerNode` live agreements already.
		NodeAgreementLimitReached,
		/// The node has live agreements; they must end first.
		NodeHasLiveAgreements,
		/// No cooperative has this id.
		CooperativeNotFound,
		/// Only the cooperative's admin may do this.
		NotCooperativeAdmin,
		/// A cooperative needs at least one member.
		NoMembers,
		/// The members' shares do not sum to exactly 100%.
		SharesDoNotSumToWhole,
		/// An account is listed twice among the members.
		DuplicateMember,
		/// More members than `MaxCooperativeMembers`.
		TooManyMembers,
		/// The farm already belongs to a cooperative.
		AlreadyInCooperative,
		/// The farm has not asked to join this cooperative.
		NoMembershipRequest,
		/// The farm belongs to no cooperative.
		NotInCooperative,
		/// Only the farm's owner or its cooperative's admin may do this.
		NeitherFarmOwnerNorCooperativeAdmin,
		/// Every id of this kind is taken.
		IdsExhausted,
		/// The account cannot hold the storage deposit of the record.
		CannotPayDeposit,
		/// The admin cannot pay the existential deposit that opens the cooperative's account and
		/// the cooperative's storage deposit.
		CannotFundCooperativeAccount,
		/// The cooperative owes the caller nothing.
		NothingToClaim,
		/// The farm has not offered the caller to be its operator.
		NoOperatorOffer,
		/// The caller is not the farm's operator.
		NotFarmOperator,
		/// The cooperative has `MaxCooperativeFarms` farms already.
		TooManyFarms,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_now: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers a twin for the caller.
		///
		/// - Origin: signed, by an account without a twin.
		/// - Effect: creates a twin whose key is the caller's account, and holds its storage
		///   deposit on the account.
		/// - Errors: [`Error::TwinAlreadyRegistered`], [`Error::IdsExhausted`],
		///   [`Error::CannotPayDeposit`].
		/// - Event: [`Event::TwinRegistered`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_twin())]
		pub fn register_twin(origin: OriginFor<T>) -> DispatchResult {
			let account = ensure_signed(origin)?;
			let twin_id = Self::do_register_twin(&account, true)?;
			Self::deposit_event(Event::TwinRegistered { twin_id, account });
			Ok(())
		}

		/// Creates a farm owned by the caller's twin.
		///
		/// - Origin: signed, by an account with a twin.
		/// - `name`: unique; letters, digits, '-', '_' and '.'.
		/// - `pricing`: the prices of new agreements on the farm's nodes.
		/// - `operator`: the account of the farm's off-chain worker. The caller's own account
		///   serves at once; any other account is offered the role and serves once it accepts
		///   ([`Pallet::accept_farm_operator`]).
		/// - Effect: holds the farm's storage deposit on the caller's account.
		/// - Errors: [`Error::NoTwin`], [`Error::InvalidName`], [`Error::FarmNameTaken`],
		///   [`Error::PriceOutOfBounds`], [`Error::IdsExhausted`], [`Error::CannotPayDeposit`].
		/// - Events: [`Event::FarmCreated`], [`Event::PricingPolicySet`], and
		///   [`Event::FarmOperatorSet`] or [`Event::FarmOperatorOffered`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::create_farm())]
		pub fn create_farm(
			origin: OriginFor<T>,
			name: NameOf<T>,
			pricing: PricingPolicy<BalanceOf<T>>,
			operator: T::AccountId,
		) -> DispatchResult {
			let account = ensure_signed(origin)?;
			let owner = TwinIdByAccount::<T>::get(&account).ok_or(Error::<T>::NoTwin)?;
			let farm_id = Self::do_create_farm(owner, name.clone(), pricing, Some(&account))?;
			Self::deposit_event(Event::FarmCreated { farm_id, owner, name });
			Self::deposit_event(Event::PricingPolicySet { farm_id, pricing });
			Self::name_operator(&account, farm_id, operator);
			Ok(())
		}

		/// Sets a farm's pricing policy. Agreements already made keep their price.
		///
		/// - Origin: signed, by the farm owner's account.
		/// - Errors: [`Error::FarmNotFound`], [`Error::NotFarmOwner`],
		///   [`Error::PriceOutOfBounds`].
		/// - Event: [`Event::PricingPolicySet`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_pricing_policy())]
		pub fn set_pricing_policy(
			origin: OriginFor<T>,
			farm_id: FarmId,
			pricing: PricingPolicy<BalanceOf<T>>,
		) -> DispatchResult {
			let account = ensure_signed(origin)?;
			let mut farm = Self::owned_farm(&account, farm_id)?;
			Self::ensure_price_within_bounds(&pricing)?;
			farm.pricing = pricing;
			Farms::<T>::insert(farm_id, farm);
			Self::deposit_event(Event::PricingPolicySet { farm_id, pricing });
			Ok(())
		}

		/// Names the account whose deployment reports for the farm's nodes are accepted. The
		/// owner's own account serves at once; another account is offered the role and serves
		/// once it accepts with [`Pallet::accept_farm_operator`] (the current operator, if any,
		/// serves until then). A newer offer replaces an older one.
		///
		/// - Origin: signed, by the farm owner's account.
		/// - Errors: [`Error::FarmNotFound`], [`Error::NotFarmOwner`].
		/// - Event: [`Event::FarmOperatorSet`] or [`Event::FarmOperatorOffered`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_farm_operator())]
		pub fn set_farm_operator(
			origin: OriginFor<T>,
			farm_id: FarmId,
			operator: T::AccountId,
		) -> DispatchResult {
			let account = ensure_signed(origin)?;
			Self::owned_farm(&account, farm_id)?;
			Self::name_operator(&account, farm_id, operator);
			Ok(())
		}

		/// Registers a node in a farm.
		///
		/// - Origin: signed, by the farm owner's account: a node never joins a farm by itself.
		/// - `capacity`: what the node offers.
		/// - `endpoint`: the http(s) URL of the node's ZOS API.
		/// - `public_key`: the node's own ed25519 key (its ZOS identity), with which it signs its
		///   replies; the off-chain worker believes only replies signed with it.
		/// - Effect: holds the node's storage deposit on the caller's account (returned when the
		///   node is removed).
		/// - Errors: [`Error::FarmNotFound`], [`Error::NotFarmOwner`], [`Error::InvalidEndpoint`],
		///   [`Error::IdsExhausted`], [`Error::CannotPayDeposit`].
		/// - Event: [`Event::NodeRegistered`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::register_node())]
		pub fn register_node(
			origin: OriginFor<T>,
			farm_id: FarmId,
			capacity: Resources,
			endpoint: EndpointOf<T>,
			public_key: NodeKey,
		) -> DispatchResult {
			let account = ensure_signed(origin)?;
			Self::owned_farm(&account, farm_id)?;
			let node_id =
				Self::do_register_node(farm_id, capacity, endpoint, public_key, Some(&account))?;
			Self::deposit_event(Event::NodeRegistered { node_id, farm_id, capacity });
			Ok(())
		}

		/// Sets a node's capacity. It cannot go below what agreements have reserved.
		///
		/// - Origin: signed, by the owner of the node's farm.
		/// - Errors: [`Error::NodeNotFound`], [`Error::NotFarmOwner`],
		///   [`Error::CapacityBelowReserved`].
		/// - Event: [`Event::NodeCapacitySet`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::set_node_capacity())]
		pub fn set_node_capacity(
			origin: OriginFor<T>,
			node_id: NodeId,
			capacity: Resources,
		) -> DispatchResult {
			let account = ensure_signed(origin)?;
			let mut node = Self::owned_node(&account, node_id)?;
			ensure!(node.reserved.fits_within(&capacity), Error::<T>::CapacityBelowReserved);
			node.capacity = capacity;
			Nodes::<T>::insert(node_id, node);
			Self::deposit_event(Event::NodeCapacitySet { node_id, capacity });
			Ok(())
		}

		/// Sets the URL of a node's ZOS API.
		///
		/// - Origin: signed, by the owner of the node's farm.
		/// - Effect: the node's storage deposit follows the new length.
		/// - Errors: [`Error::NodeNotFound`], [`Error::NotFarmOwner`], [`Error::InvalidEndpoint`],
		///   [`Error::CannotPayDeposit`].
		/// - Event: [`Event::NodeEndpointSet`].
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::set_node_endpoint())]
		pub fn set_node_endpoint(
			origin: OriginFor<T>,
			node_id: NodeId,
			endpoint: EndpointOf<T>,
		) -> DispatchResult {
			let account = ensure_signed(origin)?;
			let mut node = Self::owned_node(&account, node_id)?;
			ensure!(Self::is_valid_endpoint(&endpoint), Error::<T>::InvalidEndpoint);
			node.endpoint = endpoint.clone();
			node.deposit = Self::adjust_deposit(&account, node.deposit, node.encoded_size())?;
			Nodes::<T>::insert(node_id, node);
			Self::deposit_event(Event::NodeEndpointSet { node_id, endpoint });
			Ok(())
		}

		/// Removes a node that has no live agreements, and returns its storage deposit.
		///
		/// - Origin: signed, by the owner of the node's farm.
		/// - Errors: [`Error::NodeNotFound`], [`Error::NotFarmOwner`],
		///   [`Error::NodeHasLiveAgreements`].
		/// - Event: [`Event::NodeRemoved`].
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::remove_node())]
		pub fn remove_node(origin: OriginFor<T>, node_id: NodeId) -> DispatchResult {
			let account = ensure_signed(origin)?;
			let node = Self::owned_node(&account, node_id)?;
			ensure!(node.live_agreements == 0, Error::<T>::NodeHasLiveAgreements);
			Nodes::<T>::remove(node_id);
			// The caller owns the farm: its twin is the farm's owner.
			if let Some(owner) = TwinIdByAccount::<T>::get(&account) {
				NodeCountByOwner::<T>::mutate(owner, |count| *count = count.saturating_sub(1));
			}
			Self::release_deposit(&account, node.deposit);
			Self::deposit_event(Event::NodeRemoved { node_id, farm_id: node.farm_id });
			Ok(())
		}

		/// Creates a cooperative with the caller as admin.
		///
		/// - Origin: signed.
		/// - `members`: accounts and shares; the shares sum to exactly 100%.
		/// - Effect: the admin pays the existential deposit into the cooperative's own account,
		///   which its farms pay and its members draw from (it stays there), and the
		///   cooperative's storage deposit is held on the admin's account.
		/// - Errors: [`Error::InvalidName`], [`Error::NoMembers`], [`Error::DuplicateMember`],
		///   [`Error::SharesDoNotSumToWhole`], [`Error::TooManyMembers`],
		///   [`Error::CannotFundCooperativeAccount`], [`Error::IdsExhausted`],
		///   [`Error::CannotPayDeposit`].
		/// - Events: [`Event::CooperativeCreated`], [`Event::CooperativeMembersSet`].
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::create_cooperative(members.len() as u32))]
		pub fn create_cooperative(
			origin: OriginFor<T>,
			name: NameOf<T>,
			members: Vec<Member<T::AccountId>>,
		) -> DispatchResult {
			let admin = ensure_signed(origin)?;
			ensure!(Self::is_valid_name(&name), Error::<T>::InvalidName);
			let members = Self::checked_members(members)?;
			let mut cooperative = Cooperative {
				admin: admin.clone(),
				name,
				members: members.clone(),
				farms: 0,
				deposit: Zero::zero(),
			};
			cooperative.deposit = Self::deposit_for(cooperative.encoded_size());
			let opening = T::Currency::minimum_balance();
			ensure!(
				T::Currency::reducible_balance(
					&admin,
					Preservation::Preserve,
					frame_support::traits::tokens::Fortitude::Polite
				) >= opening.saturating_add(cooperative.deposit),
				Error::<T>::CannotFundCooperativeAccount
			);
			let cooperative_id = Self::take_id::<NextCooperativeId<T>>()?;
			T::Currency::transfer(
				&admin,
				&Self::cooperative_account(cooperative_id),
				opening,
				Preservation::Preserve,
			)
			.map_err(|_| Error::<T>::CannotFundCooperativeAccount)?;
			Self::hold_deposit(&admin, cooperative.deposit)?;
			Cooperatives::<T>::insert(cooperative_id, cooperative);
			Self::deposit_event(Event::CooperativeCreated { cooperative_id, admin });
			Self::deposit_event(Event::CooperativeMembersSet { cooperative_id, members });
			Ok(())
		}

		/// Replaces a cooperative's members and shares. Each of its farms is first paid what it
		/// earned up to now, and everything the cooperative earned until now stays owed to the
		/// members by their old shares (they draw it with
		/// [`Pallet::claim_cooperative_earnings`], members or not); what it earns from now on
		/// is shared by the new shares.
		///
		/// - Origin: signed, by the cooperative's admin.
		/// - Weight: charged for `MaxCooperativeFarms` payouts, refunded to the farms it has.
		/// - Errors: [`Error::CooperativeNotFound`], [`Error::NotCooperativeAdmin`],
		///   [`Error::NoMembers`], [`Error::DuplicateMember`], [`Error::SharesDoNotSumToWhole`],
		///   [`Error::TooManyMembers`], [`Error::CannotPayDeposit`] (the storage deposit follows
		///   the number of members), and the payout's error when a farm's earnings cannot be
		///   known exactly yet (try again a few blocks later).
		/// - Event: [`Event::CooperativeMembersSet`].
		#[pallet::call_index(9)]
		#[pallet::weight(Pallet::<T>::set_members_weight(
			members.len() as u32,
			T::MaxCooperativeFarms::get(),
		))]
		pub fn set_cooperative_members(
			origin: OriginFor<T>,
			cooperative_id: CooperativeId,
			members: Vec<Member<T::AccountId>>,
		) -> DispatchResultWithPostInfo {
			let account = ensure_signed(origin)?;
			let mut cooperative = Self::administered_cooperative(&account, cooperative_id)?;
			let members = Self::checked_members(members)?;
			let member_count = members.len() as u32;
			// The storage deposit follows the number of members: payable, checked first.
			let bytes = cooperative
				.encoded_size()
				.saturating_sub(cooperative.members.encoded_size())
				.saturating_add(members.encoded_size());
			let deposit = Self::deposit_for(bytes);
			if deposit > cooperative.deposit {
				T::Currency::ensure_can_hold(
					&HoldReason::StorageDeposit.into(),
					&account,
					deposit.saturating_sub(cooperative.deposit),
				)
				.map_err(|_| Error::<T>::CannotPayDeposit)?;
			}
			// Earnings that accrued under the old members are paid before they stop sharing.
			for (farm_id, ()) in CooperativeFarms::<T>::iter_prefix(cooperative_id) {
				T::FarmPayouts::pay_out(farm_id)?;
			}
			Self::settle_membership(cooperative_id, &cooperative.members);
			let farms = cooperative.farms;
			cooperative.deposit = Self::adjust_deposit(&account, cooperative.deposit, bytes)?;
			cooperative.members = members.clone();
			Cooperatives::<T>::insert(cooperative_id, cooperative);
			Self::deposit_event(Event::CooperativeMembersSet { cooperative_id, members });
			Ok(Some(Self::set_members_weight(member_count, farms)).into())
		}

		/// Asks for a farm to join a cooperative; the cooperative's admin must approve. A newer
		/// request replaces an older one.
		///
		/// - Origin: signed, by the farm owner's account.
		/// - Errors: [`Error::FarmNotFound`], [`Error::NotFarmOwner`],
		///   [`Error::CooperativeNotFound`], [`Error::AlreadyInCooperative`].
		/// - Event: [`Event::CooperativeMembershipRequested`].
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::request_cooperative_membership())]
		pub fn request_cooperative_membership(
			origin: OriginFor<T>,
			farm_id: FarmId,
			cooperative_id: CooperativeId,
		) -> DispatchResult {
			let account = ensure_signed(origin)?;
			let farm = Self::owned_farm(&account, farm_id)?;
			ensure!(farm.cooperative.is_none(), Error::<T>::AlreadyInCooperative);
			ensure!(
				Cooperatives::<T>::contains_key(cooperative_id),
				Error::<T>::CooperativeNotFound
			);
			MembershipRequests::<T>::insert(farm_id, cooperative_id);
			Self::deposit_event(Event::CooperativeMembershipRequested { farm_id, cooperative_id });
			Ok(())
		}

		/// Approves a farm's request to join the cooperative: what the farm earned until now is
		/// paid to its owner first; its earnings go to the cooperative from now on.
		///
		/// - Origin: signed, by the cooperative's admin.
		/// - Errors: [`Error::CooperativeNotFound`], [`Error::NotCooperativeAdmin`],
		///   [`Error::NoMembershipRequest`], [`Error::FarmNotFound`],
		///   [`Error::AlreadyInCooperative`], [`Error::TooManyFarms`], and the payout's error.
		/// - Event: [`Event::FarmJoinedCooperative`].
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::approve_cooperative_membership()
			.saturating_add(T::FarmPayouts::pay_out_weight()))]
		pub fn approve_cooperative_membership(
			origin: OriginFor<T>,
			cooperative_id: CooperativeId,
			farm_id: FarmId,
		) -> DispatchResult {
			let account = ensure_signed(origin)?;
			let mut cooperative = Self::administered_cooperative(&account, cooperative_id)?;
			ensure!(
				MembershipRequests::<T>::get(farm_id) == Some(cooperative_id),
				Error::<T>::NoMembershipRequest
			);
			let mut farm = Farms::<T>::get(farm_id).ok_or(Error::<T>::FarmNotFound)?;
			ensure!(farm.cooperative.is_none(), Error::<T>::AlreadyInCooperative);
			ensure!(cooperative.farms < T::MaxCooperativeFarms::get(), Error::<T>::TooManyFarms);
			// What the farm earned so far is its owner's.
			T::FarmPayouts::pay_out(farm_id)?;
			farm.cooperative = Some(cooperative_id);
			Farms::<T>::insert(farm_id, farm);
			cooperative.farms = cooperative.farms.saturating_add(1);
			Cooperatives::<T>::insert(cooperative_id, cooperative);
			CooperativeFarms::<T>::insert(cooperative_id, farm_id, ());
			MembershipRequests::<T>::remove(farm_id);
			Self::deposit_event(Event::FarmJoinedCooperative { farm_id, cooperative_id });
			Ok(())
		}

		/// Takes a farm out of its cooperative: what the farm earned until now is paid to the
		/// cooperative first; its earnings go to the farm owner from now on. Either side may end
		/// the membership.
		///
		/// - Origin: signed, by the farm owner's account or the cooperative's admin.
		/// - Errors: [`Error::FarmNotFound`], [`Error::NotInCooperative`],
		///   [`Error::NeitherFarmOwnerNorCooperativeAdmin`], and the payout's error.
		/// - Event: [`Event::FarmLeftCooperative`].
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::leave_cooperative()
			.saturating_add(T::FarmPayouts::pay_out_weight()))]
		pub fn leave_cooperative(origin: OriginFor<T>, farm_id: FarmId) -> DispatchResult {
			let account = ensure_signed(origin)?;
			let mut farm = Farms::<T>::get(farm_id).ok_or(Error::<T>::FarmNotFound)?;
			let cooperative_id = farm.cooperative.ok_or(Error::<T>::NotInCooperative)?;
			let is_owner = TwinIdByAccount::<T>::get(&account) == Some(farm.owner);
			let mut cooperative =
				Cooperatives::<T>::get(cooperative_id).ok_or(Error::<T>::CooperativeNotFound)?;
			let is_admin = cooperative.admin == account;
			ensure!(is_owner || is_admin, Error::<T>::NeitherFarmOwnerNorCooperativeAdmin);
			// What the farm earned as a member is the cooperative's.
			T::FarmPayouts::pay_out(farm_id)?;
			farm.cooperative = None;
			Farms::<T>::insert(farm_id, farm);
			cooperative.farms = cooperative.farms.saturating_sub(1);
			Cooperatives::<T>::insert(cooperative_id, cooperative);
			CooperativeFarms::<T>::remove(cooperative_id, farm_id);
			Self::deposit_event(Event::FarmLeftCooperative { farm_id, cooperative_id });
			Ok(())
		}

		/// Pays the caller what a cooperative owes it: its share of what the cooperative earned
		/// under the current membership, less what it drew, plus what earlier memberships owe
		/// it.
		///
		/// - Origin: signed, by a member or former member.
		/// - Errors: [`Error::CooperativeNotFound`], [`Error::NothingToClaim`], and the
		///   currency's error when the caller's account cannot receive the amount (a new
		///   account and an amount below the existential deposit: claim again later).
		/// - Event: [`Event::CooperativeEarningsClaimed`].
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::claim_cooperative_earnings())]
		pub fn claim_cooperative_earnings(
			origin: OriginFor<T>,
			cooperative_id: CooperativeId,
		) -> DispatchResult {
			let member = ensure_signed(origin)?;
			let cooperative =
				Cooperatives::<T>::get(cooperative_id).ok_or(Error::<T>::CooperativeNotFound)?;
			let share = cooperative
				.members
				.iter()
				.find(|candidate| candidate.account == member)
				.map(|found| found.share);
			let ledger = CooperativeEarnings::<T>::get(cooperative_id);
			let mut account = MemberEarnings::<T>::get(cooperative_id, &member);
			let unclaimed = Self::unclaimed(&ledger, share, &account);
			ensure!(!unclaimed.is_zero(), Error::<T>::NothingToClaim);
			T::Currency::transfer(
				&Self::cooperative_account(cooperative_id),
				&member,
				unclaimed,
				Preservation::Preserve,
			)?;
			let from_current_share = unclaimed.saturating_sub(account.carried);
			account.carried = Zero::zero();
			account.drawn = account.drawn.saturating_add(from_current_share);
			if share.is_some() {
				MemberEarnings::<T>::insert(cooperative_id, &member, account);
			} else {
				MemberEarnings::<T>::remove(cooperative_id, &member);
			}
			Self::deposit_event(Event::CooperativeEarningsClaimed {
				cooperative_id,
				member,
				amount: unclaimed,
			});
			Ok(())
		}

		/// Accepts to serve a farm as its operator: this account's off-chain worker deploys the
		/// farm's agreements and its reports are the ones the chain accepts.
		///
		/// - Origin: signed, by the account the farm's owner offered the role to.
		/// - Errors: [`Error::NoOperatorOffer`].
		/// - Event: [`Event::FarmOperatorSet`].
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::accept_farm_operator())]
		pub fn accept_farm_operator(origin: OriginFor<T>, farm_id: FarmId) -> DispatchResult {
			let account = ensure_signed(origin)?;
			ensure!(
				OperatorOffers::<T>::get(farm_id).as_ref() == Some(&account),
				Error::<T>::NoOperatorOffer
			);
			OperatorOffers::<T>::remove(farm_id);
			Self::do_set_operator(farm_id, Some(account.clone()));
			Self::deposit_event(Event::FarmOperatorSet { farm_id, operator: account });
			Ok(())
		}

		/// Stops serving a farm as its operator. The farm has no operator until its owner names
		/// one that accepts; its agreements wait (and those never deployed expire, refunded).
		///
		/// - Origin: signed, by the farm's operator.
		/// - Errors: [`Error::FarmNotFound`], [`Error::NotFarmOperator`].
		/// - Event: [`Event::FarmOperatorResigned`].
		#[pallet::call_index(15)]
		#[pallet::weight(T::WeightInfo::resign_farm_operator())]
		pub fn resign_farm_operator(origin: OriginFor<T>, farm_id: FarmId) -> DispatchResult {
			let account = ensure_signed(origin)?;
			let farm = Farms::<T>::get(farm_id).ok_or(Error::<T>::FarmNotFound)?;
			ensure!(farm.operator.as_ref() == Some(&account), Error::<T>::NotFarmOperator);
			Self::do_set_operator(farm_id, None);
			Self::deposit_event(Event::FarmOperatorResigned { farm_id, operator: account });
			Ok(())
		}

		/// Sets a node's key: the ed25519 key of its ZOS identity, e.g. after the node was
		/// reinstalled with a new one. From then on the off-chain worker believes only replies
		/// signed with the new key.
		///
		/// - Origin: signed, by the owner of the node's farm.
		/// - Errors: [`Error::NodeNotFound`], [`Error::NotFarmOwner`].
		/// - Event: [`Event::NodeKeySet`].
		#[pallet::call_index(16)]
		#[pallet::weight(T::WeightInfo::set_node_key())]
		pub fn set_node_key(
			origin: OriginFor<T>,
			node_id: NodeId,
			public_key: NodeKey,
		) -> DispatchResult {
			let account = ensure_signed(origin)?;
			let mut node = Self::owned_node(&account, node_id)?;
			node.public_key = public_key;
			// The record keeps its size: the deposit stays as it is.
			Nodes::<T>::insert(node_id, node);
			Self::deposit_event(Event::NodeKeySet { node_id, public_key });
			Ok(())
		}

		/// Records the capacity the auditors verified on a node (seed 000: auditing of
		/// capacity). It is shown with the node; the node's offered capacity stays its own.
		///
		/// - Origin: [`Config::AuditorOrigin`] (the auditor circle).
		/// - Errors: [`Error::NodeNotFound`].
		/// - Event: [`Event::NodeAudited`].
		#[pallet::call_index(17)]
		#[pallet::weight(T::WeightInfo::audit_node())]
		pub fn audit_node(
			origin: OriginFor<T>,
			node_id: NodeId,
			verified: Resources,
		) -> DispatchResult {
			T::AuditorOrigin::ensure_origin(origin)?;
			let mut node = Nodes::<T>::get(node_id).ok_or(Error::<T>::NodeNotFound)?;
			node.audited = Some(verified);
			Nodes::<T>::insert(node_id, node);
			Self::deposit_event(Event::NodeAudited { node_id, verified });
			Ok(())
		}

		/// Suspends a node, or lifts its suspension. A suspended node takes no new agreements;
		/// its live agreements keep running and paying.
		///
		/// - Origin: [`Config::AuditorOrigin`] (the auditor circle).
		/// - Errors: [`Error::NodeNotFound`].
		/// - Event: [`Event::NodeSuspensionSet`].
		#[pallet::call_index(18)]
		#[pallet::weight(T::WeightInfo::set_node_suspended())]
		pub fn set_node_suspended(
			origin: OriginFor<T>,
			node_id: NodeId,
			suspended: bool,
		) -> DispatchResult {
			T::AuditorOrigin::ensure_origin(origin)?;
			let mut node = Nodes::<T>::get(node_id).ok_or(Error::<T>::NodeNotFound)?;
			node.suspended = suspended;
			Nodes::<T>::insert(node_id, node);
			Self::deposit_event(Event::NodeSuspensionSet { node_id, suspended });
			Ok(())
		}

		/// Sets the lowest and highest price of each unit that farms' pricing policies may
		/// set from now on (`None`: no bounds). Policies already in force are kept until their
		/// farm changes them.
		///
		/// - Origin: [`Config::GovernanceOrigin`] (the council).
		/// - Errors: [`Error::InvalidPriceBounds`].
		/// - Event: [`Event::PriceBoundsSet`].
		#[pallet::call_index(19)]
		#[pallet::weight(T::WeightInfo::set_price_bounds())]
		pub fn set_price_bounds(
			origin: OriginFor<T>,
			bounds: Option<PriceBounds<BalanceOf<T>>>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			if let Some(bounds) = &bounds {
				ensure!(bounds.allow(&bounds.min), Error::<T>::InvalidPriceBounds);
			}
			PriceBoundsInForce::<T>::set(bounds);
			Self::deposit_event(Event::PriceBoundsSet { bounds });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Gives `account` a twin, holding its storage deposit on the account when `charge`.
		/// Errors: [`Error::TwinAlreadyRegistered`], [`Error::IdsExhausted`],
		/// [`Error::CannotPayDeposit`].
		pub(crate) fn do_register_twin(
			account: &T::AccountId,
			charge: bool,
		) -> Result<TwinId, DispatchError> {
			ensure!(
				!TwinIdByAccount::<T>::contains_key(account),
				Error::<T>::TwinAlreadyRegistered
			);
			let mut twin = Twin { account: account.clone(), deposit: Zero::zero() };
			if charge {
				twin.deposit = Self::payable_deposit(account, twin.encoded_size())?;
			}
			let twin_id = Self::take_id::<NextTwinId<T>>()?;
			Self::hold_deposit(account, twin.deposit)?;
			Twins::<T>::insert(twin_id, twin);
			TwinIdByAccount::<T>::insert(account, twin_id);
			Ok(twin_id)
		}

		/// Creates a farm owned by `owner`. Errors: [`Error::InvalidName`],
		/// [`Error::FarmNameTaken`], [`Error::IdsExhausted`].
		pub(crate) fn do_create_farm(
			owner: TwinId,
			name: NameOf<T>,
			pricing: PricingPolicy<BalanceOf<T>>,
			payer: Option<&T::AccountId>,
		) -> Result<FarmId, DispatchError> {
			ensure!(Self::is_valid_name(&name), Error::<T>::InvalidName);
			ensure!(!FarmIdByName::<T>::contains_key(&name), Error::<T>::FarmNameTaken);
			Self::ensure_price_within_bounds(&pricing)?;
			let mut farm = Farm {
				owner,
				name,
				pricing,
				operator: None,
				cooperative: None,
				deposit: Zero::zero(),
			};
			if let Some(payer) = payer {
				// Counted with an operator and a cooperative: the most the record holds.
				let bytes = Farm::<T>::max_encoded_len()
					.saturating_sub(T::MaxNameLength::get() as usize)
					.saturating_add(farm.name.len());
				farm.deposit = Self::payable_deposit(payer, bytes)?;
			}
			let farm_id = Self::take_id::<NextFarmId<T>>()?;
			if let Some(payer) = payer {
				Self::hold_deposit(payer, farm.deposit)?;
			}
			FarmIdByName::<T>::insert(&farm.name, farm_id);
			Farms::<T>::insert(farm_id, farm);
			Ok(farm_id)
		}

		/// The owner (`caller`) names `operator`: its own account serves at once, any other is
		/// offered the role.
		fn name_operator(caller: &T::AccountId, farm_id: FarmId, operator: T::AccountId) {
			if operator == *caller {
				OperatorOffers::<T>::remove(farm_id);
				Self::do_set_operator(farm_id, Some(operator.clone()));
				Self::deposit_event(Event::FarmOperatorSet { farm_id, operator });
			} else {
				OperatorOffers::<T>::insert(farm_id, &operator);
				Self::deposit_event(Event::FarmOperatorOffered { farm_id, operator });
			}
		}

		/// Makes `operator` the farm's serving operator (or none), keeping the operator index.
		pub(crate) fn do_set_operator(farm_id: FarmId, operator: Option<T::AccountId>) {
			Farms::<T>::mutate(farm_id, |farm| {
				if let Some(farm) = farm {
					if let Some(old) = farm.operator.take() {
						FarmsByOperator::<T>::remove(&old, farm_id);
					}
					if let Some(new) = &operator {
						FarmsByOperator::<T>::insert(new, farm_id, ());
					}
					farm.operator = operator;
				}
			});
		}

		/// Registers a node in `farm_id`. Errors: [`Error::InvalidEndpoint`],
		/// [`Error::IdsExhausted`].
		pub(crate) fn do_register_node(
			farm_id: FarmId,
			capacity: Resources,
			endpoint: EndpointOf<T>,
			public_key: NodeKey,
			payer: Option<&T::AccountId>,
		) -> Result<NodeId, DispatchError> {
			ensure!(Self::is_valid_endpoint(&endpoint), Error::<T>::InvalidEndpoint);
			let mut node = Node {
				farm_id,
				capacity,
				reserved: Resources::default(),
				endpoint,
				public_key,
				audited: None,
				suspended: false,
				live_agreements: 0,
				deposit: Zero::zero(),
			};
			if let Some(payer) = payer {
				node.deposit = Self::payable_deposit(payer, node.encoded_size())?;
			}
			let node_id = Self::take_id::<NextNodeId<T>>()?;
			if let Some(payer) = payer {
				Self::hold_deposit(payer, node.deposit)?;
			}
			Nodes::<T>::insert(node_id, node);
			if let Some(farm) = Farms::<T>::get(farm_id) {
				NodeCountByOwner::<T>::mutate(farm.owner, |count| *count = count.saturating_add(1));
			}
			Ok(node_id)
		}

		/// Errors with [`Error::PriceOutOfBounds`] unless `pricing` is within the council's
		/// bounds.
		pub(crate) fn ensure_price_within_bounds(
			pricing: &PricingPolicy<BalanceOf<T>>,
		) -> DispatchResult {
			if let Some(bounds) = PriceBoundsInForce::<T>::get() {
				ensure!(bounds.allow(pricing), Error::<T>::PriceOutOfBounds);
			}
			Ok(())
		}

		/// The storage deposit of a record of `bytes` bytes.
		pub fn deposit_for(bytes: usize) -> BalanceOf<T> {
			let bytes = u32::try_from(bytes).unwrap_or(u32::MAX);
			T::DepositPerItem::get()
				.saturating_add(T::DepositPerByte::get().saturating_mul(bytes.into()))
		}

		/// The deposit of a record of `bytes` bytes, if `who` can hold it (checked before any
		/// write). Errors: [`Error::CannotPayDeposit`].
		fn payable_deposit(
			who: &T::AccountId,
			bytes: usize,
		) -> Result<BalanceOf<T>, DispatchError> {
			let deposit = Self::deposit_for(bytes);
			if !deposit.is_zero() {
				T::Currency::ensure_can_hold(&HoldReason::StorageDeposit.into(), who, deposit)
					.map_err(|_| Error::<T>::CannotPayDeposit)?;
			}
			Ok(deposit)
		}

		/// Holds a deposit found payable by [`Pallet::payable_deposit`].
		fn hold_deposit(who: &T::AccountId, deposit: BalanceOf<T>) -> DispatchResult {
			if deposit.is_zero() {
				return Ok(());
			}
			T::Currency::hold(&HoldReason::StorageDeposit.into(), who, deposit)
				.map_err(|_| Error::<T>::CannotPayDeposit.into())
		}

		/// Moves the deposit held on `who` for a record from `held` to the deposit of `bytes`
		/// bytes; returns the new deposit.
		fn adjust_deposit(
			who: &T::AccountId,
			held: BalanceOf<T>,
			bytes: usize,
		) -> Result<BalanceOf<T>, DispatchError> {
			let deposit = Self::deposit_for(bytes);
			if deposit > held {
				T::Currency::hold(
					&HoldReason::StorageDeposit.into(),
					who,
					deposit.saturating_sub(held),
				)
				.map_err(|_| Error::<T>::CannotPayDeposit)?;
			} else {
				Self::release_deposit(who, held.saturating_sub(deposit));
			}
			Ok(deposit)
		}

		/// Returns `amount` of the deposits held on `who`.
		fn release_deposit(who: &T::AccountId, amount: BalanceOf<T>) {
			// The hold covers every record's deposit (checked in `try_state`).
			let _ = T::Currency::release(
				&HoldReason::StorageDeposit.into(),
				who,
				amount,
				frame_support::traits::tokens::Precision::BestEffort,
			);
		}

		/// Takes the next id of a counter, failing once every id is used.
		fn take_id<Counter: frame_support::storage::StorageValue<u32, Query = u32>>(
		) -> Result<u32, DispatchError> {
			let id = Counter::get();
			let next = id.checked_add(1).ok_or(Error::<T>::IdsExhausted)?;
			Counter::put(next);
			Ok(id)
		}

		/// The farm, if `account` is its owner's.
		fn owned_farm(account: &T::AccountId, farm_id: FarmId) -> Result<Farm<T>, DispatchError> {
			let farm = Farms::<T>::get(farm_id).ok_or(Error::<T>::FarmNotFound)?;
			ensure!(
				TwinIdByAccount::<T>::get(account) == Some(farm.owner),
				Error::<T>::NotFarmOwner
			);
			Ok(farm)
		}

		/// The node, if `account` owns its farm.
		fn owned_node(account: &T::AccountId, node_id: NodeId) -> Result<Node<T>, DispatchError> {
			let node = Nodes::<T>::get(node_id).ok_or(Error::<T>::NodeNotFound)?;
			Self::owned_farm(account, node.farm_id)?;
			Ok(node)
		}

		/// The cooperative, if `account` is its admin.
		fn administered_cooperative(
			account: &T::AccountId,
			cooperative_id: CooperativeId,
		) -> Result<Cooperative<T>, DispatchError> {
			let cooperative =
				Cooperatives::<T>::get(cooperative_id).ok_or(Error::<T>::CooperativeNotFound)?;
			ensure!(cooperative.admin == *account, Error::<T>::NotCooperativeAdmin);
			Ok(cooperative)
		}

		/// Members that are non-empty, unique, within the bound, with shares summing to 100%.
		fn checked_members(
			members: Vec<Member<T::AccountId>>,
		) -> Result<MembersOf<T>, DispatchError> {
			ensure!(!members.is_empty(), Error::<T>::NoMembers);
			let members: MembersOf<T> =
				members.try_into().map_err(|_| Error::<T>::TooManyMembers)?;
			for (i, member) in members.iter().enumerate() {
				ensure!(
					!members[..i].iter().any(|other| other.account == member.account),
					Error::<T>::DuplicateMember
				);
			}
			let total_parts = members
				.iter()
				.try_fold(0u32, |sum, member| sum.checked_add(member.share.deconstruct()));
			ensure!(
				total_parts == Some(Perbill::one().deconstruct()),
				Error::<T>::SharesDoNotSumToWhole
			);
			Ok(members)
		}

		/// Names are non-empty and made of letters, digits, '-', '_' and '.'.
		fn is_valid_name(name: &[u8]) -> bool {
			!name.is_empty()
				&& name.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
		}

		/// Endpoints are http:// or https:// URLs of printable ASCII without spaces, with a
		/// host.
		fn is_valid_endpoint(endpoint: &[u8]) -> bool {
			let rest =
				endpoint.strip_prefix(b"https://").or_else(|| endpoint.strip_prefix(b"http://"));
			match rest {
				Some(rest) => !rest.is_empty() && rest.iter().all(|c| c.is_ascii_graphic()),
				None => false,
			}
		}

		/// Reserves `resources` on a node for an agreement.
		///
		/// Errors: [`Error::NodeNotFound`], [`Error::NodeAgreementLimitReached`],
		/// [`Error::InsufficientCapacity`]. Nothing changes on error.
		pub fn reserve_capacity(node_id: NodeId, resources: &Resources) -> DispatchResult {
			Nodes::<T>::try_mutate(node_id, |node| {
				let node = node.as_mut().ok_or(Error::<T>::NodeNotFound)?;
				ensure!(
					node.live_agreements < T::MaxAgreementsPerNode::get(),
					Error::<T>::NodeAgreementLimitReached
				);
				let reserved =
					node.reserved.checked_add(resources).ok_or(Error::<T>::InsufficientCapacity)?;
				ensure!(reserved.fits_within(&node.capacity), Error::<T>::InsufficientCapacity);
				node.reserved = reserved;
				node.live_agreements = node.live_agreements.saturating_add(1);
				Ok(())
			})
		}

		/// Releases what an agreement reserved on a node. A missing node is ignored: it cannot
		/// have been removed while the reservation was live.
		pub fn release_capacity(node_id: NodeId, resources: &Resources) {
			Nodes::<T>::mutate(node_id, |node| {
				if let Some(node) = node {
					node.reserved = node.reserved.saturating_sub(resources);
					node.live_agreements = node.live_agreements.saturating_sub(1);
				}
			});
		}

		/// Who receives the earnings of a farm: its owner, or its cooperative's account.
		pub fn payee(farm_id: FarmId) -> Option<Payee<T::AccountId>> {
			let farm = Farms::<T>::get(farm_id)?;
			if let Some(cooperative_id) = farm.cooperative {
				// Cooperatives are never removed, so the farm's cooperative exists.
				let account = Self::cooperative_account(cooperative_id);
				return Some(Payee { account, cooperative: Some(cooperative_id) });
			}
			let twin = Twins::<T>::get(farm.owner)?;
			Some(Payee { account: twin.account, cooperative: None })
		}

		/// Checks that each account's storage-deposit hold is the sum of the deposits of the
		/// records it pays for.
		#[cfg(any(feature = "try-runtime", feature = "std"))]
		fn check_deposits() -> Result<(), sp_runtime::TryRuntimeError> {
			use frame_support::traits::fungible::InspectHold;
			let mut owed: alloc::collections::btree_map::BTreeMap<T::AccountId, BalanceOf<T>> =
				Default::default();
			let mut add = |who: T::AccountId, deposit: BalanceOf<T>| {
				let sum = owed.entry(who).or_default();
				*sum = sum.saturating_add(deposit);
			};
			let owner_account = |farm_id: FarmId| {
				Farms::<T>::get(farm_id)
					.and_then(|farm| Twins::<T>::get(farm.owner))
					.map(|twin| twin.account)
			};
			for (_, twin) in Twins::<T>::iter() {
				add(twin.account, twin.deposit);
			}
			for (farm_id, farm) in Farms::<T>::iter() {
				add(owner_account(farm_id).ok_or("a farm without an owner")?, farm.deposit);
			}
			for (_, node) in Nodes::<T>::iter() {
				add(owner_account(node.farm_id).ok_or("a node without a farm")?, node.deposit);
			}
			for (_, cooperative) in Cooperatives::<T>::iter() {
				add(cooperative.admin, cooperative.deposit);
			}
			for (who, deposit) in owed {
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::StorageDeposit.into(), &who)
						== deposit,
					"an account's storage-deposit hold differs from its records'"
				);
			}
			Ok(())
		}

		/// The weight of [`Pallet::set_cooperative_members`] with `members` new members and
		/// `farms` farms to pay out first.
		pub fn set_members_weight(members: u32, farms: u32) -> Weight {
			T::WeightInfo::set_cooperative_members(members, farms)
				.saturating_add(T::FarmPayouts::pay_out_weight().saturating_mul(farms.into()))
		}

		/// The account a cooperative's farms pay and its members draw from.
		pub fn cooperative_account(cooperative_id: CooperativeId) -> T::AccountId {
			T::PalletId::get().into_sub_account_truncating(cooperative_id)
		}

		/// Records that `amount` was paid into a cooperative's account for its members.
		pub fn record_cooperative_earnings(cooperative_id: CooperativeId, amount: BalanceOf<T>) {
			CooperativeEarnings::<T>::mutate(cooperative_id, |ledger| {
				ledger.earned = ledger.earned.saturating_add(amount)
			});
		}

		/// What a cooperative owes `account` now.
		pub fn cooperative_earnings_of(
			cooperative_id: CooperativeId,
			account: &T::AccountId,
		) -> BalanceOf<T> {
			let share = Cooperatives::<T>::get(cooperative_id).and_then(|cooperative| {
				cooperative.members.iter().find(|m| m.account == *account).map(|m| m.share)
			});
			Self::unclaimed(
				&CooperativeEarnings::<T>::get(cooperative_id),
				share,
				&MemberEarnings::<T>::get(cooperative_id, account),
			)
		}

		/// A member's part of what the current membership earned: its share, rounded down.
		fn entitlement(ledger: &EarningsLedger<BalanceOf<T>>, share: Perbill) -> BalanceOf<T> {
			share.mul_floor(ledger.earned.saturating_sub(ledger.settled_before_current_members))
		}

		/// What is owed to an account with `share` of the current membership (or none) and
		/// `account`'s record.
		fn unclaimed(
			ledger: &EarningsLedger<BalanceOf<T>>,
			share: Option<Perbill>,
			account: &MemberLedger<BalanceOf<T>>,
		) -> BalanceOf<T> {
			let current = share
				.map(|share| Self::entitlement(ledger, share).saturating_sub(account.drawn))
				.unwrap_or_default();
			current.saturating_add(account.carried)
		}

		/// Ends the current membership's sharing: each member is credited what its share earned
		/// and not drawn; the rounding remainder is left to be shared by the next membership.
		fn settle_membership(cooperative_id: CooperativeId, members: &MembersOf<T>) {
			let mut ledger = CooperativeEarnings::<T>::get(cooperative_id);
			let mut settled = BalanceOf::<T>::zero();
			for member in members {
				let entitlement = Self::entitlement(&ledger, member.share);
				settled = settled.saturating_add(entitlement);
				MemberEarnings::<T>::mutate_exists(cooperative_id, &member.account, |entry| {
					let account = entry.get_or_insert_with(Default::default);
					let owed = entitlement.saturating_sub(account.drawn);
					account.carried = account.carried.saturating_add(owed);
					account.drawn = Zero::zero();
					if account.carried.is_zero() {
						*entry = None;
					}
				});
			}
			ledger.settled_before_current_members =
				ledger.settled_before_current_members.saturating_add(settled);
			CooperativeEarnings::<T>::insert(cooperative_id, ledger);
		}

		/// Checks that the operator index matches the farms, that every cooperative's account
		/// holds what it owes its members (and former members) on top of its existential
		/// deposit, and that no member drew more than its share. Also used by other pallets'
		/// tests.
		#[cfg(any(feature = "try-runtime", feature = "std"))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			Self::check_deposits()?;
			for (farm_id, farm) in Farms::<T>::iter() {
				if let Some(operator) = &farm.operator {
					ensure!(
						FarmsByOperator::<T>::contains_key(operator, farm_id),
						"a farm is missing from its operator's index"
					);
				}
				if let Some(cooperative_id) = farm.cooperative {
					ensure!(
						CooperativeFarms::<T>::contains_key(cooperative_id, farm_id),
						"a farm is missing from its cooperative's farms"
					);
				}
			}
			for (operator, farm_id, ()) in FarmsByOperator::<T>::iter() {
				ensure!(
					Farms::<T>::get(farm_id)
						.is_some_and(|farm| farm.operator.as_ref() == Some(&operator)),
					"the operator index lists a farm its account does not operate"
				);
			}
			for (cooperative_id, farm_id, ()) in CooperativeFarms::<T>::iter() {
				ensure!(
					Farms::<T>::get(farm_id)
						.is_some_and(|farm| farm.cooperative == Some(cooperative_id)),
					"a cooperative lists a farm that is not its member"
				);
			}
			for (cooperative_id, cooperative) in Cooperatives::<T>::iter() {
				ensure!(
					CooperativeFarms::<T>::iter_prefix(cooperative_id).count() as u32
						== cooperative.farms,
					"a cooperative's farm count is wrong"
				);
				let ledger = CooperativeEarnings::<T>::get(cooperative_id);
				let mut entitled = BalanceOf::<T>::zero();
				let mut owed = BalanceOf::<T>::zero();
				for member in &cooperative.members {
					let entitlement = Self::entitlement(&ledger, member.share);
					let drawn = MemberEarnings::<T>::get(cooperative_id, &member.account).drawn;
					ensure!(drawn <= entitlement, "a member drew more than its share");
					entitled = entitled.saturating_add(entitlement);
					owed = owed.saturating_add(entitlement.saturating_sub(drawn));
				}
				ensure!(
					ledger.settled_before_current_members.saturating_add(entitled) <= ledger.earned,
					"a cooperative's members are entitled to more than it earned"
				);
				for (_, account) in MemberEarnings::<T>::iter_prefix(cooperative_id) {
					owed = owed.saturating_add(account.carried);
				}
				ensure!(
					T::Currency::balance(&Self::cooperative_account(cooperative_id))
						>= owed.saturating_add(T::Currency::minimum_balance()),
					"a cooperative's account holds less than it owes"
				);
			}
			Ok(())
		}
	}
}
