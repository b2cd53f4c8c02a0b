//! Every user intent, as one enum. Keys (`keymap`), mouse clicks (`ui::hit_test`) and tests all
//! produce `Action`s; only `state::update` interprets them.

/// One thing the user asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    // ── Prompt editor (Edit mode) ──────────────────────────────────────────────────────────
    /// Type one character into the prompt at the cursor.
    InsertChar(char),
    /// Insert pasted text at the cursor (line endings normalised to `\n`).
    Paste(String),
    /// Insert a line break at the cursor.
    Newline,
    /// Delete the character before the cursor.
    DeleteBack,
    /// Delete the character under the cursor.
    DeleteForward,
    /// Delete from the cursor back to the start of the word.
    DeleteWordBack,
    /// Delete from the cursor to the start of the line.
    KillToLineStart,
    /// Delete from the cursor to the end of the line.
    KillToLineEnd,
    /// Move the text cursor one character left.
    CaretLeft,
    /// Move the text cursor one character right.
    CaretRight,
    /// Move the text cursor one screen line up.
    CaretUp,
    /// Move the text cursor one screen line down.
    CaretDown,
    /// Move the text cursor one word left.
    CaretWordLeft,
    /// Move the text cursor one word right.
    CaretWordRight,
    /// Move the text cursor to the start of the line.
    CaretLineStart,
    /// Move the text cursor to the end of the line.
    CaretLineEnd,

    // ── Modes and overlays ─────────────────────────────────────────────────────────────────
    /// Leave the editor and let single-letter keys act (Explore mode).
    Explore,
    /// Go back to typing in the prompt (Edit mode).
    Edit,
    /// Switch between Edit and Explore.
    ToggleMode,
    /// Show or hide the help overlay.
    ToggleHelp,
    /// Scroll the help overlay by this many lines (negative = up).
    ScrollHelp(i16),

    // ── Generation ─────────────────────────────────────────────────────────────────────────
    /// Roll the dice: sample the next token with the current settings and append it.
    Step,
    /// Append the candidate with this 1-based rank (keys 1–9, or a click on its row).
    PickRank(usize),
    /// Move the candidate selection up (towards rank 1).
    SelectUp,
    /// Move the candidate selection down.
    SelectDown,
    /// Append the selected candidate (Enter); goes back to the editor when nothing is shown.
    PickSelected,
    /// Take back the last token (it stays in the tree for redo).
    Undo,
    /// Put back the token taken back last.
    Redo,
    /// Start or stop generating on its own, one dice roll after another.
    ToggleAutoplay,
    /// Make autoplay faster.
    Faster,
    /// Make autoplay slower.
    Slower,
    /// Throw the whole generation away (keep the prompt).
    ResetGeneration,
    /// Move the look-back cursor one token left.
    LookBack,
    /// Move the look-back cursor one token right (past the end: live again).
    LookForward,
    /// Put the look-back cursor on the first token.
    LookFirst,
    /// Leave look-back: show the live next-token distribution again.
    LookLive,
    /// Look at the token at this index of the sequence (mouse click on a token).
    LookAt(usize),
    /// Put the text cursor at this screen row and column of the prompt pane (mouse click).
    ClickPrompt { row: u16, col: u16 },
    /// Switch to the previous sibling branch.
    PrevBranch,
    /// Switch to the next sibling branch.
    NextBranch,

    // ── Sampling settings ──────────────────────────────────────────────────────────────────
    /// Lower the temperature.
    TemperatureDown,
    /// Raise the temperature.
    TemperatureUp,
    /// Keep fewer tokens in top-k.
    TopKDown,
    /// Keep more tokens in top-k (up to off).
    TopKUp,
    /// Lower top-p (a smaller nucleus).
    TopPDown,
    /// Raise top-p (up to off).
    TopPUp,
    /// Lower min-p (down to off).
    MinPDown,
    /// Raise min-p.
    MinPUp,
    /// Switch between greedy (temperature 0) and sampling.
    ToggleGreedy,
    /// Use the next random seed.
    NextSeed,
    /// Use the previous random seed.
    PrevSeed,

    // ── Comparison lab ─────────────────────────────────────────────────────────────────────
    /// Add a sampler column (up to four) and select it.
    AddSampler,
    /// Remove the selected sampler column.
    RemoveSampler,
    /// Select the sampler column this many places to the right (negative = left), wrapping.
    SelectSampler(isize),
    /// Give the selected column the next preset.
    NextPreset,
    /// Switch the selected column between HF's and llama.cpp's stage order.
    ToggleOrder,
    /// Show or hide the roll-many view.
    ToggleRolls,
    /// Roll 100, 1 000 or 10 000 times (and show the view).
    NextRollCount,
    /// Show or hide prompt B beside the prompt (A/B comparison).
    ToggleVersus,
    /// Type into the other prompt (A or B).
    SwitchPromptSide,
    /// Encoder-decoder: type into the source (what the encoder reads) or the target.
    SwitchSourceTarget,

    // ── View and session ───────────────────────────────────────────────────────────────────
    /// Wrap the prompt in the model's chat template, or not.
    ToggleChat,
    /// Show or hide token ids.
    ToggleIds,
    /// Switch the interface language.
    SwitchLanguage,
    /// Leave tokenscope (asks first when there is generated text).
    Quit,

    // ── Classroom (issue 14) ───────────────────────────────────────────────────────────────
    /// Answer yes to "quit?": leave.
    ConfirmQuit,
    /// Answer no to "quit?": stay.
    CancelQuit,
    /// Switch between the standard layout and the projector layout (large bars, fewer panes).
    ToggleProjector,
    /// The word view of the next-token pane (each candidate completed to a whole word).
    ToggleWords,
    /// Open or close the branch tree (every continuation side by side).
    ToggleBranches,
    /// Move the selection in the branch tree by this many lines (negative = up).
    MoveBranchSelection(i16),
    /// Switch to the branch selected in the branch tree (or at this line, from a click).
    ChooseBranch(Option<usize>),

    // ── Models (issue 8) ───────────────────────────────────────────────────────────────────
    /// Open or close the model picker.
    TogglePicker,
    /// Move the picker's selection by this many rows (negative = up).
    PickerMove(i16),
    /// Load the selected model in place of the current one (which answers until it is ready).
    PickerChoose,
    /// Open the selected model as model B, beside the current one (model A/B).
    PickerOpenAsB,
    /// Close model B.
    CloseModelB,

    // ── Export and sessions (issue 11) ─────────────────────────────────────────────────────
    /// Write the current view as Markdown, JSON, CSV and a text screenshot.
    Export,
    /// Save the whole session (prompt, branches, settings) to load again with `--session`.
    SaveSession,

    // ── Encoders (issue 12) ────────────────────────────────────────────────────────────────
    /// Fill-mask: show the distribution at the next `[MASK]` of the prompt.
    NextMask,

    // ── Inside the model (issue 11) ────────────────────────────────────────────────────────
    /// Cycle the inside view: off → embedding → logit lens → attention → off.
    CycleInside,
    /// The attention view's layer: this many layers later (negative = earlier).
    InsideLayer(i8),
    /// The attention view's head: the next one (1) or the previous one (-1); the mean over
    /// heads comes after the last head.
    InsideHead(i8),
    /// Open the embedding view's field for a word whose neighbours to show.
    InsideWordOpen,
    /// Look up the word in the field (an empty field goes back to the selected token).
    InsideWordSubmit,
    /// Close the word field.
    InsideWordClose,
}

/// The part of the state an action changes; `state::update` hands each action to the file of
/// its concern (`state/edit.rs`, `state/generation.rs`, …), so a new view adds a concern and a
/// file, not arms to one big match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Concern {
    /// The prompt text and its cursor.
    Editing,
    /// Modes, overlays and display toggles.
    Interface,
    /// Choosing tokens: step, pick, undo, autoplay, branches.
    Generation,
    /// The look-back cursor.
    LookBack,
    /// Sampling settings.
    Sampling,
    /// The comparison lab: sampler columns and roll-many.
    Lab,
    /// Prompt A/B.
    Versus,
    /// The branch tree overlay.
    Branches,
    /// The word view of the next-token pane.
    Words,
    /// The model picker, switching models, model B.
    Models,
    /// An encoder-decoder's source text.
    Source,
    /// An encoder's views (fill-mask, sentence embeddings).
    Encoder,
    /// Export files and saved sessions.
    Export,
    /// The inside-the-model view (embedding, logit lens, attention).
    Inside,
}

impl Action {
    /// Which concern handles this action.
    pub fn concern(&self) -> Concern {
        use Action::*;
        match self {
            InsertChar(_)
            | Paste(_)
            | Newline
            | DeleteBack
            | DeleteForward
            | DeleteWordBack
            | KillToLineStart
            | KillToLineEnd
            | CaretLeft
            | CaretRight
            | CaretUp
            | CaretDown
            | CaretWordLeft
            | CaretWordRight
            | CaretLineStart
            | CaretLineEnd
            | ClickPrompt { .. } => Concern::Editing,
            Explore | Edit | ToggleMode | ToggleHelp | ScrollHelp(_) | ToggleChat | ToggleIds
            | SwitchLanguage | Quit | ConfirmQuit | CancelQuit | ToggleProjector => {
                Concern::Interface
            }
            ToggleBranches | MoveBranchSelection(_) | ChooseBranch(_) => Concern::Branches,
            Step | PickRank(_) | SelectUp | SelectDown | PickSelected | Undo | Redo
            | ToggleAutoplay | Faster | Slower | ResetGeneration | PrevBranch | NextBranch => {
                Concern::Generation
            }
            LookBack | LookForward | LookFirst | LookLive | LookAt(_) => Concern::LookBack,
            TemperatureDown | TemperatureUp | TopKDown | TopKUp | TopPDown | TopPUp | MinPDown
            | MinPUp | ToggleGreedy | NextSeed | PrevSeed => Concern::Sampling,
            AddSampler | RemoveSampler | SelectSampler(_) | NextPreset | ToggleOrder
            | ToggleRolls | NextRollCount => Concern::Lab,
            ToggleVersus | SwitchPromptSide => Concern::Versus,
            ToggleWords => Concern::Words,
            TogglePicker | PickerMove(_) | PickerChoose | PickerOpenAsB | CloseModelB => {
                Concern::Models
            }
            SwitchSourceTarget => Concern::Source,
            NextMask => Concern::Encoder,
            Export | SaveSession => Concern::Export,
            CycleInside | InsideLayer(_) | InsideHead(_) | InsideWordOpen | InsideWordSubmit
            | InsideWordClose => Concern::Inside,
        }
    }
}
