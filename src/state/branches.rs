//! The branch tree as a list: every continuation ever tried (every leaf of the generation
//! [`Tree`]) on its own line with its total log-probability, the current one marked, and a
//! selection to switch branch with. The tree itself lives in `state/tree.rs`; this concern
//! only views it and remembers each generated token's probability once it was evaluated, so
//! branches that are not on screen keep their numbers.

use std::collections::HashMap;

use crate::action::Action;
use crate::state::sync::sync;
use crate::state::tree::{NodeId, ROOT, Tree};
use crate::state::{Autoplay, Effect, Overlay, State};

/// The branch tree's selection and the remembered probabilities.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Branches {
    /// The selected line.
    pub selected: usize,
    /// ln p (the model's raw probability, nats) of each evaluated node's token, keyed by node
    /// and token (node ids start again when the tree is thrown away).
    logprob: HashMap<(NodeId, u32), f64>,
}

/// One continuation of the tree.
#[derive(Clone, Debug, PartialEq)]
pub struct BranchLine {
    /// Its last token.
    pub leaf: NodeId,
    /// Its tokens from the first generated one.
    pub tokens: Vec<u32>,
    /// How many leading tokens it shares with the line above.
    pub shared: usize,
    /// The sum of ln p over its tokens; `None` while one of them is not evaluated yet.
    pub logprob: Option<f64>,
    /// The continuation on screen (redo follows it).
    pub current: bool,
}

impl Branches {
    /// Every leaf of `tree` in order (first child first), with its numbers.
    pub fn lines(&self, tree: &Tree) -> Vec<BranchLine> {
        let current = current_leaf(tree);
        let mut out: Vec<BranchLine> = Vec::new();
        let mut stack = vec![(ROOT, Vec::<NodeId>::new())];
        while let Some((node, path)) = stack.pop() {
            let children = &tree.node(node).children;
            if children.is_empty() && node != ROOT {
                let tokens: Vec<u32> = path.iter().map(|&n| tree.node(n).token).collect();
                let shared = out.last().map_or(0, |prev: &BranchLine| {
                    prev.tokens
                        .iter()
                        .zip(&tokens)
                        .take_while(|(a, b)| a == b)
                        .count()
                });
                let logprob = path
                    .iter()
                    .map(|&n| self.logprob.get(&(n, tree.node(n).token)).copied())
                    .sum::<Option<f64>>();
                out.push(BranchLine {
                    leaf: node,
                    tokens,
                    shared,
                    logprob,
                    current: node == current,
                });
            }
            for &child in children.iter().rev() {
                let mut p = path.clone();
                p.push(child);
                stack.push((child, p));
            }
        }
        out
    }
}

/// The leaf the current continuation leads to: `head`, then down the children redo follows.
fn current_leaf(tree: &Tree) -> NodeId {
    let mut at = tree.head();
    while let Some(child) = tree.node(at).last_child {
        at = child;
    }
    at
}

/// Applies a branch-tree action.
pub(super) fn apply(s: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::ToggleBranches => {
            s.overlay = match s.overlay {
                Overlay::Branches => Overlay::None,
                _ => {
                    let lines = s.branches.lines(&s.tree);
                    s.branches.selected = lines.iter().position(|l| l.current).unwrap_or(0);
                    Overlay::Branches
                }
            }
        }
        Action::MoveBranchSelection(delta) => {
            let n = s.branches.lines(&s.tree).len();
            s.branches.selected = s
                .branches
                .selected
                .saturating_add_signed(isize::from(delta))
                .min(n.saturating_sub(1));
        }
        Action::ChooseBranch(line) => {
            let lines = s.branches.lines(&s.tree);
            let Some(chosen) = lines.get(line.unwrap_or(s.branches.selected)) else {
                return Vec::new();
            };
            s.tree.jump_to(chosen.leaf);
            s.autoplay = Autoplay::Off;
            s.look = None;
            s.overlay = Overlay::None;
            return sync(s);
        }
        _ => {}
    }
    Vec::new()
}

/// Remembers the probability of every evaluated token of the current continuation (and
/// forgets everything when the tree was thrown away).
pub(super) fn record(s: &mut State) {
    if s.tree.is_empty() {
        s.branches.logprob.clear();
        return;
    }
    let Some(eval) = s.eval.as_ref().filter(|_| s.fresh()) else {
        return;
    };
    let covered = s.evaluated_len();
    let path = s.tree.path();
    for (j, &node) in path.iter().enumerate() {
        let Some(p) = eval
            .positions
            .get(eval.prompt_len + j)
            .filter(|_| eval.prompt_len + j < covered)
            .and_then(|p| p.prob)
        else {
            break;
        };
        let token = s.tree.node(node).token;
        s.branches
            .logprob
            .insert((node, token), f64::from(p).max(f64::MIN_POSITIVE).ln());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::tree::Choice;

    const PICK: Choice = Choice::Picked { rank: 0 };

    #[test]
    fn every_leaf_is_a_line_and_the_current_one_is_marked() {
        let mut tree = Tree::new();
        tree.push(1, PICK);
        tree.push(2, PICK);
        tree.undo();
        tree.push(3, PICK); // a second branch after 1
        let mut b = Branches::default();
        let lines = b.lines(&tree);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].tokens, [1, 2]);
        assert_eq!(lines[1].tokens, [1, 3]);
        assert_eq!(lines[1].shared, 1);
        assert!(!lines[0].current && lines[1].current);
        assert_eq!(lines[0].logprob, None);
        // With every probability known, the total is their log sum.
        let path_a = [tree.node(lines[0].leaf).parent, lines[0].leaf];
        b.logprob.insert((path_a[0], 1), 0.5f64.ln());
        b.logprob.insert((path_a[1], 2), 0.25f64.ln());
        let total = b.lines(&tree)[0].logprob.expect("known");
        assert!((total - 0.125f64.ln()).abs() < 1e-12);
        // Jumping to the first leaf makes it current.
        tree.jump_to(lines[0].leaf);
        assert_eq!(tree.tokens(), [1, 2]);
        assert!(b.lines(&tree)[0].current);
    }
}
