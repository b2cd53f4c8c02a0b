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

use crate::gguf::GgufFile;
use crate::pieces::bytes_to_text;

pub mod bpe;
pub mod error;
pub mod spm;

pub use error::TokenizerError;
use error::lib_err;
use spm::{Spm, byte_fallback};

/// What a token looks like, precomputed once per vocabulary so the UI never needs the tokenizer.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenView {
    pub id: u32,
    /// The vocabulary string (e.g. `Ġthe` for byte-level BPE, `▁the` for SentencePiece).
    pub piece: String,
    /// What the token decodes to on its own; bytes that are not valid UTF-8 on their own are
    /// written `<0xE3>`.
    pub text: String,
    /// True for control tokens such as `<|im_start|>` or `<bos>`.
    pub special: bool,
}

/// What turns text into ids.
#[derive(Clone)]
enum Encoder {
    /// The `tokenizers` library (byte-level BPE from GGUF, any HF `tokenizer.json`).
    Library {
        /// Added (control) tokens are matched in the input: chat-template text only.
        with_specials: Box<tokenizers::Tokenizer>,
        /// Added tokens are *not* matched: everything a user typed.
        plain: Box<tokenizers::Tokenizer>,
        /// For HF tokenizers the post-processor decides about BOS/EOS.
        post_processor: bool,
    },
    /// A SentencePiece vocabulary from GGUF, encoded as llama.cpp does.
    SentencePiece(Arc<Spm>),
}

/// A tokenizer plus everything the playground needs to show tokens.
#[derive(Clone)]
pub struct Tokenizer {
    encoder: Encoder,
    views: Arc<Vec<TokenView>>,
    bytes: Vec<Vec<u8>>,
    /// Prepend `bos` to plain text (GGUF `tokenizer.ggml.add_bos_token`).
    add_bos: bool,
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

/// The GGUF keys every tokenizer type shares.
struct GgufCommon {
    bos: Option<u32>,
    eos: Option<u32>,
    add_bos: bool,
    chat_template: Option<String>,
}

impl GgufCommon {
    /// `add_bos_token` when written; otherwise llama.cpp's default for the tokenizer type
    /// (`add_bos_default`: yes for SentencePiece, no for byte-level BPE).
    fn read(gguf: &GgufFile, add_bos_default: bool) -> Self {
        let id = |key: &str| gguf.get_u64(key).map(|v| v as u32);
        Self {
            bos: id("tokenizer.ggml.bos_token_id"),
            eos: id("tokenizer.ggml.eos_token_id"),
            add_bos: gguf
                .get_bool("tokenizer.ggml.add_bos_token")
                .unwrap_or(add_bos_default),
            chat_template: gguf.get_str("tokenizer.chat_template").map(str::to_string),
        }
    }

    fn options(self, pieces: &[String]) -> AssembleOptions {
        let name_of = |id: Option<u32>| {
            id.and_then(|i| pieces.get(i as usize).cloned())
                .unwrap_or_default()
        };
        AssembleOptions {
            add_bos: self.add_bos,
            bos_text: name_of(self.bos),
            eos_text: name_of(self.eos),
            bos: self.bos,
            eos: self.eos,
            chat_template: self.chat_template,
        }
    }
}

impl Tokenizer {
    /// Builds the tokenizer described by a GGUF file's `tokenizer.ggml.*` metadata: byte-level
    /// BPE (`gpt2`) or SentencePiece (`llama`).
    pub fn from_gguf(gguf: &GgufFile) -> Result<Self, TokenizerError> {
        let model = gguf
            .get_str("tokenizer.ggml.model")
            .ok_or_else(|| TokenizerError::Missing("tokenizer.ggml.model".into()))?;
        let pre = gguf.get_str("tokenizer.ggml.pre").unwrap_or("default");
        let tokens = gguf
            .get_str_array("tokenizer.ggml.tokens")
            .ok_or_else(|| TokenizerError::Missing("tokenizer.ggml.tokens".into()))?;
        let pieces: Vec<String> = tokens.iter().map(|t| t.to_string()).collect();
        match model {
            "gpt2" => {
                let b = bpe::from_gguf(gguf, &tokens, pre)?;
                let options = GgufCommon::read(gguf, false).options(&pieces);
                let encoder = Encoder::library(b.tokenizer, false);
                Ok(Self::assemble(encoder, pieces, b.bytes, b.special, options))
            }
            "llama" => Self::from_gguf_spm(gguf, &tokens, pieces),
            _ => Err(TokenizerError::Unsupported {
                model: model.into(),
                pre: pre.into(),
            }),
        }
    }

    /// A SentencePiece vocabulary: tokens, scores and token types.
    fn from_gguf_spm(
        gguf: &GgufFile,
        tokens: &[&str],
        pieces: Vec<String>,
    ) -> Result<Self, TokenizerError> {
        let scores = gguf
            .get_f32_array("tokenizer.ggml.scores")
            .unwrap_or_default();
        let types = gguf
            .get_i64_array("tokenizer.ggml.token_type")
            .unwrap_or_default();
        let unknown = gguf
            .get_u64("tokenizer.ggml.unknown_token_id")
            .map(|v| v as u32);
        let add_space_prefix = gguf
            .get_bool("tokenizer.ggml.add_space_prefix")
            .unwrap_or(true);
        let spm = Spm::new(tokens, scores, &types, unknown, add_space_prefix)?;
        let kind = |i: usize| types.get(i).copied().unwrap_or(spm::token_type::NORMAL);
        let bytes = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| spm::token_bytes(t, kind(i)))
            .collect();
        let special = (0..tokens.len())
            .map(|i| {
                matches!(
                    kind(i),
                    spm::token_type::CONTROL | spm::token_type::UNKNOWN | spm::token_type::UNUSED
                )
            })
            .collect();
        let options = GgufCommon::read(gguf, true).options(&pieces);
        let encoder = Encoder::SentencePiece(Arc::new(spm));
        Ok(Self::assemble(encoder, pieces, bytes, special, options))
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
        let table = bpe::byte_level_decoder();
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
                bpe::byte_level_bytes(&piece, &table).unwrap_or_else(|| piece.as_bytes().to_vec())
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
            Encoder::library(tok, true),
            pieces,
            bytes,
            special,
            AssembleOptions {
                add_bos: false,
                bos,
                eos,
                bos_text,
                eos_text,
                chat_template,
            },
        ))
    }

    fn assemble(
        encoder: Encoder,
        pieces: Vec<String>,
        bytes: Vec<Vec<u8>>,
        special: Vec<bool>,
        o: AssembleOptions,
    ) -> Self {
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
            encoder,
            views: Arc::new(views),
            bytes,
            add_bos: o.add_bos,
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
        let mut ids = Vec::with_capacity(text.len() / 3 + 2);
        if self.add_bos
            && let Some(bos) = self.bos
        {
            ids.push(bos);
        }
        match &self.encoder {
            Encoder::Library {
                plain,
                post_processor,
                ..
            } => ids.extend_from_slice(
                plain
                    .encode_fast(text, *post_processor)
                    .map_err(lib_err)?
                    .get_ids(),
            ),
            Encoder::SentencePiece(spm) => ids.extend(spm.encode(text, false)),
        }
        Ok(ids)
    }

    /// The same tokenizer with the HF post-processor off: [`Self::encode`] adds no BOS/EOS
    /// (encoder-decoders put their own special tokens around the source).
    pub fn without_post_processor(mut self) -> Self {
        if let Encoder::Library { post_processor, .. } = &mut self.encoder {
            *post_processor = false;
        }
        self.add_bos = false;
        self
    }

    /// The same tokenizer with views for ids up to `vocab` (a model's embedding may have more
    /// rows than the tokenizer has tokens, e.g. T5's 32 128 for 32 100): the extra ids are shown
    /// as `<id N>`, as [`Self::view`] shows ids outside the vocabulary.
    pub fn cover(mut self, vocab: usize) -> Self {
        let n = self.views.len();
        if n < vocab {
            let views = Arc::make_mut(&mut self.views);
            views.extend((n..vocab).map(|id| Self::placeholder(id as u32)));
            self.bytes.resize(vocab, Vec::new());
        }
        self
    }

    fn placeholder(id: u32) -> TokenView {
        TokenView {
            id,
            piece: format!("<id {id}>"),
            text: format!("<id {id}>"),
            special: false,
        }
    }

    /// Encodes a chat message: plain text (control-token look-alikes stay text), no BOS/EOS.
    pub fn encode_message(&self, text: &str) -> Result<Vec<u32>, TokenizerError> {
        match &self.encoder {
            Encoder::Library { plain, .. } => Ok(plain
                .encode_fast(text, false)
                .map_err(lib_err)?
                .get_ids()
                .to_vec()),
            Encoder::SentencePiece(spm) => Ok(spm.encode(text, false)),
        }
    }

    /// Encodes chat-template text, where control tokens written in the text (`<|im_start|>`)
    /// become control tokens. Never add BOS/EOS here: the template writes them itself.
    pub fn encode_template(&self, text: &str) -> Result<Vec<u32>, TokenizerError> {
        match &self.encoder {
            Encoder::Library { with_specials, .. } => Ok(with_specials
                .encode_fast(text, false)
                .map_err(lib_err)?
                .get_ids()
                .to_vec()),
            Encoder::SentencePiece(spm) => Ok(spm.encode(text, true)),
        }
    }

    /// The printable view of every vocabulary entry, indexed by id.
    pub fn views(&self) -> Arc<Vec<TokenView>> {
        Arc::clone(&self.views)
    }

    /// The view of one token (a placeholder view for ids outside the vocabulary).
    pub fn view(&self, id: u32) -> TokenView {
        self.views
            .get(id as usize)
            .cloned()
            .unwrap_or_else(|| Self::placeholder(id))
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
        match &self.encoder {
            Encoder::Library { with_specials, .. } => with_specials.token_to_id(piece),
            Encoder::SentencePiece(spm) => spm.token_id(piece),
        }
    }
}

impl Encoder {
    fn library(with_specials: tokenizers::Tokenizer, post_processor: bool) -> Self {
        let mut plain = with_specials.clone();
        plain.set_encode_special_tokens(true);
        Encoder::Library {
            with_specials: Box::new(with_specials),
            plain: Box::new(plain),
            post_processor,
        }
    }
}

struct AssembleOptions {
    add_bos: bool,
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
    fn byte_fallback_pieces() {
        assert_eq!(byte_fallback("<0x0A>"), Some(10));
        assert_eq!(byte_fallback("<0xE3>"), Some(0xE3));
        assert_eq!(byte_fallback("<0x0A"), None);
        assert_eq!(byte_fallback("hello"), None);
    }
}
