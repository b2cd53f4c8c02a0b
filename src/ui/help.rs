//! The help overlay, generated from the key table in the current language.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::i18n::{Lang, Text};
use crate::keymap::{self, HelpRow, Section};
use crate::state::State;

use super::layout::inner;
use super::text::{pad_right, width, wrap_words};
use super::theme::Theme;

/// Where the overlay goes: centred horizontally, from the top down to the key-hint line
/// (which stays visible).
pub fn area(screen: Rect) -> Rect {
    let w = screen.width.min(120);
    let h = screen.height.saturating_sub(1);
    Rect::new(screen.x + (screen.width - w) / 2, screen.y, w, h)
}

/// Indent of a row under its section title.
const INDENT: usize = 2;
/// Columns between the keys and the description.
const KEY_GAP: usize = 2;
/// Columns between the two columns of sections.
const COLUMN_GAP: usize = 2;

/// The keys of a row, one label each (`Ctrl-W/Alt-Backspace` → `Ctrl-W`, `Alt-Backspace`).
fn key_labels(keys: &str) -> Vec<&str> {
    keys.split('/')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .collect()
}

/// The keys of a row in as few equal groups as fit in `max` columns, so that pairs stay
/// together (`Home/End/Ctrl-A/Ctrl-E` → `Home/End`, `Ctrl-A/Ctrl-E`).
fn key_groups(keys: &str, max: usize) -> Vec<String> {
    if width(keys) <= max {
        return vec![keys.to_string()];
    }
    let labels = key_labels(keys);
    for groups in 2..=labels.len() {
        let size = labels.len().div_ceil(groups);
        let joined: Vec<String> = labels.chunks(size).map(|c| c.join("/")).collect();
        if joined.iter().all(|g| width(g) <= max) {
            return joined;
        }
    }
    labels.into_iter().map(str::to_string).collect()
}

/// Width a section needs to show every row on one line.
fn natural_width(section: Section, rows: &[HelpRow], lang: Lang) -> usize {
    let keys = rows.iter().map(|r| width(&r.keys)).max().unwrap_or(0);
    let desc = rows.iter().map(|r| width(r.description)).max().unwrap_or(0);
    (INDENT + keys + KEY_GAP + desc).max(width(lang.t(section.title())))
}

/// Width a column of these sections needs to show every row on one line.
fn column_width(sections: &[(Section, Vec<HelpRow>)], lang: Lang) -> usize {
    sections
        .iter()
        .map(|(section, rows)| natural_width(*section, rows, lang))
        .max()
        .unwrap_or(0)
}

/// How wide the key column is for these rows in a column `w` wide, and how wide a row's keys
/// may be before they are split into groups: the longest keys, unless that leaves the
/// descriptions too little room.
fn key_widths<'a>(rows: impl Iterator<Item = &'a HelpRow> + Clone, w: usize) -> (usize, usize) {
    let desc = rows
        .clone()
        .map(|r| width(r.description))
        .max()
        .unwrap_or(0);
    let widest_key = rows
        .clone()
        .flat_map(|r| key_labels(&r.keys).into_iter().map(width))
        .max()
        .unwrap_or(0);
    let key_room = w
        .saturating_sub(INDENT + KEY_GAP + desc)
        .max(widest_key)
        .max((w / 3).min(16));
    let keys_w = rows
        .flat_map(|r| key_groups(&r.keys, key_room))
        .map(|g| width(&g))
        .max()
        .unwrap_or(0);
    (keys_w, key_room)
}

/// The lines of one section in a column `w` wide: its title, then its rows, keys (in a column
/// `keys_w` wide, then a gap) beside the description. A row whose keys are wider than
/// `key_room` gets one line per group of keys, every one with the description, so no key
/// stands on a line of its own looking unbound.
fn section_lines(
    section: Section,
    rows: &[HelpRow],
    w: usize,
    (keys_w, key_room): (usize, usize),
    lang: Lang,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let desc_w = w.saturating_sub(INDENT + keys_w + KEY_GAP).max(1);
    let mut lines = vec![Line::from(Span::styled(
        lang.t(section.title()).to_string(),
        theme.header,
    ))];
    for row in rows {
        let description = wrap_words(row.description, desc_w);
        for keys in key_groups(&row.keys, key_room) {
            for (n, desc) in description.iter().enumerate() {
                let keys = if n == 0 { keys.as_str() } else { "" };
                lines.push(Line::from(vec![
                    Span::raw(" ".repeat(INDENT)),
                    Span::styled(pad_right(keys, keys_w), theme.key),
                    Span::raw(" ".repeat(KEY_GAP)),
                    Span::styled(desc.clone(), theme.text),
                ]));
            }
        }
    }
    lines
}

/// The lines of a column `w` wide: its sections one below the other, with one key column for
/// all of them (`aligned`, side by side with another column) or one per section.
fn column(
    sections: &[(Section, Vec<HelpRow>)],
    w: usize,
    aligned: bool,
    lang: Lang,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let shared = key_widths(sections.iter().flat_map(|(_, rows)| rows.iter()), w);
    sections
        .iter()
        .flat_map(|(section, rows)| {
            let widths = if aligned {
                shared
            } else {
                key_widths(rows.iter(), w)
            };
            section_lines(*section, rows, w, widths, lang, theme)
        })
        .collect()
}

/// The sections side by side: split (in order) where the taller column is shortest, each
/// column as wide as it needs, the right one taking what is left.
fn two_columns(
    sections: Vec<(Section, Vec<HelpRow>)>,
    w: usize,
    lang: Lang,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let room = w.saturating_sub(COLUMN_GAP);
    let layouts = (1..sections.len()).map(|split| {
        let (left, right) = sections.split_at(split);
        let (nl, nr) = (column_width(left, lang), column_width(right, lang));
        let left_w = if nl + nr <= room {
            nl
        } else {
            nl.min((room / 2).max(room.saturating_sub(nr)))
        };
        let right_w = room.saturating_sub(left_w);
        (
            column(left, left_w, true, lang, theme),
            left_w,
            column(right, right_w, true, lang, theme),
        )
    });
    let Some((left, left_w, right)) = layouts.min_by_key(|(l, _, r)| l.len().max(r.len())) else {
        return column(&sections, w, false, lang, theme);
    };
    (0..left.len().max(right.len()))
        .map(|i| {
            let mut spans = left.get(i).map(|l| l.spans.clone()).unwrap_or_default();
            let used: usize = spans.iter().map(|x| width(&x.content)).sum();
            spans.push(Span::raw(
                " ".repeat(left_w.saturating_sub(used) + COLUMN_GAP),
            ));
            if let Some(r) = right.get(i) {
                spans.extend(r.spans.clone());
            }
            Line::from(spans)
        })
        .collect()
}

/// The glossary's entries, in the order a lesson meets them.
pub const GLOSSARY: [Text; 11] = [
    Text::GlossLogit,
    Text::GlossSoftmax,
    Text::GlossEntropy,
    Text::GlossEffective,
    Text::GlossPerplexity,
    Text::GlossRanks,
    Text::GlossTemperature,
    Text::GlossTopK,
    Text::GlossTopP,
    Text::GlossMinP,
    Text::GlossDice,
];

/// The glossary under the keys: a title, then every entry wrapped to `w` columns, its term
/// (before the dash) highlighted and the following lines indented.
pub fn glossary_lines(lang: Lang, w: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![
        Line::default(),
        Line::from(Span::styled(
            lang.t(Text::GlossaryTitle).to_string(),
            theme.header,
        )),
    ];
    for entry in GLOSSARY {
        let text = lang.t(entry);
        let (term, body) = text.split_once(" — ").unwrap_or(("", text));
        let first = format!("{term} — ");
        let wrapped = wrap_words(
            &format!("{first}{body}"),
            w.saturating_sub(INDENT + 2).max(10),
        );
        for (n, l) in wrapped.into_iter().enumerate() {
            let mut spans = vec![Span::raw(" ".repeat(INDENT + if n == 0 { 0 } else { 2 }))];
            match l.strip_prefix(&first).filter(|_| n == 0) {
                Some(rest) => {
                    spans.push(Span::styled(first.clone(), theme.key));
                    spans.push(Span::styled(rest.to_string(), theme.text));
                }
                None => spans.push(Span::styled(l, theme.text)),
            }
            lines.push(Line::from(spans));
        }
    }
    lines
}

/// Draws the overlay; `scroll` lines are skipped (clamped to the content).
pub fn render(frame: &mut Frame, screen: Rect, state: &State, theme: &Theme, scroll: u16) {
    let lang = state.lang;
    let area = area(screen);
    frame.render_widget(Clear, area);
    let body = inner(area);
    let w = usize::from(body.width);

    let mut lines: Vec<Line<'static>> = [Text::HelpIntro, Text::ProbLegend]
        .into_iter()
        .flat_map(|t| wrap_words(lang.t(t), w))
        .map(|l| Line::from(Span::styled(l, theme.dim)))
        .collect();

    // The help window's own keys are in its bottom border.
    let sections: Vec<(Section, Vec<HelpRow>)> = keymap::help_sections(lang)
        .into_iter()
        .filter(|(section, _)| *section != Section::Help)
        .collect();
    if w >= 90 {
        lines.extend(two_columns(sections, w, lang, theme));
    } else {
        lines.extend(column(&sections, w, false, lang, theme));
    }
    lines.extend(glossary_lines(lang, w, theme));

    let visible = usize::from(body.height);
    let max_scroll = lines.len().saturating_sub(visible);
    let skip = usize::from(scroll).min(max_scroll);
    let more = skip < max_scroll;

    let mut footer: Vec<Span<'static>> = Vec::new();
    if more {
        footer.push(Span::styled(
            format!(" {} ", lang.t(Text::HelpMore)),
            theme.notice,
        ));
    }
    let block = Block::bordered()
        .border_style(theme.border_focus)
        .title(Line::from(Span::styled(
            format!(" {} ", lang.t(Text::HelpTitle)),
            theme.title,
        )))
        .title_bottom(Line::from(footer).right_aligned());
    frame.render_widget(block, area);
    let shown: Vec<Line<'static>> = lines.into_iter().skip(skip).take(visible).collect();
    frame.render_widget(Paragraph::new(shown).style(Style::new()), body);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_grouped_in_pairs() {
        assert_eq!(
            key_groups("Home/End/Ctrl-A/Ctrl-E", 15),
            ["Home/End", "Ctrl-A/Ctrl-E"]
        );
        assert_eq!(
            key_groups("Ctrl-W/Alt-Backspace", 20),
            ["Ctrl-W/Alt-Backspace"]
        );
        assert_eq!(
            key_groups("Ctrl-W/Alt-Backspace", 14),
            ["Ctrl-W", "Alt-Backspace"]
        );
    }

    #[test]
    fn every_key_line_has_its_description() {
        let theme = Theme::mono();
        for lang in [Lang::En, Lang::PtBr] {
            let sections = keymap::help_sections(lang);
            let longest = sections
                .iter()
                .flat_map(|(_, rows)| rows.iter().map(|r| width(&r.keys)))
                .max()
                .unwrap_or(0);
            for w in 30..=120 {
                for aligned in [false, true] {
                    for line in column(&sections, w, aligned, lang, &theme) {
                        if line.spans.len() == 1 {
                            continue; // a section title
                        }
                        let keys = line.spans[1].content.trim();
                        let desc = line.spans[3].content.trim();
                        assert!(
                            keys.is_empty() || !desc.is_empty(),
                            "{lang:?} {w}: {keys:?} without a description"
                        );
                    }
                }
            }
            // Where there is room, every row is one line with its keys whole.
            let lines = column(&sections, 100, false, lang, &theme);
            let rows: usize = sections.iter().map(|(_, rows)| rows.len() + 1).sum();
            assert_eq!(lines.len(), rows, "{lang:?}");
            assert!(
                lines
                    .iter()
                    .any(|l| l.spans.len() > 1 && width(l.spans[1].content.trim()) == longest)
            );
        }
    }
}
