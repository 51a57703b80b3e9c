//! Streaming log readers.
//!
//! Inputs are files, directories (walked recursively in byte order of their
//! names, hidden entries and `CloudTrail-Digest` folders skipped) or `-` for
//! standard input. Gzip is recognised by its magic bytes. The format is decided
//! by content: a file whose first non-blank byte is `{` or `[` is JSON (see
//! [`json`]), anything else is a line format (ALB, VPC flow logs, or
//! timestamp-prefixed JSON lines as exported from CloudWatch Logs).
//!
//! Records are handed to a callback one at a time; nothing holds more than one
//! record (one line, or one element of a `Records` array) at once.

pub mod json;
mod src;
mod text;

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use flate2::read::MultiGzDecoder;
use serde_json::Value;

use crate::record::{Item, Location, LogKind, Malformed, Record};
use src::Src;

pub use json::classify;

/// The name under which standard input is reported.
pub const STDIN_NAME: &str = "<stdin>";

const BUF_SIZE: usize = 256 * 1024;

/// Where readers put what they read.
pub(crate) struct Sink<'a> {
    file: Arc<str>,
    on_item: &'a mut dyn FnMut(Item),
}

impl Sink<'_> {
    fn record(&mut self, kind: LogKind, value: Value, line: u64) {
        (self.on_item)(Item::Record(Record {
            kind,
            value,
            location: Location {
                file: self.file.clone(),
                line,
            },
        }));
    }

    fn malformed(&mut self, line: u64, message: String) {
        (self.on_item)(Item::Malformed(Malformed {
            file: self.file.to_string(),
            line,
            message,
        }));
    }
}

fn skip_dir_entry(name: &str) -> bool {
    name.starts_with('.') || name == "CloudTrail-Digest"
}

/// Lists the files under `path` (itself if it is a file), recursively, in byte order.
pub fn collect_files(path: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if fs::metadata(path)?.is_dir() {
        walk(path, &mut out)?;
    } else {
        out.push(path.to_path_buf());
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    let mut entries: Vec<(PathBuf, bool)> = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if skip_dir_entry(&entry.file_name().to_string_lossy()) {
            continue;
        }
        let path = entry.path();
        let ft = entry.file_type()?;
        // Follow symlinks to files only, so a link cannot make the walk loop.
        let is_dir = ft.is_dir();
        let is_file =
            ft.is_file() || (ft.is_symlink() && fs::metadata(&path).is_ok_and(|m| m.is_file()));
        if is_dir || is_file {
            entries.push((path, is_dir));
        }
    }
    entries.sort_by(|a, b| a.0.as_os_str().cmp(b.0.as_os_str()));
    for (path, is_dir) in entries {
        if is_dir {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads every input in order (`-` is standard input) and hands each record or
/// malformed entry to `on_item`. Unreadable inputs become malformed entries at line 0.
pub fn read_inputs<P: AsRef<Path>>(inputs: &[P], on_item: &mut dyn FnMut(Item)) {
    for input in inputs {
        let input = input.as_ref();
        if input.as_os_str() == "-" {
            let stdin = io::stdin();
            read_stream(STDIN_NAME, stdin.lock(), on_item);
            continue;
        }
        match collect_files(input) {
            Ok(files) => {
                for file in files {
                    read_file(&file, on_item);
                }
            }
            Err(e) => on_item(Item::Malformed(Malformed {
                file: input.display().to_string(),
                line: 0,
                message: format!("cannot read: {e}"),
            })),
        }
    }
}

/// Reads one file (gzipped or not).
pub fn read_file(path: &Path, on_item: &mut dyn FnMut(Item)) {
    let name = path.display().to_string();
    match File::open(path) {
        Ok(f) => read_stream(&name, f, on_item),
        Err(e) => on_item(Item::Malformed(Malformed {
            file: name,
            line: 0,
            message: format!("cannot open: {e}"),
        })),
    }
}

/// Reads one stream (gzipped or not) reported under `name`.
pub fn read_stream<R: Read>(name: &str, reader: R, on_item: &mut dyn FnMut(Item)) {
    let mut sink = Sink {
        file: Arc::from(name),
        on_item,
    };
    let mut raw = BufReader::with_capacity(BUF_SIZE, reader);
    let gz = match raw.fill_buf() {
        Ok(b) => b.starts_with(&[0x1f, 0x8b]),
        Err(e) => {
            sink.malformed(0, format!("cannot read: {e}"));
            return;
        }
    };
    let mut src_reader: Box<dyn BufRead> = if gz {
        Box::new(BufReader::with_capacity(BUF_SIZE, MultiGzDecoder::new(raw)))
    } else {
        Box::new(raw)
    };
    let mut src = Src::new(&mut *src_reader);
    if let Err(e) = read_src(&mut src, &mut sink) {
        sink.malformed(src.line, format!("read error: {e}; rest of input skipped"));
    }
}

fn read_src(src: &mut Src<'_>, sink: &mut Sink<'_>) -> io::Result<()> {
    src.skip_bom()?;
    match src.skip_ws()? {
        None => Ok(()),
        Some(b'{' | b'[') => json::read_json(src, sink),
        Some(_) => text::read_text(src, sink),
    }
}

/// Reads records from an in-memory string (handy for tests and for Lambda payloads).
pub fn read_str(name: &str, text: &str) -> Vec<Item> {
    let mut items = Vec::new();
    read_stream(name, text.as_bytes(), &mut |i| items.push(i));
    items
}
