//! # stellar-sim: a simulated Stellar network behind a Horizon-compatible API
//!
//! **This is a simulator**, for end-to-end tests of the TFT bridge relay. It is one process
//! with one ledger: no consensus, no stellar-core, no history archives. Within the subset it
//! simulates it follows Stellar's and Horizon's rules, so that a relay that works against it
//! works against Horizon:
//!
//! - envelopes are decoded with SDF's `stellar-xdr` and hashed for the configured network
//!   passphrase (`sha256(network_id ‖ ENVELOPE_TYPE_TX ‖ Transaction)`);
//! - signatures are checked like stellar-core: the 4-byte hint, ed25519 (`verify_strict`),
//!   weights of the master key and the ed25519 signers against the low threshold (the
//!   transaction), the operation's threshold (medium; high for `set_options` changing weights,
//!   thresholds or signers) and unused signatures (`tx_bad_auth_extra`);
//! - sequence numbers, time bounds and fees as on Stellar: validation failures
//!   (`tx_bad_seq`, `tx_bad_auth`, `tx_too_late`, ...) are answered with HTTP 400 and change
//!   nothing; a transaction included in a ledger consumes its sequence number and pays its fee
//!   (100 stroops per operation) even if an operation fails (`tx_failed`, with each operation's
//!   code), and its operations apply all or nothing;
//! - operations: `create_account`, `payment` (native and credit assets; the issuer mints and
//!   burns without a trustline), `change_trust`, `set_options` (master weight, thresholds,
//!   ed25519 signers; flags and home domain are accepted and ignored);
//! - Horizon's JSON: accounts, transactions, a transaction's operations (`id` and
//!   `paging_token` the operation's TOID), pages with `_links` and TOID paging tokens,
//!   problem+json errors with `extras.result_codes` and a real `TransactionResult` XDR;
//! - a resubmitted transaction (same hash) is answered from the store, never applied twice.
//!
//! What it does **not** simulate: reserves and liabilities (balances only stay ≥ 0), fee
//! surge pricing (the fee charged is always the base fee), authorization flags, streaming
//! (`text/event-stream`), and Horizon endpoints other than those in [`horizon`]. Envelopes
//! using anything outside the subset (other operations, fee-bump or v0 envelopes, muxed
//! accounts, v2 preconditions, Soroban data, signer keys other than ed25519) are refused as
//! `transaction_malformed`, never half-applied. Each transaction closes its own ledger at the
//! simulated time (ledgers 1, 2, 3, ..., one transaction each, application order 1); funding
//! an account through the simulator's shortcuts closes an empty one.
//!
//! Simulator-only endpoints live under `/sim/` (clock, faults, state, funded accounts,
//! unsigned transactions); they are not Horizon. The friendbot (`/friendbot?addr=`) creates
//! accounts with 10,000 XLM directly, recording no transaction.
//!
//! `POST /sim/transactions` makes a transaction "as" an account, without its signatures (a
//! user's deposit with any memo and operations): the simulator builds a real v1 envelope
//! (fee 100 stroops per operation, the source's next sequence number, no signatures) and
//! applies it through the same path as `POST /transactions` except the signature and
//! threshold checks, which only this entry point ([`Ledger::apply_unsigned`]) skips; the
//! record, history, sequence number and fee are those of a signed transaction. See
//! [`sim_transaction`].
//!
//! Faults (`POST /sim/faults`, shown by `GET /sim/faults`) apply to Horizon endpoints, never
//! to `/sim/`: `fail_next_submissions` (with `status`), `apply_then_timeout_next`,
//! `delay_ms`, and `close_connections_next`: the next n requests get no HTTP answer at all,
//! their connection is closed, as by a server that drops connections (each request counts,
//! on a new or a kept-alive connection, and is not handled). Closing a connection needs the
//! server started by [`serve`] (see [`server`]), as the binary does.
//!
//! Modules: [`ledger`] (the state machine), [`state`] (clock and persistence), [`horizon`]
//! (HTTP), [`server`] (serving with closable connections), [`sim_transaction`] (unsigned
//! transactions).

pub mod horizon;
pub mod ledger;
pub mod server;
pub mod sim_transaction;
pub mod state;

pub use horizon::{router, AppState, Faults};
pub use ledger::{
	Account, AccountKey, CreditAsset, Ledger, LedgerState, OperationAsset, OperationDetails,
	OperationRecord, PageQuery, Rejection, Submission, TransactionRecord, Trustline,
	STANDALONE_NETWORK_PASSPHRASE,
};
pub use server::serve;
pub use sim_transaction::{UnsignedTransaction, UnsignedTransactionRequest};
pub use state::{Simulator, StateError};
