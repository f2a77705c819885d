//! `soap::envelope::read`: payload, fault or error, never a panic.
#![no_main]

use camswap::soap::envelope;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = envelope::read(data);
});
