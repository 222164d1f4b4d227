//! Legacy migration, import and rollback, on files from `fixtures/legacy`.

mod support;

use datastore::{
    AdminSetPoints, NewStreamer, OverlayStore, PointDelta, PointSource, PointStore, ReportStore,
    SessionStore, SessionToken, StreamerId, StreamerStore, TipStore, UserStore,
};
use legacy_fixtures::{AWKWARD_USERNAMES, Spec};
use legacy_migration::{
    Event, ImportOptions, LegacyError, MigrateOptions, Migrated, RollbackOptions, Step, import,
    rollback,
};
use rusqlite::Connection;
use support::{default_streamer, legacy_dump, legacy_file, migrate, open, quiet, scalar};

#[tokio::test(flavor = "multi_thread")]
async fn a_migrated_file_reads_back_whole_under_its_streamer_and_nothing_under_another() {
    let dir = tempfile::tempdir().unwrap();
    let (path, generated) = legacy_file(dir.path(), "kick-overlay.db", &Spec::default());
    let before = legacy_dump(&path);
    let legacy_users = scalar(&path, "SELECT count(*) FROM users");
    let legacy_balance: i64 = scalar(
        &path,
        "SELECT sum(channel_points + drop_points) FROM user_points",
    );
    let legacy_drops = scalar(&path, "SELECT count(*) FROM drop_history");
    let legacy_ledger = scalar(&path, "SELECT sum(amount) FROM point_transactions");
    let top: (i64, i64) = Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT user_id, channel_points + drop_points FROM user_points \
             ORDER BY channel_points + drop_points DESC, user_id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();

    let Migrated::Done {
        streamer_id,
        backup,
        counts,
        ..
    } = migrate(&path, &MigrateOptions::default()).unwrap()
    else {
        panic!("a legacy file is migrated");
    };
    assert_eq!(counts["users"] as i64, legacy_users);
    let backup = backup.expect("a backup is taken");
    assert!(backup.starts_with(dir.path().join("backups")), "{backup:?}");
    assert_eq!(
        legacy_dump(&backup),
        before,
        "the backup holds the original data"
    );

    let store = open(&path).await;
    let s = StreamerId(streamer_id);
    let streamer = store
        .get_streamer_by_username("codingbutter")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(streamer.id, s);
    let export = store.export_streamer(s).await.unwrap().unwrap();
    assert_eq!(export.users.len() as i64, legacy_users);
    assert_eq!(
        export
            .points
            .iter()
            .map(|p| p.channel_points + p.drop_points)
            .sum::<i64>(),
        legacy_balance
    );
    assert_eq!(export.drops.len() as i64, legacy_drops);
    assert_eq!(
        export.transactions.iter().map(|t| t.amount).sum::<i64>(),
        legacy_ledger
    );
    assert_eq!(export.powerups.len(), 6);
    assert!(
        export.powerups.iter().any(|p| !p.enabled),
        "the disabled powerup stays disabled"
    );
    assert_eq!(export.tips.len(), 5);
    assert_eq!(store.list_enabled_tips(s).await.unwrap().len(), 4);
    assert!(
        export.inventory.iter().any(|i| i.quantity == 0),
        "zero quantities are kept"
    );
    assert_eq!(export.oauth_tokens.len(), 1);
    assert_eq!(export.goals.len(), 3);
    assert!(
        export
            .goals
            .iter()
            .any(|g| g.id.as_str() == legacy_fixtures::LONG_GOAL_ID),
        "the 130-character goal id is carried"
    );
    // Expired codes are left behind; every live one arrives.
    let live_codes = scalar(
        &backup,
        "SELECT count(*) FROM verification_codes \
         WHERE replace(expires_at, 'T', ' ') > datetime('now')",
    );
    assert!(
        live_codes > 0 && (live_codes as usize) < before["verification_codes"].len(),
        "the fixture has live and expired codes: {live_codes}"
    );
    assert_eq!(export.verification_codes.len() as i64, live_codes);
    let live_cooldowns = scalar(
        &backup,
        "SELECT count(*) FROM command_cooldowns \
         WHERE replace(expires_at, 'T', ' ') > datetime('now')",
    );
    assert!(live_cooldowns > 0, "the fixture has live cooldowns");
    assert_eq!(export.cooldowns.len() as i64, live_cooldowns);
    assert_eq!(export.overlay_settings.len(), 8);
    // The theme and the layout the legacy app kept as settings are the streamer's own.
    let theme = store.get_theme(s).await.unwrap().expect("the legacy theme");
    assert_eq!(
        theme.theme,
        serde_json::from_str::<serde_json::Value>(legacy_fixtures::THEME_CONFIG).unwrap()
    );
    let layouts = store.list_layouts(s).await.unwrap();
    assert_eq!(layouts.len(), 1, "{layouts:?}");
    assert!(layouts[0].is_default && layouts[0].id.as_str() == "main");
    assert_eq!(
        layouts[0].layout,
        serde_json::from_str::<serde_json::Value>(legacy_fixtures::OVERLAY_LAYOUT_CONFIG).unwrap()
    );
    // Every awkward name, found ignoring case, with its legacy id.
    for (i, name) in AWKWARD_USERNAMES.iter().enumerate() {
        let user = store
            .get_user_by_username(s, &name.to_ascii_uppercase())
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{name} is there"));
        assert_eq!((user.id.0, user.username.as_str()), (i as i64 + 1, *name));
    }
    // Among them a 120-character name, longer than new viewers may have: carried intact.
    assert_eq!(legacy_fixtures::LONG_USERNAME.chars().count(), 120);
    assert!(AWKWARD_USERNAMES.contains(&legacy_fixtures::LONG_USERNAME));
    // Times in both forms: user 2's updated_at is JavaScript's form with milliseconds.
    let legacy_time: String = Connection::open(&backup)
        .unwrap()
        .query_row("SELECT updated_at FROM users WHERE id = 2", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(legacy_time.ends_with('Z'), "{legacy_time}");
    let user2 = export.users.iter().find(|u| u.id.0 == 2).unwrap();
    assert_eq!(
        user2.updated_at.as_millis() % 1000,
        legacy_time[20..23].parse::<i64>().unwrap()
    );
    // Logins survive: the live viewer and dashboard sessions, not the expired one.
    let (token, user) = generated.live_user_session;
    let session = store
        .get_user_session(s, &SessionToken::new(token).hash())
        .await
        .unwrap()
        .expect("a live legacy viewer session still logs in");
    assert_eq!(session.user_id.0, user);
    assert!(
        store
            .get_user_session(s, &SessionToken::new(generated.expired_user_session).hash())
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .get_streamer_session(s, &SessionToken::new(generated.live_admin_session).hash())
            .await
            .unwrap()
            .is_some()
    );
    let leader = &store.leaderboard(s, 1).await.unwrap()[0];
    assert_eq!((leader.user_id.0, leader.total_points), top);

    // A second streamer, created afterwards, sees none of it.
    let other = store
        .create_streamer(NewStreamer {
            username: "newcomer".into(),
            display_name: None,
            kick_user_id: None,
            avatar_url: None,
        })
        .await
        .unwrap();
    let theirs = store.export_streamer(other.id).await.unwrap().unwrap();
    assert!(theirs.users.is_empty() && theirs.drops.is_empty() && theirs.tips.is_empty());
    assert!(
        store
            .get_user_by_username(other.id, "CodingButter")
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.leaderboard(other.id, 50).await.unwrap().is_empty());
    assert!(
        store
            .get_streamer_session(
                other.id,
                &SessionToken::new(
                    legacy_fixtures::generate(&dir.path().join("again.db"), &Spec::default())
                        .unwrap()
                        .live_admin_session
                )
                .hash()
            )
            .await
            .unwrap()
            .is_none()
    );
}

#[test]
fn a_second_run_and_a_dry_run_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = legacy_file(
        dir.path(),
        "kick-overlay.db",
        &Spec {
            ledger: false,
            ..Spec::default()
        },
    );
    let original = std::fs::read(&path).unwrap();
    let dry = MigrateOptions {
        dry_run: true,
        ..MigrateOptions::default()
    };
    match migrate(&path, &dry).unwrap() {
        Migrated::Done {
            dry_run,
            backup,
            counts,
            ..
        } => {
            assert!(dry_run && backup.is_none());
            assert!(
                !counts.contains_key("point_transactions"),
                "no ledger in this file"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        std::fs::read(&path).unwrap(),
        original,
        "a dry run writes nothing"
    );
    assert!(!dir.path().join("backups").exists());

    assert!(matches!(
        migrate(&path, &MigrateOptions::default()).unwrap(),
        Migrated::Done { .. }
    ));
    let migrated = std::fs::read(&path).unwrap();
    let backups = std::fs::read_dir(dir.path().join("backups"))
        .unwrap()
        .count();
    match migrate(&path, &MigrateOptions::default()).unwrap() {
        Migrated::AlreadyMigrated { record } => {
            assert!(record.unwrap().contains("migrate-legacy"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        std::fs::read(&path).unwrap(),
        migrated,
        "a second run changes nothing"
    );
    assert_eq!(
        std::fs::read_dir(dir.path().join("backups"))
            .unwrap()
            .count(),
        backups
    );
}

#[test]
fn a_failure_at_any_step_leaves_the_original_byte_for_byte_and_a_rerun_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = legacy_file(dir.path(), "kick-overlay.db", &Spec::default());
    let original = std::fs::read(&path).unwrap();
    let before = legacy_dump(&path);
    for step in Step::ALL {
        let options = MigrateOptions {
            fail_at: Some(step),
            ..MigrateOptions::default()
        };
        match migrate(&path, &options) {
            Err(LegacyError::Injected(at)) => assert_eq!(at, step),
            other => panic!("{step}: {other:?}"),
        }
        assert_eq!(
            std::fs::read(&path).unwrap(),
            original,
            "after a failure at {step}"
        );
        assert_eq!(legacy_dump(&path), before, "after a failure at {step}");
        assert_eq!(
            std::fs::read_dir(dir.path().join("backups")).map_or(0, |d| d.count()),
            0,
            "a failed run keeps no backup (after a failure at {step})"
        );
    }
    assert!(matches!(
        migrate(&path, &MigrateOptions::default()).unwrap(),
        Migrated::Done { .. }
    ));
    assert_eq!(
        scalar(&path, "PRAGMA application_id"),
        reference_store::migrations::APPLICATION_ID as i64
    );
}

#[test]
fn a_file_that_is_not_legacy_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.db");
    std::fs::write(
        &junk,
        b"not a database at all, just some bytes that go on and on",
    )
    .unwrap();
    let foreign = dir.path().join("foreign.db");
    Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);")
        .unwrap();
    for path in [&junk, &foreign] {
        let before = std::fs::read(path).unwrap();
        let err = migrate(path, &MigrateOptions::default()).unwrap_err();
        assert!(matches!(err, LegacyError::Refused { .. }), "{err}");
        assert_eq!(std::fs::read(path).unwrap(), before);
    }
    let err = migrate(&foreign, &MigrateOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("lacks column users.username") && err.contains("table user_points"),
        "{err}"
    );
    let missing = migrate(&dir.path().join("nope.db"), &MigrateOptions::default()).unwrap_err();
    assert!(matches!(missing, LegacyError::Missing(_)));
    let bad_name = MigrateOptions {
        streamer: "no spaces".into(),
        ..MigrateOptions::default()
    };
    assert!(matches!(
        migrate(&foreign, &bad_name).unwrap_err(),
        LegacyError::Streamer(_)
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn rollback_restores_the_original_and_refuses_to_lose_later_writes() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = legacy_file(dir.path(), "kick-overlay.db", &Spec::default());
    let before = legacy_dump(&path);
    migrate(&path, &MigrateOptions::default()).unwrap();

    // Untouched since the migration: no writes to lose.
    let done = rollback(&path, &RollbackOptions::default(), &mut quiet()).unwrap();
    assert_eq!(done.written_since, Some(0));
    assert!(done.saved_current.exists());
    assert_eq!(
        legacy_dump(&path),
        before,
        "the rollback restores the original data"
    );

    // Migrate again, write through the store, and the rollback refuses.
    migrate(&path, &MigrateOptions::default()).unwrap();
    {
        let store = open(&path).await;
        let s = default_streamer(&store).await;
        let user = store.get_user_by_username(s, "x").await.unwrap().unwrap();
        store
            .set_points(
                s,
                user.id,
                AdminSetPoints {
                    channel_points: 1,
                    drop_points: None,
                    description: None,
                },
            )
            .await
            .unwrap();
    }
    let refused = rollback(&path, &RollbackOptions::default(), &mut quiet()).unwrap_err();
    match &refused {
        LegacyError::WrittenSince { rows, detail } => {
            assert!(*rows >= 1 && detail.contains("user_points"), "{refused}");
        }
        other => panic!("{other}"),
    }
    assert!(refused.to_string().contains("--force"));
    let forced = RollbackOptions {
        force: true,
        ..RollbackOptions::default()
    };
    let done = rollback(&path, &forced, &mut quiet()).unwrap();
    assert!(done.written_since.unwrap() >= 1);
    assert_eq!(legacy_dump(&path), before);
    // The migrated file, writes included, was saved first.
    assert_eq!(
        scalar(
            &done.saved_current,
            "SELECT channel_points FROM user_points WHERE user_id = 8"
        ),
        1
    );
    // A legacy file has nothing to roll back.
    assert!(matches!(
        rollback(&path, &RollbackOptions::default(), &mut quiet()).unwrap_err(),
        LegacyError::Refused { .. }
    ));
}

/// An overlay key set up for a browser source since the migration is no write: the rollback
/// discards it and says so. An earn is the rows it wrote (the balance and its ledger row), each
/// counted once: the event it appended and the counter it took the event's id from are a log
/// of that write, not writes of their own.
#[tokio::test(flavor = "multi_thread")]
async fn rollback_discards_overlay_keys_and_counts_an_earn_once_without_its_event() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = legacy_file(dir.path(), "kick-overlay.db", &Spec::default());
    let before = legacy_dump(&path);
    migrate(&path, &MigrateOptions::default()).unwrap();
    {
        let store = open(&path).await;
        let s = default_streamer(&store).await;
        store
            .set_overlay_key(s, &SessionToken::new("overlay key one").hash())
            .await
            .unwrap();
        let user = store.get_user_by_username(s, "x").await.unwrap().unwrap();
        store
            .earn_points(s, user.id, PointDelta::new(5, PointSource::Chat))
            .await
            .unwrap();
    }
    // The earn appended its event, with an id from the streamer's counter.
    assert_eq!(scalar(&path, "SELECT count(*) FROM events"), 1);
    assert_eq!(scalar(&path, "SELECT last_id FROM event_sequences"), 1);
    let refused = rollback(&path, &RollbackOptions::default(), &mut quiet()).unwrap_err();
    match &refused {
        LegacyError::WrittenSince { rows, detail } => {
            assert_eq!(*rows, 2, "{refused}");
            assert_eq!(detail, "point_transactions: 1, user_points: 1");
        }
        other => panic!("{other}"),
    }
    let forced = RollbackOptions {
        force: true,
        ..RollbackOptions::default()
    };
    let done = rollback(&path, &forced, &mut quiet()).unwrap();
    assert_eq!(done.written_since, Some(2));
    assert_eq!(
        (done.discarded_admin_keys, done.discarded_overlay_keys),
        (0, 1)
    );
    assert_eq!(legacy_dump(&path), before);

    // Migrated again, and only an overlay key set up since: nothing to lose, the key discarded.
    migrate(&path, &MigrateOptions::default()).unwrap();
    {
        let store = open(&path).await;
        let s = default_streamer(&store).await;
        store
            .set_overlay_key(s, &SessionToken::new("overlay key two").hash())
            .await
            .unwrap();
    }
    let mut verify = Vec::new();
    let done = rollback(&path, &RollbackOptions::default(), &mut |e| {
        if let Event::Step {
            step: Step::Verify,
            detail,
            ..
        } = e
        {
            verify.push(detail);
        }
    })
    .unwrap();
    assert_eq!(done.written_since, Some(0));
    assert_eq!(
        (done.discarded_admin_keys, done.discarded_overlay_keys),
        (0, 1)
    );
    assert_eq!(verify.len(), 1, "{verify:?}");
    assert!(
        verify[0].starts_with("0 rows written since the migration;")
            && verify[0]
                .ends_with("0 admin keys and 1 overlay key to discard (a legacy file has neither)"),
        "{verify:?}"
    );
    assert_eq!(legacy_dump(&path), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_legacy_files_import_into_one_database_whole_and_apart() {
    let dir = tempfile::tempdir().unwrap();
    let (first, _) = legacy_file(dir.path(), "first.db", &Spec::default());
    let (second, g2) = legacy_file(
        dir.path(),
        "second.db",
        &Spec {
            users: 150,
            drops: 700,
            ledger: false,
            seed: 2,
        },
    );
    // The second install never configured one powerup: the import fills in its default, even
    // though the first streamer's configuration of it is already in the database.
    Connection::open(&second)
        .unwrap()
        .execute("DELETE FROM powerup_config WHERE id = 'boost'", [])
        .unwrap();
    let second_before = std::fs::read(&second).unwrap();
    let first_dump = legacy_dump(&first);
    let shared = dir.path().join("shared.db");
    drop(open(&shared).await);

    let a = import(
        &shared,
        &first,
        &ImportOptions {
            streamer: "alpha".into(),
            ..Default::default()
        },
        &mut quiet(),
    )
    .unwrap();
    assert!(a.renumbered.is_empty(), "an empty database keeps every id");
    let b = import(
        &shared,
        &second,
        &ImportOptions {
            streamer: "bravo".into(),
            ..Default::default()
        },
        &mut quiet(),
    )
    .unwrap();
    assert!(
        b.renumbered.contains_key("users"),
        "colliding user ids are renumbered"
    );
    assert_eq!(
        std::fs::read(&second).unwrap(),
        second_before,
        "the legacy file is only read"
    );
    assert_eq!(legacy_dump(&first), first_dump);

    let again = import(
        &shared,
        &second,
        &ImportOptions {
            streamer: "Bravo".into(),
            ..Default::default()
        },
        &mut quiet(),
    )
    .unwrap_err();
    assert!(again.to_string().contains("already exists"), "{again}");

    let store = open(&shared).await;
    let (sa, sb) = (StreamerId(a.streamer_id), StreamerId(b.streamer_id));
    let (ea, eb) = (
        store.export_streamer(sa).await.unwrap().unwrap(),
        store.export_streamer(sb).await.unwrap().unwrap(),
    );
    assert_eq!(
        ea.users.len() as i64,
        scalar(&first, "SELECT count(*) FROM users")
    );
    assert_eq!(
        eb.users.len() as i64,
        scalar(&second, "SELECT count(*) FROM users")
    );
    assert_eq!(
        ea.drops.len() as i64,
        scalar(&first, "SELECT count(*) FROM drop_history")
    );
    assert_eq!(
        eb.drops.len() as i64,
        scalar(&second, "SELECT count(*) FROM drop_history")
    );
    assert_eq!(
        eb.drops.iter().map(|d| d.score).sum::<i64>(),
        scalar(&second, "SELECT sum(score) FROM drop_history")
    );
    assert!(eb.transactions.is_empty(), "the second file had no ledger");
    let configured = |e: &datastore::StreamerExport| {
        let mut ids: Vec<_> = e.powerups.iter().map(|p| p.id).collect();
        ids.sort_by_key(|p| p.as_str());
        ids
    };
    assert_eq!(
        configured(&eb),
        configured(&ea),
        "B's missing powerup got its default configuration"
    );
    assert_eq!(configured(&eb).len(), 6);
    let ids_a: std::collections::BTreeSet<i64> = ea.users.iter().map(|u| u.id.0).collect();
    assert!(
        eb.users.iter().all(|u| !ids_a.contains(&u.id.0)),
        "no id is shared"
    );
    // The same name is a different user under each streamer.
    let xa = store.get_user_by_username(sa, "x").await.unwrap().unwrap();
    let xb = store.get_user_by_username(sb, "x").await.unwrap().unwrap();
    assert_ne!(xa.id, xb.id);
    assert!(store.get_user(sa, xb.id).await.unwrap().is_none());
    // B's moved user keeps its balance under its new id.
    let (token, legacy_user) = g2.live_user_session;
    let session = store
        .get_user_session(sb, &SessionToken::new(token.clone()).hash())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.user_id.0, legacy_user + b.renumbered["users"]);
    assert!(
        store
            .get_user_session(sa, &SessionToken::new(token).hash())
            .await
            .unwrap()
            .is_none()
    );
}
