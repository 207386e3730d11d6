//! The farm worker's state on the node's Prometheus endpoint. The off-chain worker keeps its
//! counts in the node's off-chain storage ([`WorkerMetrics`]); this task copies them into
//! gauges every few seconds, so an operator sees pending actions per farm, attempts, failed
//! attempts, back-offs and reports next to the node's own metrics.

use codec::Decode;
use pallet_smart_contract::offchain::{WorkerMetrics, METRICS_KEY};
use sp_core::offchain::OffchainStorage;
use std::time::Duration;
use substrate_prometheus_endpoint::{
	register, Gauge, GaugeVec, Opts, PrometheusError, Registry, U64,
};

/// How often the gauges are refreshed.
const REFRESH: Duration = Duration::from_secs(3);

/// The gauges of the farm worker.
pub struct WorkerGauges {
	runs: Gauge<U64>,
	attempts: Gauge<U64>,
	failed_attempts: Gauge<U64>,
	backed_off: Gauge<U64>,
	reports_sent: Gauge<U64>,
	reports_rejected: Gauge<U64>,
	pending: GaugeVec<U64>,
}

impl WorkerGauges {
	/// Registers the gauges in the node's registry.
	pub fn register(registry: &Registry) -> Result<Self, PrometheusError> {
		let gauge = |name: &str, help: &str| register(Gauge::new(name, help)?, registry);
		Ok(Self {
			runs: gauge("gridchain_zos_worker_runs_total", "Runs of the farm worker")?,
			attempts: gauge(
				"gridchain_zos_worker_attempts_total",
				"Actions the farm worker tried on a ZOS node",
			)?,
			failed_attempts: gauge(
				"gridchain_zos_worker_failed_attempts_total",
				"Attempts that did not finish (node unreachable, refusing, or not done); each backs off",
			)?,
			backed_off: gauge(
				"gridchain_zos_worker_backed_off_total",
				"Actions passed over because they were backing off",
			)?,
			reports_sent: gauge(
				"gridchain_zos_worker_reports_sent_total",
				"Deployment reports sent to the transaction pool",
			)?,
			reports_rejected: gauge(
				"gridchain_zos_worker_reports_rejected_total",
				"Deployment reports the transaction pool did not accept",
			)?,
			pending: register(
				GaugeVec::new(
					Opts::new(
						"gridchain_zos_worker_pending_actions",
						"Pending ZOS actions of each farm this node serves, at the last run",
					),
					&["farm"],
				)?,
				registry,
			)?,
		})
	}

	fn update(&self, metrics: &WorkerMetrics) {
		self.runs.set(metrics.runs);
		self.attempts.set(metrics.attempts);
		self.failed_attempts.set(metrics.failed_attempts);
		self.backed_off.set(metrics.backed_off);
		self.reports_sent.set(metrics.reports_sent);
		self.reports_rejected.set(metrics.reports_rejected);
		self.pending.reset();
		for (farm_id, pending) in &metrics.pending_by_farm {
			self.pending.with_label_values(&[&farm_id.to_string()]).set(u64::from(*pending));
		}
	}
}

/// Copies the worker's counts from the off-chain storage into the gauges, forever.
pub async fn export_worker_metrics(storage: impl OffchainStorage, gauges: WorkerGauges) {
	loop {
		let stored = storage.get(sp_offchain::STORAGE_PREFIX, METRICS_KEY);
		if let Some(metrics) = stored.and_then(|bytes| WorkerMetrics::decode(&mut &bytes[..]).ok())
		{
			gauges.update(&metrics);
		}
		tokio::time::sleep(REFRESH).await;
	}
}
