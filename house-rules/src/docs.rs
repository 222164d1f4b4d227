//! What the repository's documents may say: links that stay inside the repository and resolve,
//! and figures that speak of the product, never of the machine or the work session they were
//! written on, nor of issue numbers.

use std::path::{Component, Path, PathBuf};

/// Phrases a document must not use (compared ignoring case): a figure or a claim belongs to the
/// product and to the machine BENCHMARKS.md describes, not to "this machine" or a session.
pub const FORBIDDEN_PHRASES: &[&str] = &["this machine", "this session", "the session's"];

/// Every place in `text` (a file's contents) that breaks the wording rules: a forbidden phrase,
/// or an issue number (`issue 5`, `issue #5`). Answers `(line, what)`.
pub fn wording_problems(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let lower = line.to_lowercase();
        for phrase in FORBIDDEN_PHRASES {
            if lower.contains(phrase) {
                out.push((i + 1, format!("says {phrase:?}")));
            }
        }
        for word in ["issue", "issues", "session", "pull request", "pr"] {
            for (at, _) in lower.match_indices(word) {
                let starts = !lower[..at].ends_with(|c: char| c.is_alphanumeric());
                let rest = &lower[at + word.len()..];
                let after = rest.trim_start_matches([' ', '#']);
                let separated = after.len() < rest.len();
                if starts && separated && after.starts_with(|c: char| c.is_ascii_digit()) {
                    out.push((i + 1, format!("names a {word} by number")));
                }
            }
        }
    }
    out
}

/// The targets of the links and images of `text`, without their `#fragment` and with
/// `%XX` escapes decoded, that are paths (not `http:`, `https:` or `mailto:` addresses, nor
/// in-page anchors): Markdown's inline `[x](target "title")`, its reference definitions
/// `[x]: target`, either written `<in angle brackets>` to hold spaces, and HTML's `href` and
/// `src` attributes in any case and either quotes. Fenced code blocks are not read.
pub fn link_targets(text: &str) -> Vec<String> {
    let prose = outside_fences(text);
    let mut raw: Vec<&str> = Vec::new();
    for (at, _) in prose.match_indices("](") {
        raw.extend(destination(&prose[at + 2..]));
    }
    for line in prose.lines() {
        if let Some(rest) = line.trim_start().strip_prefix('[')
            && let Some((label, target)) = rest.split_once("]:")
            && !label.contains(']')
        {
            raw.extend(destination(target.trim_start()));
        }
    }
    let lower = prose.to_ascii_lowercase();
    for attribute in ["href", "src"] {
        for (at, _) in lower.match_indices(attribute) {
            if lower[..at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '-') {
                continue;
            }
            let rest = prose[at + attribute.len()..].trim_start();
            let Some(value) = rest.strip_prefix('=').map(str::trim_start) else {
                continue;
            };
            let Some(quote) = value.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            if let Some(end) = value[1..].find(quote) {
                raw.push(&value[1..1 + end]);
            }
        }
    }
    let mut out = Vec::new();
    for target in raw {
        let target = percent_decoded(target.split('#').next().unwrap_or("").trim());
        let external = ["http://", "https://", "mailto:"]
            .iter()
            .any(|p| target.starts_with(p));
        if !target.is_empty() && !external {
            out.push(target);
        }
    }
    out
}

/// `text` without its code: the lines of fenced code blocks left empty (a block closes at a
/// fence of its character, at least as long, with nothing after it), and inline code spans
/// blanked.
fn outside_fences(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // The open fence: its character and length.
    let mut fence: Option<(char, usize)> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let marker = ['`', '~'].into_iter().find_map(|c| {
            let n = trimmed.chars().take_while(|&x| x == c).count();
            (n >= 3).then_some((c, n, trimmed[n..].trim()))
        });
        match (fence, marker) {
            (None, Some((c, n, _))) => fence = Some((c, n)),
            (Some((open, len)), Some((c, n, info))) if c == open && n >= len && info.is_empty() => {
                fence = None;
            }
            (None, None) => out.push_str(&without_code_spans(line)),
            _ => {}
        }
        out.push('\n');
    }
    out
}

/// `line` with its inline code spans (`` `…` ``, any run of backticks closed by an equal one)
/// replaced by spaces; an unclosed run is kept.
fn without_code_spans(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find('`') {
        out.push_str(&rest[..open]);
        let run = rest[open..].chars().take_while(|&c| c == '`').count();
        let ticks = &rest[open..open + run];
        let body = &rest[open + run..];
        // The closing run: the same number of backticks, not part of a longer run.
        let close = body
            .match_indices(ticks)
            .map(|(i, _)| i)
            .find(|&i| !body[..i].ends_with('`') && !body[i + run..].starts_with('`'));
        match close {
            Some(i) => {
                out.extend(std::iter::repeat_n(' ', run * 2 + i));
                rest = &body[i + run..];
            }
            None => {
                out.push_str(ticks);
                rest = body;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The link destination at the start of `s`: `<…>` up to the `>`, or up to the first space or
/// the `)` closing an inline link.
fn destination(s: &str) -> Option<&str> {
    if let Some(inner) = s.strip_prefix('<') {
        return inner.find('>').map(|end| &inner[..end]);
    }
    let end = s
        .find(|c: char| c.is_whitespace() || c == ')')
        .unwrap_or(s.len());
    Some(&s[..end])
}

/// `s` with its `%XX` escapes decoded (`a%20b.md` → `a b.md`); an escape that is not one is
/// kept as written.
fn percent_decoded(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `target`, a link in the document at `doc` (relative to the repository's `root`), as a path
/// inside the repository; `None` when it leaves it.
pub fn resolve_link(root: &Path, doc: &Path, target: &str) -> Option<PathBuf> {
    let mut path = PathBuf::new();
    let base = doc.parent().unwrap_or(Path::new(""));
    for component in base.join(target).components() {
        match component {
            Component::ParentDir => {
                if !path.pop() {
                    return None;
                }
            }
            Component::Normal(c) => path.push(c),
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(root.join(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wording_problems_are_found_and_ordinary_text_passes() {
        let text = "Measured on This Machine.\nA viewer session and its tokens.\n\
                    As issue 6 asked; see issue #12.\nThe session's runs.\nA tissue 5 times.\n\
                    Fixed in session 12, per issues 5 and 6.\n2 sessions 4 viewers.\n\
                    Merged in PR#7 for issue#8.\nA sprint 3 and apr 4.";
        let lines: Vec<usize> = wording_problems(text).iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![1, 3, 3, 4, 6, 6, 8, 8]);
    }

    #[test]
    fn links_are_read_in_every_form_and_code_blocks_are_not() {
        let text = "[a](<my notes.md> \"Notes\") [b](docs/x.md \"X\") [c](a%20b.md)\n\
                    [r]: <ref notes.md> 'title'\n[s]:  plain.md\n\
                    <A HREF='up.md'>x</A> <img SRC = \"pic.png\"> data-src=\"no.md\"\n\
                    ```sh\necho '[x](inside.md)' href=\"inside.md\"\n```\n[after](after.md)\n\
                    ````md\n```sh\n[nested](nested.md)\n```\n````\n\
                    Write `[x](span.md)` or ``a ` [y](span2.md)`` for [last](last.md).\n";
        assert_eq!(
            link_targets(text),
            vec![
                "my notes.md",
                "docs/x.md",
                "a b.md",
                "after.md",
                "last.md",
                "ref notes.md",
                "plain.md",
                "up.md",
                "pic.png"
            ]
        );
    }

    #[test]
    fn links_are_read_and_resolved_inside_the_repository() {
        let text = "[a](docs/x.md#part) [b](https://kick.com) ![c](../img.png) [d](#here)\n\
                    [ref]: ../../shared/notes.md \"title\"\n<a href=\"../out.md\">x</a> \
                    <img src=\"pic.png\">";
        assert_eq!(
            link_targets(text),
            vec![
                "docs/x.md",
                "../img.png",
                "../../shared/notes.md",
                "../out.md",
                "pic.png"
            ]
        );
        let root = Path::new("/repo");
        assert_eq!(
            resolve_link(root, Path::new("api/README.md"), "../docs/x.md"),
            Some(PathBuf::from("/repo/docs/x.md"))
        );
        assert_eq!(
            resolve_link(
                root,
                Path::new("fixtures/legacy/README.md"),
                "../../../shared/x.md"
            ),
            None
        );
    }
}
