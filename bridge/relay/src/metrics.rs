//! The relay's Prometheus metrics: what it voted, signed, submitted and reported, and what
//! went wrong, served at `/metrics` on the address given.

use substrate_prometheus_endpoint::{
	register, Counter, CounterVec, Gauge, Opts, PrometheusError, Registry, U64,
};

/// The relay's counters.
#[derive(Clone)]
pub struct Metrics {
	pub deposits_seen: Counter<U64>,
	pub deposits_voted: Counter<U64>,
	pub transactions_passed: Counter<U64>,
	pub transactions_quarantined: Counter<U64>,
	pub payments_signed: Counter<U64>,
	pub payments_submitted: Counter<U64>,
	pub payments_reported: CounterVec<U64>,
	pub errors: CounterVec<U64>,
	pub pending_payments: Gauge<U64>,
	pub horizon_lag_ledgers: Gauge<U64>,
	pub chain_finality_lag_blocks: Gauge<U64>,
	pub rounds: Counter<U64>,
}

impl Metrics {
	pub fn register(registry: &Registry) -> Result<Self, PrometheusError> {
		let counter = |name: &str, help: &str| register(Counter::new(name, help)?, registry);
		Ok(Self {
			deposits_seen: counter(
				"gridchain_bridge_deposits_seen_total",
				"TFT payments to the vault read on Stellar",
			)?,
			deposits_voted: counter(
				"gridchain_bridge_deposits_voted_total",
				"Deposits this validator voted for",
			)?,
			transactions_passed: counter(
				"gridchain_bridge_transactions_passed_total",
				"Vault transactions that were no deposit to vote for",
			)?,
			transactions_quarantined: counter(
				"gridchain_bridge_transactions_quarantined_total",
				"Vault transactions set aside after the chain refused their vote",
			)?,
			payments_signed: counter("gridchain_bridge_payments_signed_total", "Payments signed")?,
			payments_submitted: counter(
				"gridchain_bridge_payments_submitted_total",
				"Envelopes submitted to Horizon",
			)?,
			payments_reported: register(
				CounterVec::new(
					Opts::new(
						"gridchain_bridge_payments_reported_total",
						"Payment results reported",
					),
					&["result"],
				)?,
				registry,
			)?,
			errors: register(
				CounterVec::new(
					Opts::new("gridchain_bridge_errors_total", "Failed requests, by where"),
					&["source"],
				)?,
				registry,
			)?,
			pending_payments: register(
				Gauge::new("gridchain_bridge_pending_payments", "Payments pending on the chain")?,
				registry,
			)?,
			horizon_lag_ledgers: register(
				Gauge::new(
					"gridchain_bridge_horizon_lag_ledgers",
					"Ledgers between Horizon's latest and the last vault transaction read",
				)?,
				registry,
			)?,
			chain_finality_lag_blocks: register(
				Gauge::new(
					"gridchain_bridge_chain_finality_lag_blocks",
					"Blocks between the chain's best and its finalized block (the relay acts on the latter)",
				)?,
				registry,
			)?,
			rounds: counter("gridchain_bridge_rounds_total", "Rounds the relay completed")?,
		})
	}
}
