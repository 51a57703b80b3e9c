//! A byte source over a `BufRead` that keeps the line number, plus a streaming
//! JSON value scanner: it finds where one JSON value ends without parsing it,
//! so a `{"Records":[...]}` file of any size is handed out one record at a time.

use std::io::{self, BufRead};

/// How a [`Src::capture`] ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CaptureEnd {
    /// The value is complete.
    Done,
    /// The input ended inside the value.
    Eof,
    /// (values mode) A `{` or `[` at the start of a line while the value was still
    /// open: the value was cut short and a new record begins; nothing of it is consumed.
    NewRecordAtLineStart,
    /// A raw line break inside a string: the value is broken (the break is not consumed).
    RawNewlineInString,
}

pub(crate) struct Src<'a> {
    r: &'a mut dyn BufRead,
    /// The line of the next byte (1-based).
    pub line: u64,
    /// Whether the next byte starts a line.
    col0: bool,
}

fn fill(r: &mut dyn BufRead) -> io::Result<&[u8]> {
    loop {
        match r.fill_buf() {
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    r.fill_buf()
}

/// Bytes that matter outside strings inside a container: quotes and brackets.
const STRUCT_NESTED: [bool; 256] = struct_table(false);
/// At the top level, `,` and whitespace also end a scalar value.
const STRUCT_TOP: [bool; 256] = struct_table(true);

const fn struct_table(top: bool) -> [bool; 256] {
    let mut t = [false; 256];
    t[b'"' as usize] = true;
    t[b'{' as usize] = true;
    t[b'[' as usize] = true;
    t[b'}' as usize] = true;
    t[b']' as usize] = true;
    if top {
        t[b',' as usize] = true;
        t[b' ' as usize] = true;
        t[b'\t' as usize] = true;
        t[b'\r' as usize] = true;
        t[b'\n' as usize] = true;
    }
    t
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

impl<'a> Src<'a> {
    pub fn new(r: &'a mut dyn BufRead) -> Self {
        Src {
            r,
            line: 1,
            col0: true,
        }
    }

    fn advance(&mut self, n: usize, newlines: u64, last: Option<u8>) {
        self.r.consume(n);
        self.line += newlines;
        if let Some(c) = last {
            self.col0 = c == b'\n';
        }
    }

    /// Parses the JSON object or array starting at the next byte when it lies wholly
    /// in the read buffer (no copy, no separate scan); `None` (nothing consumed) when
    /// it does not, or does not parse: the caller then takes the careful path.
    pub fn parse_buffered<T: serde::de::DeserializeOwned>(&mut self) -> io::Result<Option<T>> {
        let (value, n, nl, last) = {
            let buf = fill(self.r)?;
            if !matches!(buf.first(), Some(b'{' | b'[')) {
                return Ok(None);
            }
            let mut it = serde_json::Deserializer::from_slice(buf).into_iter::<T>();
            let Some(Ok(value)) = it.next() else {
                return Ok(None);
            };
            let n = it.byte_offset();
            let nl = memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
            (
                value,
                n,
                nl,
                n.checked_sub(1).and_then(|i| buf.get(i).copied()),
            )
        };
        self.advance(n, nl, last);
        Ok(Some(value))
    }

    /// Whether the object starting at the next byte opens with one of `keys` followed
    /// by an array (`{"Records":[`), judged from the read buffer.
    pub fn starts_container_object(&mut self, keys: &[&str]) -> io::Result<bool> {
        let buf = fill(self.r)?;
        let rest = buf.get(1..).unwrap_or_default();
        let rest = &rest[rest.iter().position(|c| !is_ws(*c)).unwrap_or(rest.len())..];
        Ok(keys.iter().any(|k| {
            let quoted = format!("\"{k}\"");
            rest.starts_with(quoted.as_bytes())
        }))
    }

    /// Consumes one byte (which the caller has peeked).
    pub fn bump(&mut self) -> io::Result<()> {
        let c = fill(self.r)?.first().copied();
        if let Some(c) = c {
            self.advance(1, u64::from(c == b'\n'), Some(c));
        }
        Ok(())
    }

    /// Skips a UTF-8 byte order mark at the current position.
    pub fn skip_bom(&mut self) -> io::Result<()> {
        let buf = fill(self.r)?;
        if buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
            self.r.consume(3);
        }
        Ok(())
    }

    /// Skips whitespace; returns the next byte (not consumed), or `None` at the end.
    pub fn skip_ws(&mut self) -> io::Result<Option<u8>> {
        loop {
            let (n, nl, last, found) = {
                let buf = fill(self.r)?;
                if buf.is_empty() {
                    return Ok(None);
                }
                let n = buf.iter().position(|&c| !is_ws(c)).unwrap_or(buf.len());
                let nl = buf[..n].iter().filter(|&&c| c == b'\n').count() as u64;
                (n, nl, n.checked_sub(1).map(|i| buf[i]), buf.get(n).copied())
            };
            self.advance(n, nl, last);
            if found.is_some() {
                return Ok(found);
            }
        }
    }

    /// Consumes through the end of the current line.
    pub fn skip_line(&mut self) -> io::Result<()> {
        loop {
            let (n, done) = {
                let buf = fill(self.r)?;
                if buf.is_empty() {
                    return Ok(());
                }
                match buf.iter().position(|&c| c == b'\n') {
                    Some(i) => (i + 1, true),
                    None => (buf.len(), false),
                }
            };
            self.advance(n, u64::from(done), Some(if done { b'\n' } else { b' ' }));
            if done {
                return Ok(());
            }
        }
    }

    /// Reads one line (without its `\n`/`\r\n`) into `out`; `false` at the end of input.
    pub fn read_line(&mut self, out: &mut Vec<u8>) -> io::Result<bool> {
        out.clear();
        let n = loop {
            match self.r.read_until(b'\n', out) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        if n == 0 {
            return Ok(false);
        }
        if out.last() == Some(&b'\n') {
            out.pop();
            self.line += 1;
            self.col0 = true;
            if out.last() == Some(&b'\r') {
                out.pop();
            }
        } else {
            self.col0 = false;
        }
        Ok(true)
    }

    /// Appends the raw bytes of one JSON value to `out`, starting at the next byte
    /// (which must not be whitespace), or continuing a container already opened
    /// `depth` levels deep. The value is not validated: serde does that afterwards.
    ///
    /// In `values_mode` (top-level JSON lines), a `{`/`[` at the start of a line
    /// inside an open value ends the capture with [`CaptureEnd::NewRecordAtLineStart`].
    pub fn capture(
        &mut self,
        out: &mut Vec<u8>,
        mut depth: u32,
        values_mode: bool,
    ) -> io::Result<CaptureEnd> {
        let mut in_str = false;
        let mut esc = false;
        loop {
            let col0 = self.col0;
            let (n, nl, last, end) = {
                let buf = fill(self.r)?;
                if buf.is_empty() {
                    return Ok(CaptureEnd::Eof);
                }
                let mut end = None;
                let mut i = 0;
                while i < buf.len() {
                    if in_str {
                        if esc {
                            esc = false;
                            i += 1;
                            continue;
                        }
                        // Jump to the next byte that matters inside a string.
                        let Some(k) = memchr::memchr3(b'"', b'\\', b'\n', &buf[i..]) else {
                            break;
                        };
                        i += k;
                        match buf[i] {
                            b'\\' => esc = true,
                            b'"' => {
                                in_str = false;
                                if depth == 0 {
                                    end = Some((i + 1, CaptureEnd::Done));
                                    break;
                                }
                            }
                            _ => {
                                end = Some((i, CaptureEnd::RawNewlineInString));
                                break;
                            }
                        }
                        i += 1;
                        continue;
                    }
                    // Outside strings: skip bytes that cannot change the structure.
                    let table = if depth == 0 {
                        &STRUCT_TOP
                    } else {
                        &STRUCT_NESTED
                    };
                    while i < buf.len() && !table[usize::from(buf[i])] {
                        i += 1;
                    }
                    let Some(&c) = buf.get(i) else {
                        break;
                    };
                    match c {
                        b'"' => in_str = true,
                        b'{' | b'[' => {
                            let at_line_start = if i == 0 { col0 } else { buf[i - 1] == b'\n' };
                            if values_mode && depth > 0 && at_line_start {
                                end = Some((i, CaptureEnd::NewRecordAtLineStart));
                                break;
                            }
                            depth += 1;
                        }
                        b'}' | b']' => {
                            if depth == 0 {
                                end = Some((i, CaptureEnd::Done));
                                break;
                            }
                            depth -= 1;
                            if depth == 0 {
                                end = Some((i + 1, CaptureEnd::Done));
                                break;
                            }
                        }
                        // `,` or whitespace at depth 0 (the only other bytes in the table).
                        _ => {
                            end = Some((i, CaptureEnd::Done));
                            break;
                        }
                    }
                    i += 1;
                }
                let n = end.as_ref().map_or(buf.len(), |(n, _)| *n);
                out.extend_from_slice(&buf[..n]);
                let nl = buf[..n].iter().filter(|&&c| c == b'\n').count() as u64;
                (n, nl, n.checked_sub(1).map(|i| buf[i]), end.map(|(_, e)| e))
            };
            self.advance(n, nl, last);
            if let Some(e) = end {
                return Ok(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_nested_values_across_chunks() {
        let text = b"{\"a\":[1,2,{\"b\":\"x}]\\\"\"}]}  , 42 ,\"s\\\"\" ]";
        let mut r = io::BufReader::with_capacity(3, &text[..]);
        let mut src = Src::new(&mut r);
        let mut out = Vec::new();
        assert_eq!(
            src.capture(&mut out, 0, false).expect("io"),
            CaptureEnd::Done
        );
        assert_eq!(out, b"{\"a\":[1,2,{\"b\":\"x}]\\\"\"}]}");
        assert_eq!(src.skip_ws().expect("io"), Some(b','));
        src.bump().expect("io");
        src.skip_ws().expect("io");
        out.clear();
        assert_eq!(
            src.capture(&mut out, 0, false).expect("io"),
            CaptureEnd::Done
        );
        assert_eq!(out, b"42");
        src.skip_ws().expect("io");
        src.bump().expect("io");
        src.skip_ws().expect("io");
        out.clear();
        assert_eq!(
            src.capture(&mut out, 0, false).expect("io"),
            CaptureEnd::Done
        );
        assert_eq!(out, b"\"s\\\"\"");
    }

    #[test]
    fn values_mode_detects_cut_records_and_counts_lines() {
        let text = b"{\"a\":1,\n{\"b\":2}\n";
        let mut r = io::BufReader::with_capacity(4, &text[..]);
        let mut src = Src::new(&mut r);
        let mut out = Vec::new();
        assert_eq!(
            src.capture(&mut out, 0, true).expect("io"),
            CaptureEnd::NewRecordAtLineStart
        );
        assert_eq!(src.line, 2);
        out.clear();
        assert_eq!(
            src.capture(&mut out, 0, true).expect("io"),
            CaptureEnd::Done
        );
        assert_eq!(out, b"{\"b\":2}");
    }
}
