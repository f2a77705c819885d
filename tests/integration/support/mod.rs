//! What the integration test modules share, once: where `../shared` is (schemas, captures,
//! the schema validator), how the `camswap` binary is run, golden files with redaction, and
//! SOAP envelopes around and out of payloads.

pub mod cli;
pub mod envelope;
pub mod golden;
pub mod shared;
