//! Marian NMT's files: the binary model format (`*.bin`, [`binary`]) and the binary lexical
//! shortlist (`lex.*.s2t.bin`, [`shortlist`]). The models themselves live in
//! `model/seq2seq/marian.rs`.

pub mod binary;
pub mod shortlist;

pub use binary::{ItemType, Layout, MarianError, MarianFile, MarianItem};
pub use shortlist::Shortlist;
