//! Guardian circles: make one, propose calls to it, vote, execute, withdraw, see a circle and
//! the proposals that await the signing key's vote.

use crate::{
	context::{AtBlock, Context, Report},
	error::CliError,
	format,
	grid::{self, bounded, fetch, find_event},
};
use codec::DecodeLimit;
use gridchain_client::{
	runtime::{
		self,
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec,
			gridchain_runtime::RuntimeCall,
			pallet_guardian::types::{DispatchAs, KeyKind, Proposal},
		},
	},
	subxt::{ext::scale_value, Metadata},
};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// The longest `--file` read: the hex of a call many times longer than a proposal carries.
const MAX_CALL_FILE_BYTES: u64 = 64 * 1024;

/// How deep a call may nest when it is decoded here (as deep as the pallet decodes it).
const CALL_DECODE_DEPTH: u32 = 64;

/// How much of a call's arguments a list of proposals shows (the JSON has them all).
const ARGS_SHOWN: usize = 160;

/// As whom an approved proposal's call is dispatched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DispatchArg {
	/// With the circle's own origin: the powers the runtime gives circles, its own membership.
	Circle,
	/// Signed by the circle's treasury account: payments from the treasury.
	Treasury,
	/// As root: the runtime's governance; only the council's proposals.
	Root,
}

impl From<DispatchArg> for DispatchAs {
	fn from(dispatch_as: DispatchArg) -> Self {
		match dispatch_as {
			DispatchArg::Circle => DispatchAs::Circle,
			DispatchArg::Treasury => DispatchAs::Treasury,
			DispatchArg::Root => DispatchAs::Root,
		}
	}
}

/// A vote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Ballot {
	/// For the call.
	Aye,
	/// Against it.
	Nay,
}

#[derive(clap::Subcommand, Debug)]
pub enum CircleCommand {
	/// Makes a circle; the signing key's account holds its deposit until the circle dissolves
	/// (it need not be a member).
	Create {
		/// What the circle calls itself (not unique).
		name: String,
		/// A member's account (SS58 or 0x hex); repeat for each.
		#[arg(long = "member", required = true, value_name = "ACCOUNT")]
		members: Vec<String>,
		/// How many ayes approve a proposal: 1 to the number of members.
		#[arg(long)]
		threshold: u32,
		/// How long a proposal stays open for votes, in blocks (6 s each).
		#[arg(long, value_name = "BLOCKS")]
		voting_period: u32,
		/// How long an approved proposal waits before it executes, in blocks (0: the next
		/// block).
		#[arg(long, value_name = "BLOCKS", default_value = "0")]
		execution_delay: u32,
	},
	/// Proposes a call to a circle of the signing key's, with its aye; holds a deposit (more
	/// for a longer call) until the proposal ends.
	///
	/// Name the call as PALLET.CALL (`registry.set_price_bounds`, `Balances.transferKeepAlive`)
	/// and give one argument per field of the call, in scale-value syntax: numbers (`42`; a
	/// balance given as a plain number is in units, 10^-7 TFT), amounts (`12.5TFT`), accounts (`5Grw…`, or `Id(5Grw…)` where an address is expected),
	/// bytes (`0x…`), `true`, strings (`"text"`), variants (`Some(3)`, `None()`), structs
	/// (`{ min: 1TFT, max: 9TFT }`) and tuples (`(1, 2)`); quote for the shell what has
	/// spaces. Or give the encoded call data with --file, as polkadot.js Apps shows it.
	Propose {
		/// The circle's id.
		circle: u32,
		/// The call: `pallet.call`, in any case, the call in snake_case or camelCase.
		#[arg(value_name = "PALLET.CALL", required_unless_present = "file")]
		call: Option<String>,
		/// The call's arguments, one per field, in scale-value syntax.
		#[arg(value_name = "ARGS")]
		args: Vec<String>,
		/// A file holding the encoded call data as 0x hex (polkadot.js Apps: Developer →
		/// Extrinsics, "encoded call data").
		#[arg(long, value_name = "PATH", conflicts_with_all = ["call", "args"])]
		file: Option<PathBuf>,
		/// As whom the call is dispatched once approved.
		#[arg(long = "as", value_enum, default_value = "circle")]
		dispatch_as: DispatchArg,
	},
	/// The open proposals awaiting an account's vote, in every circle where it is a member.
	Pending {
		/// The account (SS58 or 0x hex); the signing key's account if left out.
		account: Option<String>,
	},
	/// Votes on a proposal, or changes one's vote, until it is approved or its voting ends.
	Vote {
		/// The circle's id.
		circle: u32,
		/// The proposal's index in its circle.
		proposal: u32,
		/// For or against the call.
		#[arg(value_enum)]
		vote: Ballot,
	},
	/// Executes an approved proposal whose delay has passed, before the chain does (anyone
	/// may; needed when its approval found every agenda full).
	Execute {
		/// The circle's id.
		circle: u32,
		/// The proposal's index in its circle.
		proposal: u32,
	},
	/// Withdraws a proposal of the signing key's that is not approved yet; its deposit comes
	/// back.
	WithdrawProposal {
		/// The circle's id.
		circle: u32,
		/// The proposal's index in its circle.
		proposal: u32,
	},
	/// A circle: members and their keys on other chains, threshold, periods, roles, treasury
	/// and open proposals.
	Show {
		/// The circle's id.
		circle: u32,
	},
}

pub async fn run(ctx: &Context, command: CircleCommand) -> Result<Report, CliError> {
	match command {
		CircleCommand::Create { name, members, threshold, voting_period, execution_delay } => {
			create(ctx, name, &members, threshold, voting_period, execution_delay).await
		},
		CircleCommand::Propose { circle, call, args, file, dispatch_as } => {
			propose(ctx, circle, call.as_deref(), &args, file.as_deref(), dispatch_as).await
		},
		CircleCommand::Pending { account } => pending(ctx, account).await,
		CircleCommand::Vote { circle, proposal, vote: ballot } => {
			vote(ctx, circle, proposal, ballot).await
		},
		CircleCommand::Execute { circle, proposal } => execute(ctx, circle, proposal).await,
		CircleCommand::WithdrawProposal { circle, proposal } => {
			let call = runtime::tx().guardian().withdraw_proposal(circle, proposal);
			let landed = ctx.submit(&call).await?;
			let event = find_event::<runtime::guardian::events::Rejected>(&landed.included)?;
			Ok(Report::new(
				format!(
					"proposal {proposal} of circle {circle} withdrawn in block {}: its deposit \
					 is returned",
					landed.text
				),
				json!({
					"circle": circle,
					"proposal": proposal,
					"reason": format!("{:?}", event.reason),
					"in": landed.json,
				}),
			))
		},
		CircleCommand::Show { circle } => show(ctx, circle).await,
	}
}

async fn create(
	ctx: &Context,
	name: String,
	members: &[String],
	threshold: u32,
	voting_period: u32,
	execution_delay: u32,
) -> Result<Report, CliError> {
	let accounts = members
		.iter()
		.map(|member| format::parse_account(member))
		.collect::<Result<Vec<_>, _>>()?;
	let call = runtime::tx().guardian().create_circle(
		bounded(name.as_bytes()),
		BoundedVec(accounts),
		threshold,
		voting_period,
		execution_delay,
	);
	let landed = ctx.submit(&call).await?;
	let event = find_event::<runtime::guardian::events::CircleCreated>(&landed.included)?;
	Ok(Report::new(
		format!(
			"circle {} ({name}) created in block {}\n  treasury         {}\n  members          \
			 {}, {} ayes approve\n  voting period    {}\n  execution delay  {}",
			event.circle_id,
			landed.text,
			event.treasury,
			event.member_count,
			event.threshold,
			blocks_text(voting_period),
			blocks_text(execution_delay),
		),
		json!({
			"circle": event.circle_id,
			"name": name,
			"treasury": event.treasury.to_string(),
			"members": event.member_count,
			"threshold": event.threshold,
			"votingPeriod": voting_period,
			"executionDelay": execution_delay,
			"in": landed.json,
		}),
	))
}

async fn propose(
	ctx: &Context,
	circle: u32,
	target: Option<&str>,
	args: &[String],
	file: Option<&Path>,
	dispatch_as: DispatchArg,
) -> Result<Report, CliError> {
	let at = ctx.at().await?;
	let encoded = match (file, target) {
		(Some(path), _) => read_call_file(path)?,
		(None, Some(target)) => encode_named_call(&at, target, args)?,
		(None, None) => {
			return Err(CliError::Input(
				"give the call as PALLET.CALL [ARGS...] or with --file PATH".into(),
			))
		},
	};
	// The chain owns the bounds (`Guardian::CallTooLong`) and the deposit's formula; the
	// deposit is read back from the proposal.
	let (call, shown) = read_call(&at, &encoded).map_err(CliError::Input)?;
	let dispatch = dispatch_name(&DispatchAs::from(dispatch_as));
	if !ctx.quiet() {
		eprintln!(
			"proposing {} as {dispatch} ({} bytes): {}",
			shown.name,
			encoded.len(),
			shown.args.as_deref().unwrap_or("")
		);
	}
	let landed =
		ctx.submit(&runtime::tx().guardian().propose(circle, call, dispatch_as.into())).await?;
	let proposed = find_event::<runtime::guardian::events::Proposed>(&landed.included)?;
	let approved = grid::maybe_event::<runtime::guardian::events::Approved>(&landed.included);
	let (ends, ends_json) = ctx.when(proposed.end).await;
	let deposit = match ctx.at_landed(&landed).await {
		Some(at) => fetch(&at, runtime::storage().guardian().proposals(), (circle, proposed.index))
			.await
			.ok()
			.flatten()
			.map(|proposal| proposal.deposit),
		None => None,
	};
	let mut text = format!(
		"proposal {} of circle {circle} made in block {}: {} as {dispatch}\n",
		proposed.index, landed.text, shown.name,
	);
	if let Some(deposit) = deposit {
		text.push_str(&format!("  holds {} until it ends\n", format::tft(deposit)));
	}
	let mut json = json!({
		"circle": circle,
		"proposal": proposed.index,
		"call": shown.name,
		"args": shown.args,
		"callData": format::hex0x(&encoded),
		"dispatchAs": dispatch,
		"deposit": deposit.map(format::tft_json),
		"votingEnds": ends_json,
		"approved": approved.is_some(),
		"executesAt": Value::Null,
		"onAgenda": Value::Null,
		"in": landed.json,
	});
	match &approved {
		Some(approved) => {
			let (approval, approval_json) =
				approval_text(ctx, circle, proposed.index, approved).await;
			text.push_str(&format!("  {approval} (a threshold of 1)"));
			json["executesAt"] = approval_json["executesAt"].clone();
			json["onAgenda"] = approval_json["onAgenda"].clone();
		},
		None => text.push_str(&format!("  voting until {ends}")),
	}
	Ok(Report::new(text, json))
}

/// The approval of a proposal for people, and its JSON.
async fn approval_text(
	ctx: &Context,
	circle: u32,
	index: u32,
	approved: &runtime::guardian::events::Approved,
) -> (String, Value) {
	let (when, when_json) = ctx.when(approved.executes_at).await;
	let mut text = format!("approved: executes at {when}");
	if !approved.on_agenda {
		text.push_str(&format!(
			"; every agenda near it is full, so it waits for `gridchain circle execute {circle} \
			 {index}` from then"
		));
	}
	(text, json!({ "executesAt": when_json, "onAgenda": approved.on_agenda }))
}

async fn vote(
	ctx: &Context,
	circle: u32,
	proposal: u32,
	ballot: Ballot,
) -> Result<Report, CliError> {
	let aye = ballot == Ballot::Aye;
	let landed = ctx.submit(&runtime::tx().guardian().vote(circle, proposal, aye)).await?;
	let voted = find_event::<runtime::guardian::events::Voted>(&landed.included)?;
	let events = &landed.included.events;
	let approved = events.find_first::<runtime::guardian::events::Approved>().and_then(Result::ok);
	let rejected = events.find_first::<runtime::guardian::events::Rejected>().and_then(Result::ok);
	let threshold = match ctx.at_landed(&landed).await {
		Some(at) => fetch(&at, runtime::storage().guardian().circles(), (circle,))
			.await
			.ok()
			.flatten()
			.map(|record| record.threshold),
		None => None,
	};
	let word = if aye { "aye" } else { "nay" };
	let mut text = format!(
		"voted {word} on proposal {proposal} of circle {circle} in block {}: {} ayes, {} nays{}",
		landed.text,
		voted.ayes,
		voted.nays,
		threshold.map(|threshold| format!(" of {threshold}")).unwrap_or_default()
	);
	let mut json = json!({
		"circle": circle,
		"proposal": proposal,
		"vote": word,
		"ayes": voted.ayes,
		"nays": voted.nays,
		"threshold": threshold,
		"outcome": "open",
		"in": landed.json,
	});
	if let Some(approved) = &approved {
		let (approval, approval_json) = approval_text(ctx, circle, proposal, approved).await;
		text.push_str(&format!("\n{approval}"));
		json["outcome"] = json!("approved");
		json["executesAt"] = approval_json["executesAt"].clone();
		json["onAgenda"] = approval_json["onAgenda"].clone();
	}
	if let Some(rejected) = &rejected {
		text.push_str(&format!(
			"\nrejected ({:?}): the ayes can no longer reach the threshold; the proposer's \
			 deposit is returned",
			rejected.reason
		));
		json["outcome"] = json!("rejected");
		json["reason"] = json!(format!("{:?}", rejected.reason));
	}
	Ok(Report::new(text, json))
}

async fn execute(ctx: &Context, circle: u32, proposal: u32) -> Result<Report, CliError> {
	let at = ctx.at().await?;
	let record = fetch(&at, runtime::storage().guardian().proposals(), (circle, proposal))
		.await?
		.ok_or_else(|| no_proposal(circle, proposal))?;
	// The chain says whether it is approved and due (`Guardian::NotApproved`, ...).
	// The call's weight as measured when it was proposed: the bound the pallet asks for.
	let call = runtime::tx().guardian().execute(circle, proposal, record.call_weight);
	let landed = ctx.submit(&call).await?;
	let event = find_event::<runtime::guardian::events::Executed>(&landed.included)?;
	// The proposal ended either way; a call that failed is the command's failure (exit 1).
	if let Err(error) = &event.result {
		return Err(CliError::dispatch(&at, error));
	}
	Ok(Report::new(
		format!(
			"proposal {proposal} of circle {circle} executed in block {}: its call succeeded",
			landed.text,
		),
		json!({ "circle": circle, "proposal": proposal, "in": landed.json }),
	))
}

async fn pending(ctx: &Context, account: Option<String>) -> Result<Report, CliError> {
	let who = ctx.account_or_me(account.as_deref())?;
	let at = ctx.at().await?;
	let now = at.block_number();
	let storage = runtime::storage().guardian();
	let circles = grid::all(&at, storage.circles()).await?;
	let mut text = String::new();
	let mut list = Vec::new();
	for (circle_id, circle) in &circles {
		if circle.open_proposals == 0 {
			continue;
		}
		let Some(member) = fetch(&at, storage.members(), (*circle_id, who)).await? else {
			continue;
		};
		let seat = seat_bit(member.slot);
		let mut header = false;
		for (index, proposal) in open_proposals(&at, *circle_id).await? {
			let voted = (proposal.ayes | proposal.nays) & seat != 0;
			// Approved proposals take no more votes; one whose last voting block is passed
			// takes none either.
			if voted || proposal.executes_at.is_some() || u64::from(proposal.end) <= now {
				continue;
			}
			if !header {
				text.push_str(&format!("circle {circle_id} ({})\n", format::text(&circle.name.0)));
				header = true;
			}
			let (entry, mut entry_json) =
				proposal_entry(ctx, &at, *circle_id, index, &proposal, circle.threshold).await?;
			text.push_str(&entry);
			entry_json["circleName"] = json!(format::text(&circle.name.0));
			list.push(entry_json);
		}
	}
	let text = if list.is_empty() {
		format!("no proposal awaits {who}'s vote")
	} else {
		format!(
			"{} proposal(s) await {who}'s vote\n{text}vote with `gridchain circle vote CIRCLE \
			 PROPOSAL aye|nay`",
			list.len()
		)
	};
	Ok(Report::new(text, json!({ "account": who.to_string(), "block": now, "proposals": list })))
}

async fn show(ctx: &Context, circle_id: u32) -> Result<Report, CliError> {
	let at = ctx.at().await?;
	let view = at
		.runtime_apis()
		.call(runtime::runtime_apis().guardian_api().circle(circle_id))
		.await
		.map_err(CliError::read)?
		.ok_or_else(|| no_circle(circle_id))?;
	let storage = runtime::storage().guardian();
	let record =
		fetch(&at, storage.circles(), (circle_id,)).await?.ok_or_else(|| no_circle(circle_id))?;
	let roles: Vec<String> = grid::all(&at, storage.roles())
		.await?
		.into_iter()
		.filter(|(_, holder)| *holder == circle_id)
		.map(|(role, _)| format!("{role:?}"))
		.collect();
	let treasury_free = fetch(&at, runtime::storage().system().account(), (view.treasury,))
		.await?
		.map(|info| info.data.free)
		.unwrap_or(0);
	let name = format::text(&view.name);
	let mut text = format!(
		"circle {circle_id} ({name})\n  threshold        {} of {} members\n  voting period    \
		 {}\n  execution delay  {}\n  roles            {}\n  treasury         {} ({} free)\n",
		view.threshold,
		view.members.len(),
		blocks_text(view.voting_period),
		blocks_text(view.execution_delay),
		if roles.is_empty() { "none".to_owned() } else { roles.join(", ") },
		view.treasury,
		format::tft(treasury_free),
	);
	if record.deposit > 0 {
		text.push_str(&format!(
			"  deposit          {} held from {}\n",
			format::tft(record.deposit),
			record.depositor
		));
	}
	text.push_str("  members (seat order)\n");
	let mut members = Vec::new();
	for (account, keys) in &view.members {
		let keys: Vec<(&str, String)> =
			keys.iter().map(|(kind, key)| member_key(kind, key)).collect();
		let shown: Vec<String> = keys.iter().map(|(kind, key)| format!("{kind} {key}")).collect();
		if shown.is_empty() {
			text.push_str(&format!("    {account}\n"));
		} else {
			text.push_str(&format!("    {account}  {}\n", shown.join(", ")));
		}
		members.push(json!({
			"account": account.to_string(),
			"keys": keys
				.iter()
				.map(|(kind, key)| json!({ "kind": kind, "key": key }))
				.collect::<Vec<_>>(),
		}));
	}
	let mut proposals = Vec::new();
	let open = match view.open_proposals {
		0 => Vec::new(),
		_ => open_proposals(&at, circle_id).await?,
	};
	text.push_str(&format!("  open proposals   {}\n", open.len()));
	for (index, proposal) in &open {
		let (entry, entry_json) =
			proposal_entry(ctx, &at, circle_id, *index, proposal, view.threshold).await?;
		text.push_str(&entry);
		proposals.push(entry_json);
	}
	Ok(Report::new(
		text,
		json!({
			"circle": circle_id,
			"block": at.block_number(),
			"name": name,
			"threshold": view.threshold,
			"votingPeriod": view.voting_period,
			"executionDelay": view.execution_delay,
			"roles": roles,
			"treasury": view.treasury.to_string(),
			"treasuryFree": format::tft_json(treasury_free),
			"depositor": record.depositor.to_string(),
			"deposit": format::tft_json(record.deposit),
			"nextProposal": record.next_proposal,
			"members": members,
			"proposals": proposals,
		}),
	))
}

/// A member's key on another chain: what it is for, and the key as that chain writes it.
fn member_key(kind: &KeyKind, key: &[u8; 32]) -> (&'static str, String) {
	match kind {
		KeyKind::StellarEd25519 => {
			("stellar", gridchain_primitives::stellar::account_to_strkey(key))
		},
	}
}

/// A circle's open proposals by index, read under the circle's key only.
async fn open_proposals(at: &AtBlock, circle_id: u32) -> Result<Vec<(u32, Proposal)>, CliError> {
	let mut proposals: Vec<(u32, Proposal)> =
		grid::all_under(at, runtime::storage().guardian().proposals(), (circle_id,))
			.await?
			.into_iter()
			.map(|((_, index), proposal)| (index, proposal))
			.collect();
	proposals.sort_by_key(|(index, _)| *index);
	Ok(proposals)
}

/// An open proposal for people (indented under its circle), and its JSON.
async fn proposal_entry(
	ctx: &Context,
	at: &AtBlock,
	circle_id: u32,
	index: u32,
	proposal: &Proposal,
	threshold: u32,
) -> Result<(String, Value), CliError> {
	let bytes = fetch(at, runtime::storage().guardian().proposal_calls(), (circle_id, index))
		.await?
		.map(|call| call.0)
		.unwrap_or_default();
	let shown = shown_call(at, &bytes);
	let (ayes, nays) = (proposal.ayes.count_ones(), proposal.nays.count_ones());
	let dispatch = dispatch_name(&proposal.dispatch_as);
	let (ends, ends_json) = ctx.block_and_time(at, proposal.end).await?;
	let (state, executes_json) = match proposal.executes_at {
		Some(block) => {
			let (when, when_json) = ctx.block_and_time(at, block).await?;
			(format!("approved: executes at {when}"), when_json)
		},
		None => (format!("voting until {ends}"), Value::Null),
	};
	let mut text =
		format!("    {index:>4}  {} as {dispatch}, by {}\n", shown.name, proposal.proposer);
	if let Some(args) = &shown.args {
		text.push_str(&format!("          {}\n", shorten(args, ARGS_SHOWN)));
	}
	text.push_str(&format!("          {ayes} ayes, {nays} nays of {threshold}; {state}\n"));
	Ok((
		text,
		json!({
			"circle": circle_id,
			"proposal": index,
			"call": shown.name,
			"args": shown.args,
			"callData": format::hex0x(&bytes),
			"dispatchAs": dispatch,
			"proposer": proposal.proposer.to_string(),
			"ayes": ayes,
			"nays": nays,
			"threshold": threshold,
			"approved": proposal.executes_at.is_some(),
			"votingEnds": ends_json,
			"executesAt": executes_json,
			"deposit": format::tft_json(proposal.deposit),
		}),
	))
}

fn dispatch_name(dispatch_as: &DispatchAs) -> &'static str {
	match dispatch_as {
		DispatchAs::Circle => "circle",
		DispatchAs::Treasury => "treasury",
		DispatchAs::Root => "root",
	}
}

/// The bit of a member's seat in a proposal's sets of ayes and nays.
fn seat_bit(slot: u8) -> u128 {
	1u128.checked_shl(u32::from(slot)).unwrap_or(0)
}

fn no_circle(circle: u32) -> CliError {
	CliError::NotFound(format!("no circle {circle}"))
}

fn no_proposal(circle: u32, proposal: u32) -> CliError {
	CliError::NotFound(format!(
		"circle {circle} has no open proposal {proposal} (never made, or ended)"
	))
}

/// A call for people: `Pallet.call_name` and, when it decodes, its arguments.
struct ShownCall {
	name: String,
	args: Option<String>,
}

/// `bytes` as a call of the chain at `at`: decoded with its nesting bounded (into the typed
/// call that `propose` takes), then read against the chain's metadata for its names and
/// arguments.
fn read_call(at: &AtBlock, bytes: &[u8]) -> Result<(RuntimeCall, ShownCall), String> {
	let call = RuntimeCall::decode_all_with_depth_limit(CALL_DECODE_DEPTH, &mut &bytes[..])
		.map_err(|error| format!("not a call of this runtime: {error}"))?;
	let payload = at
		.transactions()
		.from_call_data_bytes(bytes)
		.map_err(|error| format!("not a call of this chain: {error}"))?;
	let shown = ShownCall {
		name: format!("{}.{}", payload.pallet_name(), payload.call_name()),
		args: render(payload.call_data()),
	};
	Ok((call, shown))
}

/// A stored call for people; by its pallet and call indices alone when it does not decode
/// (the runtime changed since it was proposed).
fn shown_call(at: &AtBlock, bytes: &[u8]) -> ShownCall {
	if let Ok((_, shown)) = read_call(at, bytes) {
		return shown;
	}
	let metadata = at.metadata_ref();
	let name = match bytes {
		[pallet_index, call_index, ..] => metadata
			.pallet_by_call_index(*pallet_index)
			.and_then(|pallet| {
				let call = pallet.call_variant_by_index(*call_index)?;
				Some(format!("{}.{} (does not decode)", pallet.name(), call.name))
			})
			.unwrap_or_else(|| {
				format!("an unknown call (pallet {pallet_index}, call {call_index})")
			}),
		_ => "no call".to_owned(),
	};
	ShownCall { name, args: None }
}

/// A call's arguments in scale-value syntax, bytes as 0x hex; `None` if a value cannot be
/// written (256-bit numbers).
fn render(args: &scale_value::Composite<()>) -> Option<String> {
	use scale_value::stringify::{custom_formatters::format_hex, to_writer_custom};
	let value = scale_value::Value::without_context(scale_value::ValueDef::Composite(args.clone()));
	let mut text = String::new();
	to_writer_custom::<(), &mut String>()
		.add_custom_formatter(|value, writer| format_hex(value, writer))
		.write(&value, &mut text)
		.ok()?;
	Some(text)
}

/// At most `max` characters of `text`, `…` marking a cut.
fn shorten(text: &str, max: usize) -> String {
	if text.chars().count() <= max {
		return text.to_owned();
	}
	let mut cut: String = text.chars().take(max).collect();
	cut.push('…');
	cut
}

/// A call's pallet, name and fields as the metadata has them.
struct CallShape {
	pallet: String,
	call: String,
	fields: Vec<Field>,
}

struct Field {
	name: String,
	/// The type as the pallet's source names it (`AccountIdLookupOf<T>`).
	type_name: String,
}

/// `PALLET.CALL` split in two.
fn split_target(target: &str) -> Result<(&str, &str), CliError> {
	match target.trim().split_once('.') {
		Some((pallet, call)) if !pallet.is_empty() && !call.is_empty() && !call.contains('.') => {
			Ok((pallet, call))
		},
		_ => Err(CliError::Input(format!(
			"{target:?}: name the call as PALLET.CALL, e.g. registry.set_price_bounds"
		))),
	}
}

/// A name without case, underscores or dashes: `setPriceBounds` and `set_price_bounds` meet.
fn normalized(name: &str) -> String {
	name.chars().filter(|c| *c != '_' && *c != '-').map(|c| c.to_ascii_lowercase()).collect()
}

/// The one of `names` that `wanted` means: the same name, else the only one equal to it but
/// for case, underscores and dashes. None when no name, or more than one, is meant.
fn pick<'a>(wanted: &str, names: &[&'a str]) -> Option<&'a str> {
	if let Some(exact) = names.iter().copied().find(|name| *name == wanted) {
		return Some(exact);
	}
	let key = normalized(wanted);
	let mut matching = names.iter().copied().filter(|name| normalized(name) == key);
	match (matching.next(), matching.next()) {
		(Some(name), None) => Some(name),
		_ => None,
	}
}

/// The call `target` names (`PALLET.CALL`) in `metadata`, or what exists when it names none.
fn call_shape(metadata: &Metadata, target: &str) -> Result<CallShape, CliError> {
	let (pallet_wanted, call_wanted) = split_target(target)?;
	let with_calls: Vec<&str> = metadata
		.pallets()
		.filter(|pallet| pallet.call_variants().is_some_and(|calls| !calls.is_empty()))
		.map(|pallet| pallet.name())
		.collect();
	let unknown_pallet = || {
		CliError::Input(format!(
			"no pallet {pallet_wanted:?} with calls; the pallets: {}",
			with_calls.join(", ")
		))
	};
	let pallet_name = pick(pallet_wanted, &with_calls).ok_or_else(unknown_pallet)?;
	let pallet = metadata.pallet_by_name(pallet_name).ok_or_else(unknown_pallet)?;
	let variants = pallet.call_variants().unwrap_or_default();
	let calls: Vec<&str> = variants.iter().map(|variant| variant.name.as_str()).collect();
	let unknown_call = || {
		CliError::Input(format!(
			"{pallet_name} has no call {call_wanted:?}; its calls: {}",
			calls.join(", ")
		))
	};
	let call_name = pick(call_wanted, &calls).ok_or_else(unknown_call)?;
	let variant =
		variants.iter().find(|variant| variant.name == call_name).ok_or_else(unknown_call)?;
	Ok(CallShape {
		pallet: pallet_name.to_owned(),
		call: call_name.to_owned(),
		fields: variant
			.fields
			.iter()
			.map(|field| Field {
				name: field.name.clone().unwrap_or_default(),
				type_name: field.type_name.clone().unwrap_or_default(),
			})
			.collect(),
	})
}

/// A call's fields for people: `dest: AccountIdLookupOf<T>, value: T::Balance`.
fn fields_text(shape: &CallShape) -> String {
	shape
		.fields
		.iter()
		.map(|field| match field.type_name.as_str() {
			"" => field.name.clone(),
			type_name => format!("{}: {type_name}", field.name),
		})
		.collect::<Vec<_>>()
		.join(", ")
}

/// That `given` arguments are one per field of the call.
fn check_arity(shape: &CallShape, given: usize) -> Result<(), CliError> {
	let expected = shape.fields.len();
	if expected == given {
		return Ok(());
	}
	let takes = match expected {
		0 => "no argument".to_owned(),
		1 => format!("1 argument ({})", fields_text(shape)),
		n => format!("{n} arguments ({})", fields_text(shape)),
	};
	Err(CliError::Input(format!("{}.{} takes {takes}; {given} given", shape.pallet, shape.call)))
}

/// The call data of `target` (`PALLET.CALL`) with `args`, encoded against the chain's
/// metadata.
fn encode_named_call(at: &AtBlock, target: &str, args: &[String]) -> Result<Vec<u8>, CliError> {
	let shape = call_shape(at.metadata_ref(), target)?;
	check_arity(&shape, args.len())?;
	let mut values = Vec::with_capacity(args.len());
	for (arg, field) in args.iter().zip(&shape.fields) {
		values.push(parse_arg(arg).map_err(|why| {
			CliError::Input(format!(
				"{}.{}: the argument {arg:?} for {} is not a value: {why}",
				shape.pallet, shape.call, field.name
			))
		})?);
	}
	let payload =
		gridchain_client::subxt::dynamic::tx(shape.pallet.as_str(), shape.call.as_str(), values);
	at.transactions().call_data(&payload).map_err(|error| {
		let address = shape
			.fields
			.iter()
			.any(|field| field.type_name.contains("Lookup") || field.type_name.contains("Address"));
		CliError::Input(format!(
			"{}.{}: the arguments do not fit its fields ({}): {error}{}",
			shape.pallet,
			shape.call,
			fields_text(&shape),
			if address { "; an address is written Id(5Grw…)" } else { "" }
		))
	})
}

/// One argument in scale-value syntax, with TFT amounts (`12.5TFT`, in units), SS58 accounts
/// and 0x hex bytes besides.
fn parse_arg(text: &str) -> Result<scale_value::Value, String> {
	use scale_value::stringify::{custom_parsers, from_str_custom};
	let parser = from_str_custom()
		.add_custom_parser(parse_tft_value)
		.add_custom_parser(custom_parsers::parse_hex)
		.add_custom_parser(custom_parsers::parse_ss58);
	let (value, rest) = parser.parse(text.trim());
	let value = value.map_err(|error| error.to_string())?;
	if !rest.trim().is_empty() {
		return Err(format!("{rest:?} after the value"));
	}
	Ok(value)
}

/// A scale-value parser of TFT amounts: `12.5TFT` is 125000000 units.
fn parse_tft_value(
	input: &mut &str,
) -> Option<Result<scale_value::Value, scale_value::stringify::ParseError>> {
	use gridchain_primitives::token::SYMBOL;
	use scale_value::stringify::{ParseError, ParseErrorKind};
	let text: &str = input;
	let digits = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
	if digits == 0 {
		return None;
	}
	let after = text[digits..].strip_prefix(SYMBOL)?;
	if after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
		return None;
	}
	match format::parse_tft(&text[..digits]) {
		Ok(units) => {
			*input = after;
			Some(Ok(scale_value::Value::u128(units)))
		},
		Err(error) => Some(Err(ParseError::new_between(
			ParseErrorKind::custom(error),
			0,
			digits + SYMBOL.len(),
		))),
	}
}

/// The encoded call data in a file of 0x hex, read no further than [`MAX_CALL_FILE_BYTES`].
fn read_call_file(path: &Path) -> Result<Vec<u8>, CliError> {
	let text =
		format::read_bounded(path, MAX_CALL_FILE_BYTES, "a call's hex").map_err(CliError::Input)?;
	parse_call_hex(&text).map_err(|why| CliError::Input(format!("{}: {why}", path.display())))
}

/// Call data from 0x hex (the `0x` optional, whitespace around it ignored).
fn parse_call_hex(text: &str) -> Result<Vec<u8>, String> {
	let bytes = format::parse_hex(text)?;
	if bytes.is_empty() {
		return Err("empty; expected the encoded call data as 0x hex".into());
	}
	if bytes.len() < 2 {
		return Err("too short for a call (a pallet index and a call index at least)".into());
	}
	Ok(bytes)
}

/// Blocks for people, with the time they take: `100 blocks (10m)`.
fn blocks_text(blocks: u32) -> String {
	if blocks == 0 {
		return "0 blocks".to_owned();
	}
	let millis = u64::from(blocks).saturating_mul(gridchain_primitives::time::MILLISECS_PER_BLOCK);
	let unit = if blocks == 1 { "block" } else { "blocks" };
	format!("{blocks} {unit} ({})", duration(millis / 1000))
}

/// Seconds for people: `1d 2h`, `10m`, `1h 1m 30s`.
fn duration(seconds: u64) -> String {
	let parts = [
		(seconds / 86_400, "d"),
		(seconds % 86_400 / 3_600, "h"),
		(seconds % 3_600 / 60, "m"),
		(seconds % 60, "s"),
	];
	let shown: Vec<String> = parts
		.iter()
		.filter(|(count, _)| *count > 0)
		.map(|(count, unit)| format!("{count}{unit}"))
		.collect();
	if shown.is_empty() {
		"0s".to_owned()
	} else {
		shown.join(" ")
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use scale_value::Value as ScaleValue;

	const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

	#[test]
	fn names_match_in_any_case_and_either_style() {
		let pallets = ["System", "Registry", "TftBridge"];
		assert_eq!(pick("registry", &pallets), Some("Registry"));
		assert_eq!(pick("Registry", &pallets), Some("Registry"));
		assert_eq!(pick("tftBridge", &pallets), Some("TftBridge"));
		assert_eq!(pick("tft_bridge", &pallets), Some("TftBridge"));
		assert_eq!(pick("Guardian", &pallets), None);
		let calls = ["set_price_bounds", "set_pricing_policy", "register_twin"];
		assert_eq!(pick("setPriceBounds", &calls), Some("set_price_bounds"));
		assert_eq!(pick("set_price_bounds", &calls), Some("set_price_bounds"));
		assert_eq!(pick("SetPriceBounds", &calls), Some("set_price_bounds"));
		assert_eq!(pick("set-price-bounds", &calls), Some("set_price_bounds"));
		assert_eq!(pick("setPrice", &calls), None);
	}

	#[test]
	fn an_ambiguous_name_matches_only_exactly() {
		let calls = ["set_ab", "seta_b"];
		assert_eq!(pick("setAb", &calls), None);
		assert_eq!(pick("seta_b", &calls), Some("seta_b"));
	}

	#[test]
	fn a_call_is_named_pallet_dot_call() {
		assert_eq!(
			split_target("registry.set_price_bounds").unwrap(),
			("registry", "set_price_bounds")
		);
		assert_eq!(split_target(" Balances.transferKeepAlive ").unwrap().1, "transferKeepAlive");
		for bad in ["registry", ".call", "registry.", "a.b.c", ""] {
			assert!(matches!(split_target(bad), Err(CliError::Input(_))), "{bad}");
		}
	}

	fn transfer() -> CallShape {
		CallShape {
			pallet: "Balances".into(),
			call: "transfer_keep_alive".into(),
			fields: vec![
				Field { name: "dest".into(), type_name: "AccountIdLookupOf<T>".into() },
				Field { name: "value".into(), type_name: "T::Balance".into() },
			],
		}
	}

	#[test]
	fn a_wrong_number_of_arguments_names_the_fields() {
		assert!(check_arity(&transfer(), 2).is_ok());
		let Err(CliError::Input(message)) = check_arity(&transfer(), 1) else {
			panic!("one argument for two fields was accepted");
		};
		assert!(message.contains("Balances.transfer_keep_alive"), "{message}");
		assert!(message.contains("2 arguments"), "{message}");
		assert!(message.contains("dest: AccountIdLookupOf<T>, value: T::Balance"), "{message}");
		assert!(message.contains("1 given"), "{message}");
		let remark = CallShape { fields: vec![], ..transfer() };
		assert!(check_arity(&remark, 0).is_ok());
		let Err(CliError::Input(message)) = check_arity(&remark, 1) else {
			panic!("an argument for no field was accepted");
		};
		assert!(message.contains("no argument"), "{message}");
	}

	#[test]
	fn arguments_read_as_scale_values() {
		let alice = format::parse_account(ALICE).unwrap();
		assert_eq!(parse_arg(ALICE).unwrap(), ScaleValue::from_bytes(alice.0));
		assert_eq!(
			parse_arg(&format!("Id({ALICE})")).unwrap(),
			ScaleValue::unnamed_variant("Id", [ScaleValue::from_bytes(alice.0)])
		);
		assert_eq!(parse_arg(" 42 ").unwrap(), ScaleValue::u128(42));
		assert_eq!(parse_arg("12.5TFT").unwrap(), ScaleValue::u128(125_000_000));
		assert_eq!(parse_arg("0x0102").unwrap(), ScaleValue::from_bytes([1u8, 2]));
		assert_eq!(parse_arg("true").unwrap(), ScaleValue::bool(true));
		assert_eq!(parse_arg("None()").unwrap(), ScaleValue::unnamed_variant("None", Vec::new()));
		assert_eq!(
			parse_arg("{ min: 1TFT, max: 2.5TFT }").unwrap(),
			ScaleValue::named_composite([
				("min", ScaleValue::u128(10_000_000)),
				("max", ScaleValue::u128(25_000_000)),
			])
		);
		for bad in ["", "1.00000001TFT", ".TFT", "1 2", "{ min: ", "Some(", "0xzz"] {
			assert!(parse_arg(bad).is_err(), "{bad}");
		}
	}

	#[test]
	fn call_data_reads_as_hex() {
		assert_eq!(parse_call_hex(" 0x0a01ff\n").unwrap(), vec![0x0a, 0x01, 0xff]);
		assert_eq!(parse_call_hex("0A01").unwrap(), vec![0x0a, 0x01]);
		for bad in ["", "0x", "0x0", "0x01", "0xzz00", "hello"] {
			assert!(parse_call_hex(bad).is_err(), "{bad}");
		}
	}

	#[test]
	fn a_call_file_is_read_within_its_bound() {
		use std::io::Write;
		let mut file = tempfile::NamedTempFile::new().unwrap();
		writeln!(file, "0x0001").unwrap();
		assert_eq!(read_call_file(file.path()).unwrap(), vec![0, 1]);
		let mut big = tempfile::NamedTempFile::new().unwrap();
		big.write_all(&vec![b'0'; MAX_CALL_FILE_BYTES as usize + 2]).unwrap();
		assert!(matches!(
			read_call_file(big.path()),
			Err(CliError::Input(message)) if message.contains("longer than 65536 bytes")
		));
		assert!(matches!(
			read_call_file(Path::new("/nonexistent/call.hex")),
			Err(CliError::Input(_))
		));
	}

	#[test]
	fn seats_are_bits() {
		assert_eq!(seat_bit(0), 1);
		assert_eq!(seat_bit(3), 8);
		assert_eq!(seat_bit(127), 1 << 127);
		assert_eq!(seat_bit(200), 0);
	}

	#[test]
	fn periods_show_their_time() {
		assert_eq!(duration(0), "0s");
		assert_eq!(duration(600), "10m");
		assert_eq!(duration(3_690), "1h 1m 30s");
		assert_eq!(duration(86_400), "1d");
		assert_eq!(blocks_text(0), "0 blocks");
		let per_block = gridchain_primitives::time::MILLISECS_PER_BLOCK / 1000;
		assert_eq!(blocks_text(100), format!("100 blocks ({})", duration(100 * per_block)));
		assert!(blocks_text(1).starts_with("1 block ("));
	}

	#[test]
	fn long_arguments_are_cut_on_characters() {
		assert_eq!(shorten("abc", 3), "abc");
		assert_eq!(shorten("abcd", 3), "abc…");
		assert_eq!(shorten("ééé", 2), "éé…");
	}
}
