//! camswap's integration tests: one test binary; each module is one area.
//! Tests start real mock devices on loopback and talk to them over real sockets.

// SOAP client against a raw TCP server: hostile answers, digest, wsse.
mod soap_client;
// Memory-bomb XML from one device next to a healthy one (issue 10, item 1).
mod hostile_xml;
// The operation table (wsdl/*.tsv) against the official WSDLs.
mod wsdl_conformance;
// ONVIF parsers against real camera captures; request schema validation.
mod device_captures;
mod device_requests;
mod media_captures;
mod media_requests;
// WS-Discovery: captures, quirks, sweeps, multicast in a network namespace, mock fleets.
mod discovery;
mod discovery_fleet;
// Audit: verdicts, OUI table against ieee-data, HTML in headless Chromium, policy errors.
mod audit;
// Planner CLI: --check and input errors.
mod plan_check;
// The inventory reader and `camswap inventory` against mock devices (through a recording proxy
// where a test needs to see or shape the traffic) and real captures.
mod inventory;
mod inventory_captures;
mod inventory_conformance;
mod inventory_fleet;
mod inventory_proxy;
// The whole job on a mock site: every persona and white-label variants, inventory → audit → plan.
mod site;
