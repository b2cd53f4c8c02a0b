//! Hostile inputs for the file readers: random bytes and mutated real files (truncations, byte
//! flips, overwritten runs) fed to the GGUF reader, the safetensors folder reader and the
//! config.json reader. None may panic; the GGUF reader may not make any single allocation
//! larger than a bound that does not grow with what a header *declares* (a counting allocator
//! watches this thread); errors say what was being read and, where a file is opened, which.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::PathBuf;

use proptest::prelude::*;
use tokenscope::gguf::GgufFile;
use tokenscope::i18n::{Describe, Lang};
use tokenscope::model::config::Config;
use tokenscope::model::weights::Checkpoint;

// ── the largest single allocation made by this thread ─────────────────────────────────────

struct Counting;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = LARGEST.try_with(|l| l.set(l.get().max(layout.size())));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = LARGEST.try_with(|l| l.set(l.get().max(new_size)));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// The largest single allocation `f` makes on this thread.
fn largest_allocation<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LARGEST.with(|l| l.set(0));
    let out = f();
    (out, LARGEST.with(Cell::get))
}

/// What the GGUF reader may reserve at most for any file, whatever its header declares: the
/// reader caps preallocation at 65 536 elements of its metadata/tensor tables
/// (`MAX_PREALLOCATED_ELEMENTS`); anything beyond that must be backed by bytes in the file.
const GGUF_ALLOCATION_BOUND: usize = 16 << 20;

// ── the inputs ─────────────────────────────────────────────────────────────────────────────

fn fixture(path: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The first MiB of the default model's GGUF file (header, metadata, vocabulary), if installed.
fn default_model_head() -> Option<Vec<u8>> {
    use std::io::Read;
    let path = tokenscope::registry::default_model_path();
    let mut head = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(1 << 20)
        .read_to_end(&mut head)
        .ok()?;
    Some(head)
}

#[derive(Clone, Debug)]
enum Mutation {
    Truncate(usize),
    Flip {
        at: usize,
        bit: u8,
    },
    Overwrite {
        at: usize,
        bytes: Vec<u8>,
    },
    /// A declared size or count field overwritten with a huge value.
    Huge {
        at: usize,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Mutation::Overwrite { at, bytes }),
        any::<usize>().prop_map(|at| Mutation::Huge { at }),
    ]
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        if bytes.is_empty() {
            break;
        }
        let n = bytes.len();
        match m {
            Mutation::Truncate(at) => bytes.truncate(at % n),
            Mutation::Flip { at, bit } => bytes[at % n] ^= 1 << bit,
            Mutation::Overwrite { at, bytes: b } => {
                for (i, x) in b.iter().enumerate() {
                    let j = (at + i) % n;
                    bytes[j] = *x;
                }
            }
            Mutation::Huge { at } => {
                // Count and length fields are little-endian u64 (or u32) at various offsets:
                // put 0xFF…F7 there.
                for i in 0..8 {
                    let j = (at + i) % n;
                    bytes[j] = if i == 0 { 0xF7 } else { 0xFF };
                }
            }
        }
    }
    bytes
}

/// Parses `bytes` as GGUF; on success reads the model config from it too. Checks the error
/// text and the allocation bound.
fn parse_gguf(bytes: Vec<u8>) {
    let ((), largest) = largest_allocation(|| match GgufFile::from_bytes(bytes) {
        Ok(g) => {
            if let Err(e) = Config::from_gguf(&g) {
                assert!(!e.describe(Lang::En).trim().is_empty());
            }
        }
        Err(e) => {
            let text = e.describe(Lang::En);
            assert!(!text.trim().is_empty(), "an empty error: {e:?}");
        }
    });
    assert!(
        largest <= GGUF_ALLOCATION_BOUND,
        "the GGUF reader allocated {largest} bytes at once"
    );
}

// ── the properties ─────────────────────────────────────────────────────────────────────────

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn gguf_random_bytes(mut bytes in prop::collection::vec(any::<u8>(), 0..4096), magic in any::<bool>()) {
        if magic && bytes.len() >= 8 {
            // Get past the magic and version checks half of the time.
            bytes[..8].copy_from_slice(b"GGUF\x03\x00\x00\x00");
        }
        parse_gguf(bytes);
    }

    #[test]
    fn gguf_mutated_fixture(ms in prop::collection::vec(mutation(), 1..6)) {
        parse_gguf(mutate(fixture("gguf/types.gguf"), &ms));
    }

    #[test]
    fn config_json_random_and_mutated(
        ms in prop::collection::vec(mutation(), 1..6),
        junk in ".{0,200}",
    ) {
        let real = fixture("tiny-llama/config.json");
        for text in [
            String::from_utf8_lossy(&mutate(real.clone(), &ms)).into_owned(),
            junk.clone(),
        ] {
            if let Err(e) = Config::from_hf_json(&text) {
                let msg = e.describe(Lang::En);
                // The file, or (for an architecture we do not run) the field and what we run.
                prop_assert!(
                    msg.contains("config.json") || msg.contains("architecture"),
                    "the error names neither the file nor the field: {msg}"
                );
            }
        }
    }
}

proptest! {
    // Each case loads the mutated tensors through libtorch: fewer cases.
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn gguf_mutated_default_model_head(ms in prop::collection::vec(mutation(), 1..4)) {
        let Some(head) = default_model_head() else {
            eprintln!("SKIPPED: the default model is not installed");
            return Ok(());
        };
        parse_gguf(mutate(head, &ms));
    }

    #[test]
    fn safetensors_mutated(ms in prop::collection::vec(mutation(), 1..4), header_only in any::<bool>()) {
        let real = fixture("tiny-llama/model.safetensors");
        let mut bytes = real.clone();
        if header_only {
            // Aim the mutations at the 8-byte length and the JSON header.
            let header_len = 8 + u64::from_le_bytes(real[..8].try_into().unwrap()) as usize;
            let head = mutate(real[..header_len].to_vec(), &ms);
            bytes = [head, real[header_len..].to_vec()].concat();
        } else {
            bytes = mutate(bytes, &ms);
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("model.safetensors");
        std::fs::write(&file, &bytes).unwrap();
        if let Err(e) = Checkpoint::open_safetensors_dir(dir.path()) {
            let msg = e.describe(Lang::En);
            prop_assert!(msg.contains("model.safetensors"), "the error does not name the file: {msg}");
        }
    }
}

#[test]
fn gguf_huge_declared_counts_allocate_little() {
    // A header declaring 2^60 metadata entries and 2^60 tensors, and nothing after it.
    let mut bytes = b"GGUF\x03\x00\x00\x00".to_vec();
    bytes.extend_from_slice(&(1u64 << 60).to_le_bytes());
    bytes.extend_from_slice(&(1u64 << 60).to_le_bytes());
    let (result, largest) = largest_allocation(|| GgufFile::from_bytes(bytes));
    let Err(err) = result else {
        panic!("a truncated header must be an error")
    };
    println!("2^60 declared entries: {err:?}; largest allocation {largest} bytes");
    assert!(
        largest <= GGUF_ALLOCATION_BOUND,
        "allocated {largest} bytes"
    );
}
