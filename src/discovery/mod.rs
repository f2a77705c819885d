//! WS-Discovery: Probe, ProbeMatches, Hello and Bye over UDP (multicast, directed, sweep).
