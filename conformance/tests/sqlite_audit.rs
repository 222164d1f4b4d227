//! The whole suite once more on the SQLite store, watching what it does to the database:
//!
//! * every statement the store executes (rusqlite's trace hook, on every connection) that reads
//!   or writes a tenant table must constrain `streamer_id`; a failure lists the offenders;
//! * after the suite, every database file it used passes `PRAGMA foreign_key_check` and
//!   `PRAGMA integrity_check`.

use conformance::audit::{touches_tenant_data, unscoped};
use conformance::cases::CASES;
use conformance::harness::{Options, run_case, runtime};
use conformance::{Factory, StoreContext};
use reference_store::{OpenOptions, SqliteStore};
use rusqlite::Connection;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The tables of `db` that carry a `streamer_id`: the tenant tables.
fn tenant_tables(db: &Path) -> BTreeSet<String> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT m.name FROM sqlite_schema m, pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND c.name = 'streamer_id'",
        )
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The `detail` lines of `EXPLAIN QUERY PLAN sql` (the statement is not run, and its
/// parameters are left unbound: the plan does not depend on them).
fn query_plan(conn: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(r) = rows.next().unwrap() {
        out.push(r.get::<_, String>(3).unwrap());
    }
    out
}

/// What is wrong with the query plan of `sql`, a statement on tenant data, if anything. The
/// rules: no tenant table is scanned whole (a `json_each` list of names may be, and the
/// `streamers` table, which is not tenant data); every index search of a tenant table leads
/// with `streamer_id` (a row fetched by its own id is a point lookup and also passes); and
/// a page (`ORDER BY … LIMIT ?n`: the leaderboard, the ledger, user lists) is read in index
/// order, never sorted in a temporary B-tree; and no statement builds an automatic index (a
/// transient index SQLite builds by scanning a table, on every run). (A `LIMIT 1` lookup may
/// sort: the newest verification code of one username sorts that username's few codes.)
fn plan_problems(conn: &Connection, sql: &str, tenant: &BTreeSet<String>) -> Vec<String> {
    let index_table = |index: &str| -> Option<String> {
        conn.query_row(
            "SELECT tbl_name FROM sqlite_schema WHERE type = 'index' AND name = ?1",
            [index],
            |r| r.get(0),
        )
        .ok()
    };
    let sorted_page = sql.contains(" ORDER BY ") && sql.contains(" LIMIT ?");
    let mut out = Vec::new();
    for detail in query_plan(conn, sql) {
        if detail.starts_with("SCAN ")
            && !detail.starts_with("SCAN streamers")
            && !detail.contains("VIRTUAL TABLE")
        {
            out.push(format!("a full scan: {detail}"));
        }
        if let Some((_, rest)) = detail.split_once(" INDEX ")
            && detail.starts_with("SEARCH ")
        {
            let name = rest.split_whitespace().next().unwrap_or("");
            let leads = rest.contains(" (streamer_id=");
            if index_table(name).is_some_and(|t| tenant.contains(&t)) && !leads {
                out.push(format!("an index search not led by streamer_id: {detail}"));
            }
        }
        if detail.contains(" AUTOMATIC ") {
            out.push(format!("an automatic index: {detail}"));
        }
        if sorted_page && detail.starts_with("USE TEMP B-TREE") {
            out.push(format!("a page sorted outside its index: {detail}"));
        }
    }
    out
}

#[test]
fn whole_suite_on_sqlite_scopes_every_statement_and_leaves_clean_files() {
    let dir = tempfile::tempdir().unwrap();
    let root: PathBuf = dir.path().to_path_buf();
    let statements: Arc<Mutex<Vec<String>>> = Arc::default();
    let files: Arc<Mutex<Vec<PathBuf>>> = Arc::default();
    let counter = Arc::new(AtomicUsize::new(0));

    let factory = {
        let (statements, files) = (statements.clone(), files.clone());
        Factory::new(move |ctx: StoreContext| {
            // Files live in this test's directory, not the case's, so they can be checked
            // after the whole suite.
            let path = root.join(format!(
                "store-{}.db",
                counter.fetch_add(1, Ordering::SeqCst)
            ));
            files.lock().unwrap().push(path.clone());
            let log = statements.clone();
            let options = OpenOptions {
                trace: Some(Arc::new(move |sql: &str| {
                    log.lock().unwrap().push(sql.to_owned());
                })),
                ..OpenOptions::default()
            };
            async move {
                SqliteStore::open_with(path, ctx.clock(), options)
                    .await
                    .expect("open an audited store")
            }
        })
    };

    let options = Options::from_env();
    let rt = runtime();
    let mut failures = Vec::new();
    for case in CASES {
        if let Err(f) = rt.block_on(run_case(case, &factory, options)) {
            failures.push(format!("{}: {f}", case.name));
        }
    }
    drop(rt);

    let files = files.lock().unwrap().clone();
    assert!(files.len() >= CASES.len(), "every case opened a store");
    let tenant = tenant_tables(&files[0]);
    // Nineteen, the events, their counters and the overlay keys, and what Kick drives.
    assert_eq!(tenant.len(), 29, "{tenant:?}");
    for t in [
        "events",
        "event_sequences",
        "overlay_keys",
        "kick_deliveries",
        "kick_viewers",
        "stream_states",
        "chatters",
        "watch_minutes",
        "duels",
        "economy_configs",
    ] {
        assert!(tenant.contains(t), "{t} is a tenant table: {tenant:?}");
    }

    // Every statement on tenant data constrains streamer_id.
    let statements = statements.lock().unwrap();
    let distinct: BTreeSet<&String> = statements.iter().collect();
    let offenders: Vec<String> = distinct
        .iter()
        .filter_map(|sql| unscoped(sql, &tenant).map(|why| format!("{why}:\n    {sql}")))
        .collect();
    // Both lists in one message: a leaky statement usually fails cases too.
    assert!(
        offenders.is_empty() && failures.is_empty(),
        "{} statements do not constrain streamer_id:\n{}\n\n{} cases failed:\n{}",
        offenders.len(),
        offenders.join("\n"),
        failures.len(),
        failures.join("\n")
    );
    // The trace saw the store at work on every tenant table.
    for table in &tenant {
        assert!(
            distinct.iter().any(|s| s.contains(&format!(" {table} "))
                && !s.trim_start().starts_with("CREATE")),
            "no statement touched {table}: is the trace hook on?"
        );
    }
    eprintln!(
        "{} statements traced ({} distinct) over {} cases and {} database files",
        statements.len(),
        distinct.len(),
        CASES.len(),
        files.len()
    );

    // Every statement on tenant data reads one streamer's rows through an index that leads
    // with streamer_id: the query plan never scans a whole tenant table (all streamers' rows),
    // and the leaderboard and ledger pages come out of their index already in order.
    let conn = Connection::open(&files[0]).unwrap();
    let mut bad_plans = Vec::new();
    let mut checked = 0;
    for sql in distinct.iter().filter(|s| touches_tenant_data(s, &tenant)) {
        checked += 1;
        for problem in plan_problems(&conn, sql, &tenant) {
            bad_plans.push(format!("{problem}:\n    {sql}"));
        }
    }
    assert!(
        checked > 80,
        "only {checked} statements had their plans checked"
    );
    assert!(
        bad_plans.is_empty(),
        "query plans that do not stay inside one streamer's index range:\n{}",
        bad_plans.join("\n")
    );

    // Every file the suite used is consistent.
    for path in &files {
        let conn = Connection::open(path).unwrap();
        let mut fk = conn.prepare("PRAGMA foreign_key_check").unwrap();
        let violations: Vec<String> = fk
            .query_map([], |r| {
                Ok(format!(
                    "{:?}",
                    (r.get::<_, String>(0)?, r.get::<_, i64>(1)?)
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            violations.is_empty(),
            "{}: foreign key violations {violations:?}",
            path.display()
        );
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(integrity, "ok", "{}", path.display());
    }
}

#[test]
fn the_plan_check_sees_scans_foreign_indexes_and_sorted_pages() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.db");
    let clock = std::sync::Arc::new(datastore::ManualClock::new(conformance::harness::START));
    drop(SqliteStore::open_blocking(&path, clock, OpenOptions::default()).unwrap());
    let conn = Connection::open(&path).unwrap();
    let tenant = tenant_tables(&path);
    let problems = |sql: &str| plan_problems(&conn, sql, &tenant);
    let flagged = |sql: &str, what: &str| {
        let found = problems(sql);
        assert!(
            found.iter().any(|p| p.starts_with(what)),
            "{sql}: {found:?}"
        );
    };
    flagged("SELECT count(*) FROM users", "a full scan");
    flagged("SELECT id FROM tips WHERE content = ?1", "a full scan");
    // The schema has no index on usernames alone; one made for the test is not led by the
    // streamer, so it is flagged even though it avoids the scan.
    conn.execute_batch("CREATE INDEX users_by_name_only ON users (username)")
        .unwrap();
    flagged(
        "SELECT id FROM users WHERE username = ?1",
        "an index search not led",
    );
    flagged(
        "SELECT p.user_id FROM user_points p WHERE p.streamer_id = ?1 \
         ORDER BY p.channel_points DESC LIMIT ?2",
        "a page sorted",
    );
    // A join on a column no index holds: SQLite builds a transient index of the whole table.
    flagged(
        "WITH v AS MATERIALIZED (SELECT voice_id FROM users WHERE streamer_id = ?1) \
         SELECT a.id FROM users a JOIN v ON v.voice_id = a.voice_id WHERE a.streamer_id = ?1",
        "an automatic index",
    );
    assert_eq!(
        problems("SELECT count(*) FROM users WHERE streamer_id = ?1"),
        Vec::<String>::new()
    );
    assert_eq!(
        problems(
            "SELECT p.user_id FROM user_points p WHERE p.streamer_id = ?1 \
             ORDER BY p.channel_points + p.drop_points DESC, p.user_id LIMIT ?2"
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        problems("SELECT j.value FROM json_each(?1) j"),
        Vec::<String>::new()
    );
}
