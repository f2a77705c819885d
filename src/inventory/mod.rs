//! The domain model of a camera, the reader that fills it from a device, and the inventory
//! file that holds a site's snapshots.

pub mod file;
pub mod model;
pub mod reader;

pub use file::Inventory;
pub use model::DeviceSnapshot;
pub use reader::{ReadOptions, Target, read_all, read_device};
