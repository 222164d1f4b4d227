//! The PostgreSQL store's second wall, row-level security, tested on its own:
//!
//! * the schema: every tenant table has `ENABLE` and `FORCE ROW LEVEL SECURITY` and a policy,
//!   and `streamer_id` leads every key and index (and is in every foreign key) of every tenant
//!   table;
//! * a transaction that names no streamer (or an empty one) reads and writes no tenant row,
//!   and one that names B sees nothing of A;
//! * the store refuses a server login that would not be bound by the policies;
//! * migrations apply once, and a newer schema (or an older one without the owner) is refused;
//! * with the store's own tenant predicates stripped, the isolation cases (every cross-tenant
//!   sweep included) still pass: the policies alone keep the streamers apart.

mod pg;

use conformance::cases::CASES;
use conformance::harness::{Options, run_case, runtime};
use conformance::{Factory, StoreContext};
use datastore::{NewStreamer, PointDelta, PointSource, PointStore, StreamerStore, UserStore};
use pg::{clock, raw, tenant_tables};
use pg_store::{ConnectError, PgOptions, PgStore};
use tokio_postgres::error::SqlState;

/// A migrated store on a fresh schema, with its options.
async fn fresh() -> (PgStore, PgOptions) {
    let options = pg::fresh_options();
    let store = PgStore::connect(options.clone(), clock())
        .await
        .expect("connect a fresh store");
    (store, options)
}

#[tokio::test]
async fn every_tenant_table_forces_row_security_under_a_policy() {
    let (store, options) = fresh().await;
    let owner = raw(options.owner_url.as_deref().unwrap(), store.schema()).await;
    let mut tables = tenant_tables(&owner, store.schema()).await;
    tables.push("streamers".to_owned());
    assert!(
        tables.len() >= 19,
        "found too few tenant tables: {tables:?}"
    );
    let mut missing = Vec::new();
    for table in &tables {
        let row = owner
            .query_one(
                "SELECT c.relrowsecurity, c.relforcerowsecurity, \
                 (SELECT count(*) FROM pg_policies p WHERE p.schemaname = $1 AND p.tablename = $2) \
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = $1 AND c.relname = $2",
                &[&store.schema(), table],
            )
            .await
            .unwrap();
        let (enabled, forced, policies): (bool, bool, i64) = (row.get(0), row.get(1), row.get(2));
        if !enabled || !forced || policies == 0 {
            missing.push(format!(
                "{table} (enabled {enabled}, forced {forced}, {policies} policies)"
            ));
        }
    }
    assert!(
        missing.is_empty(),
        "tables without forced row security: {missing:?}"
    );
}

#[tokio::test]
async fn streamer_id_leads_every_key_and_index_of_every_tenant_table() {
    let (store, options) = fresh().await;
    let owner = raw(options.owner_url.as_deref().unwrap(), store.schema()).await;
    let tables = tenant_tables(&owner, store.schema()).await;
    let mut offenders = Vec::new();
    for table in &tables {
        // Every index (primary keys and unique keys are indexes): its first column.
        for row in owner
            .query(
                "SELECT i.indexrelid::regclass::text, a.attname::text \
                 FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0] \
                 WHERE n.nspname = $1 AND c.relname = $2",
                &[&store.schema(), table],
            )
            .await
            .unwrap()
        {
            let first: Option<String> = row.get(1);
            if first.as_deref() != Some("streamer_id") {
                offenders.push(format!(
                    "index {} leads with {first:?}",
                    row.get::<_, String>(0)
                ));
            }
        }
        // Every foreign key: streamer_id among its columns, first.
        for row in owner
            .query(
                "SELECT con.conname::text, a.attname::text FROM pg_constraint con \
                 JOIN pg_class c ON c.oid = con.conrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = con.conkey[1] \
                 WHERE n.nspname = $1 AND c.relname = $2 AND con.contype = 'f'",
                &[&store.schema(), table],
            )
            .await
            .unwrap()
        {
            let first: String = row.get(1);
            if first != "streamer_id" {
                offenders.push(format!(
                    "foreign key {} leads with {first}",
                    row.get::<_, String>(0)
                ));
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}

#[tokio::test]
async fn a_transaction_without_a_streamer_reads_and_writes_nothing() {
    let (store, options) = fresh().await;
    let a = store
        .create_streamer(NewStreamer::named("alpha"))
        .await
        .unwrap();
    let b = store
        .create_streamer(NewStreamer::named("beta"))
        .await
        .unwrap();
    let user = store.get_or_create_user(a.id, "viewer").await.unwrap().user;
    store
        .earn_points(a.id, user.id, PointDelta::new(10, PointSource::Chat))
        .await
        .unwrap();
    let server = raw(&options.url, store.schema()).await;
    let owner = raw(options.owner_url.as_deref().unwrap(), store.schema()).await;
    let tables = tenant_tables(&owner, store.schema()).await;

    // No streamer, an empty one, and B: none of them sees or changes anything of A.
    for setting in [None, Some(String::new()), Some(b.id.0.to_string())] {
        server.batch_execute("BEGIN").await.unwrap();
        if let Some(value) = &setting {
            server
                .execute(
                    "SELECT set_config('kickoverlay.streamer_id', $1, true)",
                    &[value],
                )
                .await
                .unwrap();
        }
        for table in &tables {
            let n: i64 = server
                .query_one(&format!("SELECT count(*) FROM {table}"), &[])
                .await
                .unwrap()
                .get(0);
            // B has its default powerup configuration, and nothing else.
            let own = if setting.as_deref() == Some(&b.id.0.to_string()) {
                owner
                    .query_one(
                        &format!("SELECT count(*) FROM {table} WHERE streamer_id = $1"),
                        &[&b.id.0],
                    )
                    .await
                    .unwrap()
                    .get(0)
            } else {
                0i64
            };
            assert_eq!(n, own, "{table} under {setting:?}");
        }
        let changed = server
            .execute("UPDATE user_points SET channel_points = 999", &[])
            .await
            .unwrap();
        assert_eq!(
            changed, 0,
            "an update under {setting:?} changed A's balance"
        );
        let deleted = server.execute("DELETE FROM users", &[]).await.unwrap();
        assert_eq!(deleted, 0, "a delete under {setting:?} removed A's users");
        server.batch_execute("SAVEPOINT probe").await.unwrap();
        let forged = server
            .execute(
                "INSERT INTO tips (streamer_id, content, created_at) VALUES ($1, 'forged', 0)",
                &[&a.id.0],
            )
            .await;
        let code = forged.as_ref().err().and_then(|e| e.code().cloned());
        assert_eq!(
            code,
            Some(SqlState::INSUFFICIENT_PRIVILEGE),
            "an insert into A's tips under {setting:?}: {forged:?}"
        );
        server.batch_execute("ROLLBACK TO probe").await.unwrap();
        // Nor can it touch the streamers table (no operator setting).
        let renamed = server
            .execute("UPDATE streamers SET display_name = 'x'", &[])
            .await
            .unwrap();
        let expect = u64::from(setting.as_deref() == Some(&b.id.0.to_string()));
        assert_eq!(renamed, expect, "streamers renamed under {setting:?}");
        server.batch_execute("ROLLBACK").await.unwrap();
    }

    // The operator sees the streamers and no tenant row, and cannot change a streamer.
    server.batch_execute("BEGIN").await.unwrap();
    server
        .batch_execute("SELECT set_config('kickoverlay.operator', 'on', true)")
        .await
        .unwrap();
    let streamers: i64 = server
        .query_one("SELECT count(*) FROM streamers", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(streamers, 2);
    for table in &tables {
        let n: i64 = server
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, 0, "the operator sees rows of {table}");
    }
    let changed = server
        .execute("UPDATE streamers SET display_name = 'x'", &[])
        .await
        .unwrap();
    let deleted = server.execute("DELETE FROM streamers", &[]).await.unwrap();
    assert_eq!((changed, deleted), (0, 0), "the operator changed streamers");
    server.batch_execute("ROLLBACK").await.unwrap();

    // And A's data is intact.
    let points = store.get_points(a.id, user.id).await.unwrap().unwrap();
    assert_eq!(points.channel_points, 10);
}

#[tokio::test]
async fn the_server_login_must_be_bound_by_row_security() {
    let (store, options) = fresh().await;
    let owner_url = options.owner_url.clone().unwrap();
    // The owner (here a superuser) as the server's login.
    let as_owner = PgOptions::new(owner_url.clone()).with_schema(store.schema());
    match PgStore::connect(as_owner, clock()).await {
        Err(ConnectError::PrivilegedLogin { .. }) => {}
        other => panic!("the owner was accepted as the server's login: {other:?}"),
    }
    // A role with BYPASSRLS.
    let admin = pg_scratch::server().admin().await;
    let _ = admin
        .batch_execute("CREATE ROLE kickoverlay_test_bypass LOGIN BYPASSRLS PASSWORD 'bypass'")
        .await;
    let mut config: tokio_postgres::Config = owner_url.parse().unwrap();
    config.user("kickoverlay_test_bypass").password("bypass");
    let bypass = PgOptions::new(pg_scratch::conn_string(&config, None))
        .with_owner(owner_url)
        .with_schema(store.schema());
    match PgStore::connect(bypass, clock()).await {
        Err(ConnectError::PrivilegedLogin { why, .. }) => assert!(why.contains("BYPASSRLS")),
        other => panic!("a BYPASSRLS login was accepted: {other:?}"),
    }
    // A role that may act as the tables' owner (a member of the owner's role).
    let owner_role: String = admin
        .query_one("SELECT current_user::text", &[])
        .await
        .unwrap()
        .get(0);
    let _ = admin
        .batch_execute("CREATE ROLE kickoverlay_test_member LOGIN PASSWORD 'member'")
        .await;
    admin
        .batch_execute(&format!(
            "GRANT \"{owner_role}\" TO kickoverlay_test_member"
        ))
        .await
        .unwrap();
    let mut member: tokio_postgres::Config = options.owner_url.clone().unwrap().parse().unwrap();
    member.user("kickoverlay_test_member").password("member");
    let as_member =
        PgOptions::new(pg_scratch::conn_string(&member, None)).with_schema(store.schema());
    match PgStore::connect(as_member, clock()).await {
        Err(ConnectError::PrivilegedLogin { why, .. }) => assert!(why.contains("owns"), "{why}"),
        other => panic!("a member of the owner's role was accepted: {other:?}"),
    }
}

#[tokio::test]
async fn migrations_apply_once_and_other_versions_are_refused() {
    let (store, options) = fresh().await;
    let owner = raw(options.owner_url.as_deref().unwrap(), store.schema()).await;
    // A second connect applies nothing.
    PgStore::connect(options.clone(), clock()).await.unwrap();
    let applied: i64 = owner
        .query_one("SELECT count(*) FROM schema_migrations", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(applied, pg_store::migrations::LATEST as i64);
    // Without the owner, a current schema is accepted.
    let server_only = PgOptions::new(options.url.clone()).with_schema(store.schema());
    PgStore::connect(server_only.clone(), clock())
        .await
        .expect("a current schema needs no owner");
    // A newer schema is refused, with or without the owner.
    owner
        .batch_execute("INSERT INTO schema_migrations (version, name) VALUES (99, 'future')")
        .await
        .unwrap();
    for opts in [options.clone(), server_only] {
        match PgStore::connect(opts, clock()).await {
            Err(ConnectError::NewerSchema { found: 99, .. }) => {}
            other => panic!("a newer schema was accepted: {other:?}"),
        }
    }
    // An empty schema without the owner is refused as older.
    let scratch = pg_scratch::server().scratch();
    let fresh_server_only = PgOptions::new(scratch.server_url).with_schema(scratch.schema);
    match PgStore::connect(fresh_server_only, clock()).await {
        Err(ConnectError::OlderSchema { found: 0, .. }) => {}
        other => panic!("an unmigrated schema was accepted: {other:?}"),
    }
}

/// A store whose statements have no tenant predicates: only row-level security separates
/// the streamers.
fn stripped() -> Factory {
    Factory::new(|ctx: StoreContext| async move {
        PgStore::connect_without_tenant_predicates(pg::fresh_options(), ctx.clock())
            .await
            .expect("connect a fresh store without tenant predicates")
    })
}

#[test]
fn row_security_alone_keeps_streamers_apart() {
    let cases: Vec<_> = CASES.iter().filter(|c| c.module == "isolation").collect();
    assert!(
        cases
            .iter()
            .any(|c| c.name.starts_with("cross_tenant_sweep_")),
        "the isolation cases include the sweeps"
    );
    let rt = runtime();
    let factory = stripped();
    let options = Options::from_env();
    let mut failures = Vec::new();
    for case in &cases {
        if let Err(f) = rt.block_on(run_case(case, &factory, options)) {
            failures.push(format!("{}: {f}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "with its tenant predicates stripped, {} of {} isolation cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// The control of `row_security_alone_keeps_streamers_apart`: with the predicates stripped and
/// row-level security off too, the sweep must see the leak (so stripping really strips, and
/// the policies are what held above).
#[test]
fn without_either_wall_the_sweep_sees_the_leak() {
    let factory = Factory::new(|ctx: StoreContext| async move {
        let options = pg::fresh_options();
        let store = PgStore::connect_without_tenant_predicates(options.clone(), ctx.clock())
            .await
            .expect("connect a fresh store without tenant predicates");
        let owner = options.owner_url.as_deref().expect("an owner login");
        pg::switch_row_security_off(owner, &options.schema).await;
        store
    });
    let rt = runtime();
    let options = Options::from_env();
    for name in ["cross_tenant_sweep_tips", "cross_tenant_sweep_users"] {
        let case = CASES
            .iter()
            .find(|c| c.name == name)
            .expect("the sweep case");
        let result = rt.block_on(run_case(case, &factory, options));
        assert!(
            result.is_err(),
            "{name} passed with no wall at all: stripping or the sweep is broken"
        );
    }
}
