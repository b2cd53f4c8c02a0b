//! The generation as a tree of token choices.
//!
//! The root stands for "right after the prompt"; each other node is one generated token and how
//! it was chosen. The current continuation is the path from the root to `head`. Undo moves
//! `head` up (the node stays, so redo can come back down); choosing a different token where a
//! token already follows adds a sibling: a new branch, while the old one stays reachable.

use crate::sampling::{Draw, SamplingParams};

/// Index of a node in the tree; `ROOT` is the empty continuation.
pub type NodeId = usize;

/// The root node.
pub const ROOT: NodeId = 0;

/// How a token got into the continuation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Choice {
    /// Drawn by the sampler: the dice roll and the settings it was rolled under.
    Sampled { draw: Draw, params: SamplingParams },
    /// Picked by hand; `rank` is 0-based in the model's ranking.
    Picked { rank: usize },
}

/// One generated token.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub token: u32,
    pub choice: Choice,
    pub parent: NodeId,
    pub children: Vec<NodeId>,
    /// The child that redo goes back to (the one visited last).
    pub last_child: Option<NodeId>,
}

/// All branches of one generation.
#[derive(Clone, Debug, PartialEq)]
pub struct Tree {
    nodes: Vec<Node>,
    head: NodeId,
}

impl Default for Tree {
    fn default() -> Self {
        Self::new()
    }
}

impl Tree {
    /// An empty tree (just the root).
    pub fn new() -> Self {
        let root = Node {
            token: u32::MAX,
            choice: Choice::Picked { rank: 0 },
            parent: ROOT,
            children: Vec::new(),
            last_child: None,
        };
        Self {
            nodes: vec![root],
            head: ROOT,
        }
    }

    /// The end of the current continuation.
    pub fn head(&self) -> NodeId {
        self.head
    }

    /// A node.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    /// How many nodes (without the root) the tree holds.
    pub fn len(&self) -> usize {
        self.nodes.len() - 1
    }

    /// Whether nothing was ever generated.
    pub fn is_empty(&self) -> bool {
        self.nodes.len() == 1
    }

    /// The nodes from the root's child to `head`.
    pub fn path(&self) -> Vec<NodeId> {
        let mut path = Vec::new();
        let mut at = self.head;
        while at != ROOT {
            path.push(at);
            at = self.nodes[at].parent;
        }
        path.reverse();
        path
    }

    /// The token ids of the current continuation.
    pub fn tokens(&self) -> Vec<u32> {
        self.path()
            .into_iter()
            .map(|n| self.nodes[n].token)
            .collect()
    }

    /// Length of the current continuation.
    pub fn depth(&self) -> usize {
        let mut depth = 0;
        let mut at = self.head;
        while at != ROOT {
            depth += 1;
            at = self.nodes[at].parent;
        }
        depth
    }

    /// Appends `token` after `head`. If that token already follows `head` (the same branch
    /// again), its node is reused with the new choice; otherwise a new branch starts.
    pub fn push(&mut self, token: u32, choice: Choice) -> NodeId {
        let existing = self.nodes[self.head]
            .children
            .iter()
            .copied()
            .find(|&c| self.nodes[c].token == token);
        let id = match existing {
            Some(id) => {
                self.nodes[id].choice = choice;
                id
            }
            None => {
                let id = self.nodes.len();
                self.nodes.push(Node {
                    token,
                    choice,
                    parent: self.head,
                    children: Vec::new(),
                    last_child: None,
                });
                self.nodes[self.head].children.push(id);
                id
            }
        };
        self.nodes[self.head].last_child = Some(id);
        self.head = id;
        id
    }

    /// Takes back the last token; false when there is none.
    pub fn undo(&mut self) -> bool {
        if self.head == ROOT {
            return false;
        }
        let parent = self.nodes[self.head].parent;
        self.nodes[parent].last_child = Some(self.head);
        self.head = parent;
        true
    }

    /// Puts back the token taken back last; false when there is none.
    pub fn redo(&mut self) -> bool {
        match self.nodes[self.head].last_child {
            Some(child) => {
                self.head = child;
                true
            }
            None => false,
        }
    }

    /// Whether redo would do something.
    pub fn can_redo(&self) -> bool {
        self.nodes[self.head].last_child.is_some()
    }

    /// Undoes until the continuation is `len` tokens long.
    pub fn truncate(&mut self, len: usize) {
        while self.depth() > len {
            self.undo();
        }
    }

    /// (1-based position among its siblings, number of siblings) of `node`.
    pub fn sibling_position(&self, node: NodeId) -> (usize, usize) {
        if node == ROOT {
            return (1, 1);
        }
        let siblings = &self.nodes[self.nodes[node].parent].children;
        let index = siblings.iter().position(|&s| s == node).unwrap_or(0);
        (index + 1, siblings.len())
    }

    /// The deepest node of the current path that has siblings (where the last branching
    /// happened), if any.
    pub fn last_fork(&self) -> Option<NodeId> {
        self.path()
            .into_iter()
            .rev()
            .find(|&n| self.sibling_position(n).1 > 1)
    }

    /// Moves to the sibling `delta` steps away from `node` (wrapping around), then down its
    /// most recently visited children to a leaf. Returns false when `node` has no siblings.
    pub fn switch_sibling(&mut self, node: NodeId, delta: isize) -> bool {
        if node == ROOT {
            return false;
        }
        let parent = self.nodes[node].parent;
        let siblings = &self.nodes[parent].children;
        if siblings.len() < 2 {
            return false;
        }
        let index = siblings.iter().position(|&s| s == node).unwrap_or(0) as isize;
        let n = siblings.len() as isize;
        let target = siblings[(index + delta).rem_euclid(n) as usize];
        self.nodes[parent].last_child = Some(target);
        let mut at = target;
        while let Some(child) = self.nodes[at].last_child {
            at = child;
        }
        self.head = at;
        true
    }

    /// Makes the path to `node` the current continuation (redo follows it from every node
    /// above), with `node` as its end.
    pub fn jump_to(&mut self, node: NodeId) {
        let mut at = node;
        while at != ROOT {
            let parent = self.nodes[at].parent;
            self.nodes[parent].last_child = Some(at);
            at = parent;
        }
        self.head = node;
    }

    /// Every node, the root first (node ids are indices; a parent comes before its children).
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// A tree from its nodes (the root first, each parent before its children, `children`
    /// matching `parent`) and its head, as [`Tree::nodes`] gave them; a saved session is
    /// checked for this before it gets here.
    ///
    /// # Panics
    /// If `nodes` is empty or `head` is not one of them.
    pub fn from_parts(nodes: Vec<Node>, head: NodeId) -> Tree {
        assert!(head < nodes.len(), "the head is a node of the tree");
        Tree { nodes, head }
    }

    /// The node of the `index`-th token (0-based) of the current continuation.
    pub fn node_at(&self, index: usize) -> Option<NodeId> {
        self.path().get(index).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PICK: Choice = Choice::Picked { rank: 0 };

    #[test]
    fn push_undo_redo() {
        let mut t = Tree::new();
        t.push(1, PICK);
        t.push(2, PICK);
        assert_eq!(t.tokens(), [1, 2]);
        assert!(t.undo());
        assert_eq!(t.tokens(), [1]);
        assert!(t.can_redo());
        assert!(t.redo());
        assert_eq!(t.tokens(), [1, 2]);
        assert!(!t.redo());
        t.truncate(0);
        assert_eq!(t.tokens(), Vec::<u32>::new());
        assert!(!t.undo());
        assert!(t.redo());
        assert_eq!(t.tokens(), [1]);
    }

    #[test]
    fn same_token_reuses_the_branch() {
        let mut t = Tree::new();
        t.push(1, PICK);
        t.undo();
        t.push(1, Choice::Picked { rank: 3 });
        assert_eq!(t.len(), 1);
        assert_eq!(t.node(t.head()).choice, Choice::Picked { rank: 3 });
    }

    #[test]
    fn branches_and_switching() {
        let mut t = Tree::new();
        t.push(1, PICK);
        t.push(2, PICK);
        t.push(3, PICK);
        t.truncate(1);
        t.push(7, PICK); // sibling of 2
        t.push(8, PICK);
        assert_eq!(t.tokens(), [1, 7, 8]);
        let fork = t.last_fork().unwrap();
        assert_eq!(t.node(fork).token, 7);
        assert_eq!(t.sibling_position(fork), (2, 2));
        assert!(t.switch_sibling(fork, -1));
        assert_eq!(
            t.tokens(),
            [1, 2, 3],
            "back to the old branch, down to its leaf"
        );
        let fork = t.last_fork().unwrap();
        assert!(t.switch_sibling(fork, 1));
        assert_eq!(t.tokens(), [1, 7, 8]);
        let first = t.node_at(0).unwrap();
        assert!(
            !t.switch_sibling(first, 1),
            "no siblings at the first token"
        );
    }
}
