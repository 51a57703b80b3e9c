//! Source locations. Every value in the model and every finding points back
//! to the file and lines it came from, so a user can jump straight to it.

use serde::Serialize;
use std::fmt;
use std::sync::Arc;

/// A span of lines in an input file. `file` is the path as the user should
/// see it (relative to the scan root when possible).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub file: Arc<str>,
    /// 1-based first line.
    pub line: u32,
    /// 1-based last line (inclusive); equal to `line` for one-line values.
    pub end_line: u32,
}

impl Location {
    pub fn new(file: impl Into<Arc<str>>, line: u32, end_line: u32) -> Self {
        let line = line.max(1);
        Location {
            file: file.into(),
            line,
            end_line: end_line.max(line),
        }
    }

    /// A location covering a whole file when nothing finer is known.
    pub fn file_only(file: impl Into<Arc<str>>) -> Self {
        Location::new(file, 1, 1)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// Converts byte offsets into 1-based line numbers for one source text.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { line_starts }
    }

    /// 1-based line of a byte offset (offsets past the end map to the last line).
    pub fn line(&self, offset: usize) -> u32 {
        let idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        u32::try_from(idx + 1).unwrap_or(u32::MAX)
    }

    /// Location for a byte range `start..end` (end exclusive).
    pub fn location(&self, file: &Arc<str>, start: usize, end: usize) -> Location {
        let last = if end > start { end - 1 } else { start };
        Location::new(file.clone(), self.line(start), self.line(last))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_maps_offsets() {
        let idx = LineIndex::new("ab\ncd\n\nef");
        assert_eq!(idx.line(0), 1);
        assert_eq!(idx.line(2), 1);
        assert_eq!(idx.line(3), 2);
        assert_eq!(idx.line(6), 3);
        assert_eq!(idx.line(7), 4);
        assert_eq!(idx.line(100), 4);
        let f: Arc<str> = Arc::from("x.tf");
        assert_eq!(idx.location(&f, 3, 9), Location::new("x.tf", 2, 4));
    }
}
