//! The ladders that the sampling keys climb: each key press moves a setting to the next
//! value a teacher would want to show, not by a fixed increment.

use crate::action::Action;
use crate::i18n::Text;
use crate::sampling::SamplingParams;
use crate::state::{Effect, Notice, State};

/// Temperatures, low to high (0 = greedy).
pub const TEMPERATURES: [f32; 20] = [
    0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.5, 1.7, 2.0, 2.5, 3.0,
    5.0,
];

/// Top-k values, small to large; past the last one the stage is off (0).
pub const TOP_KS: [usize; 12] = [1, 2, 3, 5, 10, 20, 40, 50, 100, 200, 500, 1000];

/// Top-p values, small to large; 1.0 is off.
pub const TOP_PS: [f32; 12] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0];

/// Min-p values, small to large; 0 is off.
pub const MIN_PS: [f32; 8] = [0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5];

const EPS: f32 = 1e-6;

/// The next value above `x` on `ladder` (or the top).
fn up(ladder: &[f32], x: f32) -> f32 {
    ladder
        .iter()
        .copied()
        .find(|&v| v > x + EPS)
        .unwrap_or(ladder[ladder.len() - 1])
}

/// The next value below `x` on `ladder` (or the bottom).
fn down(ladder: &[f32], x: f32) -> f32 {
    ladder
        .iter()
        .rev()
        .copied()
        .find(|&v| v < x - EPS)
        .unwrap_or(ladder[0])
}

/// Temperature one step up.
pub fn temperature_up(p: &mut SamplingParams) {
    p.temperature = up(&TEMPERATURES, p.temperature);
}

/// Temperature one step down (to 0 = greedy at the bottom).
pub fn temperature_down(p: &mut SamplingParams) {
    p.temperature = down(&TEMPERATURES, p.temperature);
}

/// Top-k keeps more tokens (off after the largest value).
pub fn top_k_up(p: &mut SamplingParams) {
    p.top_k = match p.top_k {
        0 => 0,
        k => TOP_KS.iter().copied().find(|&v| v > k).unwrap_or(0),
    };
}

/// Top-k keeps fewer tokens (from off to the largest value).
pub fn top_k_down(p: &mut SamplingParams) {
    p.top_k = match p.top_k {
        0 => TOP_KS[TOP_KS.len() - 1],
        k => TOP_KS
            .iter()
            .rev()
            .copied()
            .find(|&v| v < k)
            .unwrap_or(TOP_KS[0]),
    };
}

/// Top-p one step up (1.0 = off at the top).
pub fn top_p_up(p: &mut SamplingParams) {
    p.top_p = up(&TOP_PS, p.top_p);
}

/// Top-p one step down.
pub fn top_p_down(p: &mut SamplingParams) {
    p.top_p = down(&TOP_PS, p.top_p);
}

/// Min-p one step up.
pub fn min_p_up(p: &mut SamplingParams) {
    p.min_p = up(&MIN_PS, p.min_p);
}

/// Min-p one step down (0 = off at the bottom).
pub fn min_p_down(p: &mut SamplingParams) {
    p.min_p = down(&MIN_PS, p.min_p);
}

/// Moves the setting a sampling key names one rung; `false` for any other action.
pub fn apply(action: Action, p: &mut SamplingParams) -> bool {
    match action {
        Action::TemperatureDown => temperature_down(p),
        Action::TemperatureUp => temperature_up(p),
        Action::TopKDown => top_k_down(p),
        Action::TopKUp => top_k_up(p),
        Action::TopPDown => top_p_down(p),
        Action::TopPUp => top_p_up(p),
        Action::MinPDown => min_p_down(p),
        Action::MinPUp => min_p_up(p),
        _ => return false,
    }
    true
}

/// Applies a sampling action to the state: a ladder step, greedy on/off (remembering the
/// temperature to go back to), or another seed (said in the status line).
pub(super) fn apply_to_state(s: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::ToggleGreedy => {
            if s.params.temperature > 0.0 {
                s.saved_temperature = s.params.temperature;
                s.params.temperature = 0.0;
            } else {
                s.params.temperature = if s.saved_temperature > 0.0 {
                    s.saved_temperature
                } else {
                    1.0
                };
            }
        }
        Action::NextSeed | Action::PrevSeed => {
            s.params.seed = if action == Action::NextSeed {
                s.params.seed.wrapping_add(1)
            } else {
                s.params.seed.wrapping_sub(1)
            };
            s.notice = Some(Notice {
                text: Text::NoticeSeed,
                arg: Some(s.params.seed.to_string()),
            });
        }
        other => {
            apply(other, &mut s.params);
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ladders_move_and_stop_at_the_ends() {
        let mut p = SamplingParams::default();
        temperature_down(&mut p);
        assert_eq!(p.temperature, 0.9);
        p.temperature = 0.75;
        temperature_up(&mut p);
        assert_eq!(p.temperature, 0.8);
        p.temperature = 0.0;
        temperature_down(&mut p);
        assert_eq!(p.temperature, 0.0);
        p.temperature = 5.0;
        temperature_up(&mut p);
        assert_eq!(p.temperature, 5.0);

        top_k_down(&mut p);
        assert_eq!(p.top_k, 1000);
        top_k_up(&mut p);
        assert_eq!(p.top_k, 0, "past the largest value: off");
        p.top_k = 1;
        top_k_down(&mut p);
        assert_eq!(p.top_k, 1);
        p.top_k = 7;
        top_k_up(&mut p);
        assert_eq!(p.top_k, 10);

        top_p_up(&mut p);
        assert_eq!(p.top_p, 1.0);
        top_p_down(&mut p);
        assert_eq!(p.top_p, 0.99);

        min_p_down(&mut p);
        assert_eq!(p.min_p, 0.0);
        min_p_up(&mut p);
        assert_eq!(p.min_p, 0.01);
    }
}
