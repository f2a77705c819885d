//! camswap's integration tests: one test binary; each module is one area.
//! Tests start real mock devices on loopback and talk to them over real sockets.

// What the modules share: ../shared, the CLI runner, golden files, envelopes.
mod support;

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
mod oui_table;
// Evidence without a login: a camera refusing the credentials is still judged.
mod preauth;
// SADP and DHIP: cameras with ONVIF off are found and audited.
mod vendor_discovery;
// NVRs: listed with their channels, planned as recorders, never matched to a camera.
mod recorders;
// Planner CLI: --check and input errors.
mod plan_check;
// The inventory reader and `camswap inventory` against mock devices (through a recording proxy
// where a test needs to see or shape the traffic) and real captures.
mod inventory;
mod inventory_captures;
mod inventory_conformance;
mod inventory_fleet;
mod inventory_proxy;
// The import rules between the modules of src/.
mod layering;
// The whole job on a mock site: every persona and white-label variants, inventory → audit → plan.
mod site;
// `-o`: stdout, devices, pipes and links as outputs.
mod output_paths;
// Exit codes and refusals: runs that did nothing useful are errors.
mod cli_errors;
// credentials.toml entries applied during inventory.
mod credentials_match;
// Hostile networks: credentials sent off the device, spoofed discovery, secrets in URIs, TLS.
mod hostile_network;
// Issue 10's must-show at CI size: a fleet with hostile cameras among the healthy ones.
mod hostile_fleet;
// Apply, verify, status and handoff: mock sites swapped for factory-default approved units.
mod apply;
// Phased rollout: waves, failure budgets, max_unavailable and canaries on a 60-camera site.
mod waves;
// The scripting interface: JSON outputs against their published schemas, completions, man page.
mod scripting;
// The README's first command: tests/demo/run.sh on the 40-device demo site, its files checked.
mod demo;
