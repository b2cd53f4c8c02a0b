//! What `next` and `generate` share: load the model, tokenize the prompt (refusing an empty one
//! or one longer than the context window), evaluate it.

use crate::cli::args::Common;
use crate::cli::error::CliError;
use crate::engine::Session;

/// A loaded model with a prompt evaluated.
pub struct PromptRun {
    pub session: Session,
    /// The prompt's token ids.
    pub ids: Vec<u32>,
    /// Next-token logits after the prompt.
    pub logits: Vec<f32>,
}

/// Refuses an empty prompt before the weights are loaded (only the tokenizer is read, in case
/// it adds a beginning-of-sequence token).
pub fn check_not_empty(common: &Common, text: &str, chat: bool) -> Result<(), CliError> {
    if text.is_empty() && !chat && common.load_tokenizer()?.encode("")?.is_empty() {
        return Err(CliError::EmptyPrompt);
    }
    Ok(())
}

/// Loads the model and tokenizes the prompt (refusing an empty one or one longer than the
/// context window), without running it.
pub fn load_prompt(
    common: &Common,
    text: &str,
    chat: bool,
) -> Result<(Session, Vec<u32>), CliError> {
    let session = Session::new(common.load()?);
    let ids = session.prompt_ids(text, chat)?;
    if ids.is_empty() {
        return Err(CliError::EmptyPrompt);
    }
    let context = session.context_length();
    if ids.len() > context {
        return Err(CliError::PromptTooLong {
            tokens: ids.len(),
            chat,
            context,
        });
    }
    Ok((session, ids))
}

/// Loads the model and evaluates the prompt.
pub fn evaluate_prompt(common: &Common, text: &str, chat: bool) -> Result<PromptRun, CliError> {
    let (mut session, ids) = load_prompt(common, text, chat)?;
    let eval = session.evaluate(&ids)?;
    let logits = eval.positions.last().expect("non-empty").logits.to_vec();
    Ok(PromptRun {
        session,
        ids,
        logits,
    })
}
