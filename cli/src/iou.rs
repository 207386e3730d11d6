//! IOUs: what a consumer of a grid service owes the service's provider on a channel of an IOU
//! bridge (a guardian circle), built, signed by both parties, checked and handed in here; and
//! the escrow and the channel an IOU needs first.
//!
//! An IOU goes between the consumer and the provider as a JSON document ([`IouDocument`]): one
//! side builds it (`iou build`), each signs it (`iou sign`), either checks it (`iou verify`) and
//! anyone hands it in (`iou submit`). What is signed is the chain's own encoding
//! ([`Iou::signed_message`]), recomputed from the document's fields every time: the document's
//! `message` is there for other tools and for people, and is never signed blindly.

use crate::{
	context::{AtBlock, Context, Landed, Report},
	error::CliError,
	format,
	grid::{all, fetch, find_event},
};
use codec::{Decode, Encode};
use gridchain_client::{
	runtime::{self, runtime_types::pallet_iou::types::ServiceKind},
	subxt::utils::AccountId32,
};
use gridchain_primitives::{
	iou::{
		price_usage, verify_signature, wrapped_message, CounterPrice, Iou, PricingError, SignedIou,
		Usage, IOU_TAG, MAX_USAGE_COUNTERS,
	},
	AccountId, Hash, Signature,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::{
	ffi::OsStr,
	path::{Path, PathBuf},
};

/// The longest IOU document read: one with 8 counters and both signatures is under 2 KiB.
const MAX_DOCUMENT_BYTES: u64 = 64 * 1024;

type ChannelRecord = runtime::runtime_types::pallet_iou::types::Channel;
type ChainSignedIou = runtime::runtime_types::gridchain_primitives::iou::SignedIou;

/// An IOU as the `iou` commands read and write it: a JSON object with camelCase keys, whose
/// integers are decimal strings (JSON numbers lose precision above 2^53) and whose bytes are
/// `0x` and hex.
///
/// ```json
/// {
///   "protocol": "gridchain/iou/v1",
///   "genesisHash": "0x…",
///   "channel": "7",
///   "sequence": "42",
///   "usage": ["3221225472", "12345"],
///   "amount": "30123450",
///   "message": "0x67726964636861696e2f696f752f7631…",
///   "consumerSignature": {
///     "scheme": "sr25519",
///     "signature": "0x…",
///     "signer": "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
///     "wrapped": false
///   },
///   "providerSignature": null
/// }
/// ```
///
/// - `protocol`: always `gridchain/iou/v1`, the tag the signed bytes start with.
/// - `genesisHash`: the hash of block 0 of the chain the IOU is for; on any other chain its
///   signatures are worthless.
/// - `channel`, `sequence`: the channel's id; the IOU's number, above the channel's newest.
/// - `usage`: cumulative since the channel opened, one counter per price of the channel's
///   service, in the service's order (1 to 8 counters).
/// - `amount`: in units (10^-7 TFT): exactly the usage at the channel's prices, each counter's
///   `used × price / per` rounded down, summed.
/// - `message`: the exact bytes both parties sign (see `primitives/src/iou.rs`); recomputed
///   from the fields above and refused when it differs.
/// - `consumerSignature`, `providerSignature`: `null` until signed. `scheme` is `sr25519`,
///   `ed25519` or `ecdsa`; `signature` its 64 (65 for ecdsa) bytes; `signer` the account that
///   signed (for people; the chain checks the channel's consumer, and the farm's operator or
///   owner); `wrapped` whether it signed `<Bytes>` + message + `</Bytes>`, as wallets do (the
///   chain takes either).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IouDocument {
	pub protocol: String,
	pub genesis_hash: String,
	pub channel: String,
	pub sequence: String,
	pub usage: Vec<String>,
	pub amount: String,
	pub message: String,
	#[serde(default)]
	pub consumer_signature: Option<IouSignature>,
	#[serde(default)]
	pub provider_signature: Option<IouSignature>,
}

/// One party's signature in an [`IouDocument`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IouSignature {
	pub scheme: Scheme,
	pub signature: String,
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub signer: Option<String>,
	#[serde(default)]
	pub wrapped: bool,
}

/// The signature schemes of the chain's accounts (`MultiSignature`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
	Sr25519,
	Ed25519,
	Ecdsa,
}

/// Who signs: the consumer, or the provider (the farm's operator or its owner's account).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
	/// The channel's consumer: signing says it owes the amount.
	Consumer,
	/// The farm that provides the service: its operator or its owner's account.
	Provider,
}

impl Role {
	fn name(self) -> &'static str {
		match self {
			Role::Consumer => "consumer",
			Role::Provider => "provider",
		}
	}

	/// The document's field and the name of its check.
	fn field(self) -> &'static str {
		match self {
			Role::Consumer => "consumerSignature",
			Role::Provider => "providerSignature",
		}
	}
}

/// A kind of grid service, as farms offer them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Service {
	/// Storing data.
	Storage,
	/// Running computations.
	Compute,
	/// Moving data.
	Bandwidth,
	/// Answering requests.
	Requests,
	/// Delivering messages.
	Messaging,
	/// AI inference.
	Inference,
}

impl Service {
	fn kind(self) -> ServiceKind {
		match self {
			Service::Storage => ServiceKind::Storage,
			Service::Compute => ServiceKind::Compute,
			Service::Bandwidth => ServiceKind::Bandwidth,
			Service::Requests => ServiceKind::Requests,
			Service::Messaging => ServiceKind::Messaging,
			Service::Inference => ServiceKind::Inference,
		}
	}
}

fn service_name(kind: &ServiceKind) -> &'static str {
	match kind {
		ServiceKind::Storage => "storage",
		ServiceKind::Compute => "compute",
		ServiceKind::Bandwidth => "bandwidth",
		ServiceKind::Requests => "requests",
		ServiceKind::Messaging => "messaging",
		ServiceKind::Inference => "inference",
	}
}

#[derive(clap::Subcommand, Debug)]
pub enum IouCommand {
	/// Builds an unsigned IOU for a channel as a JSON document, its amount the usage at the
	/// channel's prices (read from the chain).
	Build {
		/// The channel.
		#[arg(long)]
		channel: u64,
		/// Everything used since the channel opened, one counter per price of the channel's
		/// service, in its order (e.g. 3221225472,12345).
		#[arg(long, value_name = "C1,C2,...")]
		usage: String,
		/// What the usage costs, in TFT: worked out from the channel's prices if left out,
		/// refused if it is not exactly that.
		#[arg(long, value_name = "TFT")]
		amount: Option<String>,
		/// Above the channel's newest IOU's; the next one if left out.
		#[arg(long)]
		sequence: Option<u64>,
		/// Where to write the document ("-" or left out: standard output).
		#[arg(long, value_name = "FILE")]
		out: Option<PathBuf>,
	},
	/// Signs an IOU document with the signing key as the channel's consumer or provider, after
	/// checking it against the channel, and writes it back.
	Sign {
		/// The IOU document ("-": standard input).
		file: PathBuf,
		/// As whom: the key must be the channel's consumer, or the farm's operator or owner.
		#[arg(long = "as", value_enum, value_name = "ROLE")]
		role: Role,
		/// Sign `<Bytes>` + message + `</Bytes>`, as browser wallets do (the chain takes both).
		#[arg(long)]
		wrapped: bool,
		/// Where to write the signed document ("-": standard output); FILE itself if left out.
		#[arg(long, value_name = "FILE")]
		out: Option<PathBuf>,
	},
	/// Checks an IOU document against the chain: its chain, its message, the channel, the amount
	/// at the channel's prices, that it is newer than the channel's newest, and the signatures
	/// it has. Fails (exit code 2) if anything does not hold.
	Verify {
		/// The IOU document ("-": standard input).
		file: PathBuf,
		/// Also fail when a signature is missing.
		#[arg(long)]
		complete: bool,
	},
	/// Hands fully signed IOUs to the chain in one batch (the newest per channel; those no newer
	/// than their channel's newest are left out). Each is checked first: one bad IOU would
	/// refuse the whole batch.
	Submit {
		/// The IOU documents.
		#[arg(required = true, value_name = "FILE")]
		files: Vec<PathBuf>,
	},
	/// A channel: its parties, prices, newest IOU, what was paid and what is asked.
	Channel { channel: u64 },
	/// An account's escrow and reputation with IOU bridges (the signing key's if left out).
	Reputation {
		/// The consumer (SS58 or 0x hex).
		consumer: Option<String>,
		/// Only this bridge (its circle's id); every bridge it has an account with if left out.
		#[arg(long, value_name = "CIRCLE")]
		bridge: Option<u32>,
	},
	/// Parks TFT with a bridge as escrow (held on the signing key's account, which must be a
	/// twin's); settlements of its channels take from it.
	Deposit {
		/// The bridge's circle.
		bridge: u32,
		/// TFT to hold.
		amount: String,
	},
	/// Opens a channel with a farm's service through a bridge, at the service's prices now
	/// (holds a small channel deposit until it closes).
	OpenChannel {
		/// The bridge's circle (the signing key needs escrow with it).
		bridge: u32,
		/// The farm.
		farm: u32,
		/// Which of the farm's services.
		#[arg(value_enum)]
		service: Service,
	},
	/// Closes a channel: at once by the provider; by the consumer after the bridge's
	/// withdrawal delay as notice, with a second call once everything is paid.
	CloseChannel { channel: u64 },
	/// Pays a channel's payment request from the signing key's free balance.
	PayRequest { channel: u64 },
	/// Asks for escrow back from a bridge; it can leave after the bridge's withdrawal delay.
	RequestWithdrawal {
		/// The bridge's circle.
		bridge: u32,
		/// TFT to take back.
		amount: String,
	},
	/// Takes back the escrow asked for, once the withdrawal delay has passed.
	Withdraw {
		/// The bridge's circle.
		bridge: u32,
	},
}

pub async fn run(ctx: &Context, command: IouCommand) -> Result<Report, CliError> {
	match command {
		IouCommand::Build { channel, usage, amount, sequence, out } => {
			build(ctx, channel, &usage, amount.as_deref(), sequence, out.as_deref()).await
		},
		IouCommand::Sign { file, role, wrapped, out } => {
			sign(ctx, &file, role, wrapped, out.as_deref()).await
		},
		IouCommand::Verify { file, complete } => verify(ctx, &file, complete).await,
		IouCommand::Submit { files } => submit(ctx, &files).await,
		IouCommand::Channel { channel } => show_channel(ctx, channel).await,
		IouCommand::Reputation { consumer, bridge } => reputation(ctx, consumer, bridge).await,
		IouCommand::Deposit { bridge, amount } => {
			// The chain owns the least deposit (`Iou::DepositTooSmall` and its docs).
			let amount = format::parse_tft(&amount)?;
			let landed = ctx.submit(&runtime::tx().iou().deposit_escrow(bridge, amount)).await?;
			let event = find_event::<runtime::iou::events::EscrowDeposited>(&landed.included)?;
			Ok(escrow_report("parked with", bridge, event.amount, event.escrow, &landed))
		},
		IouCommand::OpenChannel { bridge, farm, service } => {
			let call = runtime::tx().iou().open_channel(bridge, farm, service.kind());
			let landed = ctx.submit(&call).await?;
			let event = find_event::<runtime::iou::events::ChannelOpened>(&landed.included)?;
			let prices = prices_of(&event.prices.0);
			Ok(Report::new(
				format!(
					"channel {} opened in block {} with farm {farm}'s {} service through bridge \
					 {bridge}\n{}\nIOUs for it: `gridchain iou build --channel {} --usage ...`",
					event.channel,
					landed.text,
					service_name(&event.service),
					prices_text(&prices),
					event.channel
				),
				json!({
					"channel": event.channel,
					"bridge": bridge,
					"farm": farm,
					"service": service_name(&event.service),
					"prices": prices_json(&prices),
					"in": landed.json,
				}),
			))
		},
		IouCommand::CloseChannel { channel } => close_channel(ctx, channel).await,
		IouCommand::PayRequest { channel } => {
			let landed = ctx.submit(&runtime::tx().iou().pay_request(channel)).await?;
			let event = find_event::<runtime::iou::events::PaymentRequestPaid>(&landed.included)?;
			Ok(Report::new(
				format!(
					"paid {} asked on channel {channel} in block {} ({} of it the bridge's fee)",
					format::tft(event.amount),
					landed.text,
					format::tft(event.fee)
				),
				json!({
					"channel": channel,
					"amount": format::tft_json(event.amount),
					"fee": format::tft_json(event.fee),
					"in": landed.json,
				}),
			))
		},
		IouCommand::RequestWithdrawal { bridge, amount } => {
			let amount = format::parse_tft(&amount)?;
			let call = runtime::tx().iou().request_withdrawal(bridge, amount);
			let landed = ctx.submit(&call).await?;
			let event = find_event::<runtime::iou::events::WithdrawalRequested>(&landed.included)?;
			let (when, when_json) = ctx.when(event.unlocks_at).await;
			Ok(Report::new(
				format!(
					"asked for {} back from bridge {bridge} in block {}: it can leave from {when} \
					 (`gridchain iou withdraw {bridge}`)",
					format::tft(event.amount),
					landed.text
				),
				json!({
					"bridge": bridge,
					"amount": format::tft_json(event.amount),
					"unlocksAt": when_json,
					"in": landed.json,
				}),
			))
		},
		IouCommand::Withdraw { bridge } => {
			let landed = ctx.submit(&runtime::tx().iou().withdraw_escrow(bridge)).await?;
			let event = find_event::<runtime::iou::events::EscrowWithdrawn>(&landed.included)?;
			Ok(escrow_report("released from", bridge, event.amount, event.escrow, &landed))
		},
	}
}

/// A change of a consumer's escrow with a bridge: `amount` `what` (parked with, released
/// from) bridge `bridge`, `escrow` there now.
fn escrow_report(what: &str, bridge: u32, amount: u128, escrow: u128, landed: &Landed) -> Report {
	Report::new(
		format!(
			"{} {what} bridge {bridge} in block {}: escrow there now {}",
			format::tft(amount),
			landed.text,
			format::tft(escrow)
		),
		json!({
			"bridge": bridge,
			"amount": format::tft_json(amount),
			"escrow": format::tft_json(escrow),
			"in": landed.json,
		}),
	)
}

impl IouDocument {
	/// The unsigned document of `iou` on the chain whose genesis hash is `genesis`.
	pub fn new(genesis: &[u8; 32], iou: &Iou) -> Self {
		IouDocument {
			protocol: protocol(),
			genesis_hash: format::hex0x(genesis),
			channel: iou.channel.to_string(),
			sequence: iou.sequence.to_string(),
			usage: iou.usage.iter().map(ToString::to_string).collect(),
			amount: iou.amount.to_string(),
			message: format::hex0x(&iou.signed_message(&Hash::from(*genesis))),
			consumer_signature: None,
			provider_signature: None,
		}
	}

	/// The IOU its fields say.
	pub fn iou(&self) -> Result<Iou, CliError> {
		if self.protocol.as_bytes() != IOU_TAG {
			return Err(CliError::Input(format!(
				"protocol {:?}: this client reads {:?} IOUs",
				self.protocol,
				protocol()
			)));
		}
		let usage = self
			.usage
			.iter()
			.enumerate()
			.map(|(index, counter)| integer(counter, &format!("usage[{index}]")))
			.collect::<Result<Vec<u64>, _>>()?;
		Ok(Iou {
			channel: integer(&self.channel, "channel")?,
			usage: counters(usage)?,
			amount: integer(&self.amount, "amount")?,
			sequence: integer(&self.sequence, "sequence")?,
		})
	}

	/// The genesis hash of the chain it is for.
	pub fn genesis(&self) -> Result<[u8; 32], CliError> {
		format::parse_hex(&self.genesis_hash)
			.ok()
			.and_then(|bytes| bytes.try_into().ok())
			.ok_or_else(|| {
				CliError::Input(format!(
					"genesisHash {:?}: not 0x and 64 hex digits",
					self.genesis_hash
				))
			})
	}

	/// The bytes both parties sign, recomputed from the fields. A document whose `message`
	/// says otherwise was changed after it was built: refused.
	pub fn message(&self) -> Result<Vec<u8>, CliError> {
		let message = self.iou()?.signed_message(&Hash::from(self.genesis()?));
		if format::parse_hex(&self.message).ok().as_deref() != Some(&message[..]) {
			return Err(CliError::Input(
				"its message is not the encoding of its fields: the document was changed after \
				 it was built (build it again)"
					.into(),
			));
		}
		Ok(message)
	}

	fn signature(&self, role: Role) -> Option<&IouSignature> {
		match role {
			Role::Consumer => self.consumer_signature.as_ref(),
			Role::Provider => self.provider_signature.as_ref(),
		}
	}

	fn set_signature(&mut self, role: Role, signature: IouSignature) {
		match role {
			Role::Consumer => self.consumer_signature = Some(signature),
			Role::Provider => self.provider_signature = Some(signature),
		}
	}

	/// The IOU with both signatures, as the chain takes it.
	pub fn signed(&self) -> Result<SignedIou, CliError> {
		let missing = |role: Role| {
			CliError::Input(format!(
				"not signed by the {} yet (`gridchain iou sign FILE --as {}`)",
				role.name(),
				role.name()
			))
		};
		let consumer = self.consumer_signature.as_ref().ok_or_else(|| missing(Role::Consumer))?;
		let provider = self.provider_signature.as_ref().ok_or_else(|| missing(Role::Provider))?;
		Ok(SignedIou {
			iou: self.iou()?,
			consumer_signature: consumer.multi_signature(Role::Consumer)?,
			provider_signature: provider.multi_signature(Role::Provider)?,
		})
	}
}

impl IouSignature {
	/// The chain's `MultiSignature` of it.
	pub fn multi_signature(&self, role: Role) -> Result<Signature, CliError> {
		let (index, length) = match self.scheme {
			Scheme::Ed25519 => (0u8, 64),
			Scheme::Sr25519 => (1u8, 64),
			Scheme::Ecdsa => (2u8, 65),
		};
		let bad = || {
			CliError::Input(format!(
				"{}.signature: not 0x and {} hex digits (a {:?} signature)",
				role.field(),
				2 * length,
				self.scheme
			))
		};
		let bytes = format::parse_hex(&self.signature).map_err(|_| bad())?;
		if bytes.len() != length {
			return Err(bad());
		}
		let encoded: Vec<u8> = std::iter::once(index).chain(bytes).collect();
		Signature::decode(&mut &encoded[..]).map_err(|_| bad())
	}
}

fn protocol() -> String {
	String::from_utf8_lossy(&IOU_TAG).into_owned()
}

/// A whole number from a decimal string of the document.
fn integer<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, CliError> {
	let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
	digits.then(|| text.parse().ok()).flatten().ok_or_else(|| {
		CliError::Input(format!("{what} {text:?}: not a whole number in range (a decimal string)"))
	})
}

fn counters(usage: Vec<u64>) -> Result<Usage, CliError> {
	let count = usage.len();
	Usage::try_from(usage).map_err(|_| {
		CliError::Input(format!("{count} usage counters: an IOU has at most {MAX_USAGE_COUNTERS}"))
	})
}

/// `--usage`: 1 to 8 whole numbers separated by commas.
fn parse_usage(text: &str) -> Result<Vec<u64>, CliError> {
	let bad = |why: String| CliError::Input(format!("--usage {text:?}: {why}"));
	let usage = text
		.split(',')
		.map(|counter| {
			let counter = counter.trim();
			integer::<u64>(counter, "a counter")
				.map_err(|_| bad(format!("{counter:?} is not a whole number of 64 bits")))
		})
		.collect::<Result<Vec<u64>, _>>()?;
	if usage.len() > MAX_USAGE_COUNTERS as usize {
		return Err(bad(format!("{} counters, at most {MAX_USAGE_COUNTERS}", usage.len())));
	}
	Ok(usage)
}

fn is_stdio(path: &Path) -> bool {
	path.as_os_str() == OsStr::new("-")
}

/// An IOU document from a file ("-": standard input), at most 64 KiB.
fn read_document(path: &Path) -> Result<IouDocument, CliError> {
	let text = format::read_bounded(path, MAX_DOCUMENT_BYTES, "an IOU document")
		.map_err(CliError::Input)?;
	parse_document(&text).map_err(|why| CliError::Input(format!("{}: {why}", path.display())))
}

fn parse_document(text: &str) -> Result<IouDocument, String> {
	serde_json::from_str(text).map_err(|e| format!("not an IOU document: {e}"))
}

fn document_text(document: &IouDocument) -> Result<String, CliError> {
	serde_json::to_string_pretty(document)
		.map(|text| text + "\n")
		.map_err(|e| CliError::Io(format!("the IOU document: {e}")))
}

/// Writes `document` to `path`, replacing the file at once (a reader never sees half of it).
fn write_document(path: &Path, document: &IouDocument) -> Result<(), CliError> {
	let failed = |e: std::io::Error| CliError::Io(format!("{}: {e}", path.display()));
	let name = path
		.file_name()
		.ok_or_else(|| CliError::Input(format!("{}: not a file name", path.display())))?;
	let temporary = path.with_file_name(format!(".{}.tmp", name.to_string_lossy()));
	std::fs::write(&temporary, document_text(document)?).map_err(failed)?;
	std::fs::rename(&temporary, path).map_err(|e| {
		let _ = std::fs::remove_file(&temporary);
		failed(e)
	})
}

/// The document on standard output (`output` None or "-"), or written to a file.
fn emit(
	ctx: &Context,
	document: &IouDocument,
	output: Option<&Path>,
	summary: String,
) -> Result<Report, CliError> {
	let json = serde_json::to_value(document)
		.map_err(|e| CliError::Io(format!("the IOU document: {e}")))?;
	match output.filter(|path| !is_stdio(path)) {
		None => {
			if !ctx.quiet() {
				eprintln!("{summary}");
			}
			Ok(Report::new(document_text(document)?, json))
		},
		Some(path) => {
			write_document(path, document)?;
			Ok(Report::new(
				format!("{summary}\nwritten to {}", path.display()),
				json!({ "file": path.display().to_string(), "iou": json }),
			))
		},
	}
}

fn usage_text(usage: &[u64]) -> String {
	usage.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// `channel 7, sequence 42: 3.0123450 TFT for usage 3221225472, 12345`.
fn iou_text(iou: &Iou) -> String {
	format!(
		"channel {}, sequence {}: {} for usage {}",
		iou.channel,
		iou.sequence,
		format::tft(iou.amount),
		usage_text(&iou.usage)
	)
}

/// The chain's prices (a channel's, an event's) as the pricing code takes them.
fn prices_of(
	prices: &[runtime::runtime_types::gridchain_primitives::iou::CounterPrice],
) -> Vec<CounterPrice> {
	prices.iter().map(|price| CounterPrice { price: price.price, per: price.per }).collect()
}

fn prices_text(prices: &[CounterPrice]) -> String {
	prices
		.iter()
		.enumerate()
		.map(|(index, price)| {
			format!("  counter {}: {} per {} used", index + 1, format::tft(price.price), price.per)
		})
		.collect::<Vec<_>>()
		.join("\n")
}

fn prices_json(prices: &[CounterPrice]) -> Value {
	prices
		.iter()
		.map(
			|price| json!({ "price": format::tft_json(price.price), "per": price.per.to_string() }),
		)
		.collect()
}

/// What `usage` costs at `prices`, or why it cannot be priced.
fn priced(usage: &[u64], prices: &[CounterPrice]) -> Result<u128, String> {
	price_usage(usage, prices).map_err(|error| match error {
		PricingError::CounterCountMismatch => format!(
			"{} usage counters, but the channel's service has {} (UsageCounterMismatch)",
			usage.len(),
			prices.len()
		),
		PricingError::Overflow => {
			"the usage costs more than a balance holds (AmountOverflow)".into()
		},
		PricingError::ZeroUnit => "a price of the channel is for 0 units".into(),
	})
}

fn chain_genesis(ctx: &Context) -> [u8; 32] {
	ctx.conn.client.genesis_hash().0
}

fn no_channel(channel: u64) -> CliError {
	CliError::NotFound(format!("no channel {channel} (never opened, or closed)"))
}

/// The block a transaction sent now lands in at the earliest.
fn next_block(at: &AtBlock) -> u32 {
	u32::try_from(at.block_number()).unwrap_or(u32::MAX).saturating_add(1)
}

/// The accounts whose signature stands for the farm as provider: its operator, then its
/// owner's account (as the chain tries them).
async fn provider_accounts(
	at: &AtBlock,
	farm_id: u32,
) -> Result<Vec<(AccountId32, &'static str)>, CliError> {
	let Some(farm) = fetch(at, runtime::storage().registry().farms(), (farm_id,)).await? else {
		return Ok(Vec::new());
	};
	let mut accounts = Vec::new();
	if let Some(operator) = farm.operator {
		accounts.push((operator, "farm's operator"));
	}
	if let Some(twin) = fetch(at, runtime::storage().registry().twins(), (farm.owner,)).await? {
		accounts.push((twin.account, "farm's owner"));
	}
	Ok(accounts)
}

async fn build(
	ctx: &Context,
	channel_id: u64,
	usage: &str,
	amount: Option<&str>,
	sequence: Option<u64>,
	out: Option<&Path>,
) -> Result<Report, CliError> {
	let usage = parse_usage(usage)?;
	let amount = amount.map(format::parse_tft).transpose()?;
	let at = ctx.at().await?;
	let channel = fetch(&at, runtime::storage().iou().channels(), (channel_id,))
		.await?
		.ok_or_else(|| no_channel(channel_id))?;
	let prices = prices_of(&channel.prices.0);
	let cost = priced(&usage, &prices)
		.map_err(|why| CliError::Input(format!("channel {channel_id}: {why}")))?;
	if let Some(amount) = amount.filter(|amount| *amount != cost) {
		return Err(CliError::Input(format!(
			"--amount {} is not what the usage costs at channel {channel_id}'s prices: {}",
			format::tft(amount),
			format::tft(cost)
		)));
	}
	let sequence = match (sequence, &channel.newest) {
		(Some(sequence), _) => sequence,
		(None, None) => 1,
		(None, Some(newest)) => newest.sequence.checked_add(1).ok_or_else(|| {
			CliError::Input(format!("channel {channel_id} used every sequence number"))
		})?,
	};
	let iou = Iou { channel: channel_id, usage: counters(usage)?, amount: cost, sequence };
	let document = IouDocument::new(&chain_genesis(ctx), &iou);
	// Checked as `verify` checks it (closing channel, sequence, counters going down).
	acceptable(&assess(ctx, &at, &document).await?, "not built")?;
	emit(ctx, &document, out, format!("IOU for {}", iou_text(&iou)))
}

/// Refuses, saying `what` (e.g. "not built"), an IOU the chain would refuse for anything but
/// its signatures.
fn acceptable(assessment: &Assessment, what: &str) -> Result<(), CliError> {
	let lines: Vec<String> = assessment
		.checks
		.iter()
		.filter(|check| !check.is_signature() && check.outcome == Outcome::Fails)
		.map(|check| format!("  {}: {}", check.name, check.detail))
		.collect();
	if lines.is_empty() {
		return Ok(());
	}
	Err(CliError::Input(format!("{what}: the chain would refuse this IOU\n{}", lines.join("\n"))))
}

/// How a check of an IOU came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
	Holds,
	Fails,
	/// A signature not there yet.
	Missing,
}

impl Outcome {
	fn word(self) -> &'static str {
		match self {
			Outcome::Holds => "holds",
			Outcome::Fails => "fails",
			Outcome::Missing => "missing",
		}
	}
}

/// One thing the chain will check of an IOU.
struct Check {
	name: &'static str,
	outcome: Outcome,
	detail: String,
}

impl Check {
	fn new(name: &'static str, outcome: Outcome, detail: impl Into<String>) -> Self {
		Check { name, outcome, detail: detail.into() }
	}

	fn is_signature(&self) -> bool {
		self.name.ends_with("Signature")
	}
}

fn checks_text(checks: &[Check]) -> String {
	checks
		.iter()
		.map(|check| format!("  {:<8} {:<18} {}", check.outcome.word(), check.name, check.detail))
		.collect::<Vec<_>>()
		.join("\n")
}

fn checks_json(checks: &[Check]) -> Value {
	checks
		.iter()
		.map(|check| {
			let outcome = check.outcome.word();
			json!({ "check": check.name, "outcome": outcome, "detail": check.detail })
		})
		.collect()
}

/// An IOU document checked against the chain as `submit_ious` would check it.
struct Assessment {
	iou: Iou,
	/// The bytes signed, from the fields.
	message: Vec<u8>,
	checks: Vec<Check>,
	channel: Option<ChannelRecord>,
	providers: Vec<(AccountId32, &'static str)>,
	/// No newer than the channel's newest: the chain would skip it.
	stale: bool,
}

async fn assess(
	ctx: &Context,
	at: &AtBlock,
	document: &IouDocument,
) -> Result<Assessment, CliError> {
	let iou = document.iou()?;
	let genesis = document.genesis()?;
	let chain = chain_genesis(ctx);
	let message = iou.signed_message(&Hash::from(genesis));
	let mut checks = Vec::new();
	checks.push(if genesis == chain {
		Check::new(
			"chain",
			Outcome::Holds,
			format!("for this chain (genesis {})", format::hex0x(&chain)),
		)
	} else {
		Check::new(
			"chain",
			Outcome::Fails,
			format!(
				"for another chain: genesis {}, this one's {}",
				format::hex0x(&genesis),
				format::hex0x(&chain)
			),
		)
	});
	checks.push(if document.message().is_ok() {
		Check::new("message", Outcome::Holds, "the encoding of its fields")
	} else {
		Check::new(
			"message",
			Outcome::Fails,
			"not the encoding of its fields: changed after it was built",
		)
	});
	let Some(channel) = fetch(at, runtime::storage().iou().channels(), (iou.channel,)).await?
	else {
		checks.push(Check::new(
			"channel",
			Outcome::Fails,
			format!("no channel {} on chain (never opened, or closed)", iou.channel),
		));
		return Ok(Assessment {
			iou,
			message,
			checks,
			channel: None,
			providers: Vec::new(),
			stale: false,
		});
	};
	let about = format!(
		"channel {}: {} of farm {} through bridge {}",
		iou.channel,
		service_name(&channel.service),
		channel.farm_id,
		channel.bridge
	);
	checks.push(match channel.closes_at {
		Some(closes_at) if closes_at <= next_block(at) => Check::new(
			"channel",
			Outcome::Fails,
			format!("{about}, closing since #{closes_at}: takes no IOUs (ChannelClosing)"),
		),
		Some(closes_at) => Check::new(
			"channel",
			Outcome::Holds,
			format!("{about}, closing: takes IOUs until #{closes_at}"),
		),
		None => Check::new("channel", Outcome::Holds, about),
	});
	checks.push(match priced(&iou.usage, &prices_of(&channel.prices.0)) {
		Ok(cost) if cost == iou.amount => Check::new(
			"amount",
			Outcome::Holds,
			format!("{} is the usage at the channel's prices", format::tft(cost)),
		),
		Ok(cost) => Check::new(
			"amount",
			Outcome::Fails,
			format!(
				"{} is not the usage at the channel's prices, {} (AmountMismatch)",
				format::tft(iou.amount),
				format::tft(cost)
			),
		),
		Err(why) => Check::new("amount", Outcome::Fails, why),
	});
	let mut stale = false;
	checks.push(match &channel.newest {
		None => Check::new("newer", Outcome::Holds, "the channel's first IOU"),
		Some(newest) if iou.sequence < newest.sequence => {
			stale = true;
			Check::new(
				"newer",
				Outcome::Fails,
				format!(
					"sequence {} is below the channel's newest, {} (SequenceWentBackwards)",
					iou.sequence, newest.sequence
				),
			)
		},
		Some(newest) if iou.sequence == newest.sequence => {
			stale = true;
			Check::new(
				"newer",
				Outcome::Fails,
				format!(
					"sequence {} is the channel's newest already: accepted before (IouReplayed)",
					iou.sequence
				),
			)
		},
		Some(newest) => {
			let backwards =
				iou.usage.iter().zip(newest.usage.0.iter()).position(|(now, before)| now < before);
			match backwards {
				Some(index) => Check::new(
					"newer",
					Outcome::Fails,
					format!(
						"counter {} went down from the channel's newest (sequence {}): {} < {} \
						 (UsageWentBackwards)",
						index + 1,
						newest.sequence,
						iou.usage[index],
						newest.usage.0[index]
					),
				),
				None => Check::new(
					"newer",
					Outcome::Holds,
					format!("newer than the channel's newest (sequence {})", newest.sequence),
				),
			}
		},
	});
	let consumer = [(channel.consumer, "channel's consumer")];
	checks.push(signature_check(document, Role::Consumer, &message, &consumer));
	let providers = provider_accounts(at, channel.farm_id).await?;
	checks.push(signature_check(document, Role::Provider, &message, &providers));
	Ok(Assessment { iou, message, checks, channel: Some(channel), providers, stale })
}

/// Whether `role`'s signature in `document` is one of `signers`' over `message`.
fn signature_check(
	document: &IouDocument,
	role: Role,
	message: &[u8],
	signers: &[(AccountId32, &'static str)],
) -> Check {
	let name = role.field();
	let Some(signature) = document.signature(role) else {
		return Check::new(
			name,
			Outcome::Missing,
			format!("not signed by the {} yet", role.name()),
		);
	};
	let multi = match signature.multi_signature(role) {
		Ok(multi) => multi,
		Err(error) => return Check::new(name, Outcome::Fails, error.to_string()),
	};
	if signers.is_empty() {
		return Check::new(name, Outcome::Fails, "the farm has no operator or owner account");
	}
	let valid = signers
		.iter()
		.find(|(account, _)| verify_signature(message, &multi, &AccountId::from(account.0)));
	match valid {
		Some((account, who)) => Check::new(
			name,
			Outcome::Holds,
			format!(
				"by the {who}, {account}{}",
				if signature.wrapped { " (wrapped in <Bytes>)" } else { "" }
			),
		),
		None => {
			let error = match role {
				Role::Consumer => "BadConsumerSignature",
				Role::Provider => "BadProviderSignature",
			};
			Check::new(
				name,
				Outcome::Fails,
				format!("not a signature of this IOU by {} ({error})", signers_text(signers)),
			)
		},
	}
}

/// `the farm's operator 5F… or the farm's owner 5G…`.
fn signers_text(signers: &[(AccountId32, &'static str)]) -> String {
	let each: Vec<String> =
		signers.iter().map(|(account, who)| format!("the {who} {account}")).collect();
	each.join(" or ")
}

async fn sign(
	ctx: &Context,
	file: &Path,
	role: Role,
	wrapped: bool,
	out: Option<&Path>,
) -> Result<Report, CliError> {
	let mut document = read_document(file)?;
	let at = ctx.at().await?;
	let assessment = assess(ctx, &at, &document).await?;
	acceptable(&assessment, &format!("{}: not signed", file.display()))?;
	let Some(channel) = &assessment.channel else {
		return Err(no_channel(assessment.iou.channel));
	};
	let me = ctx.me()?;
	let allowed = match role {
		Role::Consumer => me == channel.consumer,
		Role::Provider => assessment.providers.iter().any(|(account, _)| *account == me),
	};
	if !allowed {
		let expected = match role {
			Role::Consumer => channel.consumer.to_string(),
			Role::Provider => signers_text(&assessment.providers),
		};
		return Err(CliError::Input(format!(
			"the signing key's account {me} is not channel {}'s {}: {expected}",
			assessment.iou.channel,
			role.name()
		)));
	}
	let signer = ctx.signer()?;
	let signed =
		if wrapped { wrapped_message(&assessment.message) } else { assessment.message.clone() };
	let signature = IouSignature {
		scheme: Scheme::Sr25519,
		signature: format::hex0x(&signer.sign(&signed).0),
		signer: Some(me.to_string()),
		wrapped,
	};
	// What the chain will check, checked here before the document leaves.
	let multi = signature.multi_signature(role)?;
	if !verify_signature(&assessment.message, &multi, &AccountId::from(me.0)) {
		let why = "the signature made does not verify for the key's account";
		return Err(CliError::Key(why.into()));
	}
	let replaced = document.signature(role).is_some();
	document.set_signature(role, signature);
	let other = match role {
		Role::Consumer => Role::Provider,
		Role::Provider => Role::Consumer,
	};
	let mut summary = format!(
		"signed as the {} ({me}){}: {}",
		role.name(),
		if replaced { ", replacing the signature it had" } else { "" },
		iou_text(&assessment.iou)
	);
	if document.signature(other).is_none() {
		summary.push_str(&format!("\nthe {} signs it next", other.name()));
	} else {
		summary.push_str("\nboth signed: `gridchain iou submit FILE` hands it in");
	}
	let output = match out {
		Some(path) => Some(path),
		None if is_stdio(file) => None,
		None => Some(file),
	};
	emit(ctx, &document, output, summary)
}

async fn verify(ctx: &Context, file: &Path, complete: bool) -> Result<Report, CliError> {
	let document = read_document(file)?;
	let at = ctx.at().await?;
	let assessment = assess(ctx, &at, &document).await?;
	let lines = checks_text(&assessment.checks);
	let failed = assessment.checks.iter().any(|check| {
		check.outcome == Outcome::Fails || (complete && check.outcome == Outcome::Missing)
	});
	if failed {
		return Err(CliError::Input(format!(
			"{}: {}: does not hold\n{lines}",
			file.display(),
			iou_text(&assessment.iou)
		)));
	}
	let signed = assessment.checks.iter().all(|check| check.outcome == Outcome::Holds);
	Ok(Report::new(
		format!(
			"{}: {}\n{lines}\n{}",
			file.display(),
			iou_text(&assessment.iou),
			if signed {
				"it holds: the chain takes it"
			} else {
				"it holds so far: a signature is missing"
			}
		),
		json!({
			"file": file.display().to_string(),
			"channel": assessment.iou.channel,
			"sequence": assessment.iou.sequence,
			"amount": format::tft_json(assessment.iou.amount),
			"block": at.block_number(),
			"holds": true,
			"signed": signed,
			"checks": checks_json(&assessment.checks),
		}),
	))
}

async fn submit(ctx: &Context, files: &[PathBuf]) -> Result<Report, CliError> {
	// Each IOU is checked as `verify` checks it, on purpose: one bad IOU refuses the whole
	// batch on chain, after its fee. The batch's size is the chain's (`Iou::BatchTooLarge`).
	let at = ctx.at().await?;
	let mut batch: Vec<(&PathBuf, IouDocument, Iou)> = Vec::new();
	let mut skipped: Vec<(String, String)> = Vec::new();
	for file in files {
		let document = read_document(file)?;
		let assessment = assess(ctx, &at, &document).await?;
		let failing: Vec<&Check> = assessment
			.checks
			.iter()
			.filter(|check| check.outcome != Outcome::Holds)
			.filter(|check| !(assessment.stale && check.name == "newer"))
			.collect();
		if !failing.is_empty() {
			let lines: Vec<String> =
				failing.iter().map(|check| format!("  {}: {}", check.name, check.detail)).collect();
			return Err(CliError::Input(format!(
				"{}: the chain would refuse the whole batch for it; nothing submitted\n{}",
				file.display(),
				lines.join("\n")
			)));
		}
		if assessment.stale {
			let why = assessment
				.checks
				.iter()
				.find(|check| check.name == "newer")
				.map(|check| check.detail.clone())
				.unwrap_or_default();
			skipped.push((file.display().to_string(), why));
			continue;
		}
		batch.push((file, document, assessment.iou));
	}
	// Only a channel's newest IOU counts: older ones in the batch would cost for nothing.
	batch.sort_by_key(|(_, _, iou)| (iou.channel, iou.sequence));
	let mut newest: Vec<(&PathBuf, IouDocument, Iou)> = Vec::new();
	for entry in batch {
		let superseded =
			newest.last().filter(|last| last.2.channel == entry.2.channel).map(|last| {
				(
					last.0.display().to_string(),
					format!(
						"superseded by sequence {} of channel {} ({})",
						entry.2.sequence,
						entry.2.channel,
						entry.0.display()
					),
				)
			});
		if let Some(superseded) = superseded {
			newest.pop();
			skipped.push(superseded);
		}
		newest.push(entry);
	}
	if newest.is_empty() {
		return Err(CliError::Input(
			"nothing to submit: every IOU is no newer than its channel's newest".into(),
		));
	}
	let mut ious = Vec::with_capacity(newest.len());
	for (file, document, _) in &newest {
		let signed =
			document.signed().map_err(|e| CliError::Input(format!("{}: {e}", file.display())))?;
		ious.push(ChainSignedIou::decode(&mut &signed.encode()[..]).map_err(|e| {
			CliError::Read(format!("the client's IOU type is not the runtime's: {e}"))
		})?);
	}
	let landed = ctx.submit(&runtime::tx().iou().submit_ious(ious)).await?;
	let accepted = landed
		.included
		.events
		.find::<runtime::iou::events::IouAccepted>()
		.collect::<Result<Vec<_>, _>>()
		.map_err(CliError::read)?;
	let mut text = format!(
		"{} of {} IOU(s) accepted in block {}\n",
		accepted.len(),
		newest.len(),
		landed.text
	);
	for event in &accepted {
		text.push_str(&format!(
			"  channel {:<8} sequence {:<8} {}\n",
			event.channel,
			event.sequence,
			format::tft(event.amount)
		));
	}
	if accepted.len() < newest.len() {
		text.push_str(
			"the others were no newer than their channel's newest when the block ran (handed in \
			 by someone else first)\n",
		);
	}
	if !skipped.is_empty() {
		text.push_str("left out:\n");
		for (file, why) in &skipped {
			text.push_str(&format!("  {file}: {why}\n"));
		}
	}
	Ok(Report::new(
		text,
		json!({
			"accepted": accepted.iter().map(|event| json!({
				"channel": event.channel,
				"sequence": event.sequence,
				"amount": format::tft_json(event.amount),
			})).collect::<Vec<_>>(),
			"submitted": newest.len(),
			"leftOut": skipped.iter().map(|(file, why)| json!({ "file": file, "why": why }))
				.collect::<Vec<_>>(),
			"in": landed.json,
		}),
	))
}

async fn show_channel(ctx: &Context, id: u64) -> Result<Report, CliError> {
	let at = ctx.at().await?;
	let channel = fetch(&at, runtime::storage().iou().channels(), (id,))
		.await?
		.ok_or_else(|| no_channel(id))?;
	let prices = prices_of(&channel.prices.0);
	let unpaid =
		channel.newest.as_ref().map_or(0, |newest| newest.amount).saturating_sub(channel.paid);
	let mut text = format!(
		"channel {id}\n  bridge      {}\n  consumer    {}\n  farm        {} ({} service)\n  \
		 prices\n{}\n",
		channel.bridge,
		channel.consumer,
		channel.farm_id,
		service_name(&channel.service),
		prices_text(&prices)
	);
	let mut json = json!({
		"channel": id,
		"block": at.block_number(),
		"bridge": channel.bridge,
		"consumer": channel.consumer.to_string(),
		"farm": channel.farm_id,
		"service": service_name(&channel.service),
		"prices": prices_json(&prices),
		"paid": format::tft_json(channel.paid),
		"unpaid": format::tft_json(unpaid),
		"queued": channel.queued,
		"deposit": format::tft_json(channel.deposit),
	});
	match &channel.newest {
		Some(newest) => {
			text.push_str(&format!(
				"  newest IOU  sequence {}: {} for usage {}\n",
				newest.sequence,
				format::tft(newest.amount),
				usage_text(&newest.usage.0)
			));
			json["newest"] = json!({
				"sequence": newest.sequence,
				"usage": newest.usage.0.iter().map(ToString::to_string).collect::<Vec<_>>(),
				"amount": format::tft_json(newest.amount),
			});
		},
		None => {
			text.push_str("  newest IOU  none yet\n");
			json["newest"] = Value::Null;
		},
	}
	text.push_str(&format!(
		"  paid        {}\n  unpaid      {}{}\n",
		format::tft(channel.paid),
		format::tft(unpaid),
		if channel.queued { " (queued for the bridge's roll-up)" } else { "" }
	));
	match &channel.request {
		Some(request) => {
			let (when, when_json) = ctx.block_and_time(&at, request.deadline).await?;
			text.push_str(&format!(
				"  asked       {} of the consumer by {when}, else it bounces \
				 (`gridchain iou pay-request {id}`)\n",
				format::tft(request.amount)
			));
			json["request"] =
				json!({ "amount": format::tft_json(request.amount), "deadline": when_json });
		},
		None => json["request"] = Value::Null,
	}
	match channel.closes_at {
		Some(closes_at) => {
			let (when, when_json) = ctx.block_and_time(&at, closes_at).await?;
			text.push_str(&format!("  closing     takes no IOUs from {when}\n"));
			json["closesAt"] = when_json;
		},
		None => json["closesAt"] = Value::Null,
	}
	text.push_str(&format!("  deposit     {}", format::tft(channel.deposit)));
	Ok(Report::new(text, json))
}

async fn reputation(
	ctx: &Context,
	consumer: Option<String>,
	bridge: Option<u32>,
) -> Result<Report, CliError> {
	let who = ctx.account_or_me(consumer.as_deref())?;
	let at = ctx.at().await?;
	let bridges = match bridge {
		Some(bridge) => {
			let record = fetch(&at, runtime::storage().iou().bridges(), (bridge,))
				.await?
				.ok_or_else(|| CliError::NotFound(format!("circle {bridge} is no IOU bridge")))?;
			vec![(bridge, record)]
		},
		None => all(&at, runtime::storage().iou().bridges()).await?,
	};
	let mut text = String::new();
	let mut views = Vec::new();
	for (bridge, record) in &bridges {
		let view = at
			.runtime_apis()
			.call(runtime::runtime_apis().iou_api().consumer(*bridge, who))
			.await
			.map_err(CliError::read)?;
		let Some(view) = view else { continue };
		let policy = &record.policy;
		text.push_str(&format!(
			"{who} with bridge {bridge}\n  escrow      {} ({} available)\n",
			format::tft(view.escrow),
			format::tft(view.available)
		));
		let mut json = json!({
			"bridge": bridge,
			"escrow": format::tft_json(view.escrow),
			"available": format::tft_json(view.available),
			"score": view.score,
			"settledAmount": format::tft_json(view.reputation.settled_amount),
			"settledIous": view.reputation.settled_ious,
			"bounces": view.reputation.bounces,
			"bouncedAmount": format::tft_json(view.reputation.bounced_amount),
			"blocked": view.blocked,
			"mayOpenChannel": view.may_open_channel,
			"minEscrow": format::tft_json(policy.min_escrow),
			"minScore": policy.min_score,
			"lowScoreEscrow": format::tft_json(policy.low_score_escrow),
		});
		match &view.unlocking {
			Some(unlocking) => {
				let (when, when_json) = ctx.block_and_time(&at, unlocking.at).await?;
				text.push_str(&format!(
					"  leaving     {} from {when}\n",
					format::tft(unlocking.amount)
				));
				json["unlocking"] =
					json!({ "amount": format::tft_json(unlocking.amount), "at": when_json });
			},
			None => json["unlocking"] = Value::Null,
		}
		text.push_str(&format!(
			"  score       {} of 100\n  settled     {} in {} payment(s)\n",
			view.score,
			format::tft(view.reputation.settled_amount),
			view.reputation.settled_ious
		));
		if view.reputation.bounces > 0 {
			text.push_str(&format!(
				"  bounced     {} time(s), {} unpaid",
				view.reputation.bounces,
				format::tft(view.reputation.bounced_amount)
			));
			match view.reputation.last_bounce {
				Some(block) => {
					let (when, when_json) = ctx.block_and_time(&at, block).await?;
					text.push_str(&format!(", last at {when}\n"));
					json["lastBounce"] = when_json;
				},
				None => text.push('\n'),
			}
		}
		if view.blocked {
			text.push_str("  blocked     by the bridge's circle: opens no channel\n");
		}
		text.push_str(&format!(
			"  channels    {}: the bridge asks {} of escrow available, {} below a score of {}\n",
			if view.may_open_channel { "may open" } else { "may not open" },
			format::tft(policy.min_escrow),
			format::tft(policy.low_score_escrow),
			policy.min_score
		));
		views.push(json);
	}
	if views.is_empty() {
		text = match bridge {
			Some(bridge) => format!("{who} has no account with bridge {bridge}"),
			None => format!("{who} has no account with any IOU bridge"),
		};
	}
	Ok(Report::new(
		text,
		json!({ "consumer": who.to_string(), "block": at.block_number(), "bridges": views }),
	))
}

async fn close_channel(ctx: &Context, channel: u64) -> Result<Report, CliError> {
	let landed = ctx.submit(&runtime::tx().iou().close_channel(channel)).await?;
	if let Some(closed) = landed.included.events.find_first::<runtime::iou::events::ChannelClosed>()
	{
		closed.map_err(CliError::read)?;
		return Ok(Report::new(
			format!("channel {channel} closed in block {}: its deposit is released", landed.text),
			json!({ "channel": channel, "closed": true, "in": landed.json }),
		));
	}
	let event = find_event::<runtime::iou::events::ChannelClosing>(&landed.included)?;
	let (when, when_json) = ctx.when(event.closes_at).await;
	Ok(Report::new(
		format!(
			"channel {channel} closing from block {}: it takes IOUs until {when}; then, once \
			 everything is paid, `gridchain iou close-channel {channel}` again removes it and \
			 releases its deposit",
			landed.text
		),
		json!({
			"channel": channel,
			"closed": false,
			"closesAt": when_json,
			"in": landed.json,
		}),
	))
}

#[cfg(test)]
mod tests {
	use super::*;

	fn vectors() -> Value {
		serde_json::from_str(include_str!("../../tests/vectors/iou.json")).unwrap()
	}

	fn example() -> Iou {
		Iou {
			channel: 7,
			usage: counters(vec![3 << 30, 12_345]).unwrap(),
			amount: 30_123_450,
			sequence: 42,
		}
	}

	#[test]
	fn a_document_round_trips_through_json() {
		let genesis = [0xab; 32];
		let mut document = IouDocument::new(&genesis, &example());
		document.consumer_signature = Some(IouSignature {
			scheme: Scheme::Sr25519,
			signature: format::hex0x(&[1; 64]),
			signer: Some("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY".into()),
			wrapped: true,
		});
		let text = document_text(&document).unwrap();
		let read = parse_document(&text).unwrap();
		assert_eq!(read, document);
		assert_eq!(read.iou().unwrap(), example());
		assert_eq!(read.genesis().unwrap(), genesis);
		assert_eq!(read.message().unwrap(), example().signed_message(&Hash::from(genesis)));
		// camelCase keys, integers as strings, an unsigned side as null.
		let json: Value = serde_json::from_str(&text).unwrap();
		assert_eq!(json["protocol"], "gridchain/iou/v1");
		assert_eq!(json["channel"], "7");
		assert_eq!(json["amount"], "30123450");
		assert_eq!(json["usage"], json!(["3221225472", "12345"]));
		assert_eq!(json["consumerSignature"]["scheme"], "sr25519");
		assert_eq!(json["providerSignature"], Value::Null);
		// A side left out reads as unsigned.
		let mut unsigned = json.clone();
		unsigned.as_object_mut().unwrap().remove("providerSignature");
		let read = parse_document(&unsigned.to_string()).unwrap();
		assert_eq!(read.provider_signature, None);
	}

	#[test]
	fn the_message_is_what_primitives_and_the_published_vectors_say() {
		let genesis = [0xab; 32];
		let document = IouDocument::new(&genesis, &example());
		let expected = example().signed_message(&Hash::from(genesis));
		assert_eq!(document.message, format::hex0x(&expected));
		// The documented layout, byte for byte.
		assert_eq!(&expected[..16], b"gridchain/iou/v1");
		assert_eq!(&expected[16..48], &[0xab; 32]);
		assert_eq!(&expected[48..56], &7u64.to_le_bytes());
		assert_eq!(expected.len(), 16 + 32 + 8 + 1 + 16 + 16 + 8);
		for case in vectors()["encoding"].as_array().unwrap() {
			let text = |field: &str| case[field].as_str().unwrap().to_owned();
			let document = IouDocument {
				protocol: protocol(),
				genesis_hash: text("genesis_hash"),
				channel: text("channel"),
				sequence: text("sequence"),
				usage: case["usage"]
					.as_array()
					.unwrap()
					.iter()
					.map(|used| used.as_str().unwrap().to_owned())
					.collect(),
				amount: text("amount"),
				message: text("message"),
				consumer_signature: None,
				provider_signature: None,
			};
			let message = document.message().unwrap();
			assert_eq!(format::hex0x(&message), text("message"), "{}", text("name"));
			assert_eq!(
				IouDocument::new(&document.genesis().unwrap(), &document.iou().unwrap()),
				document
			);
			// The published ed25519 signatures verify as this document's signatures.
			let public = vectors()["ed25519_public"].as_str().unwrap().to_owned();
			let public: [u8; 32] = format::parse_hex(&public).unwrap().try_into().unwrap();
			for (field, wrapped) in
				[("ed25519_signature", false), ("ed25519_wrapped_signature", true)]
			{
				let signature = IouSignature {
					scheme: Scheme::Ed25519,
					signature: text(field),
					signer: None,
					wrapped,
				};
				let multi = signature.multi_signature(Role::Provider).unwrap();
				assert!(verify_signature(&message, &multi, &AccountId::from(public)));
			}
		}
	}

	#[test]
	fn signatures_made_here_verify_raw_and_wrapped_and_nowhere_else() {
		let alice = gridchain_client::signer_from_uri("//Alice").unwrap();
		let bob = gridchain_client::signer_from_uri("//Bob").unwrap();
		let genesis = [0x01; 32];
		let mut document = IouDocument::new(&genesis, &example());
		let message = document.message().unwrap();
		for (role, wrapped) in [(Role::Consumer, false), (Role::Provider, true)] {
			let bytes = if wrapped { wrapped_message(&message) } else { message.clone() };
			document.set_signature(
				role,
				IouSignature {
					scheme: Scheme::Sr25519,
					signature: format::hex0x(&alice.sign(&bytes).0),
					signer: None,
					wrapped,
				},
			);
		}
		let read = parse_document(&document_text(&document).unwrap()).unwrap();
		let signed = read.signed().unwrap();
		let alice_account = AccountId::from(alice.public_key().0);
		let bob_account = AccountId::from(bob.public_key().0);
		assert!(verify_signature(&message, &signed.consumer_signature, &alice_account));
		assert!(verify_signature(&message, &signed.provider_signature, &alice_account));
		assert!(!verify_signature(&message, &signed.consumer_signature, &bob_account));
		// Another chain's message is other bytes.
		let elsewhere = example().signed_message(&Hash::from([0x02; 32]));
		assert!(!verify_signature(&elsewhere, &signed.consumer_signature, &alice_account));
		// What the chain decodes is what was signed.
		let encoded = signed.encode();
		assert_eq!(SignedIou::decode(&mut &encoded[..]).unwrap(), signed);
	}

	#[test]
	fn a_changed_or_malformed_document_is_refused() {
		let document = IouDocument::new(&[0xab; 32], &example());
		let changed = IouDocument { amount: "30123451".into(), ..document.clone() };
		assert!(matches!(changed.message(), Err(CliError::Input(_))));
		for bad in [
			IouDocument { channel: "-7".into(), ..document.clone() },
			IouDocument { sequence: "4.2".into(), ..document.clone() },
			IouDocument { amount: "".into(), ..document.clone() },
			IouDocument { usage: vec!["1".into(); 9], ..document.clone() },
			IouDocument { protocol: "gridchain/iou/v2".into(), ..document.clone() },
		] {
			assert!(matches!(bad.iou(), Err(CliError::Input(_))), "{bad:?}");
		}
		let short = IouDocument { genesis_hash: "0xabab".into(), ..document.clone() };
		assert!(matches!(short.genesis(), Err(CliError::Input(_))));
		// Both signatures are needed to submit.
		assert!(matches!(document.signed(), Err(CliError::Input(_))));
		// A signature of the wrong length.
		let signature = IouSignature {
			scheme: Scheme::Sr25519,
			signature: format::hex0x(&[1; 65]),
			signer: None,
			wrapped: false,
		};
		assert!(matches!(signature.multi_signature(Role::Consumer), Err(CliError::Input(_))));
		// JSON numbers are not the format's integers; unknown schemes are refused.
		let mut json = serde_json::to_value(&document).unwrap();
		json["channel"] = json!(7);
		assert!(parse_document(&json.to_string()).is_err());
		let mut json = serde_json::to_value(&document).unwrap();
		json["consumerSignature"] = json!({ "scheme": "rsa", "signature": "0x00" });
		assert!(parse_document(&json.to_string()).is_err());
		assert!(parse_document("not json").is_err());
	}

	#[test]
	fn usage_reads_as_counters() {
		assert_eq!(parse_usage("3221225472,12345").unwrap(), vec![3 << 30, 12_345]);
		assert_eq!(parse_usage(" 1, 2 ,3").unwrap(), vec![1, 2, 3]);
		assert_eq!(parse_usage("0").unwrap(), vec![0]);
		for bad in ["", "1,,2", "-1", "1.5", "18446744073709551616", "1,2,3,4,5,6,7,8,9", "a"] {
			assert!(matches!(parse_usage(bad), Err(CliError::Input(_))), "{bad}");
		}
	}
}
