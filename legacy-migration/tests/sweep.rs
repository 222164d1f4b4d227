//! The cross-tenant sweep on a database migrated from a legacy file: every store the sweep
//! builds starts as a copy of a migrated legacy install (streamer `codingbutter` with a
//! couple of hundred viewers and their points, drops, sessions and settings), and streamers A
//! and B are added beside it. Isolation must hold with a real tenant already in the file.

use conformance::harness::{Harness, Options, runtime};
use conformance::{Factory, StoreContext};
use datastore::Family;
use legacy_migration::{MigrateOptions, Migrated, migrate_in_place};
use reference_store::SqliteStore;
use std::path::PathBuf;
use std::sync::OnceLock;

/// A migrated legacy file, made once per test process.
fn template() -> &'static PathBuf {
    static TEMPLATE: OnceLock<PathBuf> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let path = dir.join("migrated.db");
        legacy_fixtures::generate(&path, &legacy_fixtures::Spec::default()).unwrap();
        let done = migrate_in_place(&path, &MigrateOptions::default(), &mut |_| {}).unwrap();
        assert!(matches!(done, Migrated::Done { .. }));
        path
    })
}

async fn migrated(ctx: StoreContext) -> SqliteStore {
    let path = ctx.scratch_dir().join("kickoverlay.db");
    std::fs::copy(template(), &path).expect("copy the migrated file");
    SqliteStore::open(&path, ctx.clock())
        .await
        .expect("open the migrated file")
}

#[test]
fn the_isolation_sweep_passes_beside_a_migrated_legacy_streamer() {
    let rt = runtime();
    let mut failures = Vec::new();
    for family in Family::ALL {
        let harness = Harness::new(Factory::new(migrated), Options::from_env());
        if let Err(f) = rt.block_on(conformance::sweep::run_family(harness, family)) {
            failures.push(format!("{family:?}: {}", f.0));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
