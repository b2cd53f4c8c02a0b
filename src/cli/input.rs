//! The text of a command: an argument, `--file PATH`, or `-` for standard input, taken exactly
//! as given (no trimming, no added newline) and required to be UTF-8.

use std::io::Read;

use crate::cli::args::Input;
use crate::cli::error::{CliError, Source};

impl Input {
    /// The text exactly as given.
    pub fn read(&self) -> Result<String, CliError> {
        let (bytes, source) = match (&self.text, &self.file) {
            (_, Some(path)) => (
                std::fs::read(path).map_err(|source| CliError::ReadFile {
                    path: path.clone(),
                    source,
                })?,
                Source::File(path.clone()),
            ),
            (Some(t), None) if t == "-" => {
                let mut buf = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut buf)
                    .map_err(CliError::Stdin)?;
                (buf, Source::Stdin)
            }
            (Some(t), None) => return Ok(t.clone()),
            (None, None) => return Err(CliError::NoText),
        };
        String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            CliError::NotUtf8 {
                source,
                at,
                byte: e.as_bytes()[at],
            }
        })
    }
}
