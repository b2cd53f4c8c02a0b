//! The source side of an encoder-decoder (translation): the text the encoder reads, edited in
//! its own pane, and what the worker said about it (its tokens, whether the encoder ran, how
//! long it took, the newest decoder step's cross-attention over it).
//!
//! The target is the ordinary prompt + continuation: everything the decoder view has (sampler
//! columns, step, pick, undo, branches, dice, GLTR colours) works on it unchanged. Editing the
//! source starts the translation over; the worker encodes a source once and reuses it for
//! every decoder step (`edit.rs` types into the source; `sync.rs` sends it with each request).

use std::time::Duration;

use crate::action::Action;
use crate::editor::Editor;
use crate::engine::{SourceReport, TokenView};
use crate::state::{Effect, Mode, State};

/// The source text and what the encoder made of it.
#[derive(Clone, Debug)]
pub struct Source {
    pub editor: Editor,
    /// Typing goes into the source (else into the target prefix).
    pub focus: bool,
    /// The source text sent with the newest request.
    pending: Option<String>,
    /// The newest accepted report and the source text it is for.
    report: Option<(String, SourceReport)>,
    /// Times the encoder ran since loading, as last reported.
    pub encoder_runs: u64,
    /// Decoder steps the worker ran since loading (summed from the replies).
    pub decoder_steps: u64,
}

impl Source {
    pub fn new(text: &str) -> Self {
        Self {
            editor: Editor::new(text),
            // An empty source is typed first; a given one is translated (typing goes into
            // the target prefix).
            focus: text.is_empty(),
            pending: None,
            report: None,
            encoder_runs: 0,
            decoder_steps: 0,
        }
    }

    /// Whether the newest report is for the source text as it is now.
    pub fn fresh(&self) -> bool {
        self.report
            .as_ref()
            .is_some_and(|(text, _)| text == self.editor.text())
    }

    /// The newest report (possibly for an older text: see [`Source::fresh`]).
    pub fn report(&self) -> Option<&SourceReport> {
        self.report.as_ref().map(|(_, r)| r)
    }

    /// The source tokens the encoder read, when the report is current.
    pub fn tokens(&self) -> &[TokenView] {
        self.report
            .as_ref()
            .filter(|_| self.fresh())
            .map_or(&[], |(_, r)| &r.tokens)
    }

    /// How long the encoder took for this source (zero before it ran).
    pub fn encode_time(&self) -> Duration {
        self.report().map_or(Duration::ZERO, |r| r.encode_time)
    }
}

/// Applies a source action: switch typing between the source and the target.
pub(super) fn apply(s: &mut State, action: Action) -> Vec<Effect> {
    if let (Action::SwitchSourceTarget, Some(src)) = (action, &mut s.source) {
        src.focus = !src.focus;
        s.mode = Mode::Edit;
    }
    Vec::new()
}

/// Whether there is a source and it is empty (then nothing is evaluated).
pub(super) fn blank(s: &State) -> bool {
    s.source.as_ref().is_some_and(|src| src.editor.is_empty())
}

/// The source text to send with a request now (`None` for a decoder-only model).
pub(super) fn outgoing(s: &mut State) -> Option<String> {
    let src = s.source.as_mut()?;
    let text = src.editor.text().to_string();
    src.pending = Some(text.clone());
    Some(text)
}

/// The source text of the request in flight (for prompt B's requests, which share it).
pub(super) fn current(s: &State) -> Option<String> {
    s.source.as_ref().map(|src| src.editor.text().to_string())
}

/// An accepted reply's report for the source sent with the newest request.
pub(super) fn accept(s: &mut State, report: Option<SourceReport>) {
    let (Some(src), Some(report)) = (s.source.as_mut(), report) else {
        return;
    };
    let text = src
        .pending
        .take()
        .unwrap_or_else(|| src.editor.text().to_string());
    src.encoder_runs = report.encoder_runs;
    src.decoder_steps += report.decoder_steps;
    src.report = Some((text, report));
}

/// Whether the last evaluation is for the current source (always, without one).
pub(super) fn evaluation_fresh(s: &State) -> bool {
    s.source.as_ref().is_none_or(Source::fresh)
}
