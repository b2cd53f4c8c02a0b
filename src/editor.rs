//! The prompt editor: a multi-line text buffer with a grapheme-aware cursor.
//!
//! The text is one `String`; the cursor is a byte offset that always sits on a grapheme-cluster
//! boundary, so an accented letter written as `e` + U+0301, an emoji ZWJ family or a flag moves
//! and deletes as one character. Screen geometry (soft wrapping, vertical motion, scrolling)
//! takes the pane's width as an argument; the buffer itself knows nothing about the terminal.
//!
//! Wrapping leaves the last column of the pane free, so the cursor can always sit after the
//! last character of a row without spilling onto the next one.

use std::borrow::Cow;

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// A multi-line text buffer with a cursor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Editor {
    text: String,
    /// Byte offset of the cursor, on a grapheme boundary.
    cursor: usize,
    /// Display column that vertical motion tries to keep.
    goal_col: Option<usize>,
    /// First screen row shown.
    scroll: usize,
}

/// One screen row of the wrapped text: bytes `start..end` of the text, without the `\n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    pub start: usize,
    pub end: usize,
    /// Whether this row is the last of its line (the next row starts after a `\n`).
    pub line_end: bool,
}

/// How many columns a grapheme occupies on screen (at least 1, so the cursor can step over
/// invisible characters).
pub fn grapheme_width(g: &str) -> usize {
    if g.chars().any(char::is_control) {
        1
    } else {
        g.width().max(1)
    }
}

/// What to draw for a grapheme: a tab as `⇥`, other control characters as `�`, zero-width
/// characters on a dotted circle; everything else as is.
pub fn grapheme_display(g: &str) -> Cow<'_, str> {
    if g == "\t" {
        Cow::Borrowed("⇥")
    } else if g.chars().any(char::is_control) {
        Cow::Borrowed("�")
    } else if g.width() == 0 {
        Cow::Owned(format!("◌{g}"))
    } else {
        Cow::Borrowed(g)
    }
}

fn is_word(g: &str) -> bool {
    g.chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '_')
}

impl Editor {
    /// An editor holding `text`, with the cursor at its end.
    pub fn new(text: &str) -> Self {
        let text = normalise_newlines(text);
        Self {
            cursor: text.len(),
            text,
            goal_col: None,
            scroll: 0,
        }
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor as a byte offset into [`Editor::text`].
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Whether the buffer is empty.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The first screen row shown (updated by [`Editor::scroll_to_cursor`]).
    pub fn scroll(&self) -> usize {
        self.scroll
    }

    /// Replaces the text and puts the cursor at its end.
    pub fn set_text(&mut self, text: &str) {
        *self = Self::new(text);
    }

    /// Places the cursor at byte offset `at`, rounded down to a grapheme boundary.
    pub fn set_cursor(&mut self, at: usize) {
        let at = at.min(self.text.len());
        let mut pos = 0;
        for (i, _) in self.text.grapheme_indices(true) {
            if i > at {
                break;
            }
            pos = i;
        }
        self.cursor = if at == self.text.len() { at } else { pos };
        self.goal_col = None;
    }

    // ── editing ─────────────────────────────────────────────────────────────────────────────

    /// Inserts one character at the cursor. Returns whether the text changed.
    pub fn insert_char(&mut self, c: char) -> bool {
        if c == '\r' {
            return self.insert_str("\n");
        }
        self.text.insert(self.cursor, c);
        self.cursor += c.len_utf8();
        self.snap_cursor();
        self.goal_col = None;
        true
    }

    /// Inserts text at the cursor, with `\r\n` and lone `\r` turned into `\n`. Returns whether
    /// the text changed.
    pub fn insert_str(&mut self, s: &str) -> bool {
        if s.is_empty() {
            return false;
        }
        let s = normalise_newlines(s);
        self.text.insert_str(self.cursor, &s);
        self.cursor += s.len();
        self.snap_cursor();
        self.goal_col = None;
        true
    }

    /// Inserts a line break.
    pub fn newline(&mut self) -> bool {
        self.insert_char('\n')
    }

    /// Deletes the grapheme before the cursor.
    pub fn delete_back(&mut self) -> bool {
        let start = self.prev_boundary(self.cursor);
        self.delete_range(start, self.cursor)
    }

    /// Deletes the grapheme under the cursor.
    pub fn delete_forward(&mut self) -> bool {
        let end = self.next_boundary(self.cursor);
        self.delete_range(self.cursor, end)
    }

    /// Deletes back to the start of the word before the cursor (Ctrl-W).
    pub fn delete_word_back(&mut self) -> bool {
        let start = self.word_left_of(self.cursor);
        self.delete_range(start, self.cursor)
    }

    /// Deletes back to the start of the line; at the start of a line, joins it with the one
    /// above (Ctrl-U).
    pub fn kill_to_line_start(&mut self) -> bool {
        let start = self.line_start_of(self.cursor);
        if start == self.cursor {
            self.delete_back()
        } else {
            self.delete_range(start, self.cursor)
        }
    }

    /// Deletes to the end of the line; at the end of a line, joins it with the next one
    /// (Ctrl-K).
    pub fn kill_to_line_end(&mut self) -> bool {
        let end = self.line_end_of(self.cursor);
        if end == self.cursor {
            self.delete_forward()
        } else {
            self.delete_range(self.cursor, end)
        }
    }

    fn delete_range(&mut self, start: usize, end: usize) -> bool {
        self.goal_col = None;
        if start >= end {
            return false;
        }
        self.text.replace_range(start..end, "");
        self.cursor = start;
        self.snap_cursor();
        true
    }

    // ── motion ──────────────────────────────────────────────────────────────────────────────

    /// One grapheme left.
    pub fn left(&mut self) {
        self.cursor = self.prev_boundary(self.cursor);
        self.goal_col = None;
    }

    /// One grapheme right.
    pub fn right(&mut self) {
        self.cursor = self.next_boundary(self.cursor);
        self.goal_col = None;
    }

    /// To the start of the previous word.
    pub fn word_left(&mut self) {
        self.cursor = self.word_left_of(self.cursor);
        self.goal_col = None;
    }

    /// To the end of the next word.
    pub fn word_right(&mut self) {
        let mut at = self.cursor;
        while at < self.text.len() && !is_word(self.grapheme_at(at)) {
            at = self.next_boundary(at);
        }
        while at < self.text.len() && is_word(self.grapheme_at(at)) {
            at = self.next_boundary(at);
        }
        self.cursor = at;
        self.goal_col = None;
    }

    /// To the start of the line.
    pub fn line_start(&mut self) {
        self.cursor = self.line_start_of(self.cursor);
        self.goal_col = None;
    }

    /// To the end of the line.
    pub fn line_end(&mut self) {
        self.cursor = self.line_end_of(self.cursor);
        self.goal_col = None;
    }

    /// One screen row up in a pane `width` columns wide (to the start of the text from the top
    /// row), keeping the display column.
    pub fn up(&mut self, width: usize) {
        self.vertical(width, -1);
    }

    /// One screen row down (to the end of the text from the bottom row).
    pub fn down(&mut self, width: usize) {
        self.vertical(width, 1);
    }

    fn vertical(&mut self, width: usize, delta: isize) {
        let rows = self.rows(width);
        let (row, col) = self.cursor_position(width);
        let goal = *self.goal_col.get_or_insert(col);
        let target = row as isize + delta;
        if target < 0 {
            self.cursor = 0;
            return;
        }
        let Some(r) = rows.get(target as usize) else {
            self.cursor = self.text.len();
            return;
        };
        let mut at = r.start;
        let mut c = 0;
        for (i, g) in self.text[r.start..r.end].grapheme_indices(true) {
            let w = grapheme_width(g);
            if c + w > goal {
                break;
            }
            c += w;
            at = r.start + i + g.len();
        }
        // On a wrapped (not last) row, the row's end is the next row's start: stay before it.
        if !r.line_end && at == r.end && at > r.start {
            at = self.prev_boundary(at);
        }
        self.cursor = at;
    }

    // ── geometry ────────────────────────────────────────────────────────────────────────────

    /// The text cut into screen rows for a pane `width` columns wide (the last column is kept
    /// free for the cursor). Always at least one row.
    pub fn rows(&self, width: usize) -> Vec<Row> {
        let wrap = width.saturating_sub(1).max(1);
        let mut rows = Vec::new();
        let mut line_start = 0;
        for line in self.text.split('\n') {
            let mut start = line_start;
            let mut col = 0;
            // Where the row may break at a word boundary: just after the last space, and the
            // column there.
            let mut after_space: Option<(usize, usize)> = None;
            for (i, g) in line.grapheme_indices(true) {
                let w = grapheme_width(g);
                if col + w > wrap && col > 0 {
                    // Words wrap whole (a word wider than the row is cut where it must be).
                    let (end, end_col) = match after_space {
                        Some((at, at_col)) if !g.trim().is_empty() => (at, at_col),
                        _ => (line_start + i, col),
                    };
                    rows.push(Row {
                        start,
                        end,
                        line_end: false,
                    });
                    start = end;
                    col -= end_col;
                    after_space = None;
                }
                col += w;
                if g.trim().is_empty() {
                    after_space = Some((line_start + i + g.len(), col));
                }
            }
            rows.push(Row {
                start,
                end: line_start + line.len(),
                line_end: true,
            });
            line_start += line.len() + 1;
        }
        rows
    }

    /// Screen (row, column) of the cursor in a pane `width` columns wide, before scrolling.
    pub fn cursor_position(&self, width: usize) -> (usize, usize) {
        let rows = self.rows(width);
        let idx = rows
            .iter()
            .rposition(|r| {
                r.start <= self.cursor
                    && (self.cursor < r.end || (self.cursor == r.end && r.line_end))
            })
            .unwrap_or(0);
        let r = rows[idx];
        let col = self.text[r.start..self.cursor.max(r.start)]
            .graphemes(true)
            .map(grapheme_width)
            .sum();
        (idx, col)
    }

    /// Adjusts the scroll so that the cursor is visible in a pane of `width` × `height`.
    pub fn scroll_to_cursor(&mut self, width: usize, height: usize) {
        let height = height.max(1);
        let (row, _) = self.cursor_position(width);
        let total = self.rows(width).len();
        if row < self.scroll {
            self.scroll = row;
        } else if row >= self.scroll + height {
            self.scroll = row + 1 - height;
        }
        self.scroll = self.scroll.min(total.saturating_sub(height));
    }

    /// The screen row that a click at (row, col) of the visible area lands on, turned into a
    /// cursor position.
    pub fn click(&mut self, width: usize, row: usize, col: usize) {
        let rows = self.rows(width);
        let Some(r) = rows.get(self.scroll + row) else {
            self.cursor = self.text.len();
            self.goal_col = None;
            return;
        };
        let mut at = r.start;
        let mut c = 0;
        for (i, g) in self.text[r.start..r.end].grapheme_indices(true) {
            let w = grapheme_width(g);
            if c + w > col {
                break;
            }
            c += w;
            at = r.start + i + g.len();
        }
        self.cursor = at;
        self.goal_col = None;
    }

    // ── helpers ─────────────────────────────────────────────────────────────────────────────

    fn grapheme_at(&self, at: usize) -> &str {
        self.text[at..].graphemes(true).next().unwrap_or("")
    }

    fn prev_boundary(&self, at: usize) -> usize {
        self.text[..at]
            .graphemes(true)
            .next_back()
            .map_or(0, |g| at - g.len())
    }

    fn next_boundary(&self, at: usize) -> usize {
        self.text[at..]
            .graphemes(true)
            .next()
            .map_or(at, |g| at + g.len())
    }

    fn word_left_of(&self, mut at: usize) -> usize {
        while at > 0 && !is_word(self.grapheme_at(self.prev_boundary(at))) {
            at = self.prev_boundary(at);
        }
        while at > 0 && is_word(self.grapheme_at(self.prev_boundary(at))) {
            at = self.prev_boundary(at);
        }
        at
    }

    fn line_start_of(&self, at: usize) -> usize {
        self.text[..at].rfind('\n').map_or(0, |i| i + 1)
    }

    fn line_end_of(&self, at: usize) -> usize {
        self.text[at..]
            .find('\n')
            .map_or(self.text.len(), |i| at + i)
    }

    /// After an insertion the cursor may sit inside a grapheme that the new character joined
    /// (a combining accent, a ZWJ); move it to the end of that grapheme.
    fn snap_cursor(&mut self) {
        let c = self.cursor;
        if let Some((i, g)) = self
            .text
            .grapheme_indices(true)
            .find(|(i, g)| *i < c && i + g.len() >= c)
        {
            self.cursor = i + g.len();
        }
    }
}

/// `\r\n` and lone `\r` become `\n`.
pub fn normalise_newlines(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_wrap_at_word_boundaries() {
        let e = Editor::new("Era uma vez um gato");
        // 10 columns, one kept for the cursor: 9 per row.
        let rows: Vec<&str> = e
            .rows(10)
            .iter()
            .map(|r| &e.text()[r.start..r.end])
            .collect();
        assert_eq!(rows, ["Era uma ", "vez um ", "gato"]);
        // A word longer than the row is cut where it must be.
        let long = Editor::new("abcdefghijkl mn");
        let rows: Vec<&str> = long
            .rows(6)
            .iter()
            .map(|r| &long.text()[r.start..r.end])
            .collect();
        assert_eq!(rows, ["abcde", "fghij", "kl mn"]);
    }

    fn ed(text: &str, cursor: usize) -> Editor {
        let mut e = Editor::new(text);
        e.set_cursor(cursor);
        e
    }

    #[test]
    fn typing_and_backspace_with_accents() {
        let mut e = Editor::new("");
        for c in "mãe".chars() {
            e.insert_char(c);
        }
        assert_eq!(e.text(), "mãe");
        assert_eq!(e.cursor(), "mãe".len());
        e.left();
        e.left();
        assert_eq!(e.cursor(), 1);
        e.delete_forward();
        assert_eq!(e.text(), "me");
        e.delete_back();
        assert_eq!(e.text(), "e");
        assert_eq!(e.cursor(), 0);
        assert!(!e.delete_back());
    }

    #[test]
    fn combining_accent_is_one_grapheme() {
        // "é" as e + U+0301 COMBINING ACUTE ACCENT.
        let mut e = Editor::new("cafe");
        e.insert_char('\u{301}');
        assert_eq!(e.text(), "cafe\u{301}");
        assert_eq!(e.cursor(), e.text().len());
        e.left();
        assert_eq!(e.cursor(), 3, "left steps over e + accent together");
        e.right();
        e.delete_back();
        assert_eq!(e.text(), "caf");
    }

    #[test]
    fn emoji_zwj_family_moves_and_deletes_as_one() {
        let family = "👨\u{200d}👩\u{200d}👧";
        let mut e = Editor::new(&format!("a{family}b"));
        e.set_cursor(1);
        e.right();
        assert_eq!(e.cursor(), 1 + family.len());
        e.delete_back();
        assert_eq!(e.text(), "ab");
        assert_eq!(e.cursor(), 1);
    }

    #[test]
    fn cjk_is_two_columns_wide() {
        let e = Editor::new("日本語");
        assert_eq!(e.cursor_position(80), (0, 6));
        // 5 usable columns (width 6 keeps one free): two ideographs per row.
        let rows = e.rows(6);
        assert_eq!(rows.len(), 2);
        assert_eq!(&e.text()[rows[0].start..rows[0].end], "日本");
        assert_eq!(&e.text()[rows[1].start..rows[1].end], "語");
    }

    #[test]
    fn flag_is_one_grapheme() {
        let mut e = Editor::new("🇧🇷");
        e.left();
        assert_eq!(e.cursor(), 0);
        e.delete_forward();
        assert!(e.is_empty());
    }

    #[test]
    fn newline_and_vertical_motion_keep_the_column() {
        let mut e = Editor::new("abcdef\nxy\nmnopqr");
        e.set_cursor(4); // after "abcd"
        e.down(80);
        assert_eq!(e.cursor(), "abcdef\nxy".len(), "clamped to the short line");
        e.down(80);
        assert_eq!(
            e.cursor(),
            "abcdef\nxy\nmnop".len(),
            "goal column 4 restored"
        );
        e.up(80);
        e.up(80);
        assert_eq!(e.cursor(), 4);
        e.up(80);
        assert_eq!(e.cursor(), 0, "up from the top row goes to the start");
        e.set_cursor(9);
        e.down(80);
        e.down(80);
        assert_eq!(
            e.cursor(),
            e.text().len(),
            "down from the bottom row goes to the end"
        );
    }

    #[test]
    fn vertical_motion_over_wrapped_rows() {
        // width 5 → 4 usable columns: "abcd" "efgh" "ij"
        let mut e = Editor::new("abcdefghij");
        e.set_cursor(1);
        assert_eq!(e.cursor_position(5), (0, 1));
        e.down(5);
        assert_eq!(e.cursor(), 5);
        assert_eq!(e.cursor_position(5), (1, 1));
        e.down(5);
        assert_eq!(e.cursor(), 9);
        e.set_cursor(3);
        e.down(5);
        assert_eq!(
            e.cursor(),
            7,
            "stays on the wrapped row, not at the next row's start"
        );
        e.set_cursor(4);
        assert_eq!(
            e.cursor_position(5),
            (1, 0),
            "a wrap boundary belongs to the next row"
        );
    }

    #[test]
    fn cursor_at_end_of_full_row_stays_on_it() {
        let e = Editor::new("abcd\nx");
        let mut e2 = e.clone();
        e2.set_cursor(4);
        assert_eq!(e2.cursor_position(5), (0, 4));
    }

    #[test]
    fn home_end_and_ctrl_a_e() {
        let mut e = ed("one\ntwo three\nfour", 8);
        e.line_start();
        assert_eq!(e.cursor(), 4);
        e.line_end();
        assert_eq!(e.cursor(), 13);
    }

    #[test]
    fn word_motions() {
        let mut e = Editor::new("olá, mundo  cruel");
        e.word_left();
        assert_eq!(&e.text()[e.cursor()..], "cruel");
        e.word_left();
        assert_eq!(&e.text()[e.cursor()..], "mundo  cruel");
        e.word_left();
        assert_eq!(e.cursor(), 0);
        e.word_right();
        assert_eq!(&e.text()[..e.cursor()], "olá");
        e.word_right();
        assert_eq!(&e.text()[..e.cursor()], "olá, mundo");
    }

    #[test]
    fn ctrl_w_deletes_word_back() {
        let mut e = Editor::new("The capital of França ");
        assert!(e.delete_word_back());
        assert_eq!(e.text(), "The capital of ");
        e.delete_word_back();
        assert_eq!(e.text(), "The capital ");
    }

    #[test]
    fn ctrl_u_and_ctrl_k() {
        let mut e = ed("first\nsecond line\nthird", 12);
        e.kill_to_line_end();
        assert_eq!(e.text(), "first\nsecond\nthird");
        e.kill_to_line_end();
        assert_eq!(e.text(), "first\nsecondthird", "at line end, joins");
        let mut e = ed("first\nsecond", 9);
        e.kill_to_line_start();
        assert_eq!(e.text(), "first\nond");
        e.kill_to_line_start();
        assert_eq!(e.text(), "firstond", "at line start, joins");
    }

    #[test]
    fn paste_normalises_crlf() {
        let mut e = Editor::new("x");
        e.set_cursor(0);
        e.insert_str("a\r\nb\rc\n");
        assert_eq!(e.text(), "a\nb\nc\nx");
        assert_eq!(e.cursor(), 6);
        assert!(!e.insert_str(""));
    }

    #[test]
    fn scrolling_keeps_cursor_visible() {
        let mut e = Editor::new("1\n2\n3\n4\n5\n6");
        e.scroll_to_cursor(10, 3);
        assert_eq!(e.scroll(), 3);
        e.set_cursor(0);
        e.scroll_to_cursor(10, 3);
        assert_eq!(e.scroll(), 0);
    }

    #[test]
    fn click_places_cursor() {
        let mut e = Editor::new("abc\ndef");
        e.click(10, 1, 2);
        assert_eq!(e.cursor(), 6);
        e.click(10, 0, 99);
        assert_eq!(e.cursor(), 3);
        e.click(10, 5, 0);
        assert_eq!(e.cursor(), 7);
    }

    #[test]
    fn tabs_and_controls_are_visible() {
        assert_eq!(grapheme_display("\t"), "⇥");
        assert_eq!(grapheme_width("\t"), 1);
        assert_eq!(grapheme_display("\u{301}"), "◌\u{301}");
        assert_eq!(grapheme_width("é"), 1);
    }

    #[test]
    fn empty_text_has_one_row() {
        let e = Editor::new("");
        assert_eq!(e.rows(10).len(), 1);
        assert_eq!(e.cursor_position(10), (0, 0));
        let e = Editor::new("a\n");
        assert_eq!(e.rows(10).len(), 2);
        assert_eq!(e.cursor_position(10), (1, 0));
    }
}
