//! Sampler settings written as text: `t=0.7,k=40,p=0.9,m=0.05,order=hf|llama` (any subset, in
//! any order; unset keys keep the base settings), or a preset's name (`balanced`). The CLI's
//! `--sampler SPEC` and the playground's presets read them here.

use crate::i18n::{Describe, Lang, Text};

use super::{SamplingParams, StageOrder};

/// At most this many sampler columns (the screen fits four beside the model's column).
pub const MAX_SAMPLERS: usize = 4;

/// A malformed sampler spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpecError {
    /// Nothing was given.
    Empty,
    /// A part without `=`.
    MissingValue { part: String },
    /// A key that is none of t, k, p, m, order.
    UnknownKey { key: String },
    /// A key given twice.
    Duplicate { key: String },
    /// A value out of its range (`key` is t, k, p, m or order).
    BadValue { key: &'static str, value: String },
    /// More than [`MAX_SAMPLERS`] samplers.
    TooMany { given: usize },
}

impl Describe for SpecError {
    fn describe(&self, lang: Lang) -> String {
        match self {
            SpecError::Empty => lang.t(Text::SpecEmpty).to_string(),
            SpecError::MissingValue { part } => lang.f(Text::SpecMissingValue, &[part]),
            SpecError::UnknownKey { key } => lang.f(Text::SpecUnknownKey, &[key]),
            SpecError::Duplicate { key } => lang.f(Text::SpecDuplicate, &[key]),
            SpecError::BadValue { key, value } => {
                let rule = match *key {
                    "t" => Text::SpecRuleT,
                    "k" => Text::SpecRuleK,
                    "p" => Text::SpecRuleP,
                    "m" => Text::SpecRuleM,
                    _ => Text::SpecRuleOrder,
                };
                lang.f(Text::SpecBadValue, &[key, &lang.t(rule), value])
            }
            SpecError::TooMany { given } => lang.f(Text::SpecTooMany, &[&MAX_SAMPLERS, given]),
        }
    }
}

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe(Lang::En))
    }
}

impl std::error::Error for SpecError {}

/// Named settings a teacher reaches for. [`Preset::apply`] changes the sampling settings only
/// (the seed stays).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// T = 1, no filter: the model's own distribution.
    Raw,
    /// T = 0: always the most likely token.
    Greedy,
    /// T 0.7, top-p 0.9: a common chat default.
    Balanced,
    /// T 1.2 with min-p 0.05: varied but not absurd.
    Creative,
    /// Top-k 10 at T 1.
    TopTen,
    /// T 1.5, top-p 0.8 in HF order: half of the order pair.
    OrderHf,
    /// The same settings in llama.cpp's order: the other half.
    OrderLlama,
}

impl Preset {
    /// Every preset, in the order the preset key cycles through them.
    pub const ALL: [Preset; 7] = [
        Preset::Raw,
        Preset::Greedy,
        Preset::Balanced,
        Preset::Creative,
        Preset::TopTen,
        Preset::OrderHf,
        Preset::OrderLlama,
    ];

    /// The name used in specs (`--sampler balanced`).
    pub fn key(self) -> &'static str {
        match self {
            Preset::Raw => "raw",
            Preset::Greedy => "greedy",
            Preset::Balanced => "balanced",
            Preset::Creative => "creative",
            Preset::TopTen => "top10",
            Preset::OrderHf => "order-hf",
            Preset::OrderLlama => "order-llama",
        }
    }

    /// The name shown on screen.
    pub fn text(self) -> Text {
        match self {
            Preset::Raw => Text::PresetRaw,
            Preset::Greedy => Text::PresetGreedy,
            Preset::Balanced => Text::PresetBalanced,
            Preset::Creative => Text::PresetCreative,
            Preset::TopTen => Text::PresetTopTen,
            Preset::OrderHf => Text::PresetOrderHf,
            Preset::OrderLlama => Text::PresetOrderLlama,
        }
    }

    /// `base` with this preset's settings.
    pub fn apply(self, base: &SamplingParams) -> SamplingParams {
        let (temperature, top_k, top_p, min_p, order) = match self {
            Preset::Raw => (1.0, 0, 1.0, 0.0, StageOrder::Hf),
            Preset::Greedy => (0.0, 0, 1.0, 0.0, StageOrder::Hf),
            Preset::Balanced => (0.7, 0, 0.9, 0.0, StageOrder::Hf),
            Preset::Creative => (1.2, 0, 1.0, 0.05, StageOrder::Hf),
            Preset::TopTen => (1.0, 10, 1.0, 0.0, StageOrder::Hf),
            Preset::OrderHf => (1.5, 0, 0.8, 0.0, StageOrder::Hf),
            Preset::OrderLlama => (1.5, 0, 0.8, 0.0, StageOrder::LlamaCpp),
        };
        SamplingParams {
            temperature,
            top_k,
            top_p,
            min_p,
            order,
            seed: base.seed,
        }
    }

    /// The preset whose settings `p` has, if any.
    pub fn matching(p: &SamplingParams) -> Option<Preset> {
        Preset::ALL.into_iter().find(|pr| pr.apply(p) == *p)
    }

    /// The preset after this one (wrapping).
    pub fn next(self) -> Preset {
        let i = Preset::ALL.iter().position(|&p| p == self).unwrap_or(0);
        Preset::ALL[(i + 1) % Preset::ALL.len()]
    }
}

/// Reads a spec over `base` (whose seed and unset settings are kept).
pub fn parse_spec(spec: &str, base: &SamplingParams) -> Result<SamplingParams, SpecError> {
    let spec = spec.trim();
    if spec.is_empty() {
        return Err(SpecError::Empty);
    }
    if let Some(preset) = Preset::ALL
        .into_iter()
        .find(|p| p.key().eq_ignore_ascii_case(spec))
    {
        return Ok(preset.apply(base));
    }
    let mut out = *base;
    let mut seen: Vec<&'static str> = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((key, value)) = part.split_once('=') else {
            return Err(SpecError::MissingValue { part: part.into() });
        };
        let key = canonical_key(key.trim())?;
        if seen.contains(&key) {
            return Err(SpecError::Duplicate { key: key.into() });
        }
        seen.push(key);
        set(&mut out, key, value.trim())?;
    }
    Ok(out)
}

/// The one-letter key for the names a user may type (`temperature`, `top_k`, …).
fn canonical_key(key: &str) -> Result<&'static str, SpecError> {
    Ok(match key.to_ascii_lowercase().as_str() {
        "t" | "temp" | "temperature" => "t",
        "k" | "top_k" | "top-k" => "k",
        "p" | "top_p" | "top-p" => "p",
        "m" | "min_p" | "min-p" => "m",
        "o" | "order" => "order",
        _ => return Err(SpecError::UnknownKey { key: key.into() }),
    })
}

/// Sets one key, checking its range.
fn set(out: &mut SamplingParams, key: &'static str, value: &str) -> Result<(), SpecError> {
    let bad = || SpecError::BadValue {
        key,
        value: value.into(),
    };
    let unit = |v: &str| {
        v.parse::<f32>()
            .ok()
            .filter(|x| (0.0..=1.0).contains(x))
            .ok_or_else(bad)
    };
    match key {
        "t" => {
            out.temperature = value
                .parse::<f32>()
                .ok()
                .filter(|t| t.is_finite() && (0.0..=100.0).contains(t))
                .ok_or_else(bad)?;
        }
        "k" => out.top_k = value.parse::<usize>().map_err(|_| bad())?,
        "p" => {
            out.top_p = unit(value)?;
            if out.top_p == 0.0 {
                return Err(bad());
            }
        }
        "m" => out.min_p = unit(value)?,
        _ => {
            out.order = match value.to_ascii_lowercase().as_str() {
                "hf" | "transformers" => StageOrder::Hf,
                "llama" | "llama.cpp" | "llamacpp" => StageOrder::LlamaCpp,
                _ => return Err(bad()),
            }
        }
    }
    Ok(())
}

/// A short header naming the settings that differ from "off" (`T 0.7 · p 0.9`), in `lang`'s
/// number style; the order is named when it is llama.cpp's.
pub fn header(p: &SamplingParams, lang: Lang) -> String {
    let p = p.validated();
    if p.temperature == 0.0 {
        return lang.t(Text::PresetGreedy).to_string();
    }
    let mut parts = vec![format!("T {}", lang.num(f64::from(p.temperature), 1))];
    if p.top_k > 0 {
        parts.push(format!("k {}", p.top_k));
    }
    if p.top_p < 1.0 {
        parts.push(format!("p {}", trimmed(lang, f64::from(p.top_p))));
    }
    if p.min_p > 0.0 {
        parts.push(format!("m {}", trimmed(lang, f64::from(p.min_p))));
    }
    if p.order == StageOrder::LlamaCpp {
        parts.push("llama".into());
    }
    parts.join(" · ")
}

/// `x` with up to 2 decimals, trailing zeros dropped (`0.9`, `0.95`, `0.05`).
fn trimmed(lang: Lang, x: f64) -> String {
    let s = lang.num(x, 2);
    let s = s.trim_end_matches('0');
    s.trim_end_matches([',', '.']).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subset_keeps_the_rest() {
        let base = SamplingParams::default();
        let p = parse_spec("t=0.7, p=0.9", &base).unwrap();
        assert_eq!(p.temperature, 0.7);
        assert_eq!(p.top_p, 0.9);
        assert_eq!(p.top_k, 0);
        assert_eq!(p.seed, base.seed);
        let q = parse_spec("k=40,m=0.05,order=llama", &base).unwrap();
        assert_eq!(
            (q.top_k, q.min_p, q.order),
            (40, 0.05, StageOrder::LlamaCpp)
        );
    }

    #[test]
    fn bad_parts_are_named() {
        let base = SamplingParams::default();
        for (spec, err) in [
            (
                "t=abc",
                SpecError::BadValue {
                    key: "t",
                    value: "abc".into(),
                },
            ),
            (
                "p=2",
                SpecError::BadValue {
                    key: "p",
                    value: "2".into(),
                },
            ),
            (
                "k=-1",
                SpecError::BadValue {
                    key: "k",
                    value: "-1".into(),
                },
            ),
            ("x=1", SpecError::UnknownKey { key: "x".into() }),
            ("t", SpecError::MissingValue { part: "t".into() }),
            ("t=1,t=2", SpecError::Duplicate { key: "t".into() }),
            ("", SpecError::Empty),
        ] {
            assert_eq!(parse_spec(spec, &base), Err(err), "{spec}");
        }
        let msg = parse_spec("p=2", &base).unwrap_err().describe(Lang::PtBr);
        assert!(msg.contains("p") && msg.contains('2'), "{msg}");
    }

    #[test]
    fn presets_round_trip() {
        let base = SamplingParams::default();
        for p in Preset::ALL {
            let s = parse_spec(p.key(), &base).unwrap();
            assert_eq!(Preset::matching(&s), Some(p));
        }
        assert_eq!(
            header(&parse_spec("t=0.7,p=0.9", &base).unwrap(), Lang::PtBr),
            "T 0,7 · p 0,9"
        );
    }
}
