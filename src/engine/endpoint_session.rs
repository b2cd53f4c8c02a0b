//! A served model (`--endpoint URL`) behind the same messages as a local one. The server says
//! only the top N candidates' *texts* and log-probabilities, so this session names the texts it
//! has seen with ids of its own (a vocabulary that grows as the server names new texts) and
//! answers `Evaluate` with logits over those ids: the shown candidates' raw log-probabilities,
//! `−∞` for every other id. The state is told, before each reply, the vocabulary so far and
//! what the numbers are over ([`ServedNote::Evaluated`]), so it can say that they are partial.
//!
//! - The next-token distribution after a text is one 1-token completion at temperature 1 with
//!   `logprobs = N`; distributions already asked for are kept (the cache of this backend), so a
//!   step costs one request.
//! - The prompt's tokens come from the server's tokenize route (each id's text from its
//!   detokenize route, remembered); without one the prompt is one piece. Their colours come
//!   from `echo` when the server echoes the prompt aligned, and are unavailable otherwise.
//! - The chosen tokens are appended as text (the server re-tokenizes the whole text).
//! - Every failure is a `Reply::Failed` (the state keeps the session); a retry under way is a
//!   `ServedNote::Retrying` as it happens.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;

use crate::endpoint::{Endpoint, EndpointError, EndpointOptions, NextToken, RetryNote};
use crate::engine::{Backend, Device, ModelInfo, Position, Reply, Request, TokenView};
use crate::model::ModelError;

/// What a served model's next reply is over, or a retry under way.
#[derive(Clone, Debug)]
pub enum ServedNote {
    /// Sent just before each `Evaluated` reply (and before a `Failed` one).
    Evaluated {
        /// Every text the server has named so far, indexed by this session's ids.
        vocab: Arc<Vec<TokenView>>,
        /// How many candidates each request asks for (it may drop when the server allows
        /// fewer).
        top_n: usize,
        /// Whether the prompt's tokens were scored by the server (`echo`, aligned).
        prompt_scored: bool,
        /// Whether the prompt's tokens came from the server's tokenize route (else the prompt
        /// is one piece).
        tokenized: bool,
    },
    /// A request failed and is tried again after `wait` (attempt `next` of `attempts`).
    Retrying {
        error: EndpointError,
        next: u32,
        attempts: u32,
        wait: Duration,
    },
}

/// How the empty candidate is shown (an end-of-sequence token and other control tokens have
/// no text of their own); it always has id 0.
const EMPTY_PIECE: &str = "∅";

/// The prompt as the server tokenized (and maybe scored) it.
#[derive(Clone, Debug)]
struct PromptTokens {
    text: String,
    ids: Vec<u32>,
    /// The probability the server gave each token (`echo`), when it did.
    probs: Option<Vec<Option<f32>>>,
    tokenized: bool,
}

/// The server, the texts it named, and the distributions it gave.
pub struct EndpointSession {
    ep: Endpoint,
    vocab: Arc<Vec<TokenView>>,
    ids: HashMap<String, u32>,
    /// The server's token id → this session's id (the text its detokenize route gave).
    server_ids: HashMap<u32, u32>,
    prompt: Option<PromptTokens>,
    /// Full text → the logits after it (over this session's ids, `−∞` where not shown).
    dists: HashMap<String, Arc<[f32]>>,
    /// Whether `echo` is still worth asking for (it stops once a server echoed misaligned).
    echo: bool,
    replies: UnboundedSender<Reply>,
}

/// How many times a reply without log-probabilities is asked again.
const NO_LOGPROBS_TRIES: u32 = 5;

/// The most distributions kept before the cache starts over.
const MAX_CACHED: usize = 1024;

impl EndpointSession {
    /// Connects (checks the URL and the model against `/v1/models`); retries are reported on
    /// `replies` as [`ServedNote::Retrying`].
    pub fn connect(
        opts: EndpointOptions,
        replies: UnboundedSender<Reply>,
    ) -> Result<Self, ModelError> {
        let tx = replies.clone();
        let note: RetryNote = Box::new(move |error, failed, attempts, wait| {
            let _ = tx.send(Reply::Served(ServedNote::Retrying {
                error: error.clone(),
                next: failed + 1,
                attempts,
                wait,
            }));
        });
        let ep = Endpoint::connect_with(opts, Some(note)).map_err(ModelError::Endpoint)?;
        // Shown as `∅` (a special token's text is drawn as it is); appended as nothing.
        let empty = TokenView {
            id: 0,
            piece: EMPTY_PIECE.into(),
            text: EMPTY_PIECE.into(),
            special: true,
        };
        Ok(Self {
            ep,
            vocab: Arc::new(vec![empty]),
            ids: HashMap::from([(String::new(), 0)]),
            server_ids: HashMap::new(),
            prompt: None,
            dists: HashMap::new(),
            echo: true,
            replies,
        })
    }

    /// This session's id for `text` (a new one the first time).
    fn intern(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = self.vocab.len() as u32;
        Arc::make_mut(&mut self.vocab).push(TokenView {
            id,
            piece: text.to_string(),
            text: text.to_string(),
            special: false,
        });
        self.ids.insert(text.to_string(), id);
        id
    }

    /// The prompt's tokens: from the cache, or the server's tokenize + detokenize routes.
    fn prompt_tokens(&mut self, prompt: &str) -> Result<PromptTokens, EndpointError> {
        if let Some(p) = self.prompt.as_ref().filter(|p| p.text == prompt) {
            return Ok(p.clone());
        }
        let (ids, tokenized) = match self.ep.tokenize(prompt)? {
            Some(server) => (self.session_ids(&server)?, true),
            None => (vec![self.intern(prompt)], false),
        };
        let tokens = PromptTokens {
            text: prompt.to_string(),
            ids,
            probs: None,
            tokenized,
        };
        self.prompt = Some(tokens.clone());
        Ok(tokens)
    }

    /// The session ids of server token ids (each new one's text from the detokenize route).
    fn session_ids(&mut self, server: &[u32]) -> Result<Vec<u32>, EndpointError> {
        let mut out = Vec::with_capacity(server.len());
        for &sid in server {
            if let Some(&id) = self.server_ids.get(&sid) {
                out.push(id);
                continue;
            }
            let text = self
                .ep
                .detokenize_each(&[sid])?
                .and_then(|t| t.into_iter().next())
                .unwrap_or_else(|| format!("<{sid}>"));
            let id = self.intern(&text);
            self.server_ids.insert(sid, id);
            out.push(id);
        }
        Ok(out)
    }

    /// The logits after `text` (cached, or one request); `first` asks for the prompt's scores.
    fn logits_after(
        &mut self,
        text: &str,
        first: bool,
    ) -> Result<(Arc<[f32]>, bool), EndpointError> {
        if let Some(l) = self.dists.get(text) {
            return Ok((Arc::clone(l), true));
        }
        let echo = first && self.echo;
        let answer = self.next_token(text, echo)?;
        if echo {
            self.take_prompt_scores(&answer);
        }
        let ids: Vec<(u32, f64)> = answer
            .dist
            .shown
            .iter()
            .map(|s| (self.intern(&s.text), s.logprob))
            .collect();
        let len = ids
            .iter()
            .map(|(id, _)| *id as usize + 1)
            .max()
            .unwrap_or(1);
        let mut logits = vec![f32::NEG_INFINITY; len];
        for (id, lp) in ids {
            logits[id as usize] = lp as f32;
        }
        if self.dists.len() >= MAX_CACHED {
            self.dists.clear();
        }
        let logits: Arc<[f32]> = Arc::from(logits);
        self.dists.insert(text.to_string(), Arc::clone(&logits));
        Ok((logits, false))
    }

    /// One request for the top N after `text`. A server that samples the end of the text as
    /// its one token may send no log-probabilities with it (llama-cpp-python does): asked
    /// again, it samples anew.
    fn next_token(&self, text: &str, echo: bool) -> Result<NextToken, EndpointError> {
        let mut tries = 0;
        loop {
            match self.ep.next_token(text, echo) {
                Err(EndpointError::NoLogprobs { .. }) if tries < NO_LOGPROBS_TRIES => tries += 1,
                other => return other,
            }
        }
    }

    /// The prompt's probabilities from an aligned echo (one per prompt token); a misaligned
    /// or missing one turns `echo` off for this session.
    fn take_prompt_scores(&mut self, answer: &NextToken) {
        let Some(prompt) = self.prompt.as_mut() else {
            return;
        };
        // The echo may leave out leading control tokens the tokenize route gives (Gemma's
        // `<bos>`): the scored tokens are matched to the prompt's last ones, by text.
        let aligned = answer.prompt.as_ref().filter(|scored| {
            let skip = prompt.ids.len().checked_sub(scored.len());
            skip.is_some_and(|skip| {
                let tail = &prompt.ids[skip..];
                tail.iter()
                    .zip(scored.iter())
                    .all(|(&id, t)| self.vocab[id as usize].text == t.text)
            })
        });
        match aligned {
            Some(scored) => {
                let skip = prompt.ids.len() - scored.len();
                let mut probs = vec![None; skip];
                probs.extend(scored.iter().map(|t| t.logprob.map(|lp| lp.exp() as f32)));
                prompt.probs = Some(probs);
            }
            None => self.echo = false,
        }
    }
}

impl Backend for EndpointSession {
    fn info(&self, load_time: Duration) -> ModelInfo {
        ModelInfo {
            name: self.ep.model.clone(),
            device: Device::Cpu,
            precision: crate::model::Precision::default(),
            vocab_size: 0,
            context_length: usize::MAX,
            stop_ids: vec![0],
            vocab: Arc::clone(&self.vocab),
            load_time,
        }
    }

    fn serve(&mut self, request: &Request) -> Option<Reply> {
        match request {
            Request::Evaluate {
                id,
                prompt,
                continuation,
                ..
            } => {
                let result = self.evaluate(*id, prompt, continuation);
                self.note();
                Some(result.unwrap_or_else(|e| Reply::Failed {
                    id: *id,
                    error: Arc::new(e),
                }))
            }
            Request::ExtendWord { id, .. } => Some(Reply::Failed {
                id: *id,
                error: Arc::new(ModelError::WordsNotServed),
            }),
            // A server sends log-probabilities, not its layers.
            Request::Inspect { id, .. } => Some(Reply::Failed {
                id: *id,
                error: Arc::new(ModelError::InsideNeedsDecoder),
            }),
            Request::Shutdown => None,
        }
    }
}

impl EndpointSession {
    /// Tells the state what the next reply's numbers are over.
    fn note(&self) {
        let prompt = self.prompt.as_ref();
        let _ = self.replies.send(Reply::Served(ServedNote::Evaluated {
            vocab: Arc::clone(&self.vocab),
            top_n: self.ep.top_n(),
            prompt_scored: prompt.is_some_and(|p| p.probs.is_some()),
            tokenized: prompt.is_some_and(|p| p.tokenized),
        }));
    }

    /// The positions of `prompt` + `continuation`: the prompt's tokens, then one position per
    /// chosen token, each with the logits after it.
    fn evaluate(
        &mut self,
        id: u64,
        prompt: &str,
        continuation: &[u32],
    ) -> Result<Reply, ModelError> {
        let started = Instant::now();
        if prompt.is_empty() {
            return Err(ModelError::EmptySequence);
        }
        let tokens = self.prompt_tokens(prompt).map_err(ModelError::Endpoint)?;
        if let Some(&bad) = continuation
            .iter()
            .find(|&&t| t as usize >= self.vocab.len())
        {
            return Err(ModelError::OutsideVocabulary {
                id: bad,
                vocab: self.vocab.len(),
            });
        }
        let mut text = prompt.to_string();
        let mut after = Vec::with_capacity(continuation.len() + 1);
        let mut fetched = None;
        for k in 0..=continuation.len() {
            if k > 0 {
                text.push_str(appended(&self.vocab[continuation[k - 1] as usize]));
            }
            let (logits, cached) = self
                .logits_after(&text, k == 0)
                .map_err(ModelError::Endpoint)?;
            if !cached && fetched.is_none() {
                fetched = Some(k);
            }
            after.push(logits);
        }
        // The echo may have scored the prompt just now.
        let probs = self.prompt.as_ref().and_then(|p| p.probs.clone());
        let positions = self.positions(&tokens.ids, probs, continuation, &after);
        let prompt_len = tokens.ids.len();
        // The distributions before the first one asked of the server came from the cache.
        let reused = fetched.unwrap_or(after.len());
        Ok(Reply::Evaluated {
            id,
            prompt_len,
            positions,
            reused,
            elapsed: started.elapsed(),
            source: None,
        })
    }

    fn positions(
        &self,
        prompt: &[u32],
        probs: Option<Vec<Option<f32>>>,
        continuation: &[u32],
        after: &[Arc<[f32]>],
    ) -> Vec<Position> {
        let none: Arc<[f32]> = Arc::from(Vec::new());
        let last = prompt.len() - 1;
        let mut out: Vec<Position> = prompt
            .iter()
            .enumerate()
            .map(|(i, &id)| Position {
                token: self.vocab[id as usize].clone(),
                logits: if i == last {
                    Arc::clone(&after[0])
                } else {
                    Arc::clone(&none)
                },
                rank: None,
                prob: probs.as_ref().and_then(|p| p.get(i).copied().flatten()),
            })
            .collect();
        for (j, &id) in continuation.iter().enumerate() {
            let (rank, prob) = shown_rank(&after[j], id).unzip();
            out.push(Position {
                token: self.vocab[id as usize].clone(),
                logits: Arc::clone(&after[j + 1]),
                rank,
                prob,
            });
        }
        out
    }
}

/// What choosing `token` appends to the text: nothing for the empty candidate.
fn appended(token: &TokenView) -> &str {
    if token.special { "" } else { &token.text }
}

/// The 0-based rank and raw probability of `id` among the shown candidates of `logits`
/// (`None` when it was not shown: outside the top N).
pub fn shown_rank(logits: &[f32], id: u32) -> Option<(u32, f32)> {
    let own = *logits.get(id as usize)?;
    if !own.is_finite() {
        return None;
    }
    let rank = logits
        .iter()
        .enumerate()
        .filter(|&(i, &l)| l > own || (l == own && (i as u32) < id))
        .count();
    Some((rank as u32, own.exp()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_are_among_the_shown_only() {
        let l = [
            f32::NEG_INFINITY,
            (0.5f32).ln(),
            (0.25f32).ln(),
            (0.5f32).ln(),
        ];
        assert_eq!(shown_rank(&l, 1), Some((0, 0.5)));
        assert_eq!(shown_rank(&l, 3).map(|r| r.0), Some(1));
        assert_eq!(shown_rank(&l, 2).map(|r| r.0), Some(2));
        assert_eq!(shown_rank(&l, 0), None);
        assert_eq!(shown_rank(&l, 9), None);
    }
}
