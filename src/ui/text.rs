//! Small text helpers shared by the panes: display width, truncation, padding, wrapping, and
//! how a token is written.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use crate::i18n::Lang;
use crate::pieces;

/// Display width of `s` in terminal columns.
pub fn width(s: &str) -> usize {
    s.width()
}

/// Stand-in for a token that is nothing but spaces: `·` marks a space inside a token, `␣` a
/// token of its own.
pub const LONE_SPACE: char = '␣';

/// How a token is written in lists and chips: control tokens as they are; a token made only of
/// spaces as `␣` (one per space), so it cannot be mistaken for a stray dot; other tokens with
/// visible whitespace (`·the`, `↵`).
pub fn token_label(text: &str, special: bool) -> String {
    if special {
        text.to_string()
    } else if !text.is_empty() && text.chars().all(|c| c == ' ') {
        text.chars().map(|_| LONE_SPACE).collect()
    } else {
        pieces::visible(text)
    }
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

/// Lays styled pieces of text out in lines of at most `max` columns, breaking between words:
/// `\n` starts a new line, a word that does not fit moves to the next line (the spaces before it
/// stay at the end of the line they follow, or are dropped when they do not fit), and only a
/// word longer than a whole line is broken between graphemes.
pub fn wrap(pieces: &[(String, Style)], max: usize) -> Vec<Line<'static>> {
    let max = max.max(1);
    let mut lines: Vec<Vec<(&str, Style)>> = vec![Vec::new()];
    let mut col = 0;
    let graphemes: Vec<(&str, Style)> = pieces
        .iter()
        .flat_map(|(text, style)| text.graphemes(true).map(move |g| (g, *style)))
        .collect();
    let mut i = 0;
    while i < graphemes.len() {
        let (g, style) = graphemes[i];
        if g == "\n" || g == "\r\n" {
            lines.push(Vec::new());
            col = 0;
            i += 1;
            continue;
        }
        if g == " " {
            if col < max {
                lines.last_mut().expect("never empty").push((g, style));
                col += 1;
            }
            i += 1;
            continue;
        }
        // A word: up to the next space or line break.
        let end = graphemes[i..]
            .iter()
            .position(|(g, _)| *g == " " || *g == "\n" || *g == "\r\n")
            .map_or(graphemes.len(), |n| i + n);
        let word = &graphemes[i..end];
        let word_w: usize = word.iter().map(|(g, _)| width(g)).sum();
        if col > 0 && col + word_w > max {
            lines.push(Vec::new());
            col = 0;
        }
        for &(g, style) in word {
            let gw = width(g);
            if col > 0 && col + gw > max {
                lines.push(Vec::new());
                col = 0;
            }
            lines.last_mut().expect("never empty").push((g, style));
            col += gw;
        }
        i = end;
    }
    lines
        .into_iter()
        .map(|cells| {
            let mut line = Line::default();
            for (g, style) in cells {
                match line.spans.last_mut() {
                    Some(last) if last.style == style => last.content.to_mut().push_str(g),
                    _ => line.spans.push(Span::styled(g.to_string(), style)),
                }
            }
            line
        })
        .collect()
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

/// A probability in a narrow cell: one decimal, `<0.1%` for tiny, `0%` for none.
pub fn short_percent(lang: Lang, p: f64) -> String {
    if p <= 0.0 {
        "0%".into()
    } else if p < 0.0005 {
        format!("<{}%", lang.num(0.1, 1))
    } else {
        format!("{}%", lang.num(p * 100.0, 1))
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
    fn token_labels() {
        assert_eq!(token_label(" ", false), "␣");
        assert_eq!(token_label("  ", false), "␣␣");
        assert_eq!(token_label(" the", false), "·the");
        assert_eq!(token_label("\n", false), "↵");
        assert_eq!(token_label("<|im_end|>", true), "<|im_end|>");
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
        let words = vec![
            ("trained by".to_string(), Style::new()),
            (" Hugging".to_string(), Style::new()),
            (" Face".to_string(), Style::new()),
        ];
        let text: Vec<String> = wrap(&words, 13).iter().map(|l| l.to_string()).collect();
        assert_eq!(text, ["trained by ", "Hugging Face"]);
        let text: Vec<String> = wrap(&words, 4).iter().map(|l| l.to_string()).collect();
        assert_eq!(text, ["trai", "ned ", "by ", "Hugg", "ing ", "Face"]);
        assert_eq!(wrap_words("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap_words("a\nb", 7), ["a", "b"]);
    }
}
