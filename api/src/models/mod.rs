//! The JSON the API reads and writes, beyond the `datastore` types it answers as they are.
//!
//! Request bodies refuse unknown fields (a misspelt field is a 400, not silently ignored) and
//! convert into the store's input types, whose shared validation then applies.

pub mod goals;
pub mod overlay;
pub mod points;
pub mod powerups;
pub mod streamers;
pub mod tips;
pub mod tokens;
pub mod users;
pub mod viewers;
