//! Modes, the help overlay and the display toggles (chat template, token ids, language), and
//! quitting.

use crate::action::Action;
use crate::i18n::Text;
use crate::state::sync::{restart_generation, sync};
use crate::state::{Effect, Mode, Overlay, State};

/// Applies an interface action.
pub(super) fn apply(s: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Explore => s.mode = Mode::Explore,
        Action::Edit => s.mode = Mode::Edit,
        Action::ToggleMode => {
            s.mode = match s.mode {
                Mode::Edit => Mode::Explore,
                Mode::Explore => Mode::Edit,
            }
        }
        Action::ToggleHelp => {
            s.overlay = match s.overlay {
                Overlay::None => Overlay::Help { scroll: 0 },
                Overlay::Help { .. } => Overlay::None,
            }
        }
        Action::ScrollHelp(delta) => {
            if let Overlay::Help { scroll } = &mut s.overlay {
                *scroll = scroll.saturating_add_signed(delta);
            }
        }
        Action::ToggleChat => {
            s.chat = !s.chat;
            restart_generation(s);
            return sync(s);
        }
        Action::ToggleIds => s.show_ids = !s.show_ids,
        Action::SwitchLanguage => {
            s.lang = s.lang.next();
            s.say(Text::NoticeLanguage);
        }
        Action::Quit => return vec![Effect::Quit],
        _ => {}
    }
    Vec::new()
}
