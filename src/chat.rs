//! The model's chat template (a Jinja template from GGUF metadata or `tokenizer_config.json`),
//! rendered with minijinja.
//!
//! The template is what inserts control tokens (`<|im_start|>`…); the user's message is always
//! encoded as plain text, even if it contains `<|im_start|>`. To get both right, the message is
//! replaced by a sentinel while rendering, the rendered text is split at the sentinel, template
//! parts are encoded with control tokens recognised and the message without.

use minijinja::{Environment, Error, ErrorKind, context};

use crate::i18n::{Describe, Lang, Text};
use crate::tokenizer::{Tokenizer, TokenizerError};

/// Errors from rendering a chat template.
#[derive(Debug)]
pub enum ChatError {
    /// The model has no chat template.
    NoTemplate,
    /// The template failed to render (minijinja's message).
    Render(String),
    Tokenizer(TokenizerError),
}

impl From<TokenizerError> for ChatError {
    fn from(e: TokenizerError) -> Self {
        ChatError::Tokenizer(e)
    }
}

impl Describe for ChatError {
    fn describe(&self, lang: Lang) -> String {
        match self {
            ChatError::NoTemplate => lang.t(Text::ErrChatNoTemplate).to_string(),
            ChatError::Render(why) => lang.f(Text::ErrChatRender, &[why]),
            ChatError::Tokenizer(e) => e.describe(lang),
        }
    }
}

crate::described_error!(ChatError);

/// Private-use characters cannot occur in a template and survive rendering unchanged.
const SENTINEL: &str = "\u{E000}tokenscope-user-message\u{E001}";

fn raise_exception(message: String) -> Result<String, Error> {
    Err(Error::new(ErrorKind::InvalidOperation, message))
}

/// Renders `template` for one user message with the generation prompt appended.
pub fn render(
    template: &str,
    user_message: &str,
    bos: &str,
    eos: &str,
) -> Result<String, ChatError> {
    let mut env = Environment::new();
    minijinja_contrib::add_to_environment(&mut env);
    env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
    env.add_function("raise_exception", raise_exception);
    env.add_template("chat", template)
        .map_err(|e| ChatError::Render(e.to_string()))?;
    let messages = vec![context! { role => "user", content => user_message }];
    env.get_template("chat")
        .and_then(|t| {
            t.render(context! {
                messages => messages,
                add_generation_prompt => true,
                bos_token => bos,
                eos_token => eos,
            })
        })
        .map_err(|e| ChatError::Render(e.to_string()))
}

/// Encodes `user_message` wrapped in the tokenizer's chat template.
pub fn encode(tok: &Tokenizer, user_message: &str) -> Result<Vec<u32>, ChatError> {
    let template = tok.chat_template.as_deref().ok_or(ChatError::NoTemplate)?;
    let rendered = render(template, SENTINEL, &tok.bos_text, &tok.eos_text)?;
    let mut ids = Vec::new();
    let mut rest = rendered.as_str();
    while let Some(at) = rest.find(SENTINEL) {
        ids.extend(tok.encode_template(&rest[..at])?);
        // The message itself: plain text, with no BOS (the template places one if it wants).
        ids.extend(tok.encode_message(user_message)?);
        rest = &rest[at + SENTINEL.len()..];
    }
    ids.extend(tok.encode_template(rest)?);
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHATML: &str = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    #[test]
    fn renders_chatml() {
        let s = render(CHATML, "Hi", "", "").unwrap();
        assert_eq!(s, "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    }

    #[test]
    fn python_methods_work() {
        let t = "{{ messages[0]['content'].strip() }}{% if messages[0].role.startswith('u') %}!{% endif %}";
        assert_eq!(render(t, "  x ", "", "").unwrap(), "x!");
    }
}
