//! Text dumps as the CLI reads them: `process_dump_bytes` with the default
//! options (encoding detected, every page laid out, reflowed and split).
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsclip::pipeline::{self, Options};

fuzz_target!(init: newsclip_fuzz::init(), |bytes: &[u8]| {
    let options = Options::default();
    // An error is an answer (empty, undecodable...); only a panic, a hang
    // or a blow-up is a finding.
    let _ = newsclip_fuzz::run(|| pipeline::process_dump_bytes(bytes, "fuzz.txt", &options));
});
