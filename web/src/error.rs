//! Every failure reaches JavaScript as a thrown `Error` whose message is core's own words
//! (candle's wasm crates do the same: `Result<_, JsError>` at every exported boundary).

use wasm_bindgen::JsError;

/// Core's error (or any displayable one) as a JavaScript `Error` with the same message.
pub(crate) fn js_err(e: impl core::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}
