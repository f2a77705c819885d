//! What the integration test modules share, once: where `../shared` is (schemas, captures,
//! the schema validator), how the `camswap` binary is run, golden files with redaction,
//! SOAP envelopes around and out of payloads, and mock devices started the common way.

pub mod cli;
pub mod envelope;
pub mod golden;
pub mod hostile_fleet;
pub mod mock;
pub mod shared;

/// Held by every test that installs a tracing subscriber of its own, for as long as the
/// subscriber lives. tracing keeps one global maximum level and per-callsite interest, rebuilt
/// whenever a subscriber comes or goes; two test subscribers coming and going on other threads
/// at the same moment can leave a callsite switched off for the one still capturing.
pub static TRACING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
