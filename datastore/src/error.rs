//! The contract's error type.
//!
//! Every error a store returns is one of these variants; callers (the HTTP API) map each to a
//! status code. The variants carry no ids and no text taken from stored rows, so an error about
//! another streamer's resource cannot differ from the error about a resource that does not exist.

use crate::powerup_type::PowerupType;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a store operation can fail with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StoreError {
    /// The addressed resource does not exist for this streamer. Another streamer's resource
    /// gives exactly this error.
    #[error("{resource} not found")]
    NotFound {
        /// Which kind of resource was missing.
        resource: Resource,
    },
    /// A row with this unique value already exists.
    #[error("{what} already exists")]
    Conflict {
        /// Which unique value collided.
        what: ConflictKind,
    },
    /// A spend or purchase costs more than the user's channel points; nothing changed.
    #[error("insufficient points: the balance is {balance}, {required} are required")]
    InsufficientPoints {
        /// The user's channel points when the spend was refused.
        balance: i64,
        /// What the spend needed.
        required: i64,
    },
    /// `use` of a powerup the user holds none of; nothing changed.
    #[error("no {powerup} powerup left")]
    NoPowerupLeft {
        /// The powerup that was asked for.
        powerup: PowerupType,
    },
    /// A purchase of a powerup the streamer has disabled; nothing changed.
    #[error("the {powerup} powerup is disabled")]
    PowerupDisabled {
        /// The disabled powerup.
        powerup: PowerupType,
    },
    /// An argument is out of range or malformed; nothing changed.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The argument at fault, as the contract names it.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The storage itself failed (I/O, corruption, a bug). The operation changed nothing.
    #[error("storage failure: {message}")]
    Backend {
        /// A description for the operator's logs.
        message: String,
    },
}

impl StoreError {
    /// `NotFound` for `resource`.
    pub fn not_found(resource: Resource) -> Self {
        StoreError::NotFound { resource }
    }

    /// `Conflict` on `what`.
    pub fn conflict(what: ConflictKind) -> Self {
        StoreError::Conflict { what }
    }

    /// `InvalidInput` on `field` with `reason`.
    pub fn invalid(field: &str, reason: impl Into<String>) -> Self {
        StoreError::InvalidInput {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }

    /// `Backend` with `message`.
    pub fn backend(message: impl fmt::Display) -> Self {
        StoreError::Backend {
            message: message.to_string(),
        }
    }
}

/// Result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// Kinds of resource a [`StoreError::NotFound`] can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    /// A streamer.
    Streamer,
    /// A user of the streamer.
    User,
    /// A powerup configuration.
    Powerup,
    /// An overlay setting.
    OverlaySetting,
    /// An overlay layout.
    Layout,
    /// A tip.
    Tip,
    /// A goal.
    Goal,
    /// An OAuth token.
    OAuthToken,
    /// A viewer session.
    UserSession,
    /// A streamer (admin) session.
    StreamerSession,
    /// A verification code.
    VerificationCode,
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Resource::Streamer => "streamer",
            Resource::User => "user",
            Resource::Powerup => "powerup",
            Resource::OverlaySetting => "overlay setting",
            Resource::Layout => "layout",
            Resource::Tip => "tip",
            Resource::Goal => "goal",
            Resource::OAuthToken => "oauth token",
            Resource::UserSession => "session",
            Resource::StreamerSession => "streamer session",
            Resource::VerificationCode => "verification code",
        })
    }
}

/// Unique values a [`StoreError::Conflict`] can name.
///
/// Uniqueness of tenant data is always per streamer, so a conflict can only ever be caused by
/// the caller's own rows, or (for streamers themselves) by the operator's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// A streamer with this username (ignoring ASCII case).
    StreamerUsername,
    /// A streamer with this Kick user id.
    KickUserId,
    /// A session of this streamer with the same token hash.
    SessionToken,
    /// Another layout of this streamer with the same name (ignoring ASCII case).
    LayoutName,
}

impl fmt::Display for ConflictKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConflictKind::StreamerUsername => "a streamer with this username",
            ConflictKind::KickUserId => "a streamer with this Kick user id",
            ConflictKind::SessionToken => "a session with this token",
            ConflictKind::LayoutName => "a layout with this name",
        })
    }
}
