//! The legacy app's theme and overlay layout: JSON documents it keeps as rows of
//! `overlay_settings` (`theme_config`, `overlay_layout_config`), which the multi-tenant schema
//! gives tables of their own. The copy puts the first in the streamer's theme and the second in
//! its default layout (the settings rows are copied too, as every setting is), and verify
//! checks both documents arrived whole. A legacy file without them (older versions wrote them
//! on first start only) leaves the theme unset, which the server answers with its default, and
//! the streamer without layouts.

use crate::plan::Plan;
use crate::sql::bind;
use rusqlite::Transaction;

/// The settings key of the theme document.
pub(crate) const THEME_KEY: &str = "theme_config";
/// The settings key of the overlay layout document.
pub(crate) const LAYOUT_KEY: &str = "overlay_layout_config";
/// The id the legacy layout gets: it becomes the streamer's default layout.
pub(crate) const LAYOUT_ID: &str = "main";
/// The name it gets.
const LAYOUT_NAME: &str = "Main";

/// Copies the theme and the layout, where the legacy file has them; answers which it copied.
pub(crate) fn copy(tx: &Transaction<'_>, plan: &Plan<'_>) -> rusqlite::Result<Vec<&'static str>> {
    if !plan.documents {
        return Ok(Vec::new());
    }
    let time = "legacy_ms(updated_at, 'overlay_settings.updated_at', :now)";
    let statements = [
        (
            THEME_KEY,
            format!(
                "INSERT INTO theme_settings (streamer_id, theme, updated_at) \
                 SELECT :s, json(value), {time} FROM {{src}}overlay_settings WHERE key = :key"
            ),
        ),
        (
            LAYOUT_KEY,
            format!(
                "INSERT INTO overlay_layouts (streamer_id, id, name, is_default, layout, \
                 created_at, updated_at) SELECT :s, :id, :name, 1, json(value), {time}, {time} \
                 FROM {{src}}overlay_settings WHERE key = :key"
            ),
        ),
    ];
    let mut copied = Vec::new();
    for (key, sql) in statements {
        let mut stmt = tx.prepare(&sql.replace("{src}", plan.src))?;
        bind(
            &mut stmt,
            &[
                (":s", &plan.streamer_id),
                (":now", &plan.now),
                (":key", &key),
                (":id", &LAYOUT_ID),
                (":name", &LAYOUT_NAME),
            ],
        )?;
        if stmt.raw_execute()? > 0 {
            copied.push(key);
        }
    }
    Ok(copied)
}

/// Compares the documents with their legacy rows: one theme and one default layout exactly
/// when the legacy file has them, each the same JSON. Adds every difference to `differences`;
/// returns the number of checks made.
pub(crate) fn verify(
    tx: &Transaction<'_>,
    plan: &Plan<'_>,
    differences: &mut Vec<String>,
) -> rusqlite::Result<u64> {
    if !plan.documents {
        return Ok(0);
    }
    let checks = [
        (
            "theme",
            THEME_KEY,
            "SELECT count(*) FROM theme_settings WHERE streamer_id = :s",
            "SELECT count(*) FROM theme_settings n JOIN {src}overlay_settings r \
             ON r.key = :key WHERE n.streamer_id = :s AND n.theme = json(r.value)",
        ),
        (
            "default layout",
            LAYOUT_KEY,
            "SELECT count(*) FROM overlay_layouts WHERE streamer_id = :s",
            "SELECT count(*) FROM overlay_layouts n JOIN {src}overlay_settings r \
             ON r.key = :key WHERE n.streamer_id = :s AND n.id = :id AND n.is_default = 1 \
             AND n.layout = json(r.value)",
        ),
    ];
    for (what, key, copies, equal) in checks {
        let count = |sql: &str| -> rusqlite::Result<i64> {
            let mut stmt = tx.prepare(&sql.replace("{src}", plan.src))?;
            bind(
                &mut stmt,
                &[
                    (":s", &plan.streamer_id),
                    (":key", &key),
                    (":id", &LAYOUT_ID),
                ],
            )?;
            let mut rows = stmt.raw_query();
            Ok(rows.next()?.map(|r| r.get(0)).transpose()?.unwrap_or(0))
        };
        let legacy = count("SELECT count(*) FROM {src}overlay_settings WHERE key = :key")?;
        let (copied, same) = (count(copies)?, count(equal)?);
        if copied != legacy || same != legacy {
            differences.push(format!(
                "{what}: the legacy file has {legacy} {key}, the streamer has {copied} \
                 ({same} equal to it)"
            ));
        }
    }
    Ok(checks.len() as u64)
}
