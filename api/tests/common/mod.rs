//! A real server on 127.0.0.1, port 0, over a temporary SQLite file or a fresh PostgreSQL
//! schema, and a small client.
#![allow(dead_code)]

use api::connections::Limits;
use api::rate_limit::{CodeLimits, Rate};
use api::{AppState, app_state, open_store, serve};
use datastore::DataStore;
use serde_json::{Value, json};
use std::sync::Arc;
use tempfile::TempDir;
use tokio::sync::oneshot;

/// The backend a test server stores its data in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    /// A temporary SQLite file (the default).
    Sqlite,
    /// A fresh schema on the test PostgreSQL server (see `pg-scratch`).
    Postgres,
}

tokio::task_local! {
    static DB: Db;
}

/// Runs `test` with every server it starts on `db`.
pub async fn on<F: std::future::Future>(db: Db, test: F) -> F::Output {
    DB.scope(db, test).await
}

/// The backend of servers started here: the one `on` set, else SQLite.
pub fn current_db() -> Db {
    DB.try_with(|db| *db).unwrap_or(Db::Sqlite)
}

/// Each test written inside, twice: once in module `sqlite`, once in module `postgres`, with
/// every `TestServer` it starts on that backend.
#[macro_export]
macro_rules! on_both_backends {
    ($( $(#[$meta:meta])* async fn $name:ident() $body:block )*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $( $(#[$meta])*
               async fn $name() { common::on(common::Db::Sqlite, async move $body).await } )*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $( $(#[$meta])*
               async fn $name() { common::on(common::Db::Postgres, async move $body).await } )*
        }
    };
}

/// A store for a test server on the current backend, with its clock.
pub async fn test_store(dir: &std::path::Path) -> (Arc<dyn DataStore>, Arc<dyn datastore::Clock>) {
    match current_db() {
        Db::Sqlite => open_store(&dir.join("data").join("kick-overlay.db"))
            .await
            .expect("the store opens"),
        Db::Postgres => {
            let scratch = pg_scratch::server().scratch();
            let options = pg_store::PgOptions::new(scratch.server_url)
                .with_owner(scratch.owner_url)
                .with_schema(scratch.schema);
            let clock: Arc<dyn datastore::Clock> = Arc::new(datastore::SystemClock);
            let store = pg_store::PgStore::connect(options, clock.clone())
                .await
                .expect("a fresh PostgreSQL store");
            (Arc::new(store), clock)
        }
    }
}

/// The operator key the test servers run with.
pub const OPERATOR_KEY: &str = "operator-key-for-the-tests-0123456789";

/// A response: status, parsed body (`Null` when empty) and the raw text.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub json: Value,
    pub text: String,
    pub headers: reqwest::header::HeaderMap,
}

/// A running server.
pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Arc<dyn DataStore>,
    pub dir: TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// A streamer created through the operator route.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub name: String,
    pub key: String,
    pub id: i64,
}

impl TestServer {
    /// Starts a server on a fresh database.
    pub async fn start() -> TestServer {
        Self::start_with(|s| s).await
    }

    /// Starts a server on a fresh database, whose store `wrap` may wrap (fault injection).
    pub async fn start_with(
        wrap: impl FnOnce(Arc<dyn DataStore>) -> Arc<dyn DataStore>,
    ) -> TestServer {
        Self::start_keyed(Some(OPERATOR_KEY), wrap).await
    }

    /// Starts a server on a fresh database with the given operator key (`None`: the operator
    /// routes are off).
    pub async fn start_keyed(
        operator_key: Option<&str>,
        wrap: impl FnOnce(Arc<dyn DataStore>) -> Arc<dyn DataStore>,
    ) -> TestServer {
        // Code requests are not limited unless a test asks (`start_limited`).
        Self::start_full(operator_key, wrap, 0, 0, |_| {}).await
    }

    /// Starts a server on a fresh database whose protected routes answer pages of `origins`
    /// (`--cors-origin`).
    pub async fn start_with_cors(origins: &[&str]) -> TestServer {
        let origins = api::cors::CorsOrigins::new(origins).expect("origins");
        Self::start_full(
            Some(OPERATOR_KEY),
            |s| s,
            0,
            0,
            move |state| state.cors = origins,
        )
        .await
    }

    /// Starts a server on a fresh database whose code requests are limited per address and per
    /// streamer (per minute; 0 is no limit).
    pub async fn start_limited(per_address: u32, per_streamer: u32) -> TestServer {
        Self::start_full(Some(OPERATOR_KEY), |s| s, per_address, per_streamer, |_| {}).await
    }

    async fn start_full(
        operator_key: Option<&str>,
        wrap: impl FnOnce(Arc<dyn DataStore>) -> Arc<dyn DataStore>,
        per_address: u32,
        per_streamer: u32,
        configure: impl FnOnce(&mut AppState),
    ) -> TestServer {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let (store, clock) = test_store(dir.path()).await;
        let store = wrap(store);
        let mut state: AppState = app_state(store.clone(), clock, operator_key).expect("state");
        state.code_limits = Arc::new(CodeLimits::new(
            Rate {
                per_minute: per_address,
            },
            Rate {
                per_minute: per_streamer,
            },
        ));
        configure(&mut state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let addr = listener.local_addr().expect("an address");
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            serve(listener, state, Limits::default(), async move {
                let _ = rx.await;
            })
            .await;
        });
        TestServer {
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            store,
            dir,
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    /// Stops the server, waits for it, closes its store, and hands back its directory (with
    /// the SQLite file in `data/kick-overlay.db`).
    pub async fn stop_keeping_files(mut self) -> TempDir {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.expect("the server task ends cleanly");
        }
        let TestServer { dir, store, .. } = self;
        drop(store);
        dir
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.expect("the server task ends cleanly");
        }
    }

    /// Sends a request with an optional bearer token and raw body, labelled as JSON.
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Resp {
        self.typed(method, path, key, body, Some("application/json"))
            .await
    }

    /// Sends a request with an optional bearer token, raw body and `Content-Type`.
    pub async fn typed(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: Option<Vec<u8>>,
        content_type: Option<&str>,
    ) -> Resp {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(k) = key {
            req = req.header("authorization", format!("Bearer {k}"));
        }
        if let Some(b) = body {
            if let Some(t) = content_type {
                req = req.header("content-type", t);
            }
            req = req.body(b);
        }
        let r = req.send().await.expect("the server answers");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.expect("a body");
        let html = headers
            .get("content-type")
            .is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
        let json = if text.is_empty() || html {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{path}: a non-JSON body {text:?}: {e}"))
        };
        Resp {
            status,
            json,
            text,
            headers,
        }
    }

    /// Sends a request with an optional JSON body.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let body = body.map(|b| serde_json::to_vec(&b).expect("JSON"));
        self.raw(method, path, key, body).await
    }

    pub async fn get(&self, path: &str, key: Option<&str>) -> Resp {
        self.call("GET", path, key, None).await
    }

    /// Creates a streamer through `POST /api/streamers`.
    pub async fn tenant(&self, name: &str) -> Tenant {
        let r = self
            .call(
                "POST",
                "/api/streamers",
                Some(OPERATOR_KEY),
                Some(json!({"username": name, "display_name": format!("{name} TV")})),
            )
            .await;
        assert_eq!(r.status, 201, "creating {name}: {}", r.text);
        Tenant {
            name: name.to_owned(),
            key: r.json["admin_key"].as_str().expect("a key").to_owned(),
            id: r.json["streamer"]["id"].as_i64().expect("an id"),
        }
    }

    /// Creates (or finds) a user of `t` and answers its id.
    pub async fn user(&self, t: &Tenant, username: &str) -> i64 {
        let r = self
            .call(
                "POST",
                &format!("/{}/api/users", t.name),
                Some(&t.key),
                Some(json!({"username": username})),
            )
            .await;
        assert!(
            r.status == 201 || r.status == 200,
            "creating {username}: {}",
            r.text
        );
        r.json["id"].as_i64().expect("a user id")
    }

    /// A viewer session for `username` under `t`, through the whole verification flow.
    pub async fn viewer_session(&self, t: &Tenant, username: &str) -> String {
        self.try_viewer_session(t, username)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// [`TestServer::viewer_session`], answering which step failed instead of panicking.
    pub async fn try_viewer_session(&self, t: &Tenant, username: &str) -> Result<String, String> {
        let base = format!("/{}/api", t.name);
        let step = |what: &str, r: &Resp, want: u16| {
            if r.status == want {
                Ok(())
            } else {
                Err(format!("viewer log-in, {what}: {} {}", r.status, r.text))
            }
        };
        let r = self
            .call(
                "POST",
                &format!("{base}/verifications"),
                None,
                Some(json!({"username": username})),
            )
            .await;
        step("asking for a code", &r, 201)?;
        let code = r.json["code"].as_str().unwrap_or_default().to_owned();
        let secret = r.json["login_secret"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let r = self
            .call(
                "POST",
                &format!("{base}/verifications/confirm"),
                Some(&t.key),
                Some(json!({"username": username, "code": code})),
            )
            .await;
        step("confirming the code", &r, 200)?;
        let r = self
            .call(
                "POST",
                &format!("{base}/sessions"),
                None,
                Some(json!({"username": username, "code": code, "login_secret": secret})),
            )
            .await;
        step("logging in", &r, 201)?;
        Ok(r.json["token"].as_str().unwrap_or_default().to_owned())
    }

    /// The streamer's export, through the API.
    pub async fn export(&self, t: &Tenant) -> Value {
        let r = self
            .get(&format!("/{}/api/export", t.name), Some(&t.key))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json
    }
}

/// What fills a route template's parameters in [`concrete_path`].
pub struct Fill<'a> {
    pub streamer: &'a str,
    /// `{id}` of `/users/…` routes.
    pub user: i64,
    /// `{id}` of `/tips/…` routes.
    pub tip: i64,
    /// Every text key: `{id}` of goals and layouts, `{key}`, `{provider}`.
    pub key: &'a str,
    /// `{username}`.
    pub username: &'a str,
}

/// A concrete path for a route template (`{type}` is always `tnt`).
pub fn concrete_path(template: &str, f: &Fill<'_>) -> String {
    let id = if template.contains("/users/") {
        f.user.to_string()
    } else if template.contains("/tips/") {
        f.tip.to_string()
    } else {
        f.key.to_owned()
    };
    template
        .replace("{streamer}", f.streamer)
        .replace("{id}", &id)
        .replace("{type}", "tnt")
        .replace("{key}", f.key)
        .replace("{provider}", f.key)
        .replace("{username}", f.username)
}

/// Replaces ids and times with placeholders, for snapshots and comparisons across streamers.
pub fn redact(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| {
                    let time = k.ends_with("_at") || k == "last_updated";
                    let id = k == "id"
                        || k.ends_with("_id") && !k.starts_with("kick") && k != "voice_id";
                    let x = match (x, time, id) {
                        (Value::Null, _, _) => Value::Null,
                        (_, true, _) => json!("[time]"),
                        (Value::Number(_), _, true) => json!("[id]"),
                        _ => redact(x),
                    };
                    (k.clone(), x)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(redact).collect()),
        other => other.clone(),
    }
}
pub mod isolation;
pub mod kick;
pub mod process;
pub mod sse;
pub mod world;
