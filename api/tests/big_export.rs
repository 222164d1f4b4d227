//! A large streamer's export streams in bounded memory, off the request workers: the server's
//! memory barely moves while a document of many megabytes goes out, and another streamer's
//! reads answer as fast during the export as before it.

mod common;

use common::{Tenant, TestServer};
use datastore::{PointDelta, PointSource};
use futures_util::StreamExt;
use std::time::{Duration, Instant};

const VIEWERS: usize = 20_000;
const AWARDS: usize = 5;
const EXPORTS: usize = 3;

/// A field of `/proc/self/status`, in KiB.
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"))
}

/// Resets the peak resident memory (`VmHWM`) to the current one.
fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").expect("resetting VmHWM via clear_refs");
}

fn p99(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[(v.len() * 99 / 100).min(v.len() - 1)]
}

/// Sequential leaderboard reads of another streamer, at least `min` of them and until `stop`
/// says so: their latencies.
async fn reads_until(s: &TestServer, min: usize, stop: impl Fn() -> bool) -> Vec<Duration> {
    let mut out = Vec::new();
    while out.len() < min || !stop() {
        let t = Instant::now();
        let r = s.get("/small/api/leaderboard?limit=50", None).await;
        assert_eq!(r.status, 200);
        out.push(t.elapsed());
    }
    out
}

/// A server with streamers `big` ([`VIEWERS`] viewers, `awards` ledger rows each) and `small`.
async fn seeded(awards: usize) -> (TestServer, Tenant, Tenant) {
    let s = TestServer::start().await;
    let big = s.tenant("big").await;
    let small = s.tenant("small").await;
    let big_id = s
        .store
        .get_streamer_by_username("big")
        .await
        .unwrap()
        .unwrap()
        .id;
    let names: Vec<String> = (0..VIEWERS).map(|i| format!("viewer-{i:06}")).collect();
    for _ in 0..awards {
        s.store
            .bulk_award(big_id, &names, PointDelta::new(7, PointSource::Watch))
            .await
            .unwrap();
    }
    (s, big, small)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_export_streams_in_bounded_memory_and_other_streamers_do_not_wait() {
    let (s, big, small) = seeded(AWARDS).await;
    for i in 0..50 {
        s.user(&small, &format!("small-{i}")).await;
    }

    // Another streamer's reads, alone (after a warm-up).
    reads_until(&s, 50, || true).await;
    let before = reads_until(&s, 500, || true).await;

    let rss_before = status_kib("VmRSS:");
    reset_peak();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let export = || async {
        let r = s
            .client
            .get(format!("{}/big/api/export", s.base))
            .bearer_auth(&big.key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let mut body = r.bytes_stream();
        let (mut bytes, mut tail) = (0usize, Vec::new());
        while let Some(chunk) = body.next().await {
            let chunk = chunk.expect("the export arrives whole");
            bytes += chunk.len();
            tail = chunk[chunk.len().saturating_sub(64)..].to_vec();
        }
        done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        (bytes, tail)
    };
    // Three at once, as a dashboard reloaded in three tabs would.
    let exports = async { tokio::join!(export(), export(), export()) };
    let during = reads_until(&s, 20, || {
        done.load(std::sync::atomic::Ordering::SeqCst) == EXPORTS
    });
    let (((bytes, tail), _, _), during) = tokio::join!(exports, during);
    let peak_growth = status_kib("VmHWM:").saturating_sub(rss_before);
    let text = String::from_utf8_lossy(&tail);
    assert!(text.ends_with("]}"), "the document ends whole: …{text}");

    let (p99_before, p99_during) = (p99(before), p99(during.clone()));
    eprintln!(
        "{EXPORTS} exports at once of {VIEWERS} viewers and {} ledger rows, {:.1} MB each: peak \
         memory growth {} KiB; another streamer's p99 {:?} alone, {:?} during them ({} reads)",
        VIEWERS * AWARDS,
        bytes as f64 / 1e6,
        peak_growth,
        p99_before,
        p99_during,
        during.len()
    );
    assert!(bytes > 10_000_000, "a large document: {bytes} bytes");
    assert!(
        peak_growth < 40 * 1024,
        "the server grew by {peak_growth} KiB exporting {bytes} bytes"
    );
    assert!(
        p99_during < p99_before * 5 + Duration::from_millis(50),
        "another streamer waited: p99 {p99_during:?} during the export, {p99_before:?} before"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_its_export_does_not_hold_up_others_for_ever() {
    let (s, big, small) = seeded(1).await;
    // Takes the answer's head, then reads nothing.
    let stalled = s
        .client
        .get(format!("{}/big/api/export", s.base))
        .bearer_auth(&big.key)
        .send()
        .await
        .unwrap();
    assert_eq!(stalled.status(), 200);
    let started = Instant::now();
    let r = s.get("/small/api/export", Some(&small.key)).await;
    let waited = started.elapsed();
    eprintln!(
        "another streamer's export behind a stalled one: {} after {waited:?}",
        r.status
    );
    assert_eq!(r.status, 503, "{}", r.text);
    assert_eq!(r.json["error"]["code"], "busy");
    assert!(r.headers.contains_key("retry-after"));
    assert!(waited < api::export_json::TURN_WAIT + Duration::from_secs(5));
    // Reads of other streamers go on meanwhile.
    assert_eq!(s.get("/small/api/leaderboard", None).await.status, 200);
    drop(stalled);
    s.stop().await;
}
