//! Words for counts in what a person reads: `1 row`, `2 rows`.

/// `n` and the noun phrase, singular for one: `count(1, "row", "rows")` is `1 row`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_right_in_the_singular_and_plural() {
        assert_eq!(count(0, "row", "rows"), "0 rows");
        assert_eq!(count(1, "row was", "rows were"), "1 row was");
        assert_eq!(count(2, "row", "rows"), "2 rows");
    }
}
