//! [`Tx`]: one operation's transaction on one pooled connection, and the rule that keeps a
//! pool from leaking a tenant: a connection goes back to the pool only after its transaction
//! has ended.
//!
//! A `Tx` is opened by [`PgStore`](crate::PgStore) with `BEGIN` and, for a tenant, the streamer
//! set with `set_config(…, true)` (local to the transaction). It ends with
//! [`Tx::finish`], which commits the operation's result or rolls back its error and then hands
//! the connection back clean. A `Tx` dropped before that (the request was cancelled, its task
//! aborted, a panic) is still inside its transaction: its connection is taken out of the pool
//! and closed, and PostgreSQL rolls the transaction back. No later operation can run on it.
//!
//! A `Tx` also carries the doorbell rings of the events recorded in it: [`Tx::finish`] sends
//! them once the commit has succeeded, as a transaction of their own on the same connection
//! (see the `doorbell` module), and never after a rollback.

use crate::convert::db_error;
use crate::rings::ring_sql;
use crate::strip;
use datastore::StoreResult;
use deadpool_postgres::Object;
use std::sync::{Mutex, PoisonError};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

/// The parameters of a statement.
pub(crate) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// One operation's open transaction.
pub(crate) struct Tx {
    client: Option<Object>,
    /// Whether a transaction may be open on the connection (from just before `BEGIN` is sent
    /// until its end is confirmed).
    open: bool,
    modes: TestModes,
    /// The doorbell rings `(channel, payload)` to send once the transaction has committed, each
    /// once.
    rings: Mutex<Vec<(String, String)>>,
}

/// Ways to break a store on purpose, for the tests that prove each wall holds by itself (the
/// `wall-tests` feature); both off in every other build.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TestModes {
    /// Run statements with their tenant predicates stripped.
    pub(crate) strip: bool,
    /// Give a cancelled operation's connection back to the pool, transaction and all.
    pub(crate) keep_cancelled: bool,
}

impl Tx {
    /// Opens a transaction on `client` with `begin` (a `BEGIN …` and any `set_config` calls,
    /// sent as one simple query).
    pub(crate) async fn begin(client: Object, begin: &str, modes: TestModes) -> StoreResult<Tx> {
        let tx = Tx {
            client: Some(client),
            open: true,
            modes,
            rings: Mutex::new(Vec::new()),
        };
        tx.client().batch_execute(begin).await.map_err(db_error)?;
        Ok(tx)
    }

    fn client(&self) -> &Object {
        self.client
            .as_ref()
            .expect("a Tx holds its connection until it is finished or dropped")
    }

    async fn statement(&self, sql: &str) -> StoreResult<tokio_postgres::Statement> {
        #[cfg(feature = "wall-tests")]
        crate::audit::record(sql);
        let client = self.client();
        if self.modes.strip {
            return client
                .prepare_cached(&strip::tenant_predicates(sql))
                .await
                .map_err(db_error);
        }
        client.prepare_cached(sql).await.map_err(db_error)
    }

    /// Every row `sql` returns.
    pub(crate) async fn query(&self, sql: &str, params: Params<'_>) -> StoreResult<Vec<Row>> {
        let st = self.statement(sql).await?;
        if unmatchable(&st, params) {
            return Ok(Vec::new());
        }
        self.client().query(&st, params).await.map_err(db_error)
    }

    /// The row `sql` returns, if any (an error if it returns more than one).
    pub(crate) async fn query_opt(
        &self,
        sql: &str,
        params: Params<'_>,
    ) -> StoreResult<Option<Row>> {
        let st = self.statement(sql).await?;
        if unmatchable(&st, params) {
            return Ok(None);
        }
        self.client().query_opt(&st, params).await.map_err(db_error)
    }

    /// The one row `sql` returns.
    pub(crate) async fn query_one(&self, sql: &str, params: Params<'_>) -> StoreResult<Row> {
        let st = self.statement(sql).await?;
        self.client().query_one(&st, params).await.map_err(db_error)
    }

    /// How many rows `sql` changed.
    pub(crate) async fn execute(&self, sql: &str, params: Params<'_>) -> StoreResult<u64> {
        let st = self.statement(sql).await?;
        if unmatchable(&st, params) {
            return Ok(0);
        }
        self.client().execute(&st, params).await.map_err(db_error)
    }

    /// Rings `payload` on `channel` once this transaction has committed (once, however often
    /// it is asked for); nothing if it rolls back.
    pub(crate) fn ring_after_commit(&self, channel: String, payload: String) {
        let mut rings = self.rings.lock().unwrap_or_else(PoisonError::into_inner);
        let ring = (channel, payload);
        if !rings.contains(&ring) {
            rings.push(ring);
        }
    }

    /// Ends the transaction: commits when `result` is `Ok`, rolls back when it is an error, and
    /// returns `result` (or the commit's error). After a commit, sends the rings asked for, in a
    /// transaction of their own; a ring that fails is logged and does not change the result.
    /// The connection goes back to the pool only when PostgreSQL has confirmed the end.
    pub(crate) async fn finish<T>(mut self, result: StoreResult<T>) -> StoreResult<T> {
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        self.client().batch_execute(end).await.map_err(db_error)?;
        self.open = false;
        if result.is_ok() {
            self.ring().await;
        }
        result
    }

    /// Sends the rings of the committed transaction. While they are on their way the
    /// connection counts as inside a transaction again: dropped then (cancelled) or after a
    /// failure (the ring's transaction may be left open), it is discarded, not pooled.
    async fn ring(&mut self) {
        let rings = std::mem::take(self.rings.get_mut().unwrap_or_else(PoisonError::into_inner));
        if rings.is_empty() {
            return;
        }
        self.open = true;
        match self.client().batch_execute(&ring_sql(&rings)).await {
            Ok(()) => self.open = false,
            Err(e) => {
                tracing::warn!(error = %e, rings = rings.len(), "a committed write could not ring the event doorbell");
            }
        }
    }
}

/// Whether a text parameter of `st` holds a NUL character. PostgreSQL's text cannot hold one,
/// so no stored row can equal it: a lookup by such a name (a URL segment, say) finds nothing,
/// as it does on every backend, instead of failing. (Writes never get here with one: the
/// contract refuses control characters in every text it stores.)
fn unmatchable(st: &tokio_postgres::Statement, params: Params<'_>) -> bool {
    use tokio_postgres::types::Type;
    st.params().iter().zip(params).any(|(ty, p)| {
        let mut buf = bytes::BytesMut::new();
        *ty == Type::TEXT && p.to_sql_checked(ty, &mut buf).is_ok() && buf.contains(&0)
    })
}

impl Drop for Tx {
    fn drop(&mut self) {
        if self.open
            && !self.modes.keep_cancelled
            && let Some(client) = self.client.take()
        {
            // Still inside a transaction (cancelled, or its end failed): never reuse it. Closing
            // it ends the session once PostgreSQL notices; cancelling its statement (one may be
            // waiting for a lock) makes that now rather than when the statement ends.
            tracing::debug!("discarding a connection whose transaction did not end");
            let client = Object::take(client);
            let cancel = client.cancel_token();
            drop(client);
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    let _ = cancel.cancel_query(tokio_postgres::NoTls).await;
                });
            }
        }
    }
}
