//! Cooperatives: farms run for members who share their earnings.

use crate::{
	context::{Context, Report},
	error::CliError,
	format,
	grid::{bounded, fetch, find_event},
};
use gridchain_client::{
	runtime::{
		self,
		runtime_types::{pallet_registry::types::Member, sp_arithmetic::per_things::Perbill},
	},
	subxt::utils::AccountId32,
};
use serde_json::json;

/// A member from the command line: `ACCOUNT:SHARE%` (`5Grw…:60%`).
#[derive(Clone, Debug)]
pub struct MemberArg {
	account: AccountId32,
	/// Parts per billion.
	share: u32,
}

const BILLION: u64 = 1_000_000_000;

impl std::str::FromStr for MemberArg {
	type Err = String;

	fn from_str(text: &str) -> Result<Self, Self::Err> {
		let (account, share) = text
			.rsplit_once(':')
			.ok_or_else(|| format!("{text:?}: a member is ACCOUNT:SHARE%, e.g. 5Grw…:60%"))?;
		let account = format::parse_account(account).map_err(|e| e.to_string())?;
		Ok(MemberArg { account, share: parse_percent(share)? })
	}
}

/// `60%`, `33.3333333%` as parts per billion.
fn parse_percent(text: &str) -> Result<u32, String> {
	let bad = || format!("{text:?}: a share is a percentage such as 60% or 33.3333333%");
	let number = text.trim().strip_suffix('%').ok_or_else(bad)?;
	let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
	// A percent is 10^7 parts per billion: up to 7 decimals are exact.
	if whole.is_empty()
		|| fraction.len() > 7
		|| !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit())
	{
		return Err(bad());
	}
	let whole: u64 = whole.parse().map_err(|_| bad())?;
	let fraction: u64 = format!("{fraction:0<7}").parse().map_err(|_| bad())?;
	let parts =
		whole.checked_mul(10_000_000).and_then(|p| p.checked_add(fraction)).ok_or_else(bad)?;
	if parts > BILLION {
		return Err(format!("{text:?}: a share is at most 100%"));
	}
	Ok(parts as u32)
}

fn percent(parts: u32) -> String {
	let text = format!("{}.{:07}", parts / 10_000_000, parts % 10_000_000);
	format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
}

#[derive(clap::Subcommand, Debug)]
pub enum CooperativeCommand {
	/// Creates a cooperative administered by the signing key's account.
	Create {
		/// Letters, digits, '-', '_' and '.'.
		name: String,
		/// A member ACCOUNT:SHARE% (shares sum to 100%); repeat for each.
		#[arg(long = "member", required = true, value_name = "ACCOUNT:SHARE%")]
		members: Vec<MemberArg>,
	},
	/// Replaces a cooperative's members (its admin only); what the old members earned stays
	/// theirs to claim.
	SetMembers {
		cooperative: u32,
		#[arg(long = "member", required = true, value_name = "ACCOUNT:SHARE%")]
		members: Vec<MemberArg>,
	},
	/// A farm asks to join a cooperative (the farm owner).
	Join { farm: u32, cooperative: u32 },
	/// The cooperative's admin accepts a farm that asked to join.
	Approve { cooperative: u32, farm: u32 },
	/// A cooperative: admin, members and shares, farms, earnings.
	Show { cooperative: u32 },
	/// What a member can claim now (the signing key's account if left out).
	Claimable { cooperative: u32, account: Option<String> },
	/// Claims the signing key's share of a cooperative's earnings.
	Claim { cooperative: u32 },
}

pub async fn run(ctx: &Context, command: CooperativeCommand) -> Result<Report, CliError> {
	let registry = runtime::tx().registry();
	match command {
		CooperativeCommand::Create { name, members } => {
			let call = registry.create_cooperative(bounded(name.as_bytes()), members_of(&members));
			let landed = ctx.submit(&call).await?;
			let event =
				find_event::<runtime::registry::events::CooperativeCreated>(&landed.included)?;
			Ok(Report::new(
				format!(
					"cooperative {} ({name}) created in block {}",
					event.cooperative_id, landed.text
				),
				json!({ "cooperative": event.cooperative_id, "name": name, "in": landed.json }),
			))
		},
		CooperativeCommand::SetMembers { cooperative, members } => {
			let landed = ctx
				.submit(&registry.set_cooperative_members(cooperative, members_of(&members)))
				.await?;
			Ok(Report::new(
				format!("cooperative {cooperative}'s members set in block {}", landed.text),
				json!({ "cooperative": cooperative, "members": members.len(), "in": landed.json }),
			))
		},
		CooperativeCommand::Join { farm, cooperative } => {
			let landed =
				ctx.submit(&registry.request_cooperative_membership(farm, cooperative)).await?;
			Ok(Report::new(
				format!(
					"farm {farm} asked to join cooperative {cooperative} in block {}",
					landed.text
				),
				json!({ "farm": farm, "cooperative": cooperative, "in": landed.json }),
			))
		},
		CooperativeCommand::Approve { cooperative, farm } => {
			let landed =
				ctx.submit(&registry.approve_cooperative_membership(cooperative, farm)).await?;
			Ok(Report::new(
				format!("farm {farm} joined cooperative {cooperative} in block {}", landed.text),
				json!({ "farm": farm, "cooperative": cooperative, "in": landed.json }),
			))
		},
		CooperativeCommand::Show { cooperative } => {
			let at = ctx.at().await?;
			let record = fetch(&at, runtime::storage().registry().cooperatives(), (cooperative,))
				.await?
				.ok_or_else(|| CliError::NotFound(format!("no cooperative {cooperative}")))?;
			let ledger =
				fetch(&at, runtime::storage().registry().cooperative_earnings(), (cooperative,))
					.await?
					.map(|ledger| ledger.earned)
					.unwrap_or_default();
			let mut text = format!(
				"cooperative {cooperative} ({})\n  admin    {}\n  farms    {}\n  earned   {} in all\n  members\n",
				format::text(&record.name.0),
				record.admin,
				record.farms,
				format::tft(ledger)
			);
			let mut members = Vec::new();
			for member in &record.members.0 {
				text.push_str(&format!("    {} {}\n", member.account, percent(member.share.0)));
				members.push(
					json!({ "account": member.account.to_string(), "share": percent(member.share.0) }),
				);
			}
			Ok(Report::new(
				text,
				json!({
					"cooperative": cooperative,
					"block": at.block_number(),
					"name": format::text(&record.name.0),
					"admin": record.admin.to_string(),
					"farms": record.farms,
					"earned": format::tft_json(ledger),
					"members": members,
				}),
			))
		},
		CooperativeCommand::Claimable { cooperative, account } => {
			let who = ctx.account_or_me(account.as_deref())?;
			let at = ctx.at().await?;
			let amount: u128 = at
				.runtime_apis()
				.call(runtime::runtime_apis().registry_api().cooperative_earnings(cooperative, who))
				.await
				.map_err(CliError::read)?;
			Ok(Report::new(
				format!("{who} can claim {} from cooperative {cooperative}", format::tft(amount)),
				json!({
					"cooperative": cooperative,
					"block": at.block_number(),
					"account": who.to_string(),
					"claimable": format::tft_json(amount),
				}),
			))
		},
		CooperativeCommand::Claim { cooperative } => {
			let landed = ctx.submit(&registry.claim_cooperative_earnings(cooperative)).await?;
			let event = find_event::<runtime::registry::events::CooperativeEarningsClaimed>(
				&landed.included,
			)?;
			Ok(Report::new(
				format!(
					"claimed {} from cooperative {cooperative} in block {}",
					format::tft(event.amount),
					landed.text
				),
				json!({ "cooperative": cooperative, "amount": format::tft_json(event.amount), "in": landed.json }),
			))
		},
	}
}

fn members_of(members: &[MemberArg]) -> Vec<Member<AccountId32>> {
	members
		.iter()
		.map(|member| Member { account: member.account, share: Perbill(member.share) })
		.collect()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn shares_read_as_percentages() {
		assert_eq!(parse_percent("60%").unwrap(), 600_000_000);
		assert_eq!(parse_percent("33.3333333%").unwrap(), 333_333_333);
		assert_eq!(parse_percent("100%").unwrap(), 1_000_000_000);
		for bad in ["60", "100.1%", "-5%", "%", "1.00000001%", "a%"] {
			assert!(parse_percent(bad).is_err(), "{bad}");
		}
		assert_eq!(percent(600_000_000), "60%");
		assert_eq!(percent(333_333_333), "33.3333333%");
	}
}
