//! An encoder (BERT-style) behind the worker's messages ([`EncoderSession`]). An encoder has no
//! "next token": it reads the whole text at once, every token seeing both sides. So
//! `Request::Evaluate` is answered with [`Reply::Encoded`]:
//!
//! - a fill-mask model (one with a masked-LM head): every token of the prompt as a position;
//!   at each mask, the full-vocabulary masked-LM logits and the last layer's attention of the
//!   mask over the text (the context it read, left *and* right); elsewhere empty logits;
//! - a sentence-embedding model (no head): one pooled vector per non-empty prompt line (the
//!   folder's pooling, normalised), the positions being every line's tokens one after another.
//!
//! The whole text is encoded again for every request (no cache: a word typed after the mask
//! changes every vector, which is the point). Float32 on the CPU.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::engine::{Backend, Device, ModelInfo, Position, Reply, Request, TokenView};
use crate::model::bert::{EncoderError, LoadedEncoder};
use crate::model::{ModelError, Precision};

/// The context one mask read: its position and the last layer's attention (mean over heads)
/// from the mask to every position of the text.
#[derive(Clone, Debug, PartialEq)]
pub struct MaskContext {
    pub position: usize,
    pub attention: Vec<f32>,
}

/// One sentence's pooled vector.
#[derive(Clone, Debug, PartialEq)]
pub struct SentenceVector {
    /// The line as typed (trimmed).
    pub text: String,
    /// How many tokens the encoder read for it (special tokens included).
    pub tokens: usize,
    /// The pooled vector, L2-normalised.
    pub vector: Vec<f32>,
}

/// What an encoder made of the prompt (the payload of [`Reply::Encoded`]).
#[derive(Clone, Debug, Default)]
pub struct EncoderReport {
    /// Every token read; at masks `logits` holds the masked-LM logits (else it is empty).
    pub positions: Vec<Position>,
    /// Fill-mask: one entry per mask, in text order.
    pub masks: Vec<MaskContext>,
    /// Sentence embeddings: one entry per non-empty line.
    pub sentences: Vec<SentenceVector>,
    /// Wall time of the model calls.
    pub elapsed: Duration,
}

/// A loaded encoder serving the playground.
pub struct EncoderSession {
    pub model: LoadedEncoder,
    views: Arc<Vec<TokenView>>,
}

impl EncoderSession {
    pub fn new(model: LoadedEncoder) -> Self {
        let tok = &model.tokenizer;
        let views = (0..tok.vocab())
            .map(|id| TokenView {
                id: id as u32,
                piece: tok.pieces[id].clone(),
                text: tok.texts[id].clone(),
                special: tok.special[id],
            })
            .collect();
        Self {
            model,
            views: Arc::new(views),
        }
    }

    /// Whether the model fills masks (has a masked-LM head); else it embeds sentences.
    pub fn fills_masks(&self) -> bool {
        self.model.model.has_mlm_head()
    }

    fn position(&self, id: u32, logits: Arc<[f32]>) -> Position {
        Position {
            token: self.views[id as usize].clone(),
            logits,
            rank: None,
            prob: None,
        }
    }

    /// Fill-mask: the masked-LM logits and the attention at every mask of `text`.
    pub fn fill(&self, text: &str) -> Result<EncoderReport, EncoderError> {
        let started = Instant::now();
        let ids = self.model.tokenizer.encode(text)?;
        let mask = self.model.tokenizer.mask_id;
        let at: Vec<usize> = (0..ids.len()).filter(|&i| ids[i] == mask).collect();
        let encoded = self.model.model.encode(&ids)?;
        let logits = match at.is_empty() {
            true => Vec::new(),
            false => self
                .model
                .model
                .mlm_logits(&encoded, &at)?
                .ok_or_else(|| EncoderError::NoMlmHead(self.model.name.clone()))?,
        };
        let mut rows: Vec<Arc<[f32]>> = vec![Arc::from(Vec::new()); ids.len()];
        for (&p, l) in at.iter().zip(logits) {
            rows[p] = Arc::from(l);
        }
        let positions = ids
            .iter()
            .zip(rows)
            .map(|(&id, l)| self.position(id, l))
            .collect();
        let masks = at
            .iter()
            .map(|&p| MaskContext {
                position: p,
                attention: encoded.attention[p].clone(),
            })
            .collect();
        Ok(EncoderReport {
            positions,
            masks,
            sentences: Vec::new(),
            elapsed: started.elapsed(),
        })
    }

    /// Sentence embeddings: one pooled, normalised vector per non-empty line of `text`.
    pub fn embed(&self, text: &str) -> Result<EncoderReport, EncoderError> {
        let started = Instant::now();
        let mut report = EncoderReport::default();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let ids = self.model.tokenizer.encode(line)?;
            let encoded = self.model.model.encode(&ids)?;
            let pooled = {
                let _g = tch::no_grad_guard();
                Vec::<f32>::try_from(&self.model.pooling.pool(&encoded.hidden))?
            };
            report.sentences.push(SentenceVector {
                text: line.to_string(),
                tokens: ids.len(),
                vector: pooled,
            });
            let empty: Arc<[f32]> = Arc::from(Vec::new());
            report
                .positions
                .extend(ids.iter().map(|&id| self.position(id, Arc::clone(&empty))));
        }
        report.elapsed = started.elapsed();
        Ok(report)
    }

    /// What `Request::Evaluate` gets from this model.
    pub fn report(&self, text: &str) -> Result<EncoderReport, EncoderError> {
        if self.fills_masks() {
            self.fill(text)
        } else {
            self.embed(text)
        }
    }

    /// Facts about the model for the UI.
    pub fn info(&self, load_time: Duration) -> ModelInfo {
        ModelInfo {
            name: self.model.name.clone(),
            device: Device::Cpu,
            precision: Precision::default(),
            vocab_size: self.views.len(),
            context_length: self.model.model.config.max_tokens(),
            stop_ids: Vec::new(),
            vocab: Arc::clone(&self.views),
            load_time,
        }
    }
}

impl Backend for EncoderSession {
    fn info(&self, load_time: Duration) -> ModelInfo {
        EncoderSession::info(self, load_time)
    }

    fn serve(&mut self, request: &Request) -> Option<Reply> {
        match request {
            Request::Evaluate { id, prompt, .. } => Some(match self.report(prompt) {
                Ok(report) => Reply::Encoded { id: *id, report },
                Err(e) => Reply::Failed {
                    id: *id,
                    error: Arc::new(ModelError::Encoder(e)),
                },
            }),
            Request::ExtendWord { id, .. } => Some(Reply::Failed {
                id: *id,
                error: Arc::new(ModelError::WordsNeedDecoder),
            }),
            Request::Inspect { id, .. } => Some(Reply::Failed {
                id: *id,
                error: Arc::new(ModelError::InsideNeedsDecoder),
            }),
            Request::Shutdown => None,
        }
    }
}
