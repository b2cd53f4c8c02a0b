//! An encoder's tokenizer: the folder's `tokenizer.json` through the `tokenizers` crate (the
//! same code as Python's), or, for folders with only `vocab.txt`, the BERT WordPiece pipeline
//! built from it (BertNormalizer → BertPreTokenizer → WordPiece → `[CLS] … [SEP]`). The
//! special tokens ([CLS], [SEP], the mask) are added by the tokenizer exactly as transformers
//! adds them. The user writes the mask as `[MASK]` whatever the model calls it (RoBERTa:
//! `<mask>`).

use std::path::Path;

use tokenizers::models::wordpiece::WordPiece;
use tokenizers::normalizers::BertNormalizer;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::processors::bert::BertProcessing;
use tokenizers::{AddedToken, DecoderWrapper};

use crate::model::bert::EncoderError;
use crate::tokenizer::bpe;

/// What the user types for the mask, whatever the model's own spelling.
pub const MASK: &str = "[MASK]";

/// Text ⇄ ids for an encoder, with the printable piece and text of every id.
pub struct EncoderTokenizer {
    inner: tokenizers::Tokenizer,
    /// The model's mask token as written in its vocabulary (`[MASK]`, `<mask>`).
    pub mask_text: String,
    pub mask_id: u32,
    /// Per id: the vocabulary string.
    pub pieces: Vec<String>,
    /// Per id: the text it stands for on its own (`##ing` → `ing`, `Ġparis` → ` paris`).
    pub texts: Vec<String>,
    /// Per id: an added special token (`[CLS]`, `[MASK]`, `<s>`…).
    pub special: Vec<bool>,
}

fn lib(e: impl std::fmt::Display) -> EncoderError {
    EncoderError::Tokenizer(e.to_string())
}

fn tokenizer_config(dir: &Path) -> serde_json::Value {
    std::fs::read_to_string(dir.join("tokenizer_config.json"))
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(serde_json::Value::Null)
}

/// BERT's WordPiece tokenizer from `vocab.txt` (lower-casing per `do_lower_case`, default on).
fn from_vocab_txt(
    dir: &Path,
    config: &serde_json::Value,
) -> Result<tokenizers::Tokenizer, EncoderError> {
    let vocab = dir.join("vocab.txt");
    let model = WordPiece::from_file(&vocab.to_string_lossy())
        .unk_token("[UNK]".into())
        .build()
        .map_err(lib)?;
    let lower = config
        .get("do_lower_case")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(true);
    let id = |t: &str| {
        tokenizers::Model::token_to_id(&model, t)
            .ok_or_else(|| lib(format!("vocab.txt has no {t}")))
    };
    let (cls, sep) = (id("[CLS]")?, id("[SEP]")?);
    let mut tok = tokenizers::Tokenizer::new(model);
    tok.with_normalizer(Some(BertNormalizer::new(true, true, None, lower)))
        .map_err(lib)?;
    tok.with_pre_tokenizer(Some(BertPreTokenizer));
    tok.with_post_processor(Some(BertProcessing::new(
        ("[SEP]".into(), sep),
        ("[CLS]".into(), cls),
    )));
    tok.with_decoder(Some(tokenizers::decoders::wordpiece::WordPiece::default()));
    let specials: Vec<AddedToken> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        .iter()
        .map(|s| AddedToken::from(s.to_string(), true))
        .collect();
    tok.add_special_tokens(specials).map_err(lib)?;
    Ok(tok)
}

impl EncoderTokenizer {
    pub fn load(dir: &Path) -> Result<Self, EncoderError> {
        let config = tokenizer_config(dir);
        let json = dir.join("tokenizer.json");
        let mut inner = if json.is_file() {
            tokenizers::Tokenizer::from_file(&json).map_err(lib)?
        } else if dir.join("vocab.txt").is_file() {
            from_vocab_txt(dir, &config)?
        } else {
            return Err(EncoderError::Tokenizer(format!(
                "{} has neither tokenizer.json nor vocab.txt",
                dir.display()
            )));
        };
        // One unpadded sentence at a time: a tokenizer.json saved with padding (sentence-
        // transformers folders pad to 128) would add `[PAD]`s the encoder attends to, and
        // truncation would hide a text that is too long.
        inner.with_padding(None);
        inner.with_truncation(None).map_err(lib)?;
        let mask_text = config
            .get("mask_token")
            .and_then(|m| m.as_str().or_else(|| m.get("content")?.as_str()))
            .map(str::to_string)
            .or_else(|| {
                ["[MASK]", "<mask>"]
                    .into_iter()
                    .find(|m| inner.token_to_id(m).is_some())
                    .map(str::to_string)
            })
            .unwrap_or_else(|| MASK.to_string());
        let mask_id = inner
            .token_to_id(&mask_text)
            .ok_or_else(|| lib(format!("no mask token {mask_text}")))?;
        let (pieces, texts) = views(&inner);
        let added = inner.get_added_tokens_decoder();
        let special = (0..pieces.len() as u32)
            .map(|id| added.get(&id).is_some_and(|t| t.special))
            .collect();
        Ok(Self {
            inner,
            mask_text,
            mask_id,
            pieces,
            texts,
            special,
        })
    }

    /// The ids transformers gives `text` (with `[CLS]`/`[SEP]` or `<s>`/`</s>`), every
    /// `[MASK]` written by the user becoming the model's mask token.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, EncoderError> {
        let text = text.replace(MASK, &self.mask_text);
        Ok(self
            .inner
            .encode(text, true)
            .map_err(lib)?
            .get_ids()
            .to_vec())
    }

    pub fn vocab(&self) -> usize {
        self.pieces.len()
    }
}

/// The piece and the stand-alone text of every id.
fn views(tok: &tokenizers::Tokenizer) -> (Vec<String>, Vec<String>) {
    let n = tok.get_vocab_size(true);
    let byte_level = matches!(tok.get_decoder(), Some(DecoderWrapper::ByteLevel(_)));
    let table = bpe::byte_level_decoder();
    let added = tok.get_added_tokens_decoder();
    let mut pieces = Vec::with_capacity(n);
    let mut texts = Vec::with_capacity(n);
    for id in 0..n as u32 {
        let piece = tok.id_to_token(id).unwrap_or_default();
        let text = if added.contains_key(&id) {
            piece.clone()
        } else if byte_level {
            let b =
                bpe::byte_level_bytes(&piece, &table).unwrap_or_else(|| piece.clone().into_bytes());
            crate::pieces::bytes_to_text(&b)
        } else if let Some(rest) = piece.strip_prefix("##") {
            rest.to_string()
        } else {
            piece.replace('\u{2581}', " ")
        };
        pieces.push(piece);
        texts.push(text);
    }
    (pieces, texts)
}
