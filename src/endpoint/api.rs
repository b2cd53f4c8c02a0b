//! The JSON an OpenAI-compatible server takes and gives, as far as tokenscope reads it.
//! Reference: the OpenAI API's legacy completions (`POST /v1/completions` with `logprobs`,
//! `echo`) and `GET /v1/models`; llama-cpp-python's `/extras/tokenize` and vLLM / llama.cpp's
//! `/tokenize` for token ids.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `POST /v1/completions`: one token, with the top `logprobs` candidates at each position.
#[derive(Serialize, Debug)]
pub struct CompletionRequest<'a> {
    pub model: &'a str,
    pub prompt: &'a str,
    pub max_tokens: u32,
    /// 1: the log-probabilities are of the raw distribution (the sampling columns are
    /// computed here, from them).
    pub temperature: f32,
    pub logprobs: u32,
    /// With `echo`, the prompt's own tokens come back with their log-probabilities.
    pub echo: bool,
    pub stream: bool,
}

#[derive(Deserialize, Debug)]
pub struct CompletionResponse {
    pub choices: Vec<Choice>,
}

#[derive(Deserialize, Debug)]
pub struct Choice {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub logprobs: Option<Logprobs>,
    #[serde(default)]
    pub finish_reason: Option<String>,
}

/// Per position: the token's text, its log-probability (`None` for the first prompt token,
/// which nothing predicts) and the top candidates (text → log-probability).
#[derive(Deserialize, Debug)]
pub struct Logprobs {
    #[serde(default)]
    pub tokens: Vec<String>,
    /// Where each token starts in the reply's text (characters; with `echo`, the prompt's
    /// tokens start inside the prompt).
    #[serde(default)]
    pub text_offset: Vec<usize>,
    #[serde(default)]
    pub token_logprobs: Vec<Option<f64>>,
    #[serde(default)]
    pub top_logprobs: Vec<Option<BTreeMap<String, f64>>>,
}

/// `GET /v1/models`.
#[derive(Deserialize, Debug)]
pub struct ModelList {
    pub data: Vec<ModelEntry>,
}

#[derive(Deserialize, Debug)]
pub struct ModelEntry {
    pub id: String,
}

/// The token ids of a text, as the tokenize routes reply (`{"tokens": [...]}`).
#[derive(Deserialize, Debug)]
pub struct TokenizeResponse {
    pub tokens: Vec<u32>,
}

/// An error body: `{"error": {"message": ...}}` (OpenAI, vLLM) or `{"detail": ...}` (FastAPI).
#[derive(Deserialize, Debug)]
pub struct ErrorBody {
    #[serde(default)]
    pub error: Option<ErrorMessage>,
    #[serde(default)]
    pub detail: Option<serde_json::Value>,
}

#[derive(Deserialize, Debug)]
pub struct ErrorMessage {
    #[serde(default)]
    pub message: String,
}

impl ErrorBody {
    /// The server's own words about the failure, if the body has any.
    pub fn message(text: &str) -> Option<String> {
        let body: ErrorBody = serde_json::from_str(text).ok()?;
        if let Some(e) = body.error.filter(|e| !e.message.is_empty()) {
            return Some(e.message);
        }
        match body.detail? {
            serde_json::Value::String(s) => Some(s),
            other => Some(other.to_string()),
        }
    }
}
