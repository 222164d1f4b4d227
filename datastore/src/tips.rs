//! Tips: the rotating messages shown on stream.

use crate::clock::Timestamp;
use crate::error::StoreResult;
use crate::ids::{StreamerId, TipId};
use crate::validate;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// A rotating tip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Tip {
    /// Assigned by the store.
    pub id: TipId,
    /// The text shown.
    pub content: String,
    /// Whether it is shown.
    pub enabled: bool,
    /// Tips are shown by sort order, then id.
    pub sort_order: i64,
    /// When it was created.
    pub created_at: Timestamp,
}

/// A tip to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NewTip {
    /// See [`Tip::content`]; 1 to [`validate::MAX_TEXT_CHARS`] characters.
    pub content: String,
    /// See [`Tip::enabled`].
    #[serde(default = "yes")]
    pub enabled: bool,
    /// See [`Tip::sort_order`]; within ±[`validate::MAX_SORT_ORDER`].
    #[serde(default)]
    pub sort_order: i64,
}

fn yes() -> bool {
    true
}

impl NewTip {
    /// An enabled tip with sort order 0.
    pub fn new(content: impl Into<String>) -> Self {
        NewTip {
            content: content.into(),
            enabled: true,
            sort_order: 0,
        }
    }

    /// Refuses what the contract does not accept.
    pub fn validate(&self) -> StoreResult<()> {
        validate::text("content", &self.content, 1, validate::MAX_TEXT_CHARS)?;
        validate::in_range(
            "sort_order",
            self.sort_order,
            -validate::MAX_SORT_ORDER,
            validate::MAX_SORT_ORDER,
        )
    }
}

/// Changes to a tip; absent fields are left alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TipPatch {
    /// See [`Tip::content`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// See [`Tip::enabled`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// See [`Tip::sort_order`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_order: Option<i64>,
}

impl TipPatch {
    /// Refuses what the contract does not accept (each present field, as for
    /// [`NewTip::validate`]).
    pub fn validate(&self) -> StoreResult<()> {
        if let Some(c) = &self.content {
            validate::text("content", c, 1, validate::MAX_TEXT_CHARS)?;
        }
        if let Some(o) = self.sort_order {
            validate::in_range(
                "sort_order",
                o,
                -validate::MAX_SORT_ORDER,
                validate::MAX_SORT_ORDER,
            )?;
        }
        Ok(())
    }

    /// `current` with this patch applied.
    pub fn apply_to(&self, current: &Tip) -> Tip {
        Tip {
            content: self
                .content
                .clone()
                .unwrap_or_else(|| current.content.clone()),
            enabled: self.enabled.unwrap_or(current.enabled),
            sort_order: self.sort_order.unwrap_or(current.sort_order),
            ..current.clone()
        }
    }
}

/// Tips of one streamer.
///
/// Tenant rule for every method: a tip id of another streamer behaves exactly like an id that
/// does not exist (`None`, or `NotFound(Tip)`), and a write aimed at it changes nothing.
#[async_trait]
pub trait TipStore: Send + Sync {
    /// The enabled tips, by sort order then id.
    async fn list_enabled_tips(&self, streamer: StreamerId) -> StoreResult<Vec<Tip>>;

    /// All tips, by sort order then id.
    async fn list_tips(&self, streamer: StreamerId) -> StoreResult<Vec<Tip>>;

    /// The tip, or `None`.
    async fn get_tip(&self, streamer: StreamerId, tip: TipId) -> StoreResult<Option<Tip>>;

    /// Creates a tip.
    ///
    /// Errors: `InvalidInput`; `NotFound(Streamer)` when the streamer does not exist.
    async fn create_tip(&self, streamer: StreamerId, tip: NewTip) -> StoreResult<Tip>;

    /// Changes the given fields of a tip.
    ///
    /// Errors: `NotFound(Tip)`; `InvalidInput`.
    async fn update_tip(
        &self,
        streamer: StreamerId,
        tip: TipId,
        patch: TipPatch,
    ) -> StoreResult<Tip>;

    /// Deletes a tip.
    ///
    /// Errors: `NotFound(Tip)`.
    async fn delete_tip(&self, streamer: StreamerId, tip: TipId) -> StoreResult<()>;
}
