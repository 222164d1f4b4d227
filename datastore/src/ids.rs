//! Newtype identifiers.
//!
//! Every id is its own type, so a [`StreamerId`] can never be passed where a [`UserId`] is
//! meant. Numeric ids are assigned by the backend from one sequence per kind of row (users,
//! tips, …) shared by every streamer: an id is unique among all rows of its kind in the whole
//! store, not only within one streamer. Ids increase in the order rows are created and are
//! never reused, even after their row is deleted: a stale id in a URL never names somebody
//! else's row. Text ids ([`GoalId`],
//! [`LayoutId`]) are chosen by the streamer and are unique only within that streamer.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! numeric_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// The raw number, for storage layers and URLs.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

numeric_id!(
    /// A streamer (a tenant): the owner of every other row.
    StreamerId
);
numeric_id!(
    /// A chat viewer known to one streamer.
    UserId
);
numeric_id!(
    /// A rotating tip shown on stream.
    TipId
);
numeric_id!(
    /// A row of the points ledger.
    TransactionId
);
numeric_id!(
    /// A recorded powerup purchase.
    PurchaseId
);
numeric_id!(
    /// A recorded drop-game result.
    DropId
);

macro_rules! text_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// Wraps a text id. It is validated by the store that receives it.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_id!(
    /// A goal, named by the streamer (`followers`, `subscribers`, …).
    GoalId
);
text_id!(
    /// An overlay layout, named by the streamer (`main`, `brb`, …).
    LayoutId
);
