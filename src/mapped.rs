//! Large input files mapped into memory instead of read into it, and their
//! pages given back to the kernel as they are read.
//!
//! A long PDF is read by the loader once, whole, then in pieces as its
//! pages need their streams. Read into a buffer, the whole file stays
//! resident for the whole run (1,008 pages of fixtures/pdf: 124 MB of a
//! 275 MB peak). Mapped read-only, its pages are file cache: they count in
//! the process's resident set while mapped in, so the readers call
//! [`note_read`] with what they read and every [`RELEASE_EVERY`] bytes
//! [`release_all`] drops the pages of every live mapping
//! (`madvise(MADV_DONTNEED)`). That is safe on a read-only private file
//! mapping: a page touched again is read again from the file cache, the
//! same bytes.
//!
//! Limits: a file changed in place while it is mapped may be read half
//! old, half new, and one truncated under the run stops the process
//! (SIGBUS), as with any mapped file; so only files of at least
//! [`MAP_MIN_BYTES`] are mapped (an archive's long volumes), the others are
//! read as before.

use std::fs::File;
use std::io;
use std::ops::Deref;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Files at least this large are mapped: below it, the copy costs little
/// memory and a read is immune to the file changing underneath.
pub const MAP_MIN_BYTES: u64 = 16 << 20;

/// Bytes read from mappings between two releases: the resident share of a
/// mapped file stays about this size (plus what pages in flight hold),
/// and re-reading a page from the file cache costs little.
const RELEASE_EVERY: usize = 8 << 20;

/// Live mappings (address, length): [`release_all`] touches these only,
/// under the lock, so never a range that was unmapped meanwhile.
static LIVE: Mutex<Vec<(usize, usize)>> = Mutex::new(Vec::new());
/// Bytes read since the last release.
static READ: AtomicUsize = AtomicUsize::new(0);

/// An input file mapped read-only.
pub struct Mapped {
    ptr: *mut libc::c_void,
    len: usize,
}

// The mapping is read-only and its bytes never change under a shared
// reference (releasing pages keeps their contents).
unsafe impl Send for Mapped {}
unsafe impl Sync for Mapped {}

impl Mapped {
    /// Maps `file` (of `len` bytes, not 0) read-only.
    pub fn new(file: &File, len: usize) -> io::Result<Mapped> {
        use std::os::fd::AsRawFd;
        if len == 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "empty file"));
        }
        // SAFETY: a fresh read-only private mapping of an open file; the
        // pointer is checked against MAP_FAILED.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_PRIVATE,
                file.as_raw_fd(),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        LIVE.lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((ptr as usize, len));
        Ok(Mapped { ptr, len })
    }
}

impl Deref for Mapped {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        // SAFETY: `len` bytes mapped readable at `ptr` until drop.
        unsafe { std::slice::from_raw_parts(self.ptr as *const u8, self.len) }
    }
}

impl Drop for Mapped {
    fn drop(&mut self) {
        let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
        live.retain(|&(p, _)| p != self.ptr as usize);
        // SAFETY: our own mapping, unmapped once; no release can touch it
        // any more (it left LIVE under the lock).
        unsafe {
            libc::munmap(self.ptr, self.len);
        }
    }
}

/// Counts `bytes` read from a mapping (or from memory that may be one):
/// past [`RELEASE_EVERY`] since the last release, releases all.
pub fn note_read(bytes: usize) {
    let before = READ.fetch_add(bytes, Ordering::Relaxed);
    if before.saturating_add(bytes) >= RELEASE_EVERY {
        READ.store(0, Ordering::Relaxed);
        release_all();
    }
}

/// Gives back the resident pages of every live mapping. Cheap when there
/// is none (the common case: small files are read, not mapped).
pub fn release_all() {
    let live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
    for &(ptr, len) in live.iter() {
        // SAFETY: a live read-only private file mapping (see the module
        // comment): its pages are read again from the file when touched.
        unsafe {
            libc::madvise(ptr as *mut libc::c_void, len, libc::MADV_DONTNEED);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_mapped_file_reads_the_same_after_its_pages_are_released() {
        let mut f = tempfile::tempfile().unwrap();
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        f.write_all(&data).unwrap();
        let m = Mapped::new(&f, data.len()).unwrap();
        assert_eq!(&m[..], &data[..]);
        release_all();
        assert_eq!(&m[..], &data[..]);
        note_read(RELEASE_EVERY);
        assert_eq!(m[199_999], data[199_999]);
        drop(m);
        // No mapping left to release.
        release_all();
    }
}
