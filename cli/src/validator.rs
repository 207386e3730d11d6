//! Validators: a farmer applies to run the chain, and leaves.

use crate::{
	context::{Context, Report},
	error::CliError,
	format,
	grid::fetch,
};
use gridchain_client::runtime;
use serde_json::json;

#[derive(clap::Subcommand, Debug)]
pub enum ValidatorCommand {
	/// Applies to validate (holds the application deposit until the admission circle
	/// decides). The account must be a farmer and have set its session keys first
	/// (docs/validator.md).
	Apply,
	/// Leaves the validators, or withdraws an application (its deposit is returned).
	Withdraw,
	/// An account's standing: validator, applicant, its session keys, and the set.
	Status {
		/// The account (SS58 or 0x hex); the signing key's account if left out.
		account: Option<String>,
	},
}

pub async fn run(ctx: &Context, command: ValidatorCommand) -> Result<Report, CliError> {
	match command {
		ValidatorCommand::Apply => {
			let deposit = ctx
				.at()
				.await?
				.constants()
				.entry(runtime::constants().validators().application_deposit())
				.map_err(CliError::read)?;
			let landed = ctx.submit(&runtime::tx().validators().apply()).await?;
			Ok(Report::new(
				format!(
					"applied in block {}: {} held until the admission circle decides",
					landed.text,
					format::tft(deposit)
				),
				json!({ "deposit": format::tft_json(deposit), "in": landed.json }),
			))
		},
		ValidatorCommand::Withdraw => {
			let landed = ctx.submit(&runtime::tx().validators().withdraw()).await?;
			Ok(Report::new(
				format!("withdrawn in block {}", landed.text),
				json!({ "in": landed.json }),
			))
		},
		ValidatorCommand::Status { account } => {
			let who = ctx.account_or_me(account.as_deref())?;
			let at = ctx.at().await?;
			let validators = runtime::storage().validators();
			let approved =
				fetch(&at, validators.approved(), ()).await?.map(|set| set.0).unwrap_or_default();
			let application = fetch(&at, validators.applications(), (who,)).await?;
			let authorities = fetch(&at, runtime::storage().session().validators(), ())
				.await?
				.unwrap_or_default();
			let has_keys =
				fetch(&at, runtime::storage().session().next_keys(), (who,)).await?.is_some();
			let session = fetch(&at, validators.current_session(), ()).await?.unwrap_or_default();
			let minimum =
				fetch(&at, validators.minimum_validators(), ()).await?.unwrap_or_default();
			let is_validator = approved.contains(&who);
			let is_authority = authorities.contains(&who);
			let standing = match (&application, is_validator) {
				(_, true) if is_authority => "validator, authoring blocks".to_owned(),
				(_, true) => "approved: an authority from the next set change".to_owned(),
				(Some(application), false) => format!(
					"applied at #{}, {} held: waiting for the admission circle",
					application.applied_at,
					format::tft(application.deposit)
				),
				(None, false) => "not a validator".to_owned(),
			};
			Ok(Report::new(
				format!(
					"{who}\n  standing      {standing}\n  session keys  {}\n  session       {session}\n  validators    {} approved, {} authorities, minimum {minimum}",
					if has_keys { "set" } else { "not set" },
					approved.len(),
					authorities.len()
				),
				json!({
					"account": who.to_string(),
					"block": at.block_number(),
					"validator": is_validator,
					"authority": is_authority,
					"application": application.map(|a| json!({ "appliedAt": a.applied_at, "deposit": format::tft_json(a.deposit) })),
					"sessionKeys": has_keys,
					"session": session,
					"approved": approved.iter().map(ToString::to_string).collect::<Vec<_>>(),
					"authorities": authorities.len(),
					"minimum": minimum,
				}),
			))
		},
	}
}
