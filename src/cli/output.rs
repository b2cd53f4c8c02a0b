//! Writing results: to standard output without ever panicking on a closed pipe
//! (`tokenscope … | head`), and as aligned tables.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::cli::error::CliError;

/// Set when standard output is a closed pipe: the program then ends quietly with success
/// instead of reporting an error.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Whether a write found standard output closed.
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// The error for a failed write to standard output (remembering a closed pipe).
pub fn stdout_error(e: std::io::Error) -> CliError {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
    CliError::Stdout(e)
}

/// Writes `text` to standard output and flushes.
pub fn emit(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(stdout_error)
}

/// Rows as an aligned table (by display width), one line each; `right[i]` right-aligns column
/// i.
pub fn table(headers: &[&str], right: &[bool], rows: &[Vec<String>]) -> String {
    use unicode_width::UnicodeWidthStr;
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let mut text = String::new();
    let mut line = |cells: Vec<&str>| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .zip(right)
            .map(|((c, &w), &r)| {
                let pad = " ".repeat(w.saturating_sub(c.width()));
                if r {
                    format!("{pad}{c}")
                } else {
                    format!("{c}{pad}")
                }
            })
            .collect();
        text.push_str(parts.join("  ").trim_end());
        text.push('\n');
    };
    line(headers.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
    text
}

/// Keeps a message to one paragraph: line breaks become spaces (libtorch's C++ backtrace is
/// already cut by `model::one_line`).
pub fn one_paragraph(message: &str) -> String {
    crate::model::one_line(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libtorch_backtraces_and_line_breaks_become_one_paragraph() {
        let torch = "libtorch: Expected positive number of threads\nException raised from \
                     set_num_threads at ParallelOpenMP.cpp:46 (most recent call first):\n\
                     frame #0: c10::Error::Error(...)\n";
        assert_eq!(
            one_paragraph(torch),
            "libtorch: Expected positive number of threads"
        );
        assert_eq!(one_paragraph("a\n\n  b\nc "), "a b c");
        assert_eq!(one_paragraph("one line"), "one line");
    }

    #[test]
    fn tables_align_by_display_width() {
        let t = table(
            &["a", "b"],
            &[false, true],
            &[
                vec!["ção".into(), "1".into()],
                vec!["x".into(), "22".into()],
            ],
        );
        assert_eq!(t, "a     b\nção   1\nx    22\n");
    }
}
