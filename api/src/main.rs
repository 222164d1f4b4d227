//! `kick-overlay`: the server and its administration commands.

mod cli;
mod malloc;

use api::accounts::{self, create_streamer, issue_admin_key, issue_overlay_key};
use api::connections::{self, Limits};
use api::housekeeping;
use api::kick::dice::DiceSource;
use api::kick::replies::{KickChatApi, ReplyQueue};
use api::kick::settings::KickSettings;
use api::kick::signature::KickPublicKey;
use api::kick::watch;
use api::rate_limit::{CodeLimits, Rate};
use api::server::{self, StartError};
use clap::Parser;
use cli::{Cli, Command, ServeArgs, StreamerCommand};
use datastore::{DataStore, NewStreamer, Streamer};
use legacy_migration::LegacyError;
use legacy_migration::console::{self, count};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Lossy: an argument that is not UTF-8 (a file name) must not stop the hint.
            let args: Vec<String> = std::env::args_os()
                .skip(1)
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            if let Some(hint) = cli::misplaced_option_hint(&args, &e) {
                eprintln!("\nhint: {hint}");
            }
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    // The server logs every request; a command prints what it did, and logs only trouble.
    let serving = matches!(cli.command, None | Some(Command::Serve(_)));
    let default_level = if serving { "info" } else { "warn" };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level)),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    // Before the runtime starts its threads.
    malloc::keep_freed_memory();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command.unwrap_or(Command::Serve(cli.serve)) {
        Command::Serve(args) => serve(&args).await,
        Command::Streamer(c) => streamer(c).await,
        Command::CopyToPostgres(args) => copy_to_postgres(&args).await,
        // The legacy commands open their files themselves: the store refuses legacy files.
        Command::MigrateLegacy(args) => {
            accounts::refuse_reserved(&args.streamer).map_err(|e| e.to_string())?;
            let db = args.db.clone();
            if let Some(streamer) = blocking(move || console::migrate(&args)).await? {
                issue_key_after_commit(&db, &streamer).await;
            }
            Ok(())
        }
        Command::Rollback(args) => blocking(move || console::rollback(&args)).await,
        Command::ImportLegacy(args) => {
            accounts::refuse_reserved(&args.streamer).map_err(|e| e.to_string())?;
            let db = args.db.clone();
            let streamer = blocking(move || console::import(&args)).await?;
            issue_key_after_commit(&db, &streamer).await;
            Ok(())
        }
    }
}

/// Runs a blocking legacy command off the async runtime's threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, LegacyError> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| format!("the command did not complete: {e}"))?
        .map_err(|e| e.to_string())
}

async fn serve(args: &ServeArgs) -> Result<(), String> {
    let backend = args.db.backend();
    let operator_key = std::env::var("KICKOVERLAY_OPERATOR_KEY")
        .ok()
        .filter(|k| !k.is_empty());
    // A key too short to be a secret stops the start before any file is made.
    server::check_operator_key(operator_key.as_deref()).map_err(|e| e.to_string())?;
    let cors = api::cors::CorsOrigins::new(&args.cors_origins).map_err(|e| e.to_string())?;
    // Kick's public key and API address are checked before any file is made, too.
    let kick_key = match args
        .kick_public_key
        .as_deref()
        .filter(|k| !k.trim().is_empty())
    {
        Some(value) => Some(KickPublicKey::load(value).map_err(|e| e.to_string())?),
        None => None,
    };
    let chat_api = KickChatApi::new(&args.kick_api_url).map_err(|e| e.to_string())?;
    let mut doorbell = None;
    let (store, clock, _claim) = match &backend {
        server::Backend::Sqlite(db) => {
            // Claimed before the store touches the file (migrations, the check) when it
            // exists; a new file is claimed as soon as the store has made it. Held until the
            // end of this function, after the server and its store are gone.
            let early_claim = if db.exists() {
                Some(server::claim_for_serving(db).map_err(|e| e.to_string())?)
            } else {
                None
            };
            let (store, clock) = server::open_store_checked(db, !args.no_integrity_check)
                .await
                .map_err(|e| e.to_string())?;
            let claim = match early_claim {
                Some(claim) => claim,
                None => server::claim_for_serving(db).map_err(|e| e.to_string())?,
            };
            (store, clock, Some(claim))
        }
        // Any number of servers may share one PostgreSQL database; each hears the others'
        // writes through the database's doorbell.
        server::Backend::Postgres(options) => {
            let (store, clock, bell) = server::open_postgres_serving(options)
                .await
                .map_err(|e| e.to_string())?;
            doorbell = Some(bell);
            (store, clock, None)
        }
    };
    if operator_key.is_none() {
        tracing::warn!("KICKOVERLAY_OPERATOR_KEY is not set: the /api/streamers routes answer 401");
    }
    let streamers = store.list_streamers().await.map_err(|e| e.to_string())?;
    if streamers.is_empty() {
        tracing::warn!(
            "no streamer yet: create one with `kick-overlay streamer add USERNAME` \
             (from a checkout: `cargo run -p api -- streamer add USERNAME`)"
        );
    }
    let mut state = server::state(store.clone(), clock.clone(), operator_key.as_deref())
        .map_err(|e: StartError| e.to_string())?;
    match &kick_key {
        Some(key) => tracing::info!(
            bits = key.bits(),
            "Kick webhook deliveries are verified with the configured public key"
        ),
        None => tracing::warn!(
            "--kick-public-key (KICKOVERLAY_KICK_PUBLIC_KEY) is not set: POST /api/kick/webhook \
             cannot verify Kick's signatures, so it refuses every delivery (503)"
        ),
    }
    let dice = match args.kick_dice_seed {
        Some(seed) => {
            tracing::warn!(
                seed,
                "--kick-dice-seed is set: gambles, coin flips and duels are predictable; for \
                 tests only, never on a real stream"
            );
            DiceSource::Seeded(seed)
        }
        None => DiceSource::Secure,
    };
    state.kick = Arc::new(KickSettings {
        public_key: kick_key,
        replay_window: Duration::from_secs(args.kick_replay_window_secs),
        dice,
        replies: ReplyQueue::start(store.clone(), clock.clone(), Arc::new(chat_api)),
    });
    if !cors.list().is_empty() {
        tracing::info!(origins = ?cors, "pages of these origins may call the protected routes");
    }
    state.cors = cors;
    let max_connections = usize::try_from(args.max_connections).unwrap_or(usize::MAX);
    state.events = api::live::EventHub::new(
        store.clone(),
        api::live::LiveConfig {
            max_streams: args
                .max_streams
                .map_or(max_connections / 2, |n| {
                    usize::try_from(n).unwrap_or(usize::MAX)
                })
                .max(1),
            max_streams_per_address: usize::try_from(args.max_streams_per_address)
                .unwrap_or(usize::MAX),
            ..api::live::LiveConfig::default()
        },
    );
    state.code_limits = Arc::new(CodeLimits::new(
        Rate {
            per_minute: args.codes_per_address,
        },
        Rate {
            per_minute: args.codes_per_streamer,
        },
    ));
    let events = datastore::EventRetention {
        max_age: Duration::from_secs(args.events_keep_hours * 3600),
        max_count: args.events_keep_count,
    };
    let ringing = doorbell.map(|bell| tokio::spawn(server::ring_from(bell, state.events.clone())));
    let watching = tokio::spawn(watch::run(
        store.clone(),
        clock,
        state.events.clone(),
        Duration::from_secs(args.watch_interval_secs),
    ));
    let purging = tokio::spawn(housekeeping::run(
        store,
        Duration::from_secs(args.purge_interval),
        events,
    ));
    let files = connections::files::raise_soft_limit();
    let limits = Limits {
        header_timeout: Duration::from_secs(args.header_timeout),
        body_timeout: Duration::from_secs(args.body_timeout),
        max_connections: connections::files::connections_within(max_connections, files)
            .map_err(|e| e.to_string())?,
        shutdown_grace: Duration::from_secs(args.shutdown_grace),
    };
    if limits.max_connections < max_connections {
        tracing::warn!(
            file_limit = files,
            max_connections = limits.max_connections,
            "the open-file limit lowers the connection limit"
        );
    }
    let addr = format!("{}:{}", args.host, args.port);
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(
        address = %local,
        db = %describe(&backend),
        streamers = streamers.len(),
        max_connections = limits.max_connections,
        "KickOverlay is serving on http://{local}"
    );
    let stopped = server::serve(listener, state, limits, server::shutdown_signal()).await;
    purging.abort();
    watching.abort();
    if let Some(r) = ringing {
        r.abort();
    }
    tracing::info!(cut = stopped.cut, "stopped");
    Ok(())
}

async fn streamer(command: StreamerCommand) -> Result<(), String> {
    let failed = |e: &dyn std::fmt::Display| e.to_string();
    match command {
        StreamerCommand::Add {
            db,
            username,
            display_name,
            kick_user_id,
            avatar_url,
        } => {
            let (store, _) = server::open_backend(&db.backend(), true, false)
                .await
                .map_err(|e| failed(&e))?;
            let new = NewStreamer {
                username,
                display_name,
                kick_user_id,
                avatar_url,
            };
            let (s, key) = create_streamer(&*store, new)
                .await
                .map_err(|e| failed(&e))?;
            println!("Created streamer {} (id {}).", s.username, s.id);
            print_key(&s.username, &key);
        }
        StreamerCommand::List { db } => {
            let store = existing(&db.backend()).await?;
            let all = store.list_streamers().await.map_err(|e| failed(&e))?;
            if all.is_empty() {
                println!("No streamers yet: `kick-overlay streamer add USERNAME` creates one.");
                return Ok(());
            }
            println!("ID\tUSERNAME\tDISPLAY NAME");
            for s in all {
                println!("{}\t{}\t{}", s.id, s.username, s.display_name);
            }
        }
        StreamerCommand::Remove { db, username, yes } => {
            let store = existing(&db.backend()).await?;
            let s = named(&*store, &username).await?;
            let viewers = store.count_users(s.id).await.map_err(|e| failed(&e))?;
            if !yes {
                return Err(format!(
                    "this would delete streamer {} (id {}) with {} and everything else of \
                     theirs, for good: run again with --yes to delete",
                    s.username,
                    s.id,
                    count(viewers, "viewer", "viewers")
                ));
            }
            store.delete_streamer(s.id).await.map_err(|e| failed(&e))?;
            println!(
                "Deleted streamer {} (id {}) and {}.",
                s.username,
                s.id,
                count(viewers, "viewer", "viewers")
            );
        }
        StreamerCommand::RotateKey { db, username } => {
            let store = existing(&db.backend()).await?;
            let s = named(&*store, &username).await?;
            let key = issue_admin_key(&*store, s.id)
                .await
                .map_err(|e| failed(&e))?;
            println!(
                "New admin key for {} (the old one no longer works):",
                s.username
            );
            println!("{key}");
        }
        StreamerCommand::OverlayKey { db, username } => {
            let store = existing(&db.backend()).await?;
            let s = named(&*store, &username).await?;
            let key = issue_overlay_key(&*store, s.id)
                .await
                .map_err(|e| failed(&e))?;
            println!(
                "New overlay key for {} (the old one no longer works); add ?key=<key> to the \
                 URLs of browser sources that record drops or use powerups:",
                s.username
            );
            println!("{key}");
        }
    }
    Ok(())
}

/// `copy-to-postgres`: copies the file into PostgreSQL, checked, and prints what was copied.
async fn copy_to_postgres(args: &cli::CopyArgs) -> Result<(), String> {
    let target = args.target().map_err(str::to_owned)?;
    if !args.db.is_file() {
        return Err(StartError::NoDatabase(args.db.display().to_string()).to_string());
    }
    // No server may write the file while it is read (the claim a server holds).
    let _claim = server::claim_for_serving(&args.db).map_err(|e| e.to_string())?;
    let schema = target.schema.clone();
    let report = pg_copy::copy(&args.db, target)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "Copied {} into PostgreSQL schema {schema} and checked it: every table's rows and \
         their digest, and every streamer's figures, are equal on both sides.",
        count(report.streamers.len() as u64, "streamer", "streamers")
    );
    println!("ID\tUSERNAME\tVIEWERS\tLEDGER ROWS\tLEDGER SUM\tCHANNEL POINTS\tDROP POINTS");
    for s in &report.streamers {
        let f = s.figures;
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            s.id, s.username, f.users, f.ledger_rows, f.ledger_sum, f.channel_points, f.drop_points
        );
    }
    let rows: u64 = report.tables.iter().map(|(_, n)| n).sum();
    println!(
        "{rows} rows in {} tables. {} was only read. Serve from PostgreSQL with \
         `kick-overlay serve --database-url …`.",
        report.tables.len(),
        args.db.display()
    );
    Ok(())
}

/// Where the data is, for the log: the file, or PostgreSQL's schema (never a login).
fn describe(backend: &server::Backend) -> String {
    match backend {
        server::Backend::Sqlite(db) => db.display().to_string(),
        server::Backend::Postgres(options) => format!("postgresql schema {}", options.schema),
    }
}

/// The streamer called `username`, or the error a command prints when there is none.
async fn named(store: &dyn DataStore, username: &str) -> Result<Streamer, String> {
    store
        .get_streamer_by_username(username)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no streamer is called {username:?}"))
}

/// The store of a database that must exist already.
async fn existing(db: &server::Backend) -> Result<Arc<dyn DataStore>, String> {
    server::open_backend(db, true, true)
        .await
        .map(|(store, _)| store)
        .map_err(|e| e.to_string())
}

fn print_key(username: &str, key: &str) {
    println!("Admin key (shown once, keep it secret):");
    println!("{key}");
    println!("Overlay API: /{username}/api/… ; admin calls send `Authorization: Bearer <key>`.");
}

/// Gives a streamer whose rows a legacy command has just committed an admin key, and prints
/// it. The data is in place either way, so a failure is a warning with the command that
/// issues a key, not a failed run (a rerun would only say the file is already migrated).
async fn issue_key_after_commit(db: &Path, streamer: &str) {
    let issued = async {
        let store = existing(&server::Backend::Sqlite(db.to_path_buf())).await?;
        let s = store
            .get_streamer_by_username(streamer)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("streamer {streamer} is missing after the migration"))?;
        issue_admin_key(&*store, s.id)
            .await
            .map(|key| (s.username, key))
            .map_err(|e| e.to_string())
    };
    match issued.await {
        Ok((username, key)) => print_key(&username, &key),
        Err(e) => eprintln!(
            "warning: the data is committed, but no admin key could be issued ({e}); \
             `kick-overlay streamer rotate-key {streamer} --db {}` issues one",
            db.display()
        ),
    }
}
