//! One error type for the library, with the place it happened.
//!
//! A failure on one input is an `Error` naming the file (and page when
//! known); the CLI prints it, carries on with the batch and turns the
//! collected outcome into an exit code (see `ExitCode` in `main.rs`).

use std::fmt;
use std::path::PathBuf;

/// What went wrong, broadly; the CLI maps kinds to exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be read (missing, permissions, I/O).
    Io,
    /// The bytes are not text in any encoding we accept.
    Decode,
    /// The input is empty or has no usable content.
    Empty,
    /// The input is of a kind we do not handle (or not yet).
    Unsupported,
    /// The input is structurally broken (corrupt PDF, image...).
    Malformed,
    /// A gold or prediction file for `eval` is not a newsclip document.
    InvalidDocument,
}

/// Where an error happened.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    pub path: Option<PathBuf>,
    pub page: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub location: Location,
    pub message: String,
    /// What the user can do about it, when we know.
    pub hint: Option<String>,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            location: Location::default(),
            message: message.into(),
            hint: None,
        }
    }
    pub fn with_path(mut self, path: impl Into<PathBuf>) -> Error {
        self.location.path = Some(path.into());
        self
    }
    pub fn with_page(mut self, page: u32) -> Error {
        self.location.page = Some(page);
        self
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Error {
        self.hint = Some(hint.into());
        self
    }
    pub fn io(err: std::io::Error, path: impl Into<PathBuf>) -> Error {
        Error::new(ErrorKind::Io, err.to_string()).with_path(path)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.location.path {
            write!(f, "{}", path.display())?;
            if let Some(page) = self.location.page {
                write!(f, " (page {page})")?;
            }
            write!(f, ": ")?;
        } else if let Some(page) = self.location.page {
            write!(f, "page {page}: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}
