//! The text-art screenshot: a drawn ratatui buffer as plain text, one line per row, trailing
//! spaces trimmed, wide characters (CJK, emoji) counted once.

use ratatui::buffer::Buffer;
use unicode_width::UnicodeWidthStr;

/// The text of `buffer`.
pub fn text(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::with_capacity(usize::from(area.width + 1) * usize::from(area.height));
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        let mut skip = 0usize;
        for x in area.left()..area.right() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let symbol = buffer[(x, y)].symbol();
            line.push_str(symbol);
            skip = symbol.width().saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    #[test]
    fn rows_trimmed_and_wide_characters_once() {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 8, 2));
        buffer.set_string(0, 0, "ab  ", ratatui::style::Style::new());
        buffer.set_string(1, 1, "猫x", ratatui::style::Style::new());
        assert_eq!(text(&buffer), "ab\n 猫x\n");
    }
}
