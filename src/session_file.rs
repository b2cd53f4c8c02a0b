//! A saved playground session (`--session FILE`, Ctrl-S / `S`): the prompt (and prompt B), the
//! whole tree of branches with the current node, every sampler column's settings and seeds, the
//! chat flag, the language and the view toggles, as JSON with a `"version"` and the model's
//! name. Reading checks everything before the playground starts: a file that cannot be read,
//! is no JSON, has another version or a field that is missing, of the wrong type or
//! inconsistent (a branch whose parent comes after it) is a [`SessionError`] naming the file
//! and the field.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::export::SamplerSettings;
use crate::i18n::{Describe, Lang, Text};
use crate::sampling::MAX_SAMPLERS;

/// The version of the session format.
pub const SESSION_VERSION: u32 = 1;

/// How a saved token was chosen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "how", rename_all = "snake_case")]
pub enum SavedChoice {
    /// Picked by hand (0-based rank in the model's ranking).
    Picked { rank: usize },
    /// Drawn by the sampler: the draw and the settings it was rolled under.
    Sampled {
        u: f64,
        rank: usize,
        id: u32,
        cum_before: f64,
        cum_after: f64,
        settings: SamplerSettings,
    },
}

/// One generated token of the tree (node ids are 1-based positions in `nodes`; 0 is the root,
/// "right after the prompt").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedNode {
    pub token: u32,
    pub parent: usize,
    pub choice: SavedChoice,
    /// The child redo goes back to.
    pub last_child: Option<usize>,
}

/// The tree of branches.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedTree {
    pub nodes: Vec<SavedNode>,
    /// The root's redo child.
    pub root_last_child: Option<usize>,
    /// The end of the current continuation (0: nothing generated on this branch).
    pub head: usize,
}

/// The view toggles.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedView {
    /// Explore mode (single keys act) rather than Edit mode.
    pub explore: bool,
    pub show_ids: bool,
    pub words: bool,
    pub projector: bool,
    pub rolls: bool,
    pub roll_count: usize,
    pub autoplay_speed: usize,
    /// The look-back cursor (`None`: live).
    pub look: Option<usize>,
    /// The selected candidate (0-based rank).
    pub selected: usize,
}

/// A whole session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionFile {
    pub version: u32,
    /// The model it was made with (its display name).
    pub model: String,
    /// `en` or `pt-BR`.
    pub lang: String,
    pub prompt: String,
    pub prompt_b: Option<String>,
    pub chat: bool,
    pub samplers: Vec<SamplerSettings>,
    pub selected_sampler: usize,
    pub tree: SavedTree,
    pub view: SavedView,
}

/// Why a session file cannot be used.
#[derive(Debug)]
pub enum SessionError {
    /// The file cannot be read.
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The file is no JSON (serde's words, with the line and column).
    NotJson { path: PathBuf, detail: String },
    /// The file has another format version (or none).
    Version { path: PathBuf, found: String },
    /// A field is missing, of the wrong type, or inconsistent.
    Field {
        path: PathBuf,
        field: String,
        detail: String,
    },
}

impl Describe for SessionError {
    fn describe(&self, lang: Lang) -> String {
        match self {
            SessionError::Read { path, error } => lang.f(
                Text::ErrSessionRead,
                &[&path.display(), &crate::i18n::io_error(lang, error)],
            ),
            SessionError::NotJson { path, detail } => {
                lang.f(Text::ErrSessionNotJson, &[&path.display(), detail])
            }
            SessionError::Version { path, found } => lang.f(
                Text::ErrSessionVersion,
                &[&path.display(), found, &SESSION_VERSION],
            ),
            SessionError::Field {
                path,
                field,
                detail,
            } => lang.f(Text::ErrSessionField, &[&path.display(), field, detail]),
        }
    }
}

crate::described_error!(SessionError);

impl SessionFile {
    /// The JSON text (pretty, with a final newline).
    pub fn to_json(&self) -> String {
        let mut text =
            serde_json::to_string_pretty(self).expect("a session is plain data: it serializes");
        text.push('\n');
        text
    }

    /// Reads and checks the session at `path`.
    pub fn read(path: &Path) -> Result<SessionFile, SessionError> {
        let text = std::fs::read_to_string(path).map_err(|error| SessionError::Read {
            path: path.to_path_buf(),
            error,
        })?;
        SessionFile::parse(path, &text)
    }

    /// Parses and checks `text` (read from `path`, named in errors).
    pub fn parse(path: &Path, text: &str) -> Result<SessionFile, SessionError> {
        let value: Value = serde_json::from_str(text).map_err(|e| SessionError::NotJson {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        let Value::Object(map) = value else {
            return Err(SessionError::NotJson {
                path: path.to_path_buf(),
                detail: "not a JSON object".to_string(),
            });
        };
        let version = map.get("version");
        if version.and_then(Value::as_u64) != Some(u64::from(SESSION_VERSION)) {
            return Err(SessionError::Version {
                path: path.to_path_buf(),
                found: version.map_or("—".to_string(), Value::to_string),
            });
        }
        let f = Fields { path, map: &map };
        let file = SessionFile {
            version: SESSION_VERSION,
            model: f.get("model")?,
            lang: f.get("lang")?,
            prompt: f.get("prompt")?,
            prompt_b: f.get("prompt_b")?,
            chat: f.get("chat")?,
            samplers: f.list("samplers")?,
            selected_sampler: f.get("selected_sampler")?,
            tree: f.tree()?,
            view: f.get("view")?,
        };
        file.check()
            .map_err(|(field, detail)| SessionError::Field {
                path: path.to_path_buf(),
                field,
                detail,
            })?;
        Ok(file)
    }

    /// Consistency beyond the types: sampler columns, orders, the tree's links.
    fn check(&self) -> Result<(), (String, String)> {
        let bad = |field: String, detail: &str| Err((field, detail.to_string()));
        if self.samplers.is_empty() || self.samplers.len() > MAX_SAMPLERS {
            return bad("samplers".into(), "1 to 4 sampler columns");
        }
        for (i, s) in self.samplers.iter().enumerate() {
            if s.params().is_none() {
                return bad(format!("samplers[{i}].order"), "\"hf\" or \"llama\"");
            }
        }
        if self.selected_sampler >= self.samplers.len() {
            return bad("selected_sampler".into(), "an index into samplers");
        }
        if !matches!(self.lang.as_str(), "en" | "pt-BR") {
            return bad("lang".into(), "\"en\" or \"pt-BR\"");
        }
        let tree = &self.tree;
        let n = tree.nodes.len();
        let child_of = |child: usize, parent: usize| {
            child >= 1 && child <= n && tree.nodes[child - 1].parent == parent
        };
        for (i, node) in tree.nodes.iter().enumerate() {
            let id = i + 1;
            if node.parent >= id {
                return bad(format!("tree.nodes[{i}].parent"), "a node listed before it");
            }
            if node.last_child.is_some_and(|c| !child_of(c, id)) {
                return bad(format!("tree.nodes[{i}].last_child"), "one of its children");
            }
            if let SavedChoice::Sampled { settings, .. } = &node.choice
                && settings.params().is_none()
            {
                return bad(
                    format!("tree.nodes[{i}].choice.settings.order"),
                    "\"hf\" or \"llama\"",
                );
            }
        }
        if tree.root_last_child.is_some_and(|c| !child_of(c, 0)) {
            return bad("tree.root_last_child".into(), "a child of the root");
        }
        if tree.head > n {
            return bad("tree.head".into(), "a node of the tree");
        }
        Ok(())
    }

    /// The largest token id the tree holds (to check it against a vocabulary).
    pub fn max_token(&self) -> Option<u32> {
        self.tree.nodes.iter().map(|n| n.token).max()
    }
}

/// The top-level fields of a session, each read on its own so an error names it.
struct Fields<'a> {
    path: &'a Path,
    map: &'a Map<String, Value>,
}

impl Fields<'_> {
    /// The top-level field `name`.
    fn get<T: DeserializeOwned>(&self, name: &str) -> Result<T, SessionError> {
        self.read(self.map.get(name), name)
    }

    /// `value` as a `T`, or an error naming `field` (a dotted path such as `tree.nodes[3]`).
    fn read<T: DeserializeOwned>(
        &self,
        value: Option<&Value>,
        field: &str,
    ) -> Result<T, SessionError> {
        serde_json::from_value(value.cloned().unwrap_or(Value::Null)).map_err(|e| {
            SessionError::Field {
                path: self.path.to_path_buf(),
                field: field.to_string(),
                detail: e.to_string(),
            }
        })
    }

    /// The array at `value` read element by element, so an error names the element.
    fn elements<T: DeserializeOwned>(
        &self,
        value: Option<&Value>,
        field: &str,
    ) -> Result<Vec<T>, SessionError> {
        match value {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| self.read(Some(v), &format!("{field}[{i}]")))
                .collect(),
            other => self.read(other, field),
        }
    }

    /// The top-level array `name`.
    fn list<T: DeserializeOwned>(&self, name: &str) -> Result<Vec<T>, SessionError> {
        self.elements(self.map.get(name), name)
    }

    /// The tree, each node read on its own.
    fn tree(&self) -> Result<SavedTree, SessionError> {
        let tree = self.map.get("tree");
        let Some(Value::Object(fields)) = tree else {
            return self.read(tree, "tree");
        };
        Ok(SavedTree {
            nodes: self.elements(fields.get("nodes"), "tree.nodes")?,
            root_last_child: self.read(fields.get("root_last_child"), "tree.root_last_child")?,
            head: self.read(fields.get("head"), "tree.head")?,
        })
    }
}
