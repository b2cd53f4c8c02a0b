//! The word view's extra forward passes: a candidate token that does not end a word (`·n`) is
//! extended greedily, one most-likely token at a time, up to the next word boundary (`·não`),
//! and the word is reported with the joint probability of its tokens, each given the ones
//! before it (the chain rule). Only the word view asks for this, one candidate per request, so
//! typing supersedes it like any other request.

use std::sync::Arc;

use crate::engine::{Reply, Session, TokenView};
use crate::model::ModelError;
use crate::sampling::{rank_and_prob_f64, top1};

/// A word has at most this many tokens: the candidate and four more (longer ones are cut and
/// say so).
pub const MAX_WORD_TOKENS: usize = 5;

/// A candidate extended to a whole word.
#[derive(Clone, Debug, PartialEq)]
pub struct WordGuess {
    /// The token sequence the candidate follows (the cache key of the distribution it is in).
    pub base: Vec<u32>,
    /// The candidate token.
    pub candidate: u32,
    /// The word's tokens: the candidate, then the greedy continuation.
    pub ids: Vec<u32>,
    /// What the tokens decode to together.
    pub text: String,
    /// The joint raw probability (temperature 1) of `ids` after `base`: the product of each
    /// token's probability given the tokens before it.
    pub prob: f64,
    /// False when the word was cut at [`MAX_WORD_TOKENS`] before reaching a boundary.
    pub complete: bool,
}

/// Whether a token goes on the word before it: it starts with a letter or digit (`ão`, `ing`),
/// not with a space, punctuation or a newline, and is not a control token.
pub fn continues_word(token: &TokenView) -> bool {
    !token.special && token.text.chars().next().is_some_and(char::is_alphanumeric)
}

/// Whether a word could go on after this token: it ends with a letter or digit.
pub fn leaves_word_open(token: &TokenView) -> bool {
    !token.special && token.text.chars().last().is_some_and(char::is_alphanumeric)
}

/// Extends `candidate` after `base` to the end of its word (greedy, raw probabilities).
pub fn extend(
    session: &mut Session,
    base: &[u32],
    candidate: u32,
) -> Result<WordGuess, ModelError> {
    let mut ids = base.to_vec();
    let first = session.next_logits(&ids)?;
    let mut prob = rank_and_prob_f64(&first, candidate).1;
    ids.push(candidate);
    let mut word = vec![candidate];
    let mut complete = true;
    let stop = session.stop_ids();
    let mut open = leaves_word_open(&session.model.tokenizer.view(candidate));
    while open {
        if word.len() >= MAX_WORD_TOKENS {
            complete = false;
            break;
        }
        let logits = session.next_logits(&ids)?;
        let Some(next) = top1(&logits) else { break };
        let view = session.model.tokenizer.view(next);
        if stop.contains(&next) || !continues_word(&view) {
            break;
        }
        prob *= rank_and_prob_f64(&logits, next).1;
        ids.push(next);
        word.push(next);
        open = leaves_word_open(&view);
    }
    let text = String::from_utf8_lossy(&session.model.tokenizer.decode_bytes(&word)).into_owned();
    Ok(WordGuess {
        base: base.to_vec(),
        candidate,
        ids: word,
        text,
        prob,
        complete,
    })
}

/// Answers `Request::ExtendWord`.
pub(super) fn serve(session: &mut Session, id: u64, base: &[u32], candidate: u32) -> Reply {
    match extend(session, base, candidate) {
        Ok(guess) => Reply::Word { id, guess },
        Err(e) => Reply::Failed {
            id,
            error: Arc::new(e),
        },
    }
}
