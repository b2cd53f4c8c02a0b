//! Modes, the help overlay and the display toggles (chat template, token ids, language), and
//! quitting.

use crate::action::Action;
use crate::i18n::Text;
use crate::keymap::{self, Context};
use crate::state::sync::{restart_generation, sync};
use crate::state::{Effect, Mode, Notice, Overlay, ScreenLayout, State};

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
                Overlay::Help { .. } => Overlay::None,
                _ => Overlay::Help { scroll: 0 },
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
        // Generated text is not thrown away by one key: with any, quitting asks first.
        Action::Quit if s.tree.is_empty() || s.overlay == Overlay::ConfirmQuit => {
            return vec![Effect::Quit];
        }
        Action::Quit => s.overlay = Overlay::ConfirmQuit,
        Action::ConfirmQuit => return vec![Effect::Quit],
        Action::CancelQuit => s.overlay = Overlay::None,
        Action::ToggleProjector => {
            s.layout = match s.layout {
                ScreenLayout::Standard => ScreenLayout::Projector,
                ScreenLayout::Projector => ScreenLayout::Standard,
            };
            let key = keymap::key_label(Context::Explore, &Action::ToggleProjector, s.lang);
            s.notice = Some(match s.layout {
                ScreenLayout::Projector => Notice {
                    text: Text::NoticeProjectorOn,
                    arg: key,
                },
                ScreenLayout::Standard => Notice {
                    text: Text::NoticeProjectorOff,
                    arg: None,
                },
            });
        }
        _ => {}
    }
    Vec::new()
}
