//! Reading NDJSON in numbered chunks of lines, with a hard cap on line length.
//!
//! A line longer than [`MAX_LINE_BYTES`] is never held in memory: the reader
//! keeps the first bytes up to the cap, sees that no newline came, and skips
//! the rest of the line through the buffered reader, counting it. Blank lines
//! (only whitespace) are skipped but still counted, so line numbers always
//! match what an editor shows (1-based).

use std::io::{self, BufRead, Read};
use std::ops::Range;

/// Longest accepted line, in bytes (without the newline): the engine's limit for one case.
pub const MAX_LINE_BYTES: usize = hepatica_engine::parse::MAX_CASE_BYTES;

/// One non-blank input line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number in the input.
    pub number: u64,
    /// The line's text (a range of [`Chunk::data`]), or its length if it was too long to keep.
    pub body: Body,
}

/// What a chunk holds for one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// Bytes of the line, without the line ending, as a range of [`Chunk::data`].
    Text(Range<usize>),
    /// The line was longer than [`MAX_LINE_BYTES`]; this is its full length in bytes.
    TooLong(u64),
}

/// A run of consecutive lines, sharing one buffer.
#[derive(Debug, Default)]
pub struct Chunk {
    /// All kept line bytes, back to back.
    pub data: Vec<u8>,
    /// The non-blank lines, in input order.
    pub lines: Vec<Line>,
    /// Blank lines skipped in this chunk.
    pub blank: u64,
    /// Input bytes consumed for this chunk (for progress).
    pub bytes_read: u64,
}

impl Chunk {
    /// The bytes of a line kept in this chunk.
    pub fn text(&self, range: &Range<usize>) -> &[u8] {
        &self.data[range.clone()]
    }
}

/// Reads an NDJSON stream as [`Chunk`]s of at most `max_lines` lines or about `max_bytes` bytes.
pub struct ChunkReader<R> {
    input: R,
    next_line: u64,
    max_lines: usize,
    max_bytes: usize,
    done: bool,
}

impl<R: BufRead> ChunkReader<R> {
    /// A reader starting at line 1.
    pub fn new(input: R, max_lines: usize, max_bytes: usize) -> ChunkReader<R> {
        ChunkReader { input, next_line: 1, max_lines: max_lines.max(1), max_bytes: max_bytes.max(1), done: false }
    }

    /// The next chunk, or `None` at the end of the input.
    pub fn next_chunk(&mut self) -> io::Result<Option<Chunk>> {
        if self.done {
            return Ok(None);
        }
        let mut chunk = Chunk::default();
        while chunk.lines.len() < self.max_lines && chunk.data.len() < self.max_bytes {
            let start = chunk.data.len();
            let limit = MAX_LINE_BYTES as u64 + 2; // room for "\r\n" after a line of exactly the limit
            let n = (&mut self.input).take(limit).read_until(b'\n', &mut chunk.data)?;
            if n == 0 {
                self.done = true;
                break;
            }
            chunk.bytes_read += n as u64;
            let number = self.next_line;
            self.next_line += 1;
            let ended = chunk.data.last() == Some(&b'\n');
            if !ended && n as u64 == limit {
                // Too long: drop what was kept and skip to the end of the line without storing it.
                chunk.data.truncate(start);
                let (skipped, newline) = skip_line(&mut self.input)?;
                chunk.bytes_read += skipped + u64::from(newline);
                chunk.lines.push(Line { number, body: Body::TooLong(n as u64 + skipped) });
                continue;
            }
            let mut end = chunk.data.len();
            if ended {
                end -= 1;
                if end > start && chunk.data[end - 1] == b'\r' {
                    end -= 1;
                }
            }
            if end - start > MAX_LINE_BYTES {
                chunk.data.truncate(start);
                chunk.lines.push(Line { number, body: Body::TooLong((end - start) as u64) });
                continue;
            }
            chunk.data.truncate(end);
            if chunk.data[start..].iter().all(u8::is_ascii_whitespace) {
                chunk.data.truncate(start);
                chunk.blank += 1;
                continue;
            }
            chunk.lines.push(Line { number, body: Body::Text(start..end) });
        }
        if chunk.lines.is_empty() && chunk.blank == 0 {
            return Ok(None);
        }
        Ok(Some(chunk))
    }
}

/// Consumes input up to and including the next newline without storing it.
/// Returns the bytes skipped before the newline and whether a newline ended the line.
fn skip_line<R: BufRead>(input: &mut R) -> io::Result<(u64, bool)> {
    let mut skipped = 0u64;
    loop {
        let buf = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok((skipped, false));
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                input.consume(i + 1);
                return Ok((skipped + i as u64, true));
            }
            None => {
                let len = buf.len();
                input.consume(len);
                skipped += len as u64;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(input: &[u8], max_lines: usize) -> Vec<(u64, Result<String, u64>)> {
        let mut r = ChunkReader::new(input, max_lines, 1 << 20);
        let mut out = Vec::new();
        while let Some(c) = r.next_chunk().unwrap() {
            for l in &c.lines {
                out.push((
                    l.number,
                    match &l.body {
                        Body::Text(range) => Ok(String::from_utf8_lossy(c.text(range)).into_owned()),
                        Body::TooLong(n) => Err(*n),
                    },
                ));
            }
        }
        out
    }

    #[test]
    fn numbers_lines_and_skips_blank_ones() {
        let got = read_all(b"a\n\n  \r\nb\r\nc", 2);
        assert_eq!(got, vec![(1, Ok("a".into())), (4, Ok("b".into())), (5, Ok("c".into()))]);
    }

    #[test]
    fn too_long_lines_are_reported_and_skipped_without_keeping_them() {
        let mut input = Vec::new();
        input.extend_from_slice(b"first\n");
        input.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 10));
        input.extend_from_slice(b"\nlast\n");
        let got = read_all(&input, 100);
        assert_eq!(got, vec![(1, Ok("first".into())), (2, Err(MAX_LINE_BYTES as u64 + 10)), (3, Ok("last".into()))]);
    }

    #[test]
    fn a_line_of_exactly_the_limit_is_kept() {
        let mut input = vec![b'y'; MAX_LINE_BYTES];
        input.extend_from_slice(b"\r\nz");
        let got = read_all(&input, 100);
        assert_eq!(got.len(), 2);
        assert!(matches!(&got[0], (1, Ok(s)) if s.len() == MAX_LINE_BYTES));
        assert_eq!(got[1], (2, Ok("z".into())));
        let mut over = vec![b'y'; MAX_LINE_BYTES + 1];
        over.push(b'\n');
        assert_eq!(read_all(&over, 100), vec![(1, Err(MAX_LINE_BYTES as u64 + 1))]);
    }

    #[test]
    fn chunks_respect_the_line_cap() {
        let input = b"1\n2\n3\n4\n5\n";
        let mut r = ChunkReader::new(&input[..], 2, 1 << 20);
        let mut sizes = Vec::new();
        while let Some(c) = r.next_chunk().unwrap() {
            sizes.push(c.lines.len());
        }
        assert_eq!(sizes, vec![2, 2, 1]);
    }
}
