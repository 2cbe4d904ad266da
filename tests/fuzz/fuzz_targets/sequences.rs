//! The sequence-file reader (FASTA, DNABERT/GeneMask TSV quoted or not, GUE CSV, one
//! sequence per line), then the pretraining corpus reader that turns k-mer text back into
//! nucleotides: errors name the file, nothing panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = cmgems_fuzz::input_file("in.tsv", data);
    match cmgems_native::sequences::read_sequences(&path) {
        Ok((_, seqs)) => assert!(!seqs.is_empty(), "Ok without a sequence"),
        Err(e) => assert!(e.to_string().contains("in.tsv"), "{e}"),
    }
    for k in [3, 6] {
        let k = cmgems_core::K::new(k).unwrap();
        if let Err(e) = cmgems_native::pretrain::Corpus::from_files(std::slice::from_ref(&path), k)
        {
            assert!(e.to_string().contains("in.tsv"), "{e}");
        }
    }
});
