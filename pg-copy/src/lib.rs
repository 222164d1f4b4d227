//! Moving a SQLite deployment into PostgreSQL: [`copy`].
//!
//! Every streamer, row for row: ids, hashes, ledgers and times as they are, every table the
//! two schemas share ([`tables::TABLES`]; the legacy-migration audit trail stays with the file).
//! The copy is one PostgreSQL transaction into an empty schema, so it lands whole or not at
//! all, and it is checked before it commits:
//!
//! * every table's row count and a SHA-256 digest of all its rows, read back from PostgreSQL
//!   in a canonical order, equal the file's (so every balance of every viewer is equal);
//! * every streamer's figures (viewers, ledger rows, ledger sum, channel and drop points) are
//!   equal on both sides, and are reported;
//! * the id sequences continue after the highest id the file ever handed out.
//!
//! The SQLite file is opened read-only and read in one snapshot: it is never written. The
//! tables' row-level security is lifted (`NO FORCE`) for the owner inside the transaction,
//! because PostgreSQL's `COPY` does not run under it, and restored before the commit.

#![warn(missing_docs)]

mod error;
mod source;
pub mod tables;
mod value;

pub use error::CopyError;
pub use source::Figures;

use bytes::Bytes;
use datastore::{StreamerStore, SystemClock};
use futures_util::{StreamExt, pin_mut};
use pg_store::{PgOptions, PgStore};
use sha2::{Digest, Sha256};
use source::{FIGURES, Source, select_all, set_figure};
use std::collections::BTreeMap;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use tables::{Kind, TABLES};
use tokio::sync::mpsc;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use value::{Value, from_pg, pg_type};

/// What was copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    /// Each streamer, with its figures (equal on both sides).
    pub streamers: Vec<StreamerReport>,
    /// Each table, with its rows (equal on both sides, digests too).
    pub tables: Vec<(&'static str, u64)>,
}

/// One streamer that was copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamerReport {
    /// Its id (the same on both sides).
    pub id: i64,
    /// Its username.
    pub username: String,
    /// Its figures.
    pub figures: Figures,
}

/// What the reading thread sends.
enum Msg {
    /// Rows of table `0`.
    Rows(usize, Vec<Vec<Value>>),
    /// Table `0` is complete: its row count and digest.
    Done(usize, u64, [u8; 32]),
    /// Where each table's id sequence stands.
    Sequences(Vec<(usize, i64)>),
    /// Every streamer's figures.
    Figures(BTreeMap<i64, Figures>),
}

const BATCH: usize = 1000;

/// Reads everything of `source` and sends it, table by table, then the sequences and figures.
fn read_all(source: Source, out: mpsc::Sender<Msg>) -> Result<(), CopyError> {
    for (i, table) in TABLES.iter().enumerate() {
        let mut batch = Vec::with_capacity(BATCH);
        let mut digest = Sha256::new();
        let mut count = 0u64;
        let mut buf = Vec::new();
        let mut open = true;
        source.rows(table, |row| {
            buf.clear();
            row.iter().for_each(|v| v.digest_into(&mut buf));
            digest.update(&buf);
            count += 1;
            batch.push(row);
            if batch.len() == BATCH {
                open = out
                    .blocking_send(Msg::Rows(i, std::mem::take(&mut batch)))
                    .is_ok();
            }
            open
        })?;
        if !open {
            return Ok(());
        }
        if !batch.is_empty() && out.blocking_send(Msg::Rows(i, batch)).is_err() {
            return Ok(());
        }
        if out
            .blocking_send(Msg::Done(i, count, digest.finalize().into()))
            .is_err()
        {
            return Ok(());
        }
    }
    let mut sequences = Vec::new();
    for (i, table) in TABLES.iter().enumerate().filter(|(_, t)| t.sequence) {
        sequences.push((i, source.sequence(table)?));
    }
    let _ = out.blocking_send(Msg::Sequences(sequences));
    let _ = out.blocking_send(Msg::Figures(source.figures()?));
    Ok(())
}

/// A table's `COPY … FROM STDIN BINARY` in progress.
type Writer = Pin<Box<BinaryCopyInWriter>>;

/// Copies the SQLite deployment at `sqlite` into the empty PostgreSQL schema of `options`
/// (created or upgraded with its owner's login, which the copy needs), checks the copy, and
/// commits it. The file is never written; on any error PostgreSQL is left as it was.
pub async fn copy(sqlite: &Path, options: PgOptions) -> Result<CopyReport, CopyError> {
    let owner_url = options.owner_url.clone().ok_or(CopyError::NoOwner)?;
    let path = sqlite.to_path_buf();
    // The file first: a bad one is refused before PostgreSQL is touched.
    let source = tokio::task::spawn_blocking(move || Source::open(&path))
        .await
        .map_err(|e| CopyError::Postgres(e.to_string()))??;
    // Creates or upgrades the schema, and checks the server's login.
    let store = PgStore::connect(options.clone(), Arc::new(SystemClock)).await?;

    let mut config: tokio_postgres::Config = owner_url.parse()?;
    config.options(format!("-c search_path={}", options.schema));
    let (mut client, connection) = config.connect(tokio_postgres::NoTls).await?;
    let connection = tokio::spawn(connection);
    let tx = client.transaction().await?;
    for t in TABLES {
        tx.batch_execute(&format!(
            "ALTER TABLE {} NO FORCE ROW LEVEL SECURITY",
            t.name
        ))
        .await?;
    }
    for t in TABLES {
        let rows: i64 = tx
            .query_one(&format!("SELECT count(*) FROM {}", t.name), &[])
            .await?
            .get(0);
        if rows > 0 {
            return Err(CopyError::NotEmpty {
                schema: options.schema.clone(),
                table: t.name.to_owned(),
                rows,
            });
        }
    }

    let (sender, mut receiver) = mpsc::channel(8);
    let reader = tokio::task::spawn_blocking(move || read_all(source, sender));
    let mut writer: Option<(usize, Writer)> = None;
    let mut tables = Vec::new();
    let mut figures = BTreeMap::new();
    while let Some(msg) = receiver.recv().await {
        match msg {
            Msg::Rows(i, rows) => {
                if writer.as_ref().is_none_or(|(at, _)| *at != i) {
                    writer = Some((i, start_copy(&tx, i).await?));
                }
                let (_, w) = writer.as_mut().expect("a copy in progress");
                let kinds: Vec<Kind> = TABLES[i].columns.iter().map(|(_, k)| *k).collect();
                for row in rows {
                    let params: Vec<_> = row.iter().zip(&kinds).map(|(v, k)| v.param(*k)).collect();
                    let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = params
                        .iter()
                        .map(|p| p.as_ref() as &(dyn tokio_postgres::types::ToSql + Sync))
                        .collect();
                    w.as_mut().write(&refs).await?;
                }
            }
            Msg::Done(i, count, digest) => {
                if let Some((at, mut w)) = writer.take() {
                    debug_assert_eq!(at, i);
                    w.as_mut().finish().await?;
                }
                check_table(&tx, i, count, digest).await?;
                tables.push((TABLES[i].name, count));
            }
            Msg::Sequences(sequences) => {
                for (i, value) in sequences.into_iter().filter(|(_, v)| *v > 0) {
                    tx.execute(
                        "SELECT setval(pg_get_serial_sequence($1, 'id'), $2, true)",
                        &[&TABLES[i].name, &value],
                    )
                    .await?;
                }
            }
            Msg::Figures(f) => figures = f,
        }
    }
    reader
        .await
        .map_err(|e| CopyError::Postgres(e.to_string()))??;
    if tables.len() != TABLES.len() {
        return Err(CopyError::Mismatch(
            "the file was not read to its end".to_owned(),
        ));
    }
    check_figures(&tx, &figures).await?;
    for t in TABLES {
        tx.batch_execute(&format!("ALTER TABLE {} FORCE ROW LEVEL SECURITY", t.name))
            .await?;
    }
    tx.commit().await?;
    drop(client);
    let _ = connection.await;

    // As a server sees it: every streamer is there.
    let streamers = store
        .list_streamers()
        .await
        .map_err(|e| CopyError::Postgres(e.to_string()))?;
    if streamers.len() != figures.len() {
        return Err(CopyError::Mismatch(format!(
            "the server's login sees {} streamers, the file has {}",
            streamers.len(),
            figures.len()
        )));
    }
    Ok(CopyReport {
        streamers: streamers
            .into_iter()
            .map(|s| StreamerReport {
                id: s.id.0,
                username: s.username,
                figures: figures.get(&s.id.0).copied().unwrap_or_default(),
            })
            .collect(),
        tables,
    })
}

/// Starts the binary `COPY` of table `i`.
async fn start_copy(tx: &tokio_postgres::Transaction<'_>, i: usize) -> Result<Writer, CopyError> {
    let table = &TABLES[i];
    let columns: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
    let types: Vec<_> = table.columns.iter().map(|(_, k)| pg_type(*k)).collect();
    let sink = tx
        .copy_in::<_, Bytes>(&format!(
            "COPY {} ({}) FROM STDIN BINARY",
            table.name,
            columns.join(", ")
        ))
        .await?;
    Ok(Box::pin(BinaryCopyInWriter::new(sink, &types)))
}

/// Table `i` as PostgreSQL now holds it must have `count` rows with `digest`.
async fn check_table(
    tx: &tokio_postgres::Transaction<'_>,
    i: usize,
    count: u64,
    digest: [u8; 32],
) -> Result<(), CopyError> {
    let table = &TABLES[i];
    let rows = tx
        .query_raw(
            &select_all(table, " NULLS FIRST"),
            std::iter::empty::<i64>(),
        )
        .await?;
    pin_mut!(rows);
    let mut hash = Sha256::new();
    let mut seen = 0u64;
    let mut buf = Vec::new();
    while let Some(row) = rows.next().await {
        let row = row?;
        buf.clear();
        for (c, (_, kind)) in table.columns.iter().enumerate() {
            from_pg(&row, c, *kind)?.digest_into(&mut buf);
        }
        hash.update(&buf);
        seen += 1;
    }
    let got: [u8; 32] = hash.finalize().into();
    if seen != count || got != digest {
        return Err(CopyError::Mismatch(format!(
            "{}: {count} rows in the file, {seen} in PostgreSQL{}",
            table.name,
            if seen == count {
                ", with different contents"
            } else {
                ""
            }
        )));
    }
    Ok(())
}

/// Every streamer's figures as PostgreSQL now holds them must equal the file's.
async fn check_figures(
    tx: &tokio_postgres::Transaction<'_>,
    expected: &BTreeMap<i64, Figures>,
) -> Result<(), CopyError> {
    let mut got: BTreeMap<i64, Figures> = BTreeMap::new();
    for row in tx.query("SELECT id FROM streamers", &[]).await? {
        got.insert(row.get(0), Figures::default());
    }
    for (i, sql) in FIGURES.iter().enumerate() {
        for row in tx.query(*sql, &[]).await? {
            let v: Option<i64> = row.get(1);
            set_figure(got.entry(row.get(0)).or_default(), i, v.unwrap_or(0));
        }
    }
    if &got != expected {
        let differ: Vec<i64> = expected
            .keys()
            .chain(got.keys())
            .filter(|id| expected.get(id) != got.get(id))
            .copied()
            .collect();
        return Err(CopyError::Mismatch(format!(
            "the figures of streamers {differ:?} differ"
        )));
    }
    Ok(())
}
