//! What a run reports as it goes ([`Event`]), and [`Steps`], which runs each step: it fails
//! first where a test asks it to, then reports the step's detail and time.

use crate::error::LegacyError;
use crate::step::Step;
use std::time::{Duration, Instant};

/// What a migration, import or rollback reports as it goes.
#[derive(Debug, Clone)]
pub enum Event {
    /// A step finished: what it did and how long it took.
    Step {
        /// The step.
        step: Step,
        /// What it did, with counts.
        detail: String,
        /// How long it took.
        elapsed: Duration,
    },
    /// Work after the commit (journal mode, compaction): reported, never a failure, since the
    /// migration is committed.
    AfterCommit {
        /// What was done.
        detail: String,
        /// How long it took.
        elapsed: Duration,
    },
    /// The copy is about to move `total_rows` rows.
    CopyStarted {
        /// Rows in every legacy table together.
        total_rows: u64,
    },
    /// `rows` more rows of `table` were copied.
    Copied {
        /// The legacy table.
        table: &'static str,
        /// Rows in this chunk.
        rows: u64,
    },
}

/// Runs the steps of one command and reports them.
pub(crate) struct Steps<'a> {
    /// Test hook: the step to fail at, as a crash or an SQLite error there would.
    fail_at: Option<Step>,
    emit: &'a mut dyn FnMut(Event),
}

impl<'a> Steps<'a> {
    /// Steps reported to `emit`, failing at `fail_at`.
    pub(crate) fn new(fail_at: Option<Step>, emit: &'a mut dyn FnMut(Event)) -> Self {
        Steps { fail_at, emit }
    }

    /// Reports an event that is not the end of a step (progress, work after the commit).
    pub(crate) fn emit(&mut self, event: Event) {
        (self.emit)(event);
    }

    /// Runs `f` as step `step`: fails first if the test hook says so, then reports the step's
    /// detail and time. `f` may report progress through the function it is given.
    pub(crate) fn run<T>(
        &mut self,
        step: Step,
        f: impl FnOnce(&mut dyn FnMut(Event)) -> Result<(T, String), LegacyError>,
    ) -> Result<T, LegacyError> {
        if self.fail_at == Some(step) {
            return Err(LegacyError::Injected(step));
        }
        let started = Instant::now();
        let (out, detail) = f(&mut *self.emit)?;
        let elapsed = started.elapsed();
        tracing::debug!(step = step.name(), %detail, ms = elapsed.as_millis() as u64, "legacy step");
        (self.emit)(Event::Step {
            step,
            detail,
            elapsed,
        });
        Ok(out)
    }
}
