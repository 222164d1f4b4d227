//! Which file of a crate imports from which: the module tree from each crate root (`lib.rs`,
//! `main.rs`) through its `mod` declarations, and every path a file uses that names an item of
//! another file (`crate::…`, `super::…`, `self::…` and a child module's name), in `use`
//! declarations and in code alike. A cycle is a set of files that import from each other,
//! directly or through others.
//!
//! Declaring a module (`mod x;`) is not an import; naming anything in it is. Paths inside
//! comments and literals are not read.

use crate::source::{Literal, code_and_literals, line_of};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One import: `from` names an item of `to` on `line` (of `from`), as `path`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Import {
    /// The importing file.
    pub from: PathBuf,
    /// The file imported from.
    pub to: PathBuf,
    /// The line of the import in `from`.
    pub line: usize,
    /// The path as written (braces expanded).
    pub path: String,
}

/// The files of one crate target and their imports.
#[derive(Debug, Default)]
pub struct Graph {
    /// Every file of the module tree, by module path (`[]` is the root).
    pub files: BTreeMap<Vec<String>, PathBuf>,
    /// Every import between two different files.
    pub imports: Vec<Import>,
    /// What the reader could not follow (a module file it cannot find, a `#[path]` module):
    /// imports it would have missed, so a rule built on it must fail.
    pub problems: Vec<String>,
}

/// A source of files: the disk, or a map (for tests).
pub trait Files {
    /// The text of `path`, or `None` when there is no such file.
    fn read(&self, path: &Path) -> Option<String>;
}

impl Files for BTreeMap<PathBuf, String> {
    fn read(&self, path: &Path) -> Option<String> {
        self.get(path).cloned()
    }
}

/// The files on disk.
#[derive(Debug, Clone, Copy)]
pub struct Disk;

impl Files for Disk {
    fn read(&self, path: &Path) -> Option<String> {
        std::fs::read_to_string(path).ok()
    }
}

/// A file as read: its module path, its name, its code without comments or literals, and its
/// string literals.
struct ReadFile {
    path: Vec<String>,
    file: PathBuf,
    code: String,
    literals: Vec<Literal>,
}

/// A module of a file: its path, and its file.
struct Module {
    path: Vec<String>,
    file: PathBuf,
}

/// Reads the module tree from `root` (a `lib.rs` or `main.rs`) and every import in it.
pub fn graph(files: &dyn Files, root: &Path) -> Graph {
    let mut graph = Graph::default();
    let mut queue = vec![Module {
        path: Vec::new(),
        file: root.to_path_buf(),
    }];
    // Every module path (inline modules too) → its file, filled as files are read.
    let mut modules: BTreeMap<Vec<String>, PathBuf> = BTreeMap::new();
    let mut texts: Vec<ReadFile> = Vec::new();
    let mut exported: Vec<(String, PathBuf)> = Vec::new();
    while let Some(module) = queue.pop() {
        let Some(text) = files.read(&module.file) else {
            continue;
        };
        let (code, literals) = code_and_literals(&text);
        graph.files.insert(module.path.clone(), module.file.clone());
        for what in unfollowed(&code, &literals) {
            graph.problems.push(format!(
                "{}: {what}, which this reader does not follow",
                module.file.display()
            ));
        }
        modules.insert(module.path.clone(), module.file.clone());
        for (inline, child, _) in declared_modules(&code) {
            let mut path = module.path.clone();
            path.extend(inline.iter().cloned());
            path.push(child.clone());
            match child_file(files, &module, &inline, &child) {
                Some(child_file) => queue.push(Module {
                    path,
                    file: child_file,
                }),
                None => graph.problems.push(format!(
                    "{}: no file for `mod {child};`",
                    module.file.display()
                )),
            }
        }
        for inline in inline_modules(&code) {
            let mut path = module.path.clone();
            path.extend(inline);
            modules.insert(path, module.file.clone());
        }
        // `#[macro_export]` puts a macro at the crate root, wherever it is written: a path to it
        // (`crate::m!`, `$crate::m!`) names the file that defines it.
        for name in exported_macros(&code) {
            exported.push((name, module.file.clone()));
        }
        texts.push(ReadFile {
            path: module.path,
            file: module.file,
            code,
            literals,
        });
    }
    for (name, file) in exported {
        modules.insert(vec![name], file);
    }
    for ReadFile {
        path,
        file,
        code,
        literals,
    } in &texts
    {
        let used = paths_used(code, literals);
        // What the file's `use` declarations bind: a name to the path it stands for, and the
        // modules whose every name a glob brings in.
        let mut bound: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut globs: Vec<Vec<String>> = Vec::new();
        for u in &used {
            let Some(binds) = &u.binds else { continue };
            let mut here = path.clone();
            here.extend(u.scope.iter().cloned());
            if let Some(absolute) = resolve(&here, &u.segments, &modules) {
                match binds {
                    Some(name) => {
                        bound.insert(name.clone(), absolute);
                    }
                    None => globs.push(absolute),
                }
            }
        }
        for u in &used {
            let mut here = path.clone();
            here.extend(u.scope.iter().cloned());
            let through = |first: &str| -> Option<Vec<String>> {
                if u.binds.is_some() {
                    return None;
                }
                if let Some(base) = bound.get(first) {
                    return Some(base.clone());
                }
                globs.iter().find_map(|g| {
                    let mut child = g.clone();
                    child.push(first.to_owned());
                    modules.contains_key(&child).then_some(child)
                })
            };
            let absolute = match u.segments.first().map(String::as_str) {
                Some("crate" | "$crate" | "super" | "self") | None => {
                    resolve(&here, &u.segments, &modules)
                }
                Some(first) => match through(first) {
                    Some(mut base) => {
                        base.extend(u.segments[1..].iter().cloned());
                        Some(base)
                    }
                    None => resolve(&here, &u.segments, &modules),
                },
            };
            let Some(absolute) = absolute else {
                continue;
            };
            let Some(to) = owner(&absolute, &modules) else {
                continue;
            };
            if to != *file {
                graph.imports.push(Import {
                    from: file.clone(),
                    to,
                    line: line_of(code, u.at),
                    path: u.segments.join("::"),
                });
            }
        }
    }
    graph.imports.sort();
    graph.imports.dedup();
    graph
}

/// The file of child module `child` declared in `module` (inside the inline modules `inline`).
fn child_file(
    files: &dyn Files,
    module: &Module,
    inline: &[String],
    child: &str,
) -> Option<PathBuf> {
    let file = &module.file;
    let name = file.file_stem()?.to_str()?;
    let dir = file.parent()?;
    // `lib.rs`, `main.rs` and `mod.rs` own their directory; `x.rs` owns `x/`.
    let mut base = if module.path.is_empty() || name == "mod" {
        dir.to_path_buf()
    } else {
        dir.join(name)
    };
    for i in inline {
        base = base.join(i);
    }
    [
        base.join(format!("{child}.rs")),
        base.join(child).join("mod.rs"),
    ]
    .into_iter()
    .find(|p| files.read(p).is_some())
}

/// What in `code` would bring in items or files without a path this reader sees: a module
/// file named by `#[path]` (also through `cfg_attr`), macros scoped by `#[macro_use]`, the
/// crate aliased by `extern crate self`, source pasted by `include!` (but for a file the build
/// script writes, `include!(concat!(env!("OUT_DIR"), …))`, which is generated, not read here).
fn unfollowed(code: &str, literals: &[Literal]) -> Vec<&'static str> {
    // The next few hundred characters, without whitespace.
    let squeezed = |s: &str| {
        s.chars()
            .take(400)
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
    };
    let mut out = Vec::new();
    let attribute_path = code.match_indices("#[").any(|(at, _)| {
        let inner = squeezed(&code[at + 2..]);
        inner.starts_with("path=")
            || (inner.starts_with("cfg_attr(") && {
                let end = inner.find(")]").unwrap_or(inner.len());
                inner[..end].contains(",path=")
            })
    });
    if attribute_path {
        out.push("a #[path] module");
    }
    let words = |word: &str| {
        code.match_indices(word)
            .map(|(at, _)| at)
            .filter(|&at| word_at(code, at, word))
            .collect::<Vec<_>>()
    };
    // `#[macro_use] extern crate x;` brings in another crate's macros, which name no file here.
    if words("macro_use").into_iter().any(|at| {
        let after = &code[at..];
        let item = after[after.find(']').map_or(after.len(), |e| e + 1)..].trim_start();
        !(item.starts_with("extern") && word_at(item, 0, "extern"))
    }) {
        out.push("a #[macro_use] module, whose macros are named without a path");
    }
    if words("extern").into_iter().any(|at| {
        let rest = code[at + "extern".len()..].trim_start();
        word_at(rest, 0, "crate") && {
            let name = rest["crate".len()..].trim_start();
            word_at(name, 0, "self")
        }
    }) {
        out.push("`extern crate self`, an alias of the crate");
    }
    let generated = |at: usize| {
        squeezed(&code[at..]).starts_with("include!(concat!(env!(")
            && literals
                .iter()
                .find(|l| l.start > at)
                .is_some_and(|l| l.text == "OUT_DIR")
    };
    if words("include")
        .into_iter()
        .any(|at| is_macro_call(&code[at + "include".len()..]) && !generated(at))
    {
        out.push("source pasted by include!");
    }
    out
}

/// Whether `rest`, the text after a name, makes it a macro call: `!` then `(`, `[` or `{`.
fn is_macro_call(rest: &str) -> bool {
    rest.trim_start()
        .strip_prefix('!')
        .is_some_and(|r| r.trim_start().starts_with(['(', '[', '{']))
}

/// The names of the `#[macro_export]` macros `code` defines.
fn exported_macros(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in code.match_indices("macro_rules!") {
        // The attributes of this item: the text since the end of the item before it.
        let start = code[..at].rfind(['}', ';']).map_or(0, |i| i + 1);
        if code[start..at].contains("#[macro_export]") {
            let name: String = code[at + "macro_rules!".len()..]
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push(name);
            }
        }
    }
    out
}

/// `(inline modules around it, name, offset)` of every `mod name;` in `code`.
fn declared_modules(code: &str) -> Vec<(Vec<String>, String, usize)> {
    let mut out = Vec::new();
    for (scope, at, name, body) in module_items(code) {
        if !body {
            out.push((scope, name, at));
        }
    }
    out
}

/// The paths of every inline module (`mod tests { … }`) of `code`, relative to the file.
fn inline_modules(code: &str) -> Vec<Vec<String>> {
    module_items(code)
        .into_iter()
        .filter(|(_, _, _, body)| *body)
        .map(|(mut scope, _, name, _)| {
            scope.push(name);
            scope
        })
        .collect()
}

/// Every `mod name` item: (enclosing inline modules, offset, name, has a body).
fn module_items(code: &str) -> Vec<(Vec<String>, usize, String, bool)> {
    let mut out = Vec::new();
    let mut stack: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if stack.last().is_some_and(|(_, d)| *d == depth) {
                    stack.pop();
                }
            }
            b'm' if word_at(code, i, "mod") => {
                let rest = &code[i + 3..];
                let name: String = rest
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    let after = rest.trim_start()[name.len()..].trim_start();
                    let scope: Vec<String> = stack.iter().map(|(n, _)| n.clone()).collect();
                    if after.starts_with(';') {
                        out.push((scope, i, name, false));
                    } else if after.starts_with('{') {
                        out.push((scope, i, name.clone(), true));
                        stack.push((name, depth));
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Whether the word `word` stands alone at `at`.
fn word_at(code: &str, at: usize, word: &str) -> bool {
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    code[at..].starts_with(word)
        && (at == 0 || !ident(code.as_bytes()[at - 1]))
        && code
            .as_bytes()
            .get(at + word.len())
            .is_none_or(|&b| !ident(b))
}

/// A path a file uses: in a `use` declaration (with the name it binds) or in code.
struct Used {
    /// The inline modules around it.
    scope: Vec<String>,
    /// Its segments.
    segments: Vec<String>,
    /// Where it is.
    at: usize,
    /// For a `use` leaf: the name it binds, or `None` for a glob.
    binds: Option<Option<String>>,
}

/// Every path `code` uses that may name another file's item: paths that start with `crate`,
/// `$crate`, `super` or `self`, or with a name (resolved later against child modules and the
/// names `use` declarations bind); `use` trees are expanded. `literals` are the file's string
/// literals: one that is a path from the crate (`with = "crate::patch::nullable"`) counts too.
fn paths_used(code: &str, literals: &[Literal]) -> Vec<Used> {
    let scopes = scope_at(code);
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if word_at(code, i, "use") {
            let end = code[i..].find(';').map_or(code.len(), |e| i + e);
            for leaf in expand_use(&code[i + 3..end]) {
                out.push(Used {
                    scope: scopes(i),
                    segments: leaf.path,
                    at: i,
                    binds: Some(leaf.name),
                });
            }
            i = end;
            continue;
        }
        let starts_path = (bytes[i].is_ascii_alphabetic() || bytes[i] == b'_' || bytes[i] == b'$')
            && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'))
            && (i < 2 || &code[i - 2..i] != "::");
        if starts_path {
            let (segments, len) = read_path(&code[i..]);
            if segments.len() > 1 {
                out.push(Used {
                    scope: scopes(i),
                    segments,
                    at: i,
                    binds: None,
                });
            }
            i += len.max(1);
            continue;
        }
        i += 1;
    }
    for Literal { start, text, .. } in literals {
        let at = start;
        let (segments, len) = read_path(text);
        let from_crate = matches!(
            segments.first().map(String::as_str),
            Some("crate" | "super" | "self")
        );
        if (from_crate || in_attribute(code, *at)) && segments.len() > 1 && len == text.len() {
            out.push(Used {
                scope: scopes(*at),
                segments,
                at: *at,
                binds: None,
            });
        }
    }
    out
}

/// Whether offset `at` is inside an attribute (`#[serde(with = "patch::nullable")]`), where a
/// string may be a path resolved like one written in code.
fn in_attribute(code: &str, at: usize) -> bool {
    let bytes = code.as_bytes();
    let mut depth = 0usize;
    for k in (0..at.min(bytes.len())).rev() {
        match bytes[k] {
            b']' | b')' => depth += 1,
            b'(' if depth > 0 => depth -= 1,
            b'[' if depth > 0 => depth -= 1,
            b'[' => return k > 0 && (bytes[k - 1] == b'#' || code[..k].ends_with("#!")),
            b';' | b'{' | b'}' if depth == 0 => return false,
            _ => {}
        }
    }
    false
}

/// A function giving the inline modules around an offset.
fn scope_at(code: &str) -> impl Fn(usize) -> Vec<String> + '_ {
    // (start, end, path) of each inline module body.
    let mut spans: Vec<(usize, usize, Vec<String>)> = Vec::new();
    for (scope, at, name, body) in module_items(code) {
        if !body {
            continue;
        }
        let open = at + code[at..].find('{').unwrap_or(0);
        let mut depth = 0;
        let mut end = code.len();
        for (k, b) in code.bytes().enumerate().skip(open) {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = k;
                        break;
                    }
                }
                _ => {}
            }
        }
        let mut path = scope;
        path.push(name);
        spans.push((open, end, path));
    }
    move |at| {
        spans
            .iter()
            .filter(|(s, e, _)| *s < at && at < *e)
            .max_by_key(|(_, _, p)| p.len())
            .map(|(_, _, p)| p.clone())
            .unwrap_or_default()
    }
}

/// The path at the start of `text` (`a::b::c`, spaces around `::` allowed) and its length.
fn read_path(text: &str) -> (Vec<String>, usize) {
    let mut segments = Vec::new();
    let mut i = 0;
    let bytes = text.as_bytes();
    loop {
        let start = i;
        if bytes.get(i) == Some(&b'$') {
            i += 1;
        }
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        if i == start {
            break;
        }
        segments.push(text[start..i].to_owned());
        let rest = &text[i..];
        let trimmed = rest.trim_start();
        if let Some(after) = trimmed.strip_prefix("::") {
            let after = after.trim_start();
            if after.starts_with(|c: char| c.is_alphabetic() || c == '_' || c == '$') {
                i = text.len() - after.len();
                continue;
            }
        }
        break;
    }
    (segments, i)
}

/// One path a `use` tree brings in, and the name it binds in the file: the last segment, the
/// name after `as`, or none for a glob (`a::*`, which binds every name of `a`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UseLeaf {
    /// The path as written.
    pub path: Vec<String>,
    /// The name it binds (`None` for a glob).
    pub name: Option<String>,
    /// Whether it is a glob.
    pub glob: bool,
}

/// The leaves of a `use` tree (the text after `use`): `a::{b, c::{d, self}, e as f, g::*}`
/// gives `a::b` (as `b`), `a::c::d`, `a::c` (as `c`), `a::e` (as `f`) and the glob `a::g`.
pub fn expand_use(tree: &str) -> Vec<UseLeaf> {
    // `x as y` becomes `x@y`, so whitespace can go.
    let mut words: Vec<String> = Vec::new();
    let mut tokens = tree.split_whitespace().peekable();
    while let Some(t) = tokens.next() {
        if t == "as" {
            if let Some(name) = tokens.next() {
                words.push(format!("@{name}"));
            }
        } else {
            words.push(t.to_owned());
        }
    }
    let tree: String = words.concat();
    let mut out = Vec::new();
    expand(&tree, &[], &mut out);
    out
}

fn expand(tree: &str, prefix: &[String], out: &mut Vec<UseLeaf>) {
    let tree = tree.trim_start_matches("::");
    if let Some(open) = tree.find('{') {
        let mut base = prefix.to_vec();
        base.extend(
            tree[..open]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        );
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        for part in split_top(inner) {
            expand(part, &base, out);
        }
        return;
    }
    let (tree, alias) = match tree.split_once('@') {
        Some((t, a)) => (t, Some(a.to_owned())),
        None => (tree, None),
    };
    let mut path = prefix.to_vec();
    path.extend(
        tree.split("::")
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
    );
    let mut glob = false;
    match path.last().map(String::as_str) {
        Some("self") => {
            path.pop();
        }
        Some("*") => {
            path.pop();
            glob = true;
        }
        _ => {}
    }
    if !path.is_empty() {
        let name = if glob {
            None
        } else {
            alias.or_else(|| path.last().cloned())
        };
        out.push(UseLeaf { path, name, glob });
    }
}

/// Splits `a, b::{c, d}, e` at the commas outside braces.
fn split_top(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts.into_iter().filter(|p| !p.is_empty()).collect()
}

/// `used`, seen from module `here`, as a path from the crate root; `None` when it names
/// nothing of this crate (another crate, std, a local name).
fn resolve(
    here: &[String],
    used: &[String],
    modules: &BTreeMap<Vec<String>, PathBuf>,
) -> Option<Vec<String>> {
    let mut segments = used.iter().map(String::as_str);
    let mut path: Vec<String> = match segments.next()? {
        "crate" | "$crate" => Vec::new(),
        "self" => here.to_vec(),
        "super" => {
            let mut p = here.to_vec();
            p.pop()?;
            p
        }
        first => {
            // A child module of the current module (`mod x;` or inline), named bare.
            let mut p = here.to_vec();
            p.push(first.to_owned());
            if !modules.contains_key(&p) {
                return None;
            }
            p
        }
    };
    for segment in segments {
        if segment == "super" {
            path.pop()?;
        } else if segment != "self" {
            path.push(segment.to_owned());
        }
    }
    Some(path)
}

/// The file that holds the item at `path`: the longest prefix of it that is a module.
fn owner(path: &[String], modules: &BTreeMap<Vec<String>, PathBuf>) -> Option<PathBuf> {
    (0..=path.len())
        .rev()
        .find_map(|n| modules.get(&path[..n]).cloned())
}

/// The sets of files that import from each other (directly or through others), each with the
/// imports that close the circle; empty when the imports point one way.
pub fn cycles(graph: &Graph) -> Vec<Vec<Import>> {
    let nodes: BTreeSet<&PathBuf> = graph.files.values().collect();
    let index: BTreeMap<&PathBuf, usize> = nodes.iter().enumerate().map(|(i, p)| (*p, i)).collect();
    let mut edges = vec![Vec::new(); nodes.len()];
    for import in &graph.imports {
        if let (Some(&a), Some(&b)) = (index.get(&import.from), index.get(&import.to)) {
            edges[a].push(b);
        }
    }
    let components = strongly_connected(&edges);
    let mut out = Vec::new();
    for component in components.into_iter().filter(|c| c.len() > 1) {
        let members: BTreeSet<usize> = component.into_iter().collect();
        let within: Vec<Import> = graph
            .imports
            .iter()
            .filter(|i| {
                members.contains(&index[&i.from])
                    && index.get(&i.to).is_some_and(|t| members.contains(t))
            })
            .cloned()
            .collect();
        out.push(within);
    }
    out
}

/// Tarjan's strongly connected components of the graph `edges` (adjacency lists).
fn strongly_connected(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    struct State<'a> {
        edges: &'a [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(s: &mut State<'_>, v: usize) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for k in 0..s.edges[v].len() {
            let w = s.edges[v][k];
            match s.index[w] {
                None => {
                    visit(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(iw) if s.on_stack[w] => s.low[v] = s.low[v].min(iw),
                Some(_) => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack[w] = false;
                component.push(w);
                if w == v {
                    break;
                }
            }
            s.out.push(component);
        }
    }
    let n = edges.len();
    let mut s = State {
        edges,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(&mut s, v);
        }
    }
    s.out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> BTreeMap<PathBuf, String> {
        files
            .iter()
            .map(|(p, t)| (PathBuf::from(p), (*t).to_owned()))
            .collect()
    }

    fn pairs(graph: &Graph) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = graph
            .imports
            .iter()
            .map(|i| (i.from.display().to_string(), i.to.display().to_string()))
            .collect();
        pairs.dedup();
        pairs
    }

    #[test]
    fn use_trees_expand_with_the_names_they_bind() {
        let leaf = |path: &[&str], name: Option<&str>, glob| UseLeaf {
            path: path.iter().map(|s| (*s).to_owned()).collect(),
            name: name.map(str::to_owned),
            glob,
        };
        assert_eq!(
            expand_use(" crate::{a as z, b::{self, C as D}, d::*}"),
            vec![
                leaf(&["crate", "a"], Some("z"), false),
                leaf(&["crate", "b"], Some("b"), false),
                leaf(&["crate", "b", "C"], Some("D"), false),
                leaf(&["crate", "d"], None, true),
            ]
        );
    }

    #[test]
    fn modules_named_through_a_use_an_alias_a_glob_or_a_string_are_followed() {
        let files = tree(&[
            (
                "src/lib.rs",
                "pub mod handlers;\npub mod routes;\nmod a;\nmod b;\nmod patch;\n",
            ),
            ("src/handlers/mod.rs", "pub mod goals;\n"),
            (
                "src/handlers/goals.rs",
                "pub fn list() { crate::routes::all(); }\n",
            ),
            (
                "src/routes.rs",
                "use crate::handlers;\npub fn all() { handlers::goals::list(); }\n",
            ),
            (
                "src/a.rs",
                "use crate::b as beta;\npub fn x() { beta::y(); }\n\
                          #[serde(with = \"crate::patch::nullable\")]\nstruct S;\n",
            ),
            ("src/b.rs", "use crate::*;\npub fn y() { a::x(); }\n"),
            ("src/patch.rs", "pub mod nullable {}\n"),
        ]);
        let g = graph(&files, Path::new("src/lib.rs"));
        assert!(g.problems.is_empty(), "{:?}", g.problems);
        let found = cycles(&g);
        let circles: Vec<BTreeSet<String>> = found
            .iter()
            .map(|c| c.iter().map(|i| i.from.display().to_string()).collect())
            .collect();
        assert!(
            circles.contains(&BTreeSet::from([
                "src/handlers/goals.rs".to_owned(),
                "src/routes.rs".to_owned()
            ])),
            "{circles:?}"
        );
        assert!(
            circles.contains(&BTreeSet::from([
                "src/a.rs".to_owned(),
                "src/b.rs".to_owned()
            ])),
            "{circles:?}"
        );
        assert!(
            g.imports
                .iter()
                .any(|i| i.from == Path::new("src/a.rs") && i.to == Path::new("src/patch.rs")),
            "{:?}",
            g.imports
        );
    }

    #[test]
    fn a_module_file_that_cannot_be_found_or_followed_is_a_problem() {
        let files = tree(&[(
            "src/lib.rs",
            "mod gone;\n#[path = \"x/y.rs\"]\nmod elsewhere;\n",
        )]);
        let g = graph(&files, Path::new("src/lib.rs"));
        assert_eq!(g.problems.len(), 3, "{:?}", g.problems);
    }

    #[test]
    fn what_brings_in_items_without_a_path_is_a_problem_but_a_generated_include() {
        let problem = |code: &str| {
            let files = tree(&[("src/lib.rs", code)]);
            graph(&files, Path::new("src/lib.rs")).problems
        };
        for code in [
            "#[cfg_attr(test, path = \"t.rs\")]\nmod a {}\n",
            "#[macro_use]\nmod a {}\n",
            "extern crate self as me;\n",
            "include!(\"parts.rs\");\n",
            "include ! (concat!(\"a\", \"b.rs\"));\n",
        ] {
            assert_eq!(problem(code).len(), 1, "{code}: {:?}", problem(code));
        }
        for code in [
            "const X: &[u8] = include!(concat!(env!(\"OUT_DIR\"), \"/x.rs\"));\n",
            "const S: &str = include_str!(\"x.sql\");\n#[cfg_attr(test, derive(Debug))]\nstruct S;\n",
            "// #[macro_use] and include!(\"x\") in a comment\nfn f() { let _ = \"#[path = x]\"; }\n",
            "#[macro_use]\nextern crate serde;\nextern crate self_cell;\n",
            "fn f(include: bool, s: S) -> bool { include != s.include!=true }\n",
        ] {
            assert!(problem(code).is_empty(), "{code}: {:?}", problem(code));
        }
    }

    #[test]
    fn a_path_in_an_attribute_string_resolves_like_code_but_a_string_in_code_does_not() {
        let files = tree(&[
            ("src/lib.rs", "mod patch;\nmod model;\nmod log;\n"),
            ("src/patch.rs", "pub mod nullable {}\n"),
            (
                "src/model.rs",
                "use crate::patch;\n#[serde(with = \"patch::nullable\")]\nstruct S;\n",
            ),
            (
                "src/log.rs",
                "use crate::patch;\nfn f() { println!(\"{}\", \"patch::nullable\"); }\n",
            ),
        ]);
        let g = graph(&files, Path::new("src/lib.rs"));
        assert!(g.problems.is_empty(), "{:?}", g.problems);
        let to_patch: Vec<&Path> = g
            .imports
            .iter()
            .filter(|i| i.to == Path::new("src/patch.rs") && i.path == "patch::nullable")
            .map(|i| i.from.as_path())
            .collect();
        assert_eq!(to_patch, [Path::new("src/model.rs")], "{:?}", g.imports);
    }

    #[test]
    fn imports_are_found_in_use_trees_code_and_bare_child_names() {
        let files = tree(&[
            (
                "src/lib.rs",
                "mod a;\nmod b;\npub use a::Thing;\n/// crate::b in a comment\nfn f() { b::g(); }\n",
            ),
            ("src/a.rs", "use crate::b::{self, G};\npub struct Thing;\n"),
            (
                "src/b.rs",
                "pub fn g() { let s = \"see crate::a::Thing\"; }\npub struct G;\n",
            ),
        ]);
        let g = graph(&files, Path::new("src/lib.rs"));
        assert_eq!(
            pairs(&g),
            vec![
                ("src/a.rs".into(), "src/b.rs".into()),
                ("src/lib.rs".into(), "src/a.rs".into()),
                ("src/lib.rs".into(), "src/b.rs".into()),
            ]
        );
        assert!(cycles(&g).is_empty());
    }

    #[test]
    fn a_cycle_through_a_parent_module_is_found_and_tests_modules_are_not_imports() {
        let files = tree(&[
            ("src/lib.rs", "pub mod routes;\n"),
            (
                "src/routes/mod.rs",
                "mod goals;\npub struct Route;\npub fn all() { goals::ROUTES; }\n\
                 #[cfg(test)]\nmod tests {\n    use super::*;\n}\n",
            ),
            (
                "src/routes/goals.rs",
                "use super::Route;\npub const ROUTES: () = ();\n",
            ),
        ]);
        let g = graph(&files, Path::new("src/lib.rs"));
        let found = cycles(&g);
        assert_eq!(found.len(), 1, "{found:?}");
        let files: BTreeSet<String> = found[0]
            .iter()
            .map(|i| i.from.display().to_string())
            .collect();
        assert_eq!(
            files,
            BTreeSet::from(["src/routes/mod.rs".into(), "src/routes/goals.rs".into()])
        );
    }

    #[test]
    fn a_path_to_an_exported_macro_names_the_file_that_defines_it() {
        let files = tree(&[
            (
                "src/lib.rs",
                "pub mod cases;\npub mod harness;\npub use harness::Case;\n",
            ),
            (
                "src/cases/mod.rs",
                "/// doc\n#[macro_export]\nmacro_rules! suite { () => {} }\n\
                 crate::suite!();\nuse crate::harness::Case;\n",
            ),
            ("src/harness.rs", "pub struct Case;\n"),
        ]);
        let g = graph(&files, Path::new("src/lib.rs"));
        assert!(cycles(&g).is_empty(), "{:?}", g.imports);
        assert!(
            !g.imports
                .iter()
                .any(|i| i.from == Path::new("src/cases/mod.rs") && i.to == Path::new("src/lib.rs")),
            "{:?}",
            g.imports
        );
    }

    #[test]
    fn a_longer_cycle_is_found_with_the_lines_that_close_it() {
        let files = tree(&[
            ("src/lib.rs", "mod a;\nmod b;\nmod c;\n"),
            ("src/a.rs", "\nuse crate::b::X;\n"),
            ("src/b.rs", "pub struct X;\nfn f() { crate::c::y(); }\n"),
            ("src/c.rs", "pub fn y() {}\nuse super::a;\n"),
        ]);
        let found = cycles(&graph(&files, Path::new("src/lib.rs")));
        assert_eq!(found.len(), 1);
        let lines: Vec<(String, usize)> = found[0]
            .iter()
            .map(|i| (i.from.display().to_string(), i.line))
            .collect();
        assert_eq!(
            lines,
            vec![
                ("src/a.rs".into(), 2),
                ("src/b.rs".into(), 2),
                ("src/c.rs".into(), 2)
            ]
        );
    }
}
