//! mock devices

pub mod discovery;
