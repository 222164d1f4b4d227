//! Small text helpers for chat: numbers people read easily and the chat's length limit.

/// Longest chat message Kick accepts, in characters.
pub const MAX_CHAT_CHARS: usize = 500;

/// `n` with thousands separators: `12,345`, `-1,000`.
pub(crate) fn points(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n` with its sign always shown: `+25`, `-1,000`, `0`.
pub(crate) fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{}", points(n))
    } else {
        points(n)
    }
}

/// `text` cut to at most `max` characters, ending in `…` when cut.
pub(crate) fn fit(text: String, max: usize) -> String {
    if text.chars().count() <= max {
        return text;
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_get_separators() {
        assert_eq!(points(0), "0");
        assert_eq!(points(999), "999");
        assert_eq!(points(1_000), "1,000");
        assert_eq!(points(-1_234_567), "-1,234,567");
        assert_eq!(points(i64::MIN), "-9,223,372,036,854,775,808");
        assert_eq!(signed(25), "+25");
        assert_eq!(signed(-25), "-25");
        assert_eq!(signed(0), "0");
    }

    #[test]
    fn long_text_is_cut_on_a_character_boundary() {
        assert_eq!(fit("short".into(), 10), "short");
        let long = "é".repeat(600);
        let cut = fit(long, MAX_CHAT_CHARS);
        assert_eq!(cut.chars().count(), MAX_CHAT_CHARS);
        assert!(cut.ends_with('…'));
        assert_eq!(fit("x".repeat(500), 500).chars().count(), 500);
    }
}
