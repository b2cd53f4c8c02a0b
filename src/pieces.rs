//! Making token text visible: whitespace and control characters get printable stand-ins so a
//! student can see that " the" starts with a space and that a token is a lone newline.

/// Stand-in for a space.
pub const SPACE: char = '·';
/// Stand-in for a line feed.
pub const NEWLINE: char = '↵';
/// Stand-in for a tab.
pub const TAB: char = '⇥';
/// Stand-in for a carriage return.
pub const CARRIAGE_RETURN: char = '␍';

/// `text` with whitespace and control characters made visible: space `·`, newline `↵`, tab `⇥`,
/// carriage return `␍`, other control characters as `<0x07>`. Markers such as `<0xE3>` that the
/// tokenizer uses for partial UTF-8 pass through unchanged.
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            ' ' => out.push(SPACE),
            '\n' => out.push(NEWLINE),
            '\t' => out.push(TAB),
            '\r' => out.push(CARRIAGE_RETURN),
            '\u{a0}' => out.push('⍽'),
            c if c.is_control() => out.push_str(&format!("<0x{:02X}>", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Renders raw token bytes: valid UTF-8 becomes text; each byte that is not part of a valid
/// UTF-8 sequence becomes `<0xE3>`.
pub fn bytes_to_text(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("<0x{b:02X}>"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_is_visible() {
        assert_eq!(visible(" the\n\tx\r"), "·the↵⇥x␍");
        assert_eq!(visible("\u{7}"), "<0x07>");
        assert_eq!(visible("ação"), "ação");
    }

    #[test]
    fn partial_utf8_becomes_hex() {
        assert_eq!(bytes_to_text(&[0xE3]), "<0xE3>");
        assert_eq!(bytes_to_text("mãe".as_bytes()), "mãe");
        assert_eq!(bytes_to_text(&[b'a', 0xF0, 0x9F]), "a<0xF0><0x9F>");
    }
}
