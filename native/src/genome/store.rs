//! [`Genome`]: a `.2bit` store memory-mapped read-only, so every process on a machine (ranks,
//! DataLoader workers) shares one copy of the genome through the page cache.

use super::sources;
use crate::error::{NativeError, Result};
use cmgems_core::input::genome::{GenomePieces, GenomeSamplerConfig, HeldOutRegion};
use cmgems_core::input::twobit::{RecordView, TwoBitError, TwoBitIndex};
use cmgems_core::input::RecordLayout;
use cmgems_core::Piece;
use cmgems_core::Tokenizer;
use memmap2::Mmap;
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// True when `path` starts with the `.2bit` signature (either byte order): the store is
/// recognised by its content, whatever its name.
pub fn is_twobit(path: &Path) -> Result<bool> {
    let mut magic = [0u8; 4];
    let mut file = std::fs::File::open(path).map_err(|e| NativeError::io(path, e))?;
    let mut got = 0;
    while got < 4 {
        match file
            .read(&mut magic[got..])
            .map_err(|e| NativeError::io(path, e))?
        {
            0 => return Ok(false),
            n => got += n,
        }
    }
    let word = u32::from_le_bytes(magic);
    let sig = cmgems_core::input::twobit::format::SIGNATURE;
    Ok(word == sig || word.swap_bytes() == sig)
}

/// Where the bytes live: a mapping, or (for a file too short to map) nothing.
enum Bytes {
    Mapped(Mmap),
    Empty,
}

/// An open genome store: the mapping, its validated index and each record's layout (name,
/// length, N runs). Memory beyond the shared mapping: the index, a few bytes per record and
/// per N run.
pub struct Genome {
    path: PathBuf,
    bytes: Bytes,
    index: TwoBitIndex,
    layouts: Vec<RecordLayout>,
}

impl std::fmt::Debug for Genome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Genome")
            .field("path", &self.path)
            .field("records", &self.layouts.len())
            .field("nucleotides", &self.index.total_len())
            .finish()
    }
}

impl Genome {
    /// Maps `path` and reads its index; refuses a file that is not a `.2bit` store (naming
    /// the byte offset and record) and a store whose recorded source FASTA changed since it
    /// was built ([`sources::check`]).
    pub fn open(path: &Path) -> Result<Genome> {
        let file = std::fs::File::open(path).map_err(|e| NativeError::io(path, e))?;
        let len = file.metadata().map_err(|e| NativeError::io(path, e))?.len();
        let bytes = if len == 0 {
            Bytes::Empty
        } else {
            // SAFETY: the mapping is read-only and private to this process's view; stores
            // are written to a temporary file and renamed (never modified in place), so the
            // mapped inode does not change under us. A process truncating it on purpose
            // could still fault the reader (SIGBUS), as for any mmap reader.
            Bytes::Mapped(unsafe { Mmap::map(&file) }.map_err(|e| NativeError::io(path, e))?)
        };
        let slice: &[u8] = match &bytes {
            Bytes::Mapped(m) => m,
            Bytes::Empty => &[],
        };
        let twobit = |source| NativeError::TwoBit {
            path: path.to_path_buf(),
            source,
        };
        let index = TwoBitIndex::parse(slice).map_err(twobit)?;
        let layouts = index.layouts(slice).map_err(twobit)?;
        sources::check(path)?;
        Ok(Genome {
            path: path.to_path_buf(),
            bytes,
            index,
            layouts,
        })
    }

    fn slice(&self) -> &[u8] {
        match &self.bytes {
            Bytes::Mapped(m) => m,
            Bytes::Empty => &[],
        }
    }

    /// The store's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The validated index (records, names, version).
    pub fn index(&self) -> &TwoBitIndex {
        &self.index
    }

    /// Each record's name, length and N runs, in file order.
    pub fn layouts(&self) -> &[RecordLayout] {
        &self.layouts
    }

    /// Total nucleotides.
    pub fn len(&self) -> u64 {
        self.index.total_len()
    }

    /// True for a store of no nucleotides.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Record `i` over the mapping.
    pub fn record(&self, i: usize) -> Result<RecordView<'_>> {
        self.index.view(self.slice(), i).map_err(|e| self.error(e))
    }

    /// A store error, with the store's path.
    fn error(&self, source: TwoBitError) -> NativeError {
        NativeError::TwoBit {
            path: self.path.clone(),
            source,
        }
    }

    /// Appends nucleotides `range` of record `i` to `out`: upper-case A/C/G/T and N.
    pub fn decode(&self, i: usize, range: Range<u64>, out: &mut Vec<u8>) -> Result<()> {
        self.record(i)?
            .decode(range, out)
            .map_err(|e| self.error(e))
    }

    /// Writes the letters of `piece` (cut with k-mer length `k`) into `out` (cleared first).
    pub fn piece_letters(&self, piece: &Piece, k: cmgems_core::K, out: &mut Vec<u8>) -> Result<()> {
        let nts = piece.nucleotides(k);
        out.clear();
        self.decode(piece.record, nts.start as u64..nts.end as u64, out)
    }

    /// Writes `[CLS] k-mer ids [SEP]` of `piece` (cut with `tokenizer`'s k) into `out`, as
    /// ids of any integer type (`i64` for torch); a k-mer touching an N is `[UNK]`.
    /// `letters` is scratch for the decoded letters.
    pub fn piece_ids<T: From<u32> + Copy>(
        &self,
        piece: &Piece,
        tokenizer: &Tokenizer,
        letters: &mut Vec<u8>,
        out: &mut Vec<T>,
    ) -> Result<()> {
        self.piece_letters(piece, tokenizer.k(), letters)?;
        tokenizer.encode_nucleotides_as(letters, out);
        Ok(())
    }

    /// The genome's pieces under `config` with `held_out` regions
    /// (`cmgems_core::input::genome`): counted from the index alone, no letter read.
    pub fn pieces(
        &self,
        held_out: &[HeldOutRegion],
        config: GenomeSamplerConfig,
    ) -> Result<GenomePieces> {
        GenomePieces::new(&self.layouts, held_out, config)
            .map_err(|e| NativeError::core(&self.path, e))
    }

    /// [`Genome::pieces`] with every piece listed ([`GenomePieces::listed`]: six bytes a
    /// piece): for random access at data-loader rates, as the Python `GenomeDataset` reads.
    pub fn listed_pieces(
        &self,
        held_out: &[HeldOutRegion],
        config: GenomeSamplerConfig,
    ) -> Result<GenomePieces> {
        GenomePieces::listed(&self.layouts, held_out, config)
            .map_err(|e| NativeError::core(&self.path, e))
    }
}
