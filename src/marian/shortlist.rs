//! Marian's binary lexical shortlist (`lex.50.50.*.s2t.bin`), read the way
//! `marian/src/data/shortlist.cpp` (`BinaryShortlistGenerator::load`) reads it:
//!
//! ```text
//! u64 magic (0xF11A48D5013417F5), u64 checksum, u64 firstNum, u64 bestNum,
//! u64 wordToOffsetSize, u64 shortListsSize,
//! u64 wordToOffset[wordToOffsetSize], u32 shortLists[shortListsSize]
//! ```
//!
//! For a source sentence the allowed target words are the `firstNum` most frequent ids
//! (`0 .. firstNum`), every source id itself (shared vocabulary) and, for each source id `w`,
//! `shortLists[wordToOffset[w] .. wordToOffset[w + 1]]`. The package's engine decodes only over
//! these; tokenscope shows the full distribution and applies this only on request.

use std::path::Path;

use crate::marian::MarianError;

/// `BINARY_SHORTLIST_MAGIC` of `shortlist.h`.
const MAGIC: u64 = 0xF11A_48D5_0134_17F5;

/// A loaded shortlist.
#[derive(Debug)]
pub struct Shortlist {
    first_num: usize,
    word_to_offset: Vec<u64>,
    short_lists: Vec<u32>,
}

impl Shortlist {
    pub fn open(path: &Path) -> Result<Shortlist, MarianError> {
        let bytes = std::fs::read(path).map_err(|source| MarianError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Shortlist::parse(path, &bytes)
    }

    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Shortlist, MarianError> {
        let truncated = |field: &str, needed: u64, available: u64| MarianError::Truncated {
            path: path.to_path_buf(),
            field: field.to_string(),
            needed,
            available,
        };
        if bytes.len() < 48 {
            return Err(truncated("shortlist header", 48, bytes.len() as u64));
        }
        let u = |i: usize| u64::from_le_bytes(bytes[i * 8..i * 8 + 8].try_into().expect("8"));
        if u(0) != MAGIC {
            return Err(MarianError::BadVersion {
                path: path.to_path_buf(),
                version: u(0),
            });
        }
        let (first_num, n_offsets, n_lists) = (u(2), u(4), u(5));
        let rest = (bytes.len() - 48) as u64;
        let needed = n_offsets
            .checked_mul(8)
            .and_then(|a| n_lists.checked_mul(4).and_then(|b| a.checked_add(b)))
            .unwrap_or(u64::MAX);
        if needed > rest {
            return Err(truncated("wordToOffset / shortLists", needed, rest));
        }
        let offsets_end = 48 + n_offsets as usize * 8;
        let word_to_offset: Vec<u64> = bytes[48..offsets_end]
            .chunks_exact(8)
            .map(|b| u64::from_le_bytes(b.try_into().expect("8")))
            .collect();
        let short_lists: Vec<u32> = bytes[offsets_end..offsets_end + n_lists as usize * 4]
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes(b.try_into().expect("4")))
            .collect();
        if word_to_offset.iter().any(|&o| o > n_lists) {
            return Err(truncated(
                "shortLists (an offset points past it)",
                0,
                n_lists,
            ));
        }
        Ok(Shortlist {
            first_num: first_num as usize,
            word_to_offset,
            short_lists,
        })
    }

    /// Which target ids (of `vocab`) the shortlist allows for `source` ids.
    pub fn allowed(&self, source: &[u32], vocab: usize) -> Vec<bool> {
        let mut allowed = vec![false; vocab];
        allowed
            .iter_mut()
            .take(self.first_num)
            .for_each(|a| *a = true);
        for &w in source {
            let w = w as usize;
            if let Some(a) = allowed.get_mut(w) {
                *a = true;
            }
            if w + 1 < self.word_to_offset.len() {
                let (s, e) = (self.word_to_offset[w], self.word_to_offset[w + 1]);
                for &t in &self.short_lists[s as usize..(e as usize).max(s as usize)] {
                    if let Some(a) = allowed.get_mut(t as usize) {
                        *a = true;
                    }
                }
            }
        }
        allowed
    }
}
