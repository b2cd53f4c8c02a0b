//! SentencePiece tokenizers from GGUF metadata (`tokenizer.ggml.model = llama`: Gemma, Llama 2,
//! Mistral, TinyLlama, Phi-3), encoding exactly as llama.cpp does (`src/llama-vocab.cpp`,
//! `llm_tokenizer_spm_session` and `tokenizer_st_partition`):
//!
//! 1. **Partition.** Control and user-defined tokens are cut out of the text first, longest
//!    token first, each leftmost and non-overlapping. User-defined tokens (Gemma's runs of
//!    spaces and newlines, `[multimodal]`) are always matched; control tokens (`<bos>`,
//!    `<start_of_turn>`) only in template text, so typing `<bos>` gives the characters.
//! 2. **Space prefix.** With `add_space_prefix` (Llama 2: yes, Gemma: no) a text piece that
//!    starts the input or follows a token gets a leading space; then every space becomes `▁`.
//! 3. **Merges by score.** Each UTF-8 character is a symbol; the adjacent pair whose joined text
//!    is a vocabulary entry with the highest score merges first (ties: the leftmost pair), until
//!    no pair is in the vocabulary. This is SentencePiece's BPE-style replay of the scores, not
//!    a Viterbi search, and it is what llama.cpp (and so every GGUF user) does.
//! 4. **Byte fallback.** A final symbol that is not a token is split back along the merges that
//!    made it; what is still not a token becomes its bytes as `<0xNN>` tokens.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use crate::tokenizer::error::TokenizerError;

/// `tokenizer.ggml.token_type` values (llama.cpp's `llama_token_type`).
pub mod token_type {
    pub const NORMAL: i64 = 1;
    pub const UNKNOWN: i64 = 2;
    pub const CONTROL: i64 = 3;
    pub const USER_DEFINED: i64 = 4;
    pub const UNUSED: i64 = 5;
    pub const BYTE: i64 = 6;
}

/// SentencePiece's visible space.
pub const SPACE: char = '\u{2581}';

/// A SentencePiece vocabulary ready to encode.
#[derive(Debug)]
pub struct Spm {
    /// Vocabulary text → id (a later duplicate wins, as in llama.cpp's `token_to_id`).
    ids: HashMap<String, u32>,
    scores: Vec<f32>,
    /// Tokens cut out before merging, longest first: (text, id, is a control token).
    specials: Vec<(String, u32, bool)>,
    /// The `<0xNN>` token of each byte.
    byte_tokens: Vec<Option<u32>>,
    unknown: Option<u32>,
    add_space_prefix: bool,
}

/// A piece of the input after partitioning.
#[derive(Debug, PartialEq)]
enum Fragment<'a> {
    Text(&'a str),
    Token(u32),
}

/// A run of the escaped text: `start..start + n` (`n == 0` once merged into its left).
#[derive(Clone, Copy)]
struct Symbol {
    start: usize,
    n: usize,
    prev: Option<usize>,
    next: Option<usize>,
}

/// A candidate merge of symbols `left` and `right` (`size` bytes of text).
struct Bigram {
    left: usize,
    right: usize,
    score: f32,
    size: usize,
}

impl PartialEq for Bigram {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Bigram {}

impl PartialOrd for Bigram {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Bigram {
    /// The heap's top is the highest score, and among equal scores the leftmost pair.
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then_with(|| other.left.cmp(&self.left))
    }
}

impl Spm {
    /// Builds the vocabulary from `tokens`, their `scores` and `types` (missing types count as
    /// normal tokens).
    pub fn new(
        tokens: &[&str],
        scores: Vec<f32>,
        types: &[i64],
        unknown: Option<u32>,
        add_space_prefix: bool,
    ) -> Result<Self, TokenizerError> {
        if scores.len() != tokens.len() {
            return Err(TokenizerError::NoScores {
                tokens: tokens.len(),
                scores: scores.len(),
            });
        }
        let ids: HashMap<String, u32> = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.to_string(), i as u32))
            .collect();
        let kind = |i: usize| types.get(i).copied().unwrap_or(token_type::NORMAL);
        let mut specials: Vec<(String, u32, bool)> = tokens
            .iter()
            .enumerate()
            .filter(|&(i, t)| {
                !t.is_empty()
                    && matches!(
                        kind(i),
                        token_type::CONTROL | token_type::USER_DEFINED | token_type::UNKNOWN
                    )
            })
            .map(|(i, t)| (t.to_string(), i as u32, kind(i) != token_type::USER_DEFINED))
            .collect();
        // Longest first; equal lengths by id, so the order never depends on a sort's whims.
        specials.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.1.cmp(&b.1)));
        let byte_tokens = (0..=255u8)
            .map(|b| {
                ids.get(&format!("<0x{b:02X}>"))
                    .or_else(|| ids.get(&(b as char).to_string()).filter(|_| b < 0x80))
                    .copied()
            })
            .collect();
        Ok(Self {
            ids,
            scores,
            specials,
            byte_tokens,
            unknown,
            add_space_prefix,
        })
    }

    /// The id of an exact vocabulary string.
    pub fn token_id(&self, piece: &str) -> Option<u32> {
        self.ids.get(piece).copied()
    }

    /// Encodes `text`; control tokens written in it are matched only with `parse_control`.
    pub fn encode(&self, text: &str, parse_control: bool) -> Vec<u32> {
        let mut out = Vec::new();
        let mut after_token = true;
        for fragment in self.partition(text, parse_control) {
            match fragment {
                Fragment::Token(id) => {
                    out.push(id);
                    after_token = true;
                }
                Fragment::Text(t) => {
                    let mut s = String::with_capacity(t.len() + 3);
                    if self.add_space_prefix && after_token {
                        s.push(' ');
                    }
                    s.push_str(t);
                    self.merge(&s.replace(' ', "\u{2581}"), &mut out);
                    after_token = false;
                }
            }
        }
        out
    }

    /// Step 1: cut the special tokens out of the text, longest first.
    fn partition<'a>(&self, text: &'a str, parse_control: bool) -> Vec<Fragment<'a>> {
        let mut fragments = vec![Fragment::Text(text)];
        for (piece, id, control) in &self.specials {
            if *control && !parse_control {
                continue;
            }
            if !fragments
                .iter()
                .any(|f| matches!(f, Fragment::Text(t) if t.contains(piece.as_str())))
            {
                continue;
            }
            let mut next = Vec::with_capacity(fragments.len() + 2);
            for f in fragments {
                let Fragment::Text(mut rest) = f else {
                    next.push(f);
                    continue;
                };
                while let Some(at) = rest.find(piece.as_str()) {
                    if at > 0 {
                        next.push(Fragment::Text(&rest[..at]));
                    }
                    next.push(Fragment::Token(*id));
                    rest = &rest[at + piece.len()..];
                }
                if !rest.is_empty() {
                    next.push(Fragment::Text(rest));
                }
            }
            fragments = next;
        }
        fragments
    }

    /// Steps 3 and 4 on one escaped text piece.
    fn merge(&self, text: &str, out: &mut Vec<u32>) {
        let mut symbols: Vec<Symbol> = Vec::new();
        for (start, c) in text.char_indices() {
            let i = symbols.len();
            symbols.push(Symbol {
                start,
                n: c.len_utf8(),
                prev: i.checked_sub(1),
                next: (start + c.len_utf8() < text.len()).then_some(i + 1),
            });
        }
        if symbols.is_empty() {
            return;
        }
        let mut queue = BinaryHeap::new();
        // Which two symbols made a merged text (the last merge of that text wins).
        let mut made_of: HashMap<&str, (usize, usize)> = HashMap::new();
        let mut try_pair = |left: Option<usize>,
                            right: Option<usize>,
                            symbols: &[Symbol],
                            queue: &mut BinaryHeap<Bigram>| {
            let (Some(l), Some(r)) = (left, right) else {
                return;
            };
            let (a, b) = (symbols[l], symbols[r]);
            let joined = &text[a.start..a.start + a.n + b.n];
            if let Some(&id) = self.ids.get(joined) {
                queue.push(Bigram {
                    left: l,
                    right: r,
                    score: self.scores[id as usize],
                    size: joined.len(),
                });
                made_of.insert(joined, (l, r));
            }
        };
        for i in 1..symbols.len() {
            try_pair(Some(i - 1), Some(i), &symbols, &mut queue);
        }
        while let Some(bigram) = queue.pop() {
            let (l, r) = (symbols[bigram.left], symbols[bigram.right]);
            // Stale: one side was merged away since this pair was queued.
            if l.n == 0 || r.n == 0 || l.n + r.n != bigram.size {
                continue;
            }
            symbols[bigram.left].n += r.n;
            symbols[bigram.right].n = 0;
            symbols[bigram.left].next = r.next;
            if let Some(next) = r.next {
                symbols[next].prev = Some(bigram.left);
            }
            let left = symbols[bigram.left];
            try_pair(left.prev, Some(bigram.left), &symbols, &mut queue);
            try_pair(Some(bigram.left), left.next, &symbols, &mut queue);
        }
        let mut at = Some(0);
        while let Some(i) = at {
            self.resegment(text, &symbols, &made_of, symbols[i], out);
            at = symbols[i].next;
        }
    }

    /// Step 4: a symbol as its token, else as the two symbols it was merged from, else bytes.
    fn resegment(
        &self,
        text: &str,
        symbols: &[Symbol],
        made_of: &HashMap<&str, (usize, usize)>,
        symbol: Symbol,
        out: &mut Vec<u32>,
    ) {
        let piece = &text[symbol.start..symbol.start + symbol.n];
        if let Some(&id) = self.ids.get(piece) {
            out.push(id);
            return;
        }
        match made_of.get(piece) {
            Some(&(l, r)) => {
                self.resegment(text, symbols, made_of, symbols[l], out);
                self.resegment(text, symbols, made_of, symbols[r], out);
            }
            None => out.extend(
                piece
                    .bytes()
                    .filter_map(|b| self.byte_tokens[b as usize].or(self.unknown)),
            ),
        }
    }
}

/// What an SPM token stands for on its own: `▁` is a space, `<0xNN>` its byte, control tokens
/// their name.
pub fn token_bytes(piece: &str, kind: i64) -> Vec<u8> {
    match kind {
        token_type::BYTE => byte_fallback(piece)
            .map(|b| vec![b])
            .unwrap_or_else(|| piece.as_bytes().to_vec()),
        token_type::NORMAL => piece.replace(SPACE, " ").into_bytes(),
        _ => piece.as_bytes().to_vec(),
    }
}

/// `<0x0A>`-style byte-fallback pieces.
pub fn byte_fallback(piece: &str) -> Option<u8> {
    let hex = piece.strip_prefix("<0x")?.strip_suffix('>')?;
    (hex.len() == 2).then(|| u8::from_str_radix(hex, 16).ok())?
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy vocabulary: scores decide the merge order.
    fn toy(add_space_prefix: bool) -> Spm {
        let mut tokens = vec!["<unk>", "<s>", "</s>", "<ctl>", "  "];
        let mut types = vec![2, 3, 3, 3, 4];
        let mut scores = vec![0.0; 5];
        let bytes: Vec<String> = (0..=255u8).map(|b| format!("<0x{b:02X}>")).collect();
        for b in &bytes {
            tokens.push(b);
            types.push(token_type::BYTE);
            scores.push(0.0);
        }
        for (t, s) in [
            ("▁", -1.0),
            ("a", -2.0),
            ("b", -2.0),
            ("ab", -3.0),
            ("▁ab", -4.0),
            ("ba", -0.5),
            ("c", -2.0),
        ] {
            tokens.push(t);
            types.push(token_type::NORMAL);
            scores.push(s);
        }
        Spm::new(&tokens, scores, &types, Some(0), add_space_prefix).unwrap()
    }

    fn ids(spm: &Spm, words: &[&str]) -> Vec<u32> {
        words.iter().map(|w| spm.token_id(w).unwrap()).collect()
    }

    #[test]
    fn highest_score_merges_first() {
        let spm = toy(false);
        // "aba": "ba" (-0.5) beats "ab" (-3), so a + ba.
        assert_eq!(spm.encode("aba", false), ids(&spm, &["a", "ba"]));
        assert_eq!(spm.encode("ab", false), ids(&spm, &["ab"]));
        assert_eq!(spm.encode(" ab", false), ids(&spm, &["▁ab"]));
    }

    #[test]
    fn space_prefix_after_start_and_tokens() {
        let spm = toy(true);
        assert_eq!(spm.encode("ab", false), ids(&spm, &["▁ab"]));
        assert_eq!(
            spm.encode("ab<ctl>ab", true),
            ids(&spm, &["▁ab", "<ctl>", "▁ab"])
        );
    }

    #[test]
    fn control_tokens_only_in_templates_user_defined_always() {
        let spm = toy(false);
        let typed = spm.encode("<ctl>", false);
        assert!(!typed.contains(&3), "{typed:?}");
        assert_eq!(spm.encode("<ctl>", true), vec![3]);
        assert_eq!(spm.encode("a  b", false), ids(&spm, &["a", "  ", "b"]));
    }

    #[test]
    fn unknown_characters_fall_back_to_bytes() {
        let spm = toy(false);
        // "é" is C3 A9.
        assert_eq!(spm.encode("é", false), ids(&spm, &["<0xC3>", "<0xA9>"]));
        assert_eq!(token_bytes("<0xC3>", token_type::BYTE), vec![0xC3]);
        assert_eq!(token_bytes("▁ab", token_type::NORMAL), b" ab");
    }

    #[test]
    fn scores_must_cover_the_vocabulary() {
        let e = Spm::new(&["a", "b"], vec![0.0], &[], None, false).unwrap_err();
        assert!(matches!(
            e,
            TokenizerError::NoScores {
                tokens: 2,
                scores: 1
            }
        ));
    }
}
