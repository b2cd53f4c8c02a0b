//! What the playground tests type (keys with no modifier) and the sampling settings most of
//! their screens use.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokenscope::sampling::SamplingParams;

/// The prompt of the dice-roll screens (its numbers do not sit on a rounding edge; see
/// `tests/screens_real.rs`).
pub const ROLL_PROMPT: &str = "Water boils at a temperature of";

/// A character typed with no modifier.
pub fn ch(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

/// A key pressed with no modifier.
pub fn press(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// Seed 42, temperature 0.8, top-p 0.9.
pub fn sampling() -> SamplingParams {
    SamplingParams {
        temperature: 0.8,
        top_k: 0,
        top_p: 0.9,
        min_p: 0.0,
        seed: 42,
        order: Default::default(),
    }
}
