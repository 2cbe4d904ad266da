//! FASTA/FASTQ through needletail and the batching reader: any bytes give records or an
//! error naming the file, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = cmgems_fuzz::input_file("in.fa", data);
    match cmgems_native::fasta::read_all(&path) {
        Ok(records) => {
            for r in &records {
                assert!(r.line >= 1);
            }
        }
        Err(e) => assert!(e.to_string().contains("in.fa"), "{e}"),
    }
});
