//! Surviving a panic inside the model's arithmetic (issue 6).
//!
//! tch's infallible tensor methods panic when libtorch throws. One such throw was seen, rarely and
//! not reproducibly, in a long soak: `mm` failing libtorch's own precision lookup ("Invalid
//! (backend, op) pair"). A failure like that must not end the session, so the engine runs each
//! forward pass through [`guarded`]: a panic becomes an `Err` with its message, the KV cache is
//! left at its last complete position (it only advances after every layer has written), and the
//! caller may try again or report the failure like any other model error.
//!
//! The process-wide panic hook (ratatui's, which restores the terminal, then color-eyre's report)
//! must not run for a panic that is caught here, or the playground would lose its screen while it
//! keeps going. [`install_hook`] wraps whatever hook is installed: while the current thread is
//! inside [`guarded`], the message is kept (and appended to a log file when one is named) instead.

use std::cell::{Cell, RefCell};
use std::io::Write;
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::path::PathBuf;

thread_local! {
    /// Whether this thread is inside `guarded` (a panic here is caught and handled).
    static GUARDED: Cell<bool> = const { Cell::new(false) };
    /// The message of the last caught panic on this thread, with where it happened.
    static LAST: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Wraps the installed panic hook so that panics caught by [`guarded`] stay quiet. Call it after
/// every other hook is installed (in the playground: after `ratatui::init`). With `log`, each
/// caught panic's message is appended to that file, one line each (the soak test counts them).
pub fn install_hook(log: Option<PathBuf>) {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if !GUARDED.with(Cell::get) {
            return previous(info);
        }
        let message = describe(info);
        if let Some(path) = &log {
            let line = message.replace('\n', " ");
            if let Ok(mut f) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
            {
                let _ = writeln!(f, "{line}");
            }
        }
        LAST.with(|last| *last.borrow_mut() = Some(message));
    }));
}

/// Runs `f`; a panic inside it becomes `Err(its message)`. Nested calls are fine.
pub fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let outer = GUARDED.with(|g| g.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(outer));
    result.map_err(|payload| {
        LAST.with(|last| last.borrow_mut().take())
            .unwrap_or_else(|| payload_text(payload.as_ref()))
    })
}

/// The panic's message and location, as the default hook would say it.
fn describe(info: &PanicHookInfo<'_>) -> String {
    let text = payload_text(info.payload());
    match info.location() {
        Some(at) => format!("{text} (at {}:{})", at.file(), at.line()),
        None => text,
    }
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One test installs the hook (hooks are process-wide; two installing tests would race).
    #[test]
    fn a_panic_inside_becomes_its_message_is_logged_and_the_next_call_works() {
        let log =
            std::env::temp_dir().join(format!("tokenscope-recover-{}.log", std::process::id()));
        let _ = std::fs::remove_file(&log);
        install_hook(Some(log.clone()));
        let err = guarded(|| -> u32 { panic!("Invalid (backend, op) pair:\n(2, 3)") }).unwrap_err();
        assert!(err.contains("Invalid (backend, op) pair"), "{err}");
        assert!(err.contains("recover.rs"), "the location is kept: {err}");
        assert_eq!(guarded(|| 41 + 1), Ok(42));
        assert!(
            !GUARDED.with(Cell::get),
            "the flag is cleared after a catch"
        );
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let _ = std::fs::remove_file(&log);
        assert!(
            text.contains("Invalid (backend, op) pair: (2, 3)"),
            "one line: {text:?}"
        );
    }

    #[test]
    fn nested_guards_restore_the_outer_state() {
        let inner = guarded(|| guarded(|| -> () { panic!("inner") }).unwrap_err());
        assert!(inner.unwrap().contains("inner"));
        assert!(!GUARDED.with(Cell::get));
    }
}
