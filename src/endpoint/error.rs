//! What can go wrong talking to a server, each with the words a person needs to fix it. The API
//! key never appears in any of them.

use crate::i18n::{Describe, Lang, Text};

/// A failed exchange with the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointError {
    /// `--endpoint` is not an http(s) URL (what was given).
    BadUrl(String),
    /// Nothing accepted the connection (after every attempt).
    Unreachable { url: String, attempts: u32 },
    /// The server did not answer in time (after every attempt).
    TimedOut {
        url: String,
        secs: u64,
        attempts: u32,
    },
    /// An HTTP error status, with the server's own message when it sent one.
    Status {
        url: String,
        status: u16,
        message: String,
    },
    /// The server wants a key and none was set.
    KeyMissing { url: String },
    /// The server refused the key that was sent.
    KeyRejected { url: String },
    /// It answered, but not in the shape of an OpenAI-compatible API (what was wrong).
    NotOpenAi { url: String, why: String },
    /// `--model` names a model the server does not serve (what it serves).
    UnknownModel { model: String, served: Vec<String> },
    /// No `--model` and the server serves several (or none).
    NoModel { served: Vec<String> },
    /// The reply was larger than the limit (in MB).
    TooLarge { url: String, limit_mb: u64 },
    /// The reply had no log-probabilities.
    NoLogprobs { url: String },
    /// Any other transport failure (TLS, protocol), in the client's words.
    Transport { url: String, detail: String },
}

impl std::fmt::Display for EndpointError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe(Lang::En))
    }
}

impl std::error::Error for EndpointError {}

/// The served models as a list, or "none".
fn served_list(served: &[String], lang: Lang) -> String {
    if served.is_empty() {
        lang.t(Text::EndpointServesNothing).to_string()
    } else {
        served.join(", ")
    }
}

fn attempts_text(n: u32, lang: Lang) -> String {
    lang.count(
        n as usize,
        Text::EndpointAttemptOne,
        Text::EndpointAttemptMany,
    )
}

impl EndpointError {
    /// A few words for a retry note: what failed, without the advice.
    pub fn short(&self, lang: Lang) -> String {
        match self {
            EndpointError::Unreachable { .. } => lang.t(Text::EndpointShortUnreachable).into(),
            EndpointError::TimedOut { secs, .. } => {
                lang.f(Text::EndpointShortTimedOut, &[&lang.int(*secs as usize)])
            }
            EndpointError::Status { status, .. } => lang.f(Text::EndpointShortStatus, &[status]),
            other => other.describe(lang),
        }
    }

    /// The URL the failure is about, when there is one.
    pub fn url(&self) -> Option<&str> {
        use EndpointError as E;
        match self {
            E::Unreachable { url, .. }
            | E::TimedOut { url, .. }
            | E::Status { url, .. }
            | E::KeyMissing { url }
            | E::KeyRejected { url }
            | E::NotOpenAi { url, .. }
            | E::TooLarge { url, .. }
            | E::NoLogprobs { url }
            | E::Transport { url, .. } => Some(url),
            E::BadUrl(_) | E::UnknownModel { .. } | E::NoModel { .. } => None,
        }
    }
}

impl Describe for EndpointError {
    fn describe(&self, lang: Lang) -> String {
        use EndpointError as E;
        match self {
            E::BadUrl(given) => lang.f(Text::EndpointBadUrl, &[given]),
            E::Unreachable { url, attempts } => lang.f(
                Text::EndpointUnreachable,
                &[url, &attempts_text(*attempts, lang)],
            ),
            E::TimedOut {
                url,
                secs,
                attempts,
            } => lang.f(
                Text::EndpointTimedOut,
                &[
                    url,
                    &lang.int(*secs as usize),
                    &attempts_text(*attempts, lang),
                ],
            ),
            E::Status {
                url,
                status,
                message,
            } => lang.f(Text::EndpointStatus, &[url, status, message]),
            E::KeyMissing { url } => lang.f(Text::EndpointKeyMissing, &[url]),
            E::KeyRejected { url } => lang.f(Text::EndpointKeyRejected, &[url]),
            E::NotOpenAi { url, why } => lang.f(Text::EndpointNotOpenAi, &[url, why]),
            E::UnknownModel { model, served } => lang.f(
                Text::EndpointUnknownModel,
                &[model, &served_list(served, lang)],
            ),
            E::NoModel { served } => lang.f(Text::EndpointNoModel, &[&served_list(served, lang)]),
            E::TooLarge { url, limit_mb } => lang.f(
                Text::EndpointTooLarge,
                &[url, &lang.int(*limit_mb as usize)],
            ),
            E::NoLogprobs { url } => lang.f(Text::EndpointNoLogprobs, &[url]),
            E::Transport { url, detail } => lang.f(Text::EndpointTransport, &[url, detail]),
        }
    }
}
