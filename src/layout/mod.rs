//! Layout: lines, blocks, columns, reading order, and a role per line.
//!
//! Contract: layout never changes the text of a line (it may split a line
//! that the input glued together); it decides which lines are running text
//! and which are display, byline, caption or furniture lines.
//! - [`dump`]: pages without geometry (text dumps);
//! - [`geometry`]: pages with glyph boxes (PDF text layers);
//! - [`cues`]: wording cues shared by every input path.

pub mod cues;
pub mod dump;
pub mod geometry;
