//! The tenant predicates of a store's SQL (SQLite's or PostgreSQL's), keyed by their
//! meaning: what `scripts/tenant-mutants` weakens one at a time, and what the mutant tables in
//! `reference-store/README.md` and `pg-store/README.md` list (each crate's
//! `tests/mutant_table.rs` compares them, through [`mutant_table_problems`]).
//!
//! A tenant predicate is a `streamer_id` column, optionally qualified by a one-letter alias,
//! compared with a bound parameter (`streamer_id = ?1`, `u.streamer_id = ?2`) inside a string
//! literal of the source (SQL). Its key is the file, the item it is written in (the innermost
//! `fn`, or the `const` or `static` it belongs to), its text and its ordinal (the how-manieth
//! time that text appears in that item). Lines do not count: editing around a predicate, a
//! comment above it included, changes no key. Predicates in comments are not SQL and do not
//! count either. A predicate no behaviour can depend on says so on its line, in a trailing
//! `// equivalent mutant: <reason>` comment.

use crate::source::{code_and_literals, line_of};

/// One tenant predicate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Predicate {
    /// The file, as the caller named it.
    pub file: String,
    /// Its 1-based line.
    pub line: usize,
    /// Its column on that line, in characters from 0.
    pub column: usize,
    /// The item it is written in (`?` when none).
    pub function: String,
    /// Its text: `streamer_id = ?1`, `u.streamer_id = ?1`.
    pub text: String,
    /// The how-manieth time this text appears in its item, from 1.
    pub ordinal: u32,
    /// The reason its line gives for it being an equivalent mutant, if it gives one.
    pub equivalent: Option<String>,
}

impl Predicate {
    /// The key the mutant table uses: file, item, text, ordinal.
    pub fn key(&self) -> (String, String, String, u32) {
        (
            self.file.clone(),
            self.function.clone(),
            self.text.clone(),
            self.ordinal,
        )
    }
}

/// The tenant predicates of `src`, the text of the file called `file`. SQL in a
/// `#[cfg(test)]` module is a unit test's sample, not the store's, and does not count.
pub fn in_source(file: &str, src: &str) -> Vec<Predicate> {
    let (code, literals) = code_and_literals(src);
    let items = items(&code);
    let tests = test_modules(&code);
    let mut out: Vec<Predicate> = Vec::new();
    for literal in literals
        .iter()
        .filter(|l| !tests.iter().any(|r| r.contains(&l.start)))
    {
        for (offset, text) in find(&literal.text) {
            let at = literal.start + offset;
            let function = items
                .iter()
                .filter(|(start, end, _)| *start <= at && at < *end)
                .min_by_key(|(start, end, _)| end - start)
                .map_or("?", |(_, _, name)| name.as_str())
                .to_owned();
            let line_start = src[..at].rfind('\n').map_or(0, |i| i + 1);
            let line_end = src[at..].find('\n').map_or(src.len(), |i| at + i);
            let line = &src[line_start..line_end];
            let equivalent = line
                .split_once("// equivalent mutant: ")
                .map(|(_, why)| why.trim().to_owned());
            let ordinal = 1 + out
                .iter()
                .filter(|p| p.function == function && p.text == text)
                .count() as u32;
            out.push(Predicate {
                file: file.to_owned(),
                line: line_of(src, at),
                column: src[line_start..at].chars().count(),
                function,
                text,
                ordinal,
                equivalent,
            });
        }
    }
    out
}

/// A mutant's key: (`<crate>/src/file.rs`, item, predicate, ordinal).
pub type Key = (String, String, String, u32);

/// Every tenant predicate of `<crate_dir>/src/*.rs` (files named `<crate_name>/src/…`), by
/// key, with whether its line declares it an equivalent mutant.
pub fn in_crate(
    crate_dir: &std::path::Path,
    crate_name: &str,
) -> std::collections::BTreeMap<Key, bool> {
    let mut files: Vec<_> = std::fs::read_dir(crate_dir.join("src"))
        .expect("the crate's src directory")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    let mut out = std::collections::BTreeMap::new();
    for path in files {
        let file = format!(
            "{crate_name}/src/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        let text = std::fs::read_to_string(&path).expect("a readable source file");
        for p in in_source(&file, &text) {
            out.insert(p.key(), p.equivalent.is_some());
        }
    }
    out
}

/// What is wrong with the mutant table in `<crate_dir>/README.md`: it must list exactly the
/// tenant predicates the crate's sources hold now (at least `at_least` of them, so a scanner
/// that stopped finding them fails), each killed, or equivalent where its line says why.
/// Empty when the table is current.
pub fn mutant_table_problems(
    crate_dir: &std::path::Path,
    crate_name: &str,
    at_least: usize,
) -> Vec<String> {
    let readme = std::fs::read_to_string(crate_dir.join("README.md")).unwrap_or_default();
    let found = in_crate(crate_dir, crate_name);
    let mut problems = Vec::new();
    let mut listed = std::collections::BTreeSet::new();
    let marker = format!("`{crate_name}/src/");
    for row in readme
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains(&marker))
    {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        if cells.len() < 7 {
            problems.push(format!("a malformed row: {row}"));
            continue;
        }
        let key: Key = (
            cells[2].trim_matches('`').to_owned(),
            cells[3].trim_matches('`').to_owned(),
            cells[4].trim_matches('`').to_owned(),
            cells[5].parse().unwrap_or(0),
        );
        let declared = cells[6] == "equivalent" && found.get(&key).copied().unwrap_or(false);
        if cells[6] != "killed" && !declared {
            problems.push(format!("not killed: {row}"));
        }
        listed.insert(key);
    }
    if found.len() < at_least {
        problems.push(format!(
            "the scanner found too few predicates: {} (at least {at_least} expected)",
            found.len()
        ));
    }
    let found: std::collections::BTreeSet<Key> = found.into_keys().collect();
    for key in found.difference(&listed) {
        problems.push(format!(
            "in the sources, not the table (run scripts/tenant-mutants): {key:?}"
        ));
    }
    for key in listed.difference(&found) {
        problems.push(format!(
            "in the table, not the sources (run scripts/tenant-mutants): {key:?}"
        ));
    }
    problems
}

/// Every predicate in `sql`: (byte offset, text). SQLite's placeholders are `?N` and
/// PostgreSQL's `$N`; a PostgreSQL store also constrains the `streamers` table itself by its
/// id, written `streamers.id = $N`.
fn find(sql: &str) -> Vec<(usize, String)> {
    let bytes = sql.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out = Vec::new();
    for needle in ["streamer_id = ?", "streamer_id = $", "streamers.id = $"] {
        for (at, _) in sql.match_indices(needle) {
            let end = at + needle.len();
            let digits = sql[end..].bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 || (at > 0 && ident(bytes[at - 1])) {
                continue;
            }
            let qualified = needle.starts_with("streamer_id")
                && at >= 2
                && bytes[at - 1] == b'.'
                && bytes[at - 2].is_ascii_lowercase()
                && (at == 2 || !ident(bytes[at - 3]));
            let start = if qualified { at - 2 } else { at };
            out.push((start, sql[start..end + digits].to_owned()));
        }
    }
    out.sort();
    out
}

/// The spans of the `#[cfg(test)] mod … { … }` items of `code` (comments and literals blanked).
fn test_modules(code: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    for (at, attr) in code.match_indices("#[cfg(test)]") {
        let rest = code[at + attr.len()..].trim_start();
        if !rest.starts_with("mod ") {
            continue;
        }
        let Some(open) = code[at..].find('{').map(|i| at + i) else {
            continue;
        };
        let mut depth = 0usize;
        for (k, &b) in bytes.iter().enumerate().skip(open) {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        out.push(at..k + 1);
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// The spans of the items predicates can be written in: `(start, end, name)` of every `fn`
/// with a body (to its closing brace) and every `const` and `static` (to its semicolon), in
/// code whose comments and literals are blanked.
fn items(code: &str) -> Vec<(usize, usize, String)> {
    let bytes = code.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out = Vec::new();
    for keyword in ["fn", "const", "static"] {
        for (at, _) in code.match_indices(keyword) {
            let after = at + keyword.len();
            if (at > 0 && ident(bytes[at - 1])) || bytes.get(after).is_none_or(|&b| ident(b)) {
                continue;
            }
            // Not an item: a lifetime (`&'static str`), a const generic (`<const N: usize>`).
            let before = code[..at].trim_end();
            if before.ends_with('\'') || before.ends_with('<') || before.ends_with(',') {
                continue;
            }
            let name: String = code[after..]
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if name.is_empty() || name == "fn" {
                continue;
            }
            let Some(stop) = code[after..].find(['{', ';']).map(|i| after + i) else {
                continue;
            };
            let end = if keyword == "fn" {
                if bytes[stop] == b';' {
                    continue;
                }
                let mut depth = 0usize;
                let mut end = code.len();
                for (k, &b) in bytes.iter().enumerate().skip(stop) {
                    match b {
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = k + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end
            } else {
                // `const X: T = …;`: to the semicolon that ends it, past any braces.
                let mut depth = 0i32;
                let mut end = code.len();
                for (k, &b) in bytes.iter().enumerate().skip(after) {
                    match b {
                        b'{' | b'(' | b'[' => depth += 1,
                        b'}' | b')' | b']' => depth -= 1,
                        b';' if depth <= 0 => {
                            end = k + 1;
                            break;
                        }
                        _ => {}
                    }
                }
                end
            };
            out.push((at, end, name));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = r#"
/// Reads rows: see fn helper_in_a_comment and `streamer_id = ?9`.
pub(crate) const COLUMNS: &str = "SELECT x FROM t WHERE streamer_id = ?1";

fn first(c: &C) {
    // A comment above: streamer_id = ?5 is not SQL.
    c.query("SELECT 1 FROM t WHERE u.streamer_id = ?1 AND ok_streamer_id = ?2");
    /* fn not_an_item() */
    c.query(concat!("UPDATE t SET v = 1 ", "WHERE streamer_id = ?1")); // equivalent mutant: why
    fn nested() {
        c.query("DELETE FROM t WHERE streamer_id = ?3");
    }
    c.query("SELECT 2 FROM t WHERE u.streamer_id = ?1 AND x.streamer_id = u.streamer_id");
}

fn rows<const N: usize>(c: &C) -> &'static str {
    let q: &'static str = "SELECT 3 FROM t WHERE streamer_id = ?1";
    q
}
const Q: &'static str = "SELECT 4 FROM t WHERE streamer_id = ?2";
fn pg() { q("SELECT 5 FROM streamers WHERE streamers.id = $1 AND p.streamer_id = $2 AND mystreamers.id = $3") }
#[cfg(test)]
mod tests {
    fn sample() { q("SELECT 6 FROM t WHERE streamer_id = $1") }
}
"#;

    #[test]
    fn predicates_are_keyed_by_item_text_and_ordinal_not_by_line() {
        let found = in_source("f.rs", SRC);
        let keys: Vec<(String, String, u32, Option<String>)> = found
            .iter()
            .map(|p| {
                (
                    p.function.clone(),
                    p.text.clone(),
                    p.ordinal,
                    p.equivalent.clone(),
                )
            })
            .collect();
        let k = |f: &str, t: &str, n: u32, e: Option<&str>| {
            (f.to_owned(), t.to_owned(), n, e.map(str::to_owned))
        };
        assert_eq!(
            keys,
            vec![
                k("COLUMNS", "streamer_id = ?1", 1, None),
                k("first", "u.streamer_id = ?1", 1, None),
                k("first", "streamer_id = ?1", 1, Some("why")),
                k("nested", "streamer_id = ?3", 1, None),
                k("first", "u.streamer_id = ?1", 2, None),
                k("rows", "streamer_id = ?1", 1, None),
                k("Q", "streamer_id = ?2", 1, None),
                k("pg", "streamers.id = $1", 1, None),
                k("pg", "p.streamer_id = $2", 1, None),
            ]
        );
        let shifted = SRC.replace("fn first", "// A new comment.\n/* another */\nfn first");
        let again: Vec<_> = in_source("f.rs", &shifted)
            .iter()
            .map(Predicate::key)
            .collect();
        assert_eq!(again, found.iter().map(Predicate::key).collect::<Vec<_>>());
        let first = &found[1];
        let line = SRC.lines().nth(first.line - 1).unwrap();
        assert!(
            line.chars()
                .skip(first.column)
                .collect::<String>()
                .starts_with("u.streamer_id = ?1")
        );
    }
}
