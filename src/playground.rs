//! Starting the interactive playground: terminal, runtime, model worker, state, loop.

use crate::cli::Cli;

/// Runs the playground until the user quits.
pub fn main(cli: &Cli) -> Result<(), String> {
    // Until the interactive UI lands: the next-token table for a demo prompt.
    let _ = cli;
    Err("the interactive playground is not built yet; try `tokenscope next \"The capital of France is\"`".into())
}
