//! The CSV export: one row per listed candidate of the distribution (RFC 4180: comma separated,
//! CRLF-free `\n` line ends, every token quoted with its quotes doubled, so commas, quotes,
//! newlines and leading spaces survive). Numbers are machine numbers: a dot decimal and the
//! shortest text that reads back to the same `f64` (Rust's `Display`).

use super::Snapshot;

/// The CSV text: a header, then `rank,id,token,model_prob,<one column per sampler>,cumulative`.
/// Empty (the header only) when no distribution is shown.
pub fn render(s: &Snapshot) -> String {
    let mut header = vec![
        "rank".to_string(),
        "id".into(),
        "token".into(),
        "model_prob".into(),
    ];
    header.extend((1..=s.samplers.len().max(1)).map(|i| format!("adjusted_prob_{i}")));
    header.push("cumulative".into());
    let mut out = header.join(",");
    out.push('\n');
    let Some(dist) = &s.distribution else {
        return out;
    };
    for r in &dist.rows {
        let mut cells = vec![r.rank.to_string(), r.id.to_string(), quote(&r.token)];
        cells.push(r.model_prob.to_string());
        cells.extend(r.adjusted.iter().map(f64::to_string));
        cells.push(r.cumulative.to_string());
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// A field in double quotes, inner quotes doubled.
pub fn quote(field: &str) -> String {
    format!("\"{}\"", field.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_by_hand() {
        assert_eq!(quote(" a,b"), "\" a,b\"");
        assert_eq!(quote("say \"hi\"\n"), "\"say \"\"hi\"\"\n\"");
    }
}
