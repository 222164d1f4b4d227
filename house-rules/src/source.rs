//! Reading Rust source as the rules need it: the code alone, without comments or the text of
//! literals, so that a path in a doc comment or an SQL string is never taken for an import;
//! and the string literals on their own, for the rules that read SQL.
//!
//! Every blanked character becomes as many spaces as it has bytes, and newlines stay, so byte
//! offsets and line numbers in the code are those of the source.

/// A string literal of the source: where its text starts and ends (byte offsets, quotes
/// excluded) and the text (escapes kept as written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Literal {
    /// Byte offset of the text's first character.
    pub start: usize,
    /// Byte offset just past the text.
    pub end: usize,
    /// The text.
    pub text: String,
}

/// `src` with every comment and the contents of every string, byte-string and char literal
/// replaced by spaces, and the string literals it blanked.
pub fn code_and_literals(src: &str) -> (String, Vec<Literal>) {
    let chars: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut literals = Vec::new();
    let blank = |out: &mut String, c: char| {
        if c == '\n' {
            out.push('\n');
        } else {
            out.extend(std::iter::repeat_n(' ', c.len_utf8()));
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
        } else if let Some(hashes) = raw_string_start(&chars, i) {
            // r"…", r#"…"#, br#"…"#: no escapes; ends at a quote followed by the hashes.
            let open = chars[i..].iter().position(|&c| c == '"').unwrap_or(0) + i;
            for &c in &chars[i..=open] {
                blank(&mut out, c);
            }
            i = open + 1;
            let start = out.len();
            let mut text = String::new();
            while i < chars.len() {
                if chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
                    break;
                }
                text.push(chars[i]);
                blank(&mut out, chars[i]);
                i += 1;
            }
            literals.push(Literal {
                start,
                end: out.len(),
                text,
            });
            for _ in 0..=hashes {
                if i < chars.len() {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
        } else if c == '"' {
            blank(&mut out, c);
            i += 1;
            let start = out.len();
            let mut text = String::new();
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    text.push('\\');
                    blank(&mut out, '\\');
                    i += 1;
                }
                if i < chars.len() {
                    text.push(chars[i]);
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
            literals.push(Literal {
                start,
                end: out.len(),
                text,
            });
            if i < chars.len() {
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else if c == '\'' && is_char_literal(&chars, i) {
            blank(&mut out, c);
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                if chars[i] == '\\' {
                    blank(&mut out, '\\');
                    i += 1;
                }
                if i < chars.len() {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
            if i < chars.len() {
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    (out, literals)
}

/// The number of `#` of a raw string literal starting at `i`, if one does.
fn raw_string_start(chars: &[char], i: usize) -> Option<usize> {
    if i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_') {
        return None;
    }
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let mut hashes = 0;
    while chars.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    (chars.get(j) == Some(&'"')).then_some(hashes)
}

/// Whether the `'` at `i` opens a char literal (`'x'`, `'\n'`) rather than a lifetime (`'a`).
fn is_char_literal(chars: &[char], i: usize) -> bool {
    match chars.get(i + 1) {
        Some('\\') => true,
        Some(_) => chars.get(i + 2) == Some(&'\''),
        None => false,
    }
}

/// The 1-based line of byte offset `at` in `text`.
pub fn line_of(text: &str, at: usize) -> usize {
    text[..at].bytes().filter(|&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_literals_are_blanked_and_offsets_kept() {
        let src = "use crate::a; // crate::b é\n/* crate::c\n */ let s = \"crate::d ü\";\n\
                   let r = r#\"crate::e \"x\"\"#; let c = '\"'; fn f<'a>(x: &'a str) {}\n";
        let (code, literals) = code_and_literals(src);
        assert!(code.contains("use crate::a;"));
        for hidden in ["crate::b", "crate::c", "crate::d", "crate::e"] {
            assert!(!code.contains(hidden), "{hidden} in {code:?}");
        }
        assert!(code.contains("fn f<'a>(x: &'a str)"), "{code:?}");
        assert_eq!(code.len(), src.len(), "byte offsets are kept");
        assert_eq!(code.lines().count(), src.lines().count());
        assert_eq!(line_of(&code, code.find("let s").unwrap()), 3);
        let texts: Vec<&str> = literals.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, vec!["crate::d ü", "crate::e \"x\""]);
        for l in &literals {
            assert_eq!(&src[l.start..l.end], l.text, "the span is the text's");
        }
    }
}
