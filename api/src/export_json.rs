//! The export as the JSON document `GET /{streamer}/api/export` answers, written while the store
//! streams it ([`datastore::ReportStore::stream_export`]): parts arrive through a bounded
//! channel and leave as chunks of about [`CHUNK_BYTES`], so a large streamer's export takes a
//! few hundred kilobytes of memory however large it is, and no request worker ever holds it.
//!
//! The document is what the store exports, without credentials: OAuth tokens as their
//! metadata, sessions and the admin key without their hashes.

use crate::models::tokens::TokenMetadata;
use crate::reply::Chunk;
use bytes::Bytes;
use datastore::{DataStore, EXPORT_SECTIONS, ExportPart, ExportSink, StoreResult, StreamerId};

use crate::error::ApiError;
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Parts in flight between the store and the writer.
pub const PARTS_IN_FLIGHT: usize = 256;
/// Bytes gathered before a chunk is sent.
pub const CHUNK_BYTES: usize = 64 * 1024;
/// Chunks in flight between the writer and the connection.
const CHUNKS_IN_FLIGHT: usize = 4;
/// How long an export waits for the one before it (then 503 with `Retry-After`).
pub const TURN_WAIT: Duration = Duration::from_secs(10);
/// How long a client may leave a chunk unread before its export is cut off (so a client that
/// stops reading cannot hold the export's turn, and a database snapshot, for ever).
pub const SEND_WAIT: Duration = Duration::from_secs(30);

/// Hands parts to the writer, blocking while its channel is full.
struct ChannelSink(mpsc::Sender<ExportPart>);

impl ExportSink for ChannelSink {
    fn put(&mut self, part: ExportPart) -> bool {
        self.0.blocking_send(part).is_ok()
    }
}

/// Starts `s`'s export once `turn` lets it (one export at a time per server: the permit is
/// held until the document is written), waiting at most [`TURN_WAIT`] (then [`ApiError::Busy`]).
/// `Ok(None)`: no such streamer. Otherwise the chunks of the document, which stop early (and
/// the store with them) when the receiver is dropped or leaves a chunk unread for
/// [`SEND_WAIT`].
pub async fn start(
    store: Arc<dyn DataStore>,
    s: StreamerId,
    turn: Arc<tokio::sync::Semaphore>,
) -> Result<Option<mpsc::Receiver<Chunk>>, ApiError> {
    let permit = match tokio::time::timeout(TURN_WAIT, turn.acquire_owned()).await {
        Ok(Ok(permit)) => permit,
        Ok(Err(_)) => return Err(ApiError::Internal),
        Err(_) => {
            return Err(ApiError::Busy {
                what: "another export is being sent",
                retry_after_s: TURN_WAIT.as_secs(),
            });
        }
    };
    let (parts_tx, mut parts) = mpsc::channel(PARTS_IN_FLIGHT);
    let producer = tokio::spawn(async move {
        store
            .stream_export(s, Box::new(ChannelSink(parts_tx)))
            .await
    });
    let Some(first) = parts.recv().await else {
        return match producer.await {
            Ok(Ok(_)) => Ok(None),
            Ok(Err(e)) => Err(e.into()),
            Err(e) => {
                tracing::error!(error = %e, "the export did not run");
                Err(ApiError::Internal)
            }
        };
    };
    let (chunks_tx, chunks) = mpsc::channel(CHUNKS_IN_FLIGHT);
    tokio::spawn(async move {
        write(first, parts, producer, chunks_tx).await;
        drop(permit);
    });
    Ok(Some(chunks))
}

async fn write(
    first: ExportPart,
    mut parts: mpsc::Receiver<ExportPart>,
    producer: JoinHandle<StoreResult<bool>>,
    out: mpsc::Sender<Chunk>,
) {
    let mut doc = Document::default();
    let mut buf = Vec::with_capacity(CHUNK_BYTES * 2);
    let mut next = Some(first);
    while let Some(part) = next {
        if let Err(e) = doc.part(&mut buf, part) {
            tracing::error!(error = %e, "an export row did not serialise");
            let _ = out
                .send(Err(std::io::Error::other("the export failed")))
                .await;
            return;
        }
        if buf.len() >= CHUNK_BYTES && !send(&out, Ok(take(&mut buf))).await {
            // The client left or stopped reading: dropping `parts` stops the store at its next
            // row, and the export's turn passes on.
            return;
        }
        next = parts.recv().await;
    }
    match producer.await {
        Ok(Ok(true)) => {
            doc.finish(&mut buf);
            send(&out, Ok(take(&mut buf))).await;
        }
        outcome => {
            tracing::error!(?outcome, "an export stopped before its end");
            let _ = out
                .send(Err(std::io::Error::other("the export failed")))
                .await;
        }
    }
}

/// Sends a chunk, waiting at most [`SEND_WAIT`] for the client to take the one before;
/// `false` when it is gone or did not.
async fn send(out: &mpsc::Sender<Chunk>, chunk: Chunk) -> bool {
    match tokio::time::timeout(SEND_WAIT, out.send(chunk)).await {
        Ok(sent) => sent.is_ok(),
        Err(_) => {
            tracing::warn!("an export's client stopped reading: cut off");
            false
        }
    }
}

fn take(buf: &mut Vec<u8>) -> Bytes {
    Bytes::from(std::mem::replace(buf, Vec::with_capacity(CHUNK_BYTES * 2)))
}

/// Where the document is: the section open now and whether it has a row yet.
#[derive(Default)]
struct Document {
    /// The next section not yet opened.
    next: usize,
    /// The section open now, and whether a row of it was written.
    open: Option<(usize, bool)>,
}

impl Document {
    fn part(&mut self, buf: &mut Vec<u8>, part: ExportPart) -> serde_json::Result<()> {
        let section = part.section();
        match self.open {
            Some((open, true)) if open == section => buf.push(b','),
            _ => {
                self.close(buf);
                self.skip_to(buf, section);
                self.start(buf, section);
            }
        }
        self.open = Some((section, true));
        row(buf, part)
    }

    fn finish(&mut self, buf: &mut Vec<u8>) {
        self.close(buf);
        self.skip_to(buf, EXPORT_SECTIONS.len());
        if self.next == 0 {
            buf.push(b'{');
        }
        buf.push(b'}');
    }

    /// Writes the sections before `section` that have no rows: `[]` or `null`.
    fn skip_to(&mut self, buf: &mut Vec<u8>, section: usize) {
        while self.next < section {
            let i = self.next;
            self.start(buf, i);
            buf.extend_from_slice(if EXPORT_SECTIONS[i].1 { b"]" } else { b"null" });
            self.open = None;
        }
    }

    fn start(&mut self, buf: &mut Vec<u8>, section: usize) {
        let (name, list) = EXPORT_SECTIONS[section];
        buf.push(if section == 0 { b'{' } else { b',' });
        buf.push(b'"');
        buf.extend_from_slice(name.as_bytes());
        buf.extend_from_slice(b"\":");
        if list {
            buf.push(b'[');
        }
        self.next = section + 1;
    }

    fn close(&mut self, buf: &mut Vec<u8>) {
        if let Some((open, _)) = self.open.take()
            && EXPORT_SECTIONS[open].1
        {
            buf.push(b']');
        }
    }
}

/// One row as the document shows it (no credential in it).
fn row(buf: &mut Vec<u8>, part: ExportPart) -> serde_json::Result<()> {
    fn put<T: Serialize>(buf: &mut Vec<u8>, v: &T) -> serde_json::Result<()> {
        serde_json::to_writer(buf, v)
    }
    fn without(buf: &mut Vec<u8>, v: impl Serialize, field: &str) -> serde_json::Result<()> {
        let mut v = serde_json::to_value(v)?;
        if let Value::Object(m) = &mut v {
            m.remove(field);
        }
        put(buf, &v)
    }
    use ExportPart as P;
    match part {
        P::Streamer(x) => put(buf, &x),
        P::User(x) => put(buf, &x),
        P::Points(x) => put(buf, &x),
        P::Transaction(x) => put(buf, &x),
        P::Inventory(x) => put(buf, &x),
        P::Purchase(x) => put(buf, &x),
        P::Drop(x) => put(buf, &x),
        P::Cooldown(x) => put(buf, &x),
        P::UserSession(x) => without(buf, x, "token_hash"),
        P::StreamerSession(x) => without(buf, x, "token_hash"),
        P::AdminKey(x) => without(buf, x, "key_hash"),
        P::VerificationCode(x) => put(buf, &x),
        P::OAuthToken(x) => put(buf, &TokenMetadata::from(&x)),
        P::Powerup(x) => put(buf, &x),
        P::OverlaySetting(x) => put(buf, &x),
        P::Layout(x) => put(buf, &x),
        P::Theme(x) => put(buf, &x),
        P::Tip(x) => put(buf, &x),
        P::Goal(x) => put(buf, &x),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(parts: Vec<ExportPart>) -> Value {
        let mut doc = Document::default();
        let mut buf = Vec::new();
        for p in parts {
            doc.part(&mut buf, p).unwrap();
        }
        doc.finish(&mut buf);
        serde_json::from_slice(&buf)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&buf)))
    }

    #[test]
    fn every_section_is_written_empty_or_not() {
        let streamer: datastore::Streamer = serde_json::from_value(serde_json::json!({
            "id": 1, "username": "s", "display_name": "S", "kick_user_id": null,
            "avatar_url": null, "created_at": "2026-01-01T00:00:00.000Z",
            "updated_at": "2026-01-01T00:00:00.000Z"
        }))
        .unwrap();
        let tip: datastore::Tip = serde_json::from_value(serde_json::json!({
            "id": 3, "content": "x", "enabled": true, "sort_order": 0,
            "created_at": "2026-01-01T00:00:00.000Z"
        }))
        .unwrap();
        let doc = document(vec![
            ExportPart::Streamer(streamer),
            ExportPart::Tip(tip.clone()),
            ExportPart::Tip(tip),
        ]);
        let keys: Vec<&str> = EXPORT_SECTIONS.iter().map(|(n, _)| *n).collect();
        let mut got: Vec<&str> = doc
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut want = keys.clone();
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want);
        assert_eq!(doc["tips"].as_array().unwrap().len(), 2);
        assert_eq!(doc["users"], serde_json::json!([]));
        assert_eq!(doc["theme"], Value::Null);
        assert_eq!(doc["goals"], serde_json::json!([]));
    }
}
