//! camswap's integration tests: one test binary; each module is one area.
//! Tests start real mock devices on loopback and talk to them over real sockets.

mod soap_client;
// ONVIF Device service: parsers against real camera captures, request schema validation.
mod device_captures;
mod device_requests;
// The operation table (wsdl/*.tsv) against the official WSDLs.
mod audit;
mod discovery;
mod discovery_fleet;
mod media_captures;
mod media_requests;
mod plan_check;
mod wsdl_conformance;
// The inventory reader and `camswap inventory` against mock devices (through a recording proxy
// where a test needs to see or shape the traffic).
mod inventory;
mod inventory_captures;
mod inventory_conformance;
mod inventory_fleet;
mod inventory_proxy;
