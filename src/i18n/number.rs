//! Numbers written the local way, one helper for the interface and the command line: digits
//! grouped in threes with the same narrow no-break space in both languages (`38 581`), the
//! decimal point in English and the decimal comma in Brazilian Portuguese (`38 581.0` /
//! `38 581,0`), and tokens quoted when a sentence names them (`“ui”` / `«ui»`).

use super::Lang;

/// What separates groups of three digits: U+202F NARROW NO-BREAK SPACE, so a number never
/// breaks across lines and reads the same in both languages (ISO 80000 / SI style).
pub const GROUP_SEP: char = '\u{202f}';

/// `digits` (ASCII digits only) grouped in threes from the right.
fn group(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(GROUP_SEP);
        }
        out.push(c);
    }
    out
}

/// `n` with grouped digits (`49 152`).
pub fn integer(n: u64) -> String {
    group(&n.to_string())
}

/// `x` with `places` decimals, grouped digits and the decimal separator of `lang`. Infinities
/// and NaN are written as `∞`, `−∞` and `—`.
pub fn decimal(lang: Lang, x: f64, places: usize) -> String {
    if x.is_nan() {
        return "—".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "∞" } else { "−∞" }.to_string();
    }
    let s = format!("{x:.places$}");
    let (sign, unsigned) = match s.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", s.as_str()),
    };
    let (int, frac) = match unsigned.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (unsigned, None),
    };
    let mut out = format!("{sign}{}", group(int));
    if let Some(frac) = frac {
        out.push(lang.decimal_sep());
        out.push_str(frac);
    }
    out
}

/// A token or word named inside a sentence, quoted the local way: `“ui”` in English, `«ui»`
/// in Brazilian Portuguese (the guillemets also show leading and trailing spaces clearly).
pub fn quoted(lang: Lang, text: &str) -> String {
    match lang {
        Lang::En => format!("“{text}”"),
        Lang::PtBr => format!("«{text}»"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a number written by [`decimal`] back (for the round-trip property).
    fn parse(lang: Lang, s: &str) -> f64 {
        s.replace(GROUP_SEP, "")
            .replace(lang.decimal_sep(), ".")
            .parse()
            .expect("a number")
    }

    #[test]
    fn examples_by_hand() {
        assert_eq!(decimal(Lang::PtBr, 38581.0, 1), "38\u{202f}581,0");
        assert_eq!(decimal(Lang::En, 38581.0, 1), "38\u{202f}581.0");
        assert_eq!(decimal(Lang::PtBr, 0.4123, 2), "0,41");
        assert_eq!(decimal(Lang::En, -1234.5, 1), "-1\u{202f}234.5");
        assert_eq!(decimal(Lang::PtBr, 999.0, 0), "999");
        assert_eq!(decimal(Lang::PtBr, 1000.0, 0), "1\u{202f}000");
        assert_eq!(decimal(Lang::En, f64::INFINITY, 2), "∞");
        assert_eq!(integer(1_000_000), "1\u{202f}000\u{202f}000");
        assert_eq!(integer(7), "7");
        assert_eq!(quoted(Lang::PtBr, "ui"), "«ui»");
        assert_eq!(quoted(Lang::En, "ui"), "“ui”");
    }

    #[test]
    fn property_round_trip_and_shape() {
        // A deterministic sweep over many magnitudes, signs and precisions.
        let mut x = 0.000_123_f64;
        while x < 1e13 {
            for sign in [1.0, -1.0] {
                for places in 0..4 {
                    for lang in [Lang::En, Lang::PtBr] {
                        let v = sign * x;
                        let s = decimal(lang, v, places);
                        let back = parse(lang, &s);
                        let tol = 0.5 * 10f64.powi(-(places as i32)) * 1.000_001 + v.abs() * 1e-15;
                        assert!((back - v).abs() <= tol, "{v} {places} {lang:?}: {s}");
                        // Groups after the first have exactly three digits.
                        let int = s.trim_start_matches('-').split(lang.decimal_sep()).next();
                        let groups: Vec<&str> = int.unwrap().split(GROUP_SEP).collect();
                        assert!(groups[0].len() <= 3 && !groups[0].is_empty(), "{s}");
                        assert!(groups[1..].iter().all(|g| g.len() == 3), "{s}");
                        // The other language's separator never shows up.
                        let other = lang.next().decimal_sep();
                        assert!(!s.contains(other), "{s}");
                    }
                }
            }
            x *= 7.3;
        }
    }
}
