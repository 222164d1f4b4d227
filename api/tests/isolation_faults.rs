//! Proof that the HTTP isolation cases catch real isolation bugs: the same cases run on
//! servers whose store is broken in one way ([`conformance::faults::Fault`]), and each fault
//! a route can expose must be caught.

mod common;

use common::world::World;
use common::{TestServer, isolation};
use conformance::faults::{Fault, Faulty};
use datastore::DataStore;
use std::sync::Arc;

/// Faults whose operations no route reaches in a way B could observe (or that need a race or a
/// deleted namesake to show), with the reason. Every other fault must be caught.
const NOT_REACHABLE: &[(&str, &str)] = &[
    (
        "DeleteStreamerTakesSameNamedUsers",
        "streamer deletion is an operator route",
    ),
    ("UpdateStreamerTouchesAll", "no route updates a streamer"),
    ("CountIncludesOthers", "no route counts users alone"),
    (
        "PowerupReadFirstRow",
        "no route reads one powerup's configuration",
    ),
    (
        "PointsReadAnyTenant",
        "the points route also reads the ledger summary, which finds nothing: 404",
    ),
    (
        "OwnerCheckAnyStreamer",
        "a price rule inside the store: the conformance suite catches it",
    ),
    (
        "PurchaseCostFromFirstRow",
        "a price rule inside the store: the conformance suite catches it",
    ),
    ("SettingReadFirstRow", "no route reads one setting"),
    ("SettingFallsBackToOthers", "no route reads one setting"),
    ("TipReadAnyTenant", "no route reads one tip"),
    ("ForeignIdsForbidden", "no route reads one tip"),
    ("GoalReadAnyTenant", "no route reads one goal"),
    (
        "PurgeAllTenants",
        "no route purges sessions (the scheduled purge runs for every streamer)",
    ),
    (
        "PurgeCodesAllTenants",
        "no route purges codes (the scheduled purge runs for every streamer)",
    ),
    (
        "PurgeCooldownsAllTenants",
        "no route purges cooldowns (the scheduled purge runs for every streamer)",
    ),
    (
        "DeleteCodesGlobal",
        "no route deletes a username's codes: a log-in spends its code by redeeming it",
    ),
    (
        "SessionCreateLandsInOwner",
        "sessions are created for the streamer's own users only",
    ),
    (
        "SessionHashGlobal",
        "the API issues no dashboard sessions, so none can collide",
    ),
    (
        "SessionDeleteAnyTenant",
        "logging out deletes the caller's own session",
    ),
    (
        "CodeReadAnyTenant",
        "no route reads one code: a log-in redeems it under the path's streamer",
    ),
    ("LatestCodeAcrossTenants", "no route reads the latest code"),
    ("CodeRefreshGlobal", "codes are random per request"),
    ("CooldownLandsInOwner", "no route checks cooldowns"),
    (
        "EventsPurgeAllTenants",
        "no route purges events (the scheduled purge runs for every streamer)",
    ),
    (
        "DeletedNamesakeInherits",
        "needs a deleted and re-created streamer",
    ),
    ("RacyLastInsertId", "needs concurrent tip creation"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_http_cases_catch_every_fault_a_route_can_expose() {
    let mut missed = Vec::new();
    let mut caught = 0;
    for &fault in Fault::ALL {
        let name = format!("{fault:?}");
        // `tests/kick_isolation.rs` runs its own scenario on these.
        if common::kick::kick_driven(fault) {
            continue;
        }
        let s = TestServer::start_with(|store| {
            Arc::new(Faulty::new(store, fault)) as Arc<dyn DataStore>
        })
        .await;
        let found = match World::build(&s).await {
            Ok(mut w) => isolation::run(&s, &mut w).await.0,
            Err(e) => vec![e],
        };
        s.stop().await;
        let expected = !NOT_REACHABLE.iter().any(|(n, _)| *n == name);
        println!(
            "{name}: {}",
            if found.is_empty() {
                "not seen".to_owned()
            } else {
                format!(
                    "caught ({})",
                    found[0].chars().take(160).collect::<String>()
                )
            }
        );
        match (expected, found.is_empty()) {
            (true, true) => missed.push(format!("{name}: {}", fault.describe())),
            (_, false) => caught += 1,
            (false, true) => {}
        }
    }
    println!(
        "{caught} of {} faults caught through the HTTP API",
        Fault::ALL.len()
    );
    assert!(
        missed.is_empty(),
        "faults the HTTP isolation cases miss:\n{}",
        missed.join("\n")
    );
}
