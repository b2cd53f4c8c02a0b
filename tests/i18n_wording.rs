//! The Portuguese catalogue is really translated: no pt-BR string is the English one, except
//! an explicit allow-list of proper nouns, units and symbols that are the same in both
//! languages. Reads both catalogue files as text (each arm is `Text::Name => "…"`).

use std::collections::BTreeMap;

/// Strings that are rightly the same in English and Brazilian Portuguese.
/// Technical words Brazilian classes use as they are (prompt, token, chat, top-k, nats…), units,
/// and the names of libraries.
const SAME_IN_BOTH: &[&str] = &[
    "ChatLabel",
    "ColLogit",
    "ColModelTitle",
    "ColToken",
    "DeviceCpu",
    "EchoMarker",
    "ErrTorch",
    "GlossLogit",
    "GlossSoftmax",
    "GltrTop1",
    "HintMinP",
    "HintTopK",
    "HintTopP",
    "Millis",
    "Nats",
    "PromptTitle",
    "ServedAtLeast",
    "SizeMb",
    "StageMinP",
    "StageTopK",
    "StageTopP",
    "StepEmbeddings",
    "TokenCount",
    "TokenMany",
    "TokenOne",
    "TokensTitle",
    "WordPending",
];

/// `Text::Name => "first string literal"` pairs of a catalogue file.
fn arms(path: &str) -> BTreeMap<String, String> {
    let src = std::fs::read_to_string(path).expect("catalogue readable");
    let mut out = BTreeMap::new();
    for (i, _) in src.match_indices("Text::") {
        let rest = &src[i + 6..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let after = &rest[name.len()..];
        let Some(after) = after.trim_start().strip_prefix("=>") else {
            continue;
        };
        let Some(start) = after.find('"') else {
            continue;
        };
        let body = &after[start + 1..];
        let mut lit = String::new();
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => lit.extend(chars.next()),
                '"' => break,
                c => lit.push(c),
            }
        }
        out.insert(name, lit);
    }
    out
}

#[test]
fn every_portuguese_string_is_translated() {
    let en = arms("src/i18n/en.rs");
    let pt = arms("src/i18n/pt_br.rs");
    assert!(en.len() > 250, "parsed {} English arms", en.len());
    assert_eq!(
        en.keys().collect::<Vec<_>>(),
        pt.keys().collect::<Vec<_>>(),
        "both catalogues name the same messages"
    );
    let mut same: Vec<&str> = en
        .iter()
        .filter(|(name, text)| {
            pt[*name] == **text
                // Pure symbols and numbers need no translation.
                && text.chars().any(char::is_alphabetic)
                && !SAME_IN_BOTH.contains(&name.as_str())
        })
        .map(|(name, _)| name.as_str())
        .collect();
    same.sort_unstable();
    assert!(same.is_empty(), "untranslated pt-BR strings: {same:?}");
}

#[test]
fn the_walkthrough_wording_is_in() {
    let pt = arms("src/i18n/pt_br.rs");
    let all: String = pt.values().cloned().collect::<Vec<_>>().join("\n");
    for gone in [
        "à mão",
        "seguinte",
        "guloso",
        " agem",
        "automático + rápido",
        "posição:",
    ] {
        assert!(!all.contains(gone), "pt-BR still says {gone:?}");
    }
    assert_eq!(pt["ColSampled"], "após ajustes");
    assert_eq!(pt["GltrLabel"], "ranking do modelo:");
}
