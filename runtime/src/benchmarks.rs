//! The pallets whose benchmarks the `benchmark pallet` subcommand runs.

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_registry, Registry]
	[pallet_smart_contract, SmartContract]
	[pallet_guardian, Guardian]
	[pallet_iou, Iou]
	[pallet_tft_bridge, TftBridge]
	[pallet_validators, Validators]
);
