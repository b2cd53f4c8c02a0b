//! An encoder-decoder behind the worker's messages ([`Seq2SeqSession`]): `Request::Evaluate`
//! with `source: Some(text)` encodes the source (only when it changed: the encoder runs once
//! per source) and decodes the target `prompt` + `continuation` one step per token, reusing the
//! decoder cache for the prefix already decoded (typing, undo and branches cost only the new
//! steps). The reply's `positions` start with the decoder's start position (no token of its
//! own: shown as the end-of-sequence token Marian conditions on) followed by one position per
//! target token; `source` reports the source tokens, whether the encoder ran, and the
//! cross-attention of the newest step.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::engine::{Backend, Device, ModelInfo, Position, Reply, Request, SourceReport};
use crate::model::seq2seq::{DecoderCache, Encoded, LoadedSeq2Seq};
use crate::model::{ModelError, Precision};
use crate::sampling::rank_and_prob;

/// A loaded encoder-decoder, its encoded source and the decoded target prefix.
pub struct Seq2SeqSession {
    pub model: LoadedSeq2Seq,
    encoded: Option<Encoded>,
    cache: DecoderCache,
    /// Target tokens fed to the decoder so far (the cache holds `target.len() + 1` steps
    /// once the start step ran).
    target: Vec<u32>,
    /// Logits after the start and after each target token.
    logits: Vec<Arc<[f32]>>,
    stats: Vec<Option<(u32, f32)>>,
    /// Cross-attention of each step over the source.
    attention: Vec<Vec<f32>>,
    /// How many times the encoder ran / decoder steps ran since loading.
    pub encoder_runs: u64,
    pub decoder_steps: u64,
    /// How long the encoder took for the source now encoded.
    encode_time: Duration,
}

/// The result of [`Seq2SeqSession::evaluate`].
pub struct Seq2SeqEvaluation {
    pub positions: Vec<Position>,
    pub reused: usize,
    pub source: SourceReport,
    pub elapsed: Duration,
}

impl Seq2SeqSession {
    pub fn new(model: LoadedSeq2Seq) -> Self {
        Self {
            model,
            encoded: None,
            cache: DecoderCache::default(),
            target: Vec::new(),
            logits: Vec::new(),
            stats: Vec::new(),
            attention: Vec::new(),
            encoder_runs: 0,
            decoder_steps: 0,
            encode_time: Duration::ZERO,
        }
    }

    /// The source's ids with the end-of-source token; refuses an empty or too long source.
    pub fn source_ids(&self, text: &str) -> Result<Vec<u32>, ModelError> {
        let mut ids = self.model.tokenizer.encode(text)?;
        if ids.is_empty() {
            return Err(ModelError::EmptySource);
        }
        let dims = self.model.model.dims();
        if let Some(start) = self.model.model.source_start() {
            ids.insert(0, start);
        }
        ids.push(dims.eos);
        if ids.len() > dims.max_source {
            return Err(ModelError::SourceTooLong {
                tokens: ids.len(),
                max: dims.max_source,
            });
        }
        Ok(ids)
    }

    /// The target prefix's ids (no end token).
    pub fn target_ids(&self, text: &str) -> Result<Vec<u32>, ModelError> {
        if text.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self.model.tokenizer.encode(text)?)
    }

    /// Ids that end the target.
    pub fn stop_ids(&self) -> Vec<u32> {
        vec![self.model.model.dims().eos]
    }

    /// Encodes `source` unless it is the one already encoded; says whether the encoder ran.
    pub fn set_source(&mut self, source: &[u32]) -> Result<bool, ModelError> {
        if self.encoded.as_ref().is_some_and(|e| e.source == source) {
            return Ok(false);
        }
        // A new source: every decoder step so far is stale, the start step included.
        self.encoded = None;
        self.target.clear();
        self.cache.truncate(0);
        self.logits.clear();
        self.stats.clear();
        self.attention.clear();
        let started = Instant::now();
        self.encoded = Some(self.model.model.encode(source)?);
        self.encode_time = started.elapsed();
        self.encoder_runs += 1;
        Ok(true)
    }

    /// Forgets decoded steps past `keep` target tokens (`keep = 0` with no start step: all).
    fn reset_target(&mut self, keep: usize) {
        let steps = if self.logits.is_empty() { 0 } else { keep + 1 };
        self.target.truncate(keep);
        self.cache.truncate(steps);
        self.logits.truncate(steps);
        self.stats.truncate(steps);
        self.attention.truncate(steps);
    }

    /// Runs the decoder over `target` (the start step plus one step per token), reusing the
    /// steps already taken for a common prefix.
    pub fn evaluate(
        &mut self,
        source: &[u32],
        target: &[u32],
    ) -> Result<Seq2SeqEvaluation, ModelError> {
        let started = Instant::now();
        let encoded_now = self.set_source(source)?;
        let vocab = self.model.model.dims().vocab;
        if let Some(&id) = target.iter().find(|&&t| t as usize >= vocab) {
            return Err(ModelError::OutsideVocabulary { id, vocab });
        }
        let common = self
            .target
            .iter()
            .zip(target)
            .take_while(|(a, b)| a == b)
            .count();
        self.reset_target(common);
        let reused = self.logits.len();
        let steps_before = self.decoder_steps;
        while self.logits.len() < target.len() + 1 {
            let step = self.logits.len();
            let prev = step.checked_sub(1).map(|i| target[i]);
            if let Err(e) = self.step(prev) {
                self.reset_target(step.saturating_sub(1));
                return Err(e);
            }
            if let Some(p) = prev {
                self.target.push(p);
            }
        }
        let tok = &self.model.tokenizer;
        let dims = self.model.model.dims();
        // The start position shows the token the decoder starts from (Marian: none, so `</s>`).
        let start = dims.decoder_start.unwrap_or(dims.eos);
        let positions = std::iter::once(start)
            .chain(target.iter().copied())
            .enumerate()
            .map(|(i, id)| Position {
                token: tok.view(id),
                logits: Arc::clone(&self.logits[i]),
                rank: self.stats[i].map(|s| s.0),
                prob: self.stats[i].map(|s| s.1),
            })
            .collect();
        let source = SourceReport {
            tokens: source.iter().map(|&id| tok.view(id)).collect(),
            encoded: encoded_now,
            encoder_runs: self.encoder_runs,
            decoder_steps: self.decoder_steps - steps_before,
            cross_attention: self.attention.last().cloned().unwrap_or_default(),
            encode_time: self.encode_time,
        };
        Ok(Seq2SeqEvaluation {
            positions,
            reused,
            source,
            elapsed: started.elapsed(),
        })
    }

    /// One decoder step after `prev` (`None`: the start).
    fn step(&mut self, prev: Option<u32>) -> Result<(), ModelError> {
        let enc = self.encoded.as_ref().expect("a source is encoded first");
        let out = self.model.model.decode_step(enc, prev, &mut self.cache)?;
        let row: Vec<f32> = Vec::<f32>::try_from(&out.logits)?;
        let stat = match (prev, self.logits.last()) {
            (Some(p), Some(last)) => Some(rank_and_prob(last, p)),
            _ => None,
        };
        self.logits.push(Arc::from(row));
        self.stats.push(stat);
        self.attention.push(out.cross_attention);
        self.decoder_steps += 1;
        Ok(())
    }

    /// Which target ids the model's lexical shortlist allows for `source` (all when it has
    /// none).
    pub fn allowed(&self, source: &[u32]) -> Vec<bool> {
        let vocab = self.model.model.dims().vocab;
        match &self.model.shortlist {
            Some(s) => s.allowed(source, vocab),
            None => vec![true; vocab],
        }
    }

    /// Facts about the model for the UI.
    pub fn info(&self, load_time: Duration) -> ModelInfo {
        let dims = self.model.model.dims();
        ModelInfo {
            name: self.model.name.clone(),
            device: Device::Cpu,
            precision: Precision::default(),
            vocab_size: dims.vocab,
            context_length: dims.max_source,
            stop_ids: self.stop_ids(),
            vocab: self.model.tokenizer.views(),
            load_time,
        }
    }
}

impl Backend for Seq2SeqSession {
    fn info(&self, load_time: Duration) -> ModelInfo {
        Seq2SeqSession::info(self, load_time)
    }

    fn serve(&mut self, request: &Request) -> Option<Reply> {
        let (id, prompt, continuation, source) = match request {
            Request::Evaluate {
                id,
                prompt,
                continuation,
                source,
                ..
            } => (id, prompt, continuation, source),
            Request::ExtendWord { id, .. } => {
                return Some(Reply::Failed {
                    id: *id,
                    error: Arc::new(ModelError::WordsNeedDecoder),
                });
            }
            Request::Inspect { id, .. } => {
                return Some(Reply::Failed {
                    id: *id,
                    error: Arc::new(ModelError::InsideNeedsDecoder),
                });
            }
            Request::Shutdown => return None,
        };
        let id = *id;
        let result = (|| {
            let src = self.source_ids(source.as_deref().unwrap_or(""))?;
            let mut target = self.target_ids(prompt)?;
            let prompt_len = target.len() + 1;
            target.extend_from_slice(continuation);
            self.evaluate(&src, &target).map(|e| (prompt_len, e))
        })();
        Some(match result {
            Ok((prompt_len, e)) => Reply::Evaluated {
                id,
                prompt_len,
                positions: e.positions,
                reused: e.reused,
                elapsed: e.elapsed,
                source: Some(e.source),
            },
            Err(e) => Reply::Failed {
                id,
                error: Arc::new(e),
            },
        })
    }
}

/// A greedy translation: its target ids (without the end token) and text.
pub struct Greedy {
    pub ids: Vec<u32>,
    pub text: String,
}

/// Translates `source` greedily (argmax at each step, over the shortlist when `shortlist`),
/// stopping at the end token or after `max_tokens`.
pub fn greedy(
    session: &mut Seq2SeqSession,
    source: &str,
    shortlist: bool,
    max_tokens: usize,
) -> Result<Greedy, ModelError> {
    let src = session.source_ids(source)?;
    let allowed = if shortlist {
        session.allowed(&src)
    } else {
        vec![true; session.model.model.dims().vocab]
    };
    let eos = session.model.model.dims().eos;
    let mut ids = Vec::new();
    while ids.len() < max_tokens {
        let e = session.evaluate(&src, &ids)?;
        let logits = &e.positions.last().expect("the start position").logits;
        let next = argmax(logits, &allowed);
        if next == eos {
            break;
        }
        ids.push(next);
    }
    let text = decode_text(session, &ids);
    Ok(Greedy { ids, text })
}

/// The highest logit among allowed ids (ties to the lower id).
pub fn argmax(logits: &[f32], allowed: &[bool]) -> u32 {
    let mut best = (f32::NEG_INFINITY, 0u32);
    for (i, (&l, &a)) in logits.iter().zip(allowed).enumerate() {
        if a && l > best.0 {
            best = (l, i as u32);
        }
    }
    best.1
}

/// Target ids as text (SentencePiece: the first word's leading space dropped).
pub fn decode_text(session: &Seq2SeqSession, ids: &[u32]) -> String {
    let bytes = session.model.tokenizer.decode_bytes(ids);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    text.strip_prefix(' ').map(str::to_string).unwrap_or(text)
}
