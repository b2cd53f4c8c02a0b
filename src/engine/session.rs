//! A model plus the sequence currently in its KV cache. Evaluating a new sequence truncates the
//! cache to the common prefix and runs only the new suffix; logits and GLTR ranks of the prefix
//! are reused, so typing at the end of a prompt costs one short forward pass.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::chat;
use crate::engine::busy::CpuWatch;
use crate::engine::recover;
use crate::engine::threads::StepThreads;
use crate::engine::{Backend, Device, ModelInfo, Position, Reply, Request};
use crate::model::{KvCache, LoadedModel, ModelError};
use crate::sampling::rank_and_prob;

/// The result of [`Session::evaluate`].
#[derive(Debug)]
pub struct Evaluation {
    pub positions: Vec<Position>,
    /// Positions taken from the cache.
    pub reused: usize,
    pub elapsed: Duration,
}

/// Owns the model and its cache (lives on the worker thread, or in a CLI run).
pub struct Session {
    pub model: LoadedModel,
    cache: KvCache,
    /// Tokens whose keys/values are in `cache`, with the logits after each and the rank/prob each
    /// had under the previous position.
    tokens: Vec<u32>,
    logits: Vec<Arc<[f32]>>,
    stats: Vec<Option<(u32, f32)>>,
    /// The embedding table's row norms, once the inside view has needed them or the engine
    /// has computed them while idle.
    pub(super) row_norms: Option<Arc<[f64]>>,
    /// The norms computed so far while idle (moved to `row_norms` when complete).
    norms_so_far: Vec<f64>,
    /// libtorch's thread count for decode steps and for prompts (one while the machine is
    /// busy).
    step_threads: StepThreads,
    prompt_threads: StepThreads,
    /// Whether other processes hold a core (then every run gets one thread).
    cpu: CpuWatch,
}

impl Session {
    pub fn new(model: LoadedModel) -> Self {
        let cache = model.decoder.new_cache();
        Self {
            model,
            cache,
            tokens: Vec::new(),
            logits: Vec::new(),
            stats: Vec::new(),
            row_norms: None,
            norms_so_far: Vec::new(),
            step_threads: StepThreads::new(tch::get_num_threads()),
            prompt_threads: StepThreads::prompts(tch::get_num_threads()),
            cpu: CpuWatch::default(),
        }
    }

    /// Ids that end a generation: the tokenizer's EOS and the usual end-of-turn tokens.
    pub fn stop_ids(&self) -> Vec<u32> {
        let tok = &self.model.tokenizer;
        let mut stop_ids: Vec<u32> = tok.eos.into_iter().collect();
        for s in [
            "<|im_end|>",
            "<|endoftext|>",
            "<|eot_id|>",
            "</s>",
            "<end_of_turn>",
        ] {
            if let Some(id) = tok.token_id(s)
                && !stop_ids.contains(&id)
            {
                stop_ids.push(id);
            }
        }
        stop_ids
    }

    /// The model's context window, in tokens.
    pub fn context_length(&self) -> usize {
        self.model.decoder.dims().context_length
    }

    /// Facts about the model for the UI.
    pub fn info(&self, load_time: Duration) -> ModelInfo {
        let dims = self.model.decoder.dims();
        ModelInfo {
            name: self.model.name.clone(),
            device: Device::from_tch(self.model.device),
            precision: self.model.precision,
            vocab_size: dims.vocab,
            context_length: dims.context_length,
            stop_ids: self.stop_ids(),
            vocab: self.model.tokenizer.views(),
            load_time,
        }
    }

    /// The token ids for a prompt: plain text, or wrapped in the chat template.
    pub fn prompt_ids(&self, prompt: &str, chat: bool) -> Result<Vec<u32>, ModelError> {
        let tok = &self.model.tokenizer;
        if chat {
            Ok(chat::encode(tok, prompt)?)
        } else {
            Ok(tok.encode(prompt)?)
        }
    }

    /// Answers one request the way the worker thread does (`None` for `Shutdown`).
    pub fn serve(&mut self, request: &Request) -> Option<Reply> {
        Backend::serve(self, request)
    }
}

impl Backend for Session {
    fn info(&self, load_time: Duration) -> ModelInfo {
        Session::info(self, load_time)
    }

    fn serve(&mut self, request: &Request) -> Option<Reply> {
        match request {
            Request::Evaluate {
                id,
                prompt,
                chat,
                continuation,
                ..
            } => Some(self.serve_evaluate(*id, prompt, *chat, continuation)),
            Request::ExtendWord {
                id,
                base,
                candidate,
            } => Some(super::words::serve(self, *id, base, *candidate)),
            Request::Inspect { id, ids, what } => Some(super::inside::serve(self, *id, ids, what)),
            Request::Shutdown => None,
        }
    }

    /// While nothing is asked: what the load left for later (fast mode's bfloat16 head), then
    /// the row norms the embedding view's neighbours divide by, one
    /// chunk (~8 000 rows, a few ms) per call, for a tied model (issue 11: the first
    /// neighbours then cost what the later ones do).
    fn idle(&mut self) -> bool {
        let decoder = self.model.decoder.as_ref();
        if decoder.prepare() {
            return true;
        }
        let tied = || decoder.embedding_rows(&[0]).is_some_and(|r| r.tied);
        if self.row_norms.is_some() || !tied() {
            return false;
        }
        match crate::model::neighbours::row_norms_from(decoder, self.norms_so_far.len()) {
            Ok(chunk) if !chunk.is_empty() => {
                self.norms_so_far.extend(chunk);
                true
            }
            Ok(_) => {
                self.row_norms = Some(std::mem::take(&mut self.norms_so_far).into());
                false
            }
            // The view computes them itself when asked, and says what failed then.
            Err(_) => false,
        }
    }
}

impl Session {
    fn serve_evaluate(&mut self, id: u64, prompt: &str, chat: bool, continuation: &[u32]) -> Reply {
        let result = self.prompt_ids(prompt, chat).and_then(|mut ids| {
            let prompt_len = ids.len();
            ids.extend_from_slice(continuation);
            self.evaluate(&ids).map(|e| (prompt_len, e))
        });
        match result {
            Ok((prompt_len, e)) => Reply::Evaluated {
                id,
                prompt_len,
                positions: e.positions,
                reused: e.reused,
                elapsed: e.elapsed,
                source: None,
            },
            Err(e) => Reply::Failed {
                id,
                error: Arc::new(e),
            },
        }
    }
}

impl Session {
    /// Runs the model over `ids`, reusing whatever prefix is already cached.
    pub fn evaluate(&mut self, ids: &[u32]) -> Result<Evaluation, ModelError> {
        let started = Instant::now();
        let reused = self.advance(ids)?;
        let tok = &self.model.tokenizer;
        let positions = ids
            .iter()
            .enumerate()
            .map(|(i, &id)| Position {
                token: tok.view(id),
                logits: Arc::clone(&self.logits[i]),
                rank: self.stats[i].map(|s| s.0),
                prob: self.stats[i].map(|s| s.1),
            })
            .collect();
        Ok(Evaluation {
            positions,
            reused,
            elapsed: started.elapsed(),
        })
    }

    /// The next-token logits after `ids` (not empty), reusing the cached prefix: what the word
    /// view's greedy steps need, without building every position's view.
    pub fn next_logits(&mut self, ids: &[u32]) -> Result<Arc<[f32]>, ModelError> {
        if ids.is_empty() {
            return Err(ModelError::EmptySequence);
        }
        self.advance(ids)?;
        Ok(Arc::clone(&self.logits[ids.len() - 1]))
    }

    /// The stored next-token logits after `ids`, when the cached sequence starts with them
    /// (nothing is run or truncated).
    pub fn stored_logits(&self, ids: &[u32]) -> Option<Arc<[f32]>> {
        let last = ids.len().checked_sub(1)?;
        (self.tokens.len() >= ids.len() && self.tokens[..ids.len()] == *ids)
            .then(|| Arc::clone(&self.logits[last]))
    }

    /// A copy of the cached keys and values of `ids` when the cached sequence starts with them.
    pub fn cached_prefix(&self, ids: &[u32]) -> Option<KvCache> {
        (self.tokens.len() >= ids.len() && self.tokens[..ids.len()] == *ids)
            .then(|| self.cache.copy_prefix(ids.len()))
    }

    /// Brings the cache to exactly `ids`: truncates it to the common prefix and runs the rest.
    /// Returns how many positions were reused.
    fn advance(&mut self, ids: &[u32]) -> Result<usize, ModelError> {
        let dims = self.model.decoder.dims();
        let context = dims.context_length;
        if ids.len() > context {
            return Err(ModelError::ContextFull {
                needed: ids.len(),
                context,
            });
        }
        let vocab = dims.vocab as u32;
        if let Some(&bad) = ids.iter().find(|&&id| id >= vocab) {
            return Err(ModelError::OutsideVocabulary {
                id: bad,
                vocab: vocab as usize,
            });
        }
        let common = self
            .tokens
            .iter()
            .zip(ids)
            .take_while(|(a, b)| a == b)
            .count();
        self.tokens.truncate(common);
        self.logits.truncate(common);
        self.stats.truncate(common);
        self.cache.truncate(common);
        if common < ids.len() {
            self.run_suffix(ids, common, vocab as usize)?;
        }
        Ok(common)
    }

    /// Runs `ids[common..]` through the model and stores each position's logits and stats, on
    /// one thread while the machine is busy (forward pass and stats alike).
    fn run_suffix(&mut self, ids: &[u32], common: usize, vocab: usize) -> Result<(), ModelError> {
        let _threads = RunThreads::set(self.threads_for(ids.len() - common));
        let logits = match self.forward_guarded(&ids[common..], common) {
            Ok(l) => l,
            Err(e) => {
                // The cache may hold a partial write; forget everything past the prefix.
                self.cache.truncate(common);
                return Err(e);
            }
        };
        // Rows are copied straight into their shared buffers (no intermediate Vec).
        let logits = logits.contiguous();
        let flat = crate::model::slices::f32s(&logits).expect("float32 logits on the CPU");
        let stats = self.prompt_stats(ids, common, flat, vocab);
        for ((i, row), stat) in flat.chunks_exact(vocab).enumerate().zip(stats) {
            self.tokens.push(ids[common + i]);
            self.logits.push(Arc::from(row));
            self.stats.push(stat);
        }
        Ok(())
    }

    /// The governor of runs of `tokens` new tokens: decode steps and keystrokes, or prompts.
    fn governor(&mut self, tokens: usize) -> &mut StepThreads {
        match tokens <= crate::model::step::MAX_TOKENS {
            true => &mut self.step_threads,
            false => &mut self.prompt_threads,
        }
    }

    /// libtorch's thread count for a run of `tokens` new tokens: one while other processes
    /// hold a core (the kernel's accounting) or while such runs are slow (our own times).
    fn threads_for(&mut self, tokens: usize) -> i32 {
        match self.cpu.others_busy() {
            true => 1,
            false => self.governor(tokens).next(),
        }
    }
}

/// libtorch's thread count for one run, the configured one again when dropped.
struct RunThreads {
    all: i32,
    used: i32,
}

impl RunThreads {
    fn set(used: i32) -> Self {
        let all = tch::get_num_threads();
        if used != all {
            tch::set_num_threads(used);
        }
        Self { all, used }
    }
}

impl Drop for RunThreads {
    fn drop(&mut self) {
        if self.used != self.all {
            tch::set_num_threads(self.all);
        }
    }
}

impl Session {
    /// Rank and probability of each of `ids[common..]` under the logits before it (`flat` holds
    /// the new positions' rows), positions split over libtorch's threads: a 256-token prompt is
    /// 255 scans of the whole vocabulary.
    fn prompt_stats(
        &self,
        ids: &[u32],
        common: usize,
        flat: &[f32],
        vocab: usize,
    ) -> Vec<Option<(u32, f32)>> {
        let mut stats = vec![None; flat.len() / vocab];
        let cached = &self.logits;
        let slots: Vec<(usize, &mut Option<(u32, f32)>)> = stats.iter_mut().enumerate().collect();
        crate::model::omp::for_each(slots, &|(i, slot)| {
            let pos = common + i;
            *slot = pos.checked_sub(1).map(|prev| {
                let before = match prev.checked_sub(common) {
                    Some(j) => &flat[j * vocab..(j + 1) * vocab],
                    None => &cached[prev][..],
                };
                rank_and_prob(before, ids[pos])
            });
        });
        stats
    }

    /// The forward pass over `new` (the cache holds `common` positions), surviving a panic in
    /// libtorch (issue 6): the cache still holds exactly `common` positions after one (it only
    /// advances once every layer has written), so the pass is simply run again, once. A second
    /// panic in a row is reported as [`ModelError::Crashed`] and the session goes on.
    fn forward_guarded(&mut self, new: &[u32], common: usize) -> Result<tch::Tensor, ModelError> {
        // Timed for the governor, with the thread count `run_suffix` set.
        let threads = tch::get_num_threads();
        let started = Instant::now();
        let result = self.forward_retried(new, common);
        self.governor(new.len())
            .observe(threads, started.elapsed(), new.len());
        result
    }

    fn forward_retried(&mut self, new: &[u32], common: usize) -> Result<tch::Tensor, ModelError> {
        let mut first = None;
        for _ in 0..2 {
            self.cache.truncate(common);
            let (decoder, cache) = (&self.model.decoder, &mut self.cache);
            match recover::guarded(|| decoder.forward(new, cache)) {
                Ok(result) => return result,
                Err(message) => first = first.or(Some(message)),
            }
        }
        Err(ModelError::Crashed(first.unwrap_or_default()))
    }
}
