//! FASTA / FASTQ (optionally gzip) reading through needletail, with byte progress.
//!
//! needletail is the field's fast FASTX parser: it handles multi-line records, CRLF and
//! gzip detection by magic bytes, so none of that is hand-written here.

use crate::error::{NativeError, Result};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// One record: its name and its sequence with line breaks removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub name: String,
    pub seq: Vec<u8>,
    /// 1-based line of the record's header in the file.
    pub line: u64,
}

impl AsRef<[u8]> for Record {
    fn as_ref(&self) -> &[u8] {
        &self.seq
    }
}

/// Counts the bytes read from the file (compressed bytes for .gz), for a progress bar.
pub(crate) struct CountingReader<R> {
    pub(crate) inner: R,
    pub(crate) read: Arc<AtomicU64>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Streams the records of a FASTA/FASTQ file to `each`, in batches of about
/// `batch_bytes` nucleotides so callers can process a batch in parallel while memory stays
/// bounded. `bytes_read` grows as the file is consumed. An empty file is an error.
pub fn for_each_batch(
    path: &Path,
    batch_bytes: usize,
    bytes_read: Arc<AtomicU64>,
    mut each: impl FnMut(Vec<Record>) -> Result<()>,
) -> Result<usize> {
    let file = std::fs::File::open(path).map_err(|e| NativeError::io(path, e))?;
    let reader = CountingReader {
        inner: file,
        read: bytes_read,
    };
    let mut parser = needletail::parse_fastx_reader(reader).map_err(|e| fasta_error(path, &e))?;
    let mut batch = Vec::new();
    let mut batch_len = 0;
    let mut records = 0;
    while let Some(rec) = parser.next() {
        let rec = rec.map_err(|e| fasta_error(path, &e))?;
        let seq = rec.seq().into_owned();
        batch_len += seq.len();
        batch.push(Record {
            name: String::from_utf8_lossy(rec.id()).into_owned(),
            seq,
            line: rec.start_line_number(),
        });
        records += 1;
        if batch_len >= batch_bytes {
            each(std::mem::take(&mut batch))?;
            batch_len = 0;
        }
    }
    if !batch.is_empty() {
        each(batch)?;
    }
    Ok(records)
}

/// Reads every record of a small file.
pub fn read_all(path: &Path) -> Result<Vec<Record>> {
    let mut all = Vec::new();
    for_each_batch(path, usize::MAX, Arc::default(), |batch| {
        all.extend(batch);
        Ok(())
    })?;
    Ok(all)
}

fn fasta_error(path: &Path, e: &needletail::errors::ParseError) -> NativeError {
    use needletail::errors::ParseErrorKind;
    let message = match e.kind {
        ParseErrorKind::EmptyFile => "the file is empty (no FASTA/FASTQ record)".to_string(),
        ParseErrorKind::Io => format!(
            "cannot read it ({}); a truncated or corrupt .gz gives this too",
            e.msg
        ),
        _ => format!("not valid FASTA/FASTQ: {e}"),
    };
    NativeError::Fasta {
        path: path.to_path_buf(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn multi_line_crlf_soft_masked_records_are_joined() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "a.fa",
            b">r1 desc\r\nACgt\r\nNNac\r\n>r2\r\nGG\r\n",
        );
        let recs = read_all(&p).unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].name, "r1 desc");
        assert_eq!(recs[0].seq, b"ACgtNNac");
        assert_eq!(recs[1].seq, b"GG");
    }

    #[test]
    fn gzip_is_detected_and_truncated_gzip_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let body: Vec<u8> = b">r\n".iter().chain([b'A'; 5000].iter()).copied().collect();
        gz.write_all(&body).unwrap();
        let bytes = gz.finish().unwrap();
        let p = write(dir.path(), "a.fa.gz", &bytes);
        assert_eq!(read_all(&p).unwrap()[0].seq.len(), 5000);
        let p = write(dir.path(), "cut.fa.gz", &bytes[..bytes.len() / 2]);
        let err = read_all(&p).unwrap_err().to_string();
        assert!(err.contains("cut.fa.gz"), "{err}");
    }

    #[test]
    fn empty_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "empty.fa", b"");
        let err = read_all(&p).unwrap_err().to_string();
        assert!(err.contains("empty.fa") && err.contains("empty"), "{err}");
    }
}
