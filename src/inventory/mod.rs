//! The domain model of a camera and the reader that fills it from a device.

pub mod model;

pub use model::DeviceSnapshot;
