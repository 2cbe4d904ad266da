//! The built-in examples of the page: core's synthetic example and two short made-up
//! sequences. None is a real genome (the project ships none).

use cmgems_core::tokenize::kmer::K;
use serde::Serialize;

/// An example the page offers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Example {
    pub name: &'static str,
    pub description: &'static str,
    pub text: String,
}

/// Made-up promoter-like sequence: a GC box, a CCAAT box, a TATA box and a (CA)n repeat
/// in a random-looking background. Invented for the demo.
const MADE_UP_PROMOTER: &str = "\
GATCCTGAAGGCTTAGCAGTACCTGGGCGGGGCTTAGGACATCTTGCCAATCAGCGTTTCAGGATTCACTGGAAGG\
TCTCGAGTTCACACACACACACACACACAGGTCTTGAGCAGTTCCAGGTATAAAAGGCAGAGCTCGTTTAGTGAAC\
CGTCAGATCGCCTGGAGACGCCATCCACGCTGTTTTGACCTCCATAGAAGACACCGGGACCGATCCAGCCTCCG";

/// A made-up two-record FASTA; the second record has an N run (an assembly gap), whose
/// k-mers become [UNK].
const MADE_UP_FASTA: &str = "\
>made_up_1 AP-1 and E-box sites
ATGCTGACTCATCAGGTTCAGCACGTGACCTTAGGCTAAGCTTGACTCATGGCATTCAGGAATCCACGTGACATTG
GCTAGCTAGGATAAGGAAGTTCCTAGGATAAGGAGCCGCTTGCGCAAGGTACCGTTGCGCAACTGAC
>made_up_2 with an assembly gap
GGAAGGAAGGAAGGAAGGAAGGAACTCTTAGCAANNNNNNNNNNNNNNNNNNNNCCGCGTGGCGGCAGTTACAGCTTAG
CCTCCCTCCCAGCTGGGAGGCTGAGGCAGGAGAATCGCTTGAACCCAGGAGGCGGAGGTTGCAGTGAGCCGAGA";

/// The examples, the k-mer text one written for the chosen k.
pub fn examples(k: K) -> Vec<Example> {
    let synthetic = cmgems_core::input::synthetic::example_sequence();
    let kmer_text = {
        let seq = &MADE_UP_PROMOTER.as_bytes()[..40];
        let words: Vec<&str> = seq
            .windows(k.get())
            .map(|w| core::str::from_utf8(w).unwrap_or_default())
            .collect();
        format!("\"{}\"", words.join(" "))
    };
    vec![
        Example {
            name: "Synthetic example (515 nt)",
            description: "SYNTHETIC: core's built-in example from the seeded generator \
                          (planted motifs, microsatellites, a repeat). Not a real genome.",
            text: String::from_utf8(synthetic).unwrap_or_default(),
        },
        Example {
            name: "Made-up promoter (226 nt)",
            description: "Invented: GC box, CCAAT box, TATA box and a (CA)n repeat.",
            text: MADE_UP_PROMOTER.into(),
        },
        Example {
            name: "Made-up FASTA, 2 records",
            description: "Invented: a multi-record FASTA (pick a record); the second has an N run.",
            text: MADE_UP_FASTA.into(),
        },
        Example {
            name: "DNABERT k-mer text",
            description: "Space-separated overlapping k-mers in quotes, as in the GeneMask TSVs.",
            text: kmer_text,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use cmgems_core::input::read_text as read_sequences;

    #[test]
    fn every_example_reads_as_dna_for_every_k() {
        for k in 3..=6 {
            let k = K::new(k).unwrap();
            for ex in examples(k) {
                let recs =
                    read_sequences(&ex.text, k).unwrap_or_else(|e| panic!("{}: {e}", ex.name));
                assert!(recs.iter().all(|r| r.seq.len() > 30), "{}", ex.name);
            }
        }
        assert_eq!(MADE_UP_PROMOTER.len(), 226);
        let fasta = read_sequences(MADE_UP_FASTA, K::SIX).unwrap();
        assert_eq!(fasta.len(), 2);
        // k-mer text of the first 40 nt reads back to exactly those 40 nt.
        let kt = &examples(K::SIX)[3];
        assert_eq!(
            read_sequences(&kt.text, K::SIX).unwrap()[0].seq,
            &MADE_UP_PROMOTER.as_bytes()[..40]
        );
    }
}
