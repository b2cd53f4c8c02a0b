//! Small text helpers shared by the panes: display width, truncation, padding, wrapping.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Display width of `s` in terminal columns.
pub fn width(s: &str) -> usize {
    s.width()
}

/// `s` cut to at most `max` columns, ending in `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut w = 0;
    for g in s.graphemes(true) {
        let gw = width(g);
        if w + gw > max - 1 {
            break;
        }
        out.push_str(g);
        w += gw;
    }
    out.push('…');
    out
}

/// `s` truncated and padded with spaces on the right to exactly `w` columns.
pub fn pad_right(s: &str, w: usize) -> String {
    let s = truncate(s, w);
    let n = w.saturating_sub(width(&s));
    format!("{s}{}", " ".repeat(n))
}

/// `s` truncated and padded with spaces on the left to exactly `w` columns.
pub fn pad_left(s: &str, w: usize) -> String {
    let s = truncate(s, w);
    let n = w.saturating_sub(width(&s));
    format!("{}{s}", " ".repeat(n))
}

/// Total display width of a line's spans.
pub fn line_width(line: &Line<'_>) -> usize {
    line.spans.iter().map(|s| width(&s.content)).sum()
}

/// Lays styled pieces of text out in lines of at most `max` columns: `\n` starts a new line,
/// a piece that does not fit continues on the next line (broken between graphemes).
pub fn wrap(pieces: &[(String, Style)], max: usize) -> Vec<Line<'static>> {
    let max = max.max(1);
    let mut lines = vec![Line::default()];
    let mut col = 0;
    for (text, style) in pieces {
        let mut run = String::new();
        for g in text.graphemes(true) {
            if g == "\n" || g == "\r\n" {
                flush(&mut lines, &mut run, *style);
                lines.push(Line::default());
                col = 0;
                continue;
            }
            let gw = width(g);
            if col + gw > max && col > 0 {
                flush(&mut lines, &mut run, *style);
                lines.push(Line::default());
                col = 0;
            }
            run.push_str(g);
            col += gw;
        }
        flush(&mut lines, &mut run, *style);
    }
    lines
}

/// Plain text broken into lines of at most `max` columns at spaces (a word longer than a line
/// is cut).
pub fn wrap_words(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines: Vec<String> = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let needed = if line.is_empty() {
                width(word)
            } else {
                width(&line) + 1 + width(word)
            };
            if needed > max && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&truncate(word, max));
        }
        lines.push(line);
    }
    lines
}

fn flush(lines: &mut [Line<'static>], run: &mut String, style: Style) {
    if !run.is_empty()
        && let Some(last) = lines.last_mut()
    {
        last.spans.push(Span::styled(std::mem::take(run), style));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_and_padding() {
        assert_eq!(truncate("Paris", 10), "Paris");
        assert_eq!(truncate("Constantinople", 6), "Const…");
        assert_eq!(truncate("日本語", 4), "日…");
        assert_eq!(pad_right("ab", 4), "ab  ");
        assert_eq!(pad_left("ab", 4), "  ab");
    }

    #[test]
    fn wrapping() {
        let pieces = vec![
            ("abc".to_string(), Style::new()),
            ("de\nf".to_string(), Style::new()),
        ];
        let lines = wrap(&pieces, 4);
        let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        assert_eq!(text, ["abcd", "e", "f"]);
        assert_eq!(wrap_words("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap_words("a\nb", 7), ["a", "b"]);
    }
}
