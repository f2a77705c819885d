//! camswap's integration tests: one test binary; each module is one area.
//! Tests start real mock devices on loopback and talk to them over real sockets.

mod soap_client;
// ONVIF Device service: parsers against real camera captures, request schema validation.
mod device_captures;
mod device_requests;
// The operation table (wsdl/*.tsv) against the official WSDLs.
mod audit;
mod media_captures;
mod media_requests;
mod wsdl_conformance;
