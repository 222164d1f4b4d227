//! A small Server-Sent Events client for the tests: one real connection, frames parsed as
//! they arrive.

use futures_util::StreamExt;
use serde_json::Value;
use std::time::Duration;

/// One event received.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    pub id: Option<i64>,
    pub event: String,
    pub data: Value,
}

/// An open stream.
pub struct Sse {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    body: Option<futures_util::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>>,
    buffer: String,
    /// Comments seen (keep-alives), in order.
    pub comments: Vec<String>,
    /// Whether the server ended the body cleanly.
    pub ended: bool,
    /// The id the last `ready` event named (the stream's starting point); `ready` events are
    /// not returned by `next`.
    pub ready: Option<i64>,
}

impl Sse {
    /// Opens `path` on `base`, with `Last-Event-ID` when given; a stream from now is returned
    /// once it has started (its `ready` event), so what commits after this returns reaches it.
    pub async fn open(base: &str, path: &str, last_event_id: Option<&str>) -> Sse {
        let mut req = reqwest::Client::new().get(format!("{base}{path}"));
        if let Some(id) = last_event_id {
            req = req.header("last-event-id", id);
        }
        let r = req.send().await.expect("the server answers");
        let mut sse = Sse {
            status: r.status().as_u16(),
            headers: r.headers().clone(),
            body: Some(r.bytes_stream().boxed()),
            buffer: String::new(),
            comments: Vec::new(),
            ended: false,
            ready: None,
        };
        // A stream from now starts with its ready event; one that replays from a place sends
        // what it replays first (and its ready after it).
        if sse.status == 200 && last_event_id.is_none() && !path.contains("last_event_id=") {
            sse.wait_ready().await;
        }
        sse
    }

    /// Reads up to the stream's `ready` event (its starting point: what commits after it is
    /// streamed), leaving whatever follows it for `next`.
    async fn wait_ready(&mut self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let frame = self.buffer[..end].to_owned();
                if frame.lines().any(|l| l.starts_with("data:")) && !frame.contains("event: ready")
                {
                    panic!("an event before the stream's ready: {frame:?}");
                }
                self.buffer.drain(..end + 2);
                if frame.contains("event: ready") {
                    self.ready = frame
                        .lines()
                        .find_map(|l| l.strip_prefix("id: "))
                        .map(|n| n.parse().expect("a numeric id"));
                    return;
                }
            }
            let body = self.body.as_mut().expect("the stream is open");
            match tokio::time::timeout_at(deadline, body.next()).await {
                Ok(Some(Ok(chunk))) => self
                    .buffer
                    .push_str(std::str::from_utf8(&chunk).expect("UTF-8 frames")),
                other => panic!("the stream ended or stalled before its ready event: {other:?}"),
            }
        }
    }

    /// The next event within `wait`, or `None` (nothing came, or the stream ended).
    pub async fn next(&mut self, wait: Duration) -> Option<Received> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(e) = self.take_frame() {
                return Some(e);
            }
            let body = self.body.as_mut()?;
            match tokio::time::timeout_at(deadline, body.next()).await {
                Err(_) => return None,
                Ok(None) => {
                    self.ended = true;
                    self.body = None;
                    return None;
                }
                Ok(Some(Err(e))) => panic!("the stream failed: {e}"),
                Ok(Some(Ok(chunk))) => self
                    .buffer
                    .push_str(std::str::from_utf8(&chunk).expect("UTF-8 frames")),
            }
        }
    }

    /// Every event that arrives within `wait`.
    pub async fn collect(&mut self, wait: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + wait;
        let mut out = Vec::new();
        while let Some(e) = self.next(deadline - tokio::time::Instant::now()).await {
            out.push(e);
        }
        out
    }

    /// Reads until the server ends the body (true) or `wait` passes (false).
    pub async fn wait_end(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        while !self.ended && tokio::time::Instant::now() < deadline {
            let _ = self.next(deadline - tokio::time::Instant::now()).await;
        }
        self.ended
    }

    fn take_frame(&mut self) -> Option<Received> {
        loop {
            let end = self.buffer.find("\n\n")?;
            let frame: String = self.buffer[..end].to_owned();
            self.buffer.drain(..end + 2);
            let (mut id, mut event, mut data) = (None, String::from("message"), None);
            let mut comment_only = true;
            for line in frame.lines() {
                if let Some(c) = line.strip_prefix(':') {
                    self.comments.push(c.trim().to_owned());
                    continue;
                }
                comment_only = false;
                let (field, value) = line.split_once(": ").unwrap_or((line, ""));
                match field {
                    "id" => id = Some(value.parse().expect("a numeric id")),
                    "event" => event = value.to_owned(),
                    "data" => data = Some(serde_json::from_str(value).expect("JSON data")),
                    "retry" => {}
                    other => panic!("an unknown field {other:?}"),
                }
            }
            if comment_only || data.is_none() {
                continue;
            }
            if event == "ready" {
                self.ready = id;
                continue;
            }
            return Some(Received {
                id,
                event,
                data: data.unwrap_or(Value::Null),
            });
        }
    }
}
