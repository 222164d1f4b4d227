//! The connections of one store: one writer, a pool of readers. Blocking code: callers run it
//! on tokio's blocking pool.

use crate::convert::Db;
use crate::migrations;
use crate::open::{ConnectionSettings, OpenError, OpenOptions, connect};
use datastore::{StoreError, StoreResult};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Readers kept open between reads; more are opened when more reads run at once, and closed
/// when they are returned to a full pool.
pub const MAX_IDLE_READERS: usize = 4;

pub(crate) struct Pool {
    path: PathBuf,
    options: OpenOptions,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

/// A lock that a panic elsewhere cannot make unusable: a panicking operation's transaction is
/// rolled back when it unwinds, so the connection is still consistent.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Pool {
    pub(crate) fn open(path: &Path, options: OpenOptions) -> Result<Self, OpenError> {
        let mut writer = connect(path, &options, true)?;
        migrations::migrate(&mut writer, path, migrations::LATEST)?;
        Ok(Pool {
            path: path.to_path_buf(),
            options,
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in a `BEGIN IMMEDIATE` transaction on the writer; commits if it succeeds.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut conn = lock(&self.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        let out = f(&tx)?;
        tx.commit().db()?;
        Ok(out)
    }

    /// Runs `f` in a read transaction on a pooled reader.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let mut conn = match lock(&self.readers).pop() {
            Some(c) => c,
            None => connect(&self.path, &self.options, false).map_err(StoreError::backend)?,
        };
        let out = {
            let tx = conn.transaction().db()?;
            let out = f(&tx);
            // A read changes nothing: ending it either way releases the snapshot.
            tx.finish().db()?;
            out
        };
        let mut idle = lock(&self.readers);
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        out
    }

    pub(crate) fn settings(&self) -> StoreResult<Vec<ConnectionSettings>> {
        let mut out = vec![ConnectionSettings::read(&lock(&self.writer), "writer").db()?];
        for r in lock(&self.readers).iter() {
            out.push(ConnectionSettings::read(r, "reader").db()?);
        }
        Ok(out)
    }
}
