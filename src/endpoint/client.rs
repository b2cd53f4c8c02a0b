//! The blocking HTTP client: one `ureq` agent with a per-request timeout, a few retries with
//! backoff for what may pass (no connection, no answer, HTTP 5xx), a limit on the reply's size,
//! and the API key sent as a bearer token and nowhere else (not in `Debug`, not in errors).

use std::time::Duration;

use crate::endpoint::api::{
    CompletionRequest, CompletionResponse, ErrorBody, Logprobs, ModelList, TokenizeResponse,
};
use crate::endpoint::error::EndpointError;
use crate::endpoint::partial::PartialDistribution;

/// The largest reply read (a top-20 reply for a long echoed prompt is well under 2 MB).
pub const MAX_REPLY_BYTES: u64 = 8 * 1024 * 1024;

/// How to reach the server.
#[derive(Clone)]
pub struct EndpointOptions {
    /// The API's base URL, e.g. `http://127.0.0.1:8080/v1` (a bare host gets `/v1`).
    pub url: String,
    /// The served model's name; `None` takes the only one served.
    pub model: Option<String>,
    /// The API key (from TOKENSCOPE_API_KEY / OPENAI_API_KEY), sent as `Authorization: Bearer`.
    pub key: Option<String>,
    /// Each request's limit, connection to last byte.
    pub timeout: Duration,
    /// Attempts after the first for failures that may pass.
    pub retries: u32,
    /// How many candidates to ask for (`logprobs`).
    pub top_n: usize,
}

impl std::fmt::Debug for EndpointOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointOptions")
            .field("url", &self.url)
            .field("model", &self.model)
            .field("key", &self.key.as_ref().map(|_| "(set)"))
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .field("top_n", &self.top_n)
            .finish()
    }
}

/// One token of the prompt as the server scored it (`logprob` is `None` for the first).
#[derive(Clone, Debug, PartialEq)]
pub struct ServedToken {
    pub text: String,
    pub logprob: Option<f64>,
}

/// What one request says about the next token.
#[derive(Clone, Debug)]
pub struct NextToken {
    pub dist: PartialDistribution,
    /// The prompt's tokens with their log-probabilities, when the server echoes them.
    pub prompt: Option<Vec<ServedToken>>,
}

/// Called before each retry: the failure, the attempt that failed (1-based), how many attempts
/// there are in all, and the wait before the next one. The CLI prints a note; the key is never
/// in the failure.
pub type RetryNote = Box<dyn Fn(&EndpointError, u32, u32, Duration) + Send + Sync>;

/// Where token ids come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TokenizeRoute {
    /// llama-cpp-python: `POST /extras/tokenize {"input"}`.
    Extras,
    /// vLLM: `POST /tokenize {"model", "prompt"}`; llama.cpp's server: `{"content"}`.
    Root,
}

/// A connected server and the model it serves.
pub struct Endpoint {
    /// `…/v1`, no trailing slash.
    base: String,
    /// The server's root (the base without `/v1`), for the tokenize routes.
    root: String,
    pub model: String,
    key: Option<String>,
    agent: ureq::Agent,
    opts: EndpointOptions,
    on_retry: Option<RetryNote>,
    top_n: std::cell::Cell<usize>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("base", &self.base)
            .field("model", &self.model)
            .finish_non_exhaustive()
    }
}

/// Checks `url` is http(s) with a host, and splits it into the API base and the server root.
pub fn parse_url(url: &str) -> Result<(String, String), EndpointError> {
    let bad = || EndpointError::BadUrl(url.to_string());
    let trimmed = url.trim().trim_end_matches('/');
    let lower = trimmed.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("http://")
        .or_else(|| lower.strip_prefix("https://"))
        .ok_or_else(bad)?;
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || host.contains(char::is_whitespace) || host.contains('@') {
        return Err(bad());
    }
    let has_path = rest.len() > host.len();
    let base = if has_path {
        trimmed.to_string()
    } else {
        format!("{trimmed}/v1")
    };
    let root = base.strip_suffix("/v1").unwrap_or(&base).to_string();
    Ok((base, root))
}

/// One attempt's failure: may it pass if tried again?
struct Failure {
    error: EndpointError,
    retry: bool,
}

impl Endpoint {
    /// Checks the URL, asks `/v1/models` and picks the model (`--model`, or the only one).
    pub fn connect(opts: EndpointOptions) -> Result<Self, EndpointError> {
        Self::connect_with(opts, None)
    }

    /// [`Endpoint::connect`], telling `on_retry` about every retry (of this and later requests).
    pub fn connect_with(
        opts: EndpointOptions,
        on_retry: Option<RetryNote>,
    ) -> Result<Self, EndpointError> {
        let mut endpoint = Self::unchecked(opts, on_retry)?;
        let served = endpoint.models()?;
        endpoint.model = match &endpoint.opts.model {
            Some(m) if served.contains(m) => m.clone(),
            Some(m) => {
                return Err(EndpointError::UnknownModel {
                    model: m.clone(),
                    served,
                });
            }
            None if served.len() == 1 => served[0].clone(),
            None => return Err(EndpointError::NoModel { served }),
        };
        Ok(endpoint)
    }

    /// An endpoint with the URL checked but no model chosen (for listing what it serves).
    pub fn unchecked(
        opts: EndpointOptions,
        on_retry: Option<RetryNote>,
    ) -> Result<Self, EndpointError> {
        let (base, root) = parse_url(&opts.url)?;
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(opts.timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .build();
        Ok(Endpoint {
            base,
            root,
            model: String::new(),
            key: opts.key.clone().filter(|k| !k.is_empty()),
            agent: config.into(),
            top_n: std::cell::Cell::new(opts.top_n),
            opts,
            on_retry,
        })
    }

    /// The API's base URL (for messages).
    pub fn url(&self) -> &str {
        &self.base
    }

    /// How many candidates each request asks for.
    /// How many candidates each request asks for: `--top-logprobs`, or less once the server
    /// said it allows less.
    pub fn top_n(&self) -> usize {
        self.top_n.get()
    }

    /// The model names the server serves.
    pub fn models(&self) -> Result<Vec<String>, EndpointError> {
        let url = format!("{}/models", self.base);
        let text = self.send(&url, None).map_err(|e| match e {
            // Every OpenAI-compatible server lists its models.
            EndpointError::Status {
                status: 404 | 405,
                url,
                message,
            } => EndpointError::NotOpenAi { url, why: message },
            other => other,
        })?;
        let list: ModelList = parse(&url, &text)?;
        Ok(list.data.into_iter().map(|m| m.id).collect())
    }

    /// The next-token distribution after `prompt`: a one-token completion with the top N
    /// log-probabilities. With `echo`, the prompt's own tokens come back scored too, when the
    /// server echoes them *aligned* (see [`from_echo`]); otherwise `prompt` is `None` and the
    /// distribution comes from a plain request.
    ///
    /// A server that refuses that many log-probabilities and says how many it allows (vLLM:
    /// "… greater than max allowed: 20"; OpenAI: at most 5) is asked again for that many, and
    /// later requests ask for that many too.
    pub fn next_token(&self, prompt: &str, echo: bool) -> Result<NextToken, EndpointError> {
        match self.next_token_once(prompt, echo) {
            Err(EndpointError::Status {
                status: 400,
                message,
                url,
            }) => match allowed_logprobs(&message, self.top_n()) {
                Some(n) => {
                    self.top_n.set(n);
                    self.next_token_once(prompt, echo)
                }
                None => Err(EndpointError::Status {
                    status: 400,
                    message,
                    url,
                }),
            },
            other => other,
        }
    }

    fn next_token_once(&self, prompt: &str, echo: bool) -> Result<NextToken, EndpointError> {
        if echo {
            match self.complete(prompt, true) {
                Ok(lp) => {
                    if let Some(answer) = from_echo(prompt, self.top_n(), &lp) {
                        return Ok(answer);
                    }
                }
                // A server that refuses `echo` is asked again without it, and so is one whose
                // echo is over the size limit (top N at every prompt position of a long prompt).
                Err(EndpointError::Status { status: 400, .. } | EndpointError::TooLarge { .. }) => {
                }
                Err(e) => return Err(e),
            }
        }
        let url = format!("{}/completions", self.base);
        let lp = self.complete(prompt, false)?;
        let top = lp.top_logprobs.last().cloned().flatten();
        let top = top
            .filter(|t| !t.is_empty())
            .ok_or(EndpointError::NoLogprobs { url })?;
        Ok(NextToken {
            dist: PartialDistribution::new(self.top_n(), top),
            prompt: None,
        })
    }

    /// `POST /completions` for one token; the reply's log-probabilities.
    fn complete(&self, prompt: &str, echo: bool) -> Result<Logprobs, EndpointError> {
        let url = format!("{}/completions", self.base);
        let body = CompletionRequest {
            model: &self.model,
            prompt,
            max_tokens: 1,
            temperature: 1.0,
            logprobs: self.top_n() as u32,
            echo,
            stream: false,
        };
        let body = serde_json::to_string(&body).expect("serialisable");
        let text = self.send(&url, Some(&body))?;
        let reply: CompletionResponse = parse(&url, &text)?;
        let choice = reply.choices.into_iter().next();
        choice
            .and_then(|c| c.logprobs)
            .ok_or(EndpointError::NoLogprobs { url })
    }

    /// The token ids of `text` from the server's tokenize route; `None` when it has none.
    pub fn tokenize(&self, text: &str) -> Result<Option<Vec<u32>>, EndpointError> {
        for route in [TokenizeRoute::Extras, TokenizeRoute::Root] {
            let (url, body) = match route {
                TokenizeRoute::Extras => (
                    format!("{}/extras/tokenize", self.root),
                    serde_json::json!({"model": self.model, "input": text}),
                ),
                TokenizeRoute::Root => (
                    format!("{}/tokenize", self.root),
                    serde_json::json!({"model": self.model, "prompt": text, "content": text}),
                ),
            };
            match self.send(&url, Some(&body.to_string())) {
                Ok(reply) => return Ok(Some(parse::<TokenizeResponse>(&url, &reply)?.tokens)),
                Err(EndpointError::Status { status, .. }) if (400..500).contains(&status) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    /// Each id's text on its own (llama-cpp-python's `/extras/detokenize`, vLLM / llama.cpp's
    /// `/detokenize`); `None` when the server has neither.
    pub fn detokenize_each(&self, ids: &[u32]) -> Result<Option<Vec<String>>, EndpointError> {
        let routes = [
            (format!("{}/extras/detokenize", self.root), "text"),
            (format!("{}/detokenize", self.root), "prompt"),
        ];
        'routes: for (url, field) in routes {
            let mut texts = Vec::with_capacity(ids.len());
            for &id in ids {
                let body = serde_json::json!({"model": self.model, "tokens": [id]});
                let reply = match self.send(&url, Some(&body.to_string())) {
                    Ok(r) => r,
                    Err(EndpointError::Status { status, .. }) if (400..500).contains(&status) => {
                        continue 'routes;
                    }
                    Err(e) => return Err(e),
                };
                let value: serde_json::Value = parse(&url, &reply)?;
                let text = value.get(field).or_else(|| value.get("content"));
                texts.push(text.and_then(|t| t.as_str()).unwrap_or("").to_string());
            }
            return Ok(Some(texts));
        }
        Ok(None)
    }
}

/// The prompt's scored tokens and the next-token distribution from an echoed reply, if it is
/// aligned: one entry per prompt token (`text_offset` inside the prompt) and then exactly one
/// for the completed token, whose top candidates are the distribution after the prompt.
/// llama-cpp-python 0.3 pairs each prompt token with the distribution *after* it for models
/// without a BOS token and drops the completed token's entry: such a reply is not used.
fn from_echo(prompt: &str, top_n: usize, lp: &Logprobs) -> Option<NextToken> {
    let n = lp.tokens.len();
    if n == 0 || lp.token_logprobs.len() != n || lp.top_logprobs.len() != n {
        return None;
    }
    if lp.text_offset.len() != n {
        return None;
    }
    let chars = prompt.chars().count();
    let completed = lp.text_offset.iter().filter(|&&o| o >= chars).count();
    if completed != 1 || lp.text_offset[n - 1] < chars {
        return None;
    }
    let top = lp.top_logprobs[n - 1].clone().filter(|t| !t.is_empty())?;
    let scored = (0..n - 1)
        .map(|i| ServedToken {
            text: lp.tokens[i].clone(),
            logprob: lp.token_logprobs[i],
        })
        .collect();
    Some(NextToken {
        dist: PartialDistribution::new(top_n, top),
        prompt: Some(scored),
    })
}

/// The number of log-probabilities a refusal says is allowed: the largest whole number below
/// `asked` in a message that speaks of logprobs.
fn allowed_logprobs(message: &str, asked: usize) -> Option<usize> {
    if !message.to_ascii_lowercase().contains("logprob") {
        return None;
    }
    message
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse::<usize>().ok())
        .filter(|&n| n >= 1 && n < asked)
        .max()
}

/// Reads a JSON reply, or says the server is not OpenAI-compatible.
fn parse<T: serde::de::DeserializeOwned>(url: &str, text: &str) -> Result<T, EndpointError> {
    serde_json::from_str(text).map_err(|e| EndpointError::NotOpenAi {
        url: url.to_string(),
        why: e.to_string(),
    })
}

impl Endpoint {
    /// GET (`body: None`) or POST a JSON body, with retries and backoff (0.5 s, 1 s, 2 s, …)
    /// for failures that may pass; returns the reply's text on a 2xx status.
    fn send(&self, url: &str, body: Option<&str>) -> Result<String, EndpointError> {
        let mut attempt = 0;
        loop {
            match self.attempt(url, body, attempt + 1) {
                Ok(text) => return Ok(text),
                Err(f) if f.retry && attempt < self.opts.retries => {
                    let wait = Duration::from_millis(500 << attempt.min(4));
                    if let Some(note) = &self.on_retry {
                        note(&f.error, attempt + 1, self.opts.retries + 1, wait);
                    }
                    std::thread::sleep(wait);
                    attempt += 1;
                }
                Err(f) => return Err(f.error),
            }
        }
    }

    fn attempt(&self, url: &str, body: Option<&str>, attempts: u32) -> Result<String, Failure> {
        let auth = self.key.as_ref().map(|k| format!("Bearer {k}"));
        let result = match body {
            None => {
                let mut req = self.agent.get(url);
                if let Some(a) = &auth {
                    req = req.header("Authorization", a);
                }
                req.call()
            }
            Some(b) => {
                let mut req = self.agent.post(url).content_type("application/json");
                if let Some(a) = &auth {
                    req = req.header("Authorization", a);
                }
                req.send(b)
            }
        };
        let mut resp = result.map_err(|e| self.transport_failure(url, e, attempts))?;
        let status = resp.status().as_u16();
        let text = resp
            .body_mut()
            .with_config()
            .limit(MAX_REPLY_BYTES)
            .read_to_string()
            .map_err(|e| self.transport_failure(url, e, attempts))?;
        if (200..300).contains(&status) {
            return Ok(text);
        }
        Err(self.status_failure(url, status, &text))
    }

    fn status_failure(&self, url: &str, status: u16, text: &str) -> Failure {
        let url = url.to_string();
        let error = match status {
            401 | 403 if self.key.is_none() => EndpointError::KeyMissing { url },
            401 | 403 => EndpointError::KeyRejected { url },
            _ => {
                let message = ErrorBody::message(text).unwrap_or_else(|| snippet(text));
                EndpointError::Status {
                    url,
                    status,
                    message,
                }
            }
        };
        Failure {
            error,
            retry: status >= 500,
        }
    }

    fn transport_failure(&self, url: &str, e: ureq::Error, attempts: u32) -> Failure {
        let url = url.to_string();
        let (error, retry) = match e {
            ureq::Error::Timeout(_) => (
                EndpointError::TimedOut {
                    url,
                    secs: self.opts.timeout.as_secs_f64().ceil() as u64,
                    attempts,
                },
                true,
            ),
            ureq::Error::BodyExceedsLimit(_) => (
                EndpointError::TooLarge {
                    url,
                    limit_mb: MAX_REPLY_BYTES / (1024 * 1024),
                },
                false,
            ),
            ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => {
                (EndpointError::Unreachable { url, attempts }, true)
            }
            ureq::Error::Io(io) if is_refused(&io) => {
                (EndpointError::Unreachable { url, attempts }, true)
            }
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => (
                EndpointError::TimedOut {
                    url,
                    secs: self.opts.timeout.as_secs_f64().ceil() as u64,
                    attempts,
                },
                true,
            ),
            ureq::Error::Protocol(p) => (
                EndpointError::NotOpenAi {
                    url,
                    why: p.to_string(),
                },
                false,
            ),
            other => (
                EndpointError::Transport {
                    url,
                    detail: other.to_string(),
                },
                false,
            ),
        };
        Failure { error, retry }
    }
}

fn is_refused(io: &std::io::Error) -> bool {
    use std::io::ErrorKind as K;
    matches!(
        io.kind(),
        K::ConnectionRefused | K::ConnectionReset | K::ConnectionAborted | K::NotConnected
    )
}

/// The start of a non-JSON error body, on one line.
fn snippet(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = one_line.chars().take(200).collect();
    if one_line.chars().count() > 200 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_split() {
        let ok = |u: &str| parse_url(u).unwrap();
        assert_eq!(
            ok("http://127.0.0.1:8080/v1"),
            (
                "http://127.0.0.1:8080/v1".into(),
                "http://127.0.0.1:8080".into()
            )
        );
        assert_eq!(ok("http://h:1/").0, "http://h:1/v1");
        assert_eq!(ok("https://api.openai.com/v1/").1, "https://api.openai.com");
        for bad in ["ftp://h/v1", "127.0.0.1:8080", "http://", "file:///x", ""] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }

    fn logprobs(json: &str) -> Logprobs {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn an_aligned_echo_scores_the_prompt() {
        // "The cat" + completed " sat": one entry per prompt token, then the completed one.
        let lp = logprobs(
            r#"{"tokens": ["The", " cat", " sat"], "text_offset": [0, 3, 7],
                "token_logprobs": [null, -5.0, -1.0],
                "top_logprobs": [null, {" cat": -5.0, " dog": -4.0}, {" sat": -1.0, " ran": -2.0}]}"#,
        );
        let answer = from_echo("The cat", 2, &lp).expect("aligned");
        let texts: Vec<&str> = answer.dist.shown.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, [" sat", " ran"]);
        let prompt = answer.prompt.unwrap();
        assert_eq!(prompt.len(), 2);
        assert_eq!(prompt[0].logprob, None);
        assert_eq!(prompt[1].logprob, Some(-5.0));
    }

    #[test]
    fn a_shifted_echo_is_not_used() {
        // llama-cpp-python 0.3 on a model without BOS (SmolLM2), as it answered "The
        // capital of France is" with max_tokens 1: five entries, all inside the prompt (the
        // completed token's entry is missing; each token is paired with the distribution
        // after it).
        let lp = logprobs(
            r#"{"tokens": ["The", " capital", " of", " France", " is"],
                "text_offset": [0, 3, 11, 14, 21],
                "token_logprobs": [null, -9.6, -10.46, -11.23, -11.79],
                "top_logprobs": [null, {" of": -0.41}, {" the": -1.99}, {" is": -0.43},
                                 {" Paris": -0.26}]}"#,
        );
        assert!(from_echo("The capital of France is", 20, &lp).is_none());
    }

    #[test]
    fn a_refusal_says_how_many_logprobs() {
        let vllm = "Requested sample logprobs of 50, which is greater than max allowed: 20";
        assert_eq!(allowed_logprobs(vllm, 50), Some(20));
        let openai = "'logprobs' must be less than or equal to 5.";
        assert_eq!(allowed_logprobs(openai, 20), Some(5));
        assert_eq!(
            allowed_logprobs("context of 2048 tokens exceeded", 20),
            None
        );
        assert_eq!(allowed_logprobs("logprobs: bad value", 20), None);
    }

    #[test]
    fn the_key_is_not_in_debug() {
        let opts = EndpointOptions {
            url: "http://h".into(),
            model: None,
            key: Some("sk-secret-123".into()),
            timeout: Duration::from_secs(1),
            retries: 0,
            top_n: 20,
        };
        assert!(!format!("{opts:?}").contains("secret"));
    }
}
