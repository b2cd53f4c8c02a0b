//! The comparison lab's sampler columns: up to [`MAX_SAMPLERS`] settings shown side by side over
//! the same logits, one of them selected (the sampling keys edit it, a step draws from it), and
//! the roll-many view (N seeded draws from the selected column).
//!
//! The selected column's settings live in `State::params` (what every other concern already
//! reads); [`Lab`] keeps the others, and [`Lab::columns`] puts them together.

use crate::action::Action;
use crate::i18n::Text;
use crate::sampling::{MAX_SAMPLERS, Preset, SamplingParams, StageOrder, spec};
use crate::state::{Effect, Notice, State};

/// How many draws the roll-many view makes, in the order its key cycles through them.
pub const ROLL_COUNTS: [usize; 3] = [100, 1_000, 10_000];

/// The lab's columns and the roll-many view.
#[derive(Clone, Debug, PartialEq)]
pub struct Lab {
    /// Every column's settings; the selected one's entry is stale (`State::params` holds it).
    others: Vec<SamplingParams>,
    /// Index of the selected column.
    pub selected: usize,
    /// Whether the roll-many view is shown.
    pub rolls_shown: bool,
    /// Index into [`ROLL_COUNTS`].
    pub roll_count: usize,
}

impl Default for Lab {
    fn default() -> Self {
        Self {
            others: vec![SamplingParams::default()],
            selected: 0,
            rolls_shown: false,
            roll_count: 1,
        }
    }
}

impl Lab {
    /// Columns from start-up settings (`--sampler SPEC`…); the first is selected.
    pub fn from_columns(columns: &[SamplingParams]) -> Self {
        Self {
            others: columns.iter().copied().take(MAX_SAMPLERS).collect(),
            ..Self::default()
        }
    }

    /// Every column, the selected one with `live` settings.
    pub fn columns(&self, live: &SamplingParams) -> Vec<SamplingParams> {
        let mut out = self.others.clone();
        out[self.selected] = *live;
        out
    }

    /// How many columns there are (1 = the plain view).
    pub fn len(&self) -> usize {
        self.others.len()
    }

    /// Always false: there is at least one column.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// How many draws the roll-many view makes.
    pub fn rolls(&self) -> usize {
        ROLL_COUNTS[self.roll_count]
    }
}

/// Applies a lab action.
pub(super) fn apply(s: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::AddSampler => add(s),
        Action::RemoveSampler => remove(s),
        Action::SelectSampler(delta) => {
            let n = s.lab.len() as isize;
            let to = (s.lab.selected as isize + delta).rem_euclid(n) as usize;
            select(s, to);
        }
        Action::NextPreset => next_preset(s),
        Action::ToggleOrder => {
            s.params.order = s.params.order.toggled();
            say_column(s, Text::NoticeColumn);
        }
        Action::ToggleRolls => {
            s.lab.rolls_shown = !s.lab.rolls_shown;
        }
        Action::NextRollCount => {
            s.lab.roll_count = (s.lab.roll_count + 1) % ROLL_COUNTS.len();
            s.lab.rolls_shown = true;
        }
        _ => {}
    }
    Vec::new()
}

/// Makes column `to` the selected one (its settings move into `State::params`).
fn select(s: &mut State, to: usize) {
    let columns = s.lab.columns(&s.params);
    s.lab.others = columns;
    s.lab.selected = to.min(s.lab.len() - 1);
    s.params = s.lab.others[s.lab.selected];
    s.saved_temperature = if s.params.temperature > 0.0 {
        s.params.temperature
    } else {
        1.0
    };
    say_column(s, Text::NoticeColumn);
}

/// Adds a column with the first preset no column has yet, and selects it.
fn add(s: &mut State) {
    if s.lab.len() >= MAX_SAMPLERS {
        s.notice = Some(Notice {
            text: Text::NoticeMaxColumns,
            arg: Some(MAX_SAMPLERS.to_string()),
        });
        return;
    }
    let columns = s.lab.columns(&s.params);
    let fresh = Preset::ALL
        .into_iter()
        .map(|p| p.apply(&s.params))
        .find(|p| !columns.contains(p))
        .unwrap_or(s.params);
    s.lab.others = columns;
    s.lab.others.push(fresh);
    select(s, s.lab.len() - 1);
}

/// Removes the selected column (never the last one).
fn remove(s: &mut State) {
    if s.lab.len() <= 1 {
        s.say(Text::NoticeLastColumn);
        return;
    }
    let mut columns = s.lab.columns(&s.params);
    columns.remove(s.lab.selected);
    s.lab.others = columns;
    let to = s.lab.selected.saturating_sub(1);
    s.lab.selected = 0;
    s.params = s.lab.others[0];
    select(s, to);
}

/// The selected column takes the next preset; an order preset also brings its other half
/// (the same settings in the other stage order) into a column beside it, when there is room.
fn next_preset(s: &mut State) {
    let preset = Preset::matching(&s.params).map_or(Preset::ALL[0], Preset::next);
    s.params = preset.apply(&s.params);
    let partner = match preset {
        Preset::OrderHf => Some(Preset::OrderLlama),
        Preset::OrderLlama => Some(Preset::OrderHf),
        _ => None,
    }
    .map(|p| p.apply(&s.params));
    if let Some(partner) = partner {
        let columns = s.lab.columns(&s.params);
        if !columns.contains(&partner) && columns.len() < MAX_SAMPLERS {
            s.lab.others = columns;
            s.lab.others.push(partner);
        }
    }
    s.notice = Some(Notice {
        text: Text::NoticePreset,
        arg: Some(s.lang.t(preset.text()).to_string()),
    });
}

/// "Column 2 of 3: T 0.7 · p 0.9" in the status line.
fn say_column(s: &mut State, text: Text) {
    let order = match s.params.order {
        StageOrder::Hf => s.lang.t(Text::OrderHf),
        StageOrder::LlamaCpp => s.lang.t(Text::OrderLlama),
    };
    s.notice = Some(Notice {
        text,
        arg: Some(format!(
            "{}/{} · {} · {}",
            s.lab.selected + 1,
            s.lab.len(),
            spec::header(&s.params, s.lang),
            order
        )),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_keep_the_live_settings_of_the_selected_one() {
        let lab = Lab::from_columns(&[
            SamplingParams::default(),
            Preset::Greedy.apply(&SamplingParams::default()),
        ]);
        let live = Preset::Balanced.apply(&SamplingParams::default());
        let cols = lab.columns(&live);
        assert_eq!(cols.len(), 2);
        assert_eq!(cols[0], live);
        assert_eq!(cols[1].temperature, 0.0);
    }
}
