//! A seeded, **synthetic** genome shaped like hg38 for benchmarks: 24 records sized like
//! GRCh38's chromosomes (times a scale), N runs where assemblies have them (telomeres, a
//! centromere, scattered gaps) and soft-masked (lower-case) stretches covering about 40%.
//! The letters are uniform random: it measures throughput and memory, not biology. It is
//! generated chunk by chunk ([`SyntheticGenome::for_each_chunk`]), so a 3.1 Gbp genome is
//! written without ever being held.

use crate::rng::SeededRng;
use alloc::string::String;
use alloc::vec::Vec;
use core::ops::Range;

/// GRCh38's primary chromosomes and their lengths (3,088,269,832 nt in all).
pub const HG38_CHROMOSOMES: [(&str, u64); 24] = [
    ("chr1", 248_956_422),
    ("chr2", 242_193_529),
    ("chr3", 198_295_559),
    ("chr4", 190_214_555),
    ("chr5", 181_538_259),
    ("chr6", 170_805_979),
    ("chr7", 159_345_973),
    ("chr8", 145_138_636),
    ("chr9", 138_394_717),
    ("chr10", 133_797_422),
    ("chr11", 135_086_622),
    ("chr12", 133_275_309),
    ("chr13", 114_364_328),
    ("chr14", 107_043_718),
    ("chr15", 101_991_189),
    ("chr16", 90_338_345),
    ("chr17", 83_257_441),
    ("chr18", 80_373_285),
    ("chr19", 58_617_616),
    ("chr20", 64_444_167),
    ("chr21", 46_709_983),
    ("chr22", 50_818_468),
    ("chrX", 156_040_895),
    ("chrY", 57_227_415),
];

/// Mean lengths of the upper-case and lower-case stretches (about 43% masked).
const UPPER_MEAN: f64 = 400.0;
const LOWER_MEAN: f64 = 300.0;

/// The genome: its seed and a scale on hg38's lengths (1.0 = 3.1 Gbp).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SyntheticGenome {
    pub seed: u64,
    pub scale: f64,
}

impl SyntheticGenome {
    /// The records' names and lengths (each at least 1,000 nt).
    pub fn records(&self) -> Vec<(String, u64)> {
        HG38_CHROMOSOMES
            .iter()
            .map(|&(name, len)| {
                (
                    String::from(name),
                    ((len as f64 * self.scale) as u64).max(1_000),
                )
            })
            .collect()
    }

    /// The N runs of a record of `len` nucleotides, in order: telomeres of 10 kb (at most 1%
    /// each), a centromere of 1% at 40%, and one gap of 1-50 kb per 20 Mb.
    pub fn n_runs(&self, record: usize, len: u64) -> Vec<Range<u64>> {
        let mut rng = SeededRng::derive(self.seed ^ 0x4E, record as u64);
        let tel = (len / 100).min(10_000);
        let mut runs = alloc::vec![0..tel];
        let bins = len / 20_000_000;
        let centre = (len * 2 / 5)..(len * 2 / 5 + len / 100);
        for b in 0..bins {
            let bin = (b * len / bins)..((b + 1) * len / bins);
            let size = 1_000 + rng.below(49_000);
            let start = bin.start + rng.below((bin.end - bin.start).saturating_sub(size).max(1));
            let gap = start..start + size;
            if gap.start >= tel
                && gap.end <= len - tel
                && (gap.end <= centre.start || gap.start >= centre.end)
            {
                runs.push(gap);
            }
        }
        runs.push(centre);
        runs.push(len - tel..len);
        runs.sort_by_key(|r| r.start);
        runs
    }

    /// Calls `out` with the letters of record `record` in chunks of at most `chunk` bytes.
    pub fn for_each_chunk(&self, record: usize, chunk: usize, mut out: impl FnMut(&[u8])) {
        let len = self.records()[record].1;
        let n_runs = self.n_runs(record, len);
        let mut letters = SeededRng::derive(self.seed, record as u64);
        let mut case = SeededRng::derive(self.seed ^ 0x6C, record as u64);
        let (mut lower, mut switch_at) = (false, 0u64);
        let mut buf = Vec::with_capacity(chunk);
        let mut pos = 0u64;
        // 32 letters per draw; what a chunk leaves of a draw starts the next chunk.
        let (mut bits, mut left) = (0u64, 0u32);
        while pos < len {
            let end = (pos + chunk as u64).min(len);
            buf.clear();
            for _ in pos..end {
                if left == 0 {
                    (bits, left) = (letters.next_u64(), 32);
                }
                buf.push(b"ACGT"[(bits & 3) as usize]);
                bits >>= 2;
                left -= 1;
            }
            // Case: alternating stretches of geometric length.
            let mut at = pos;
            while at < end {
                if switch_at <= at {
                    lower = !lower;
                    let mean = if lower { LOWER_MEAN } else { UPPER_MEAN };
                    switch_at = at + 1 + (-libm::log(case.unit_open0()) * mean) as u64;
                }
                let stop = switch_at.min(end);
                if lower {
                    buf[(at - pos) as usize..(stop - pos) as usize].make_ascii_lowercase();
                }
                at = stop;
            }
            for run in n_runs.iter().filter(|r| r.start < end && r.end > pos) {
                let (s, e) = (run.start.max(pos) - pos, run.end.min(end) - pos);
                buf[s as usize..e as usize].fill(b'N');
            }
            out(&buf);
            pos = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_hg38_sized_with_n_runs_and_soft_masking() {
        let g = SyntheticGenome {
            seed: 3,
            scale: 0.001,
        };
        let recs = g.records();
        assert_eq!(recs.len(), 24);
        assert_eq!(recs[0], ("chr1".into(), 248_956));
        let total: u64 = HG38_CHROMOSOMES.iter().map(|c| c.1).sum();
        assert_eq!(total, 3_088_269_832);
        let mut seq = Vec::new();
        g.for_each_chunk(0, 1000, |c| seq.extend_from_slice(c));
        assert_eq!(seq.len() as u64, recs[0].1);
        let n = seq.iter().filter(|&&b| b == b'N').count() as f64 / seq.len() as f64;
        let lower = seq.iter().filter(|b| b.is_ascii_lowercase()).count() as f64 / seq.len() as f64;
        assert!(n > 0.02 && n < 0.05, "N share {n}");
        assert!(lower > 0.35 && lower < 0.5, "lower-case share {lower}");
        // Chunking does not change the letters; the seed does.
        let mut other = Vec::new();
        g.for_each_chunk(0, 777, |c| other.extend_from_slice(c));
        assert!(seq == other, "chunking changed the letters");
        let mut seeded = Vec::new();
        SyntheticGenome { seed: 4, ..g }.for_each_chunk(0, 1000, |c| seeded.extend_from_slice(c));
        assert!(seq != seeded, "another seed gave the same letters");
    }
}
