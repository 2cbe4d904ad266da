//! Values across the boundary: JavaScript numbers in, serde values out.
//!
//! JavaScript numbers carry seeds and steps (`f64`, checked to be whole and below 2^53) so
//! the page never has to build a BigInt; small structured results go out through
//! serde-wasm-bindgen as plain objects. Per-token vectors go out as typed arrays
//! (`Vec<u8>`, `Vec<u16>`, `Vec<u32>`), which wasm-bindgen converts itself.

use crate::error::js_err;
use cmgems_core::tokenize::kmer::K;
use serde::Serialize;
use wasm_bindgen::{JsError, JsValue};

/// A serde value as a JavaScript value.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    // Maps as plain objects (the page reads `stats.masked_share`), `None` as `null`.
    let ser = serde_wasm_bindgen::Serializer::new()
        .serialize_maps_as_objects(true)
        .serialize_missing_as_null(true);
    value.serialize(&ser).map_err(js_err)
}

/// The page's k, checked by core (3 to 6).
pub(crate) fn k_of(k: usize) -> Result<K, JsError> {
    K::new(k).map_err(js_err)
}

/// A whole number that JavaScript holds exactly.
pub(crate) fn whole(name: &str, x: f64) -> Result<u64, JsError> {
    if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= 9_007_199_254_740_991.0 {
        Ok(x as u64)
    } else {
        Err(JsError::new(&format!(
            "{name} must be a whole number from 0 to 2^53 - 1, got {x}"
        )))
    }
}
