//! Everything one streamer owns: the export as one value ([`StreamerExport`]) and as a stream
//! of parts ([`crate::ReportStore::stream_export`]), one row at a time in the order of the
//! export's fields, so that a large streamer's export never has to be held in memory at once.

use crate::cooldowns::Cooldown;
use crate::goals::Goal;
use crate::overlay::{OverlayLayout, OverlaySetting, Theme};
use crate::points::{DropRecord, PointTransaction, UserPoints};
use crate::powerups::{InventoryRow, PowerupConfig, PowerupPurchase};
use crate::sessions::{AdminKey, StreamerSession, UserSession};
use crate::streamers::Streamer;
use crate::tips::Tip;
use crate::tokens::OAuthToken;
use crate::users::User;
use crate::verification::VerificationCode;
use serde::{Deserialize, Serialize};

/// Everything one streamer owns. Each list is in a fixed order (by id or key, as noted), so two
/// exports of the same data are equal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamerExport {
    /// The streamer.
    pub streamer: Streamer,
    /// By id.
    pub users: Vec<User>,
    /// Balance rows by user id (users who never had points have none).
    pub points: Vec<UserPoints>,
    /// The ledger, by id.
    pub transactions: Vec<PointTransaction>,
    /// By user id, then powerup id.
    pub inventory: Vec<InventoryRow>,
    /// By id.
    pub purchases: Vec<PowerupPurchase>,
    /// By id.
    pub drops: Vec<DropRecord>,
    /// By user id, then command.
    pub cooldowns: Vec<Cooldown>,
    /// By token hash.
    pub user_sessions: Vec<UserSession>,
    /// By token hash.
    pub streamer_sessions: Vec<StreamerSession>,
    /// The admin key (its hash), when set.
    pub admin_key: Option<AdminKey>,
    /// In the order they were first issued.
    pub verification_codes: Vec<VerificationCode>,
    /// By provider.
    pub oauth_tokens: Vec<OAuthToken>,
    /// By id.
    pub powerups: Vec<PowerupConfig>,
    /// By key.
    pub overlay_settings: Vec<OverlaySetting>,
    /// By id.
    pub layouts: Vec<OverlayLayout>,
    /// The theme, when set.
    pub theme: Option<Theme>,
    /// By id.
    pub tips: Vec<Tip>,
    /// By id.
    pub goals: Vec<Goal>,
}

/// The sections of an export, in order: each is the name of a field of [`StreamerExport`],
/// and `true` when it holds a list (`false`: one value, or none).
pub const SECTIONS: &[(&str, bool)] = &[
    ("streamer", false),
    ("users", true),
    ("points", true),
    ("transactions", true),
    ("inventory", true),
    ("purchases", true),
    ("drops", true),
    ("cooldowns", true),
    ("user_sessions", true),
    ("streamer_sessions", true),
    ("admin_key", false),
    ("verification_codes", true),
    ("oauth_tokens", true),
    ("powerups", true),
    ("overlay_settings", true),
    ("layouts", true),
    ("theme", false),
    ("tips", true),
    ("goals", true),
];

/// One row of an export; the variant names its section ([`SECTIONS`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum ExportPart {
    Streamer(Streamer),
    User(User),
    Points(UserPoints),
    Transaction(PointTransaction),
    Inventory(InventoryRow),
    Purchase(PowerupPurchase),
    Drop(DropRecord),
    Cooldown(Cooldown),
    UserSession(UserSession),
    StreamerSession(StreamerSession),
    AdminKey(AdminKey),
    VerificationCode(VerificationCode),
    OAuthToken(OAuthToken),
    Powerup(PowerupConfig),
    OverlaySetting(OverlaySetting),
    Layout(OverlayLayout),
    Theme(Theme),
    Tip(Tip),
    Goal(Goal),
}

impl ExportPart {
    /// The index of the part's section in [`SECTIONS`].
    pub fn section(&self) -> usize {
        match self {
            ExportPart::Streamer(_) => 0,
            ExportPart::User(_) => 1,
            ExportPart::Points(_) => 2,
            ExportPart::Transaction(_) => 3,
            ExportPart::Inventory(_) => 4,
            ExportPart::Purchase(_) => 5,
            ExportPart::Drop(_) => 6,
            ExportPart::Cooldown(_) => 7,
            ExportPart::UserSession(_) => 8,
            ExportPart::StreamerSession(_) => 9,
            ExportPart::AdminKey(_) => 10,
            ExportPart::VerificationCode(_) => 11,
            ExportPart::OAuthToken(_) => 12,
            ExportPart::Powerup(_) => 13,
            ExportPart::OverlaySetting(_) => 14,
            ExportPart::Layout(_) => 15,
            ExportPart::Theme(_) => 16,
            ExportPart::Tip(_) => 17,
            ExportPart::Goal(_) => 18,
        }
    }
}

/// Where a streamed export goes.
pub trait ExportSink: Send {
    /// Takes the next part. It may block until the reader has room (so a slow reader holds the
    /// store back instead of parts piling up in memory). `false`: the reader is gone, and the
    /// store sends nothing more.
    fn put(&mut self, part: ExportPart) -> bool;
}

/// A sink that keeps every part (tests, and exports small enough to hold).
impl ExportSink for Vec<ExportPart> {
    fn put(&mut self, part: ExportPart) -> bool {
        self.push(part);
        true
    }
}

impl StreamerExport {
    /// The export as parts, in order.
    pub fn into_parts(self) -> Vec<ExportPart> {
        use ExportPart as P;
        let mut out = vec![P::Streamer(self.streamer)];
        out.extend(self.users.into_iter().map(P::User));
        out.extend(self.points.into_iter().map(P::Points));
        out.extend(self.transactions.into_iter().map(P::Transaction));
        out.extend(self.inventory.into_iter().map(P::Inventory));
        out.extend(self.purchases.into_iter().map(P::Purchase));
        out.extend(self.drops.into_iter().map(P::Drop));
        out.extend(self.cooldowns.into_iter().map(P::Cooldown));
        out.extend(self.user_sessions.into_iter().map(P::UserSession));
        out.extend(self.streamer_sessions.into_iter().map(P::StreamerSession));
        out.extend(self.admin_key.map(P::AdminKey));
        out.extend(self.verification_codes.into_iter().map(P::VerificationCode));
        out.extend(self.oauth_tokens.into_iter().map(P::OAuthToken));
        out.extend(self.powerups.into_iter().map(P::Powerup));
        out.extend(self.overlay_settings.into_iter().map(P::OverlaySetting));
        out.extend(self.layouts.into_iter().map(P::Layout));
        out.extend(self.theme.map(P::Theme));
        out.extend(self.tips.into_iter().map(P::Tip));
        out.extend(self.goals.into_iter().map(P::Goal));
        out
    }

    /// The export the parts make up, or `None` without a streamer part. Parts out of section
    /// order, or a second value of a one-value section, make it `None` too.
    pub fn from_parts(parts: impl IntoIterator<Item = ExportPart>) -> Option<StreamerExport> {
        use ExportPart as P;
        let mut parts = parts.into_iter();
        let Some(P::Streamer(streamer)) = parts.next() else {
            return None;
        };
        let mut e = StreamerExport {
            streamer,
            users: vec![],
            points: vec![],
            transactions: vec![],
            inventory: vec![],
            purchases: vec![],
            drops: vec![],
            cooldowns: vec![],
            user_sessions: vec![],
            streamer_sessions: vec![],
            admin_key: None,
            verification_codes: vec![],
            oauth_tokens: vec![],
            powerups: vec![],
            overlay_settings: vec![],
            layouts: vec![],
            theme: None,
            tips: vec![],
            goals: vec![],
        };
        let mut section = 0;
        for p in parts {
            let s = p.section();
            let single = !SECTIONS[s].1;
            if s < section || (single && s == section) {
                return None;
            }
            section = s;
            match p {
                P::Streamer(_) => return None,
                P::User(x) => e.users.push(x),
                P::Points(x) => e.points.push(x),
                P::Transaction(x) => e.transactions.push(x),
                P::Inventory(x) => e.inventory.push(x),
                P::Purchase(x) => e.purchases.push(x),
                P::Drop(x) => e.drops.push(x),
                P::Cooldown(x) => e.cooldowns.push(x),
                P::UserSession(x) => e.user_sessions.push(x),
                P::StreamerSession(x) => e.streamer_sessions.push(x),
                P::AdminKey(x) => e.admin_key = Some(x),
                P::VerificationCode(x) => e.verification_codes.push(x),
                P::OAuthToken(x) => e.oauth_tokens.push(x),
                P::Powerup(x) => e.powerups.push(x),
                P::OverlaySetting(x) => e.overlay_settings.push(x),
                P::Layout(x) => e.layouts.push(x),
                P::Theme(x) => e.theme = Some(x),
                P::Tip(x) => e.tips.push(x),
                P::Goal(x) => e.goals.push(x),
            }
        }
        Some(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Timestamp;
    use crate::ids::StreamerId;

    fn empty() -> StreamerExport {
        StreamerExport::from_parts([ExportPart::Streamer(Streamer {
            id: StreamerId(1),
            username: "s".into(),
            display_name: "S".into(),
            kick_user_id: None,
            avatar_url: None,
            created_at: Timestamp::MIN,
            updated_at: Timestamp::MIN,
        })])
        .expect("an export")
    }

    #[test]
    fn the_sections_are_the_exports_fields_in_order() {
        let text = serde_json::to_string(&empty()).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let fields: Vec<&String> = value.as_object().unwrap().keys().collect();
        let mut names: Vec<&str> = SECTIONS.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        assert_eq!(
            fields, names,
            "a field with no section, or a section with no field"
        );
        let positions: Vec<usize> = SECTIONS
            .iter()
            .map(|(n, _)| text.find(&format!("\"{n}\":")).expect("the field"))
            .collect();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "SECTIONS is not in the order of StreamerExport's fields"
        );
        for (name, list) in SECTIONS {
            assert_eq!(value[name].is_array(), *list, "{name}");
        }
    }

    #[test]
    fn parts_out_of_order_make_no_export() {
        let e = empty();
        let mut parts = e.clone().into_parts();
        assert_eq!(StreamerExport::from_parts(parts.clone()), Some(e.clone()));
        let theme = Theme {
            theme: serde_json::json!({}),
            updated_at: Timestamp::MIN,
        };
        parts.push(ExportPart::Theme(theme.clone()));
        parts.push(ExportPart::Theme(theme));
        assert_eq!(StreamerExport::from_parts(parts), None, "two themes");
        assert_eq!(StreamerExport::from_parts([]), None);
    }
}
