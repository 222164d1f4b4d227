//! The store's tenant predicates, found in its SQL: for the test that shows row-level security
//! holds by itself (the `wall-tests` feature strips them all) and for the tenant-predicate
//! mutants (which weaken them one at a time).
//!
//! A tenant predicate is written one way throughout the crate: `streamer_id = $N`, qualified
//! or not (`p.streamer_id = $N`), or `streamers.id = $N` on the streamers table.

/// Where each tenant predicate of `sql` is: its byte range and its parameter (`$N`).
pub(crate) fn find(sql: &str) -> Vec<(std::ops::Range<usize>, &str)> {
    let mut out = Vec::new();
    for needle in ["streamer_id = $", "streamers.id = $"] {
        let mut from = 0;
        while let Some(at) = sql[from..].find(needle) {
            let at = from + at;
            let digits_from = at + needle.len();
            let digits = sql[digits_from..]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
            let end = digits_from + digits;
            from = end;
            if digits == 0 || (needle.starts_with("streamer_id") && preceded_by_streamers(sql, at))
            {
                continue;
            }
            // Include a qualifier (`p.`) in the range.
            let mut start = at;
            let before = &sql.as_bytes()[..at];
            if before.last() == Some(&b'.') {
                start -= 1;
                while start > 0
                    && (sql.as_bytes()[start - 1].is_ascii_alphanumeric()
                        || sql.as_bytes()[start - 1] == b'_')
                {
                    start -= 1;
                }
            }
            out.push((start..end, &sql[digits_from - 1..end]));
        }
    }
    out.sort_by_key(|(r, _)| r.start);
    out
}

/// `streamers.streamer_id` does not exist; this guards `find` against matching inside another
/// identifier that merely ends in `streamer_id`.
fn preceded_by_streamers(sql: &str, at: usize) -> bool {
    sql.as_bytes()
        .get(at.wrapping_sub(1))
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

/// `sql` with every tenant predicate replaced by one that holds for every row (it keeps its
/// parameter, so the statement's parameter types stay as they were).
pub(crate) fn tenant_predicates(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut last = 0;
    for (range, param) in find(sql) {
        out.push_str(&sql[last..range.start]);
        out.push_str(&format!("({param}::bigint IS NOT NULL)"));
        last = range.end;
    }
    out.push_str(&sql[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_plain_qualified_and_streamers_predicates() {
        let sql = "SELECT 1 FROM users u JOIN streamers ON streamers.id = $3 \
                   WHERE u.streamer_id = $1 AND streamer_id = $12 AND x.streamer_id = y.streamer_id";
        let found: Vec<_> = find(sql).into_iter().map(|(r, p)| (&sql[r], p)).collect();
        assert_eq!(
            found,
            [
                ("streamers.id = $3", "$3"),
                ("u.streamer_id = $1", "$1"),
                ("streamer_id = $12", "$12")
            ]
        );
    }

    #[test]
    fn stripping_keeps_the_parameters() {
        assert_eq!(
            tenant_predicates("DELETE FROM tips WHERE t.streamer_id = $1 AND id = $2"),
            "DELETE FROM tips WHERE ($1::bigint IS NOT NULL) AND id = $2"
        );
    }
}
