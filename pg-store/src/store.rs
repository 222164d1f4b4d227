//! [`PgStore`]: the handle every domain module implements its trait on, how it connects, and
//! the three ways an operation opens its transaction (for a tenant, for a tenant's consistent
//! multi-statement read, for the operator).

use crate::connect_error::ConnectError;
use crate::convert::db_error;
use crate::migrations;
use crate::options::{PgOptions, valid_schema};
use crate::tx::{TestModes, Tx};
use datastore::{Clock, StoreError, StoreResult, StreamerId, Timestamp};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::NoTls;

/// The PostgreSQL backend. Cheap to clone: clones share one pool.
#[derive(Clone)]
pub struct PgStore {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    /// The server's login, for connections of the store's own outside the pool (the event
    /// doorbell's).
    listen: tokio_postgres::Config,
    clock: Arc<dyn Clock>,
    schema: String,
    /// Broken on purpose, in the tests of the walls only.
    modes: TestModes,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("schema", &self.inner.schema)
            .finish_non_exhaustive()
    }
}

/// What the next user of a pooled connection would find on it: for the tests that prove a
/// cancelled operation leaves nothing behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionState {
    /// Whether a transaction is open on the connection.
    pub in_transaction: bool,
    /// The tenant setting in force (`None` or empty when there is none).
    pub streamer: Option<String>,
    /// The operator setting in force (`None` or empty when there is none).
    pub operator: Option<String>,
}

/// A connection string, read.
fn config(url: &str, which: &'static str) -> Result<tokio_postgres::Config, ConnectError> {
    url.parse()
        .map_err(|e: tokio_postgres::Error| ConnectError::BadUrl {
            which,
            reason: e.to_string(),
        })
}

impl PgStore {
    /// Connects to the database in `options`: applies pending migrations with the owner's login
    /// when one is given, checks the schema is current and the server's login is unprivileged,
    /// and reads time from `clock`.
    pub async fn connect(options: PgOptions, clock: Arc<dyn Clock>) -> Result<Self, ConnectError> {
        Self::connect_inner(options, clock, TestModes::default()).await
    }

    /// [`PgStore::connect`], but every statement runs with its tenant predicates stripped, so
    /// that only row-level security separates the streamers. For the tests that prove the
    /// policies hold by themselves; never for a server.
    #[cfg(feature = "wall-tests")]
    pub async fn connect_without_tenant_predicates(
        options: PgOptions,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, ConnectError> {
        let modes = TestModes {
            strip: true,
            ..TestModes::default()
        };
        Self::connect_inner(options, clock, modes).await
    }

    /// [`PgStore::connect`], but an operation cancelled half way gives its connection back to
    /// the pool still inside its transaction: the leak the pool-cancellation test must catch.
    /// Never for a server.
    #[cfg(feature = "wall-tests")]
    pub async fn connect_keeping_cancelled_connections(
        options: PgOptions,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, ConnectError> {
        let modes = TestModes {
            keep_cancelled: true,
            ..TestModes::default()
        };
        Self::connect_inner(options, clock, modes).await
    }

    async fn connect_inner(
        options: PgOptions,
        clock: Arc<dyn Clock>,
        modes: TestModes,
    ) -> Result<Self, ConnectError> {
        if !valid_schema(&options.schema) {
            return Err(ConnectError::BadSchema(options.schema));
        }
        let mut server = config(&options.url, "server")?;
        let role = server
            .get_user()
            .ok_or_else(|| ConnectError::BadUrl {
                which: "server",
                reason: "it names no user".to_owned(),
            })?
            .to_owned();
        if let Some(owner_url) = &options.owner_url {
            let (mut client, connection) = config(owner_url, "owner")?
                .connect(NoTls)
                .await
                .map_err(|e| ConnectError::Unreachable {
                    which: "owner",
                    reason: migrations::describe(&e),
                })?;
            let task = tokio::spawn(connection);
            let applied = migrations::apply(&mut client, &options.schema, &role).await;
            drop(client);
            let _ = task.await;
            applied?;
        }
        server
            .options(format!("-c search_path={}", options.schema))
            .application_name("kick-overlay")
            .connect_timeout(options.connect_timeout);
        // A listening connection is idle for long stretches: keepalives tell a dead one apart
        // within a minute or so, rather than the system's two hours.
        let mut listen = server.clone();
        listen
            .application_name("kick-overlay events")
            .keepalives_idle(Duration::from_secs(30))
            .keepalives_interval(Duration::from_secs(10))
            .keepalives_retries(3);
        let manager = Manager::from_config(
            server,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.max_connections.max(1))
            .wait_timeout(Some(options.wait_timeout))
            .create_timeout(Some(options.connect_timeout))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|e| ConnectError::Migration(e.to_string()))?;
        let client = pool.get().await.map_err(|e| ConnectError::Unreachable {
            which: "server",
            reason: e.to_string(),
        })?;
        check_login(&client, &options.schema, &role).await?;
        let found = migrations::version(&client).await?;
        if found > migrations::LATEST {
            return Err(ConnectError::NewerSchema {
                schema: options.schema,
                found,
                supported: migrations::LATEST,
            });
        }
        if found < migrations::LATEST {
            return Err(ConnectError::OlderSchema {
                schema: options.schema,
                found,
                supported: migrations::LATEST,
            });
        }
        drop(client);
        Ok(PgStore {
            inner: Arc::new(Inner {
                pool,
                listen,
                clock,
                schema: options.schema,
                modes,
            }),
        })
    }

    /// The schema the store's tables are in.
    pub fn schema(&self) -> &str {
        &self.inner.schema
    }

    /// The server's login, for a connection outside the pool.
    pub(crate) fn listen_config(&self) -> &tokio_postgres::Config {
        &self.inner.listen
    }

    /// The time now, on the store's clock.
    pub(crate) fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    async fn begin(&self, begin: &str) -> StoreResult<Tx> {
        let client = self.inner.pool.get().await.map_err(|e| {
            tracing::error!(error = %e, "no database connection");
            StoreError::backend(format!("no database connection: {e}"))
        })?;
        Tx::begin(client, begin, self.inner.modes).await
    }

    /// A transaction of streamer `s`: row-level security shows it `s`'s rows only. Each kind of
    /// transaction sets both settings, so none can inherit the other's.
    pub(crate) async fn tenant(&self, s: StreamerId) -> StoreResult<Tx> {
        self.begin(&format!(
            "BEGIN; SELECT set_config('kickoverlay.streamer_id', '{}', true), \
             set_config('kickoverlay.operator', '', true)",
            s.0
        ))
        .await
    }

    /// A read-only transaction of streamer `s` that sees one snapshot throughout: for reads of
    /// several statements that must agree (an export, analytics).
    pub(crate) async fn snapshot(&self, s: StreamerId) -> StoreResult<Tx> {
        self.begin(&format!(
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; \
             SELECT set_config('kickoverlay.streamer_id', '{}', true), \
             set_config('kickoverlay.operator', '', true)",
            s.0
        ))
        .await
    }

    /// A transaction of the operator: it sees the `streamers` table and no tenant's rows.
    pub(crate) async fn operator(&self) -> StoreResult<Tx> {
        self.begin(
            "BEGIN; SELECT set_config('kickoverlay.operator', 'on', true), \
             set_config('kickoverlay.streamer_id', '', true)",
        )
        .await
    }

    /// What the next operations to take connections from the pool would find on each of its
    /// idle connections (all of them are held while they are inspected).
    pub async fn idle_connection_states(&self) -> StoreResult<Vec<ConnectionState>> {
        let idle = self.inner.pool.status().available;
        let mut held = Vec::with_capacity(idle);
        for _ in 0..idle {
            held.push(
                self.inner
                    .pool
                    .get()
                    .await
                    .map_err(|e| StoreError::backend(format!("no database connection: {e}")))?,
            );
        }
        let mut states = Vec::with_capacity(held.len());
        for client in &held {
            states.push(state_of(client).await?);
        }
        Ok(states)
    }

    /// Connections the pool holds, and how many of them are idle.
    pub fn pool_status(&self) -> (usize, usize) {
        let s = self.inner.pool.status();
        (s.size, s.available)
    }
}

/// What a connection's next user would find on it.
async fn state_of(client: &tokio_postgres::Client) -> StoreResult<ConnectionState> {
    // One simple-protocol message: when it starts its own transaction, that transaction's
    // start is this statement's start; a transaction left open started earlier.
    let messages = client
        .simple_query(
            "SELECT now() <> statement_timestamp(), \
             current_setting('kickoverlay.streamer_id', true), \
             current_setting('kickoverlay.operator', true)",
        )
        .await
        .map_err(db_error)?;
    let row = messages
        .iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(row) => Some(row),
            _ => None,
        })
        .ok_or_else(|| StoreError::backend("the connection state query returned no row"))?;
    Ok(ConnectionState {
        in_transaction: row.get(0) == Some("t"),
        streamer: row.get(1).map(str::to_owned),
        operator: row.get(2).map(str::to_owned),
    })
}

/// Refuses a server login that row-level security would not bind: a superuser, a role with
/// `BYPASSRLS`, or one that owns (or acts as the owner of) a table in the schema.
async fn check_login(
    client: &tokio_postgres::Client,
    schema: &str,
    role: &str,
) -> Result<(), ConnectError> {
    let row = client
        .query_one(
            "SELECT r.rolsuper, r.rolbypassrls, EXISTS (
                 SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = $1 AND pg_has_role(current_user, c.relowner, 'USAGE'))
             FROM pg_roles r WHERE r.rolname = current_user",
            &[&schema],
        )
        .await
        .map_err(|e| ConnectError::Migration(migrations::describe(&e)))?;
    let (superuser, bypass, owner): (bool, bool, bool) = (row.get(0), row.get(1), row.get(2));
    let why = if superuser {
        "is a superuser"
    } else if bypass {
        "has BYPASSRLS"
    } else if owner {
        "owns tables of the schema"
    } else {
        return Ok(());
    };
    Err(ConnectError::PrivilegedLogin {
        role: role.to_owned(),
        why: why.to_owned(),
    })
}
