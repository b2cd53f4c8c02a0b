//! Taking a view out of the terminal (F9): one [`Snapshot`] of what is on screen, written as
//! four files at once under one stem that never overwrites anything:
//!
//! - `STEM.md`: tables a teacher can paste into slides, numbers in the interface language
//!   ([`markdown`]);
//! - `STEM.json`: everything on screen plus what it takes to replay it: the model, every sampler
//!   column's settings, the seed, the prompt's text and token ids, the chosen continuation
//!   ([`json`]; versioned by [`EXPORT_VERSION`]);
//! - `STEM.csv`: the distribution rows as machine numbers ([`csv`]);
//! - `STEM.txt`: the whole screen as plain text ([`screenshot`]).
//!
//! The state fills a [`Snapshot`] (plain data, `state/export.rs`); the app writes it with
//! [`write_all`] when it executes the effect, never while drawing. Each view is one section of
//! the snapshot, in its own file (`export/distribution.rs`, `export/words.rs`,
//! `export/rolls.rs`, `export/branches.rs`, `export/inside.rs`): its data and its [`Section`] implementation (how it writes itself
//! as Markdown; the JSON is its serde form). A new view adds a file like those, a field of
//! [`Snapshot`], a line in [`Snapshot::sections`], and a function in `state/export.rs` that
//! fills it.

mod branches;
pub mod csv;
mod distribution;
mod inside;
pub mod json;
pub mod markdown;
mod rolls;
pub mod screenshot;
mod words;

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

pub use branches::{BranchRow, BranchesSection};
pub use distribution::{DistRow, DistributionSection, Partial};
pub use inside::{
    AttentionExport, EmbeddingExport, InsideSection, LensExport, LensLayer, ScoredToken,
};
pub use rolls::{RollRow, RollsSection};
pub use words::{WordRow, WordsSection};

use crate::i18n::{Describe, Lang, Text};
use crate::sampling::{SamplingParams, StageOrder};

/// The version of the JSON export format (bumped when a field changes meaning).
pub const EXPORT_VERSION: u32 = 1;

/// How many candidates the distribution section lists at least (the screen never shows more).
pub const EXPORT_ROWS: usize = 20;

/// One sampler column's settings, as files write them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SamplerSettings {
    pub temperature: f32,
    pub top_k: usize,
    pub top_p: f32,
    pub min_p: f32,
    pub seed: u64,
    /// `hf` or `llama` (the stage order).
    pub order: String,
}

impl SamplerSettings {
    /// The settings of `params`.
    pub fn of(params: &SamplingParams) -> Self {
        Self {
            temperature: params.temperature,
            top_k: params.top_k,
            top_p: params.top_p,
            min_p: params.min_p,
            seed: params.seed,
            order: params.order.as_str().to_string(),
        }
    }

    /// The sampling parameters back; `None` when `order` names no stage order.
    pub fn params(&self) -> Option<SamplingParams> {
        let order = match self.order.as_str() {
            "hf" => StageOrder::Hf,
            "llama" => StageOrder::LlamaCpp,
            _ => return None,
        };
        Some(SamplingParams {
            temperature: self.temperature,
            top_k: self.top_k,
            top_p: self.top_p,
            min_p: self.min_p,
            seed: self.seed,
            order,
        })
    }
}

/// Everything an export writes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub version: u32,
    /// The model's display name.
    pub model: String,
    /// The interface language (`en`, `pt-BR`).
    pub lang: String,
    pub prompt: String,
    /// The prompt's token ids (through the chat template when `chat`).
    pub prompt_ids: Vec<u32>,
    pub chat: bool,
    /// Prompt B of the A/B comparison, when shown.
    pub prompt_b: Option<String>,
    /// The chosen continuation's token ids (the current branch).
    pub continuation_ids: Vec<u32>,
    /// The continuation as text.
    pub continuation: String,
    /// The selected column's seed.
    pub seed: u64,
    /// Index of the selected sampler column.
    pub selected_sampler: usize,
    pub samplers: Vec<SamplerSettings>,
    pub distribution: Option<DistributionSection>,
    pub words: Option<WordsSection>,
    pub rolls: Option<RollsSection>,
    pub branches: Option<BranchesSection>,
    /// The inside-the-model view (embedding, lens or attention), when shown and computed.
    #[serde(default)]
    pub inside: Option<InsideSection>,
    /// The screen as plain text (its own file, not part of the JSON).
    #[serde(skip)]
    pub screen: String,
}

impl Snapshot {
    /// The view sections present, in the order the Markdown lists them.
    pub fn sections(&self) -> Vec<&dyn Section> {
        let mut out: Vec<&dyn Section> = Vec::new();
        if let Some(d) = &self.distribution {
            out.push(d);
        }
        if let Some(w) = &self.words {
            out.push(w);
        }
        if let Some(r) = &self.rolls {
            out.push(r);
        }
        if let Some(b) = &self.branches {
            out.push(b);
        }
        if let Some(i) = &self.inside {
            out.push(i);
        }
        out
    }
}

/// A view's part of an export: how it writes itself as Markdown (the JSON is its serde form).
pub trait Section {
    /// Appends this view's heading and table to `out`, numbers written the `lang` way.
    fn markdown(&self, snapshot: &Snapshot, lang: Lang, out: &mut String);
}

/// What an export wrote: the directory and the four files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub dir: PathBuf,
    pub files: Vec<PathBuf>,
}

impl Written {
    /// `DIR/STEM.{md,json,csv,txt}`, for the status line.
    pub fn summary(&self) -> String {
        let Some(first) = self.files.first() else {
            return self.dir.display().to_string();
        };
        let stem = first.with_extension("");
        let exts: Vec<&str> = self
            .files
            .iter()
            .filter_map(|f| f.extension().and_then(|e| e.to_str()))
            .collect();
        format!("{}.{{{}}}", stem.display(), exts.join(","))
    }
}

/// Why files could not be written.
#[derive(Debug)]
pub enum FileError {
    /// The directory could not be created.
    CreateDir { dir: PathBuf, error: std::io::Error },
    /// A file could not be created or written.
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl Describe for FileError {
    fn describe(&self, lang: Lang) -> String {
        match self {
            FileError::CreateDir { dir, error } => lang.f(
                Text::ErrExportDir,
                &[&dir.display(), &crate::i18n::io_error(lang, error)],
            ),
            FileError::Write { path, error } => lang.f(
                Text::ErrExportWrite,
                &[&path.display(), &crate::i18n::io_error(lang, error)],
            ),
        }
    }
}

crate::described_error!(FileError);

/// Writes `snapshot` as Markdown, JSON, CSV and a text screenshot into `dir` (created if
/// missing), under a new timestamped stem (`tokenscope-20261203-174501`, then `-2`, `-3`… when
/// taken): no existing file is ever overwritten.
pub fn write_all(dir: &Path, snapshot: &Snapshot, lang: Lang) -> Result<Written, FileError> {
    let contents = [
        ("md", markdown::render(snapshot, lang)),
        ("json", json::render(snapshot)),
        ("csv", csv::render(snapshot)),
        ("txt", snapshot.screen.clone()),
    ];
    let exts: Vec<&str> = contents.iter().map(|(e, _)| *e).collect();
    let (stem, mut files) = create_new(dir, &stamp(SystemTime::now()), &exts)?;
    let mut paths = Vec::new();
    for ((ext, text), file) in contents.iter().zip(files.iter_mut()) {
        let path = dir.join(format!("{stem}.{ext}"));
        file.write_all(text.as_bytes())
            .map_err(|error| FileError::Write {
                path: path.clone(),
                error,
            })?;
        paths.push(path);
    }
    Ok(Written {
        dir: dir.to_path_buf(),
        files: paths,
    })
}

/// Writes `text` to a new file `DIR/STEM.EXT` (a new stem like [`write_all`]'s).
pub fn write_new(dir: &Path, prefix: &str, ext: &str, text: &str) -> Result<PathBuf, FileError> {
    let base = format!("{prefix}-{}", stamp(SystemTime::now()));
    let (stem, mut files) = create_new(dir, &base, &[ext])?;
    let path = dir.join(format!("{stem}.{ext}"));
    files[0]
        .write_all(text.as_bytes())
        .map_err(|error| FileError::Write {
            path: path.clone(),
            error,
        })?;
    Ok(path)
}

/// Creates `dir` and one new file per extension under the first stem (`base`, `base-2`, …)
/// for which none of them exists yet.
fn create_new(dir: &Path, base: &str, exts: &[&str]) -> Result<(String, Vec<File>), FileError> {
    std::fs::create_dir_all(dir).map_err(|error| FileError::CreateDir {
        dir: dir.to_path_buf(),
        error,
    })?;
    'stems: for n in 1..10_000 {
        let stem = if n == 1 {
            base.to_string()
        } else {
            format!("{base}-{n}")
        };
        let mut files = Vec::new();
        for ext in exts {
            let path = dir.join(format!("{stem}.{ext}"));
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(f) => files.push((path, f)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    // Taken: give back what this stem created and try the next one.
                    for (p, _) in files {
                        let _ = std::fs::remove_file(p);
                    }
                    continue 'stems;
                }
                Err(error) => return Err(FileError::Write { path, error }),
            }
        }
        return Ok((stem, files.into_iter().map(|(_, f)| f).collect()));
    }
    Err(FileError::Write {
        path: dir.join(base),
        error: std::io::Error::from(std::io::ErrorKind::AlreadyExists),
    })
}

/// `tokenscope-YYYYMMDD-HHMMSS` in UTC.
fn stamp(now: SystemTime) -> String {
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "tokenscope-{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_by_hand() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        let t = UNIX_EPOCH + std::time::Duration::from_secs(1_764_783_901);
        assert_eq!(stamp(t), "tokenscope-20251203-174501");
    }

    #[test]
    fn stems_never_overwrite() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("x.csv"), "keep").expect("write");
        let (stem, _) = create_new(dir.path(), "x", &["md", "csv"]).expect("create");
        assert_eq!(stem, "x-2");
        assert!(
            !dir.path().join("x.md").exists(),
            "the taken stem is given back"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("x.csv")).expect("read"),
            "keep"
        );
        let (stem, _) = create_new(dir.path(), "x", &["md", "csv"]).expect("create");
        assert_eq!(stem, "x-3");
    }
}
