//! One theme of named styles; no colour is spelled anywhere else.
//!
//! Text uses the terminal's own foreground; colours are mid-luminance 256-palette entries that
//! keep about 4:1 contrast on both black and white backgrounds (a projector in a lit classroom
//! included). The monochrome variant (`NO_COLOR`) uses only bold, reverse and dim.

use ratatui::style::{Color, Modifier, Style};

/// GLTR buckets of a token's rank under the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bucket {
    /// The model's first choice.
    Top1,
    /// Ranks 2–10.
    Top10,
    /// Ranks 11–100.
    Top100,
    /// Rank above 100.
    Beyond,
}

impl Bucket {
    /// The bucket of a 0-based rank.
    pub fn of(rank: u32) -> Bucket {
        match rank {
            0 => Bucket::Top1,
            1..=9 => Bucket::Top10,
            10..=99 => Bucket::Top100,
            _ => Bucket::Beyond,
        }
    }

    pub const ALL: [Bucket; 4] = [Bucket::Top1, Bucket::Top10, Bucket::Top100, Bucket::Beyond];
}

/// Named styles.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    /// Pane borders.
    pub border: Style,
    /// The border of the pane that receives typing.
    pub border_focus: Style,
    /// Pane titles.
    pub title: Style,
    /// Plain text.
    pub text: Style,
    /// Secondary text (labels, explanations).
    pub dim: Style,
    /// Key names in hints and help.
    pub key: Style,
    /// Mode badges in the footer.
    pub badge_edit: Style,
    pub badge_explore: Style,
    pub badge_help: Style,
    /// Token chips by GLTR bucket.
    gltr: [Style; 4],
    /// Tokens nothing ranks (the first one).
    pub unranked: Style,
    /// Control tokens (`<|im_start|>`).
    pub special: Style,
    /// Tokens not evaluated yet.
    pub pending: Style,
    /// Added to every other chip so token boundaries show.
    pub chip_alt: Modifier,
    /// The token under the look-back cursor.
    pub cursor_token: Style,
    /// Tokens picked by hand (in the generation).
    pub picked: Modifier,
    /// Column headers.
    pub header: Style,
    /// The selected candidate row.
    pub selected: Modifier,
    /// Candidates that a sampling stage removed.
    pub cut_row: Style,
    /// The "── cut: … ──" line.
    pub cut_line: Style,
    /// Number keys 1–9 next to the ranks.
    pub rank_key: Style,
    /// Probability bar after sampling.
    pub bar: Style,
    /// The part of the raw probability the sampled bar does not cover.
    pub bar_ghost: Style,
    /// Segments of the cumulative dice bar (alternating) and the chosen one.
    pub segment: [Style; 2],
    pub segment_chosen: Style,
    /// The ▲ where the dice landed.
    pub marker: Style,
    /// Values of settings.
    pub value: Style,
    /// Errors.
    pub error: Style,
    /// Transient notices.
    pub notice: Style,
    /// The "too small" message.
    pub warning: Style,
    /// Fill-mask: a chip the encoder read left of the mask shown, and right of it.
    pub context_left: Style,
    pub context_right: Style,
    /// Fill-mask: the mask whose distribution is shown.
    pub mask_token: Style,
    /// Sentence embeddings: a vector's positive and negative components.
    pub vector_pos: Style,
    pub vector_neg: Style,
    /// The inside view's attention: a chip's shade from little to much attention.
    pub heat: [Style; 4],
    /// A chip the selected position cannot see (causal mask).
    pub masked: Style,
}

const ACCENT: Color = Color::Indexed(31); // #0087af
const GREEN: Color = Color::Indexed(28); // #008700
const YELLOW: Color = Color::Indexed(136); // #af8700
const ORANGE: Color = Color::Indexed(166); // #d75f00
const PURPLE: Color = Color::Indexed(134); // #af5fd7
const BLUE: Color = Color::Indexed(32); // #0087d7
const RED: Color = Color::Indexed(160); // #d70000
const GREY: Color = Color::Indexed(244); // #808080

/// Whether the `NO_COLOR` convention (<https://no-color.org>) asks for no colours: the
/// variable is set to a non-empty value.
pub fn no_color_from_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

impl Theme {
    /// The theme for the `no_color` setting.
    pub fn new(no_color: bool) -> Theme {
        if no_color {
            Theme::mono()
        } else {
            Theme::color()
        }
    }

    /// Colours.
    pub fn color() -> Theme {
        let plain = Style::new();
        let bold = Modifier::BOLD;
        Theme {
            border: Style::new().fg(GREY),
            border_focus: Style::new().fg(ACCENT).add_modifier(bold),
            title: Style::new().add_modifier(bold),
            text: plain,
            dim: Style::new().add_modifier(Modifier::DIM),
            key: Style::new().fg(ACCENT).add_modifier(bold),
            badge_edit: Style::new()
                .fg(GREEN)
                .add_modifier(bold | Modifier::REVERSED),
            badge_explore: Style::new()
                .fg(ACCENT)
                .add_modifier(bold | Modifier::REVERSED),
            badge_help: Style::new()
                .fg(PURPLE)
                .add_modifier(bold | Modifier::REVERSED),
            gltr: [
                Style::new().fg(GREEN),
                Style::new().fg(YELLOW),
                Style::new().fg(ORANGE),
                Style::new().fg(PURPLE),
            ],
            unranked: plain,
            special: Style::new().fg(BLUE).add_modifier(Modifier::ITALIC),
            pending: Style::new().add_modifier(Modifier::DIM),
            chip_alt: Modifier::REVERSED,
            cursor_token: Style::new().add_modifier(bold | Modifier::UNDERLINED),
            picked: Modifier::UNDERLINED,
            header: Style::new().add_modifier(bold),
            selected: Modifier::REVERSED,
            cut_row: Style::new().add_modifier(Modifier::DIM),
            cut_line: Style::new().fg(ORANGE),
            rank_key: Style::new().fg(ACCENT).add_modifier(bold),
            bar: Style::new().fg(ACCENT),
            bar_ghost: Style::new().fg(GREY),
            segment: [
                Style::new().fg(ACCENT),
                Style::new().fg(BLUE).add_modifier(Modifier::DIM),
            ],
            segment_chosen: Style::new().fg(ORANGE).add_modifier(bold),
            marker: Style::new().fg(ORANGE).add_modifier(bold),
            value: Style::new().add_modifier(bold),
            error: Style::new().fg(RED).add_modifier(bold),
            notice: Style::new().fg(YELLOW),
            warning: Style::new().fg(ORANGE).add_modifier(bold),
            context_left: Style::new().fg(GREEN),
            context_right: Style::new().fg(PURPLE),
            mask_token: Style::new()
                .fg(ORANGE)
                .add_modifier(bold | Modifier::REVERSED),
            vector_pos: Style::new().fg(ACCENT),
            vector_neg: Style::new().fg(ORANGE),
            heat: [
                Style::new().add_modifier(Modifier::DIM),
                Style::new().bg(Color::Indexed(24)).fg(Color::Indexed(255)),
                Style::new().bg(Color::Indexed(31)).fg(Color::Indexed(255)),
                Style::new()
                    .bg(Color::Indexed(45))
                    .fg(Color::Indexed(16))
                    .add_modifier(bold),
            ],
            masked: Style::new().fg(GREY).add_modifier(Modifier::DIM),
        }
    }

    /// Bold, reverse and dim only.
    pub fn mono() -> Theme {
        let plain = Style::new();
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let dim = Style::new().add_modifier(Modifier::DIM);
        let reversed = Style::new().add_modifier(Modifier::REVERSED);
        Theme {
            border: plain,
            border_focus: bold,
            title: bold,
            text: plain,
            dim,
            key: bold,
            badge_edit: reversed.add_modifier(Modifier::BOLD),
            badge_explore: reversed.add_modifier(Modifier::BOLD),
            badge_help: reversed.add_modifier(Modifier::BOLD),
            gltr: [plain, plain, bold, bold],
            unranked: plain,
            special: dim,
            pending: dim,
            chip_alt: Modifier::REVERSED,
            cursor_token: bold,
            picked: Modifier::BOLD,
            header: bold,
            selected: Modifier::REVERSED,
            cut_row: dim,
            cut_line: bold,
            rank_key: bold,
            bar: plain,
            bar_ghost: dim,
            segment: [plain, dim],
            segment_chosen: bold,
            marker: bold,
            value: bold,
            error: bold,
            notice: bold,
            warning: bold,
            context_left: plain,
            context_right: Style::new().add_modifier(Modifier::ITALIC),
            mask_token: reversed.add_modifier(Modifier::BOLD),
            vector_pos: plain,
            vector_neg: dim,
            heat: [dim, plain, bold, reversed.add_modifier(Modifier::BOLD)],
            masked: dim,
        }
    }

    /// The style of a GLTR bucket.
    pub fn gltr(&self, bucket: Bucket) -> Style {
        self.gltr[bucket as usize]
    }

    /// The style of a token with this rank (`None`: nothing ranks it).
    pub fn rank(&self, rank: Option<u32>) -> Style {
        rank.map_or(self.unranked, |r| self.gltr(Bucket::of(r)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets() {
        assert_eq!(Bucket::of(0), Bucket::Top1);
        assert_eq!(Bucket::of(9), Bucket::Top10);
        assert_eq!(Bucket::of(10), Bucket::Top100);
        assert_eq!(Bucket::of(99), Bucket::Top100);
        assert_eq!(Bucket::of(100), Bucket::Beyond);
    }

    #[test]
    fn mono_has_no_colours() {
        let t = Theme::mono();
        let styles = [
            t.border,
            t.key,
            t.bar,
            t.gltr(Bucket::Beyond),
            t.special,
            t.error,
            t.segment_chosen,
        ];
        for s in styles {
            assert_eq!(s.fg, None);
            assert_eq!(s.bg, None);
        }
    }
}
