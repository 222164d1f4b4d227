//! The steps a migration and an import share inside their one transaction: copy every legacy
//! row, verify the copy against the legacy rows, then fill in what the legacy file lacks.

use crate::copy::copy_all;
use crate::defaults::fill_defaults;
use crate::documents;
use crate::error::LegacyError;
use crate::plan::Plan;
use crate::progress::{Event, Steps};
use crate::step::{Counts, Step};
use crate::text::count;
use crate::verify;
use rusqlite::{Connection, Transaction};

/// A test hook that damages the copy before it is verified.
pub(crate) type Tamper = fn(&Connection) -> rusqlite::Result<()>;

/// Copies (`total_rows` legacy rows, for the progress report: the expired ones are left
/// behind), verifies and fills in defaults; returns the rows copied per legacy table.
pub(crate) fn copy_verify_fill(
    tx: &Transaction<'_>,
    plan: &Plan<'_>,
    total_rows: u64,
    tamper: Option<Tamper>,
    steps: &mut Steps<'_>,
) -> Result<Counts, LegacyError> {
    let copied = steps.run(Step::Copy, |emit| {
        let expired: u64 = plan.expired.values().sum();
        emit(Event::CopyStarted {
            total_rows: total_rows.saturating_sub(expired),
        });
        let copied = copy_all(tx, plan, emit)?;
        let documents = documents::copy(tx, plan).map_err(|e| LegacyError::Sqlite {
            step: Step::Copy,
            message: format!("copying the theme and layout documents: {e}"),
        })?;
        if let Some(tamper) = tamper {
            tamper(tx).map_err(LegacyError::sqlite(Step::Copy))?;
        }
        let rows: u64 = copied.values().sum();
        let mut detail = format!("{} copied", count(rows, "row", "rows"));
        if expired > 0 {
            detail += &format!(
                ", {} left behind",
                count(expired, "expired row", "expired rows")
            );
        }
        if !documents.is_empty() {
            detail += &format!(
                "; {} copied to the theme and the default layout",
                documents.join(" and ")
            );
        }
        if !plan.offsets.is_empty() {
            detail += &format!("; colliding ids shifted: {:?}", plan.offsets);
        }
        Ok((copied, detail))
    })?;
    steps.run(Step::Verify, |_| Ok(((), verify::compare(tx, plan)?)))?;
    steps.run(Step::Defaults, |_| Ok(((), fill_defaults(tx, plan)?)))?;
    Ok(copied)
}
