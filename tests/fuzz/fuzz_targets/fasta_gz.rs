//! Gzipped inputs, whole or cut short: the first byte picks where the compressed stream is
//! truncated (255 = whole). Both FASTA and the sequence-file reader must refuse a cut file
//! with an error naming it.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let Some((&cut, body)) = data.split_first() else {
        return;
    };
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(body).unwrap();
    let mut bytes = gz.finish().unwrap();
    if cut != 255 {
        bytes.truncate(bytes.len() * cut as usize / 255);
    }
    let path = cmgems_fuzz::input_file("in.fa.gz", &bytes);
    if let Err(e) = cmgems_native::fasta::read_all(&path) {
        assert!(e.to_string().contains("in.fa.gz"), "{e}");
    }
    if let Err(e) = cmgems_native::sequences::read_sequences(&path) {
        assert!(e.to_string().contains("in.fa.gz"), "{e}");
    }
});
