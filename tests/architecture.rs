//! The shape of the code, checked: no import cycles between modules (or between the files of a
//! folder), and no function on a main path longer than [`MAX_FUNCTION_LINES`] lines. Reads
//! `src/` as text (comments and `#[cfg(test)] mod tests` blocks left out), so it needs no build
//! tooling; a cycle or an overlong function fails with the path that shows it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The longest function body allowed outside the exceptions below.
const MAX_FUNCTION_LINES: usize = 80;

/// Functions that are data, not logic: one `match` arm per catalog text, one row per binding.
const LONG_BY_DESIGN: &[(&str, &str)] =
    &[("src/i18n/en.rs", "text"), ("src/i18n/pt_br.rs", "text")];

fn src_files() -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut stack = vec![root.join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src/ is readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(&root).expect("under the root");
                let text = std::fs::read_to_string(&path).expect("readable");
                out.push((rel.to_string_lossy().replace('\\', "/"), strip(&text)));
            }
        }
    }
    out.sort();
    out
}

/// The code without comments, string contents and unit-test modules.
fn strip(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            while i < b.len() && !b[i..].starts_with(b"*/") {
                i += 1;
            }
            i += 2;
        } else if b[i] == b'"' {
            // Keep the quotes, drop the contents (a path in a string is not an import).
            out.push('"');
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                if b.get(i) == Some(&b'\n') {
                    out.push('\n');
                }
                i += 1;
            }
            out.push('"');
            i += 1;
        } else if b[i] == b'\'' && b.get(i + 2) == Some(&b'\'') {
            out.push_str("' '");
            i += 3;
        } else {
            let ch = text[i..].chars().next().expect("char");
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    match out.find("#[cfg(test)]\nmod tests") {
        Some(at) => out[..at].to_string(),
        None => out,
    }
}

/// `src/a/b.rs` → `["a", "b"]`; `src/lib.rs` → `[]`.
fn module_path(file: &str) -> Vec<String> {
    let rel = file.trim_start_matches("src/").trim_end_matches(".rs");
    let mut parts: Vec<String> = rel.split('/').map(str::to_string).collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("lib" | "main" | "mod")
    ) {
        parts.pop();
    }
    parts
}

/// Every path that starts with `crate::` or `super::` in `code`, as the module path it names
/// (as far as it goes; item names are cut off later by matching against files).
fn referenced_paths(code: &str, here: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    for (at, _) in code
        .match_indices("crate::")
        .chain(code.match_indices("super::"))
    {
        if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
            continue;
        }
        let mut rest = &code[at..];
        let mut base: Vec<String> = Vec::new();
        if let Some(r) = rest.strip_prefix("crate::") {
            rest = r;
        } else {
            base = here.to_vec();
            while let Some(r) = rest.strip_prefix("super::") {
                base.pop();
                rest = r;
            }
        }
        let ident: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if ident.is_empty() {
            continue;
        }
        base.push(ident.clone());
        // One more segment, for paths into a folder (`crate::ui::layout::…`).
        let after = &rest[ident.len()..];
        if let Some(r) = after.strip_prefix("::") {
            let next: String = r
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !next.is_empty() {
                let mut longer = base.clone();
                longer.push(next);
                out.push(longer);
            }
        }
        out.push(base);
    }
    out
}

/// Strongly connected components with more than one node.
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Tarjan<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<String, usize>,
        low: BTreeMap<String, usize>,
        stack: Vec<String>,
        on: BTreeSet<String>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    impl Tarjan<'_> {
        fn visit(&mut self, v: &str) {
            self.index.insert(v.to_string(), self.next);
            self.low.insert(v.to_string(), self.next);
            self.next += 1;
            self.stack.push(v.to_string());
            self.on.insert(v.to_string());
            let targets: Vec<String> = self
                .edges
                .get(v)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default();
            for w in targets {
                if !self.index.contains_key(&w) {
                    self.visit(&w);
                    let lw = self.low[&w];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(lw);
                } else if self.on.contains(&w) {
                    let iw = self.index[&w];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(iw);
                }
            }
            if self.low[v] == self.index[v] {
                let mut comp = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on.remove(&w);
                    let done = w == v;
                    comp.push(w);
                    if done {
                        break;
                    }
                }
                if comp.len() > 1 {
                    comp.sort();
                    self.out.push(comp);
                }
            }
        }
    }
    let mut t = Tarjan {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    let nodes: BTreeSet<String> = edges
        .iter()
        .flat_map(|(k, v)| std::iter::once(k.clone()).chain(v.iter().cloned()))
        .collect();
    for n in nodes {
        if !t.index.contains_key(&n) {
            t.visit(&n);
        }
    }
    t.out
}

#[test]
fn no_import_cycles() {
    let files = src_files();
    let known: BTreeSet<Vec<String>> = files.iter().map(|(f, _)| module_path(f)).collect();
    // Between top-level modules (`engine` uses `model` uses `tokenizer` …), and between the files
    // of one folder (`gguf/dequant` and `gguf/k_quants`).
    let mut modules: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut siblings: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, code) in &files {
        let here = module_path(file);
        let Some(top) = here.first() else { continue };
        for target in referenced_paths(code, &here) {
            let Some(other) = target.first() else {
                continue;
            };
            if other != top && known.contains(&vec![other.clone()]) {
                modules
                    .entry(top.clone())
                    .or_default()
                    .insert(other.clone());
            }
            if here.len() >= 2
                && target.len() == here.len()
                && target[..here.len() - 1] == here[..here.len() - 1]
                && target != here
                && known.contains(&target)
            {
                siblings
                    .entry(here.join("/"))
                    .or_default()
                    .insert(target.join("/"));
            }
        }
    }
    let found: Vec<String> = cycles(&modules)
        .into_iter()
        .map(|c| format!("modules {}", c.join(" ↔ ")))
        .chain(
            cycles(&siblings)
                .into_iter()
                .map(|c| format!("files {}", c.join(" ↔ "))),
        )
        .collect();
    assert!(found.is_empty(), "import cycles: {found:#?}");
    assert!(modules.len() > 5, "the scan found the modules: {modules:?}");
}

/// The functions of `code` longer than `max` lines: (name, first line, length).
fn long_functions(code: &str, max: usize) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let Some(at) = t.find("fn ") else { continue };
        let prefix = &t[..at];
        if !prefix.split_whitespace().all(|w| {
            [
                "pub",
                "pub(crate)",
                "pub(super)",
                "const",
                "async",
                "unsafe",
            ]
            .contains(&w)
        }) {
            continue;
        }
        let name: String = t[at + 3..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let (mut depth, mut started) = (0i32, false);
        for (j, l) in lines.iter().enumerate().skip(i) {
            if !started && l.trim_end().ends_with(';') {
                break;
            }
            for c in l.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        started = true;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            if started && depth == 0 {
                let n = j - i + 1;
                if n > max {
                    out.push((name.clone(), i + 1, n));
                }
                break;
            }
        }
    }
    out
}

#[test]
fn functions_stay_short() {
    let mut found = Vec::new();
    for (file, code) in src_files() {
        for (name, line, n) in long_functions(&code, MAX_FUNCTION_LINES) {
            if !LONG_BY_DESIGN.contains(&(file.as_str(), name.as_str())) {
                found.push(format!("{file}:{line} fn {name}: {n} lines"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines: {found:#?}"
    );
}

#[test]
fn the_checks_can_fail() {
    let mut edges = BTreeMap::new();
    edges.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    edges.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(cycles(&edges), vec![vec!["a".to_string(), "b".to_string()]]);
    let long = format!("fn f() {{\n{}}}\n", "    x();\n".repeat(90));
    assert_eq!(long_functions(&long, 80), vec![("f".to_string(), 1, 92)]);
    let code = strip("use crate::x::Y; // crate::z\nlet s = \"crate::w\";");
    let paths = referenced_paths(&code, &["q".to_string()]);
    assert!(paths.contains(&vec!["x".to_string(), "Y".to_string()]));
    assert!(
        !paths.iter().any(|p| p[0] == "z" || p[0] == "w"),
        "{paths:?}"
    );
    let _ = Path::new("");
}
