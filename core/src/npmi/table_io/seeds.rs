//! Generic serde helpers of the JSON reader: `DeserializeSeed`s that check a value while
//! serde_json still stands on it, so that a refusal carries the value's own line.

use alloc::string::String;
use core::fmt;
use serde::de::{self, DeserializeSeed, Deserializer, Visitor};

/// A non-negative integer written as one (serde_json hands `4.0`, `1e2` and `-1` to
/// other `visit_` methods, which refuse them), checked by the closure while serde_json
/// still stands on the number, so that a refusal carries the number's own line.
pub(super) struct Int<F>(pub(super) F);

impl<'de, T, F: FnOnce(u64) -> Result<T, String>> DeserializeSeed<'de> for Int<F> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        d.deserialize_u64(self)
    }
}

impl<'de, T, F: FnOnce(u64) -> Result<T, String>> Visitor<'de> for Int<F> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a non-negative integer")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        (self.0)(v).map_err(E::custom)
    }
}

/// A string, checked like [`Int`] while serde_json stands on it.
pub(super) struct Str<F>(pub(super) F);

impl<'de, T, F: FnOnce(&str) -> Result<T, String>> DeserializeSeed<'de> for Str<F> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de, T, F: FnOnce(&str) -> Result<T, String>> Visitor<'de> for Str<F> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.0)(v).map_err(E::custom)
    }
}

/// `null` or what the inner seed reads.
pub(super) struct Nullable<S>(pub(super) S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Nullable<S> {
    type Value = Option<S::Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for Nullable<S> {
    type Value = Option<S::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(d).map(Some)
    }
}

/// An array item past the expected count: refused before it is read, so the error
/// carries the line where the item starts. The message is built only then.
pub(super) struct NoMoreItems<'a>(pub(super) &'a dyn Fn() -> String);

impl<'de> DeserializeSeed<'de> for NoMoreItems<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, _: D) -> Result<(), D::Error> {
        Err(de::Error::custom((self.0)()))
    }
}
