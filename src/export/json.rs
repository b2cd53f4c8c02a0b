//! The JSON export: the [`Snapshot`] as serde writes it (pretty, numbers at full precision), with
//! its `"version"`; no API key or other secret is part of a snapshot.

use super::{EXPORT_VERSION, Snapshot};

/// The JSON text of `snapshot`.
pub fn render(snapshot: &Snapshot) -> String {
    let mut text = serde_json::to_string_pretty(snapshot)
        .expect("a snapshot is plain data: it always serializes");
    text.push('\n');
    text
}

/// Why an export could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("not a tokenscope export: {0}")]
    Json(#[from] serde_json::Error),
    #[error("export version {found}, this tokenscope reads version {EXPORT_VERSION}")]
    Version { found: u32 },
}

/// Reads an export back (what a replay or a test starts from).
pub fn parse(text: &str) -> Result<Snapshot, ReadError> {
    let snapshot: Snapshot = serde_json::from_str(text)?;
    if snapshot.version != EXPORT_VERSION {
        return Err(ReadError::Version {
            found: snapshot.version,
        });
    }
    Ok(snapshot)
}
