//! What a legacy file may lack that every streamer has: the configuration of each powerup type.

use crate::error::LegacyError;
use crate::plan::Plan;
use crate::step::Step;
use rusqlite::Connection;

/// The Defaults step: a legacy file without a row for some powerup type gets that type's
/// default configuration, as a new streamer would.
pub(crate) fn fill_defaults(tx: &Connection, plan: &Plan<'_>) -> Result<String, LegacyError> {
    let failed = LegacyError::sqlite(Step::Defaults);
    let now = datastore::Timestamp::saturating_from_millis(plan.now);
    let streamer = datastore::StreamerId(plan.streamer_id);
    let mut filled = Vec::new();
    for (kind, config) in datastore::default_powerups() {
        let present: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM powerup_config WHERE streamer_id = ?1 AND id = ?2)",
                rusqlite::params![plan.streamer_id, kind.as_str()],
                |r| r.get(0),
            )
            .map_err(&failed)?;
        if !present {
            reference_store::insert_powerup_config(tx, streamer, kind, &config, now).map_err(
                |e| LegacyError::Sqlite {
                    step: Step::Defaults,
                    message: e.to_string(),
                },
            )?;
            filled.push(kind.as_str());
        }
    }
    Ok(if filled.is_empty() {
        "every powerup type configured".to_owned()
    } else {
        format!(
            "default config added for powerup types the file lacked: {}",
            filled.join(", ")
        )
    })
}
