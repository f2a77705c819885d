//! SOAP 1.2 over HTTP: envelopes, faults, authentication and transport.
//!
//! Knows nothing of ONVIF services: it sends a payload element to an address with an action and
//! hands back the payload element of the answer, or a typed error.

pub mod xml;
