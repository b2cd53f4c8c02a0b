//! The model picker (F3): the known models, installed or not, and switching the playground's
//! model without restarting it.
//!
//! Switching (issue 8, item 6): choosing a decoder model starts a second worker (the
//! *incoming* one, [`Slot::Incoming`]) while the current one keeps answering every request.
//! Its progress is shown; when it reports `Loaded` the app makes it the main worker (the old
//! one is shut down), the prompt stays, the generation tree starts over and a notice says so.
//! When it reports `LoadFailed`, it is dropped and the current model keeps running, with the
//! error in the status line (worded in the interface language).
//!
//! "Open as B" starts model B's worker instead ([`super::model_b`]).

use std::path::PathBuf;

use crate::action::Action;
use crate::engine::Reply;
use crate::i18n::Text;
use crate::model::{LoadStep, Progress};
use crate::registry::{self, Family, KnownModel};
use crate::state::sync::{restart_generation, sync};
use crate::state::{
    Branches, Effect, ModelStatus, Notice, Overlay, State, StateError, Versus, model_b,
};

/// A model worker besides the main one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// Loading the model the main worker is to be replaced with.
    Incoming,
    /// Model B of the model A/B view.
    B,
}

/// One row of the picker: a known model as found on this machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelChoice {
    pub model: &'static KnownModel,
    pub path: PathBuf,
    pub installed: bool,
    /// Bytes on disk when installed, else the size it will have.
    pub size_bytes: u64,
}

impl ModelChoice {
    /// Every known model, looked up on disk (the playground calls this once at start).
    pub fn scan() -> Vec<ModelChoice> {
        registry::KNOWN_MODELS
            .iter()
            .map(|m| {
                let path = m.path();
                let installed = m.installed();
                let size_bytes = match installed {
                    true => registry::bytes_on_disk(&path).unwrap_or(m.size_bytes),
                    false => m.size_bytes,
                };
                ModelChoice {
                    model: m,
                    path,
                    installed,
                    size_bytes,
                }
            })
            .collect()
    }

    /// Whether the playground can switch to it now (installed, and a decoder: encoders and
    /// encoder-decoders have views of their own, in other issues).
    pub fn switchable(&self) -> bool {
        self.installed && self.model.family == Family::Decoder
    }

    /// Why it cannot be switched to, if it cannot.
    pub fn blocked(&self) -> Option<Text> {
        match (self.installed, self.model.family) {
            (false, _) => Some(Text::PickerNotInstalled),
            (true, Family::Decoder) => None,
            (true, Family::Encoder) => Some(Text::PickerEncoder),
            (true, Family::EncoderDecoder) => Some(Text::PickerSeq2seq),
        }
    }
}

/// A model loading in the incoming worker.
#[derive(Clone, Debug, PartialEq)]
pub struct Incoming {
    pub name: String,
    pub path: PathBuf,
    pub progress: Progress,
}

/// The picker and the models around the main one.
#[derive(Clone, Debug, Default)]
pub struct Models {
    /// The known models (installed first, in [`registry::KNOWN_MODELS`] order).
    pub catalog: Vec<ModelChoice>,
    /// The picker's selected row.
    pub selected: usize,
    /// The short name of the main model, when it is a known one.
    pub current: Option<String>,
    /// The model loading to replace the main one.
    pub incoming: Option<Incoming>,
    /// Model B of the model A/B view.
    pub b: Option<model_b::ModelB>,
}

impl Models {
    /// The picker over `catalog` (installed models listed first), the main model named
    /// `current`.
    pub fn new(mut catalog: Vec<ModelChoice>, current: Option<String>) -> Models {
        catalog.sort_by_key(|c| !c.installed);
        Models {
            catalog,
            current,
            ..Models::default()
        }
    }
}

/// Applies a picker action.
pub(super) fn apply(s: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::TogglePicker => {
            s.overlay = match s.overlay {
                Overlay::Picker => Overlay::None,
                _ => Overlay::Picker,
            };
            Vec::new()
        }
        Action::PickerMove(delta) => {
            let last = s.models.catalog.len().saturating_sub(1);
            s.models.selected = s
                .models
                .selected
                .saturating_add_signed(delta.into())
                .min(last);
            Vec::new()
        }
        Action::PickerChoose => choose(s, Slot::Incoming),
        Action::PickerOpenAsB => choose(s, Slot::B),
        Action::CloseModelB => match s.models.b.take() {
            Some(_) => vec![Effect::DropWorker(Slot::B)],
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

fn notice(s: &mut State, text: Text, arg: Option<String>) {
    s.notice = Some(Notice { text, arg });
}

/// Starts loading the selected model into `slot`, or says why not.
fn choose(s: &mut State, slot: Slot) -> Vec<Effect> {
    let Some(choice) = s.models.catalog.get(s.models.selected).cloned() else {
        return Vec::new();
    };
    let name = choice.model.name.to_string();
    match choice.blocked() {
        Some(Text::PickerNotInstalled) => {
            notice(
                s,
                Text::NoticeNotInstalled,
                Some(choice.model.install_command()),
            );
            return Vec::new();
        }
        Some(_) => {
            notice(s, Text::NoticeNotDecoder, None);
            return Vec::new();
        }
        None => {}
    }
    s.overlay = Overlay::None;
    match slot {
        Slot::Incoming if s.models.current.as_deref() == Some(name.as_str()) => {
            notice(s, Text::NoticeAlreadyLoaded, Some(name));
            // Choosing the main model again cancels a switch under way.
            match s.models.incoming.take() {
                Some(_) => vec![Effect::DropWorker(Slot::Incoming)],
                None => Vec::new(),
            }
        }
        Slot::Incoming => {
            let start = Progress::new(0.0, LoadStep::Reading);
            s.models.incoming = Some(Incoming {
                name: name.clone(),
                path: choice.path.clone(),
                progress: start,
            });
            notice(s, Text::NoticeLoadingModel, Some(name));
            vec![Effect::LoadModel {
                slot,
                path: choice.path,
            }]
        }
        Slot::B => {
            s.models.b = Some(model_b::ModelB::loading(&name));
            vec![Effect::LoadModel {
                slot,
                path: choice.path,
            }]
        }
    }
}

/// A reply from a worker besides the main one.
pub(super) fn on_reply(s: &mut State, slot: Slot, reply: Reply) -> Vec<Effect> {
    match slot {
        Slot::B => model_b::on_reply(s, reply),
        Slot::Incoming => on_incoming(s, reply),
    }
}

/// What the incoming worker says: progress, ready (swap), or failed (keep the current model).
fn on_incoming(s: &mut State, reply: Reply) -> Vec<Effect> {
    let Some(incoming) = s.models.incoming.as_mut() else {
        return Vec::new();
    };
    match reply {
        Reply::Progress(p) => {
            incoming.progress = p;
            Vec::new()
        }
        Reply::Loaded(info) => {
            let name = incoming.name.clone();
            s.models.incoming = None;
            s.models.current = Some(name.clone());
            s.model = ModelStatus::Ready(info);
            swap_reset(s);
            notice(s, Text::NoticeSwitched, Some(name));
            let mut effects = vec![Effect::PromoteIncoming];
            effects.extend(sync(s));
            effects
        }
        Reply::LoadFailed { path, error } => {
            s.models.incoming = None;
            s.error = Some(StateError::Load { path, error });
            vec![Effect::DropWorker(Slot::Incoming)]
        }
        // Nothing is asked of the incoming worker before it is the main one.
        Reply::Evaluated { .. }
        | Reply::Failed { .. }
        | Reply::Word { .. }
        | Reply::Inside { .. }
        | Reply::Encoded { .. }
        | Reply::Served(_) => Vec::new(),
    }
}

/// Forgets everything computed by the previous model (its token ids mean nothing to the new
/// one), keeping the prompt, prompt B and the settings.
fn swap_reset(s: &mut State) {
    restart_generation(s);
    s.eval = None;
    s.awaiting = None;
    s.error = None;
    s.view = None;
    s.roll = None;
    s.branches = Branches::default();
    // The picker switches to decoders only: an encoder's views go.
    s.fill = None;
    s.embeddings = None;
    // The words were the previous model's; the word view itself stays on or off.
    s.words.forget();
    s.inside.forget();
    if let Some(v) = s.versus.take() {
        let mut fresh = Versus::new(v.editor.text());
        fresh.focus_b = v.focus_b;
        s.versus = Some(fresh);
    }
}
