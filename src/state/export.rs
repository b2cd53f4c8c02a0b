//! Export (F9) and session saving (Ctrl-S / `S`) as the state sees them: where files go, the
//! last screen the UI drew (it hands it over by `Msg::Drawn`, so the state never calls the UI),
//! a [`Snapshot`] of what is on screen, and the notices that name what was written. Writing
//! happens in the app, which executes the effect and answers with `Msg::Exported` /
//! `Msg::SessionSaved`.

use std::path::PathBuf;
use std::sync::Arc;

use crate::action::Action;
use crate::engine::inside::InsideReport;
use crate::export::{
    AttentionExport, BranchRow, BranchesSection, DistRow, DistributionSection, EXPORT_ROWS,
    EXPORT_VERSION, EmbeddingExport, FileError, InsideSection, LensExport, LensLayer, Partial,
    RollRow, RollsSection, SamplerSettings, ScoredToken, Snapshot, WordRow, WordsSection, Written,
};
use crate::i18n::{Describe, Text};
use crate::sampling::Distribution;
use crate::state::{Effect, Notice, Overlay, State};

/// Where files go and what the last draw looked like.
#[derive(Clone, Debug, Default)]
pub struct Files {
    /// `--export-dir` (default: the current directory).
    pub export_dir: PathBuf,
    /// `--session FILE`: where Ctrl-S saves (created on the first save when missing).
    pub session: Option<PathBuf>,
    /// The last drawn screen as plain text.
    pub screen: Arc<str>,
}

/// Applies an export action.
pub(super) fn apply(s: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Export => vec![Effect::Export {
            dir: s.files.export_dir.clone(),
            snapshot: Box::new(snapshot(s)),
        }],
        Action::SaveSession => vec![Effect::SaveSession {
            path: s.files.session.clone(),
            dir: s.files.export_dir.clone(),
            session: Box::new(super::session::save(s)),
        }],
        _ => Vec::new(),
    }
}

/// What the app reports after writing an export.
pub(super) fn exported(s: &mut State, result: Result<Written, Arc<FileError>>) {
    s.notice = Some(match result {
        Ok(w) => Notice {
            text: Text::NoticeExported,
            arg: Some(w.summary()),
        },
        Err(e) => Notice {
            text: Text::NoticeExportFailed,
            arg: Some(e.describe(s.lang)),
        },
    });
}

/// What the app reports after saving the session.
pub(super) fn saved(s: &mut State, result: Result<PathBuf, Arc<FileError>>) {
    s.notice = Some(match result {
        Ok(path) => Notice {
            text: Text::NoticeSessionSaved,
            arg: Some(path.display().to_string()),
        },
        Err(e) => Notice {
            text: Text::NoticeSessionFailed,
            arg: Some(e.describe(s.lang)),
        },
    });
}

/// Everything on screen, for the four export files.
pub fn snapshot(s: &State) -> Snapshot {
    let prompt_ids = match s.eval.as_ref().filter(|_| s.fresh()) {
        Some(e) => e.positions[..e.prompt_len.min(e.positions.len())]
            .iter()
            .map(|p| p.token.id)
            .collect(),
        None => Vec::new(),
    };
    let continuation_ids = s.tree.tokens();
    let columns = s.lab.columns(&s.params);
    Snapshot {
        version: EXPORT_VERSION,
        model: super::session::model_name(s),
        lang: super::session::lang_code(s.lang).to_string(),
        prompt: s.editor.text().to_string(),
        prompt_ids,
        chat: s.chat,
        prompt_b: s.versus.as_ref().map(|v| v.editor.text().to_string()),
        continuation: text_of(s, &continuation_ids),
        continuation_ids,
        seed: s.params.seed,
        selected_sampler: s.lab.selected,
        samplers: columns.iter().map(SamplerSettings::of).collect(),
        distribution: distribution(s),
        words: words(s),
        rolls: rolls(s),
        branches: (s.overlay == Overlay::Branches).then(|| branches(s)),
        inside: inside(s),
        screen: s.files.screen.to_string(),
    }
}

/// The text the tokens `ids` decode to, piece by piece as the screen shows them.
fn text_of(s: &State, ids: &[u32]) -> String {
    ids.iter()
        .map(|&id| s.token_view(id).text.clone())
        .collect()
}

/// The ranks listed: the top [`EXPORT_ROWS`], down to the selection, and the look-back token.
fn listed_ranks(s: &State, dist: &Distribution) -> Vec<usize> {
    let vocab = dist.candidates.len();
    let mut ranks: Vec<usize> = (0..EXPORT_ROWS.max(s.selected + 1).min(vocab)).collect();
    let actual = s.view.as_ref().and_then(|v| v.actual).and_then(|(_, r)| r);
    if let Some(a) = actual.filter(|a| !ranks.contains(a)) {
        ranks.push(a);
    }
    ranks
}

/// The next-token pane.
fn distribution(s: &State) -> Option<DistributionSection> {
    let view = s.view.as_ref()?;
    let dist = view.dist.as_ref()?;
    let columns: Vec<&Distribution> = if view.columns.len() > 1 {
        view.columns.iter().collect()
    } else {
        vec![dist]
    };
    let rows = listed_ranks(s, dist)
        .into_iter()
        .map(|rank| {
            let c = &dist.candidates[rank];
            DistRow {
                rank: rank + 1,
                id: c.id,
                token: s.token_view(c.id).text.clone(),
                logit: c.logit,
                model_prob: c.prob,
                cumulative: dist.candidates[..=rank].iter().map(|c| c.top_k_prob).sum(),
                adjusted: columns
                    .iter()
                    .map(|d| d.candidates[rank].final_prob)
                    .collect(),
            }
        })
        .collect();
    Some(DistributionSection {
        title: title(s, view.index),
        position: view.index,
        vocab_size: dist.candidates.len(),
        kept: columns.iter().map(|d| d.kept).collect(),
        entropy_model: dist.entropy_raw,
        entropy_adjusted: columns.iter().map(|d| d.entropy_final).collect(),
        rows,
        partial: s.served.as_ref().map(|served| Partial {
            top_n: served.top_n,
            rest_mass_lower_bound: (1.0 - dist.candidates.iter().map(|c| c.prob).sum::<f64>())
                .max(0.0),
        }),
    })
}

/// The pane's title as on screen (without the width limit).
fn title(s: &State, index: usize) -> String {
    let seq = s.sequence();
    let text = |i: usize| seq.get(i).map(|t| t.token.text.clone()).unwrap_or_default();
    match s.look {
        Some(i) if i < seq.len() => s.lang.f(Text::LookBackTitle, &[&(index + 1), &text(i)]),
        _ if !seq.is_empty() => s.lang.f(Text::NextTokenAfter, &[&text(seq.len() - 1)]),
        _ => s.lang.t(Text::NextTokenTitle).to_string(),
    }
}

/// The word view, when on: the words known for the listed candidates.
fn words(s: &State) -> Option<WordsSection> {
    if !s.words.on {
        return None;
    }
    let dist = s.distribution()?;
    let base = super::words::base(s)?;
    let rows = listed_ranks(s, dist)
        .into_iter()
        .filter_map(|rank| {
            let c = &dist.candidates[rank];
            let w = s.words.get(&base, c.id)?;
            Some(WordRow {
                rank: rank + 1,
                id: c.id,
                word: w.text.clone(),
                ids: w.ids.clone(),
                prob: w.prob,
                complete: w.complete,
            })
        })
        .collect();
    Some(WordsSection { rows })
}

/// The branch tree: every continuation with its log-probability.
fn branches(s: &State) -> BranchesSection {
    BranchesSection {
        branches: s
            .branches
            .lines(&s.tree)
            .into_iter()
            .map(|l| BranchRow {
                text: text_of(s, &l.tokens),
                ids: l.tokens,
                logprob: l.logprob,
                current: l.current,
            })
            .collect(),
    }
}

/// The roll-many view, when shown: the most drawn tokens with their counts.
fn rolls(s: &State) -> Option<RollsSection> {
    let view = s.view.as_ref().filter(|_| s.lab.rolls_shown)?;
    let (rolls, dist) = (view.rolls.as_ref()?, view.dist.as_ref()?);
    Some(RollsSection {
        n: rolls.n,
        seed: rolls.seed,
        distinct: rolls.distinct(),
        rows: rolls
            .counts
            .iter()
            .take(EXPORT_ROWS)
            .map(|&(rank, id, count)| RollRow {
                rank: rank + 1,
                id,
                token: s.token_view(id).text.clone(),
                count,
                expected: dist.candidates[rank].final_prob,
            })
            .collect(),
    })
}

/// The inside-the-model view, when shown and computed.
fn inside(s: &State) -> Option<InsideSection> {
    let key = super::inside::wanted(s)?;
    let Some(super::inside::Outcome::Done(computed)) = s.inside.get(&key) else {
        return None;
    };
    let scored = |id: u32, value: f64| ScoredToken {
        id,
        text: s.token_view(id).text.clone(),
        value,
    };
    let mut section = InsideSection {
        view: String::new(),
        position: key.0.len(),
        ids: key.0.clone(),
        embedding: None,
        lens: None,
        attention: None,
    };
    match computed.report.as_ref() {
        InsideReport::Embedding(e) => {
            section.view = "embedding".into();
            section.embedding = Some(EmbeddingExport {
                id: e.id,
                text: s.token_view(e.id).text.clone(),
                word: s.inside.word.clone(),
                word_tokens: e.word_tokens,
                norm: e.norm,
                min: e.vector.iter().copied().fold(f32::INFINITY, f32::min),
                max: e.vector.iter().copied().fold(f32::NEG_INFINITY, f32::max),
                tied: e.tied,
                scale: e.scale,
                rows: e.rows,
                vector: e.vector.clone(),
                neighbours: e
                    .neighbours
                    .iter()
                    .map(|n| scored(n.id, n.cosine))
                    .collect(),
            });
        }
        InsideReport::Lens(l) => {
            section.view = "lens".into();
            section.lens = Some(LensExport {
                vocab: l.vocab,
                settled_from: l.settled_from().map(|i| i + 1),
                last_from_session: l.last_from_session,
                layers: l
                    .layers
                    .iter()
                    .enumerate()
                    .map(|(i, top)| LensLayer {
                        layer: i + 1,
                        candidates: top.iter().map(|&(id, p)| scored(id, p)).collect(),
                    })
                    .collect(),
            });
        }
        InsideReport::Attention(a) => {
            section.view = "attention".into();
            let layer = super::inside::layer(s, a.layers);
            let head = s.inside.head.map(|h| h.min(a.heads.saturating_sub(1)));
            let shown = a.row(layer, head);
            section.attention = Some(AttentionExport {
                layer: layer + 1,
                layers: a.layers,
                heads: a.heads,
                head: head.map(|h| h + 1),
                weights: key
                    .0
                    .iter()
                    .zip(&shown)
                    .map(|(&id, &w)| scored(id, f64::from(w)))
                    .collect(),
                all_layers: (0..a.layers).map(|l| a.row(l, head)).collect(),
            });
        }
    }
    Some(section)
}
