//! A saved session and the state, both ways: [`save`] turns what is on screen into a
//! [`SessionFile`], [`restore`] puts one back (prompt, prompt B, the tree of branches and its
//! current node, every sampler column, chat, language, view toggles). When the model loads,
//! [`on_loaded`] says whether the session was made with another model: the prompt is text, so
//! it is tokenized again by this model; the tree's ids are kept when they fit its vocabulary
//! and dropped (with a clear notice) when they do not.

use std::path::PathBuf;

use crate::editor::Editor;
use crate::export::SamplerSettings;
use crate::i18n::{Lang, Text};
use crate::sampling::{Draw, SamplingParams};
use crate::session_file::{
    SESSION_VERSION, SavedChoice, SavedNode, SavedTree, SavedView, SessionFile,
};
use crate::state::tree::{Choice, Node, ROOT, Tree};
use crate::state::{
    AUTOPLAY_DELAYS_MS, Lab, Mode, Notice, ROLL_COUNTS, ScreenLayout, State, Versus,
};

/// A session loaded at start, waiting for the model to be checked against.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub path: PathBuf,
    pub model: String,
    pub max_token: Option<u32>,
    /// The look-back cursor, put back once the first evaluation covers it.
    pub look: Option<usize>,
    /// Whether the model was checked.
    pub checked: bool,
}

/// The language code files carry (`en`, `pt-BR`).
pub fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en",
        Lang::PtBr => "pt-BR",
    }
}

/// The model's display name: as loaded, else the short name it was started with.
pub fn model_name(s: &State) -> String {
    s.model_info()
        .map(|m| m.name.clone())
        .or_else(|| s.models.current.clone())
        .unwrap_or_default()
}

/// The session on screen.
pub fn save(s: &State) -> SessionFile {
    SessionFile {
        version: SESSION_VERSION,
        model: model_name(s),
        lang: lang_code(s.lang).to_string(),
        prompt: s.editor.text().to_string(),
        prompt_b: s.versus.as_ref().map(|v| v.editor.text().to_string()),
        chat: s.chat,
        samplers: s
            .lab
            .columns(&s.params)
            .iter()
            .map(SamplerSettings::of)
            .collect(),
        selected_sampler: s.lab.selected,
        tree: save_tree(&s.tree),
        view: SavedView {
            explore: s.mode == Mode::Explore,
            show_ids: s.show_ids,
            words: s.words.on,
            projector: s.layout == ScreenLayout::Projector,
            rolls: s.lab.rolls_shown,
            roll_count: s.lab.roll_count,
            autoplay_speed: s.autoplay_speed,
            look: s.look,
            selected: s.selected,
        },
    }
}

fn save_tree(tree: &Tree) -> SavedTree {
    let nodes = tree.nodes();
    SavedTree {
        nodes: nodes[1..]
            .iter()
            .map(|n| SavedNode {
                token: n.token,
                parent: n.parent,
                choice: match n.choice {
                    Choice::Picked { rank } => SavedChoice::Picked { rank },
                    Choice::Sampled { draw, params } => SavedChoice::Sampled {
                        u: draw.u,
                        rank: draw.rank,
                        id: draw.id,
                        cum_before: draw.cum_before,
                        cum_after: draw.cum_after,
                        settings: SamplerSettings::of(&params),
                    },
                },
                last_child: n.last_child,
            })
            .collect(),
        root_last_child: nodes[ROOT].last_child,
        head: tree.head(),
    }
}

/// The tree of a (checked) session.
fn restore_tree(saved: &SavedTree) -> Tree {
    let mut nodes = vec![Tree::new().node(ROOT).clone()];
    nodes[ROOT].last_child = saved.root_last_child;
    for n in &saved.nodes {
        let choice = match &n.choice {
            SavedChoice::Picked { rank } => Choice::Picked { rank: *rank },
            SavedChoice::Sampled {
                u,
                rank,
                id,
                cum_before,
                cum_after,
                settings,
            } => Choice::Sampled {
                draw: Draw {
                    u: *u,
                    rank: *rank,
                    id: *id,
                    cum_before: *cum_before,
                    cum_after: *cum_after,
                },
                params: settings.params().unwrap_or_default(),
            },
        };
        let id = nodes.len();
        nodes[n.parent].children.push(id);
        nodes.push(Node {
            token: n.token,
            choice,
            parent: n.parent,
            children: Vec::new(),
            last_child: n.last_child,
        });
    }
    Tree::from_parts(nodes, saved.head)
}

/// Puts a checked session (read from `path`) into a fresh state.
pub fn restore(s: &mut State, file: &SessionFile, path: PathBuf) {
    s.lang = if file.lang == "pt-BR" {
        Lang::PtBr
    } else {
        Lang::En
    };
    s.editor = Editor::new(&file.prompt);
    if s.fill.is_none() && s.embeddings.is_none() {
        s.versus = file.prompt_b.as_deref().map(Versus::new);
        s.chat = file.chat;
    }
    let columns: Vec<SamplingParams> = file
        .samplers
        .iter()
        .map(|c| c.params().unwrap_or_default())
        .collect();
    s.lab = Lab::from_columns(&columns);
    s.lab.selected = file.selected_sampler.min(columns.len() - 1);
    s.params = columns[s.lab.selected];
    if s.params.temperature > 0.0 {
        s.saved_temperature = s.params.temperature;
    }
    s.tree = restore_tree(&file.tree);
    let v = &file.view;
    s.show_ids = v.show_ids;
    s.mode = if v.explore { Mode::Explore } else { Mode::Edit };
    s.words.on = v.words;
    s.layout = if v.projector {
        ScreenLayout::Projector
    } else {
        ScreenLayout::Standard
    };
    s.lab.rolls_shown = v.rolls;
    s.lab.roll_count = v.roll_count.min(ROLL_COUNTS.len() - 1);
    s.autoplay_speed = v.autoplay_speed.min(AUTOPLAY_DELAYS_MS.len() - 1);
    s.selected = v.selected.min(crate::state::MAX_SELECTABLE_RANK);
    s.loaded_session = Some(Loaded {
        path,
        model: file.model.clone(),
        max_token: file.max_token(),
        look: v.look,
        checked: false,
    });
}

/// When the model is ready: a session made with another model is said so, and its tree is
/// dropped when its ids do not fit this model's vocabulary.
pub(super) fn on_loaded(s: &mut State) {
    let Some(loaded) = s.loaded_session.as_mut().filter(|l| !l.checked) else {
        return;
    };
    loaded.checked = true;
    let loaded = loaded.clone();
    let Some(info) = s.model_info() else {
        return;
    };
    let (name, vocab) = (info.name.clone(), info.vocab_size);
    if let Some(max) = loaded.max_token.filter(|&m| m as usize >= vocab) {
        s.tree = Tree::new();
        let detail = s.lang.f(
            Text::SessionVocabDetail,
            &[&loaded.path.display(), &loaded.model, &max, &vocab],
        );
        s.notice = Some(Notice {
            text: Text::NoticeSessionVocab,
            arg: Some(detail),
        });
    } else if !loaded.model.is_empty() && loaded.model != name {
        s.notice = Some(Notice {
            text: Text::NoticeSessionOtherModel,
            arg: Some(format!("{}: {}", loaded.path.display(), loaded.model)),
        });
    }
}

/// When an evaluation was accepted: the saved look-back cursor comes back once the sequence
/// it points into is evaluated.
pub(super) fn on_evaluated(s: &mut State) {
    if !s.loaded_session.as_ref().is_some_and(|l| l.checked) {
        return;
    }
    let look = s.loaded_session.take().and_then(|l| l.look);
    if look.is_some_and(|i| i < s.evaluated_len()) {
        s.look = look;
    }
}
