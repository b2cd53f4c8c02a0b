//! The effects that write files (an export, a saved session), executed by the loop and the
//! harness alike: each answers with the message that tells the state what was written.

use std::path::PathBuf;
use std::sync::Arc;

use crate::export::{self, FileError};
use crate::i18n::Lang;
use crate::session_file::SessionFile;
use crate::state::{Effect, Msg};

/// Performs `effect` if it writes files; `None` for every other effect.
pub fn perform(effect: &Effect, lang: Lang) -> Option<Msg> {
    match effect {
        Effect::Export { dir, snapshot } => Some(Msg::Exported(
            export::write_all(dir, snapshot, lang).map_err(Arc::new),
        )),
        Effect::SaveSession { path, dir, session } => Some(Msg::SessionSaved(
            save_session(path.as_ref(), dir, session).map_err(Arc::new),
        )),
        _ => None,
    }
}

/// Saves to `path` (created when missing) when it is writable, else to a new file in `dir`.
fn save_session(
    path: Option<&PathBuf>,
    dir: &std::path::Path,
    session: &SessionFile,
) -> Result<PathBuf, FileError> {
    let text = session.to_json();
    if let Some(path) = path
        && std::fs::write(path, &text).is_ok()
    {
        return Ok(path.clone());
    }
    export::write_new(dir, "tokenscope-session", "json", &text)
}
