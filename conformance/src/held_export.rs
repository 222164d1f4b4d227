//! Streaming an export already held in memory: how [`crate::model::ModelStore`] and the fault
//! wrappers implement [`datastore::ReportStore::stream_export`].

use datastore::{ExportSink, StoreError, StoreResult, StreamerExport};

/// Sends `export`'s parts to `sink` on a thread that may block, stopping at its first `false`;
/// `false` (nothing sent) when there is no export.
pub async fn send_parts(
    export: Option<StreamerExport>,
    mut sink: Box<dyn ExportSink>,
) -> StoreResult<bool> {
    let Some(export) = export else {
        return Ok(false);
    };
    tokio::task::spawn_blocking(move || {
        for part in export.into_parts() {
            if !sink.put(part) {
                break;
            }
        }
    })
    .await
    .map_err(|e| StoreError::backend(format!("the export stream did not complete: {e}")))?;
    Ok(true)
}

/// A sink that keeps the parts where its caller can read them afterwards, and asks for no
/// more after `stop_after` parts.
#[derive(Clone)]
pub struct Collector {
    parts: std::sync::Arc<std::sync::Mutex<Vec<datastore::ExportPart>>>,
    stop_after: usize,
}

impl Collector {
    /// A collector taking at most `stop_after` parts.
    pub fn new(stop_after: usize) -> Self {
        Collector {
            parts: Default::default(),
            stop_after,
        }
    }

    /// The parts taken so far.
    pub fn parts(&self) -> Vec<datastore::ExportPart> {
        self.parts.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl ExportSink for Collector {
    fn put(&mut self, part: datastore::ExportPart) -> bool {
        let mut parts = self.parts.lock().unwrap_or_else(|e| e.into_inner());
        if parts.len() >= self.stop_after {
            // Asked to stop already: a store that sends more is wrong; keep it to be seen.
            parts.push(part);
            return false;
        }
        parts.push(part);
        parts.len() < self.stop_after
    }
}

/// Streams `s`'s export and rebuilds it: what [`datastore::ReportStore::export_streamer`] must
/// equal. Parts sent for a streamer the store says does not exist, or parts that do not make
/// an export (out of order, a second value of a one-value section), are a `Backend` error.
pub async fn collect_stream(
    store: &dyn datastore::DataStore,
    s: datastore::StreamerId,
) -> StoreResult<Option<StreamerExport>> {
    let collector = Collector::new(usize::MAX);
    let found = store.stream_export(s, Box::new(collector.clone())).await?;
    let parts = collector.parts();
    match (found, parts.is_empty()) {
        (false, true) => Ok(None),
        (false, false) => Err(StoreError::backend(
            "stream_export sent parts for a streamer it says does not exist",
        )),
        (true, _) => StreamerExport::from_parts(parts).map(Some).ok_or_else(|| {
            StoreError::backend("stream_export's parts do not make an export (order or count)")
        }),
    }
}
