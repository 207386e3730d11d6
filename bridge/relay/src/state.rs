//! What the relay keeps between runs: how far it read the vault's history, and the
//! transactions it could not vote for (kept with their reason, never retried in a loop). Written
//! atomically after each step, so a relay killed at any point resumes where it was: repeating a
//! vote is harmless (the chain skips it), skipping one is not.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The relay's persisted state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayState {
	/// Horizon's paging token of the last vault transaction handled.
	pub cursor: String,
	/// Transactions set aside, with why.
	pub quarantined: Vec<Quarantined>,
}

/// A vault transaction the relay could not vote for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quarantined {
	pub tx_hash: String,
	pub reason: String,
}

/// The state file in a directory.
pub struct StateFile {
	path: PathBuf,
}

impl StateFile {
	pub fn in_dir(dir: &Path) -> std::io::Result<Self> {
		std::fs::create_dir_all(dir)?;
		Ok(Self { path: dir.join("relay-state.json") })
	}

	/// The saved state, or a fresh one when there is none; a corrupt file is an error, not a
	/// fresh start (that would vote the whole history again).
	pub fn load(&self) -> std::io::Result<RelayState> {
		match std::fs::read(&self.path) {
			Ok(bytes) => serde_json::from_slice(&bytes)
				.map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(RelayState::default()),
			Err(e) => Err(e),
		}
	}

	/// Saves the state: written to a temporary file, synced, renamed over the old one.
	pub fn save(&self, state: &RelayState) -> std::io::Result<()> {
		use std::io::Write;
		let temporary = self.path.with_extension("json.tmp");
		let mut file = std::fs::File::create(&temporary)?;
		file.write_all(&serde_json::to_vec_pretty(state).map_err(std::io::Error::other)?)?;
		file.sync_all()?;
		std::fs::rename(&temporary, &self.path)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_state_survives_a_restart_and_corruption_is_not_a_fresh_start() {
		let dir = tempfile::tempdir().unwrap();
		let file = StateFile::in_dir(dir.path()).unwrap();
		assert_eq!(file.load().unwrap(), RelayState::default());
		let state = RelayState {
			cursor: "4294971392".into(),
			quarantined: vec![Quarantined { tx_hash: "ab".into(), reason: "refused".into() }],
		};
		file.save(&state).unwrap();
		assert_eq!(StateFile::in_dir(dir.path()).unwrap().load().unwrap(), state);
		std::fs::write(dir.path().join("relay-state.json"), b"{\"cursor\":").unwrap();
		assert!(file.load().is_err());
	}
}
