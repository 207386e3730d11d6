//! Agreements: quote, create (the ZOS challenge computed and signed here), show, list, top up,
//! cancel, follow.

use crate::{
	context::{AtBlock, Context, Report},
	error::CliError,
	format,
	grid::{self, bounded, fetch, find_event},
};
use gridchain_client::{
	runtime::{
		self,
		runtime_types::pallet_smart_contract::types::{
			CancelCause, ContractState, DeploymentSignature, SignatureStyle, Workload, WorkloadKind,
		},
	},
	Wait,
};
use serde_json::{json, Value};

/// A volume from the command line: `NAME:SIZE` (`data:20GiB`).
#[derive(Clone, Debug)]
pub struct Volume {
	name: String,
	size: u64,
}

impl std::str::FromStr for Volume {
	type Err = String;

	fn from_str(text: &str) -> Result<Self, Self::Err> {
		let (name, size) = text
			.split_once(':')
			.ok_or_else(|| format!("{text:?}: a volume is NAME:SIZE, e.g. data:20GiB"))?;
		let size = format::parse_bytes(size).map_err(|e| e.to_string())?;
		Ok(Volume { name: name.to_owned(), size })
	}
}

/// What `--style` a signature signs: the raw hash, or what browser wallets sign.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Style {
	/// The 16 bytes of the challenge hash.
	Raw,
	/// `<Bytes>` + the hash's 32 hex characters + `</Bytes>`, as the polkadot.js extension signs.
	PolkaWallet,
}

impl From<Style> for SignatureStyle {
	fn from(style: Style) -> Self {
		match style {
			Style::Raw => SignatureStyle::Raw,
			Style::PolkaWallet => SignatureStyle::PolkaWallet,
		}
	}
}

/// The style as ZOS names it in a deployment.
impl From<Style> for zos_client::SignatureStyle {
	fn from(style: Style) -> Self {
		match style {
			Style::Raw => zos_client::SignatureStyle::Raw,
			Style::PolkaWallet => zos_client::SignatureStyle::PolkaWallet,
		}
	}
}

#[derive(clap::Subcommand, Debug)]
pub enum AgreementCommand {
	/// What volumes on a node would cost per hour at its farm's prices now.
	Quote {
		node: u32,
		/// A volume NAME:SIZE (e.g. data:20GiB); repeat for more.
		#[arg(long = "volume", required = true, value_name = "NAME:SIZE")]
		volumes: Vec<Volume>,
		/// Also show what this many hours cost.
		#[arg(long)]
		hours: Option<u32>,
	},
	/// Makes an agreement for volumes on a node, paid from a deposit held in escrow: the ZOS
	/// deployment challenge is computed and signed with the signing key (its twin's).
	Create {
		node: u32,
		/// A volume NAME:SIZE (e.g. data:20GiB); repeat for more.
		#[arg(long = "volume", required = true, value_name = "NAME:SIZE")]
		volumes: Vec<Volume>,
		/// TFT put in escrow; it pays the agreement block by block once deployed.
		#[arg(long)]
		deposit: String,
		/// The deployment's metadata (free text for your tools).
		#[arg(long, default_value = "")]
		metadata: String,
		/// The deployment's description (free text for people).
		#[arg(long, default_value = "")]
		description: String,
		/// What the signature signs.
		#[arg(long, value_enum, default_value = "raw")]
		style: Style,
	},
	/// An agreement: state, workloads, escrow, what it has cost, when it runs out.
	Show { id: u64 },
	/// A twin's agreements (the signing key's twin if left out).
	List {
		#[arg(long)]
		twin: Option<u32>,
	},
	/// Adds TFT to an agreement's escrow (also restores one in its grace period).
	TopUp { id: u64, amount: String },
	/// Ends an agreement: what is left of its escrow is returned.
	Cancel { id: u64 },
	/// Follows an agreement block by block until it is deployed, or deleted or failed.
	Follow {
		id: u64,
		/// Give up after this many seconds (at most a day).
		#[arg(long, default_value = "600", value_parser = clap::value_parser!(u64).range(1..=86_400))]
		timeout: u64,
	},
}

pub async fn run(ctx: &Context, command: AgreementCommand) -> Result<Report, CliError> {
	match command {
		AgreementCommand::Quote { node, volumes, hours } => quote(ctx, node, &volumes, hours).await,
		AgreementCommand::Create { node, volumes, deposit, metadata, description, style } => {
			create(ctx, node, &volumes, &deposit, metadata, description, style).await
		},
		AgreementCommand::Show { id } => show(ctx, id).await,
		AgreementCommand::List { twin } => list(ctx, twin).await,
		AgreementCommand::TopUp { id, amount } => {
			let amount = format::parse_tft(&amount)?;
			let landed = ctx.submit(&runtime::tx().smart_contract().top_up(id, amount)).await?;
			let event =
				find_event::<runtime::smart_contract::events::ContractToppedUp>(&landed.included)?;
			Ok(Report::new(
				format!(
					"agreement {id} topped up with {} in block {}: escrow {}",
					format::tft(amount),
					landed.text,
					format::tft(event.escrow)
				),
				json!({ "agreement": id, "amount": format::tft_json(amount), "escrow": format::tft_json(event.escrow), "in": landed.json }),
			))
		},
		AgreementCommand::Cancel { id } => {
			let landed = ctx.submit(&runtime::tx().smart_contract().cancel_contract(id)).await?;
			let event =
				find_event::<runtime::smart_contract::events::ContractCancelled>(&landed.included)?;
			Ok(Report::new(
				format!(
					"agreement {id} cancelled in block {}: {} refunded{}",
					landed.text,
					format::tft(event.refunded),
					if event.unpaid_debt > 0 {
						format!(", {} of debt unpaid", format::tft(event.unpaid_debt))
					} else {
						String::new()
					}
				),
				json!({
					"agreement": id,
					"refunded": format::tft_json(event.refunded),
					"unpaidDebt": format::tft_json(event.unpaid_debt),
					"in": landed.json,
				}),
			))
		},
		AgreementCommand::Follow { id, timeout } => follow(ctx, id, timeout).await,
	}
}

fn workloads(volumes: &[Volume]) -> Vec<WorkloadKind> {
	volumes.iter().map(|v| WorkloadKind::Volume { size: v.size }).collect()
}

async fn quote(
	ctx: &Context,
	node: u32,
	volumes: &[Volume],
	hours: Option<u32>,
) -> Result<Report, CliError> {
	let at = ctx.at().await?;
	let per_hour = at
		.runtime_apis()
		.call(
			runtime::runtime_apis()
				.smart_contract_api()
				.quote_cost_per_hour(node, workloads(volumes)),
		)
		.await
		.map_err(CliError::read)?
		.map_err(|error| CliError::dispatch(&at, &error))?;
	let mut text = format!("{} per hour on node {node}", format::tft(per_hour));
	let total = hours.map(|hours| per_hour.saturating_mul(u128::from(hours)));
	if let (Some(hours), Some(total)) = (hours, total) {
		text.push_str(&format!("\n{} for {hours} hours", format::tft(total)));
	}
	Ok(Report::new(
		text,
		json!({
			"node": node,
			"block": at.block_number(),
			"costPerHour": format::tft_json(per_hour),
			"hours": hours,
			"total": total.map(format::tft_json),
		}),
	))
}

async fn create(
	ctx: &Context,
	node: u32,
	volumes: &[Volume],
	deposit: &str,
	metadata: String,
	description: String,
	style: Style,
) -> Result<Report, CliError> {
	let deposit = format::parse_tft(deposit)?;
	let signer = ctx.signer()?;
	let me = ctx.me()?;
	let at = ctx.at().await?;
	let twin_id = grid::twin_of(&at, &me).await?.ok_or_else(|| {
		CliError::NotFound(format!("{me} has no twin: `gridchain twin register` first"))
	})?;
	// The deployment ZOS will receive, as the runtime builds it (contract id 0: the challenge
	// does not cover it).
	let zos_style = style.into();
	let deployment = zos_client::Deployment::single_twin(
		0,
		twin_id,
		metadata.clone(),
		description.clone(),
		zos_style,
		volumes
			.iter()
			.map(|v| {
				zos_client::Workload::new(
					v.name.clone(),
					zos_client::WorkloadData::Volume { size: v.size },
					String::new(),
					String::new(),
				)
			})
			.collect(),
	);
	let hash = deployment.challenge_hash();
	let signature = signer.sign(&zos_client::signed_message(&hash, zos_style));
	let call = runtime::tx().smart_contract().create_node_contract(
		node,
		volumes
			.iter()
			.map(|v| Workload {
				name: bounded(v.name.as_bytes()),
				kind: WorkloadKind::Volume { size: v.size },
				metadata: bounded(b""),
				description: bounded(b""),
			})
			.collect(),
		bounded(metadata.as_bytes()),
		bounded(description.as_bytes()),
		DeploymentSignature { signature: signature.0, style: style.into() },
		deposit,
	);
	let hash_hex = String::from_utf8_lossy(&hash.to_hex()).into_owned();
	if !ctx.quiet() {
		eprintln!("deployment challenge hash {hash_hex}, signed by twin {twin_id}");
	}
	let landed = ctx.submit(&call).await?;
	let event = find_event::<runtime::smart_contract::events::ContractCreated>(&landed.included)?;
	Ok(Report::new(
		format!(
			"agreement {} created in block {} on node {node}\n  deployment hash  {hash_hex}\n  escrow           {}\n  cost per hour    {}\n  storage deposit  {}\nthe farm deploys it next: `gridchain agreement follow {}`",
			event.contract_id,
			landed.text,
			format::tft(event.deposit),
			format::tft(event.cost_per_hour),
			format::tft(event.storage_deposit),
			event.contract_id,
		),
		json!({
			"agreement": event.contract_id,
			"twin": twin_id,
			"node": node,
			"deploymentHash": hash_hex,
			"deposit": format::tft_json(event.deposit),
			"costPerHour": format::tft_json(event.cost_per_hour),
			"storageDeposit": format::tft_json(event.storage_deposit),
			"in": landed.json,
		}),
	))
}

type ContractRecord = runtime::runtime_types::pallet_smart_contract::types::Contract;

/// The state in words, and its JSON.
async fn state_of(
	ctx: &Context,
	at: &AtBlock,
	state: &ContractState,
) -> Result<(String, Value), CliError> {
	Ok(match state {
		ContractState::Created => (
			"created: waiting for the farm to deploy it (nothing is billed yet)".into(),
			json!({ "state": "created" }),
		),
		ContractState::Deployed => {
			("deployed: running and billed".into(), json!({ "state": "deployed" }))
		},
		ContractState::GracePeriod { ends_at } => {
			let (when, when_json) = ctx.block_and_time(at, *ends_at).await?;
			(
				format!("out of funds: paused; cancelled at {when} unless topped up"),
				json!({ "state": "gracePeriod", "endsAt": when_json }),
			)
		},
		ContractState::Cancelled { cause } => {
			let cause = match cause {
				CancelCause::ByUser => "byUser",
				CancelCause::OutOfFunds => "outOfFunds",
				CancelCause::NotDeployed => "notDeployed",
			};
			(
				format!("cancelled ({cause}): waiting for the farm to remove the workloads"),
				json!({ "state": "cancelled", "cause": cause }),
			)
		},
	})
}

async fn show(ctx: &Context, id: u64) -> Result<Report, CliError> {
	let at = ctx.at().await?;
	let contract = fetch(&at, runtime::storage().smart_contract().contracts(), (id,))
		.await?
		.ok_or_else(|| no_agreement(id))?;
	let terms = fetch(&at, runtime::storage().smart_contract().contract_terms(), (id,)).await?;
	let escrow = at
		.runtime_apis()
		.call(runtime::runtime_apis().smart_contract_api().escrow(id))
		.await
		.map_err(CliError::read)?;
	let (state, state_json) = state_of(ctx, &at, &contract.state).await?;
	let mut text = format!(
		"agreement {id}\n  state            {state}\n  owner            {} (twin {})\n  node             {} (farm {})\n",
		contract.owner, contract.twin_id, contract.node_id, contract.farm_id
	);
	let mut json = json!({
		"agreement": id,
		"block": at.block_number(),
		"owner": contract.owner.to_string(),
		"twin": contract.twin_id,
		"node": contract.node_id,
		"farm": contract.farm_id,
		"storageDeposit": format::tft_json(contract.storage_deposit),
	});
	merge(&mut json, state_json);
	if let Some(terms) = &terms {
		let hash = format::ascii_or_hex(&terms.deployment_hash);
		text.push_str(&format!("  deployment hash  {hash}\n  workloads\n"));
		let mut workloads = Vec::new();
		for workload in &terms.workloads.0 {
			let WorkloadKind::Volume { size } = workload.kind;
			text.push_str(&format!(
				"    volume {} of {}\n",
				format::text(&workload.name.0),
				format::bytes(size)
			));
			workloads.push(
				json!({ "name": format::text(&workload.name.0), "type": "volume", "size": size }),
			);
		}
		json["deploymentHash"] = json!(hash);
		json["workloads"] = json!(workloads);
	}
	if let Some(escrow) = escrow {
		text.push_str(&format!(
			"  escrow           {}\n  cost per hour    {}\n  cost so far      {}\n",
			format::tft(escrow.escrow),
			format::tft(escrow.cost_per_hour),
			format::tft(escrow.cost_so_far)
		));
		if escrow.debt > 0 {
			text.push_str(&format!("  debt             {}\n", format::tft(escrow.debt)));
		}
		json["escrow"] = format::tft_json(escrow.escrow);
		json["costPerHour"] = format::tft_json(escrow.cost_per_hour);
		json["costSoFar"] = format::tft_json(escrow.cost_so_far);
		json["debt"] = format::tft_json(escrow.debt);
		match escrow.runs_out_at {
			Some(block) => {
				let (when, when_json) = ctx.block_and_time(&at, block).await?;
				text.push_str(&format!("  runs out at      {when}\n"));
				json["runsOutAt"] = when_json;
			},
			None => json["runsOutAt"] = Value::Null,
		}
	}
	text.push_str(&format!("  storage deposit  {}", format::tft(contract.storage_deposit)));
	Ok(Report::new(text, json))
}

async fn list(ctx: &Context, twin: Option<u32>) -> Result<Report, CliError> {
	let at = ctx.at().await?;
	let twin = match twin {
		Some(twin) => twin,
		None => {
			let me = ctx.me()?;
			grid::twin_of(&at, &me)
				.await?
				.ok_or_else(|| CliError::NotFound(format!("{me} has no twin")))?
		},
	};
	// Agreements are kept by id; a twin's are found by reading them all (the chain keeps no
	// index by twin).
	let contracts: Vec<(u64, ContractRecord)> =
		grid::all(&at, runtime::storage().smart_contract().contracts())
			.await?
			.into_iter()
			.filter(|(_, contract)| contract.twin_id == twin)
			.collect();
	let mut text = format!("twin {twin}: {} agreement(s)\n", contracts.len());
	let mut list = Vec::new();
	for (id, contract) in &contracts {
		let (state, state_json) = state_of(ctx, &at, &contract.state).await?;
		text.push_str(&format!("  {id:>6}  node {:<5} {state}\n", contract.node_id));
		let mut entry =
			json!({ "agreement": id, "node": contract.node_id, "farm": contract.farm_id });
		merge(&mut entry, state_json);
		list.push(entry);
	}
	Ok(Report::new(text, json!({ "twin": twin, "block": at.block_number(), "agreements": list })))
}

async fn follow(ctx: &Context, id: u64, timeout: u64) -> Result<Report, CliError> {
	let at = ctx.at().await?;
	let first = fetch(&at, runtime::storage().smart_contract().contracts(), (id,))
		.await?
		.ok_or_else(|| no_agreement(id))?;
	let shown = state_of(ctx, &at, &first.state).await?.0;
	if !ctx.quiet() {
		eprintln!("#{}: {shown}", at.block_number());
	}
	if matches!(first.state, ContractState::Deployed) {
		return followed(id, at.block_number(), "deployed", shown);
	}
	let mut last = (first.state, shown);
	let start = at.block_number();
	let watching = async {
		let client = &ctx.conn.client;
		let mut blocks = match ctx.wait() {
			Wait::InBlock => client.stream_best_blocks().await,
			Wait::Finalized => client.stream_blocks().await,
		}
		.map_err(CliError::read)?;
		loop {
			let block = blocks
				.next()
				.await
				.ok_or_else(|| CliError::Read("the node stopped sending blocks".into()))?
				.map_err(CliError::read)?;
			// The stream may start at a block before the one read above.
			if block.number() < start {
				continue;
			}
			let at = block.at().await.map_err(CliError::read)?;
			let Some(contract) =
				fetch(&at, runtime::storage().smart_contract().contracts(), (id,)).await?
			else {
				return ended(id, &at).await;
			};
			// States compared as values: a grace period's text carries an estimated date.
			if contract.state != last.0 {
				let shown = state_of(ctx, &at, &contract.state).await?.0;
				if !ctx.quiet() {
					eprintln!("#{}: {shown}", block.number());
				}
				last = (contract.state, shown);
			}
			if matches!(last.0, ContractState::Deployed) {
				return followed(id, block.number(), "deployed", last.1.clone());
			}
		}
	};
	match tokio::time::timeout(std::time::Duration::from_secs(timeout), watching).await {
		Ok(outcome) => outcome,
		Err(_) => Err(CliError::Timeout(format!(
			"agreement {id} was still \"{}\" after {timeout} s",
			last.1
		))),
	}
}

fn followed(id: u64, block: u64, outcome: &str, state: String) -> Result<Report, CliError> {
	Ok(Report::new(
		format!("agreement {id} {outcome} at #{block}: {state}"),
		json!({ "agreement": id, "outcome": outcome, "block": block }),
	))
}

/// The agreement is gone at `at`: its block's events tell whether it was deleted or failed.
async fn ended(id: u64, at: &AtBlock) -> Result<Report, CliError> {
	let events = at.events().fetch().await.map_err(CliError::read)?;
	for event in events.find::<runtime::smart_contract::events::ContractFailed>() {
		let event = event.map_err(CliError::read)?;
		if event.contract_id == id {
			let reason = format::text(&event.reason.0);
			return Ok(Report::new(
				format!(
					"agreement {id} failed at #{}: {reason}; {} refunded",
					at.block_number(),
					format::tft(event.refunded)
				),
				json!({ "agreement": id, "outcome": "failed", "block": at.block_number(), "reason": reason, "refunded": format::tft_json(event.refunded) }),
			));
		}
	}
	let deleted = events
		.find::<runtime::smart_contract::events::ContractDeleted>()
		.any(|event| event.is_ok_and(|event| event.contract_id == id));
	if deleted {
		followed(id, at.block_number(), "deleted", "its workloads are removed from the node".into())
	} else {
		// Gone in a block this did not see (a best-block stream may skip one).
		followed(id, at.block_number(), "gone", "no longer on chain".into())
	}
}

/// `fields`' keys and values added to the object `into` (the state's `state`, `cause`,
/// `endsAt` next to the agreement's other fields).
fn merge(into: &mut Value, fields: Value) {
	if let (Some(into), Value::Object(fields)) = (into.as_object_mut(), fields) {
		into.extend(fields);
	}
}

fn no_agreement(id: u64) -> CliError {
	CliError::NotFound(format!("no agreement {id} (never made, or ended and deleted)"))
}
