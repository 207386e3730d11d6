//! Amounts, sizes, accounts and dates: read from the command line and shown to people.

use crate::error::CliError;
use gridchain_client::subxt::utils::AccountId32;
use gridchain_primitives::token::{DECIMALS, SYMBOL, TFT};
use std::str::FromStr;

/// `amount` units as TFT with all 7 decimals: `12.5000000 TFT`.
pub fn tft(amount: u128) -> String {
	format!("{}.{:0width$} {SYMBOL}", amount / TFT, amount % TFT, width = DECIMALS as usize)
}

/// A TFT amount from the command line (`12`, `12.5`, `0.0000001`, optionally ending in
/// `TFT`) in units. More than 7 decimals, a sign, or an amount too large is refused.
pub fn parse_tft(text: &str) -> Result<u128, CliError> {
	let bad = |why: &str| CliError::Input(format!("not a TFT amount: {text:?} ({why})"));
	let number = text.trim();
	let number = number.strip_suffix(SYMBOL).unwrap_or(number).trim();
	let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
	if whole.is_empty() && fraction.is_empty() {
		return Err(bad("no digits"));
	}
	if !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit()) {
		return Err(bad("digits and one '.' only"));
	}
	if fraction.len() > DECIMALS as usize {
		return Err(bad("at most 7 decimals"));
	}
	let whole: u128 =
		if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad("too large"))? };
	let fraction: u128 = format!("{fraction:0<width$}", width = DECIMALS as usize)
		.parse()
		.map_err(|_| bad("bad decimals"))?;
	whole
		.checked_mul(TFT)
		.and_then(|units| units.checked_add(fraction))
		.ok_or_else(|| bad("too large"))
}

/// The JSON of an amount: units as a string (JSON numbers lose precision above 2^53) and TFT.
pub fn tft_json(amount: u128) -> serde_json::Value {
	serde_json::json!({ "units": amount.to_string(), "tft": tft(amount).trim_end_matches(SYMBOL).trim() })
}

const KIB: u64 = 1024;
const SIZE_UNITS: [(&str, u64); 5] = [
	("TiB", KIB * KIB * KIB * KIB),
	("GiB", KIB * KIB * KIB),
	("MiB", KIB * KIB),
	("KiB", KIB),
	("B", 1),
];

/// Bytes for people: `20 GiB`, `1.5 TiB`, `512 B`.
pub fn bytes(value: u64) -> String {
	for (unit, size) in SIZE_UNITS {
		if value >= size && size > 1 {
			let whole = value / size;
			let tenths = (value % size) * 10 / size;
			return if tenths == 0 && value.is_multiple_of(size) {
				format!("{whole} {unit}")
			} else {
				format!("{whole}.{tenths} {unit}")
			};
		}
	}
	format!("{value} B")
}

/// A size from the command line in bytes: `20GiB`, `512MiB`, `1TiB`, or plain bytes.
pub fn parse_bytes(text: &str) -> Result<u64, CliError> {
	let bad = |why: &str| {
		CliError::Input(format!("not a size: {text:?} ({why}; e.g. 20GiB, 512MiB or bytes)"))
	};
	let trimmed = text.trim();
	let (number, multiplier) = SIZE_UNITS
		.iter()
		.find_map(|(unit, size)| trimmed.strip_suffix(unit).map(|number| (number.trim(), *size)))
		.unwrap_or((trimmed, 1));
	let number: u64 = number.parse().map_err(|_| bad("a whole number and a unit"))?;
	number.checked_mul(multiplier).ok_or_else(|| bad("too large"))
}

/// An account from the command line: SS58 (any network's format) or 0x and 64 hex digits.
pub fn parse_account(text: &str) -> Result<AccountId32, CliError> {
	let text = text.trim();
	if text.starts_with("0x") {
		return parse_hex32(text, "an account").map(AccountId32);
	}
	AccountId32::from_str(text).map_err(|_| {
		CliError::Input(format!("not an account: {text:?} (an SS58 address or 0x hex)"))
	})
}

/// Bytes as `0x` and lowercase hex.
pub fn hex0x(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

/// Bytes from hex, `0x` optional, whitespace around it ignored.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
	let text = text.trim();
	hex::decode(text.strip_prefix("0x").unwrap_or(text)).map_err(|e| format!("not hex ({e})"))
}

/// 32 bytes from 64 hex digits (`0x` optional): a key, a hash; `what` names it in the error.
pub fn parse_hex32(text: &str, what: &str) -> Result<[u8; 32], CliError> {
	parse_hex(text).ok().and_then(|bytes| bytes.try_into().ok()).ok_or_else(|| {
		CliError::Input(format!("not {what}: {text:?} (64 hex digits, 0x optional)"))
	})
}

/// The text of the file at `path` (`-`: standard input), at most `max` bytes: a longer one is
/// not `what` and is refused without reading on. The error names the file.
pub fn read_bounded(path: &std::path::Path, max: u64, what: &str) -> Result<String, String> {
	use std::io::Read;
	let unreadable = |e: std::io::Error| format!("{}: {e}", path.display());
	let mut bytes = Vec::new();
	if path.as_os_str() == "-" {
		std::io::stdin().lock().take(max + 1).read_to_end(&mut bytes).map_err(unreadable)?;
	} else {
		let file = std::fs::File::open(path).map_err(unreadable)?;
		file.take(max + 1).read_to_end(&mut bytes).map_err(unreadable)?;
	}
	if bytes.len() as u64 > max {
		return Err(format!("{}: longer than {max} bytes, not {what}", path.display()));
	}
	String::from_utf8(bytes).map_err(|_| format!("{}: not text, not {what}", path.display()))
}

/// Milliseconds since the epoch as a UTC date for people: `2026-11-23 04:05:06 UTC`.
pub fn date(millis: u64) -> String {
	utc(millis)
		.map(|time| time.format("%Y-%m-%d %H:%M:%S UTC").to_string())
		.unwrap_or_else(|| format!("{millis} ms"))
}

/// Milliseconds since the epoch for scripts: RFC 3339 (`2026-11-23T04:05:06.000Z`).
pub fn date_json(millis: u64) -> String {
	utc(millis)
		.map(|time| time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
		.unwrap_or_else(|| millis.to_string())
}

fn utc(millis: u64) -> Option<chrono::DateTime<chrono::Utc>> {
	chrono::DateTime::from_timestamp_millis(i64::try_from(millis).ok()?)
}

/// 32 bytes that are ASCII text (a hash in hex) as text, else as 0x hex.
pub fn ascii_or_hex(bytes: &[u8]) -> String {
	match std::str::from_utf8(bytes) {
		Ok(text) if text.bytes().all(|b| b.is_ascii_graphic()) => text.to_owned(),
		_ => format!("0x{}", hex::encode(bytes)),
	}
}

/// Bytes of text on chain (names, endpoints) for people.
pub fn text(bytes: &[u8]) -> String {
	String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn amounts_show_all_seven_decimals() {
		assert_eq!(tft(0), "0.0000000 TFT");
		assert_eq!(tft(125_000_000), "12.5000000 TFT");
		assert_eq!(tft(1), "0.0000001 TFT");
	}

	#[test]
	fn amounts_read_exactly() {
		assert_eq!(parse_tft("12").unwrap(), 120_000_000);
		assert_eq!(parse_tft("12.5").unwrap(), 125_000_000);
		assert_eq!(parse_tft("0.0000001").unwrap(), 1);
		assert_eq!(parse_tft(".5 TFT").unwrap(), 5_000_000);
		assert_eq!(parse_tft("1000TFT").unwrap(), 10_000_000_000);
		for bad in [
			"",
			".",
			"-1",
			"1.00000001",
			"1e3",
			"1,5",
			"12.5.1",
			"999999999999999999999999999999999",
		] {
			assert!(matches!(parse_tft(bad), Err(CliError::Input(_))), "{bad}");
		}
	}

	#[test]
	fn amounts_round_trip() {
		for units in [0, 1, 9_999_999, 10_000_000, 123_456_789_012_345] {
			let shown = tft(units);
			assert_eq!(parse_tft(&shown).unwrap(), units);
		}
	}

	#[test]
	fn sizes_read_and_show() {
		assert_eq!(parse_bytes("20GiB").unwrap(), 20 * KIB * KIB * KIB);
		assert_eq!(parse_bytes("512 MiB").unwrap(), 512 * KIB * KIB);
		assert_eq!(parse_bytes("4096").unwrap(), 4096);
		assert!(parse_bytes("20GB").is_err());
		assert!(parse_bytes("-1GiB").is_err());
		assert!(parse_bytes("99999999999TiB").is_err());
		assert_eq!(bytes(20 * KIB * KIB * KIB), "20 GiB");
		assert_eq!(bytes(3 * KIB * KIB * KIB / 2), "1.5 GiB");
		assert_eq!(bytes(512), "512 B");
	}

	#[test]
	fn accounts_read_as_ss58_or_hex() {
		let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
		let parsed = parse_account(alice).unwrap();
		assert_eq!(parsed.to_string(), alice);
		let hex = format!("0x{}", hex::encode(parsed.0));
		assert_eq!(parse_account(&hex).unwrap(), parsed);
		assert!(parse_account("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ").is_err());
		assert!(parse_account("0x1234").is_err());
	}

	#[test]
	fn files_are_read_up_to_their_bound() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("f");
		std::fs::write(&path, "0123456789").unwrap();
		assert_eq!(read_bounded(&path, 10, "a key").unwrap(), "0123456789");
		assert!(read_bounded(&path, 9, "a key")
			.unwrap_err()
			.contains("longer than 9 bytes, not a key"));
		std::fs::write(&path, [0xff, 0xfe]).unwrap();
		assert!(read_bounded(&path, 10, "a key").unwrap_err().contains("not text"));
		assert!(read_bounded(&dir.path().join("missing"), 10, "a key").is_err());
	}

	#[test]
	fn dates_are_utc() {
		assert_eq!(date(0), "1970-01-01 00:00:00 UTC");
		assert_eq!(date_json(1_500), "1970-01-01T00:00:01.500Z");
		assert_eq!(date(u64::MAX), format!("{} ms", u64::MAX));
	}
}
