//! mock devices
