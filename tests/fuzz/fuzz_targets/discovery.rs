//! WS-Discovery datagrams (ProbeMatches, Hello, Bye, Probe).
#![no_main]

use camswap::discovery::message;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = message::parse(data);
});
