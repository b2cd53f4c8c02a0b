//! A tiny deterministic stand-in for the model worker: a made-up vocabulary of about a
//! thousand tokens, a greedy longest-match tokenizer and hand-written next-token logits. It
//! answers `Request::Evaluate` exactly as the real worker's replies are shaped, so key scripts
//! and screen snapshots run without model weights. Test code only: it lives under `tests/`.

use std::sync::Arc;
use std::time::Duration;

use tokenscope::engine::{Device, ModelInfo, Position, Reply, Request, TokenView};
use tokenscope::model::Precision;
use tokenscope::sampling::{Distribution, SamplingParams};

/// Words of the made-up vocabulary (ids in this order), after the two control tokens.
const WORDS: [&str; 30] = [
    "The",
    " capital",
    " of",
    " France",
    " is",
    " Paris",
    " Lyon",
    " Marseille",
    " a",
    " the",
    " city",
    ".",
    "\n",
    " Nice",
    " big",
    " beautiful",
    " and",
    " it",
    " has",
    " many",
    " museums",
    "user",
    "assistant",
    " Brasil",
    " São",
    " Paulo",
    "ã",
    " m",
    "e",
    " ",
];

/// Filler tokens after the words, so the vocabulary has a long tail like a real one.
const FILLERS: usize = 994;

/// A deterministic fake model.
#[derive(Clone, Debug)]
pub struct FakeModel {
    pub vocab: Arc<Vec<TokenView>>,
}

impl Default for FakeModel {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeModel {
    /// The id of `<|im_start|>`.
    pub const IM_START: u32 = 0;
    /// The id of `<|im_end|>` (the stop token).
    pub const IM_END: u32 = 1;

    pub fn new() -> FakeModel {
        let mut vocab = vec![
            TokenView {
                id: 0,
                piece: "<|im_start|>".into(),
                text: "<|im_start|>".into(),
                special: true,
            },
            TokenView {
                id: 1,
                piece: "<|im_end|>".into(),
                text: "<|im_end|>".into(),
                special: true,
            },
        ];
        for w in WORDS {
            let id = vocab.len() as u32;
            vocab.push(TokenView {
                id,
                piece: w.replace(' ', "Ġ").replace('\n', "Ċ"),
                text: w.into(),
                special: false,
            });
        }
        for n in 0..FILLERS {
            let id = vocab.len() as u32;
            let text = format!(" w{n:03}");
            vocab.push(TokenView {
                id,
                piece: text.replace(' ', "Ġ"),
                text,
                special: false,
            });
        }
        FakeModel {
            vocab: Arc::new(vocab),
        }
    }

    /// The id of a word of the vocabulary.
    pub fn id(&self, text: &str) -> u32 {
        self.vocab
            .iter()
            .position(|t| t.text == text)
            .unwrap_or_else(|| panic!("{text:?} not in the fake vocabulary")) as u32
    }

    /// What the worker reports once loaded.
    pub fn info(&self) -> ModelInfo {
        ModelInfo {
            name: "tiny-fake".into(),
            device: Device::Cpu,
            precision: Precision::Exact,
            vocab_size: self.vocab.len(),
            context_length: 2048,
            stop_ids: vec![Self::IM_END],
            vocab: self.vocab.clone(),
            load_time: Duration::from_millis(5),
        }
    }

    /// Greedy longest-match tokenization (control tokens are matched too).
    pub fn tokenize(&self, text: &str) -> Vec<u32> {
        let mut ids = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            let best = self
                .vocab
                .iter()
                .filter(|t| !t.text.is_empty() && rest.starts_with(t.text.as_str()))
                .max_by_key(|t| t.text.len());
            match best {
                Some(t) => {
                    ids.push(t.id);
                    rest = &rest[t.text.len()..];
                }
                None => {
                    // Unknown character: skip it (the fake has no byte tokens).
                    let skip = rest.chars().next().map_or(1, char::len_utf8);
                    rest = &rest[skip..];
                }
            }
        }
        ids
    }

    /// The prompt's tokens, wrapped in a ChatML-like template when `chat` is set.
    pub fn prompt_tokens(&self, prompt: &str, chat: bool) -> Vec<u32> {
        if chat {
            let text = format!("<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n");
            self.tokenize(&text)
        } else {
            self.tokenize(prompt)
        }
    }

    /// Next-token logits after `prev` at position `pos`: a small deterministic landscape with
    /// hand-placed favourites so the examples read like language.
    pub fn logits(&self, prev: u32, pos: usize) -> Vec<f32> {
        let n = self.vocab.len();
        let mut logits: Vec<f32> = (0..n)
            .map(|j| {
                let h =
                    ((j as u64 * 2_654_435_761) ^ (u64::from(prev) * 40_503) ^ (pos as u64 * 97))
                        % 1000;
                -2.0 - h as f32 / 250.0
            })
            .collect();
        let prev_text = self.vocab[prev as usize].text.clone();
        let favourites: &[(&str, f32)] = match prev_text.as_str() {
            " is" => &[
                (" Paris", 6.0),
                (" Lyon", 4.6),
                (" a", 4.3),
                (" the", 3.9),
                (" Marseille", 3.5),
                (" Nice", 2.0),
            ],
            " Paris" => &[
                (".", 5.5),
                ("\n", 3.8),
                (" and", 3.6),
                (" is", 3.0),
                (" city", 1.5),
            ],
            " Lyon" | " Marseille" | " Nice" => {
                &[(".", 5.0), (" and", 3.8), (" is", 3.5), (" city", 2.0)]
            }
            "." => &[
                ("\n", 4.0),
                (" it", 3.2),
                ("<|im_end|>", 3.0),
                (" and", 1.0),
            ],
            " a" | " the" => &[
                (" city", 5.0),
                (" big", 4.0),
                (" beautiful", 3.8),
                (" capital", 3.0),
            ],
            " city" | " big" | " beautiful" => {
                &[(".", 4.5), (" and", 4.0), (" city", 2.5), (" of", 2.2)]
            }
            " and" => &[
                (" it", 4.5),
                (" has", 3.5),
                (" the", 3.0),
                (" a", 2.0),
                (" many", 1.5),
            ],
            " it" => &[(" is", 5.0), (" has", 4.5), (" and", 2.0)],
            " has" => &[
                (" many", 5.0),
                (" a", 4.2),
                (" the", 3.6),
                (" big", 3.0),
                (" beautiful", 2.6),
                (" museums", 2.0),
            ],
            " many" => &[(" museums", 6.0), (" beautiful", 3.5), (" big", 3.0)],
            " museums" => &[(".", 5.5), (" and", 3.0), ("\n", 2.0)],
            "The" => &[(" capital", 5.5), (" city", 4.0), (" big", 2.0)],
            " capital" => &[(" of", 6.5), (" city", 2.0)],
            " of" => &[(" France", 5.5), (" Brasil", 4.5), (" the", 2.0)],
            " France" | " Brasil" => &[(" is", 6.0), (" has", 3.5), (".", 3.0)],
            "\n" => &[("The", 4.0), ("<|im_end|>", 3.5), (" it", 1.0)],
            "assistant" => &[("\n", 6.0)],
            _ => &[("The", 3.0), (" the", 2.5), (" a", 2.0)],
        };
        for (word, logit) in favourites {
            if let Some(t) = self.vocab.iter().find(|t| t.text == *word) {
                logits[t.id as usize] = *logit;
            }
        }
        logits
    }

    /// Evaluates a request the way the worker does; `None` for other requests.
    pub fn evaluate(&self, request: &Request) -> Option<Reply> {
        let Request::Evaluate {
            id,
            prompt,
            chat,
            continuation,
            ..
        } = request
        else {
            return None;
        };
        let mut ids = self.prompt_tokens(prompt, *chat);
        let prompt_len = ids.len();
        ids.extend(continuation);
        let mut positions: Vec<Position> = Vec::with_capacity(ids.len());
        for (i, &tok) in ids.iter().enumerate() {
            let (rank, prob) = match positions.last() {
                Some(prev) => {
                    let d = Distribution::new(&prev.logits, &SamplingParams::default());
                    let c = d.candidate(tok).expect("token in vocabulary");
                    (Some(c.rank as u32), Some(c.prob as f32))
                }
                None => (None, None),
            };
            positions.push(Position {
                token: self.vocab[tok as usize].clone(),
                logits: self.logits(tok, i).into(),
                rank,
                prob,
            });
        }
        Some(Reply::Evaluated {
            id: *id,
            prompt_len,
            positions,
            reused: 0,
            elapsed: Duration::from_millis(12),
            source: None,
        })
    }
}
