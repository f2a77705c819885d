//! camswap's integration tests: one test binary; each module is one area.
//! Tests start real mock devices on loopback and talk to them over real sockets.

mod discovery;
