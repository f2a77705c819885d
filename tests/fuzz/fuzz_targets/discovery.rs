//! Discovery datagrams: WS-Discovery (ProbeMatches, Hello, Bye, Probe), Hikvision SADP and
//! Dahua DHIP replies. Anyone on the segment can send them, unauthenticated: each reader
//! answers with a message, `None` or an error for any bytes, never a panic.
#![no_main]

use camswap::discovery::{dhip, message, sadp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = message::parse(data);
    let _ = sadp::parse(data);
    let _ = dhip::parse(data);
});
