//! The whole suite once more on the PostgreSQL store, watching what it runs:
//!
//! * every statement it prepared that reads or writes a tenant table must constrain
//!   `streamer_id` (`conformance::audit::unscoped`), and every one that changes the
//!   `streamers` table must name its row (`streamers.id = $N`); a failure lists the offenders;
//! * no statement's plan scans a whole tenant table: each is prepared with PostgreSQL's generic
//!   plan (the plan for any parameter values) with sequential scans discouraged, so a
//!   `Seq Scan` on a tenant table means no index serves the statement.

mod pg;

use conformance::audit::{touches_tenant_data, unscoped};
use conformance::cases::CASES;
use conformance::harness::{Options, run_case, runtime};
use conformance::{Factory, StoreContext};
use std::collections::BTreeSet;

/// `sql` as something `PREPARE` takes: the query of a cursor declaration, else itself.
fn plannable(sql: &str) -> &str {
    sql.split_once(" CURSOR FOR ").map_or(sql, |(_, q)| q)
}

/// The highest `$N` in `sql`.
fn parameters(sql: &str) -> usize {
    sql.match_indices('$')
        .filter_map(|(at, _)| {
            sql[at + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse::<usize>()
                .ok()
        })
        .max()
        .unwrap_or(0)
}

/// The tenant tables `sql`'s generic plan reads whole, by the plan's own words.
async fn scanned(
    owner: &tokio_postgres::Client,
    sql: &str,
    tenant: &BTreeSet<String>,
) -> Vec<String> {
    let query = plannable(sql);
    owner
        .batch_execute(&format!("PREPARE audited AS {query}"))
        .await
        .unwrap_or_else(|e| panic!("cannot prepare {query}: {e}"));
    let nulls = vec!["NULL"; parameters(query)].join(", ");
    let execute = if nulls.is_empty() {
        "EXPLAIN EXECUTE audited".to_owned()
    } else {
        format!("EXPLAIN EXECUTE audited({nulls})")
    };
    let plan: Vec<String> = owner
        .query(&execute, &[])
        .await
        .unwrap_or_else(|e| panic!("cannot explain {query}: {e}"))
        .iter()
        .map(|r| r.get(0))
        .collect();
    owner.batch_execute("DEALLOCATE audited").await.unwrap();
    whole_reads(&plan, tenant)
}

/// The tenant tables a plan (EXPLAIN's lines) reads whole: a `Seq Scan` of one, or an index
/// scan of one whose index condition does not bound `streamer_id` (a walk of the whole index).
fn whole_reads(plan: &[String], tenant: &BTreeSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    for (i, line) in plan.iter().enumerate() {
        let step = line.trim_start().trim_start_matches("->  ");
        let table = if let Some(rest) = step.strip_prefix("Seq Scan on ") {
            rest.split_whitespace()
                .next()
                .filter(|t| tenant.contains(*t))
                .map(|t| (t, false))
        } else if step.starts_with("Index Scan using ")
            || step.starts_with("Index Only Scan using ")
            || step.starts_with("Bitmap Index Scan on ")
        {
            let words: Vec<&str> = step.split_whitespace().collect();
            let on = words.iter().position(|w| *w == "on");
            let table = on.and_then(|at| words.get(at + 1)).copied();
            // A bitmap index scan names its index only; its heap scan names the table.
            let table = match table {
                Some(t) if tenant.contains(t) => Some(t),
                _ if step.starts_with("Bitmap Index Scan on ") => tenant
                    .iter()
                    .find(|t| step.contains(t.as_str()))
                    .map(String::as_str),
                _ => None,
            };
            table.map(|t| (t, true))
        } else {
            None
        };
        let Some((table, indexed)) = table else {
            continue;
        };
        if !indexed {
            out.push(format!("{table} scanned whole: {}", plan.join(" / ")));
            continue;
        }
        let depth = line.len() - line.trim_start().len();
        let bounded = plan[i + 1..]
            .iter()
            .take_while(|l| l.len() - l.trim_start().len() > depth && !l.contains("->"))
            .any(|l| l.contains("Index Cond:") && l.contains("streamer_id ="));
        if !bounded {
            out.push(format!(
                "{table} read through a whole index: {}",
                plan.join(" / ")
            ));
        }
    }
    out
}

#[test]
fn whole_suite_on_postgres_scopes_every_statement_and_scans_no_tenant_table() {
    let rt = runtime();
    let factory = Factory::new(|ctx: StoreContext| pg::fresh_store(ctx.clock()));
    let options = Options::from_env();
    let mut failures = Vec::new();
    for case in CASES {
        if let Err(f) = rt.block_on(run_case(case, &factory, options)) {
            failures.push(format!("{}: {f}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "cases failed:\n{}",
        failures.join("\n")
    );

    let statements = pg_store::audit::recorded_statements();
    assert!(
        statements.len() > 80,
        "too few statements recorded: {}",
        statements.len()
    );
    rt.block_on(async {
        let options = pg::fresh_options();
        let store = pg_store::PgStore::connect(options.clone(), pg::clock())
            .await
            .unwrap();
        let owner = pg::raw(options.owner_url.as_deref().unwrap(), store.schema()).await;
        let tenant: BTreeSet<String> = pg::tenant_tables(&owner, store.schema())
            .await
            .into_iter()
            .collect();
        let unscoped: Vec<String> = statements
            .iter()
            .filter(|sql| touches_tenant_data(plannable(sql), &tenant))
            .filter_map(|sql| unscoped(plannable(sql), &tenant).map(|why| format!("{why}: {sql}")))
            .collect();
        assert!(
            unscoped.is_empty(),
            "statements that do not constrain streamer_id:\n{}",
            unscoped.join("\n")
        );
        // The streamers table has no streamer_id: a statement that changes it must name its row.
        let unnamed: Vec<&String> = statements
            .iter()
            .filter(|sql| {
                let upper = sql.trim_start().to_ascii_uppercase();
                (upper.starts_with("UPDATE STREAMERS")
                    || upper.starts_with("DELETE FROM STREAMERS"))
                    && !sql.contains("streamers.id = $")
            })
            .collect();
        assert!(
            unnamed.is_empty(),
            "statements that change streamers without naming the row: {unnamed:#?}"
        );
        owner
            .batch_execute("SET enable_seqscan = off; SET plan_cache_mode = force_generic_plan")
            .await
            .unwrap();
        let mut scans = Vec::new();
        let mut planned = 0;
        for sql in &statements {
            if touches_tenant_data(plannable(sql), &tenant) {
                planned += 1;
                scans.extend(scanned(&owner, sql, &tenant).await);
            }
        }
        assert!(planned > 60, "too few statements planned: {planned}");
        assert!(
            scans.is_empty(),
            "tenant tables scanned whole:\n{}",
            scans.join("\n")
        );
    });
}

#[test]
fn the_plan_check_sees_a_whole_table_scan() {
    let rt = runtime();
    rt.block_on(async {
        let options = pg::fresh_options();
        let store = pg_store::PgStore::connect(options.clone(), pg::clock())
            .await
            .unwrap();
        let owner = pg::raw(options.owner_url.as_deref().unwrap(), store.schema()).await;
        let tenant: BTreeSet<String> = ["tips".to_owned(), "users".to_owned()].into();
        owner
            .batch_execute("SET enable_seqscan = off; SET plan_cache_mode = force_generic_plan")
            .await
            .unwrap();
        let scans = scanned(&owner, "SELECT id FROM tips WHERE content = $1", &tenant).await;
        assert_eq!(scans.len(), 1, "{scans:?}");
        // Ordered by its key with no bound on streamer_id: a walk of the whole index.
        let walked = scanned(
            &owner,
            "SELECT id FROM tips ORDER BY streamer_id, id LIMIT $1",
            &tenant,
        )
        .await;
        assert_eq!(walked.len(), 1, "{walked:?}");
        let served = scanned(
            &owner,
            "SELECT id FROM tips WHERE streamer_id = $1 AND id = $2",
            &tenant,
        )
        .await;
        assert!(served.is_empty(), "{served:?}");
    });
}
