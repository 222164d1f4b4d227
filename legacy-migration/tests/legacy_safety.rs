//! The legacy commands' safety: they refuse a file another program has open, list rows the new
//! schema cannot take before touching anything, report and verify every normalisation, catch a
//! damaged copy, carry a WAL's committed rows, leave the user's own tables alone, and roll back
//! from the migration's own backup. Each test leaves the original files as they were whenever
//! a command refuses.

mod support;

use datastore::{GoalStore, OverlayStore, PowerupType, StreamerStore, TipStore, UserStore};
use legacy_fixtures::Spec;
use legacy_migration::{
    Event, ImportOptions, LegacyError, MigrateOptions, Migrated, RollbackOptions, Step,
    backup_name, import, migrate_in_place, rollback,
};
use rusqlite::Connection;
use rusqlite::config::DbConfig;
use std::path::{Path, PathBuf};
use support::{default_streamer, legacy_dump, legacy_file, migrate, open, quiet, scalar};

fn edit(path: &Path, sql: &str) {
    let conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "foreign_keys", false).unwrap();
    conn.execute_batch(sql).unwrap();
}

fn backups_in(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("backups")).map_or(0, |d| d.count())
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

/// Runs a migration and returns its outcome with the step lines it reported.
fn migrate_logged(
    path: &Path,
    options: &MigrateOptions,
) -> (Result<Migrated, LegacyError>, Vec<(Step, String)>) {
    let mut steps = Vec::new();
    let outcome = migrate_in_place(path, options, &mut |e| {
        if let Event::Step { step, detail, .. } = e {
            steps.push((step, detail));
        }
    });
    (outcome, steps)
}

fn detail(steps: &[(Step, String)], step: Step) -> String {
    steps
        .iter()
        .filter(|(s, _)| *s == step)
        .map(|(_, d)| d.as_str())
        .collect::<Vec<_>>()
        .join(" | ")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_another_program_has_open_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = legacy_file(dir.path(), "kick-overlay.db", &Spec::default());
    let original = read(&path);

    // The legacy app, idle between requests, still has the (WAL-mode) file open.
    let app = Connection::open(&path).unwrap();
    let _: i64 = app
        .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
        .unwrap();
    let err = migrate(&path, &MigrateOptions::default()).unwrap_err();
    assert!(matches!(err, LegacyError::InUse { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("stop the legacy KickOverlay server"),
        "{err}"
    );
    drop(app);
    assert_eq!(read(&path), original);
    assert_eq!(backups_in(dir.path()), 0);
    assert!(matches!(
        migrate(&path, &MigrateOptions::default()).unwrap(),
        Migrated::Done { .. }
    ));

    // The server now runs on the migrated file.
    let store = open(&path).await;
    assert!(
        matches!(
            migrate(&path, &MigrateOptions::default()).unwrap(),
            Migrated::AlreadyMigrated { record: Some(_) }
        ),
        "a second run reports the migration even while the server has the file open"
    );
    let err = rollback(&path, &RollbackOptions::default(), &mut quiet()).unwrap_err();
    assert!(matches!(err, LegacyError::InUse { .. }), "{err}");
    assert!(err.to_string().contains("kick-overlay serve"), "{err}");
    let (other, _) = legacy_file(
        dir.path(),
        "other.db",
        &Spec {
            users: 20,
            drops: 40,
            ledger: true,
            seed: 9,
        },
    );
    let options = ImportOptions {
        streamer: "second".into(),
        ..ImportOptions::default()
    };
    let err = import(&path, &other, &options, &mut quiet()).unwrap_err();
    assert!(matches!(err, LegacyError::InUse { .. }), "{err}");
    assert!(
        store
            .get_streamer_by_username("second")
            .await
            .unwrap()
            .is_none()
    );
    drop(store);
    rollback(&path, &RollbackOptions::default(), &mut quiet()).unwrap();
}

#[test]
fn rows_the_new_schema_cannot_take_are_listed_before_any_backup() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = legacy_file(dir.path(), "kick-overlay.db", &Spec::default());
    edit(
        &path,
        "UPDATE user_points SET channel_points = -40 \
           WHERE user_id = (SELECT min(user_id) FROM user_points);
         UPDATE point_transactions SET source = 'lottery' \
           WHERE id = (SELECT min(id) FROM point_transactions);
         INSERT INTO verification_codes (username, code, verified, created_at, expires_at) \
           VALUES ('Casey', '424242', 0, '2025-01-01 00:00:00', '2099-01-01 00:10:00'), \
                  ('casey', '424242', 0, '2025-01-01 00:00:00', '2099-01-01 00:10:00');
         UPDATE command_cooldowns SET last_used_at = '2099-06-01 00:00:00', \
           expires_at = '2099-01-01 00:00:00' WHERE id = (SELECT min(id) FROM command_cooldowns);
         UPDATE users SET country = 'usa' WHERE id = (SELECT max(id) FROM users);
         INSERT INTO drop_history (user_id, score, is_perfect, created_at) \
           VALUES (999999, 10, 0, '2025-01-01 00:00:00');
         UPDATE drop_history SET created_at = 'yesterday' \
           WHERE id = (SELECT min(id) FROM drop_history);
         INSERT INTO overlay_settings (key, value) VALUES (NULL, 'orphaned');
         UPDATE overlay_settings SET value = '[\"not\", \"a theme\"]' WHERE key = 'theme_config';
         UPDATE users SET voice_id = x'00ff' WHERE id = (SELECT min(id) FROM users);
         INSERT INTO command_cooldowns (user_id, command, last_used_at, expires_at) \
           VALUES (1, printf('!%.130c', 'x'), '2099-01-01 00:00:00', '2099-01-02 00:00:00');
         INSERT INTO verification_codes (username, code, verified, created_at, expires_at) \
           VALUES ('Eve', printf('%.40c', '7'), 0, '2025-01-01 00:00:00', '2099-01-01 00:10:00');
         INSERT INTO goals (id, label, current_value, target_value, enabled, updated_at) \
           VALUES ('', 'No id', 0, 10, 1, '2025-01-01 00:00:00');
         INSERT INTO overlay_settings (key, value) VALUES ('', 'no key');
         -- Expired rows never block, whatever they hold: none of these is listed.
         INSERT INTO user_sessions (user_id, session_token, created_at, expires_at) \
           VALUES (1, x'0102', '2025-01-01 00:00:00', '2025-01-02 00:00:00');
         INSERT INTO verification_codes (username, code, verified, created_at, expires_at) \
           VALUES ('Dana', 'x', 0, '2025-01-01 00:00:00', '2025-01-01 00:10:00'), \
                  ('DANA', 'x', 0, '2025-01-01 00:00:00', '2025-01-01 00:10:00');
         INSERT INTO command_cooldowns (user_id, command, last_used_at, expires_at) \
           VALUES (999998, '!tts', '2001-01-01 00:00:00', '2000-01-01 00:00:00');",
    );
    let original = read(&path);
    let err = migrate(&path, &MigrateOptions::default()).unwrap_err();
    let LegacyError::BadRows { total, rows } = &err else {
        panic!("{err}");
    };
    assert_eq!(*total, 14, "{err}");
    let text = err.to_string();
    for expected in [
        "channel_points = -40 must be not negative (an overdrawn balance)",
        "point_transactions id",
        "source = 'lottery'",
        "verification_codes id",
        "username = 'casey'",
        "expires_at = '2099-01-01 00:00:00'",
        "country = 'usa'",
        "user_id = 999999 must be a user that exists",
        "created_at = 'yesterday'",
        "overlay_settings key NULL: key = NULL must be non-empty (any length is carried)",
        "overlay_settings key '': key = '' must be non-empty (any length is carried)",
        "goals id '': id = '' must be non-empty (any length is carried)",
        "command = '!xxxxxxx",
        "must be 1 to 128 characters",
        "code = '7777777",
        "must be 1 to 32 characters",
        "overlay_settings key 'theme_config': value = '[\"not\", \"a theme\"]' must be a JSON object",
        "voice_id = X'00FF' must be text, not a BLOB",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from: {text}");
    }
    for carried in ["'DANA'", "X'0102'", "999998"] {
        assert!(!text.contains(carried), "an expired row was listed: {text}");
    }
    assert_eq!(rows.len(), 14, "one line per row: {rows:?}");
    assert_eq!(read(&path), original, "the file is untouched");
    assert_eq!(backups_in(dir.path()), 0, "no backup is taken");
}

/// The legacy app accepted a tip with no text, a goal of 0, goal ids and setting keys of any
/// length and (the fixture has one) a 120-character username: carried as they are. Expired sessions, codes and cooldowns never
/// block, even when they break a rule; they are left behind, counted in the log and in
/// `migration_audit`, and a rollback still restores the original whole.
#[tokio::test(flavor = "multi_thread")]
async fn values_the_legacy_app_accepted_are_carried_and_expired_rows_never_block() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = legacy_file(dir.path(), "kick-overlay.db", &Spec::default());
    edit(
        &path,
        "UPDATE tips SET content = '' WHERE id = (SELECT min(id) FROM tips);
         UPDATE goals SET target_value = 0 WHERE id = 'followers';
         INSERT INTO goals (id, label, current_value, target_value, enabled, updated_at) \
           VALUES (printf('%.200c', 'g'), 'A goal named by a long URL', 0, 10, 1, \
                   '2025-01-01 00:00:00');
         INSERT INTO overlay_settings (key, value, description, updated_at) \
           VALUES (printf('%.300c', 'k'), 'kept', NULL, '2025-01-01 00:00:00');
         UPDATE command_cooldowns SET last_used_at = '2001-01-01 00:00:00', \
           expires_at = '2000-01-01 00:00:00' WHERE id = (SELECT min(id) FROM command_cooldowns);
         INSERT INTO user_sessions (user_id, session_token, created_at, expires_at) \
           VALUES (1, x'0102', '2025-01-01 00:00:00', '2025-01-02 00:00:00');
         INSERT INTO verification_codes (username, code, verified, created_at, expires_at) \
           VALUES ('Casey', '424242', 0, '2025-01-01 00:00:00', '2025-01-01 00:10:00'), \
                  ('casey', '424242', 0, '2025-01-01 00:00:00', '2025-01-01 00:10:00');",
    );
    let original = legacy_dump(&path);
    let now: i64 = 1_790_000_000_000;
    let expired_in = |table: &str| {
        scalar(
            &path,
            &format!(
                "SELECT count(*) FROM {table} \
                 WHERE (julianday(expires_at) - 2440587.5) * 86400000.0 < {now}"
            ),
        ) as u64
    };
    let expected: std::collections::BTreeMap<String, u64> = [
        "user_sessions",
        "admin_sessions",
        "verification_codes",
        "command_cooldowns",
    ]
    .into_iter()
    .map(|t| (t.to_owned(), expired_in(t)))
    .filter(|(_, n)| *n > 0)
    .collect();
    assert!(
        expected.len() >= 3,
        "the file has expired rows: {expected:?}"
    );
    let legacy_sessions = scalar(&path, "SELECT count(*) FROM user_sessions");

    let (outcome, steps) = migrate_logged(
        &path,
        &MigrateOptions {
            now_ms: Some(now),
            ..MigrateOptions::default()
        },
    );
    let Migrated::Done {
        streamer_id,
        counts,
        ..
    } = outcome.unwrap()
    else {
        panic!("a legacy file is migrated");
    };
    assert!(
        detail(&steps, Step::Inspect)
            .contains(&format!("user_sessions ×{}", expected["user_sessions"])),
        "{steps:?}"
    );
    assert_eq!(
        counts["user_sessions"] as i64,
        legacy_sessions - expected["user_sessions"] as i64
    );
    let recorded: String = Connection::open(&path)
        .unwrap()
        .query_row("SELECT expired FROM migration_audit", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        serde_json::from_str::<std::collections::BTreeMap<String, u64>>(&recorded).unwrap(),
        expected
    );

    let store = open(&path).await;
    let s = datastore::StreamerId(streamer_id);
    let tips = store.list_tips(s).await.unwrap();
    assert!(tips.iter().any(|t| t.content.is_empty()), "{tips:?}");
    let goal = store
        .get_goal(s, &datastore::GoalId::new("followers"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(goal.target_value, 0);
    let goals = store.list_goals(s).await.unwrap();
    assert!(
        goals.iter().any(|g| g.id.as_str() == "g".repeat(200)),
        "the 200-character goal id is carried: {goals:?}"
    );
    let settings = store.list_overlay_settings(s).await.unwrap();
    assert!(
        settings
            .iter()
            .any(|x| x.key == "k".repeat(300) && x.value == "kept"),
        "the 300-character setting key is carried"
    );
    let long = store
        .get_user_by_username(s, legacy_fixtures::LONG_USERNAME)
        .await
        .unwrap()
        .expect("the 120-character viewer");
    assert_eq!(long.username, legacy_fixtures::LONG_USERNAME);
    drop(store);

    // The backup holds the expired rows too, so a rollback restores everything.
    rollback(&path, &RollbackOptions::default(), &mut quiet()).unwrap();
    assert_eq!(legacy_dump(&path), original);
}

#[tokio::test(flavor = "multi_thread")]
async fn normalised_values_are_reported_recorded_and_verified() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = legacy_file(dir.path(), "kick-overlay.db", &Spec::default());
    // First make every value canonical, so the counts below are exactly the rows changed.
    edit(
        &path,
        "UPDATE users SET country = nullif(upper(trim(country)), ''), \
           created_at = coalesce(created_at, '2025-01-01 00:00:00'), \
           updated_at = coalesce(updated_at, '2025-01-01 00:00:00');
         UPDATE drop_history SET is_perfect = coalesce(is_perfect, 0) <> 0, \
           powerup_used = nullif(powerup_used, '');
         UPDATE tips SET enabled = coalesce(enabled, 1) <> 0;
         UPDATE user_points SET drop_points = coalesce(drop_points, 0);
         UPDATE users SET country = ' us' WHERE id IN (SELECT id FROM users ORDER BY id LIMIT 2);
         UPDATE users SET country = '' WHERE id = (SELECT max(id) FROM users);
         UPDATE users SET updated_at = NULL WHERE id = (SELECT min(id) FROM users);
         UPDATE drop_history SET is_perfect = 2 WHERE id IN (1, 2, 3);
         UPDATE drop_history SET powerup_used = '' WHERE id IN (4, 5);
         UPDATE tips SET enabled = NULL WHERE id = (SELECT min(id) FROM tips);
         UPDATE user_points SET drop_points = NULL \
           WHERE user_id = (SELECT min(user_id) FROM user_points);",
    );
    let now = 1_790_000_000_000;
    let (outcome, steps) = migrate_logged(
        &path,
        &MigrateOptions {
            now_ms: Some(now),
            ..MigrateOptions::default()
        },
    );
    outcome.unwrap();
    let inspect = detail(&steps, Step::Inspect);
    for expected in [
        "users.country ×3",
        "users.updated_at ×1 (NULL time to the migration's start)",
        "drop_history.is_perfect ×3",
        "drop_history.powerup_used ×2",
        "tips.enabled ×1",
        "user_points.drop_points ×1",
    ] {
        assert!(
            inspect.contains(expected),
            "{expected:?} missing: {inspect}"
        );
    }
    assert!(
        detail(&steps, Step::Verify).contains("normalised values"),
        "{steps:?}"
    );
    for (column, n) in [
        ("users.country", 3),
        ("drop_history.is_perfect", 3),
        ("drop_history.powerup_used", 2),
        ("tips.enabled", 1),
        ("user_points.drop_points", 1),
        ("users.updated_at", 1),
    ] {
        assert_eq!(
            scalar(
                &path,
                &format!("SELECT json_extract(normalised, '$.\"{column}\"') FROM migration_audit")
            ),
            n,
            "{column} in the audit row"
        );
    }
    assert_eq!(
        scalar(&path, "SELECT count(*) FROM users WHERE country = 'US'")
            - scalar(
                &path,
                "SELECT count(*) FROM users WHERE country = 'US' AND id > 2"
            ),
        2
    );
    assert_eq!(
        scalar(
            &path,
            "SELECT count(*) FROM drop_history WHERE id IN (1, 2, 3) AND is_perfect = 1"
        ),
        3
    );
    assert_eq!(
        scalar(
            &path,
            "SELECT count(*) FROM drop_history WHERE id IN (4, 5) AND powerup_used IS NULL"
        ),
        2
    );
    assert_eq!(
        scalar(
            &path,
            "SELECT updated_at FROM users WHERE id = (SELECT min(id) FROM users)"
        ),
        now
    );
    let store = open(&path).await;
    let s = default_streamer(&store).await;
    let last = scalar(&path, "SELECT max(id) FROM users");
    let user = store
        .get_user(s, datastore::UserId(last))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.country, None, "an empty country is none");
}

#[test]
fn verify_catches_a_damaged_copy_and_nothing_is_left_behind() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = legacy_file(dir.path(), "kick-overlay.db", &Spec::default());
    let original = read(&path);
    type Tamper = fn(&Connection) -> rusqlite::Result<()>;
    let cases: [(&str, Tamper, &[&str]); 7] = [
        (
            "a drop lost",
            |c| {
                c.execute_batch(
                    "DELETE FROM drop_history WHERE id = (SELECT max(id) FROM drop_history)",
                )
            },
            &["drop_history: ", "drop scores per user"],
        ),
        (
            "a balance changed",
            |c| {
                c.execute_batch(
                    "UPDATE user_points SET channel_points = channel_points + 1 \
                     WHERE user_id = (SELECT min(user_id) FROM user_points)",
                )
            },
            &["sum of user_points.channel_points", "per-user balances"],
        ),
        (
            "ledger points moved between users, every total kept",
            |c| {
                c.execute_batch(
                    "UPDATE point_transactions SET amount = amount + 5 WHERE id = (SELECT min(id) \
                     FROM point_transactions WHERE user_id = (SELECT min(user_id) FROM \
                     point_transactions));
                     UPDATE point_transactions SET amount = amount - 5 WHERE id = (SELECT min(id) \
                     FROM point_transactions WHERE user_id = (SELECT max(user_id) FROM \
                     point_transactions));",
                )
            },
            &["per-user ledgers", "point_transactions.amount"],
        ),
        (
            "a setting's value and description swapped",
            |c| {
                c.execute_batch(
                    "UPDATE overlay_settings SET value = description, description = value \
                     WHERE key = (SELECT min(key) FROM overlay_settings \
                     WHERE value IS NOT description)",
                )
            },
            &["overlay_settings.value", "overlay_settings.description"],
        ),
        (
            "a tip's text changed",
            |c| {
                c.execute_batch(
                    "UPDATE tips SET content = content || '!' WHERE id = (SELECT min(id) FROM tips)",
                )
            },
            &["tips.content"],
        ),
        (
            "a viewer session moved to another viewer",
            |c| {
                c.execute_batch(
                    "UPDATE user_sessions SET user_id = \
                       (SELECT min(id) FROM users WHERE id <> user_sessions.user_id) \
                     WHERE rowid = (SELECT min(rowid) FROM user_sessions)",
                )
            },
            &["user_sessions.user_id"],
        ),
        (
            "a country changed",
            |c| {
                c.execute_batch(
                    "UPDATE users SET country = 'ZQ' \
                     WHERE id = (SELECT min(id) FROM users WHERE country IS NOT NULL)",
                )
            },
            &["users.country"],
        ),
    ];
    for (what, tamper, expected) in cases {
        let options = MigrateOptions {
            tamper: Some(tamper),
            ..MigrateOptions::default()
        };
        let err = migrate(&path, &options).unwrap_err();
        let LegacyError::Mismatch(differences) = &err else {
            panic!("{what}: {err}");
        };
        for e in expected {
            assert!(
                differences.iter().any(|d| d.contains(e)),
                "{what}: {e:?} missing from {differences:?}"
            );
        }
        if what.starts_with("ledger") {
            assert!(
                !differences.iter().any(|d| d.starts_with("sum of")),
                "every total is kept, so only the per-user and per-row checks see it: \
                 {differences:?}"
            );
        }
        assert_eq!(read(&path), original, "{what}: the original is untouched");
        assert_eq!(backups_in(dir.path()), 0, "{what}: the backup is removed");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn rows_committed_in_a_wal_beside_the_file_are_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = legacy_file(dir.path(), "kick-overlay.db", &Spec::default());
    {
        // The legacy app stopped without folding its WAL in.
        let app = Connection::open(&path).unwrap();
        app.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)
            .unwrap();
        app.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
        app.execute_batch(
            "INSERT INTO users (username, created_at, updated_at) \
               VALUES ('late_viewer', '2025-05-05 05:05:05', '2025-05-05 05:05:05');
             INSERT INTO user_points (user_id, channel_points, drop_points, total_drops, \
               last_updated) VALUES (last_insert_rowid(), 777, 0, 0, '2025-05-05 05:05:05');",
        )
        .unwrap();
    }
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    assert!(
        std::fs::metadata(&wal).unwrap().len() > 0,
        "a WAL with rows"
    );
    let (main_bytes, wal_bytes) = (read(&path), read(&wal));

    let dry = MigrateOptions {
        dry_run: true,
        ..MigrateOptions::default()
    };
    assert!(matches!(
        migrate(&path, &dry).unwrap(),
        Migrated::Done { .. }
    ));
    let failing = MigrateOptions {
        fail_at: Some(Step::Commit),
        ..MigrateOptions::default()
    };
    assert!(matches!(
        migrate(&path, &failing).unwrap_err(),
        LegacyError::Injected(Step::Commit)
    ));
    assert_eq!(read(&path), main_bytes, "the main file as it was");
    assert_eq!(read(&wal), wal_bytes, "the WAL as it was");

    let Migrated::Done { backup, .. } = migrate(&path, &MigrateOptions::default()).unwrap() else {
        panic!("migrated");
    };
    let backup = backup.unwrap();
    let late = "SELECT channel_points FROM user_points JOIN users ON users.id = user_id \
                WHERE username = 'late_viewer'";
    assert_eq!(scalar(&backup, late), 777, "the backup has the WAL's rows");
    assert!(
        !PathBuf::from(format!("{}-wal", backup.display())).exists(),
        "a backup is a plain rollback-journal file"
    );
    let store = open(&path).await;
    let s = default_streamer(&store).await;
    let user = store
        .get_user_by_username(s, "late_viewer")
        .await
        .unwrap()
        .unwrap();
    let points = datastore::PointStore::get_points(&store, s, user.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(points.channel_points, 777);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_users_own_tables_stay_as_they_were_and_missing_powerups_get_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = legacy_file(dir.path(), "kick-overlay.db", &Spec::default());
    edit(
        &path,
        "CREATE TABLE custom_rewards (id INTEGER PRIMARY KEY, \
           user_id INTEGER REFERENCES users (id), note TEXT);
         INSERT INTO custom_rewards (user_id, note) \
           VALUES ((SELECT min(id) FROM users), 'mod of the month');
         CREATE VIEW rich AS SELECT username FROM users \
           WHERE id IN (SELECT user_id FROM user_points WHERE channel_points > 0);
         DELETE FROM powerup_config WHERE id = 'tnt';",
    );
    let rich = scalar(&path, "SELECT count(*) FROM rich");
    let (outcome, steps) = migrate_logged(&path, &MigrateOptions::default());
    outcome.unwrap();
    let inspect = detail(&steps, Step::Inspect);
    assert!(
        inspect.contains("table custom_rewards") && inspect.contains("view rich"),
        "{inspect}"
    );
    assert!(
        detail(&steps, Step::Defaults).contains("tnt"),
        "{:?}",
        detail(&steps, Step::Defaults)
    );

    let conn = Connection::open(&path).unwrap();
    let sql = |name: &str| -> String {
        conn.query_row(
            "SELECT sql FROM sqlite_schema WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert!(
        sql("custom_rewards").contains("REFERENCES users (id)"),
        "{}",
        sql("custom_rewards")
    );
    assert!(!sql("rich").contains("legacy_"), "{}", sql("rich"));
    assert_eq!(scalar(&path, "SELECT count(*) FROM rich"), rich);
    assert_eq!(
        scalar(
            &path,
            "SELECT count(*) FROM custom_rewards JOIN users ON users.id = custom_rewards.user_id"
        ),
        1
    );
    drop(conn);

    let store = open(&path).await;
    let s = default_streamer(&store).await;
    let configs = datastore::PowerupStore::list_powerups(&store, s)
        .await
        .unwrap();
    let tnt = configs
        .iter()
        .find(|c| c.id == PowerupType::Tnt)
        .expect("a default tnt config");
    let default = datastore::default_powerups()
        .into_iter()
        .find(|(k, _)| *k == PowerupType::Tnt)
        .unwrap()
        .1;
    assert_eq!(tnt.cost, default.cost);
    assert_eq!(configs.len(), 6);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_failing_at_any_step_leaves_both_files_and_upgrades_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (legacy, _) = legacy_file(dir.path(), "legacy.db", &Spec::default());
    let legacy_bytes = read(&legacy);
    // A shared file one schema version behind, whose only rows are a streamer's tips (two,
    // and a third deleted): the tip ids collide, no other table's do.
    let shared = dir.path().join("shared.db");
    {
        let mut conn = Connection::open(&shared).unwrap();
        let behind = reference_store::migrations::LATEST - 1;
        reference_store::migrations::migrate(&mut conn, &shared, behind).unwrap();
        conn.execute_batch(
            "INSERT INTO streamers (username, display_name, created_at, updated_at) \
               VALUES ('early', 'Early', 0, 0);
             INSERT INTO tips (streamer_id, content, enabled, sort_order, created_at) \
               VALUES (1, 'first tip', 1, 0, 0), (1, 'second tip', 1, 1, 0), \
                      (1, 'deleted tip', 1, 2, 0);
             DELETE FROM tips WHERE content = 'deleted tip';",
        )
        .unwrap();
    }
    let shared_bytes = read(&shared);
    let options = ImportOptions {
        streamer: "imported".into(),
        ..ImportOptions::default()
    };
    for step in Step::ALL.into_iter().filter(|s| *s != Step::DropLegacy) {
        let failing = ImportOptions {
            fail_at: Some(step),
            ..options.clone()
        };
        match import(&shared, &legacy, &failing, &mut quiet()) {
            Err(LegacyError::Injected(at)) => assert_eq!(at, step),
            other => panic!("{step}: {other:?}"),
        }
        assert_eq!(read(&shared), shared_bytes, "the target after {step}");
        assert_eq!(read(&legacy), legacy_bytes, "the legacy file after {step}");
    }
    let legacy_tips: Vec<String> = Connection::open(&legacy)
        .unwrap()
        .prepare("SELECT content FROM tips ORDER BY sort_order, id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let legacy_user_ids = scalar(&legacy, "SELECT sum(id) FROM users");

    let done = import(&shared, &legacy, &options, &mut quiet()).unwrap();
    assert_eq!(
        done.renumbered.into_iter().collect::<Vec<_>>(),
        vec![("tips", 3)],
        "only the tips collided, and past the deleted id too (AUTOINCREMENT never reuses one)"
    );
    assert_eq!(
        scalar(&shared, "PRAGMA user_version"),
        reference_store::migrations::LATEST
    );
    assert_eq!(
        scalar(
            &shared,
            &format!(
                "SELECT sum(id) FROM users WHERE streamer_id = {}",
                done.streamer_id
            )
        ),
        legacy_user_ids,
        "user ids are kept where they do not collide"
    );
    let store = open(&shared).await;
    let imported: Vec<String> =
        datastore::TipStore::list_tips(&store, datastore::StreamerId(done.streamer_id))
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.content)
            .collect();
    assert_eq!(
        imported, legacy_tips,
        "the tips, renumbered, in their order"
    );
    let early = store
        .get_streamer_by_username("early")
        .await
        .unwrap()
        .unwrap()
        .id;
    let early_tips = datastore::TipStore::list_tips(&store, early).await.unwrap();
    assert_eq!(early_tips.len(), 2);
}

#[test]
fn rollback_restores_the_recorded_backup_and_counts_each_written_row_once() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = legacy_file(dir.path(), "kick-overlay.db", &Spec::default());
    let before = legacy_dump(&path);
    let Migrated::Done { backup, .. } = migrate(&path, &MigrateOptions::default()).unwrap() else {
        panic!("migrated");
    };
    let backup = backup.unwrap();
    assert!(
        Path::new(
            &Connection::open(&path)
                .unwrap()
                .query_row("SELECT backup_path FROM migration_audit", [], |r| r
                    .get::<_, String>(0))
                .unwrap()
        )
        .is_absolute()
    );
    // A newer "pre-migration" file of something else lands in backups/.
    let decoy =
        dir.path()
            .join("backups")
            .join(backup_name(&path, 4_000_000_000_000, "pre-migration"));
    legacy_fixtures::generate(
        &decoy,
        &Spec {
            users: 30,
            drops: 60,
            ledger: true,
            seed: 7,
        },
    )
    .unwrap();

    // The server purged expired sessions (not writes: the legacy file keeps them); one balance
    // changed and the streamer disconnected Kick, whose access token had expired (two writes:
    // the refresh token would come back).
    edit(
        &path,
        "DELETE FROM user_sessions WHERE expires_at < 1800000000000;
         DELETE FROM streamer_sessions WHERE expires_at < 1800000000000;
         UPDATE user_points SET channel_points = channel_points + 1 \
         WHERE user_id = (SELECT min(user_id) FROM user_points);
         DELETE FROM api_tokens;",
    );
    match rollback(&path, &RollbackOptions::default(), &mut quiet()).unwrap_err() {
        LegacyError::WrittenSince { rows, detail } => {
            assert_eq!(rows, 2, "{detail}");
            assert_eq!(detail, "api_tokens: 1, user_points: 1");
        }
        other => panic!("{other}"),
    }
    let other = RollbackOptions {
        backup: Some(decoy.clone()),
        force: false,
    };
    let err = rollback(&path, &other, &mut quiet()).unwrap_err();
    assert!(
        matches!(&err, LegacyError::BadBackup { message, .. } if message.contains("differ")),
        "{err}"
    );
    let forced = RollbackOptions {
        force: true,
        ..RollbackOptions::default()
    };
    let done = rollback(&path, &forced, &mut quiet()).unwrap();
    assert_eq!(done.restored_from, backup, "the migration's own backup");
    assert_eq!(done.written_since, Some(2));
    assert_eq!(legacy_dump(&path), before);

    // Forced onto a backup whose rows the count cannot even migrate (an overdrawn balance),
    // the rollback still goes through, saying the writes were not counted.
    migrate(&path, &MigrateOptions::default()).unwrap();
    let overdrawn = dir.path().join("overdrawn.db");
    std::fs::copy(&decoy, &overdrawn).unwrap();
    edit(
        &overdrawn,
        "UPDATE user_points SET channel_points = -5 WHERE user_id = (SELECT min(user_id) FROM user_points)",
    );
    let forced_onto = RollbackOptions {
        backup: Some(overdrawn.clone()),
        force: true,
    };
    let done = rollback(&path, &forced_onto, &mut quiet()).unwrap();
    assert_eq!(done.written_since, None);
    assert_eq!(legacy_dump(&path), legacy_dump(&overdrawn));
}

#[test]
fn objects_of_the_users_that_the_new_tables_would_break_are_refused_untouched() {
    let cases: [(&str, &str, &str); 11] = [
        (
            "a column a later version or the owner added to a legacy table",
            "ALTER TABLE users ADD COLUMN avatar TEXT;
             UPDATE users SET avatar = 'a.png';",
            "has columns the multi-tenant schema has no place for, which the copy would lose: \
             users.avatar",
        ),
        (
            "a foreign key to a column the new users table does not key",
            "CREATE TABLE badges (id INTEGER PRIMARY KEY, \
               username TEXT REFERENCES users (username));
             INSERT INTO badges (username) SELECT username FROM users LIMIT 1;",
            "foreign keys: ",
        ),
        (
            "a view on a legacy column that is gone",
            "CREATE VIEW point_ids AS SELECT id FROM user_points;",
            "view point_ids no longer works on the new tables",
        ),
        (
            "a trigger of another table writing a legacy table that is gone",
            "CREATE TABLE audit_log (what TEXT);
             CREATE TRIGGER log_it AFTER INSERT ON audit_log BEGIN \
               INSERT INTO admin_sessions (session_token, expires_at) VALUES ('x', 'y'); END;",
            "a trigger on audit_log no longer works on the new tables",
        ),
        (
            "a trigger on a legacy table, which would be dropped with it",
            "CREATE TRIGGER touch AFTER UPDATE ON users BEGIN SELECT 1; END;",
            "trigger touch on users",
        ),
        (
            "a trigger naming its table in another case",
            "CREATE TABLE audit_log (what TEXT);
             CREATE TRIGGER log_it AFTER INSERT ON AUDIT_LOG BEGIN \
               INSERT INTO admin_sessions (session_token, expires_at) VALUES ('x', 'y'); END;",
            "a trigger on audit_log no longer works on the new tables",
        ),
        (
            "an INSTEAD OF trigger on a view of the user's",
            "CREATE TABLE notes (body TEXT);
             CREATE VIEW nv AS SELECT body FROM notes;
             CREATE TRIGGER nv_insert INSTEAD OF INSERT ON nv BEGIN \
               INSERT INTO admin_sessions (session_token, expires_at) VALUES ('x', 'y'); END;",
            "a trigger on nv no longer works on the new tables",
        ),
        (
            "a foreign key to a legacy table whose rows move elsewhere",
            "CREATE TABLE logins (id INTEGER PRIMARY KEY, \
               session INTEGER REFERENCES admin_sessions (id));",
            "logins references admin_sessions, whose rows move to streamer_sessions",
        ),
        (
            "rows of the user's own table whose parent is gone already",
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, \
               user_id INTEGER REFERENCES users (id), body TEXT);
             INSERT INTO notes (user_id, body) VALUES (987654, 'orphan');",
            "notes rowid 1: references a row of users that does not exist",
        ),
        (
            "a table of the user's named like one the new schema creates",
            "CREATE TABLE Events (id INTEGER PRIMARY KEY, what TEXT);
             INSERT INTO Events (what) VALUES ('went live');",
            "named like tables or indexes the multi-tenant schema creates, which could not be \
             created beside them: table Events.",
        ),
        (
            "an index of the user's on a legacy table, named like one of the new schema's",
            "CREATE INDEX tips_in_order ON tips (id);",
            "could not be created beside them: index tips_in_order.",
        ),
    ];
    for (i, (what, sql, expected)) in cases.into_iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let (path, _) = legacy_file(dir.path(), &format!("case{i}.db"), &Spec::default());
        edit(&path, sql);
        let original = read(&path);
        let err = migrate(&path, &MigrateOptions::default()).unwrap_err();
        assert!(
            matches!(
                err,
                LegacyError::Mismatch(_)
                    | LegacyError::Refused { .. }
                    | LegacyError::BadRows { .. }
            ),
            "{what}: {err}"
        );
        assert!(err.to_string().contains(expected), "{what}: {err}");
        assert_eq!(read(&path), original, "{what}: the file is untouched");
        assert_eq!(backups_in(dir.path()), 0, "{what}: no backup is kept");
    }
}

#[test]
fn an_import_of_a_file_with_columns_of_its_own_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let (shared, _) = legacy_file(dir.path(), "shared.db", &Spec::default());
    migrate(&shared, &MigrateOptions::default()).unwrap();
    let (legacy, _) = legacy_file(dir.path(), "legacy.db", &Spec::default());
    edit(
        &legacy,
        "ALTER TABLE tips ADD COLUMN colour TEXT DEFAULT 'red';",
    );
    let (shared_bytes, legacy_bytes) = (read(&shared), read(&legacy));
    let options = ImportOptions {
        streamer: "imported".into(),
        ..ImportOptions::default()
    };
    let err = import(&shared, &legacy, &options, &mut quiet()).unwrap_err();
    assert!(matches!(err, LegacyError::Refused { .. }), "{err}");
    assert!(err.to_string().contains("tips.colour"), "{err}");
    assert_eq!(read(&shared), shared_bytes, "the target is untouched");
    assert_eq!(read(&legacy), legacy_bytes, "the legacy file is untouched");
}

#[tokio::test]
async fn a_user_version_the_legacy_app_set_does_not_stop_the_migration() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = legacy_file(dir.path(), "versioned.db", &Spec::default());
    edit(&path, "PRAGMA user_version = 7;");
    let before = legacy_dump(&path);
    assert!(matches!(
        migrate(&path, &MigrateOptions::default()).unwrap(),
        Migrated::Done { .. }
    ));
    let store = open(&path).await;
    let s = default_streamer(&store).await;
    let users = before["users"].len() as u64;
    assert_eq!(store.count_users(s).await.unwrap(), users);
}

#[tokio::test]
async fn an_overdrawn_balance_is_refused_until_the_guides_fix_clears_it_with_a_ledger_row() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = legacy_file(dir.path(), "overdrawn.db", &Spec::default());
    let user: i64 = scalar(&path, "SELECT min(user_id) FROM user_points");
    edit(
        &path,
        &format!("UPDATE user_points SET channel_points = -40 WHERE user_id = {user}"),
    );
    let err = migrate(&path, &MigrateOptions::default()).unwrap_err();
    assert!(
        matches!(&err, LegacyError::BadRows { .. }) && err.to_string().contains("overdrawn"),
        "{err}"
    );
    // The fix the migration guide gives, as written there.
    let guide = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/migrating-a-legacy-install.md"
    ))
    .unwrap();
    let fix = guide
        .split("```sql\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the migration guide shows the overdraft fix");
    assert!(fix.contains("overdraft cleared"), "{fix}");
    edit(&path, fix);
    migrate(&path, &MigrateOptions::default()).unwrap();
    let store = open(&path).await;
    let s = default_streamer(&store).await;
    let u = datastore::UserId(user);
    use datastore::PointStore;
    assert_eq!(
        store
            .get_points(s, u)
            .await
            .unwrap()
            .unwrap()
            .channel_points,
        0
    );
    let history = store
        .transaction_history(
            s,
            u,
            datastore::HistoryRequest {
                limit: 100,
                before: None,
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert!(
        history.iter().any(|t| t.amount == 40
            && t.description.as_deref() == Some("overdraft cleared before migration")),
        "{history:?}"
    );
}

/// A dry run, a second run on a migrated file, a rollback and an import leave no `-wal` or
/// `-shm` file beside the files they read or wrote (SQLite removes them when the last
/// connection closes, which a read-only connection never does).
#[test]
fn runs_that_change_nothing_and_rollbacks_leave_no_wal_or_shm_files() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = legacy_file(dir.path(), "kick-overlay.db", &Spec::default());
    let strays = |what: &str| {
        let left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with("-wal") || n.ends_with("-shm"))
            .collect();
        assert!(left.is_empty(), "after {what}: {left:?}");
    };
    strays("generating the legacy file");
    migrate(
        &path,
        &MigrateOptions {
            dry_run: true,
            ..MigrateOptions::default()
        },
    )
    .unwrap();
    strays("a dry run");
    migrate(&path, &MigrateOptions::default()).unwrap();
    strays("the migration");
    assert!(matches!(
        migrate(&path, &MigrateOptions::default()).unwrap(),
        Migrated::AlreadyMigrated { .. }
    ));
    strays("a second run");
    rollback(&path, &RollbackOptions::default(), &mut quiet()).unwrap();
    strays("a rollback");
    let shared = dir.path().join("shared.db");
    reference_store::SqliteStore::open_blocking(
        &shared,
        std::sync::Arc::new(datastore::SystemClock),
        reference_store::OpenOptions::default(),
    )
    .unwrap();
    let options = ImportOptions {
        streamer: "second".into(),
        ..ImportOptions::default()
    };
    import(&shared, &path, &options, &mut quiet()).unwrap();
    strays("an import");
}

/// A file the release before schema version 6 migrated, and its backup, from the dumps in
/// `tests/data` (their README says how that release made them), loaded into files.
fn migrated_by_release_0_1(dir: &Path) -> (PathBuf, PathBuf) {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let load = |dump: &str, file: &str| {
        let path = dir.join(file);
        let conn = Connection::open(&path).unwrap();
        // The dump creates tables in name order, children before their parents.
        conn.pragma_update(None, "foreign_keys", false).unwrap();
        conn.execute_batch(&std::fs::read_to_string(data.join(dump)).unwrap())
            .unwrap();
        (conn, path)
    };
    let (conn, migrated) = load("release-0.1-migrated.sql", "kick-overlay.db");
    // The header, which a dump does not keep, as that release wrote it.
    conn.pragma_update(
        None,
        "application_id",
        reference_store::migrations::APPLICATION_ID,
    )
    .unwrap();
    conn.pragma_update(None, "user_version", 5).unwrap();
    drop(conn);
    let (_, backup) = load("release-0.1-backup.sql", "release-0.1-backup.db");
    (migrated, backup)
}

/// A file the previous release migrated (expired sessions, codes and cooldowns copied, a
/// `theme_config` that is not JSON left a plain setting, no `expired` count in its audit row)
/// rolls back with nothing counted as written since, before and after the server has upgraded
/// it: the rollback migrates its backup again the way that release did. Compared with
/// today's copy instead, it would be refused.
#[tokio::test(flavor = "multi_thread")]
async fn a_file_the_previous_release_migrated_rolls_back_with_nothing_written_since() {
    let dir = tempfile::tempdir().unwrap();
    let (migrated, backup) = migrated_by_release_0_1(dir.path());
    let original = legacy_dump(&backup);
    let options = RollbackOptions {
        backup: Some(backup.clone()),
        force: false,
    };

    // Upgraded by the server (schema 6: `expired` is NULL), and then taken for a run of today.
    let upgraded = dir.path().join("upgraded.db");
    std::fs::copy(&migrated, &upgraded).unwrap();
    drop(open(&upgraded).await);
    assert_eq!(
        scalar(
            &upgraded,
            "SELECT count(*) FROM migration_audit WHERE expired IS NULL"
        ),
        1
    );
    let as_today = dir.path().join("as-today.db");
    std::fs::copy(&upgraded, &as_today).unwrap();
    edit(&as_today, "UPDATE migration_audit SET expired = '{}'");
    // Today's copy refuses the backup's `theme_config`, which is not a JSON object.
    let err = rollback(&as_today, &options, &mut quiet()).unwrap_err();
    assert!(
        matches!(err, LegacyError::BadRows { .. }) && err.to_string().contains("theme_config"),
        "{err}"
    );

    for path in [&migrated, &upgraded] {
        let done = rollback(path, &options, &mut quiet()).unwrap();
        assert_eq!(done.written_since, Some(0), "{}", path.display());
        assert_eq!(legacy_dump(path), original, "{}", path.display());
    }
}
