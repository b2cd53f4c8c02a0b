//! Text ⇄ token ids, built from GGUF metadata (`tokenizer.ggml.*`) or an HF `tokenizer.json`.
//!
//! Two rules shape this file:
//! - **Text a user types is text.** `<|im_start|>` typed into the prompt is encoded as the
//!   characters `<`, `|`, … never as the control token; only the chat template (see `chat.rs`)
//!   inserts control tokens, through [`Tokenizer::encode_template`].
//! - **Every token has a printable view** ([`TokenView`]): its vocabulary piece and the text it
//!   decodes to on its own, with bytes that are not valid UTF-8 by themselves written `<0xE3>`.

use std::path::Path;
use std::sync::Arc;

use tokenizers::models::bpe::{BPE, Vocab};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::{AddedToken, SplitDelimiterBehavior};

use crate::gguf::GgufFile;
use crate::i18n::{Describe, Lang, Text};
use crate::pieces::bytes_to_text;

/// What a token looks like, precomputed once per vocabulary so the UI never needs the tokenizer.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenView {
    pub id: u32,
    /// The vocabulary string (e.g. `Ġthe` for byte-level BPE).
    pub piece: String,
    /// What the token decodes to on its own; bytes that are not valid UTF-8 on their own are
    /// written `<0xE3>`.
    pub text: String,
    /// True for control tokens such as `<|im_start|>`.
    pub special: bool,
}

/// Errors while building or using a tokenizer.
#[derive(Debug)]
pub enum TokenizerError {
    /// The model file has no tokenizer (this metadata key is missing).
    Missing(String),
    /// A tokenizer type (and pre-tokenizer) that tokenscope does not build from GGUF.
    Unsupported { model: String, pre: String },
    /// The `tokenizers` library refused something (its own message).
    Library(String),
}

impl Describe for TokenizerError {
    fn describe(&self, lang: Lang) -> String {
        match self {
            TokenizerError::Missing(key) => lang.f(Text::ErrTokenizerMissing, &[key]),
            TokenizerError::Unsupported { model, pre } => {
                lang.f(Text::ErrTokenizerUnsupported, &[model, pre])
            }
            TokenizerError::Library(why) => lang.f(Text::ErrTokenizerLibrary, &[why]),
        }
    }
}

crate::described_error!(TokenizerError);

fn lib_err(e: impl std::fmt::Display) -> TokenizerError {
    TokenizerError::Library(e.to_string())
}

// GPT-2's regex (`'s|'t|…| ?\p{L}+| ?\p{N}+|…`) is the one built into `ByteLevel` with
// `use_regex = true`, so the gpt2 and smollm pre-tokenizers need no Split of their own.
/// llama.cpp's LLAMA3 (`llama-bpe`) regex: digits in runs of up to three.
const LLAMA3_REGEX: &str = r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
/// llama.cpp's QWEN2 regex: single digits.
const QWEN2_REGEX: &str = r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// A tokenizer plus everything the playground needs to show tokens.
#[derive(Clone)]
pub struct Tokenizer {
    /// Added (control) tokens are matched in the input: used for chat-template text only.
    with_specials: tokenizers::Tokenizer,
    /// Added tokens are *not* matched: used for everything a user typed.
    plain: tokenizers::Tokenizer,
    views: Arc<Vec<TokenView>>,
    bytes: Vec<Vec<u8>>,
    /// Prepend `bos` to plain text (GGUF `tokenizer.ggml.add_bos_token`).
    add_bos: bool,
    /// For HF tokenizers the post-processor decides about BOS/EOS.
    hf_post_processor: bool,
    pub bos: Option<u32>,
    pub eos: Option<u32>,
    pub bos_text: String,
    pub eos_text: String,
    pub chat_template: Option<String>,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer")
            .field("vocab", &self.views.len())
            .field("bos", &self.bos)
            .field("eos", &self.eos)
            .finish()
    }
}

/// GPT-2's byte ↔ printable-character table: byte-level BPE vocabularies spell byte `b` as
/// `char(table[b])` (e.g. space is `Ġ`, newline `Ċ`).
fn byte_level_decoder() -> std::collections::HashMap<char, u8> {
    let mut printable: Vec<u32> = (b'!' as u32..=b'~' as u32)
        .chain(0xA1..=0xAC)
        .chain(0xAE..=0xFF)
        .collect();
    let mut chars = printable.clone();
    let mut n = 0;
    for b in 0..256u32 {
        if !printable.contains(&b) {
            printable.push(b);
            chars.push(256 + n);
            n += 1;
        }
    }
    printable
        .into_iter()
        .zip(chars)
        .map(|(b, c)| (char::from_u32(c).expect("valid char"), b as u8))
        .collect()
}

/// The bytes a byte-level piece stands for, or `None` if it is not a byte-level piece.
fn byte_level_bytes(piece: &str, table: &std::collections::HashMap<char, u8>) -> Option<Vec<u8>> {
    piece.chars().map(|c| table.get(&c).copied()).collect()
}

/// `<0x0A>`-style byte-fallback pieces (SentencePiece vocabularies).
fn byte_fallback(piece: &str) -> Option<u8> {
    let hex = piece.strip_prefix("<0x")?.strip_suffix('>')?;
    (hex.len() == 2).then(|| u8::from_str_radix(hex, 16).ok())?
}

impl Tokenizer {
    /// Builds the tokenizer described by a GGUF file's `tokenizer.ggml.*` metadata.
    pub fn from_gguf(gguf: &GgufFile) -> Result<Self, TokenizerError> {
        let model = gguf
            .get_str("tokenizer.ggml.model")
            .ok_or_else(|| TokenizerError::Missing("tokenizer.ggml.model".into()))?
            .to_string();
        let pre = gguf
            .get_str("tokenizer.ggml.pre")
            .unwrap_or("default")
            .to_string();
        if model != "gpt2" {
            return Err(TokenizerError::Unsupported { model, pre });
        }
        let tokens = gguf
            .get_str_array("tokenizer.ggml.tokens")
            .ok_or_else(|| TokenizerError::Missing("tokenizer.ggml.tokens".into()))?;
        let merges = gguf
            .get_str_array("tokenizer.ggml.merges")
            .ok_or_else(|| TokenizerError::Missing("tokenizer.ggml.merges".into()))?;
        let types = gguf
            .get_i64_array("tokenizer.ggml.token_type")
            .unwrap_or_default();

        let vocab: Vocab = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.to_string(), i as u32))
            .collect();
        let merges: Vec<(String, String)> = merges
            .iter()
            .filter_map(|m| m.split_once(' '))
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let bpe = BPE::builder()
            .vocab_and_merges(vocab, merges)
            .build()
            .map_err(lib_err)?;
        let mut tok = tokenizers::Tokenizer::new(bpe);

        // llama.cpp's pre-tokenizer table (src/llama-vocab.cpp), per `tokenizer.ggml.pre`.
        let regex_split = |re: &str| -> Result<_, TokenizerError> {
            Ok(Split::new(
                SplitPattern::Regex(re.to_string()),
                SplitDelimiterBehavior::Isolated,
                false,
            )
            .map_err(lib_err)?
            .into())
        };
        let pre_tokenizer = match pre.as_str() {
            // "\p{N}" (each digit alone), then the GPT-2 regex.
            "smollm" | "starcoder" | "refact" | "codeshell" | "exaone" | "minerva" => {
                Sequence::new(vec![
                    Digits::new(true).into(),
                    ByteLevel::new(false, true, true).into(),
                ])
            }
            "gpt2" | "default" | "gpt-2" => {
                Sequence::new(vec![ByteLevel::new(false, true, true).into()])
            }
            "llama-bpe" | "llama3" | "llama-v3" | "falcon3" => Sequence::new(vec![
                regex_split(LLAMA3_REGEX)?,
                ByteLevel::new(false, false, false).into(),
            ]),
            "qwen2" | "deepseek-r1-qwen" => Sequence::new(vec![
                regex_split(QWEN2_REGEX)?,
                ByteLevel::new(false, false, false).into(),
            ]),
            _ => return Err(TokenizerError::Unsupported { model, pre }),
        };
        tok.with_pre_tokenizer(Some(pre_tokenizer));
        tok.with_decoder(Some(tokenizers::decoders::byte_level::ByteLevel::default()));

        // token_type: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte.
        let mut special = vec![false; tokens.len()];
        let mut controls = Vec::new();
        let mut user_defined = Vec::new();
        for (i, t) in tokens.iter().enumerate() {
            match types.get(i).copied().unwrap_or(1) {
                3 => {
                    special[i] = true;
                    controls.push(AddedToken::from(t.to_string(), true));
                }
                4 => user_defined.push(AddedToken::from(t.to_string(), false)),
                _ => {}
            }
        }
        tok.add_special_tokens(controls).map_err(lib_err)?;
        tok.add_tokens(user_defined).map_err(lib_err)?;

        let table = byte_level_decoder();
        let bytes: Vec<Vec<u8>> = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| {
                if special[i] {
                    t.as_bytes().to_vec()
                } else {
                    byte_level_bytes(t, &table).unwrap_or_else(|| t.as_bytes().to_vec())
                }
            })
            .collect();
        let pieces: Vec<String> = tokens.iter().map(|t| t.to_string()).collect();
        let id = |key: &str| gguf.get_u64(key).map(|v| v as u32);
        let bos = id("tokenizer.ggml.bos_token_id");
        let eos = id("tokenizer.ggml.eos_token_id");
        let add_bos = gguf
            .get_bool("tokenizer.ggml.add_bos_token")
            .unwrap_or(false);
        let name_of = |id: Option<u32>| {
            id.and_then(|i| pieces.get(i as usize).cloned())
                .unwrap_or_default()
        };
        Ok(Self::assemble(
            tok,
            pieces.clone(),
            bytes,
            special,
            AssembleOptions {
                add_bos,
                hf_post_processor: false,
                bos,
                eos,
                bos_text: name_of(bos),
                eos_text: name_of(eos),
                chat_template: gguf.get_str("tokenizer.chat_template").map(str::to_string),
            },
        ))
    }

    /// Loads an HF folder's `tokenizer.json` (+ `tokenizer_config.json` for the chat template and
    /// the BOS/EOS tokens).
    pub fn from_hf_dir(dir: &Path) -> Result<Self, TokenizerError> {
        let path = dir.join("tokenizer.json");
        let tok = tokenizers::Tokenizer::from_file(&path)
            .map_err(|e| TokenizerError::Library(format!("{}: {e}", path.display())))?;
        let config: serde_json::Value =
            match std::fs::read_to_string(dir.join("tokenizer_config.json")) {
                Ok(s) => serde_json::from_str(&s).map_err(lib_err)?,
                Err(_) => serde_json::Value::Null,
            };
        let token_str = |key: &str| -> Option<String> {
            match config.get(key)? {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Object(o) => o.get("content")?.as_str().map(str::to_string),
                _ => None,
            }
        };
        let n = tok.get_vocab_size(true);
        let added = tok.get_added_tokens_decoder();
        let byte_level = matches!(
            tok.get_decoder(),
            Some(tokenizers::DecoderWrapper::ByteLevel(_))
        );
        let table = byte_level_decoder();
        let mut pieces = Vec::with_capacity(n);
        let mut bytes = Vec::with_capacity(n);
        let mut special = Vec::with_capacity(n);
        for id in 0..n as u32 {
            let piece = tok.id_to_token(id).unwrap_or_default();
            let is_special = added.get(&id).is_some_and(|t| t.special);
            let b = if is_special || added.contains_key(&id) {
                piece.as_bytes().to_vec()
            } else if let Some(b) = byte_fallback(&piece) {
                vec![b]
            } else if byte_level {
                byte_level_bytes(&piece, &table).unwrap_or_else(|| piece.as_bytes().to_vec())
            } else {
                // SentencePiece-style: `▁` stands for a space.
                piece.replace('\u{2581}', " ").into_bytes()
            };
            pieces.push(piece);
            bytes.push(b);
            special.push(is_special);
        }
        let bos_text = token_str("bos_token").unwrap_or_default();
        let eos_text = token_str("eos_token").unwrap_or_default();
        let bos = tok.token_to_id(&bos_text);
        let eos = tok.token_to_id(&eos_text);
        let chat_template = match config.get("chat_template") {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            _ => std::fs::read_to_string(dir.join("chat_template.jinja")).ok(),
        };
        Ok(Self::assemble(
            tok,
            pieces,
            bytes,
            special,
            AssembleOptions {
                add_bos: false,
                hf_post_processor: true,
                bos,
                eos,
                bos_text,
                eos_text,
                chat_template,
            },
        ))
    }

    fn assemble(
        with_specials: tokenizers::Tokenizer,
        pieces: Vec<String>,
        bytes: Vec<Vec<u8>>,
        special: Vec<bool>,
        o: AssembleOptions,
    ) -> Self {
        let mut plain = with_specials.clone();
        plain.set_encode_special_tokens(true);
        let views = pieces
            .into_iter()
            .zip(&bytes)
            .zip(&special)
            .enumerate()
            .map(|(id, ((piece, b), &special))| TokenView {
                id: id as u32,
                piece,
                text: bytes_to_text(b),
                special,
            })
            .collect();
        Self {
            with_specials,
            plain,
            views: Arc::new(views),
            bytes,
            add_bos: o.add_bos,
            hf_post_processor: o.hf_post_processor,
            bos: o.bos,
            eos: o.eos,
            bos_text: o.bos_text,
            eos_text: o.eos_text,
            chat_template: o.chat_template,
        }
    }

    /// Encodes text a user typed: control-token look-alikes stay text; BOS is added when the
    /// model asks for it (GGUF `add_bos_token`, or the HF post-processor).
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, TokenizerError> {
        let enc = self
            .plain
            .encode_fast(text, self.hf_post_processor)
            .map_err(lib_err)?;
        let mut ids = Vec::with_capacity(enc.get_ids().len() + 1);
        if self.add_bos
            && let Some(bos) = self.bos
        {
            ids.push(bos);
        }
        ids.extend_from_slice(enc.get_ids());
        Ok(ids)
    }

    /// Encodes a chat message: plain text (control-token look-alikes stay text), no BOS/EOS.
    pub fn encode_message(&self, text: &str) -> Result<Vec<u32>, TokenizerError> {
        let enc = self.plain.encode_fast(text, false).map_err(lib_err)?;
        Ok(enc.get_ids().to_vec())
    }

    /// Encodes chat-template text, where control tokens written in the text (`<|im_start|>`)
    /// become control tokens. Never add BOS/EOS here: the template writes them itself.
    pub fn encode_template(&self, text: &str) -> Result<Vec<u32>, TokenizerError> {
        let enc = self
            .with_specials
            .encode_fast(text, false)
            .map_err(lib_err)?;
        Ok(enc.get_ids().to_vec())
    }

    /// The printable view of every vocabulary entry, indexed by id.
    pub fn views(&self) -> Arc<Vec<TokenView>> {
        Arc::clone(&self.views)
    }

    /// The view of one token (a placeholder view for ids outside the vocabulary).
    pub fn view(&self, id: u32) -> TokenView {
        self.views.get(id as usize).cloned().unwrap_or(TokenView {
            id,
            piece: format!("<id {id}>"),
            text: format!("<id {id}>"),
            special: false,
        })
    }

    /// The raw bytes a token stands for (control tokens: their name).
    pub fn token_bytes(&self, id: u32) -> &[u8] {
        self.bytes
            .get(id as usize)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Concatenated bytes of a sequence of tokens.
    pub fn decode_bytes(&self, ids: &[u32]) -> Vec<u8> {
        ids.iter()
            .flat_map(|&id| self.token_bytes(id).iter().copied())
            .collect()
    }

    /// The id of an exact vocabulary string (e.g. `<|im_end|>`).
    pub fn token_id(&self, piece: &str) -> Option<u32> {
        self.with_specials.token_to_id(piece)
    }
}

struct AssembleOptions {
    add_bos: bool,
    hf_post_processor: bool,
    bos: Option<u32>,
    eos: Option<u32>,
    bos_text: String,
    eos_text: String,
    chat_template: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_table_matches_gpt2() {
        let t = byte_level_decoder();
        assert_eq!(t.len(), 256);
        assert_eq!(t[&'Ġ'], b' ');
        assert_eq!(t[&'Ċ'], b'\n');
        assert_eq!(t[&'A'], b'A');
        assert_eq!(byte_level_bytes("Ġm", &t), Some(vec![b' ', b'm']));
    }

    #[test]
    fn byte_fallback_pieces() {
        assert_eq!(byte_fallback("<0x0A>"), Some(10));
        assert_eq!(byte_fallback("<0xE3>"), Some(0xE3));
        assert_eq!(byte_fallback("<0x0A"), None);
        assert_eq!(byte_fallback("hello"), None);
    }
}
