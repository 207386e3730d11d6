//! Twins, farms and nodes: what farmers set up and what users choose from.

use crate::{
	context::{AtBlock, Context, Report},
	error::CliError,
	format,
};
use gridchain_client::{
	runtime::{
		self,
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec,
			gridchain_primitives::grid::{PricingPolicy, Resources},
		},
	},
	subxt::utils::AccountId32,
};
use serde_json::{json, Value};

#[derive(clap::Subcommand, Debug)]
pub enum TwinCommand {
	/// Registers the signing key's account as a twin (holds a small storage deposit).
	Register,
	/// An account's twin.
	Show {
		/// The account (SS58 or 0x hex); the signing key's account if left out.
		account: Option<String>,
	},
}

/// Prices in TFT per unit and hour; with `farm set-prices`, those left out keep their value.
#[derive(clap::Args, Debug, Default)]
pub struct Prices {
	/// TFT per CPU core and hour.
	#[arg(long, value_name = "TFT")]
	cru: Option<String>,
	/// TFT per GiB of memory and hour.
	#[arg(long, value_name = "TFT")]
	mru: Option<String>,
	/// TFT per GiB of SSD and hour.
	#[arg(long, value_name = "TFT")]
	sru: Option<String>,
	/// TFT per GiB of HDD and hour.
	#[arg(long, value_name = "TFT")]
	hru: Option<String>,
}

#[derive(clap::Subcommand, Debug)]
pub enum FarmCommand {
	/// Creates a farm owned by the signing key's twin, with its prices (all four required).
	Create {
		/// Unique; letters, digits, '-', '_' and '.'.
		name: String,
		#[command(flatten)]
		prices: Prices,
		/// The account of the farm's off-chain worker; the signing key's if left out. Another
		/// account is offered the role and serves once it accepts (`farm accept-operator`).
		#[arg(long)]
		operator: Option<String>,
	},
	/// Sets a farm's prices for new agreements; prices left out stay as they are.
	SetPrices {
		farm: u32,
		#[command(flatten)]
		prices: Prices,
	},
	/// Names an account the farm's operator (it must accept).
	SetOperator { farm: u32, operator: String },
	/// Accepts the operator role a farm offered the signing key's account.
	AcceptOperator { farm: u32 },
	/// A farm: owner, prices, operator, cooperative, nodes.
	Show { farm: u32 },
	/// All farms, or a twin's.
	List {
		/// Only this twin's farms.
		#[arg(long)]
		owner: Option<u32>,
	},
}

/// A node's capacity from the command line.
#[derive(clap::Args, Debug)]
pub struct Capacity {
	/// CPU cores.
	#[arg(long)]
	cru: u64,
	/// Memory, e.g. 64GiB.
	#[arg(long)]
	mru: String,
	/// SSD, e.g. 2TiB.
	#[arg(long)]
	sru: String,
	/// HDD, e.g. 8TiB.
	#[arg(long, default_value = "0")]
	hru: String,
}

#[derive(clap::Subcommand, Debug)]
pub enum NodeCommand {
	/// Registers a node in one of the signing key's farms.
	Register {
		farm: u32,
		#[command(flatten)]
		capacity: Capacity,
		/// The http(s) URL of the node's ZOS API.
		#[arg(long)]
		endpoint: String,
		/// The node's own ed25519 public key (its ZOS identity): 0x and 64 hex digits.
		#[arg(long = "node-key")]
		node_key: String,
	},
	/// A node: capacity offered, reserved and free, audit, suspension, agreements.
	Show { node: u32 },
	/// All nodes, or a farm's, with their free capacity.
	List {
		/// Only this farm's nodes.
		#[arg(long)]
		farm: Option<u32>,
	},
}

pub async fn run_twin(ctx: &Context, command: TwinCommand) -> Result<Report, CliError> {
	match command {
		TwinCommand::Register => {
			let landed = ctx.submit(&runtime::tx().registry().register_twin()).await?;
			let event = find_event::<runtime::registry::events::TwinRegistered>(&landed.included)?;
			Ok(Report::new(
				format!(
					"twin {} registered for {} in block {}",
					event.twin_id, event.account, landed.text
				),
				json!({ "twin": event.twin_id, "account": event.account.to_string(), "in": landed.json }),
			))
		},
		TwinCommand::Show { account } => {
			let who = ctx.account_or_me(account.as_deref())?;
			let at = ctx.at().await?;
			let twin_id = twin_of(&at, &who)
				.await?
				.ok_or_else(|| CliError::NotFound(format!("{who} has no twin")))?;
			let twin = fetch(&at, runtime::storage().registry().twins(), (twin_id,))
				.await?
				.ok_or_else(|| CliError::NotFound(format!("no twin {twin_id}")))?;
			Ok(Report::new(
				format!(
					"twin {twin_id}\n  account  {}\n  deposit  {}",
					twin.account,
					format::tft(twin.deposit)
				),
				json!({
					"twin": twin_id,
					"block": at.block_number(),
					"account": twin.account.to_string(),
					"deposit": format::tft_json(twin.deposit),
				}),
			))
		},
	}
}

pub async fn run_farm(ctx: &Context, command: FarmCommand) -> Result<Report, CliError> {
	match command {
		FarmCommand::Create { name, prices, operator } => {
			let pricing = prices.complete()?;
			let operator = match operator {
				Some(operator) => format::parse_account(&operator)?,
				None => ctx.me()?,
			};
			let call =
				runtime::tx().registry().create_farm(bounded(name.as_bytes()), pricing, operator);
			let landed = ctx.submit(&call).await?;
			let event = find_event::<runtime::registry::events::FarmCreated>(&landed.included)?;
			let offered =
				maybe_event::<runtime::registry::events::FarmOperatorOffered>(&landed.included);
			let mut text =
				format!("farm {} ({name}) created in block {}", event.farm_id, landed.text);
			if let Some(offer) = &offered {
				text.push_str(&format!(
					"\n{} was offered the operator role: it accepts with `gridchain farm accept-operator {}`",
					offer.operator, event.farm_id
				));
			}
			Ok(Report::new(
				text,
				json!({
					"farm": event.farm_id,
					"name": name,
					"operatorOffered": offered.map(|offer| offer.operator.to_string()),
					"in": landed.json,
				}),
			))
		},
		FarmCommand::SetPrices { farm, prices } => {
			// The prices left out keep their newest value, not their finalized one.
			let at = ctx.at_best().await?;
			let current = fetch(&at, runtime::storage().registry().farms(), (farm,))
				.await?
				.ok_or_else(|| no_farm(farm))?;
			let pricing = prices.over(current.pricing)?;
			let landed = ctx
				.submit(&runtime::tx().registry().set_pricing_policy(farm, pricing.clone()))
				.await?;
			Ok(Report::new(
				format!(
					"farm {farm}'s prices set in block {}\n{}",
					landed.text,
					pricing_text(&pricing)
				),
				json!({ "farm": farm, "pricing": pricing_json(&pricing), "in": landed.json }),
			))
		},
		FarmCommand::SetOperator { farm, operator } => {
			let operator = format::parse_account(&operator)?;
			let call = runtime::tx().registry().set_farm_operator(farm, operator);
			let landed = ctx.submit(&call).await?;
			Ok(Report::new(
				format!("{operator} named operator of farm {farm} in block {}", landed.text),
				json!({ "farm": farm, "operator": operator.to_string(), "in": landed.json }),
			))
		},
		FarmCommand::AcceptOperator { farm } => {
			let landed = ctx.submit(&runtime::tx().registry().accept_farm_operator(farm)).await?;
			Ok(Report::new(
				format!("operator of farm {farm} from block {}", landed.text),
				json!({ "farm": farm, "in": landed.json }),
			))
		},
		FarmCommand::Show { farm } => show_farm(ctx, farm).await,
		FarmCommand::List { owner } => {
			let at = ctx.at().await?;
			let farms = all(&at, runtime::storage().registry().farms()).await?;
			let farms: Vec<_> =
				farms.into_iter().filter(|(_, f)| owner.is_none_or(|o| f.owner == o)).collect();
			let mut text = format!("{} farm(s)\n", farms.len());
			let mut list = Vec::new();
			for (id, farm) in &farms {
				text.push_str(&format!(
					"  {id:>5}  {:<24} twin {:<5} {}\n",
					format::text(&farm.name.0),
					farm.owner,
					farm.operator.as_ref().map(|o| format!("operator {o}")).unwrap_or_default()
				));
				list.push(json!({
					"farm": id,
					"name": format::text(&farm.name.0),
					"owner": farm.owner,
					"operator": farm.operator.as_ref().map(ToString::to_string),
					"cooperative": farm.cooperative,
					"pricing": pricing_json(&farm.pricing),
				}));
			}
			Ok(Report::new(text, json!({ "block": at.block_number(), "farms": list })))
		},
	}
}

pub async fn run_node(ctx: &Context, command: NodeCommand) -> Result<Report, CliError> {
	match command {
		NodeCommand::Register { farm, capacity, endpoint, node_key } => {
			let capacity = Resources {
				cru: capacity.cru,
				mru: format::parse_bytes(&capacity.mru)?,
				sru: format::parse_bytes(&capacity.sru)?,
				hru: format::parse_bytes(&capacity.hru)?,
			};
			let key = format::parse_hex32(&node_key, "a public key")?;
			let call = runtime::tx().registry().register_node(
				farm,
				capacity.clone(),
				bounded(endpoint.as_bytes()),
				key,
			);
			let landed = ctx.submit(&call).await?;
			let event = find_event::<runtime::registry::events::NodeRegistered>(&landed.included)?;
			Ok(Report::new(
				format!(
					"node {} registered in farm {farm} in block {}\n{}",
					event.node_id,
					landed.text,
					resources_text("offers", &capacity)
				),
				json!({ "node": event.node_id, "farm": farm, "capacity": resources_json(&capacity), "in": landed.json }),
			))
		},
		NodeCommand::Show { node } => {
			let at = ctx.at().await?;
			let record = fetch(&at, runtime::storage().registry().nodes(), (node,))
				.await?
				.ok_or_else(|| CliError::NotFound(format!("no node {node}")))?;
			let (text, mut json) = node_lines(node, &record);
			json["block"] = json!(at.block_number());
			Ok(Report::new(text, json))
		},
		NodeCommand::List { farm } => {
			let at = ctx.at().await?;
			let nodes = all(&at, runtime::storage().registry().nodes()).await?;
			let mut text = String::new();
			let mut list = Vec::new();
			let mut count = 0;
			for (id, node) in nodes.iter().filter(|(_, n)| farm.is_none_or(|f| n.farm_id == f)) {
				count += 1;
				let free = free(&node.capacity, &node.reserved);
				text.push_str(&format!(
					"  {id:>5}  farm {:<5} free: {} cores, {} memory, {} SSD, {} HDD{}\n",
					node.farm_id,
					free.cru,
					format::bytes(free.mru),
					format::bytes(free.sru),
					format::bytes(free.hru),
					if node.suspended { "  (suspended)" } else { "" }
				));
				list.push(node_lines(*id, node).1);
			}
			Ok(Report::new(
				format!("{count} node(s)\n{text}"),
				json!({ "block": at.block_number(), "nodes": list }),
			))
		},
	}
}

async fn show_farm(ctx: &Context, farm_id: u32) -> Result<Report, CliError> {
	let at = ctx.at().await?;
	let farm = fetch(&at, runtime::storage().registry().farms(), (farm_id,))
		.await?
		.ok_or_else(|| no_farm(farm_id))?;
	let offer = fetch(&at, runtime::storage().registry().operator_offers(), (farm_id,)).await?;
	let nodes: Vec<u32> = all(&at, runtime::storage().registry().nodes())
		.await?
		.into_iter()
		.filter(|(_, node)| node.farm_id == farm_id)
		.map(|(id, _)| id)
		.collect();
	let earnings: u128 = at
		.runtime_apis()
		.call(runtime::runtime_apis().smart_contract_api().farm_earnings(farm_id))
		.await
		.map_err(CliError::read)?;
	let name = format::text(&farm.name.0);
	let mut text = format!(
		"farm {farm_id} ({name})\n  owner        twin {}\n  operator     {}\n",
		farm.owner,
		farm.operator.as_ref().map(ToString::to_string).unwrap_or_else(|| "none".into())
	);
	if let Some(offer) = &offer {
		text.push_str(&format!("  offered to   {offer} (not accepted yet)\n"));
	}
	if let Some(cooperative) = farm.cooperative {
		text.push_str(&format!("  cooperative  {cooperative}\n"));
	}
	text.push_str(&format!("  earnings     {} not paid out yet\n", format::tft(earnings)));
	text.push_str(&format!("  deposit      {}\n", format::tft(farm.deposit)));
	text.push_str(&pricing_text(&farm.pricing));
	text.push_str(&format!(
		"\n  nodes        {}",
		if nodes.is_empty() {
			"none".into()
		} else {
			nodes.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
		}
	));
	Ok(Report::new(
		text,
		json!({
			"farm": farm_id,
			"block": at.block_number(),
			"name": name,
			"owner": farm.owner,
			"operator": farm.operator.as_ref().map(ToString::to_string),
			"operatorOffered": offer.as_ref().map(ToString::to_string),
			"cooperative": farm.cooperative,
			"earnings": format::tft_json(earnings),
			"deposit": format::tft_json(farm.deposit),
			"pricing": pricing_json(&farm.pricing),
			"nodes": nodes,
		}),
	))
}

impl Prices {
	/// All four prices, each required.
	fn complete(self) -> Result<PricingPolicy<u128>, CliError> {
		let required = |price: Option<String>, name: &str| {
			price
				.ok_or_else(|| {
					CliError::Input(format!(
						"--{name} is required: the price in TFT per unit and hour"
					))
				})
				.and_then(|price| format::parse_tft(&price))
		};
		Ok(PricingPolicy {
			cru_per_core_hour: required(self.cru, "cru")?,
			mru_per_gib_hour: required(self.mru, "mru")?,
			sru_per_gib_hour: required(self.sru, "sru")?,
			hru_per_gib_hour: required(self.hru, "hru")?,
		})
	}

	/// `current` with the prices given replacing its own.
	fn over(self, current: PricingPolicy<u128>) -> Result<PricingPolicy<u128>, CliError> {
		if self.cru.is_none() && self.mru.is_none() && self.sru.is_none() && self.hru.is_none() {
			return Err(CliError::Input("give at least one of --cru, --mru, --sru, --hru".into()));
		}
		let or = |price: Option<String>, current: u128| {
			price.map(|price| format::parse_tft(&price)).unwrap_or(Ok(current))
		};
		Ok(PricingPolicy {
			cru_per_core_hour: or(self.cru, current.cru_per_core_hour)?,
			mru_per_gib_hour: or(self.mru, current.mru_per_gib_hour)?,
			sru_per_gib_hour: or(self.sru, current.sru_per_gib_hour)?,
			hru_per_gib_hour: or(self.hru, current.hru_per_gib_hour)?,
		})
	}
}

fn pricing_text(pricing: &PricingPolicy<u128>) -> String {
	format!(
		"  prices       {} per core-hour\n               {} per GiB-hour of memory\n               {} per GiB-hour of SSD\n               {} per GiB-hour of HDD",
		format::tft(pricing.cru_per_core_hour),
		format::tft(pricing.mru_per_gib_hour),
		format::tft(pricing.sru_per_gib_hour),
		format::tft(pricing.hru_per_gib_hour)
	)
}

fn pricing_json(pricing: &PricingPolicy<u128>) -> Value {
	json!({
		"cruPerCoreHour": format::tft_json(pricing.cru_per_core_hour),
		"mruPerGibHour": format::tft_json(pricing.mru_per_gib_hour),
		"sruPerGibHour": format::tft_json(pricing.sru_per_gib_hour),
		"hruPerGibHour": format::tft_json(pricing.hru_per_gib_hour),
	})
}

fn free(capacity: &Resources, reserved: &Resources) -> Resources {
	Resources {
		cru: capacity.cru.saturating_sub(reserved.cru),
		mru: capacity.mru.saturating_sub(reserved.mru),
		sru: capacity.sru.saturating_sub(reserved.sru),
		hru: capacity.hru.saturating_sub(reserved.hru),
	}
}

fn resources_text(label: &str, r: &Resources) -> String {
	format!(
		"  {label:<9} {} cores, {} memory, {} SSD, {} HDD",
		r.cru,
		format::bytes(r.mru),
		format::bytes(r.sru),
		format::bytes(r.hru)
	)
}

fn resources_json(r: &Resources) -> Value {
	json!({ "cru": r.cru, "mru": r.mru, "sru": r.sru, "hru": r.hru })
}

type NodeRecord = runtime::runtime_types::pallet_registry::types::Node;

fn node_lines(id: u32, node: &NodeRecord) -> (String, Value) {
	let free = free(&node.capacity, &node.reserved);
	let mut text = format!(
		"node {id} (farm {})\n  endpoint  {}\n  node key  {}\n{}\n{}\n{}\n  agreements {}\n",
		node.farm_id,
		format::text(&node.endpoint.0),
		format::hex0x(&node.public_key),
		resources_text("offers", &node.capacity),
		resources_text("reserved", &node.reserved),
		resources_text("free", &free),
		node.live_agreements,
	);
	match &node.audited {
		Some(audited) => text.push_str(&format!("{}\n", resources_text("audited", audited))),
		None => text.push_str("  audited   not yet\n"),
	}
	if node.suspended {
		text.push_str("  suspended: takes no new agreements\n");
	}
	let json = json!({
		"node": id,
		"farm": node.farm_id,
		"endpoint": format::text(&node.endpoint.0),
		"nodeKey": format::hex0x(&node.public_key),
		"capacity": resources_json(&node.capacity),
		"reserved": resources_json(&node.reserved),
		"free": resources_json(&free),
		"liveAgreements": node.live_agreements,
		"audited": node.audited.as_ref().map(resources_json),
		"suspended": node.suspended,
	});
	(text, json)
}

fn no_farm(farm: u32) -> CliError {
	CliError::NotFound(format!("no farm {farm}"))
}

/// A byte string argument of a call (names, endpoints, texts); the chain checks its length.
pub fn bounded(bytes: &[u8]) -> BoundedVec<u8> {
	BoundedVec(bytes.to_vec())
}

/// The twin of `account`, if it has one.
pub async fn twin_of(at: &AtBlock, account: &AccountId32) -> Result<Option<u32>, CliError> {
	fetch(at, runtime::storage().registry().twin_id_by_account(), (*account,)).await
}

/// The value stored under `key`, if any.
pub async fn fetch<Addr>(
	at: &AtBlock,
	address: Addr,
	key: Addr::KeyParts,
) -> Result<Option<Addr::Value>, CliError>
where
	Addr: gridchain_client::subxt::storage::Address,
{
	let Some(value) = at.storage().try_fetch(address, key).await.map_err(CliError::read)? else {
		return Ok(None);
	};
	value.decode().map(Some).map_err(CliError::read)
}

/// Every entry of a map with one key. The node pages through the keys; the whole map is read,
/// so this is for maps the size of the grid's farms and nodes, not for every block's records.
pub async fn all<Addr, Key>(
	at: &AtBlock,
	address: Addr,
) -> Result<Vec<(Key, Addr::Value)>, CliError>
where
	Addr: gridchain_client::subxt::storage::Address<KeyParts = (Key,)>,
	Key: gridchain_client::subxt::ext::scale_decode::DecodeAsType,
{
	Ok(all_under(at, address, ()).await?.into_iter().map(|((key,), value)| (key, value)).collect())
}

/// The most entries a command reads of one map: far above any grid this chain serves (its
/// nodes, farms and agreements), far below what would exhaust the machine.
pub const MAX_MAP_ENTRIES: usize = 1_000_000;

fn too_many_entries(map: &str) -> CliError {
	CliError::Read(format!(
		"the node sent more than {MAX_MAP_ENTRIES} entries of {map}: not reading on"
	))
}

/// Every entry of a map under the first keys `prefix` (`(circle,)` of a map by circle and
/// proposal), with all its keys.
pub async fn all_under<Addr, Prefix>(
	at: &AtBlock,
	address: Addr,
	prefix: Prefix,
) -> Result<Vec<(Addr::KeyParts, Addr::Value)>, CliError>
where
	Addr: gridchain_client::subxt::storage::Address,
	Prefix: gridchain_client::subxt::storage::PrefixOf<Addr::KeyParts>,
{
	let name = format!("{}.{}", address.pallet_name(), address.entry_name());
	let mut entries = at.storage().iter(address, prefix).await.map_err(CliError::read)?;
	let mut all = Vec::new();
	while let Some(entry) = entries.next().await {
		// A node that never stops sending entries is not believed past the bound.
		if all.len() >= MAX_MAP_ENTRIES {
			return Err(too_many_entries(&name));
		}
		let entry = entry.map_err(CliError::read)?;
		let keys = entry.key().map_err(CliError::read)?.decode().map_err(CliError::read)?;
		all.push((keys, entry.value().decode().map_err(CliError::read)?));
	}
	Ok(all)
}

/// The first event `E` of a transaction, if it emitted one.
pub fn maybe_event<E: gridchain_client::subxt::events::DecodeAsEvent>(
	included: &gridchain_client::Included,
) -> Option<E> {
	included.events.find_first::<E>().and_then(Result::ok)
}

/// The first event `E` of a transaction that must have emitted it.
pub fn find_event<E: gridchain_client::subxt::events::DecodeAsEvent>(
	included: &gridchain_client::Included,
) -> Result<E, CliError> {
	included
		.events
		.find_first::<E>()
		.ok_or_else(|| CliError::Read("the transaction went through without its event".into()))?
		.map_err(CliError::read)
}
