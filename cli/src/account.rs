//! Balances and transfers.

use crate::{
	context::{Context, KeySource, Report},
	error::CliError,
	format,
};
use gridchain_client::{runtime, subxt::utils::AccountId32};
use serde_json::json;

#[derive(clap::Subcommand, Debug)]
pub enum AccountCommand {
	/// The signing key's address.
	Address,
	/// An account's balance: free, and held by reason (deposits, escrows).
	Balance {
		/// The account (SS58 or 0x hex); the signing key's account if left out.
		account: Option<String>,
	},
	/// Sends TFT to another account, keeping the sender's account alive.
	Transfer {
		/// The receiving account (SS58 or 0x hex).
		to: String,
		/// TFT, with up to 7 decimals.
		amount: String,
	},
}

pub async fn run(ctx: &Context, command: AccountCommand) -> Result<Report, CliError> {
	match command {
		AccountCommand::Address => address(ctx.key()),
		AccountCommand::Balance { account } => {
			let who = ctx.account_or_me(account.as_deref())?;
			balance(ctx, who).await
		},
		AccountCommand::Transfer { to, amount } => {
			let to = format::parse_account(&to)?;
			let amount = format::parse_tft(&amount)?;
			let call = runtime::tx().balances().transfer_keep_alive(to.into(), amount);
			let landed = ctx.submit(&call).await?;
			Ok(Report::new(
				format!("sent {} to {to} in block {}", format::tft(amount), landed.text),
				json!({ "to": to.to_string(), "amount": format::tft_json(amount), "in": landed.json }),
			))
		},
	}
}

/// The signing key's address (SS58).
pub fn address(key: &KeySource) -> Result<Report, CliError> {
	let me = AccountId32(key.signer()?.public_key().0);
	Ok(Report::new(me.to_string(), json!({ "address": me.to_string() })))
}

async fn balance(ctx: &Context, who: AccountId32) -> Result<Report, CliError> {
	let at = ctx.at().await?;
	let storage = at.storage();
	let info = storage
		.fetch(runtime::storage().system().account(), (who,))
		.await
		.map_err(CliError::read)?
		.decode()
		.map_err(CliError::read)?;
	let holds = storage
		.try_fetch(runtime::storage().balances().holds(), (who,))
		.await
		.map_err(CliError::read)?
		.map(|holds| holds.decode())
		.transpose()
		.map_err(CliError::read)?
		.map(|holds| holds.0)
		.unwrap_or_default();
	let mut text = format!(
		"{who}\n  free      {}\n  held      {}\n",
		format::tft(info.data.free),
		format::tft(info.data.reserved)
	);
	let mut held = Vec::new();
	for hold in &holds {
		let reason = hold_reason(&hold.id);
		text.push_str(&format!("    {reason:<32} {}\n", format::tft(hold.amount)));
		held.push(json!({ "reason": reason, "amount": format::tft_json(hold.amount) }));
	}
	if info.data.frozen > 0 {
		text.push_str(&format!("  frozen    {}\n", format::tft(info.data.frozen)));
	}
	Ok(Report::new(
		text,
		json!({
			"account": who.to_string(),
			"block": at.block_number(),
			"free": format::tft_json(info.data.free),
			"held": format::tft_json(info.data.reserved),
			"holds": held,
			"frozen": format::tft_json(info.data.frozen),
		}),
	))
}

/// A hold's reason as `Pallet.Reason` (`SmartContract.Escrow`).
fn hold_reason(reason: &impl std::fmt::Debug) -> String {
	// The generated enum prints as `Pallet(Reason)`.
	format!("{reason:?}").replace('(', ".").replace(')', "")
}
