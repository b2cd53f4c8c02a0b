//! The GGUF reader against gguf-py (fixtures made by `scripts/make_gguf_fixtures.py`), against
//! hostile and damaged files built by hand, and against the real default model when installed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tokenscope::gguf::{GgmlType, GgufError, GgufFile, Value, dequantize};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gguf")
}

fn open_fixture() -> GgufFile {
    let path = fixture_dir().join("types.gguf");
    GgufFile::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The supported tensors of `types.gguf`: name, type, torch shape.
const TYPED_TENSORS: [(&str, GgmlType, [usize; 2]); 13] = [
    ("f32", GgmlType::F32, [3, 256]),
    ("f16", GgmlType::F16, [3, 256]),
    ("bf16", GgmlType::BF16, [3, 256]),
    ("q8_0", GgmlType::Q8_0, [4, 256]),
    ("q4_0", GgmlType::Q4_0, [4, 256]),
    ("q4_1", GgmlType::Q4_1, [4, 256]),
    ("q5_0", GgmlType::Q5_0, [4, 256]),
    ("q5_1", GgmlType::Q5_1, [4, 256]),
    ("q2_k", GgmlType::Q2_K, [3, 512]),
    ("q3_k", GgmlType::Q3_K, [3, 512]),
    ("q4_k", GgmlType::Q4_K, [3, 512]),
    ("q5_k", GgmlType::Q5_K, [3, 512]),
    ("q6_k", GgmlType::Q6_K, [3, 512]),
];

// ---- the gguf-py fixture ------------------------------------------------------------------

#[test]
fn fixture_metadata_reads_every_kind() {
    let f = open_fixture();
    assert_eq!(f.version(), 3);
    assert_eq!(f.alignment(), 32);
    assert_eq!(f.metadata().len(), 17);
    assert_eq!(f.metadata()[0].0, "general.architecture");
    assert_eq!(f.metadata()[1].0, "test.string");

    assert_eq!(f.get_str("general.architecture"), Some("tokenscope-test"));
    assert_eq!(f.get_str("test.string"), Some("héllo, wörld"));
    assert_eq!(f.get("test.u32"), Some(&Value::U32(30)));
    assert_eq!(f.get_u64("test.u32"), Some(30));
    assert_eq!(f.get_f32("test.f32"), Some(1e-5));
    assert_eq!(f.get_bool("test.bool"), Some(true));
    assert_eq!(
        f.get_str_array("test.strings"),
        Some(vec!["<s>", "hello", " wörld", "</s>"])
    );
    assert_eq!(
        f.get_i64_array("test.ints"),
        Some(vec![0, -1, 2, 2_147_483_647])
    );
    assert_eq!(f.get_i64_array("test.u64s"), Some(vec![1, 1 << 33]));

    // Every integer kind widens to u64 when it is not negative.
    assert_eq!(f.get("test.u8"), Some(&Value::U8(255)));
    assert_eq!(f.get_u64("test.u8"), Some(255));
    assert_eq!(f.get("test.i8"), Some(&Value::I8(-128)));
    assert_eq!(f.get_u64("test.i8"), None);
    assert_eq!(f.get_u64("test.u16"), Some(65535));
    assert_eq!(f.get("test.i16"), Some(&Value::I16(-32768)));
    assert_eq!(f.get("test.i32"), Some(&Value::I32(-7)));
    assert_eq!(f.get_u64("test.u64"), Some(1 << 40));
    assert_eq!(f.get("test.i64"), Some(&Value::I64(-(1 << 40))));
    assert_eq!(f.get_f32("test.f64"), Some(0.25));
    assert_eq!(
        f.get("test.f32s"),
        Some(&Value::Array(vec![Value::F32(0.5), Value::F32(-1.5)]))
    );

    // Wrong kinds are None, not a conversion.
    assert_eq!(f.get_str("test.u32"), None);
    assert_eq!(f.get_f32("test.u32"), None);
    assert_eq!(f.get_bool("test.u8"), None);
    assert_eq!(f.get_str_array("test.ints"), None);
    assert_eq!(f.get_i64_array("test.strings"), None);
    assert_eq!(f.get_i64_array("test.f32s"), None);
    assert_eq!(f.get("no.such.key"), None);
    assert!(matches!(
        f.require_u64("no.such.key"),
        Err(GgufError::MissingKey(k)) if k == "no.such.key"
    ));
    assert_eq!(f.require_str("test.string").unwrap(), "héllo, wörld");
}

#[test]
fn fixture_tensor_infos_are_in_torch_order() {
    let f = open_fixture();
    assert_eq!(f.tensors().len(), TYPED_TENSORS.len() + 2);
    for (i, (name, ggml_type, shape)) in TYPED_TENSORS.iter().enumerate() {
        let t = f.tensor(name).expect(name);
        assert_eq!(&f.tensors()[i].name, name, "file order");
        assert_eq!(t.ggml_type, *ggml_type, "{name}");
        assert_eq!(t.shape, shape, "{name}");
        assert_eq!(t.n_elements, shape[0] * shape[1], "{name}");
        let blocks = t.n_elements / ggml_type.block_size().unwrap();
        assert_eq!(t.n_bytes, blocks * ggml_type.type_size().unwrap(), "{name}");
        assert_eq!(f.tensor_data(t).len(), t.n_bytes, "{name}");
        assert!(t.offset.is_multiple_of(f.alignment()), "{name}");
    }
    let t = f.tensor("arange_2x3x4").unwrap();
    assert_eq!(t.shape, [2, 3, 4]);
    assert!(f.tensor("no.such.tensor").is_none());
}

/// Element `[i, j, k]` of the `[2, 3, 4]` tensor is `i * 12 + j * 4 + k`: row-major in `shape`.
#[test]
fn fixture_values_are_row_major_in_shape_order() {
    let f = open_fixture();
    let values = f.dequantize("arange_2x3x4").unwrap();
    let expected: Vec<f32> = (0..24).map(|v| v as f32).collect();
    assert_eq!(values, expected);
}

/// Every supported type dequantizes exactly (bit for bit) as gguf-py's `quants.dequantize`.
#[test]
fn fixture_dequantizes_exactly_like_gguf_py() {
    let f = open_fixture();
    for (name, ggml_type, _) in TYPED_TENSORS {
        let path = fixture_dir().join("expected").join(format!("{name}.f32"));
        let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let expected: Vec<f32> = raw
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
            .collect();
        let got = f.dequantize(name).unwrap();
        assert_eq!(got.len(), expected.len(), "{name}");
        let mismatches: Vec<_> = got
            .iter()
            .zip(&expected)
            .enumerate()
            .filter(|(_, (g, e))| g.to_bits() != e.to_bits())
            .take(5)
            .collect();
        assert!(
            mismatches.is_empty(),
            "{name} ({ggml_type}) differs from gguf-py at (index, (ours, theirs)): {mismatches:?}"
        );

        // The free function gives the same on the raw bytes.
        let t = f.tensor(name).unwrap();
        let again = dequantize(t.ggml_type, f.tensor_data(t), t.n_elements).unwrap();
        assert_eq!(again, got, "{name}");
    }
}

#[test]
fn unsupported_type_is_named_with_its_tensor() {
    let f = open_fixture();
    let t = f.tensor("unsupported_iq4_nl").unwrap();
    assert_eq!(t.ggml_type, GgmlType::IQ4_NL);
    assert_eq!(t.shape, [2, 256]);
    match f.dequantize("unsupported_iq4_nl") {
        Err(err @ GgufError::UnsupportedType { .. }) => {
            let message = err.to_string();
            assert!(message.contains("unsupported_iq4_nl"), "{message}");
            assert!(message.contains("IQ4_NL"), "{message}");
            let GgufError::UnsupportedType { tensor, type_name } = err else {
                unreachable!()
            };
            assert_eq!(
                (tensor.as_str(), type_name.as_str()),
                ("unsupported_iq4_nl", "IQ4_NL")
            );
        }
        other => panic!("expected UnsupportedType, got {other:?}"),
    }
    assert!(matches!(
        f.dequantize("no.such.tensor"),
        Err(GgufError::MissingTensor(name)) if name == "no.such.tensor"
    ));
}

#[test]
fn open_and_from_bytes_agree() {
    let path = fixture_dir().join("types.gguf");
    let mapped = GgufFile::open(&path).unwrap();
    let owned = GgufFile::from_bytes(std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(mapped.metadata(), owned.metadata());
    assert_eq!(mapped.data_offset(), owned.data_offset());
    for t in mapped.tensors() {
        let u = owned.tensor(&t.name).unwrap();
        assert_eq!(mapped.tensor_data(t), owned.tensor_data(u));
    }
}

#[test]
fn missing_file_is_an_io_error_naming_the_path() {
    let path = fixture_dir().join("does-not-exist.gguf");
    let err = GgufFile::open(&path).unwrap_err();
    assert!(matches!(err, GgufError::Io { .. }));
    assert!(err.to_string().contains("does-not-exist.gguf"), "{err}");
}

#[test]
fn empty_files_and_directories_are_errors() {
    let empty = tempfile::NamedTempFile::new().unwrap();
    assert!(matches!(
        GgufFile::open(empty.path()),
        Err(GgufError::NotGguf)
    ));
    assert!(GgufFile::open(&fixture_dir()).is_err());
}

// ---- damaged files ------------------------------------------------------------------------

/// Cutting the fixture anywhere before the end of its last tensor's data is an error (and
/// never a panic).
#[test]
fn truncated_files_are_errors_at_every_cut() {
    let bytes = std::fs::read(fixture_dir().join("types.gguf")).unwrap();
    let full = GgufFile::from_bytes(bytes.clone()).unwrap();
    let data_end = full
        .tensors()
        .iter()
        .map(|t| full.data_offset() as usize + t.offset as usize + t.n_bytes)
        .max()
        .unwrap();
    for cut in 0..data_end {
        let result = GgufFile::from_bytes(bytes[..cut].to_vec());
        assert!(
            result.is_err(),
            "a file cut at byte {cut} of {data_end} parsed"
        );
    }
    // Only padding lies past the last tensor's data.
    assert!(GgufFile::from_bytes(bytes[..data_end].to_vec()).is_ok());
}

/// Random byte flips in the header never panic; what still parses still dequantizes or errs.
#[test]
fn corrupted_headers_never_panic() {
    let bytes = std::fs::read(fixture_dir().join("types.gguf")).unwrap();
    let header_len = GgufFile::from_bytes(bytes.clone()).unwrap().data_offset() as usize;
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let started = Instant::now();
    for _ in 0..3000 {
        let mut damaged = bytes.clone();
        for _ in 0..1 + next() % 3 {
            let at = (next() % header_len as u64) as usize;
            damaged[at] = match next() % 3 {
                0 => next() as u8,
                1 => 0xFF,
                _ => damaged[at] ^ (1 << (next() % 8)),
            };
        }
        if let Ok(f) = GgufFile::from_bytes(damaged) {
            for t in f.tensors() {
                let _ = f.dequantize(&t.name);
            }
        }
    }
    assert!(started.elapsed() < Duration::from_secs(30));
}

/// A little-endian GGUF writer for hand-made (and hostile) files.
#[derive(Default)]
struct Builder(Vec<u8>);

impl Builder {
    fn header(version: u32, tensor_count: u64, kv_count: u64) -> Self {
        let mut b = Builder::default();
        b.bytes(b"GGUF")
            .u32(version)
            .u64(tensor_count)
            .u64(kv_count);
        b
    }
    fn bytes(&mut self, v: &[u8]) -> &mut Self {
        self.0.extend_from_slice(v);
        self
    }
    fn u32(&mut self, v: u32) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    fn u64(&mut self, v: u64) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    fn string(&mut self, s: &str) -> &mut Self {
        self.u64(s.len() as u64).bytes(s.as_bytes())
    }
    fn kv_u32(&mut self, key: &str, v: u32) -> &mut Self {
        self.string(key).u32(4).u32(v)
    }
    /// A tensor info with dimensions in ggml order (innermost first).
    fn tensor(&mut self, name: &str, ne: &[u64], ggml_type: u32, offset: u64) -> &mut Self {
        self.string(name).u32(ne.len() as u32);
        for &d in ne {
            self.u64(d);
        }
        self.u32(ggml_type).u64(offset)
    }
    fn pad(&mut self, alignment: usize) -> &mut Self {
        while !self.0.len().is_multiple_of(alignment) {
            self.0.push(0);
        }
        self
    }
    fn f32s(&mut self, values: &[f32]) -> &mut Self {
        for v in values {
            self.bytes(&v.to_le_bytes());
        }
        self
    }
    fn parse(&self) -> Result<GgufFile, GgufError> {
        GgufFile::from_bytes(self.0.clone())
    }
}

/// gguf-py cannot write version 2; it differs from 3 only in allowing big-endian files, so a
/// hand-made v2 file must read the same way.
#[test]
fn version_2_file_parses() {
    let mut b = Builder::header(2, 2, 3);
    b.kv_u32("general.alignment", 64);
    b.string("general.name").u32(8).string("v2");
    b.string("ints").u32(9).u32(1).u64(3).bytes(&[1, 0xFF, 7]); // array of int8
    b.tensor("a", &[3, 2], 0, 0); // torch [2, 3], F32
    b.tensor("b", &[2], 1, 64); // F16
    b.pad(64).f32s(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).pad(64);
    b.bytes(&half_bytes(&[0.5, -2.0]));
    let f = b.parse().unwrap();
    assert_eq!(f.version(), 2);
    assert_eq!(f.alignment(), 64);
    assert!(f.data_offset().is_multiple_of(64));
    assert_eq!(f.get_str("general.name"), Some("v2"));
    assert_eq!(f.get_i64_array("ints"), Some(vec![1, -1, 7]));
    assert_eq!(f.tensor("a").unwrap().shape, [2, 3]);
    assert_eq!(f.dequantize("a").unwrap(), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!(f.dequantize("b").unwrap(), [0.5, -2.0]);
}

fn half_bytes(values: &[f32]) -> Vec<u8> {
    values
        .iter()
        .flat_map(|&v| half::f16::from_f32(v).to_le_bytes())
        .collect()
}

#[test]
fn other_versions_and_magic_are_refused() {
    let b = Builder::header(1, 0, 0);
    assert!(matches!(b.parse(), Err(GgufError::UnsupportedVersion(1))));
    let b = Builder::header(4, 0, 0);
    assert!(matches!(b.parse(), Err(GgufError::UnsupportedVersion(4))));
    let mut b = Builder::default();
    b.bytes(b"GGJT").u32(3).u64(0).u64(0);
    assert!(matches!(b.parse(), Err(GgufError::NotGguf)));
    // An empty but valid file.
    let f = Builder::header(3, 0, 0).parse().unwrap();
    assert!(f.tensors().is_empty() && f.metadata().is_empty());
}

/// The kinds of error a hostile file can earn.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Truncated,
    Invalid,
    Unsupported,
}

impl Kind {
    fn matches(self, e: &GgufError) -> bool {
        matches!(
            (self, e),
            (Kind::Truncated, GgufError::Truncated { .. })
                | (Kind::Invalid, GgufError::Invalid(_))
                | (Kind::Unsupported, GgufError::UnsupportedType { .. })
        )
    }
}

/// Each hostile file is refused quickly, with the kind of error it deserves.
#[test]
fn hostile_sizes_are_errors_before_allocation() {
    use Kind::{Invalid, Truncated, Unsupported};
    let mut cases: Vec<(&str, Builder, Kind)> = Vec::new();

    let b = Builder::header(3, 0, u64::MAX);
    cases.push(("kv count 2^64-1", b, Truncated));
    let b = Builder::header(3, 1 << 62, 0);
    cases.push(("tensor count 2^62", b, Truncated));

    let mut b = Builder::header(3, 0, 1);
    b.u64(1 << 60)
        .bytes(b"key, then more bytes than a kv entry needs");
    cases.push(("key length 2^60", b, Truncated));

    let mut b = Builder::header(3, 0, 1);
    b.string("s").u32(8).u64(1 << 60).bytes(b"value");
    cases.push(("string value length 2^60", b, Truncated));

    let mut b = Builder::header(3, 0, 1);
    b.string("arr").u32(9).u32(0).u64(1 << 40).bytes(&[0; 64]);
    cases.push(("u8 array count 2^40", b, Truncated));

    let mut b = Builder::header(3, 0, 1);
    b.string("arr")
        .u32(9)
        .u32(9)
        .u64(u64::MAX / 4)
        .bytes(&[0; 64]);
    cases.push((
        "array-of-arrays count overflowing the byte count",
        b,
        Truncated,
    ));

    let mut b = Builder::header(3, 0, 1);
    b.string("arr").u32(9).u32(8).u64(3).string("a").string("b");
    cases.push(("string array one short", b, Truncated));

    let mut b = Builder::header(3, 0, 1);
    b.string("arr").u32(9);
    for _ in 0..100_000 {
        b.u32(9).u64(1); // element type: array; one element
    }
    cases.push(("arrays nested 100000 deep", b, Invalid));

    let mut b = Builder::header(3, 0, 1);
    b.string("v").u32(13).u32(0);
    cases.push(("unknown value type", b, Invalid));

    let mut b = Builder::header(3, 0, 1);
    b.string("flag").u32(7).bytes(&[2]);
    cases.push(("bool byte 2", b, Invalid));

    let mut b = Builder::header(3, 0, 2);
    b.kv_u32("k", 1).kv_u32("k", 2);
    cases.push(("duplicate key", b, Invalid));

    for alignment in [0, 3, 48] {
        let mut b = Builder::header(3, 0, 1);
        b.kv_u32("general.alignment", alignment);
        cases.push(("alignment not a power of two", b, Invalid));
    }
    let mut b = Builder::header(3, 0, 1);
    b.string("general.alignment").u32(10).u64(32);
    cases.push(("alignment not a uint32", b, Invalid));

    let mut b = Builder::header(3, 1, 0);
    b.tensor("t", &[1, 1, 1, 1, 1], 0, 0).pad(32).f32s(&[1.0]);
    cases.push(("5 dimensions", b, Invalid));

    let mut b = Builder::header(3, 1, 0);
    b.tensor("t", &[1 << 32, 1 << 32, 1 << 32], 0, 0).pad(32);
    cases.push(("dimensions whose product overflows", b, Invalid));

    let mut b = Builder::header(3, 1, 0);
    b.tensor("t", &[1 << 40, 1 << 22], 0, 0).pad(32);
    cases.push(("2^62 f32 elements, whose byte count overflows", b, Invalid));

    let mut b = Builder::header(3, 1, 0);
    b.tensor("t", &[1 << 20, 1 << 20], 0, 0)
        .pad(32)
        .f32s(&[0.0; 8]);
    cases.push(("data past the end", b, Truncated));

    let mut b = Builder::header(3, 1, 0);
    b.tensor("t", &[64], 0, u64::MAX - 31)
        .pad(32)
        .f32s(&[0.0; 8]);
    cases.push(("offset + size overflowing", b, Truncated));

    let mut b = Builder::header(3, 1, 0);
    b.tensor("t", &[2], 0, 8).pad(32).f32s(&[0.0; 8]);
    cases.push(("misaligned offset", b, Invalid));

    let mut b = Builder::header(3, 1, 0);
    b.tensor("t", &[16], 8, 0).pad(32).bytes(&[0; 34]);
    cases.push(("row not a whole Q8_0 block", b, Invalid));

    let mut b = Builder::header(3, 2, 0);
    b.tensor("t", &[2], 0, 0)
        .tensor("t", &[2], 0, 32)
        .pad(32)
        .f32s(&[0.0; 16]);
    cases.push(("duplicate tensor name", b, Invalid));

    let mut b = Builder::header(3, 1, 0);
    b.tensor(&"x".repeat(65), &[2], 0, 0)
        .pad(32)
        .f32s(&[0.0; 2]);
    cases.push(("65-byte tensor name", b, Invalid));

    let mut b = Builder::header(3, 1, 0);
    b.tensor("old", &[32], 31, 0).pad(32).bytes(&[0; 64]);
    cases.push(("retired type id 31", b, Unsupported));

    for (what, builder, expected_kind) in cases {
        let started = Instant::now();
        let result = builder.parse();
        let elapsed = started.elapsed();
        match result {
            Err(e) => {
                eprintln!("{what}: {e}");
                assert!(expected_kind.matches(&e), "{what}: unexpected error: {e}");
            }
            Ok(f) => panic!("{what}: parsed as {f:?}"),
        }
        assert!(
            elapsed < Duration::from_millis(500),
            "{what}: took {elapsed:?}"
        );
    }
}

#[test]
fn unknown_type_error_names_tensor_and_id() {
    let mut b = Builder::header(3, 1, 0);
    b.tensor("blk.0.weird", &[32], 99, 0)
        .pad(32)
        .bytes(&[0; 64]);
    let err = b.parse().unwrap_err();
    let message = err.to_string();
    assert!(message.contains("blk.0.weird"), "{message}");
    assert!(message.contains("unknown ggml type id 99"), "{message}");
}

#[test]
fn overlapping_tensors_and_empty_tensors_are_allowed() {
    let mut b = Builder::header(3, 3, 0);
    b.tensor("a", &[4], 0, 0)
        .tensor("b", &[2], 0, 0)
        .tensor("empty", &[0, 3], 0, 0);
    b.pad(32).f32s(&[1.0, 2.0, 3.0, 4.0]);
    let f = b.parse().unwrap();
    assert_eq!(f.dequantize("b").unwrap(), [1.0, 2.0]);
    let empty = f.tensor("empty").unwrap();
    assert_eq!((empty.shape.as_slice(), empty.n_bytes), (&[3, 0][..], 0));
    assert!(f.dequantize("empty").unwrap().is_empty());
}

// ---- the real default model ---------------------------------------------------------------

fn default_model() -> Option<PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    let path = cache.join("tokenscope/models/SmolLM2-135M-Instruct.Q4_1.gguf");
    path.exists().then_some(path)
}

fn assert_close(got: f64, want: f64, rel: f64, what: &str) {
    assert!(
        (got - want).abs() <= rel * want.abs().max(1e-30),
        "{what}: got {got}, want {want} (relative tolerance {rel})"
    );
}

#[test]
fn real_model_smollm2_q4_1() {
    let Some(path) = default_model() else {
        eprintln!("note: SmolLM2-135M-Instruct.Q4_1.gguf is not installed; skipping");
        return;
    };
    let f = GgufFile::open(&path).unwrap();
    assert_eq!(f.version(), 3);
    assert_eq!(f.alignment(), 32);
    assert_eq!(f.tensors().len(), 272);
    assert_eq!(f.get_u64("llama.block_count"), Some(30));
    assert_eq!(f.get_str("general.architecture"), Some("llama"));
    assert_eq!(
        f.get_str_array("tokenizer.ggml.tokens").unwrap().len(),
        49152
    );
    assert_eq!(
        f.get_i64_array("tokenizer.ggml.token_type").unwrap().len(),
        49152
    );

    let embd = f.tensor("token_embd.weight").unwrap();
    assert_eq!(embd.ggml_type, GgmlType::Q8_0);
    assert_eq!(embd.shape, [49152, 576]);
    let q = f.tensor("blk.0.attn_q.weight").unwrap();
    assert_eq!(q.ggml_type, GgmlType::Q4_1);
    assert_eq!(q.shape, [576, 576]);

    let values = f.dequantize("blk.0.attn_q.weight").unwrap();
    let first = [
        -0.09631348,
        0.15734863,
        -0.09631348,
        -0.73046875,
        1.1719971,
        -0.09631348,
        0.030517578,
        0.66467285,
    ];
    for (i, (&got, want)) in values.iter().zip(first).enumerate() {
        assert_close(f64::from(got), want, 1e-6, &format!("attn_q[{i}]"));
    }
    let sum: f64 = values.iter().map(|&v| f64::from(v)).sum();
    assert_close(sum, 59.223221, 1e-6, "sum of blk.0.attn_q.weight");

    let started = Instant::now();
    let embd_values = f.dequantize("token_embd.weight").unwrap();
    let elapsed = started.elapsed();
    eprintln!(
        "dequantized token_embd.weight ({} Q8_0 elements) in {elapsed:?}",
        embd_values.len()
    );
    assert_eq!(embd_values.len(), 49152 * 576);
    let sum: f64 = embd_values.iter().map(|&v| f64::from(v)).sum();
    assert_close(sum, -15353.044494, 1e-6, "sum of token_embd.weight");

    // Every tensor of the file dequantizes (F32 norms, Q4_1 blocks, the Q8_0 embedding).
    for t in f.tensors() {
        let v = f.dequantize(&t.name).unwrap();
        assert_eq!(v.len(), t.n_elements, "{}", t.name);
    }
}
