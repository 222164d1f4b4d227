//! The [`DataStore`] trait and the explicit list of its operations.

use crate::cooldowns::CooldownStore;
use crate::events::EventStore;
use crate::goals::GoalStore;
use crate::kick::KickStore;
use crate::overlay::OverlayStore;
use crate::points::PointStore;
use crate::powerups::PowerupStore;
use crate::reports::ReportStore;
use crate::sessions::SessionStore;
use crate::streamers::StreamerStore;
use crate::tips::TipStore;
use crate::tokens::TokenStore;
use crate::users::UserStore;
use crate::verification::VerificationStore;
use serde::Serialize;

/// Everything KickOverlay stores, for every streamer: the contract a backend implements.
///
/// It is the sum of one trait per domain; implement each of them and `DataStore` comes for
/// free. Every method is async with a `Send` future, so the trait works as a generic bound and
/// as `Arc<dyn DataStore>` in a warp handler. The tenant rules are in the crate documentation
/// and on each domain trait; the `conformance` crate tests them.
pub trait DataStore:
    StreamerStore
    + UserStore
    + PointStore
    + PowerupStore
    + OverlayStore
    + TipStore
    + GoalStore
    + TokenStore
    + SessionStore
    + VerificationStore
    + CooldownStore
    + ReportStore
    + EventStore
    + KickStore
    + Send
    + Sync
{
}

impl<T> DataStore for T where
    T: StreamerStore
        + UserStore
        + PointStore
        + PowerupStore
        + OverlayStore
        + TipStore
        + GoalStore
        + TokenStore
        + SessionStore
        + VerificationStore
        + CooldownStore
        + ReportStore
        + EventStore
        + KickStore
        + Send
        + Sync
{
}

/// A family of operations: one domain trait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// [`StreamerStore`].
    Streamers,
    /// [`UserStore`].
    Users,
    /// [`PointStore`].
    Points,
    /// [`PowerupStore`].
    Powerups,
    /// [`OverlayStore`].
    Overlay,
    /// [`TipStore`].
    Tips,
    /// [`GoalStore`].
    Goals,
    /// [`TokenStore`].
    Tokens,
    /// [`SessionStore`].
    Sessions,
    /// [`VerificationStore`].
    Verification,
    /// [`CooldownStore`].
    Cooldowns,
    /// [`ReportStore`].
    Reports,
    /// [`EventStore`].
    Events,
    /// [`KickStore`].
    Kick,
}

impl Family {
    /// Every family.
    pub const ALL: [Family; 14] = [
        Family::Streamers,
        Family::Users,
        Family::Points,
        Family::Powerups,
        Family::Overlay,
        Family::Tips,
        Family::Goals,
        Family::Tokens,
        Family::Sessions,
        Family::Verification,
        Family::Cooldowns,
        Family::Reports,
        Family::Events,
        Family::Kick,
    ];

    /// The family of the trait called `name`; a build error (at compile time, where
    /// [`OPERATIONS`] is made) for a name that is no family's.
    pub const fn of_trait(name: &str) -> Family {
        let mut i = 0;
        while i < Family::ALL.len() {
            if same(Family::ALL[i].trait_name().as_bytes(), name.as_bytes()) {
                return Family::ALL[i];
            }
            i += 1;
        }
        panic!("a pub trait of datastore that is no Family: add it to Family")
    }

    /// The name of the family's trait.
    pub const fn trait_name(self) -> &'static str {
        match self {
            Family::Streamers => "StreamerStore",
            Family::Users => "UserStore",
            Family::Points => "PointStore",
            Family::Powerups => "PowerupStore",
            Family::Overlay => "OverlayStore",
            Family::Tips => "TipStore",
            Family::Goals => "GoalStore",
            Family::Tokens => "TokenStore",
            Family::Sessions => "SessionStore",
            Family::Verification => "VerificationStore",
            Family::Cooldowns => "CooldownStore",
            Family::Reports => "ReportStore",
            Family::Events => "EventStore",
            Family::Kick => "KickStore",
        }
    }
}

/// Whether two byte strings are equal, at compile time.
const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// One method of [`DataStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Operation {
    /// The trait it belongs to.
    pub family: Family,
    /// The method name.
    pub name: &'static str,
}

/// Every method of [`DataStore`], with its family.
///
/// Derived, not written: the build script (`build.rs`) reads every `async fn` of every
/// `pub trait` in this crate's sources, so a new method is listed as soon as it is declared. A
/// trait that is no [`Family`] stops the build ([`Family::of_trait`]); a unit test checks
/// every family is a supertrait of [`DataStore`], and the `conformance` crate fails a test for
/// any operation here without a cross-tenant sweep entry or a property-test step that calls it.
pub const OPERATIONS: &[Operation] = include!(concat!(env!("OUT_DIR"), "/operations.rs"));

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    fn ident(s: &str) -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    }

    /// Every `.rs` file under `dir`, at any depth.
    fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("a source directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// Every `(trait, method)` for the `async fn`s of every `pub trait` in every source file of
    /// this crate, read from disk so a new file cannot be missed.
    fn declared() -> BTreeSet<(String, String)> {
        let mut files = Vec::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let mut out = BTreeSet::new();
        for path in files {
            let src = std::fs::read_to_string(&path).expect("a readable source file");
            let mut current: Option<String> = None;
            for line in src.lines() {
                let t = line.trim();
                if let Some(rest) = t.strip_prefix("pub trait ") {
                    current = Some(ident(rest));
                } else if line.starts_with('}') {
                    current = None;
                } else if let (Some(tr), Some(rest)) = (&current, t.strip_prefix("async fn ")) {
                    out.insert((tr.clone(), ident(rest)));
                }
            }
        }
        out
    }

    /// The traits named in `DataStore`'s supertrait list, but for the auto traits.
    fn supertraits() -> BTreeSet<String> {
        let src = include_str!("store.rs");
        let start = src
            .find("pub trait DataStore:")
            .expect("the DataStore declaration");
        let end = start + src[start..].find('{').expect("the end of its bounds");
        src[start + "pub trait DataStore:".len()..end]
            .split('+')
            .map(|b| b.trim().to_owned())
            .filter(|b| !b.is_empty() && b != "Send" && b != "Sync")
            .collect()
    }

    #[test]
    fn operations_list_matches_the_trait_methods() {
        let listed: BTreeSet<(String, String)> = OPERATIONS
            .iter()
            .map(|o| (o.family.trait_name().to_owned(), o.name.to_owned()))
            .collect();
        let declared = declared();
        let missing: Vec<_> = declared.difference(&listed).collect();
        let stale: Vec<_> = listed.difference(&declared).collect();
        assert!(
            missing.is_empty() && stale.is_empty(),
            "OPERATIONS is out of step with the traits.\n  declared but not listed: {missing:?}\n  listed but not declared: {stale:?}"
        );
        assert_eq!(
            OPERATIONS.len(),
            declared.len(),
            "an operation is listed twice"
        );
        assert!(
            declared.len() > 70,
            "the source parser found too few methods"
        );
    }

    #[test]
    fn every_domain_trait_is_a_family_and_part_of_datastore() {
        let families: BTreeSet<String> = Family::ALL
            .iter()
            .map(|f| f.trait_name().to_owned())
            .collect();
        let with_methods: BTreeSet<String> = declared().into_iter().map(|(t, _)| t).collect();
        assert_eq!(with_methods, families, "domain traits vs Family::ALL");
        assert_eq!(
            supertraits(),
            families,
            "DataStore's supertraits vs Family::ALL"
        );
    }
}
