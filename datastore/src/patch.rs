//! Serde support for "set, clear or leave alone" fields of patch types.
//!
//! A patch field of type `Option<Option<T>>` is absent (`None`: leave alone), `null`
//! (`Some(None)`: clear) or a value (`Some(Some(v))`: set). Use it as
//! `#[serde(default, skip_serializing_if = "Option::is_none", with = "crate::patch::nullable")]`.

/// (De)serializes an `Option<Option<T>>` so that `null` means "clear" rather than "absent".
pub mod nullable {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Writes the inner option: `null` for a clear, the value for a set.
    pub fn serialize<T: Serialize, S: Serializer>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    /// Reads a present field, `null` included, as `Some(..)`.
    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}
