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
            for (at, _) in lower.match_indices(&format!("{word} ")) {
                let starts = !lower[..at].ends_with(|c: char| c.is_alphanumeric());
                let after = lower[at + word.len() + 1..].trim_start_matches('#');
                if starts && after.starts_with(|c: char| c.is_ascii_digit()) {
                    out.push((i + 1, format!("names a {word} by number")));
                }
            }
        }
    }
    out
}

/// The targets of the links and images of `text`, without their `#fragment`, that are paths
/// (not `http:`, `https:` or `mailto:` addresses, nor in-page anchors): Markdown's inline
/// `[x](target)`, its reference definitions `[x]: target`, and HTML's `href="…"` and `src="…"`.
pub fn link_targets(text: &str) -> Vec<String> {
    let mut raw: Vec<&str> = Vec::new();
    for (at, _) in text.match_indices("](") {
        let rest = &text[at + 2..];
        if let Some(end) = rest.find(')') {
            raw.push(&rest[..end]);
        }
    }
    for line in text.lines() {
        let line = line.trim_start();
        if let Some(rest) = line.strip_prefix('[')
            && let Some((_, target)) = rest.split_once("]:")
        {
            raw.extend(target.split_whitespace().next());
        }
    }
    for attribute in ["href=\"", "src=\""] {
        for (at, _) in text.match_indices(attribute) {
            let rest = &text[at + attribute.len()..];
            if let Some(end) = rest.find('"') {
                raw.push(&rest[..end]);
            }
        }
    }
    let mut out = Vec::new();
    for target in raw {
        let target = target.split('#').next().unwrap_or("").trim();
        let target = target.trim_start_matches('<').trim_end_matches('>');
        let external = ["http://", "https://", "mailto:"]
            .iter()
            .any(|p| target.starts_with(p));
        if !target.is_empty() && !external {
            out.push(target.to_owned());
        }
    }
    out
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
                    Fixed in session 12, per issues 5 and 6.\n2 sessions 4 viewers.";
        let lines: Vec<usize> = wording_problems(text).iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![1, 3, 3, 4, 6, 6]);
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
