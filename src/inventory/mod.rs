//! The domain model of a camera and the reader that fills it from a device.

pub mod file;
pub mod model;

pub use file::Inventory;
pub use model::DeviceSnapshot;
