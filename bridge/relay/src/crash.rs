//! Crash points, for the tests of the relay's recovery: with `GRIDCHAIN_BRIDGE_CRASH_AT` set
//! to a step's name, the relay aborts (no flush, no clean-up: as if killed with SIGKILL) the
//! first time it completes that step. The end-to-end tests use them to kill relays at each
//! step of the bridge and check that, restarted, they lose nothing and pay nothing twice.
//! Unset (as operators run it), a crash point does nothing.

/// The steps a relay can be made to crash after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
	/// Its votes for deposits are in a block; its cursor is not saved yet.
	AfterVotes,
	/// Its signatures of payments are in a block; nothing submitted yet.
	AfterSignatures,
	/// A payment is in a Stellar ledger; not reported yet.
	AfterSubmission,
	/// Its reports are in a block.
	AfterReports,
}

impl Step {
	fn name(self) -> &'static str {
		match self {
			Self::AfterVotes => "after-votes",
			Self::AfterSignatures => "after-signatures",
			Self::AfterSubmission => "after-submission",
			Self::AfterReports => "after-reports",
		}
	}
}

/// Aborts the process when the environment names `step`.
pub fn point(step: Step) {
	if std::env::var("GRIDCHAIN_BRIDGE_CRASH_AT").is_ok_and(|wanted| wanted == step.name()) {
		crate::say!("warn", "crash point {}: aborting", step.name());
		std::process::abort();
	}
}
