//! A model plus the sequence currently in its KV cache. Evaluating a new sequence truncates the
//! cache to the common prefix and runs only the new suffix; logits and GLTR ranks of the prefix
//! are reused, so typing at the end of a prompt costs one short forward pass.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::chat;
use crate::engine::{ModelInfo, Position, Reply, Request};
use crate::model::{KvCache, LoadedModel, ModelError};

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
}

impl Session {
    pub fn new(model: LoadedModel) -> Self {
        let cache = model.llama.new_cache();
        Self {
            model,
            cache,
            tokens: Vec::new(),
            logits: Vec::new(),
            stats: Vec::new(),
        }
    }

    /// Facts about the model for the UI.
    pub fn info(&self, load_time: Duration) -> ModelInfo {
        let tok = &self.model.tokenizer;
        let mut stop_ids: Vec<u32> = tok.eos.into_iter().collect();
        for s in ["<|im_end|>", "<|endoftext|>", "<|eot_id|>", "</s>"] {
            if let Some(id) = tok.token_id(s)
                && !stop_ids.contains(&id)
            {
                stop_ids.push(id);
            }
        }
        ModelInfo {
            name: self.model.name.clone(),
            device: match self.model.device {
                tch::Device::Cuda(i) => format!("cuda:{i}"),
                _ => "cpu".into(),
            },
            precision: self.model.precision.label().into(),
            vocab_size: self.model.llama.cfg.vocab,
            context_length: self.model.llama.cfg.context_length,
            stop_ids,
            vocab: tok.views(),
            load_time,
        }
    }

    /// The token ids for a prompt: plain text, or wrapped in the chat template.
    pub fn prompt_ids(&self, prompt: &str, chat: bool) -> Result<Vec<u32>, ModelError> {
        let tok = &self.model.tokenizer;
        if chat {
            chat::encode(tok, prompt).map_err(|e| ModelError::Invalid(e.to_string()))
        } else {
            Ok(tok.encode(prompt)?)
        }
    }

    /// Answers one request the way the worker thread does (`None` for `Shutdown`).
    pub fn serve(&mut self, request: &Request) -> Option<Reply> {
        let Request::Evaluate {
            id,
            prompt,
            chat,
            continuation,
        } = request
        else {
            return None;
        };
        let id = *id;
        let result = self.prompt_ids(prompt, *chat).and_then(|mut ids| {
            let prompt_len = ids.len();
            ids.extend_from_slice(continuation);
            self.evaluate(&ids).map(|e| (prompt_len, e))
        });
        Some(match result {
            Ok((prompt_len, e)) => Reply::Evaluated {
                id,
                prompt_len,
                positions: e.positions,
                reused: e.reused,
                elapsed: e.elapsed,
            },
            Err(e) => Reply::Failed {
                id,
                message: e.to_string(),
            },
        })
    }

    /// Runs the model over `ids`, reusing whatever prefix is already cached.
    pub fn evaluate(&mut self, ids: &[u32]) -> Result<Evaluation, ModelError> {
        let started = Instant::now();
        let context = self.model.llama.cfg.context_length;
        if ids.len() > context {
            return Err(ModelError::ContextFull {
                needed: ids.len(),
                context,
            });
        }
        let vocab = self.model.llama.cfg.vocab as u32;
        if let Some(&bad) = ids.iter().find(|&&id| id >= vocab) {
            return Err(ModelError::Invalid(format!(
                "token id {bad} is outside the vocabulary ({vocab})"
            )));
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
        let reused = common;
        if common < ids.len() {
            let new = &ids[common..];
            let logits = self.model.llama.forward(new, &mut self.cache);
            let logits = match logits {
                Ok(l) => l,
                Err(e) => {
                    // The cache may hold a partial write; forget everything past the prefix.
                    self.cache.truncate(common);
                    return Err(e);
                }
            };
            let logits = logits.contiguous();
            assert!(logits.kind() == tch::Kind::Float && logits.device() == tch::Device::Cpu);
            // SAFETY: `logits` is a contiguous f32 CPU tensor that outlives this borrow; rows
            // are copied straight into their shared buffers (no intermediate Vec).
            let flat = unsafe {
                std::slice::from_raw_parts(logits.data_ptr() as *const f32, logits.numel())
            };
            for (i, row) in flat.chunks_exact(vocab as usize).enumerate() {
                let pos = common + i;
                let stat = pos
                    .checked_sub(1)
                    .map(|prev| rank_and_prob(&self.logits[prev], ids[pos]));
                self.tokens.push(ids[pos]);
                self.logits.push(Arc::from(row));
                self.stats.push(stat);
            }
        }
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
}

/// Rank (0 = most likely; ties count as ahead only when strictly larger) and raw probability of
/// `id` under `logits`.
pub fn rank_and_prob(logits: &[f32], id: u32) -> (u32, f32) {
    let target = logits[id as usize];
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0f64;
    let mut rank = 0u32;
    for &l in logits {
        sum += f64::from(l - max).exp();
        rank += u32::from(l > target);
    }
    let prob = (f64::from(target - max).exp() / sum) as f32;
    (rank, prob)
}
