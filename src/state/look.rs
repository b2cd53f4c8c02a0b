//! The look-back cursor: which token of the sequence the panes explain (`None` = live, the
//! next token).

use crate::action::Action;
use crate::state::{Effect, State};

/// Applies a look-back action.
pub(super) fn apply(s: &mut State, action: Action) -> Vec<Effect> {
    let len = s.sequence_len();
    s.look = match action {
        Action::LookBack if len > 0 => Some(match s.look {
            None => len - 1,
            Some(i) => i.saturating_sub(1),
        }),
        Action::LookForward => match s.look {
            Some(i) if i + 1 < len => Some(i + 1),
            _ => None,
        },
        Action::LookFirst if len > 0 => Some(0),
        Action::LookLive => None,
        Action::LookAt(i) if i < len => Some(i),
        _ => s.look,
    };
    Vec::new()
}
