//! newsclip turns newspaper pages into article-level structured data.
//!
//! The pipeline, in order (see [`pipeline`]):
//! 1. [`extract`]: input bytes to [`model::Page`]s of lines (dumps) or
//!    glyphs/words with boxes.
//! 2. [`layout`]: lines, blocks, columns, reading order, and a role for each
//!    line (body, heading, byline, caption...).
//! 3. [`reflow`]: body lines rejoined into whole paragraphs, justification
//!    spaces removed, Latin hyphenation resolved.
//! 4. [`split`]: headings, bylines, captions and paragraphs assembled into
//!    [`model::Article`]s.
//! 5. [`output`]: JSON, JSON Lines and plain text writers.
//!
//! [`batch`] runs many inputs: output naming, manifest, shards, the run
//! journal and `--resume` (shared by the CLI and the Python package).
//!
//! [`eval`] scores a document against a gold document; it depends on the
//! model only, never on the stages it grades.
//!
//! [`debug`] draws what layout decided (blocks by role, regions, separators,
//! figures, reading order) over the page image, for `newsclip debug`.

pub mod batch;
pub mod debug;
pub mod error;
pub mod eval;
pub mod extract;
pub mod layout;
pub mod mapped;
pub mod memory;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod reflow;
pub mod script;
pub mod split;

pub use error::{Error, ErrorKind, Result};
