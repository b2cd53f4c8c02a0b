//! Byte-level BPE tokenizers from GGUF metadata (`tokenizer.ggml.model = gpt2`: SmolLM2,
//! Llama 3, Qwen2), built on the `tokenizers` library with llama.cpp's pre-tokenizer table.

use std::collections::HashMap;

use tokenizers::models::bpe::{BPE, Vocab};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::{AddedToken, SplitDelimiterBehavior};

use crate::gguf::GgufFile;
use crate::tokenizer::error::{TokenizerError, lib_err};
use crate::tokenizer::spm::token_type;

// GPT-2's regex (`'s|'t|…| ?\p{L}+| ?\p{N}+|…`) is the one built into `ByteLevel` with
// `use_regex = true`, so the gpt2 and smollm pre-tokenizers need no Split of their own.
/// llama.cpp's LLAMA3 (`llama-bpe`) regex: digits in runs of up to three.
const LLAMA3_REGEX: &str = r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
/// llama.cpp's QWEN2 regex: single digits.
const QWEN2_REGEX: &str = r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// A byte-level BPE vocabulary read from GGUF.
pub struct GgufBpe {
    pub tokenizer: tokenizers::Tokenizer,
    /// What each token stands for (control tokens: their name).
    pub bytes: Vec<Vec<u8>>,
    pub special: Vec<bool>,
}

/// Builds the `tokenizers` BPE of a GGUF file whose `tokenizer.ggml.model` is `gpt2`.
pub fn from_gguf(gguf: &GgufFile, tokens: &[&str], pre: &str) -> Result<GgufBpe, TokenizerError> {
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
    let mut tokenizer = tokenizers::Tokenizer::new(bpe);
    tokenizer.with_pre_tokenizer(Some(pre_tokenizer(pre).ok_or_else(|| {
        TokenizerError::Unsupported {
            model: "gpt2".into(),
            pre: pre.into(),
        }
    })??));
    tokenizer.with_decoder(Some(tokenizers::decoders::byte_level::ByteLevel::default()));

    let mut special = vec![false; tokens.len()];
    let mut controls = Vec::new();
    let mut user_defined = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        match types.get(i).copied().unwrap_or(token_type::NORMAL) {
            token_type::CONTROL => {
                special[i] = true;
                controls.push(AddedToken::from(t.to_string(), true));
            }
            token_type::USER_DEFINED => user_defined.push(AddedToken::from(t.to_string(), false)),
            _ => {}
        }
    }
    tokenizer.add_special_tokens(controls).map_err(lib_err)?;
    tokenizer.add_tokens(user_defined).map_err(lib_err)?;

    let table = byte_level_decoder();
    let bytes = tokens
        .iter()
        .zip(&special)
        .map(|(t, &s)| {
            if s {
                t.as_bytes().to_vec()
            } else {
                byte_level_bytes(t, &table).unwrap_or_else(|| t.as_bytes().to_vec())
            }
        })
        .collect();
    Ok(GgufBpe {
        tokenizer,
        bytes,
        special,
    })
}

/// llama.cpp's pre-tokenizer table (src/llama-vocab.cpp), per `tokenizer.ggml.pre`; `None` for
/// one we do not know.
fn pre_tokenizer(pre: &str) -> Option<Result<Sequence, TokenizerError>> {
    let regex_then_bytes = |re: &str| -> Result<Sequence, TokenizerError> {
        let split = Split::new(
            SplitPattern::Regex(re.to_string()),
            SplitDelimiterBehavior::Isolated,
            false,
        )
        .map_err(lib_err)?;
        Ok(Sequence::new(vec![
            split.into(),
            ByteLevel::new(false, false, false).into(),
        ]))
    };
    Some(match pre {
        // "\p{N}" (each digit alone), then the GPT-2 regex.
        "smollm" | "starcoder" | "refact" | "codeshell" | "exaone" | "minerva" => {
            Ok(Sequence::new(vec![
                Digits::new(true).into(),
                ByteLevel::new(false, true, true).into(),
            ]))
        }
        "gpt2" | "default" | "gpt-2" => Ok(Sequence::new(vec![
            ByteLevel::new(false, true, true).into(),
        ])),
        "llama-bpe" | "llama3" | "llama-v3" | "falcon3" => regex_then_bytes(LLAMA3_REGEX),
        "qwen2" | "deepseek-r1-qwen" => regex_then_bytes(QWEN2_REGEX),
        _ => return None,
    })
}

/// GPT-2's byte ↔ printable-character table: byte-level BPE vocabularies spell byte `b` as
/// `char(table[b])` (e.g. space is `Ġ`, newline `Ċ`).
pub fn byte_level_decoder() -> HashMap<char, u8> {
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
pub fn byte_level_bytes(piece: &str, table: &HashMap<char, u8>) -> Option<Vec<u8>> {
    piece.chars().map(|c| table.get(&c).copied()).collect()
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
}
