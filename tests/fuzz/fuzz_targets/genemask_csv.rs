//! NPMI table import from the GeneMask authors' ranking CSV: any text is a table or an error.
#![no_main]
use cmgems_core::npmi::table_io;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(table) = table_io::from_genemask_csv(text) {
        let again = table_io::from_json(&table_io::to_json(&table)).expect("round trip");
        assert_eq!(again.rank_table(), table.rank_table());
    }
});
