//! Seeds the database of `scripts/bench-api`: `--streamers` streamers named `bench1`, `bench2`,
//! …, each with `--users` viewers `viewer1`… (created by bulk awards, so with varied balances)
//! and the admin key `bench-key-{n}`. Everything goes through the store's public API.
//!
//! The load script picks a streamer `n` and a viewer id at random; it relies on streamer `n`'s
//! viewers having the ids `(n - 1) * users + 1 ..= n * users`, which a fresh file gives and
//! this program checks.
//!
//! ```text
//! cargo run --release -p api --example seed_bench -- --db bench.db --streamers 1000 --users 1000
//! ```

use clap::Parser;
use datastore::{
    NewStreamer, PointDelta, PointSource, PointStore, SessionStore, SessionToken, StreamerStore,
    SystemClock, UserId, UserStore,
};
use reference_store::SqliteStore;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Seeds a fresh database for the API benchmark.
#[derive(Debug, Parser)]
struct Args {
    /// The database file to create (it must not exist).
    #[arg(long)]
    db: PathBuf,
    /// How many streamers.
    #[arg(long, default_value_t = 1000)]
    streamers: u32,
    /// How many viewers each streamer has.
    #[arg(long, default_value_t = 1000)]
    users: u32,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match seed(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn seed(args: &Args) -> Result<(), String> {
    if args.db.exists() {
        return Err(format!("{} exists: seed a fresh file", args.db.display()));
    }
    let store = SqliteStore::open(&args.db, Arc::new(SystemClock))
        .await
        .map_err(|e| e.to_string())?;
    let names: Vec<String> = (1..=args.users).map(|k| format!("viewer{k}")).collect();
    for n in 1..=args.streamers {
        let streamer = store
            .create_streamer(NewStreamer::named(format!("bench{n}")))
            .await
            .map_err(|e| e.to_string())?;
        let key = SessionToken::new(format!("bench-key-{n}"));
        store
            .set_admin_key(streamer.id, &key.hash())
            .await
            .map_err(|e| e.to_string())?;
        // Everyone watched; half of them chatted; a tenth tipped: a leaderboard with ties and
        // leaders.
        for (share, amount, source) in [
            (1, 100, PointSource::Watch),
            (2, 250, PointSource::Chat),
            (10, 5_000, PointSource::Tip),
        ] {
            let viewers = &names[..names.len() / share];
            store
                .bulk_award(streamer.id, viewers, PointDelta::new(amount, source))
                .await
                .map_err(|e| e.to_string())?;
        }
        let first = u64::from(n - 1) * u64::from(args.users) + 1;
        for (name, id) in [
            (&names[0], first),
            (&names[names.len() - 1], first + u64::from(args.users) - 1),
        ] {
            let user = store
                .get_user_by_username(streamer.id, name)
                .await
                .map_err(|e| e.to_string())?;
            if user.map(|u| u.id) != Some(UserId(id as i64)) {
                return Err(format!(
                    "bench{n}'s {name} does not have the id {id}: is the file fresh?"
                ));
            }
        }
        if n % 100 == 0 {
            eprintln!("seeded {n} streamers");
        }
    }
    Ok(())
}
