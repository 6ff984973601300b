//! The run's memory budget: how many large pages are decoded and read at
//! once.
//!
//! Contract: a page whose decoding and reading need a lot of memory (a scan
//! or a page image: its pixels, and the OCR engine's copies of them) takes a
//! [`Reservation`] of its estimated bytes before it is decoded, and gives it
//! back when the page is done. Reservations wait while the budget is spent,
//! so `-j 8` over eight huge images runs as many at once as fit, not eight.
//! Text pages (dumps, born-digital PDF text) are small and take none.
//!
//! Two exceptions keep the run moving instead of deadlocking:
//! - a request larger than the whole budget runs when nothing else holds
//!   any (alone, as the budget allows at best);
//! - a thread that already holds a reservation is never made to wait
//!   (rayon can run a second page's task on a thread blocked inside the
//!   first, and that thread would wait for itself).
//!
//! The budget is process-wide (set once by the CLI from `--memory-budget`,
//! by default a share of the machine's memory, see [`default_budget`]).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};

/// Share of the machine's memory (or of the container's limit) a run uses
/// for pages by default: the rest is for the program, the OCR engines'
/// models, the outputs and whatever else runs on the machine.
const DEFAULT_SHARE: f64 = 0.5;

/// Bytes a page needs per pixel of its decoded (gray, reduced) image while
/// it is preprocessed and read: the gray page, its deskewed and binarised
/// copies, and the OCR engine's own copies, feature maps and layout.
/// Measured on a 6,000 × 6,000 page (peak resident memory of the whole
/// process): Tesseract 276 MB, PP-OCR 740 MB (about 20 bytes a pixel) with
/// ONNX Runtime's arena off (src/extract/ocr/ppocr.rs says why).
pub const BYTES_PER_PAGE_PIXEL: u64 = 20;

struct Budget {
    total: u64,
    in_use: Mutex<u64>,
    freed: Condvar,
}

static BUDGET: OnceLock<Budget> = OnceLock::new();

thread_local! {
    /// Reservations this thread took and that are still held, wherever
    /// they went since (a page's reservation travels with its image).
    static HELD: Arc<AtomicU32> = Arc::new(AtomicU32::new(0));
}

/// Sets the budget for the whole run, in bytes. Only the first call counts
/// (the budget is fixed once pages have started); returns whether this one
/// did.
pub fn set_budget(bytes: u64) -> bool {
    BUDGET
        .set(Budget {
            total: bytes.max(1),
            in_use: Mutex::new(0),
            freed: Condvar::new(),
        })
        .is_ok()
}

fn budget() -> &'static Budget {
    BUDGET.get_or_init(|| Budget {
        total: default_budget(),
        in_use: Mutex::new(0),
        freed: Condvar::new(),
    })
}

/// The budget in bytes.
pub fn budget_bytes() -> u64 {
    budget().total
}

/// [`DEFAULT_SHARE`] of the memory this process may use: the machine's
/// (`MemTotal`), or the container's cgroup limit when that is lower. 4 GB
/// when neither can be read.
pub fn default_budget() -> u64 {
    let machine = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map(|kb| kb * 1024);
    let cgroup = [
        "/sys/fs/cgroup/memory.max",
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
    ]
    .iter()
    .find_map(|p| std::fs::read_to_string(p).ok()?.trim().parse::<u64>().ok());
    let usable = match (machine, cgroup) {
        (Some(m), Some(c)) => m.min(c),
        (Some(m), None) => m,
        (None, Some(c)) => c,
        (None, None) => 8 << 30,
    };
    (usable as f64 * DEFAULT_SHARE) as u64
}

/// Bytes held for a page; given back when dropped.
#[must_use = "the bytes are given back when the reservation is dropped"]
#[derive(Debug)]
pub struct Reservation {
    bytes: u64,
    /// The taking thread's count of held reservations.
    taker: Arc<AtomicU32>,
}

impl Reservation {
    /// The bytes held.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Gives back what is held beyond `bytes` (a page that turned out
    /// smaller than estimated, or whose decoding is over).
    pub fn shrink_to(&mut self, bytes: u64) {
        if bytes < self.bytes {
            release(self.bytes - bytes);
            self.bytes = bytes;
        }
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        give_back_freed_memory();
        release(self.bytes);
        self.taker.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Returns the memory a finished page freed to the system. glibc keeps
/// freed blocks in each thread's arena, and raises its mmap threshold after
/// large blocks are freed, so page-sized buffers end up in arenas that never
/// shrink: eight threads each holding a page's worth of freed memory took
/// 2.7 GB where the pages in flight needed 1.2 GB (tests/faults.rs).
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory; it has no
    // preconditions and is thread-safe.
    unsafe {
        libc::malloc_trim(0);
    }
}

fn release(bytes: u64) {
    let b = budget();
    let mut in_use = b.in_use.lock().unwrap_or_else(|e| e.into_inner());
    *in_use = in_use.saturating_sub(bytes);
    b.freed.notify_all();
}

/// Takes `bytes` of the budget, waiting until they are free (see the module
/// doc for when it does not wait).
pub fn reserve(bytes: u64) -> Reservation {
    let b = budget();
    // More than the whole budget can only ever run alone.
    let bytes = bytes.min(b.total);
    let taker = HELD.with(Arc::clone);
    let nested = taker.load(Ordering::Relaxed) > 0;
    let mut in_use = b.in_use.lock().unwrap_or_else(|e| e.into_inner());
    while !nested && *in_use > 0 && *in_use + bytes > b.total {
        in_use = b.freed.wait(in_use).unwrap_or_else(|e| e.into_inner());
    }
    *in_use += bytes;
    drop(in_use);
    taker.fetch_add(1, Ordering::Relaxed);
    Reservation { bytes, taker }
}

/// The estimate for a page image of `width` × `height` pixels as stored,
/// reduced by `reduced_by` (see `extract::ocr::input::ocr_reduction`)
/// while it is decoded by a decoder that holds `decoder_bytes_per_pixel`
/// of the full image at its peak (a JPEG's luma plane: 1; a progressive
/// JPEG's coefficients too: 7; a PNG read row by row: 0). The larger of the
/// decoding peak and the reading peak.
pub fn page_image_estimate(
    width: u32,
    height: u32,
    reduced_by: u32,
    decoder_bytes_per_pixel: u64,
) -> u64 {
    let full = width as u64 * height as u64;
    let by = reduced_by.max(1) as u64;
    let page = full / (by * by);
    let decoding = full * decoder_bytes_per_pixel + page;
    let reading = page * BYTES_PER_PAGE_PIXEL;
    decoding.max(reading)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_grow_with_pixels_and_shrink_with_reduction() {
        let full = page_image_estimate(6000, 6000, 1, 1);
        assert_eq!(full, 36_000_000 * BYTES_PER_PAGE_PIXEL);
        let reduced = page_image_estimate(12000, 12000, 2, 0);
        assert!(reduced < page_image_estimate(12000, 12000, 1, 0));
        assert_eq!(reduced, 36_000_000 * BYTES_PER_PAGE_PIXEL);
        // A decoder holding the full image costs more than the reduced page.
        assert!(page_image_estimate(12000, 12000, 4, 7) > page_image_estimate(12000, 12000, 4, 0));
    }
}
