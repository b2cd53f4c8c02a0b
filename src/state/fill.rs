//! Fill-mask in the playground: with an encoder that has a masked-LM head, every `[MASK]` in
//! the prompt gets the full-vocabulary distribution at its position, shown in the ordinary
//! next-token pane (same sampler columns, entropy, rest of the vocabulary). One mask is shown
//! at a time (`F6`, or ← / → and a click on a mask chip, choose which); picking a candidate
//! writes it into the prompt in place of that mask.
//!
//! What differs from a decoder is made visible: the encoder read the tokens on *both* sides
//! of the mask ([`context`] says which side each chip is on and which ones the mask attended
//! to most), so a word typed after the mask changes the distribution.

use std::ops::Range;

use crate::action::Action;
use crate::engine::TokenView;
use crate::engine::encoder_session::MaskContext;
use crate::i18n::Text;
use crate::model::bert::MASK;
use crate::state::sync::{restart_generation, sync};
use crate::state::view::{View, ViewKey};
use crate::state::{Effect, Notice, State};

/// Short names of fill-mask models whose guesses are weak (said in the fill pane).
pub const WEAK_FILL_MODELS: [&str; 1] = ["bert-tiny"];

/// How many context tokens are marked as the ones the mask attended to most.
pub const STRONGEST: usize = 3;

/// The fill-mask view's own state.
#[derive(Clone, Debug)]
pub struct Fill {
    /// The model's own mask token (`[MASK]`, `<mask>`).
    pub mask: String,
    /// Which mask is shown (0-based, in text order).
    pub chosen: usize,
    /// The masks of the newest accepted reply.
    pub masks: Vec<MaskContext>,
}

/// Where a token chip stands relative to the mask shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChipSide {
    /// The mask whose distribution is shown.
    Shown,
    /// Another mask of the text.
    OtherMask,
    /// Read by the encoder, left of the mask (`strong`: among the most attended).
    Left { strong: bool },
    /// Read by the encoder, right of the mask: what a decoder could never see.
    Right { strong: bool },
    /// A special token ([CLS], [SEP]).
    Special,
}

impl Fill {
    pub fn new(mask: &str) -> Self {
        Self {
            mask: mask.to_string(),
            chosen: 0,
            masks: Vec::new(),
        }
    }

    /// Takes the masks of a new reply (the chosen one stays, within range).
    pub fn accept(&mut self, masks: Vec<MaskContext>) {
        self.masks = masks;
        self.chosen = self.chosen.min(self.masks.len().saturating_sub(1));
    }

    /// Shows the next mask (wrapping around).
    pub fn next_mask(&mut self) {
        if !self.masks.is_empty() {
            self.chosen = (self.chosen + 1) % self.masks.len();
        }
    }

    /// Shows the previous mask (wrapping around).
    pub fn prev_mask(&mut self) {
        if !self.masks.is_empty() {
            self.chosen = (self.chosen + self.masks.len() - 1) % self.masks.len();
        }
    }

    /// The mask shown, if the text has any.
    pub fn shown(&self) -> Option<&MaskContext> {
        self.masks.get(self.chosen)
    }
}

/// The byte ranges of the masks in `text`, in order: `[MASK]` and the model's own spelling.
pub fn mask_spans(text: &str, mask: &str) -> Vec<Range<usize>> {
    let mut spans: Vec<Range<usize>> = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        let found = [MASK, mask]
            .iter()
            .filter_map(|m| rest.find(m).map(|i| (i, m.len())))
            .min();
        let Some((i, len)) = found else { break };
        spans.push(at + i..at + i + len);
        at += i + len;
    }
    spans
}

/// `text` with the mask at `span` replaced by `token`: a word piece (`##s`) joins the word
/// before it, and a token that brings its own leading space does not double one.
pub fn filled(text: &str, span: Range<usize>, token: &TokenView) -> String {
    let mut before = &text[..span.start];
    let mut word = token.text.as_str();
    if token.piece.starts_with("##") {
        before = before.trim_end();
    } else if before.ends_with(char::is_whitespace) || before.is_empty() {
        word = word.trim_start();
    }
    format!("{before}{word}{}", &text[span.end..])
}

/// The distribution at the mask shown, as the next-token pane's view (decoder views get
/// `false` and compute their own).
pub(super) fn refresh_view(s: &mut State) -> bool {
    if s.embeddings.is_some() {
        s.view = None;
        s.roll = None;
        s.look = None;
        return true;
    }
    let Some(fill) = &s.fill else { return false };
    s.roll = None;
    s.look = None;
    let position = fill.shown().map(|m| m.position);
    let (Some(eval), Some(position)) = (&s.eval, position) else {
        s.view = None;
        return true;
    };
    let Some(logits) = eval.positions.get(position).map(|p| p.logits.clone()) else {
        s.view = None;
        return true;
    };
    let fresh = s.fresh();
    let key = ViewKey {
        serial: eval.serial,
        index: position,
        params: s.params,
        columns: match s.lab.len() > 1 {
            true => s.lab.columns(&s.params),
            false => Vec::new(),
        },
        rolls: s.lab.rolls_shown.then(|| s.lab.rolls()),
        partial: false,
    };
    if let Some(v) = s.view.as_mut().filter(|v| v.key == key) {
        v.stale = !fresh;
        return true;
    }
    let old = s.view.as_ref().map(|v| v.index);
    let view = View::compute(Some(&logits), &s.params, None, !fresh, key);
    if old != Some(position) {
        s.selected = 0;
    }
    s.view = Some(view);
    true
}

/// Writes the candidate of 0-based `rank` into the prompt in place of the mask shown.
pub(super) fn pick(s: &mut State, rank: usize) -> Vec<Effect> {
    if s.model_info().is_none() {
        s.say(Text::NoticeNotReady);
        return Vec::new();
    }
    let current = s.fresh() && s.view.as_ref().is_some_and(|v| !v.stale);
    let Some(id) = s
        .distribution()
        .filter(|_| current)
        .and_then(|d| d.candidates.get(rank))
        .map(|c| c.id)
    else {
        let text = match s.fill.as_ref().is_some_and(|f| f.masks.is_empty()) && current {
            true => Text::NoticeFillNoMask,
            false => Text::NoticeBusy,
        };
        s.say(text);
        return Vec::new();
    };
    let Some(fill) = &s.fill else {
        return Vec::new();
    };
    let spans = mask_spans(s.editor.text(), &fill.mask);
    let Some(span) = spans.get(fill.chosen).cloned() else {
        return Vec::new();
    };
    let token = s.token_view(id).into_owned();
    let text = filled(s.editor.text(), span, &token);
    s.editor.set_text(&text);
    let (width, height) = s.prompt_area;
    s.editor.scroll_to_cursor(width, height);
    s.notice = Some(Notice {
        text: Text::NoticeFilledMask,
        arg: Some(crate::pieces::visible(token.text.trim())),
    });
    restart_generation(s);
    sync(s)
}

/// ← / → move between masks; a click on a mask chip shows that mask.
pub(super) fn look(s: &mut State, action: &Action) -> Vec<Effect> {
    let Some(fill) = &mut s.fill else {
        return Vec::new();
    };
    match action {
        Action::LookBack => fill.prev_mask(),
        Action::LookForward => fill.next_mask(),
        Action::LookAt(i) => match fill.masks.iter().position(|m| m.position == *i) {
            Some(k) => fill.chosen = k,
            None => s.say(Text::NoticeClickMask),
        },
        _ => {}
    }
    Vec::new()
}

/// Where each token of the evaluation stands relative to the mask shown (indexed like
/// [`State::sequence`]); empty without a mask.
pub fn context(s: &State) -> Vec<ChipSide> {
    let (Some(fill), Some(eval)) = (&s.fill, &s.eval) else {
        return Vec::new();
    };
    let Some(shown) = fill.shown().filter(|m| m.position < eval.positions.len()) else {
        return Vec::new();
    };
    let masks: Vec<usize> = fill.masks.iter().map(|m| m.position).collect();
    let readable = |i: usize| !eval.positions[i].token.special && !masks.contains(&i);
    let mut order: Vec<usize> = (0..eval.positions.len()).filter(|&i| readable(i)).collect();
    let weight = |i: usize| shown.attention.get(i).copied().unwrap_or(0.0);
    order.sort_by(|&a, &b| weight(b).total_cmp(&weight(a)).then(a.cmp(&b)));
    order.truncate(STRONGEST);
    (0..eval.positions.len())
        .map(|i| {
            let strong = order.contains(&i);
            match i {
                _ if i == shown.position => ChipSide::Shown,
                _ if masks.contains(&i) => ChipSide::OtherMask,
                _ if eval.positions[i].token.special => ChipSide::Special,
                _ if i < shown.position => ChipSide::Left { strong },
                _ => ChipSide::Right { strong },
            }
        })
        .collect()
}

/// The tokens the mask shown attended to most (strongest first).
pub fn strongest(s: &State) -> Vec<TokenView> {
    let (Some(fill), Some(eval)) = (&s.fill, &s.eval) else {
        return Vec::new();
    };
    let Some(shown) = fill.shown() else {
        return Vec::new();
    };
    let side = context(s);
    let mut strong: Vec<usize> = side
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            matches!(
                c,
                ChipSide::Left { strong: true } | ChipSide::Right { strong: true }
            )
        })
        .map(|(i, _)| i)
        .collect();
    let weight = |i: usize| shown.attention.get(i).copied().unwrap_or(0.0);
    strong.sort_by(|&a, &b| weight(b).total_cmp(&weight(a)));
    strong
        .into_iter()
        .map(|i| eval.positions[i].token.clone())
        .collect()
}

/// The prompt with the mask shown filled by the most likely candidate (`None` without one).
pub fn best_guess(s: &State) -> Option<String> {
    let fill = s.fill.as_ref()?;
    let top = s.distribution()?.candidates.first()?.id;
    let spans = mask_spans(s.editor.text(), &fill.mask);
    let span = spans.get(fill.chosen)?.clone();
    Some(filled(s.editor.text(), span, &s.token_view(top)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(piece: &str, text: &str) -> TokenView {
        TokenView {
            id: 0,
            piece: piece.into(),
            text: text.into(),
            special: false,
        }
    }

    #[test]
    fn spans_find_both_spellings_in_order() {
        let t = "a [MASK] b <mask> c [MASK]";
        assert_eq!(mask_spans(t, "<mask>"), vec![2..8, 11..17, 20..26]);
        assert_eq!(mask_spans(t, "[MASK]"), vec![2..8, 20..26]);
        assert!(mask_spans("no mask", "[MASK]").is_empty());
    }

    #[test]
    fn filling_joins_pieces_and_keeps_one_space() {
        let t = "the [MASK] sat";
        assert_eq!(filled(t, 4..10, &view("cat", "cat")), "the cat sat");
        assert_eq!(filled(t, 4..10, &view("##s", "s")), "thes sat");
        assert_eq!(filled(t, 4..10, &view("Ġdog", " dog")), "the dog sat");
        assert_eq!(filled("[MASK] sat", 0..6, &view("Ġit", " it")), "it sat");
    }
}
