//! `kick-overlay`: the server and its administration commands.

mod cli;
mod legacy;
mod malloc;

use api::handlers::operator::create_streamer;
use api::handlers::streamer::issue_admin_key;
use api::server::{self, StartError};
use clap::Parser;
use cli::{Cli, Command, ServeArgs, StreamerCommand};
use datastore::{DataStore, NewStreamer};
use std::process::ExitCode;
use std::sync::Arc;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
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
    // The legacy commands open their files themselves: the store refuses legacy files.
    let command = match cli.command.unwrap_or(Command::Serve) {
        Command::MigrateLegacy(args) => return legacy::migrate(&cli.db, args).await,
        Command::Rollback(args) => return legacy::rollback(&cli.db, args).await,
        Command::ImportLegacy(args) => return legacy::import(args).await,
        other => other,
    };
    let (store, clock) = server::open_store(&cli.db)
        .await
        .map_err(|e| e.to_string())?;
    match command {
        Command::Streamer(c) => streamer(&*store, c).await,
        _ => serve(store, clock, &cli.serve, &cli.db).await,
    }
}

async fn serve(
    store: Arc<dyn DataStore>,
    clock: Arc<dyn datastore::Clock>,
    args: &ServeArgs,
    db: &std::path::Path,
) -> Result<(), String> {
    let operator_key = std::env::var("KICKOVERLAY_OPERATOR_KEY")
        .ok()
        .filter(|k| !k.is_empty());
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
    let state = server::state(store, clock, operator_key.as_deref())
        .map_err(|e: StartError| e.to_string())?;
    let addr = format!("{}:{}", args.host, args.port);
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(
        address = %local,
        db = %db.display(),
        streamers = streamers.len(),
        "KickOverlay is serving on http://{local}"
    );
    server::serve(listener, state, server::shutdown_signal()).await;
    tracing::info!("stopped");
    Ok(())
}

async fn streamer(store: &dyn DataStore, command: StreamerCommand) -> Result<(), String> {
    match command {
        StreamerCommand::Add {
            username,
            display_name,
            kick_user_id,
            avatar_url,
        } => {
            let new = NewStreamer {
                username,
                display_name,
                kick_user_id,
                avatar_url,
            };
            let (s, key) = create_streamer(store, new)
                .await
                .map_err(|e| e.to_string())?;
            println!("Created streamer {} (id {}).", s.username, s.id);
            println!("Admin key (shown once, keep it secret):");
            println!("{key}");
            println!(
                "Overlay API: /{}/api/… ; admin calls send `Authorization: Bearer <key>`.",
                s.username
            );
        }
        StreamerCommand::List => {
            let all = store.list_streamers().await.map_err(|e| e.to_string())?;
            if all.is_empty() {
                println!("No streamers yet: `kick-overlay streamer add USERNAME` creates one.");
            }
            for s in all {
                println!("{}\t{}\t{}", s.id, s.username, s.display_name);
            }
        }
        StreamerCommand::RotateKey { username } => {
            let s = store
                .get_streamer_by_username(&username)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no streamer is called {username:?}"))?;
            let key = issue_admin_key(store, s.id)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "New admin key for {} (the old one no longer works):",
                s.username
            );
            println!("{key}");
        }
    }
    Ok(())
}
