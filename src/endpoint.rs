//! A served model reached over HTTP: an OpenAI-compatible `/v1/completions` with `logprobs`
//! (llama.cpp's server, vLLM, OpenAI). The big models of the course (100B+ parameters) run on
//! engines built for them; tokenscope only reads what they say about the next token.
//!
//! What a server says is partial: the top N log-probabilities of a vocabulary whose size it does
//! not tell. [`partial::PartialDistribution`] keeps that in the numbers: the rest of the mass is
//! `1 − Σ shown`, the entropy a lower bound, and sampler columns are over the shown tokens only.
//!
//! - `api`: the JSON shapes sent and received.
//! - `client`: the blocking HTTP client (timeouts, retries with backoff, a size limit, the key).
//! - `partial`: the partial distribution and its bounds.
//! - `error`: what can go wrong, in words of the catalog.

pub mod api;
pub mod client;
pub mod error;
pub mod partial;

pub use client::{Endpoint, EndpointOptions, NextToken, RetryNote, ServedToken};
pub use error::EndpointError;
pub use partial::PartialDistribution;
