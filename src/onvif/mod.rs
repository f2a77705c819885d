//! Typed ONVIF operations per service, on top of [`crate::soap`].
