//! `train genome`: FASTA (gzipped or not) to a `.2bit` store, streaming.
//!
//! The text is never held: bytes are framed as they are read (core's `FastaFramer`, so a
//! 250 Mb chromosome is no different from a short record), each record's letters are packed
//! 2 bits per nucleotide into a temporary file beside the output while its N runs and
//! lower-case runs are kept as intervals, and the store (header, index, records) is written
//! at the end through `write_atomic` (a temporary file renamed into place). On any error the
//! temporary files are removed and nothing is left at the output path.

use super::sources;
use crate::error::{NativeError, Result};
use crate::fasta::CountingReader;
use crate::files::write_atomic;
use cmgems_core::input::twobit::format::{self, EncodeError, EncodedRecord, MAX_NAME_LEN};
use cmgems_core::input::twobit::RecordEncoder;
use cmgems_core::input::{FastaEvent, FastaFramer};
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// What a build stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildSummary {
    pub records: usize,
    pub nucleotides: u64,
    /// Letters stored as N (N itself and IUPAC codes).
    pub n: u64,
    /// Soft-masked (lower-case) letters.
    pub masked: u64,
    /// IUPAC ambiguity letters stored as N.
    pub ambiguous: u64,
    /// 0 (32-bit offsets) or 1 (64-bit).
    pub version: u32,
    /// Things worth telling the user (IUPAC letters, records of only N, empty records).
    pub warnings: Vec<String>,
}

/// A finished record waiting for the index.
struct Done {
    name: String,
    rec: EncodedRecord,
}

/// Removes a temporary file when dropped (error or not).
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The state of a build across files.
struct Builder {
    packed: BufWriter<File>,
    packed_path: PathBuf,
    buf: Vec<u8>,
    done: Vec<Done>,
    seen: HashMap<String, PathBuf>,
    current: Option<(String, RecordEncoder)>,
    summary: BuildSummary,
}

/// Builds the store `out` from `fastas`, in their order; `bytes_read` grows with the input
/// read (compressed bytes for .gz), for a progress bar.
pub fn build_store(
    fastas: &[PathBuf],
    out: &Path,
    bytes_read: Arc<AtomicU64>,
) -> Result<BuildSummary> {
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let file_name = out
        .file_name()
        .ok_or_else(|| NativeError::invalid(out, "not a file path"))?;
    let packed_path = dir.join(format!(
        ".{}.packed-{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let _guard = TempFile(packed_path.clone());
    let file = File::create(&packed_path).map_err(|e| NativeError::io(&packed_path, e))?;
    let mut b = Builder {
        packed: BufWriter::with_capacity(1 << 20, file),
        packed_path,
        buf: Vec::with_capacity(1 << 20),
        done: Vec::new(),
        seen: HashMap::new(),
        current: None,
        summary: BuildSummary::default(),
    };
    for path in fastas {
        b.read_file(path, bytes_read.clone())?;
    }
    if b.done.is_empty() {
        let first = fastas.first().map_or(out, PathBuf::as_path);
        return Err(NativeError::invalid(
            first,
            "holds no FASTA record (no `>` header)",
        ));
    }
    b.packed
        .flush()
        .map_err(|e| NativeError::io(&b.packed_path, e))?;
    b.write(out)?;
    if let Err(e) = sources::record(out, fastas) {
        let _ = std::fs::remove_file(out);
        return Err(e);
    }
    Ok(b.summary)
}

/// Opens `path`, gunzipping when it starts with the gzip magic.
fn open_text(path: &Path, bytes_read: Arc<AtomicU64>) -> Result<(Box<dyn Read>, bool)> {
    let file = File::open(path).map_err(|e| NativeError::io(path, e))?;
    let mut reader = BufReader::with_capacity(
        1 << 20,
        CountingReader {
            inner: file,
            read: bytes_read,
        },
    );
    let head = std::io::BufRead::fill_buf(&mut reader).map_err(|e| NativeError::io(path, e))?;
    let gz = head.starts_with(&[0x1f, 0x8b]);
    Ok(if gz {
        (Box::new(flate2::bufread::MultiGzDecoder::new(reader)), true)
    } else {
        (Box::new(reader), false)
    })
}

impl Builder {
    /// Streams one FASTA file into the packed temporary file.
    fn read_file(&mut self, path: &Path, bytes_read: Arc<AtomicU64>) -> Result<()> {
        let (mut reader, gz) = open_text(path, bytes_read)?;
        let mut framer = FastaFramer::new();
        let mut chunk = vec![0u8; 1 << 20];
        let mut error = None;
        loop {
            let n = match reader.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.read_error(path, gz, e)),
            };
            framer.push(&chunk[..n], |ev| {
                if error.is_none() {
                    error = self.event(path, ev).err();
                }
            });
            if let Some(e) = error.take() {
                return Err(e);
            }
            self.flush_packed()?;
        }
        framer.finish(|ev| {
            if error.is_none() {
                error = self.event(path, ev).err();
            }
        });
        if let Some(e) = error {
            return Err(e);
        }
        self.finish_record()?;
        self.flush_packed()
    }

    /// A read error, saying where the stream broke (a gzip cut short is the usual one).
    fn read_error(&self, path: &Path, gz: bool, e: std::io::Error) -> NativeError {
        let place = match &self.current {
            Some((name, enc)) => format!("in record `{name}` after {} nucleotides", enc.len()),
            None => "before the first record".into(),
        };
        let what = if gz {
            "the gzip stream is truncated or corrupt"
        } else {
            "reading failed"
        };
        NativeError::invalid(path, format!("{what} {place} ({e}); nothing was written"))
    }

    fn event(&mut self, path: &Path, ev: FastaEvent<'_>) -> Result<()> {
        match ev {
            FastaEvent::Record { name } => {
                self.finish_record()?;
                self.start_record(path, name)
            }
            FastaEvent::Letters {
                line,
                column,
                bytes,
            } => self.letters(path, line, column, bytes),
        }
    }

    fn start_record(&mut self, path: &Path, header: &str) -> Result<()> {
        // The name is the header's first word, as UCSC's faToTwoBit takes it.
        let name = header.split_whitespace().next().unwrap_or("");
        if name.is_empty() || name.len() > MAX_NAME_LEN {
            let n = self.done.len() + 1;
            let msg = format!(
                "record {n} has a name of {} bytes (a .2bit name holds 1 to {MAX_NAME_LEN})",
                name.len()
            );
            return Err(NativeError::invalid(path, msg));
        }
        if let Some(first) = self.seen.get(name) {
            let msg = format!(
                "record `{name}` appears twice (first in {}); a store needs unique names",
                first.display()
            );
            return Err(NativeError::invalid(path, msg));
        }
        self.seen.insert(name.to_string(), path.to_path_buf());
        self.current = Some((name.to_string(), RecordEncoder::default()));
        Ok(())
    }

    fn letters(&mut self, path: &Path, line: usize, column: usize, bytes: &[u8]) -> Result<()> {
        let Some((name, enc)) = &mut self.current else {
            let msg =
                format!("line {line}: sequence letters before the first `>` header: not FASTA");
            return Err(NativeError::invalid(path, msg));
        };
        let mut offset = 0;
        for part in bytes.split(|b| b.is_ascii_whitespace()) {
            let before = enc.len();
            match enc.push(part, &mut self.buf) {
                Ok(()) => {}
                Err(EncodeError::Invalid { position, byte }) => {
                    let col = column + offset + (position - before) as usize;
                    let msg = format!(
                        "line {line}, column {col}: record `{name}` holds {:?} at nucleotide {position}, \
                         not a nucleotide letter (A C G T N or an IUPAC code)",
                        byte as char
                    );
                    return Err(NativeError::invalid(path, msg));
                }
                Err(EncodeError::TooLong) => {
                    let msg = format!(
                        "record `{name}` passes {} nucleotides, the most a .2bit record holds",
                        u32::MAX
                    );
                    return Err(NativeError::invalid(path, msg));
                }
            }
            offset += part.len() + 1;
        }
        Ok(())
    }

    fn finish_record(&mut self) -> Result<()> {
        let Some((name, enc)) = self.current.take() else {
            return Ok(());
        };
        let rec = enc.finish(&mut self.buf);
        let s = &mut self.summary;
        let n: u64 = rec.n_blocks.iter().map(|b| u64::from(b.1)).sum();
        s.records += 1;
        s.nucleotides += u64::from(rec.dna_size);
        s.n += n;
        s.masked += rec.mask_blocks.iter().map(|b| u64::from(b.1)).sum::<u64>();
        s.ambiguous += rec.ambiguous;
        if let Some(first) = rec.first_ambiguous {
            s.warnings.push(format!(
                "record `{name}`: {} IUPAC ambiguity letters (first at nucleotide {first}) stored as N",
                rec.ambiguous
            ));
        }
        if rec.dna_size == 0 {
            s.warnings.push(format!("record `{name}` is empty"));
        } else if n == u64::from(rec.dna_size) {
            s.warnings.push(format!(
                "record `{name}` holds only N ({n} nucleotides): no piece comes from it"
            ));
        }
        self.done.push(Done { name, rec });
        Ok(())
    }

    fn flush_packed(&mut self) -> Result<()> {
        self.packed
            .write_all(&self.buf)
            .map_err(|e| NativeError::io(&self.packed_path, e))?;
        self.buf.clear();
        Ok(())
    }

    /// Writes header, index and records, copying each record's packed bytes from the
    /// temporary file in order.
    fn write(&mut self, out: &Path) -> Result<()> {
        let named: Vec<(&str, &EncodedRecord)> = self
            .done
            .iter()
            .map(|d| (d.name.as_str(), &d.rec))
            .collect();
        let (version, offsets) = format::layout(&named);
        self.summary.version = version;
        let mut packed = BufReader::new(
            File::open(&self.packed_path).map_err(|e| NativeError::io(&self.packed_path, e))?,
        );
        write_atomic(out, |w| {
            let mut head = format::header(version, named.len() as u32).to_vec();
            for ((name, _), offset) in named.iter().zip(&offsets) {
                format::index_entry(name, *offset, version, &mut head);
            }
            w.write_all(&head)?;
            for (_, rec) in &named {
                head.clear();
                rec.write_header(&mut head);
                w.write_all(&head)?;
                let copied = std::io::copy(&mut (&mut packed).take(rec.packed_len()), w)?;
                if copied != rec.packed_len() {
                    return Err(std::io::Error::other(
                        "the packed temporary file ended early",
                    ));
                }
            }
            Ok(())
        })
    }
}
