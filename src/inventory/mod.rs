//! The reader that fills [`crate::model::DeviceSnapshot`] from a device, and the inventory
//! file that holds a site's snapshots.

pub mod file;
mod preauth;
pub mod reader;

pub use crate::model::DeviceSnapshot;
pub use file::{Inventory, verify_digests};
pub use reader::{ReadOptions, Target, read_all, read_device};
