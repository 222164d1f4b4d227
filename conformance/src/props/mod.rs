//! Model-based property test: random operation sequences across three streamers, run against
//! the backend under test and [`ModelStore`] side by side.
//!
//! After every step the two results must be equal (ids compared canonically, see
//! [`crate::canon`]), every streamer's export, events, overlay key and Kick data must be equal
//! between the two stores, and the data invariants must hold (after the fixed setup once it is
//! complete, and after each drawn step but those that only read). Operations pick their streamer and their ids at random, so many
//! of them aim at another streamer's rows. A failure is shrunk by proptest to a minimal
//! sequence, printed with the step that diverged.

mod kick_ops;
mod ops;

use crate::canon::Canon;
use crate::cases::support::{all_events, check_invariants};
use crate::harness::{CaseResult, Failure, Harness, START};
use crate::model::ModelStore;
use datastore::{DataStore, DeliveryId, ManualClock};
use ops::{Op, Side, exec, op_strategy};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The named case: runs the property test with the harness's options.
pub async fn matches_model(h: Harness) -> CaseResult {
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || run(&h, &handle))
        .await
        .map_err(|e| Failure(format!("the property test panicked: {e}")))?
}

fn run(h: &Harness, handle: &tokio::runtime::Handle) -> CaseResult {
    let options = h.options();
    let config = Config {
        cases: options.proptest_cases,
        failure_persistence: None,
        max_shrink_iters: options.proptest_shrink_iters,
        ..Config::default()
    };
    let seed = options.proptest_seed;
    let mut seed_bytes = [0u8; 32];
    for (i, b) in seed.to_le_bytes().iter().cycle().take(32).enumerate() {
        seed_bytes[i] = b.wrapping_add(i as u8);
    }
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let strategy = proptest::collection::vec(op_strategy(), 1..=options.proptest_max_ops.max(1));
    let result = runner.run(&strategy, |ops| {
        handle
            .block_on(run_sequence(h, &ops))
            .map_err(|f| TestCaseError::fail(f.0))
    });
    match result {
        Ok(()) => Ok(()),
        Err(TestError::Fail(reason, ops)) => Err(Failure(format!(
            "the backend diverged from ModelStore (reproduce with CONFORMANCE_PROPTEST_SEED={seed} \
             CONFORMANCE_PROPTEST_CASES={} CONFORMANCE_PROPTEST_MAX_OPS={}). \
             Minimal sequence ({} operations, after the fixed setup):\n  {}\n{reason}",
            options.proptest_cases,
            options.proptest_max_ops,
            ops.len(),
            ops.iter()
                .map(|o| format!("{o:?}"))
                .collect::<Vec<_>>()
                .join("\n  ")
        ))),
        Err(TestError::Abort(reason)) => {
            Err(Failure(format!("the property test aborted: {reason}")))
        }
    }
}

/// Runs one sequence on a fresh backend store and a fresh model.
async fn run_sequence(h: &Harness, ops: &[Op]) -> Result<(), Failure> {
    let clock = Arc::new(ManualClock::new(START));
    let subject = h.store_on(clock.clone()).await;
    let model: Arc<dyn DataStore> = Arc::new(ModelStore::new(clock.clone()));
    let mut sides = [
        Side {
            store: subject,
            canon: Canon::default(),
            last_call: None,
        },
        Side {
            store: model,
            canon: Canon::default(),
            last_call: None,
        },
    ];
    let mut steps: Vec<Op> = ops::setup();
    let setup_len = steps.len();
    steps.extend_from_slice(ops);
    for (i, op) in steps.iter().enumerate() {
        if let Some(d) = op.clock_step() {
            clock.advance(d);
        }
        let got = exec(&mut sides[0], &clock, op).await;
        let want = exec(&mut sides[1], &clock, op).await;
        let label = if i < setup_len {
            format!("setup step {i}")
        } else {
            format!("step {}", i - setup_len)
        };
        if got != want {
            return Err(Failure(format!(
                "{label}, {op:?}:\n  backend: {got}\n  model:   {want}\n  differences: {:?}",
                crate::canon::diff(&got, &want, 5)
            )));
        }
        // The fixed setup's stored data is compared once, when it is complete (every result
        // on the way is compared all the same); a drawn step's, after the step, unless it only
        // read; the last step's, always.
        let last = i + 1 == steps.len();
        if i + 1 == setup_len || last {
            compare_state(&mut sides, &label, true).await?;
        } else if i >= setup_len && !op.only_reads() {
            compare_state(&mut sides, &label, op.touches_kick_records()).await?;
        }
    }
    Ok(())
}

/// Every streamer's export, events, overlay key (which of the steps' tokens opens it) and Kick
/// data (live state, open duels, economy and, when `records`, which of the steps' delivery ids
/// it recorded and whom the steps' Kick users are linked to), and the live list, from one
/// side, with canonical ids, once the invariants are checked. The records take many reads, so
/// they are compared after the steps that can change them only.
async fn state_of(side: &mut Side, label: &str, records: bool) -> Result<Value, Failure> {
    let mut exports = Vec::new();
    let mut events = Vec::new();
    let mut overlay_keys = Vec::new();
    let mut kick = Vec::new();
    let mut duels = Vec::new();
    let mut links = Vec::new();
    for s in side.store.list_streamers().await? {
        let e =
            side.store.export_streamer(s.id).await?.ok_or_else(|| {
                Failure(format!("{label}: listed streamer {} has no export", s.id))
            })?;
        check_invariants(&e).map_err(|f| Failure(format!("{label}: invariant broken: {f}")))?;
        exports.push(e);
        events.push(all_events(&*side.store, s.id).await?);
        let mut opens = Vec::new();
        for t in ops::TOKENS {
            opens.push(side.store.check_overlay_key(s.id, &ops::token(t)).await?);
        }
        overlay_keys.push(opens);
        let mut seen = Vec::new();
        let mut linked = Vec::new();
        if records {
            for id in kick_ops::DELIVERY_IDS {
                let id = DeliveryId(id.to_owned());
                seen.push(side.store.delivery_seen(s.id, &id).await?);
            }
            for k in kick_ops::KICK_IDS {
                linked.push(side.store.get_kick_viewer(s.id, k).await?);
            }
        }
        kick.push((
            side.store.get_stream_state(s.id).await?,
            side.store.get_economy_config(s.id).await?,
            seen,
        ));
        duels.push(side.store.list_duels(s.id).await?);
        links.push(linked);
    }
    let mut live = side.store.list_live_streamers().await?;
    side.canon.apply(&mut exports);
    side.canon.apply(&mut events);
    side.canon.apply(&mut duels);
    side.canon.apply(&mut links);
    side.canon.apply(&mut live);
    serde_json::to_value((exports, events, overlay_keys, kick, duels, links, live))
        .map_err(|e| Failure(e.to_string()))
}

/// Every streamer's state ([`state_of`]), canonical ids, equal on both sides, and the
/// invariants hold.
async fn compare_state(sides: &mut [Side; 2], label: &str, records: bool) -> Result<(), Failure> {
    let mut states: Vec<Value> = Vec::new();
    for side in sides.iter_mut() {
        states.push(state_of(side, label, records).await?);
    }
    if states[0] != states[1] {
        return Err(Failure(format!(
            "{label}: stored data differs from the model's: {:?}",
            crate::canon::diff(&states[0], &states[1], 5)
        )));
    }
    Ok(())
}

/// The store operations the property test's steps call, by the kind of step: each step of one
/// kind (after the fixed setup) run on a [`ModelStore`], noting the operation whose result the
/// step observes (helper lookups, which aim a step at a user or a tip, do not count). A test
/// of the suite compares them with [`datastore::OPERATIONS`], so an operation no step calls
/// fails it, by name, instead of silently escaping the model-based test.
pub async fn operations_called() -> BTreeMap<&'static str, Vec<String>> {
    let clock = Arc::new(ManualClock::new(START));
    let model: Arc<dyn DataStore> = Arc::new(ModelStore::new(clock.clone()));
    let mut side = Side {
        store: model,
        canon: Canon::default(),
        last_call: None,
    };
    for op in ops::setup() {
        exec(&mut side, &clock, &op).await;
    }
    let mut called: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for op in ops::one_of_each_kind() {
        if let Some(d) = op.clock_step() {
            clock.advance(d);
        }
        exec(&mut side, &clock, &op).await;
        if let Some(operation) = side.last_call.take() {
            called.entry(operation).or_default().push(format!("{op:?}"));
        }
    }
    called
}
