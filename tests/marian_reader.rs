//! The Marian binary reader never panics: random bytes, truncations of a well-formed file and
//! single-byte corruptions all give either a file or a typed error that names the file (and,
//! for truncations, the field).

use std::path::Path;

use proptest::prelude::*;
use tokenscope::marian::{Layout, MarianFile, Shortlist};

/// A small well-formed file the way `binary.cpp` writes one: an intgemm8 matrix, a float32
/// bias, the model.yml text.
fn well_formed() -> Vec<u8> {
    let mut w: Vec<u8> = (0..12).map(|i| (i as i8 - 6) as u8).collect();
    w.extend(4f32.to_le_bytes());
    let b: Vec<u8> = [0.5f32, 1.0, -1.0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let yml = b"dim-emb: 3\n\0".to_vec();
    let items: [(&str, u64, Vec<i32>, Vec<u8>); 3] = [
        ("encoder_l1_self_Wq", 0x4101, vec![4, 3], w),
        ("encoder_l1_self_bq", 0x404, vec![1, 3], b),
        ("special:model.yml", 0x101, vec![yml.len() as i32], yml),
    ];
    let mut out = Vec::new();
    out.extend(1u64.to_le_bytes());
    out.extend((items.len() as u64).to_le_bytes());
    for (name, code, shape, data) in &items {
        for v in [
            name.len() as u64 + 1,
            *code,
            shape.len() as u64,
            data.len() as u64,
        ] {
            out.extend(v.to_le_bytes());
        }
    }
    for (name, ..) in &items {
        out.extend(name.as_bytes());
        out.push(0);
    }
    for (_, _, shape, _) in &items {
        for d in shape {
            out.extend(d.to_le_bytes());
        }
    }
    let pad = (256 - (out.len() + 8) % 256) % 256;
    out.extend((pad as u64).to_le_bytes());
    out.extend(vec![0u8; pad]);
    for (.., data) in &items {
        out.extend(data);
    }
    out
}

#[test]
fn the_well_formed_file_reads() {
    let f = MarianFile::parse(Path::new("tiny.bin"), well_formed()).unwrap();
    assert_eq!(f.items.len(), 3);
    assert_eq!(f.model_yml().unwrap(), "dim-emb: 3\n");
    let w = f
        .f32_tensor("encoder_l1_self_Wq", &[4, 3], Layout::Transposed)
        .unwrap();
    // Stored column by column: byte c·4 + r is element (r, c); value / 4.
    assert_eq!(w[0], -6.0 / 4.0);
    assert_eq!(w[1], -2.0 / 4.0);
    assert_eq!(w[3], -5.0 / 4.0);
}

#[test]
fn every_truncation_is_an_error_naming_file_and_field() {
    let full = well_formed();
    for len in 0..full.len() {
        let e = MarianFile::parse(Path::new("cut.bin"), full[..len].to_vec())
            .expect_err("a truncated file must not read");
        let m = e.to_string();
        assert!(
            m.starts_with("cut.bin: the file ends inside "),
            "{len}: {m}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Err(e) = MarianFile::parse(Path::new("random.bin"), bytes.clone()) {
            prop_assert!(e.to_string().contains("random.bin"));
        }
        if let Err(e) = Shortlist::parse(Path::new("lex.bin"), &bytes) {
            prop_assert!(e.to_string().contains("lex.bin"));
        }
    }

    #[test]
    fn corrupted_bytes_never_panic(at in 0usize..400, value in any::<u8>()) {
        let mut bytes = well_formed();
        let at = at % bytes.len();
        bytes[at] = value;
        if let Ok(f) = MarianFile::parse(Path::new("bad.bin"), bytes) {
            for item in f.items.clone() {
                let _ = f.f32_tensor(&item.name, &item.shape, Layout::Transposed);
                let _ = f.f32_tensor(&item.name, &item.shape, Layout::AsIs);
            }
            let _ = f.model_yml();
        }
    }
}
