//! What the three fuzz targets share: which panics count as findings.
//!
//! newsclip's contract is "no panic escapes the library on hostile input".
//! Some third-party decoders (lopdf, the image codecs) may panic on damaged
//! data, and the library deliberately catches those (`catch_unwind` in
//! src/pipeline.rs and src/extract/pdf) and turns them into an error for the
//! file or page, as the CLI does in production. libfuzzer-sys's own panic
//! hook aborts on *every* panic, caught or not, so [`init`] replaces it: a
//! panic the library catches is not a finding, one that escapes the entry
//! point is ([`run`] aborts, and libFuzzer saves the input as a crash).
//!
//! `NEWSCLIP_FUZZ_STRICT_PANICS=1` keeps libfuzzer-sys's hook, so that any
//! panic (also those the library catches, i.e. bugs in a dependency) aborts.

use std::sync::Mutex;

/// The last panic's message and place, printed when it escapes.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Installs the panic hook described in the module doc (call it from the
/// target's `init:`).
pub fn init() {
    if std::env::var_os("NEWSCLIP_FUZZ_STRICT_PANICS").is_some_and(|v| v == "1") {
        return;
    }
    std::panic::set_hook(Box::new(|info| {
        let message = format!("{info}");
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(message);
        }
    }));
}

/// Runs one entry point; a panic that escapes it aborts the process with
/// its message (libFuzzer then writes the input to the artifact folder).
pub fn run<T>(entry: impl FnOnce() -> T) -> T {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(entry)) {
        Ok(value) => value,
        Err(_) => {
            let message = LAST_PANIC
                .lock()
                .ok()
                .and_then(|mut last| last.take())
                .unwrap_or_else(|| "a panic with no message".to_string());
            eprintln!("newsclip-fuzz: a panic escaped the entry point: {message}");
            std::process::abort();
        }
    }
}
