//! `gridchain-bridge`: the relay each validator of the Stellar bridge runs. It watches the
//! vault on Stellar (through Horizon) and gridchain (through the typed client), votes for
//! deposits, signs the payments the chain fixed, submits them and reports their results. The
//! chain decides; the relay only reports what it saw and signs what the chain fixed after
//! rebuilding it with SDF's XDR types.

pub mod chain;
pub mod crash;
pub mod deposits;
pub mod horizon;
pub mod metrics;
pub mod payments;
pub mod relay;
pub mod state;
