//! Keys are data: one table of (scope, key, action, description). [`resolve`] reads it to turn
//! a key press into an [`Action`]; the footer hints ([`hints`]) and the help overlay
//! ([`help_sections`]) are generated from the same table, so they cannot disagree with the code.
//!
//! In Edit mode every printable character is typed into the prompt ([`KeyPat::AnyChar`]):
//! only keys with Ctrl, Alt, F-keys and the editing keys act there. Explore mode gives the
//! single-letter keys their meaning.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::action::Action;
use crate::i18n::{Lang, Text};

/// Who receives keys right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Context {
    /// Typing into the prompt.
    Edit,
    /// Single keys act.
    Explore,
    /// The help overlay is open.
    Help,
    /// "Quit?" is asked (y / n).
    Confirm,
    /// The branch tree is open.
    Branches,
    /// The model picker is open.
    Picker,
    /// The inside view's word field is open (typing goes there).
    InsideWord,
}

/// Where a binding applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// In every context (checked after the context's own bindings).
    Global,
    Edit,
    Explore,
    Help,
    Confirm,
    Branches,
    Picker,
    InsideWord,
}

impl Scope {
    fn applies(self, ctx: Context) -> bool {
        match self {
            Scope::Global => true,
            Scope::Edit => ctx == Context::Edit,
            Scope::Explore => ctx == Context::Explore,
            Scope::Help => ctx == Context::Help,
            Scope::Confirm => ctx == Context::Confirm,
            Scope::Branches => ctx == Context::Branches,
            Scope::Picker => ctx == Context::Picker,
            Scope::InsideWord => ctx == Context::InsideWord,
        }
    }
}

/// The heading a binding is listed under in the help overlay.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Section {
    Global,
    Editor,
    Generation,
    LookBack,
    Sampling,
    View,
    Help,
    /// The branch tree overlay.
    Branches,
    /// The "quit?" question.
    Confirm,
    /// The model picker.
    Models,
    /// The inside-the-model view.
    Inside,
}

impl Section {
    /// Every section, in the order the help overlay lists them.
    pub const ALL: [Section; 11] = [
        Section::Generation,
        Section::Sampling,
        Section::View,
        Section::Inside,
        Section::LookBack,
        Section::Branches,
        Section::Models,
        Section::Editor,
        Section::Global,
        Section::Confirm,
        Section::Help,
    ];

    /// The heading's message id.
    pub fn title(self) -> Text {
        match self {
            Section::Global => Text::SectionGlobal,
            Section::Editor => Text::SectionEditor,
            Section::Generation => Text::SectionGeneration,
            Section::LookBack => Text::SectionLookBack,
            Section::Sampling => Text::SectionSampling,
            Section::View => Text::SectionView,
            Section::Help => Text::SectionHelp,
            Section::Branches => Text::SectionBranches,
            Section::Confirm => Text::SectionConfirm,
            Section::Models => Text::SectionModels,
            Section::Inside => Text::SectionInside,
        }
    }
}

/// A key with its modifiers (Shift folded into the character for letters and symbols).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    /// A plain key.
    pub const fn new(code: KeyCode) -> Key {
        Key {
            code,
            mods: KeyModifiers::NONE,
        }
    }

    /// A character key (upper case for Shift+letter).
    pub const fn ch(c: char) -> Key {
        Key::new(KeyCode::Char(c))
    }

    /// Ctrl + a lower-case letter, or Ctrl + another key.
    pub const fn ctrl(code: KeyCode) -> Key {
        Key {
            code,
            mods: KeyModifiers::CONTROL,
        }
    }

    /// Alt + a key.
    pub const fn alt(code: KeyCode) -> Key {
        Key {
            code,
            mods: KeyModifiers::ALT,
        }
    }

    /// The key of a terminal event, normalised: Shift is folded into characters (`T` is `T`,
    /// not Shift+`t`), Ctrl/Alt letters are lower case, AltGr characters (reported as
    /// Ctrl+Alt, e.g. `[` on some European layouts) are plain characters, Shift+Tab is
    /// `BackTab`.
    pub fn from_event(ev: &KeyEvent) -> Key {
        let mut mods =
            ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match ev.code {
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                if mods.contains(KeyModifiers::CONTROL | KeyModifiers::ALT) {
                    mods = KeyModifiers::NONE;
                    KeyCode::Char(c)
                } else if mods.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Key { code, mods }
    }

    /// How the key is written in hints and help: `Ctrl-W`, `Alt-b`, `←`, `Space`, `F1`.
    pub fn label(&self, lang: Lang) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => lang.t(Text::KeySpace).to_string(),
            KeyCode::Char(c) if self.mods.contains(KeyModifiers::CONTROL) => {
                c.to_ascii_uppercase().to_string()
            }
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Delete => "Delete".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        let mut out = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            out.push_str("Ctrl-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            out.push_str("Alt-");
        }
        out.push_str(&base);
        out
    }
}

/// What a binding matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyPat {
    /// One key.
    Key(Key),
    /// Any printable character without Ctrl or Alt (AltGr counts as printable, see
    /// [`Key::from_event`]); resolves to [`Action::InsertChar`].
    AnyChar,
}

/// One row of the key table.
#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    pub scope: Scope,
    pub key: KeyPat,
    /// What the key does (for `AnyChar`, a template: the character typed replaces it).
    pub action: Action,
    pub section: Section,
    /// The description in the help overlay; consecutive rows with the same description are
    /// listed together ("t / T   temperature down / up").
    pub help: Text,
    /// Shown in the footer: (priority, short label); lower priority shows first and survives
    /// narrow terminals.
    pub hint: Option<(u8, Text)>,
    /// Another key for an action that a listed key of the same scope already does (terminal
    /// variants such as Ctrl-H for Backspace); left out of the help overlay to keep it short.
    pub alias: bool,
}

const fn b(scope: Scope, key: Key, action: Action, section: Section, help: Text) -> Binding {
    Binding {
        scope,
        key: KeyPat::Key(key),
        action,
        section,
        help,
        hint: None,
        alias: false,
    }
}

/// An unlisted alias (see [`Binding::alias`]).
const fn alias(scope: Scope, key: Key, action: Action, section: Section, help: Text) -> Binding {
    Binding {
        scope,
        key: KeyPat::Key(key),
        action,
        section,
        help,
        hint: None,
        alias: true,
    }
}

const fn h(
    scope: Scope,
    key: Key,
    action: Action,
    section: Section,
    help: Text,
    priority: u8,
    hint: Text,
) -> Binding {
    Binding {
        scope,
        key: KeyPat::Key(key),
        action,
        section,
        help,
        hint: Some((priority, hint)),
        alias: false,
    }
}

use KeyCode as K;
use Scope::{Branches, Confirm, Edit, Explore, Global, Help, InsideWord, Picker};
use Section as S;
use Text as T;

/// The key table. Order matters only for display.
///
/// `b(scope, key, action, help section, description)` is a binding listed in the help;
/// `h(…, footer priority, footer label)` is also shown in the footer; `alias(…)` is a
/// terminal variant left out of the help.
#[rustfmt::skip]
pub static BINDINGS: &[Binding] = &[
    //     scope     key                       action                    section         description          footer
    // ── everywhere ──
    h(     Global,   Key::ctrl(K::Char('c')),  Action::Quit,             S::Global,      T::KeyQuit,          3,   T::HintQuit),
    alias( Global,   Key::ctrl(K::Char('q')),  Action::Quit,             S::Global,      T::KeyQuit),
    h(     Global,   Key::new(K::F(1)),        Action::ToggleHelp,       S::Global,      T::KeyHelp,          2,   T::HintHelp),
    b(     Global,   Key::new(K::F(2)),        Action::SwitchLanguage,   S::Global,      T::KeyLanguage),
    h(     Global,   Key::new(K::F(3)),        Action::TogglePicker,     S::Models,      T::KeyPicker,        20,  T::HintModels),
    b(     Global,   Key::new(K::F(4)),        Action::ToggleVersus,     S::Global,      T::KeyVersus),
    b(     Global,   Key::ctrl(K::Char('b')),  Action::SwitchPromptSide, S::Global,      T::KeySwitchSide),
    b(     Global,   Key::new(K::F(5)),        Action::SwitchSourceTarget, S::Global,    T::KeySwitchSource),
    h(     Global,   Key::new(K::F(6)),        Action::NextMask,         S::Global,      T::KeyNextMask,      5,   T::HintNextMask),
    b(     Global,   Key::new(K::F(9)),        Action::Export,           S::Global,      T::KeyExport),
    b(     Global,   Key::ctrl(K::Char('s')),  Action::SaveSession,      S::Global,      T::KeySaveSession),
    b(     Global,   Key::new(K::F(7)),        Action::CycleInside,      S::Inside,      T::KeyInside),
    // ── edit mode: switching ──
    h(     Edit,     Key::new(K::Esc),         Action::Explore,          S::Editor,      T::KeyExplore,       1,   T::HintExplore),
    b(     Edit,     Key::new(K::Tab),         Action::ToggleMode,       S::Editor,      T::KeyToggleMode),
    h(     Edit,     Key::ctrl(K::Char('n')),  Action::Step,             S::Editor,      T::KeyStep,          4,   T::HintStep),
    // ── edit mode: the editor ──
    Binding { scope: Edit, key: KeyPat::AnyChar, action: Action::InsertChar(' '), section: S::Editor, help: T::KeyInsert, hint: None, alias: false },
    b(     Edit,     Key::new(K::Enter),       Action::Newline,          S::Editor,      T::KeyNewline),
    b(     Edit,     Key::new(K::Backspace),   Action::DeleteBack,       S::Editor,      T::KeyDelete),
    b(     Edit,     Key::new(K::Delete),      Action::DeleteForward,    S::Editor,      T::KeyDelete),
    alias( Edit,     Key::ctrl(K::Char('h')),  Action::DeleteBack,       S::Editor,      T::KeyDelete),
    alias( Edit,     Key::ctrl(K::Char('d')),  Action::DeleteForward,    S::Editor,      T::KeyDelete),
    b(     Edit,     Key::ctrl(K::Char('w')),  Action::DeleteWordBack,   S::Editor,      T::KeyDeleteWord),
    b(     Edit,     Key::alt(K::Backspace),   Action::DeleteWordBack,   S::Editor,      T::KeyDeleteWord),
    b(     Edit,     Key::ctrl(K::Char('u')),  Action::KillToLineStart,  S::Editor,      T::KeyKill),
    b(     Edit,     Key::ctrl(K::Char('k')),  Action::KillToLineEnd,    S::Editor,      T::KeyKill),
    b(     Edit,     Key::new(K::Left),        Action::CaretLeft,        S::Editor,      T::KeyCaret),
    b(     Edit,     Key::new(K::Right),       Action::CaretRight,       S::Editor,      T::KeyCaret),
    b(     Edit,     Key::new(K::Up),          Action::CaretUp,          S::Editor,      T::KeyCaret),
    b(     Edit,     Key::new(K::Down),        Action::CaretDown,        S::Editor,      T::KeyCaret),
    b(     Edit,     Key::ctrl(K::Left),       Action::CaretWordLeft,    S::Editor,      T::KeyCaretWord),
    b(     Edit,     Key::ctrl(K::Right),      Action::CaretWordRight,   S::Editor,      T::KeyCaretWord),
    alias( Edit,     Key::alt(K::Left),        Action::CaretWordLeft,    S::Editor,      T::KeyCaretWord),
    alias( Edit,     Key::alt(K::Right),       Action::CaretWordRight,   S::Editor,      T::KeyCaretWord),
    b(     Edit,     Key::new(K::Home),        Action::CaretLineStart,   S::Editor,      T::KeyCaretLine),
    b(     Edit,     Key::new(K::End),         Action::CaretLineEnd,     S::Editor,      T::KeyCaretLine),
    b(     Edit,     Key::ctrl(K::Char('a')),  Action::CaretLineStart,   S::Editor,      T::KeyCaretLine),
    b(     Edit,     Key::ctrl(K::Char('e')),  Action::CaretLineEnd,     S::Editor,      T::KeyCaretLine),
    // ── explore: switching back ──
    h(     Explore,  Key::ch('i'),             Action::Edit,             S::View,        T::KeyEdit,          1,   T::HintEdit),
    b(     Explore,  Key::ch('e'),             Action::Edit,             S::View,        T::KeyEdit),
    b(     Explore,  Key::new(K::Tab),         Action::ToggleMode,       S::View,        T::KeyToggleMode),
    h(     Explore,  Key::ch('?'),             Action::ToggleHelp,       S::View,        T::KeyHelp,          2,   T::HintHelp),
    h(     Explore,  Key::ch('q'),             Action::Quit,             S::View,        T::KeyQuit,          3,   T::HintQuit),
    // ── explore: generation ──
    h(     Explore,  Key::ch(' '),             Action::Step,             S::Generation,  T::KeyStep,          4,   T::HintStep),
    b(     Explore,  Key::ch('s'),             Action::Step,             S::Generation,  T::KeyStep),
    h(     Explore,  Key::ch('1'),             Action::PickRank(1),      S::Generation,  T::KeyPickRank,      5,   T::HintPick),
    h(     Explore,  Key::ch('2'),             Action::PickRank(2),      S::Generation,  T::KeyPickRank,      5,   T::HintPick),
    h(     Explore,  Key::ch('3'),             Action::PickRank(3),      S::Generation,  T::KeyPickRank,      5,   T::HintPick),
    h(     Explore,  Key::ch('4'),             Action::PickRank(4),      S::Generation,  T::KeyPickRank,      5,   T::HintPick),
    h(     Explore,  Key::ch('5'),             Action::PickRank(5),      S::Generation,  T::KeyPickRank,      5,   T::HintPick),
    h(     Explore,  Key::ch('6'),             Action::PickRank(6),      S::Generation,  T::KeyPickRank,      5,   T::HintPick),
    h(     Explore,  Key::ch('7'),             Action::PickRank(7),      S::Generation,  T::KeyPickRank,      5,   T::HintPick),
    h(     Explore,  Key::ch('8'),             Action::PickRank(8),      S::Generation,  T::KeyPickRank,      5,   T::HintPick),
    h(     Explore,  Key::ch('9'),             Action::PickRank(9),      S::Generation,  T::KeyPickRank,      5,   T::HintPick),
    h(     Explore,  Key::new(K::Up),          Action::SelectUp,         S::Generation,  T::KeySelect,        9,   T::HintChoose),
    h(     Explore,  Key::new(K::Down),        Action::SelectDown,       S::Generation,  T::KeySelect,        9,   T::HintChoose),
    h(     Explore,  Key::new(K::Enter),       Action::PickSelected,     S::Generation,  T::KeyPickSelected,  9,   T::HintChoose),
    h(     Explore,  Key::ch('u'),             Action::Undo,             S::Generation,  T::KeyUndo,          6,   T::HintUndoRedo),
    h(     Explore,  Key::ch('U'),             Action::Redo,             S::Generation,  T::KeyRedo,          6,   T::HintUndoRedo),
    b(     Explore,  Key::ctrl(K::Char('r')),  Action::Redo,             S::Generation,  T::KeyRedo),
    h(     Explore,  Key::ch('a'),             Action::ToggleAutoplay,   S::Generation,  T::KeyAutoplay,      12,  T::HintAuto),
    b(     Explore,  Key::ch('+'),             Action::Faster,           S::Generation,  T::KeySpeed),
    b(     Explore,  Key::ch('-'),             Action::Slower,           S::Generation,  T::KeySpeed),
    b(     Explore,  Key::ch('x'),             Action::ResetGeneration,  S::Generation,  T::KeyReset),
    // ── explore: look back and branches ──
    h(     Explore,  Key::new(K::Left),        Action::LookBack,         S::LookBack,    T::KeyLook,          7,   T::HintLook),
    h(     Explore,  Key::new(K::Right),       Action::LookForward,      S::LookBack,    T::KeyLook,          7,   T::HintLook),
    b(     Explore,  Key::new(K::Home),        Action::LookFirst,        S::LookBack,    T::KeyLookFirst),
    b(     Explore,  Key::new(K::End),         Action::LookLive,         S::LookBack,    T::KeyLookLive),
    b(     Explore,  Key::new(K::Esc),         Action::LookLive,         S::LookBack,    T::KeyLookLive),
    h(     Explore,  Key::ch('['),             Action::PrevBranch,       S::LookBack,    T::KeyBranch,        10,  T::HintBranch),
    h(     Explore,  Key::ch(']'),             Action::NextBranch,       S::LookBack,    T::KeyBranch,        10,  T::HintBranch),
    // ── explore: sampling ──
    h(     Explore,  Key::ch('t'),             Action::TemperatureDown,  S::Sampling,    T::KeyTemperature,   8,   T::HintTemperature),
    h(     Explore,  Key::ch('T'),             Action::TemperatureUp,    S::Sampling,    T::KeyTemperature,   8,   T::HintTemperature),
    h(     Explore,  Key::ch('k'),             Action::TopKDown,         S::Sampling,    T::KeyTopK,          11,  T::HintTopK),
    h(     Explore,  Key::ch('K'),             Action::TopKUp,           S::Sampling,    T::KeyTopK,          11,  T::HintTopK),
    h(     Explore,  Key::ch('p'),             Action::TopPDown,         S::Sampling,    T::KeyTopP,          11,  T::HintTopP),
    h(     Explore,  Key::ch('P'),             Action::TopPUp,           S::Sampling,    T::KeyTopP,          11,  T::HintTopP),
    h(     Explore,  Key::ch('m'),             Action::MinPDown,         S::Sampling,    T::KeyMinP,          11,  T::HintMinP),
    h(     Explore,  Key::ch('M'),             Action::MinPUp,           S::Sampling,    T::KeyMinP,          11,  T::HintMinP),
    h(     Explore,  Key::ch('g'),             Action::ToggleGreedy,     S::Sampling,    T::KeyGreedy,        8,   T::HintGreedy),
    b(     Explore,  Key::ch('r'),             Action::NextSeed,         S::Sampling,    T::KeySeed),
    b(     Explore,  Key::ch('R'),             Action::PrevSeed,         S::Sampling,    T::KeySeed),
    // ── explore: comparison lab ──
    h(     Explore,  Key::ch('A'),             Action::AddSampler,       S::Sampling,    T::KeyAddSampler,    12,  T::HintColumns),
    b(     Explore,  Key::ch('D'),             Action::RemoveSampler,    S::Sampling,    T::KeyRemoveSampler),
    b(     Explore,  Key::ch('<'),             Action::SelectSampler(-1), S::Sampling,   T::KeySelectSampler),
    b(     Explore,  Key::ch('>'),             Action::SelectSampler(1), S::Sampling,    T::KeySelectSampler),
    b(     Explore,  Key::ch('v'),             Action::NextPreset,       S::Sampling,    T::KeyPreset),
    b(     Explore,  Key::ch('o'),             Action::ToggleOrder,      S::Sampling,    T::KeyOrder),
    h(     Explore,  Key::ch('n'),             Action::ToggleRolls,      S::Sampling,    T::KeyRolls,         12,  T::HintRolls),
    b(     Explore,  Key::ch('N'),             Action::NextRollCount,    S::Sampling,    T::KeyRollCount),
    // ── explore: view ──
    b(     Explore,  Key::ch('c'),             Action::ToggleChat,       S::View,        T::KeyChat),
    b(     Explore,  Key::ch('#'),             Action::ToggleIds,        S::View,        T::KeyIds),
    b(     Explore,  Key::ch('S'),             Action::SaveSession,      S::View,        T::KeySaveSession),
    h(     Explore,  Key::ch('l'),             Action::SwitchLanguage,   S::View,        T::KeyLanguage,      13,  T::HintLanguage),
    h(     Explore,  Key::ch('z'),             Action::ToggleProjector,  S::View,        T::KeyProjector,     14,  T::HintProjector),
    h(     Explore,  Key::ch('w'),             Action::ToggleWords,      S::View,        T::KeyWords,         15,  T::HintWords),
    h(     Explore,  Key::ch('b'),             Action::ToggleBranches,   S::LookBack,    T::KeyBranches,      10,  T::HintBranches),
    // ── explore: inside the model ──
    h(     Explore,  Key::ch('I'),             Action::CycleInside,      S::Inside,      T::KeyInside,        16,  T::HintInside),
    h(     Explore,  Key::ch('('),             Action::InsideLayer(-1),  S::Inside,      T::KeyInsideLayer,   6,   T::HintInsideLayer),
    h(     Explore,  Key::ch(')'),             Action::InsideLayer(1),   S::Inside,      T::KeyInsideLayer,   6,   T::HintInsideLayer),
    h(     Explore,  Key::ch('h'),             Action::InsideHead(1),    S::Inside,      T::KeyInsideHead,    6,   T::HintInsideHead),
    h(     Explore,  Key::ch('H'),             Action::InsideHead(-1),   S::Inside,      T::KeyInsideHead,    6,   T::HintInsideHead),
    h(     Explore,  Key::ch('f'),             Action::InsideWordOpen,   S::Inside,      T::KeyInsideWord,    6,   T::HintInsideWord),
    // ── the inside view's word field ──
    Binding { scope: InsideWord, key: KeyPat::AnyChar, action: Action::InsertChar(' '), section: S::Inside, help: T::KeyInsideWordType, hint: None, alias: false },
    h(     InsideWord, Key::new(K::Enter),     Action::InsideWordSubmit, S::Inside,      T::KeyInsideWordSubmit, 1, T::HintInsideWordSubmit),
    h(     InsideWord, Key::new(K::Esc),       Action::InsideWordClose,  S::Inside,      T::KeyInsideWordClose, 2, T::HintClose),
    b(     InsideWord, Key::new(K::Backspace), Action::DeleteBack,       S::Inside,      T::KeyInsideWordDelete),
    // ── branch tree ──
    h(     Branches, Key::new(K::Esc),         Action::ToggleBranches,   S::Branches,    T::KeyBranchesClose, 1,   T::HintClose),
    b(     Branches, Key::ch('b'),             Action::ToggleBranches,   S::Branches,    T::KeyBranchesClose),
    b(     Branches, Key::ch('q'),             Action::ToggleBranches,   S::Branches,    T::KeyBranchesClose),
    h(     Branches, Key::new(K::Up),          Action::MoveBranchSelection(-1), S::Branches, T::KeyBranchesMove, 2, T::HintChoose),
    h(     Branches, Key::new(K::Down),        Action::MoveBranchSelection(1),  S::Branches, T::KeyBranchesMove, 2, T::HintChoose),
    h(     Branches, Key::new(K::Enter),       Action::ChooseBranch(None),      S::Branches, T::KeyBranchesChoose, 3, T::HintSwitchBranch),
    // ── model picker ──
    h(     Picker,   Key::new(K::Esc),         Action::TogglePicker,     S::Models,      T::KeyPickerClose,   1,   T::HintClose),
    b(     Picker,   Key::ch('q'),             Action::TogglePicker,     S::Models,      T::KeyPickerClose),
    h(     Picker,   Key::new(K::Up),          Action::PickerMove(-1),   S::Models,      T::KeyPickerMove,    2,   T::HintChoose),
    h(     Picker,   Key::new(K::Down),        Action::PickerMove(1),    S::Models,      T::KeyPickerMove,    2,   T::HintChoose),
    h(     Picker,   Key::new(K::Enter),       Action::PickerChoose,     S::Models,      T::KeyPickerChoose,  3,   T::HintLoad),
    h(     Picker,   Key::ch('b'),             Action::PickerOpenAsB,    S::Models,      T::KeyPickerAsB,     4,   T::HintAsB),
    h(     Picker,   Key::ch('x'),             Action::CloseModelB,      S::Models,      T::KeyPickerCloseB,  5,   T::HintCloseB),
    // ── "quit?" ──
    h(     Confirm,  Key::ch('y'),             Action::ConfirmQuit,      S::Confirm,     T::KeyConfirmYes,    1,   T::KeyConfirmYes),
    h(     Confirm,  Key::ch('s'),             Action::ConfirmQuit,      S::Confirm,     T::KeyConfirmYes,    1,   T::KeyConfirmYes),
    b(     Confirm,  Key::ch('q'),             Action::ConfirmQuit,      S::Confirm,     T::KeyConfirmYes),
    h(     Confirm,  Key::ch('n'),             Action::CancelQuit,       S::Confirm,     T::KeyConfirmNo,     2,   T::KeyConfirmNo),
    b(     Confirm,  Key::new(K::Esc),         Action::CancelQuit,       S::Confirm,     T::KeyConfirmNo),
    // ── help overlay ──
    h(     Help,     Key::new(K::Esc),         Action::ToggleHelp,       S::Help,        T::KeyCloseHelp,     1,   T::HintClose),
    b(     Help,     Key::ch('?'),             Action::ToggleHelp,       S::Help,        T::KeyCloseHelp),
    b(     Help,     Key::ch('q'),             Action::ToggleHelp,       S::Help,        T::KeyCloseHelp),
    h(     Help,     Key::new(K::Up),          Action::ScrollHelp(-1),   S::Help,        T::KeyScrollHelp,    2,   T::HintScroll),
    h(     Help,     Key::new(K::Down),        Action::ScrollHelp(1),    S::Help,        T::KeyScrollHelp,    2,   T::HintScroll),
    b(     Help,     Key::new(K::PageUp),      Action::ScrollHelp(-10),  S::Help,        T::KeyScrollHelp),
    b(     Help,     Key::new(K::PageDown),    Action::ScrollHelp(10),   S::Help,        T::KeyScrollHelp),
];

/// The action of a key press in `ctx`, if any. Key releases are ignored.
pub fn resolve(ctx: Context, ev: &KeyEvent) -> Option<Action> {
    if ev.kind == KeyEventKind::Release {
        return None;
    }
    let key = Key::from_event(ev);
    let own = BINDINGS
        .iter()
        .filter(|b| b.scope != Scope::Global && b.scope.applies(ctx));
    let global = BINDINGS.iter().filter(|b| b.scope == Scope::Global);
    for binding in own.clone().chain(global) {
        if binding.key == KeyPat::Key(key) {
            return Some(binding.action.clone());
        }
    }
    if let KeyCode::Char(c) = key.code {
        let printable = !c.is_control()
            && !key
                .mods
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        if printable && own.clone().any(|b| b.key == KeyPat::AnyChar) {
            return Some(Action::InsertChar(c));
        }
    }
    None
}

/// An Esc read together with the key after it. Terminals send Alt+key as Esc followed by the
/// key, so a quick Esc, `b` arrives as Alt-b. In Edit mode no Alt+character is bound (word
/// motion is Ctrl-←/→, Alt-←/→), so such an event is taken as what the user typed: Esc (leave
/// the editor), then the plain key, which acts in Explore mode. Returns the plain key.
pub fn split_escape(ctx: Context, ev: &KeyEvent) -> Option<KeyEvent> {
    let key = Key::from_event(ev);
    let alt_char = matches!(key.code, KeyCode::Char(_)) && key.mods == KeyModifiers::ALT;
    (ctx == Context::Edit && alt_char && ev.kind != KeyEventKind::Release).then(|| KeyEvent {
        modifiers: ev.modifiers - KeyModifiers::ALT,
        ..*ev
    })
}

/// The actions of a key press in `ctx`: usually one ([`resolve`]); an Esc glued to the next
/// key ([`split_escape`]) gives "leave the editor", then that key's Explore action.
pub fn resolve_all(ctx: Context, ev: &KeyEvent) -> Vec<Action> {
    match split_escape(ctx, ev) {
        Some(plain) => std::iter::once(Action::Explore)
            .chain(resolve(Context::Explore, &plain))
            .collect(),
        None => resolve(ctx, ev).into_iter().collect(),
    }
}

/// The bindings that apply in `ctx` (its own, then the global ones).
pub fn bindings_for(ctx: Context) -> impl Iterator<Item = &'static Binding> {
    BINDINGS
        .iter()
        .filter(move |b| b.scope != Scope::Global && b.scope.applies(ctx))
        .chain(BINDINGS.iter().filter(|b| b.scope == Scope::Global))
}

/// The keys bound to `action` in `ctx`, in table order.
pub fn keys_for(ctx: Context, action: &Action) -> Vec<Key> {
    bindings_for(ctx)
        .filter(|b| &b.action == action)
        .filter_map(|b| match b.key {
            KeyPat::Key(k) => Some(k),
            KeyPat::AnyChar => None,
        })
        .collect()
}

/// The label of the first key bound to `action` in `ctx` (e.g. `Space` for `Step`).
pub fn key_label(ctx: Context, action: &Action, lang: Lang) -> Option<String> {
    keys_for(ctx, action).first().map(|k| k.label(lang))
}

/// Labels of several keys, written compactly: runs of three or more consecutive digits as
/// `1–9`, others joined by `/`.
pub fn join_labels(keys: &[Key], lang: Lang) -> String {
    let digits: Vec<u32> = keys
        .iter()
        .filter_map(|k| match (k.code, k.mods.is_empty()) {
            (KeyCode::Char(c), true) => c.to_digit(10),
            _ => None,
        })
        .collect();
    if keys.len() >= 3 && digits.len() == keys.len() && digits.windows(2).all(|w| w[1] == w[0] + 1)
    {
        return format!("{}–{}", digits[0], digits[digits.len() - 1]);
    }
    keys.iter()
        .map(|k| k.label(lang))
        .collect::<Vec<_>>()
        .join("/")
}

/// One footer hint: the keys (already joined) and the short label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hint {
    pub keys: String,
    pub label: &'static str,
    pub priority: u8,
    /// What the first of its keys does (the footer leaves out what the loaded model cannot do).
    pub action: Action,
}

/// The footer hints for `ctx`, most important first. Rows that share a label are merged
/// (`t/T temperature`, `1–9 pick`).
pub fn hints(ctx: Context, lang: Lang) -> Vec<Hint> {
    let mut groups: Vec<(u8, Text, Vec<Key>, Scope, &Action)> = Vec::new();
    for binding in bindings_for(ctx) {
        let (Some((priority, label)), KeyPat::Key(key)) = (binding.hint, binding.key) else {
            continue;
        };
        match groups.iter_mut().find(|(_, l, _, _, _)| *l == label) {
            // A global key whose job the context's own keys already show is left out
            // (Explore shows `?` for help, not `?/F1`).
            Some((_, _, keys, scope, _)) if *scope == binding.scope => keys.push(key),
            Some(_) => {}
            None => groups.push((priority, label, vec![key], binding.scope, &binding.action)),
        }
    }
    groups.sort_by_key(|(p, _, _, _, _)| *p);
    groups
        .into_iter()
        .map(|(priority, label, keys, _, action)| Hint {
            keys: join_labels(&keys, lang),
            label: lang.t(label),
            priority,
            action: action.clone(),
        })
        .collect()
}

/// One line of the help overlay: keys and description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelpRow {
    pub keys: String,
    pub description: &'static str,
}

/// The help overlay's content: every binding, grouped by section, rows with the same
/// description merged.
pub fn help_sections(lang: Lang) -> Vec<(Section, Vec<HelpRow>)> {
    Section::ALL
        .iter()
        .map(|&section| {
            let mut rows: Vec<(Text, Vec<Key>, bool)> = Vec::new();
            for binding in BINDINGS.iter().filter(|b| b.section == section && !b.alias) {
                let entry = match rows.iter_mut().find(|(t, _, _)| *t == binding.help) {
                    Some(e) => e,
                    None => {
                        rows.push((binding.help, Vec::new(), false));
                        rows.last_mut().expect("just pushed")
                    }
                };
                match binding.key {
                    KeyPat::Key(k) => entry.1.push(k),
                    KeyPat::AnyChar => entry.2 = true,
                }
            }
            let rows = rows
                .into_iter()
                .map(|(help, keys, any_char)| {
                    let mut label = join_labels(&keys, lang);
                    if any_char {
                        label = if label.is_empty() {
                            lang.t(Text::KeyAnyChar).to_string()
                        } else {
                            format!("{} / {label}", lang.t(Text::KeyAnyChar))
                        };
                    }
                    HelpRow {
                        keys: label,
                        description: lang.t(help),
                    }
                })
                .collect();
            (section, rows)
        })
        .filter(|(_, rows): &(Section, Vec<HelpRow>)| !rows.is_empty())
        .collect()
}

/// Every binding as Markdown tables, one per help section (the README's key table is this text,
/// checked by `tests/readme.rs`).
pub fn markdown(lang: Lang) -> String {
    let mut out = String::new();
    for (section, rows) in help_sections(lang) {
        out.push_str(&format!(
            "**{}**\n\n| keys | action |\n|---|---|\n",
            lang.t(section.title())
        ));
        for row in rows {
            let keys = row.keys.replace('|', "\\|");
            out.push_str(&format!(
                "| {keys} | {} |\n",
                row.description.replace('|', "\\|")
            ));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventState;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent {
            code,
            modifiers: mods,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        }
    }

    #[test]
    fn no_two_bindings_share_a_key_in_one_scope() {
        for (i, a) in BINDINGS.iter().enumerate() {
            for other in &BINDINGS[i + 1..] {
                assert!(
                    !(a.scope == other.scope && a.key == other.key),
                    "{:?} bound twice in {:?}",
                    a.key,
                    a.scope
                );
            }
        }
    }

    #[test]
    fn global_keys_are_not_shadowed_by_mode_keys() {
        for g in BINDINGS.iter().filter(|b| b.scope == Scope::Global) {
            for m in BINDINGS.iter().filter(|b| b.scope != Scope::Global) {
                assert!(
                    g.key != m.key || g.action == m.action,
                    "{:?} shadows a global key",
                    m.key
                );
            }
        }
    }

    #[test]
    fn shift_is_folded_into_characters() {
        let t = ev(KeyCode::Char('T'), KeyModifiers::SHIFT);
        assert_eq!(resolve(Context::Explore, &t), Some(Action::TemperatureUp));
        let redo = ev(
            KeyCode::Char('R'),
            KeyModifiers::CONTROL | KeyModifiers::SHIFT,
        );
        assert_eq!(resolve(Context::Explore, &redo), Some(Action::Redo));
    }

    #[test]
    fn printable_keys_type_in_edit_mode() {
        for c in ['q', 's', '1', '?', 'ã', '日', ' ', 'T'] {
            let e = ev(KeyCode::Char(c), KeyModifiers::NONE);
            assert_eq!(
                resolve(Context::Edit, &e),
                Some(Action::InsertChar(c)),
                "{c}"
            );
        }
        // AltGr (Ctrl+Alt) characters are printable too.
        let altgr = ev(
            KeyCode::Char('@'),
            KeyModifiers::CONTROL | KeyModifiers::ALT,
        );
        assert_eq!(
            resolve(Context::Edit, &altgr),
            Some(Action::InsertChar('@'))
        );
        // Ctrl letters are not.
        let ctrl_x = ev(KeyCode::Char('x'), KeyModifiers::CONTROL);
        assert_eq!(resolve(Context::Edit, &ctrl_x), None);
    }

    #[test]
    fn esc_glued_to_a_key_is_esc_then_the_key_in_edit_mode() {
        let glued = ev(KeyCode::Char('b'), KeyModifiers::ALT);
        assert_eq!(
            resolve_all(Context::Edit, &glued),
            [Action::Explore, Action::ToggleBranches]
        );
        let glued_q = ev(KeyCode::Char('q'), KeyModifiers::ALT);
        assert_eq!(
            resolve_all(Context::Edit, &glued_q),
            [Action::Explore, Action::Quit]
        );
        // Outside Edit mode and for other keys nothing changes.
        assert_eq!(resolve_all(Context::Explore, &glued), Vec::<Action>::new());
        let alt_left = ev(KeyCode::Left, KeyModifiers::ALT);
        assert_eq!(
            resolve_all(Context::Edit, &alt_left),
            [Action::CaretWordLeft]
        );
    }

    #[test]
    fn releases_are_ignored() {
        let mut e = ev(KeyCode::Char('q'), KeyModifiers::NONE);
        e.kind = KeyEventKind::Release;
        assert_eq!(resolve(Context::Explore, &e), None);
    }

    #[test]
    fn labels() {
        assert_eq!(Key::ctrl(KeyCode::Char('w')).label(Lang::En), "Ctrl-W");
        assert_eq!(Key::alt(KeyCode::Char('b')).label(Lang::En), "Alt-b");
        assert_eq!(Key::ch(' ').label(Lang::PtBr), "Espaço");
        let digits: Vec<Key> = "123456789".chars().map(Key::ch).collect();
        assert_eq!(join_labels(&digits, Lang::En), "1–9");
        assert_eq!(join_labels(&[Key::ch('t'), Key::ch('T')], Lang::En), "t/T");
    }

    #[test]
    fn every_context_hints_how_to_leave_it_and_get_help() {
        let edit = hints(Context::Edit, Lang::En);
        assert_eq!(edit[0].keys, "Esc");
        assert!(edit.iter().any(|h| h.keys == "F1"));
        let explore = hints(Context::Explore, Lang::En);
        assert_eq!(explore[0].keys, "i");
        assert!(explore.iter().any(|h| h.keys == "?"));
        assert!(explore.iter().any(|h| h.keys == "1–9"));
        let help = hints(Context::Help, Lang::En);
        assert_eq!(help[0].keys, "Esc");
    }

    #[test]
    fn every_binding_is_in_the_help() {
        let sections = help_sections(Lang::En);
        for binding in BINDINGS {
            if binding.alias {
                // An alias's action is listed under another key of the same scope.
                assert!(
                    BINDINGS.iter().any(|b| !b.alias
                        && b.scope == binding.scope
                        && b.action == binding.action),
                    "alias {:?} has no listed key",
                    binding.key
                );
                continue;
            }
            let (_, rows) = sections
                .iter()
                .find(|(s, _)| *s == binding.section)
                .expect("section listed");
            let desc = Lang::En.t(binding.help);
            let row = rows
                .iter()
                .find(|r| r.description == desc)
                .expect("description listed");
            if let KeyPat::Key(k) = binding.key {
                let label = k.label(Lang::En);
                assert!(
                    row.keys.split('/').any(|l| l == label) || row.keys.contains('–'),
                    "{label} missing from help row {:?}",
                    row.keys
                );
            }
        }
    }

    #[test]
    fn every_action_with_a_key_is_in_the_help_in_both_languages() {
        for lang in [Lang::En, Lang::PtBr] {
            let listed: Vec<&'static str> = help_sections(lang)
                .into_iter()
                .flat_map(|(_, rows)| rows.into_iter().map(|r| r.description))
                .collect();
            for binding in BINDINGS {
                assert!(
                    listed.contains(&lang.t(binding.help)),
                    "{:?} not in the {lang:?} help",
                    binding.action
                );
            }
        }
    }
}
