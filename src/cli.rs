//! The command line: the playground (no subcommand) and the scriptable `tokenize`, `next`,
//! `generate` and `bench` commands. JSON keys are a stable contract (see README).
//!
//! Conventions of the scriptable commands:
//! - **Text is taken exactly as given** (argument, `--file PATH`, or `-` for standard input): no
//!   trimming, no added newline; it must be UTF-8.
//! - **Ranks are 1-based**: rank 1 is the most likely token (highest raw logit; ties go to the
//!   lower id), in the JSON (`rank`) and in the tables alike.
//! - **Probabilities**: `prob` / `logprob` are the model's raw distribution (softmax of the
//!   logits at temperature 1, no filters); `sampled_prob` is the distribution the sampler draws
//!   from after temperature → top-k → top-p → min-p (0 for candidates cut).
//! - **Failures** print one paragraph starting `error:` on stderr and exit with status 1
//!   (command-line syntax errors are clap's: status 2). Flag values and the input are checked
//!   before the model is loaded.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Serialize;

use crate::engine::Session;
use crate::gguf::{GgmlType, GgufError};
use crate::model::{self, DeviceChoice, LoadedModel, ModelError, Precision};
use crate::pieces::{bytes_to_text, visible};
use crate::sampling::{Distribution, SamplingParams, Stage};

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
    /// Sampling settings the playground starts with.
    #[command(flatten)]
    pub sampling: SamplingArgs,
}

/// Flags every command takes.
#[derive(Args, Debug, Clone)]
pub struct Common {
    /// A GGUF file or an HF folder (config.json + *.safetensors + tokenizer.json).
    /// Default: the SmolLM2-135M-Instruct GGUF installed by scripts/run.
    #[arg(long, global = true, env = "TOKENSCOPE_MODEL")]
    pub model: Option<PathBuf>,
    /// Where the model runs (cuda falls back to cpu when no GPU is usable).
    #[arg(long, global = true, value_enum, default_value_t = DeviceArg::Cpu)]
    pub device: DeviceArg,
    /// exact: float32 reference numbers; fast: 4-bit weights, bfloat16 activations (approximate).
    #[arg(long, global = true, value_enum, default_value_t = PrecisionArg::Exact)]
    pub precision: PrecisionArg,
    /// libtorch threads, 1 to 256 (default: all cores).
    #[arg(long, global = true, value_parser = parse_threads)]
    pub threads: Option<usize>,
}

/// The most `--threads` accepted: libtorch takes an `i32` and OpenMP starts every thread asked
/// for (100 000 of them overflow the stack), so absurd values are refused up front.
pub const MAX_THREADS: usize = 256;

fn parse_threads(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a whole number from 1 to {MAX_THREADS} (leave --threads out to use \
             every core)"
        )),
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
        /// Print JSON: {"model", "prompt_ids", "entropy_nats", "candidates": [{"rank" (1 = most
        /// likely), "id", "piece", "text", "logit", "logprob", "prob", "sampled_prob", "kept"}]}.
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
        /// Print JSON: {"model", "prompt_ids", "steps": [{"id", "text", "prob", "rank"}]}, where
        /// `prob` is the model's raw probability of the chosen token and `rank` its 1-based rank.
        #[arg(long)]
        json: bool,
    },
    /// Measure load, prefill, decode and append-one latency (used by scripts/bench).
    #[command(hide = true)]
    Bench {
        /// Repetitions per measurement.
        #[arg(long, default_value_t = 20)]
        reps: usize,
    },
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

/// Sampling settings (stage order: temperature → top-k → top-p → min-p).
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
}

impl SamplingArgs {
    /// Checked sampling parameters; the error names the flag, its allowed range and the value
    /// given.
    pub fn params(&self) -> Result<SamplingParams, String> {
        if !(self.temperature >= 0.0 && self.temperature.is_finite()) {
            return Err(format!(
                "--temperature must be a finite number ≥ 0 (0 = always pick the most likely \
                 token), not {}",
                self.temperature
            ));
        }
        if !(self.top_p > 0.0 && self.top_p <= 1.0) {
            return Err(format!(
                "--top-p must be greater than 0 and at most 1 (1 = off), not {}",
                self.top_p
            ));
        }
        if !(0.0..=1.0).contains(&self.min_p) {
            return Err(format!(
                "--min-p must be between 0 and 1 (0 = off), not {}",
                self.min_p
            ));
        }
        Ok(SamplingParams {
            temperature: self.temperature,
            top_k: self.top_k,
            top_p: self.top_p,
            min_p: self.min_p,
            seed: self.seed,
        })
    }
}

/// A user-facing failure: one paragraph, non-zero exit.
#[derive(Debug)]
pub struct CliError(pub String);

impl<E: std::fmt::Display> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError(e.to_string())
    }
}

/// The default model installed by `scripts/bootstrap`.
pub fn default_model_path() -> PathBuf {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"));
    cache.join("tokenscope/models/SmolLM2-135M-Instruct.Q4_1.gguf")
}

impl Common {
    /// The model path to use, checked to exist (and, for a folder, to look like an HF model).
    pub fn model_path(&self) -> Result<PathBuf, CliError> {
        match &self.model {
            Some(p) if p.is_dir() => {
                let missing: Vec<&str> = ["config.json", "tokenizer.json"]
                    .into_iter()
                    .filter(|f| !p.join(f).is_file())
                    .collect();
                if missing.is_empty() {
                    Ok(p.clone())
                } else {
                    Err(CliError(format!(
                        "the model folder {} is not a Hugging Face model folder: it has no {}. \
                         --model takes a GGUF file or a folder with config.json, \
                         *.safetensors and tokenizer.json.",
                        p.display(),
                        missing.join(" and no ")
                    )))
                }
            }
            Some(p) if p.exists() => Ok(p.clone()),
            Some(p) => Err(CliError(format!(
                "the model {} does not exist (from --model or TOKENSCOPE_MODEL). Pass --model \
                 with a GGUF file or an HF folder (config.json + *.safetensors + \
                 tokenizer.json) that you already have.",
                p.display()
            ))),
            None => {
                let p = default_model_path();
                if p.exists() {
                    Ok(p)
                } else {
                    Err(CliError(format!(
                        "no model found: the default model is not installed at {}. Run \
                         `scripts/run` once (it installs libtorch and the default model), or \
                         pass --model with a GGUF file or an HF folder you already have.",
                        p.display()
                    )))
                }
            }
        }
    }

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

    fn load(&self) -> Result<LoadedModel, CliError> {
        if let Some(t) = self.threads {
            tch::set_num_threads(t.clamp(1, MAX_THREADS) as i32);
        }
        if self.device == DeviceArg::Cuda && !tch::Cuda::is_available() {
            eprintln!("note: no usable CUDA device (or a CPU-only libtorch); running on the CPU");
        }
        let path = self.model_path()?;
        model::load(&path, self.device(), self.precision(), &mut |_, _| {}).map_err(|e| {
            let hint = match &e {
                ModelError::Gguf(g) => gguf_hint(&path, g),
                _ => None,
            };
            load_error(&path, &e, hint)
        })
    }
}

/// `cannot load PATH: why`, plus a sentence on what to do when there is one.
fn load_error(path: &Path, why: &dyn std::fmt::Display, hint: Option<String>) -> CliError {
    let mut message = format!("cannot load {}: {why}", path.display());
    if let Some(hint) = hint {
        message.push_str(". ");
        message.push_str(&hint);
    }
    CliError(message)
}

/// What to do about a GGUF error, when the error alone does not say.
fn gguf_hint(path: &Path, e: &GgufError) -> Option<String> {
    let again = if path == default_model_path() {
        "delete it and run `scripts/run` to install the default model again"
    } else {
        "download or copy it again"
    };
    match e {
        GgufError::NotGguf => Some(
            "--model takes a GGUF file (.gguf) or a Hugging Face folder (config.json + \
             *.safetensors + tokenizer.json)"
                .into(),
        ),
        GgufError::Truncated { .. } => {
            let size = std::fs::metadata(path).map_or(0, |m| m.len());
            Some(format!(
                "The file ({size} bytes) ends before the data its header describes: it was \
                 most likely cut short while downloading or copying; {again}"
            ))
        }
        GgufError::UnsupportedType { .. } => {
            let supported: Vec<&str> = (0..64)
                .map(GgmlType::from_id)
                .filter(|t| t.can_dequantize())
                .map(GgmlType::name)
                .collect();
            Some(format!(
                "tokenscope reads the tensor types {}; use a GGUF file quantized to those \
                 (llama.cpp's llama-quantize can convert one)",
                supported.join(", ")
            ))
        }
        _ => None,
    }
}

impl Input {
    /// The text exactly as given: no trimming, no added newline.
    fn read(&self) -> Result<String, CliError> {
        let (bytes, source) = match (&self.text, &self.file) {
            (_, Some(path)) => (
                std::fs::read(path).map_err(|e| {
                    CliError(format!("cannot read the --file {}: {e}", path.display()))
                })?,
                format!("the file {}", path.display()),
            ),
            (Some(t), None) if t == "-" => {
                let mut buf = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut buf)
                    .map_err(|e| CliError(format!("cannot read standard input: {e}")))?;
                (buf, "standard input".to_string())
            }
            (Some(t), None) => return Ok(t.clone()),
            (None, None) => {
                return Err(CliError(
                    "no text given: pass it as an argument, with --file PATH, or `-` to read \
                     standard input"
                        .into(),
                ));
            }
        };
        String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            CliError(format!(
                "{source} is not valid UTF-8 text: byte {at} (counting from 0) is 0x{:02X}. \
                 tokenscope reads UTF-8; convert the text first (e.g. with iconv).",
                e.as_bytes()[at]
            ))
        })
    }
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => crate::playground::main(&cli),
        Some(ref command) => run_command(&cli.common, command).map_err(|e| e.0),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) if STDOUT_CLOSED.load(Ordering::Relaxed) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {}", one_paragraph(&message));
            ExitCode::FAILURE
        }
    }
}

/// Keeps an error message to one paragraph: libtorch's C++ backtrace (everything from
/// "Exception raised from") is dropped and line breaks become spaces.
fn one_paragraph(message: &str) -> String {
    let message = message
        .find("Exception raised from")
        .map_or(message, |i| &message[..i]);
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn run_command(common: &Common, command: &Command) -> Result<(), CliError> {
    match command {
        Command::Tokenize { input, json } => tokenize(common, &input.read()?, *json),
        Command::Next {
            input,
            sampling,
            chat,
            show,
            json,
        } => {
            let params = sampling.params().map_err(CliError)?;
            let show = show.unwrap_or(if sampling.top_k > 0 {
                sampling.top_k
            } else {
                20
            });
            let text = input.read()?;
            check_not_empty(common, &text, *chat)?;
            next(common, &text, *chat, &params, show, *json)
        }
        Command::Generate {
            input,
            sampling,
            chat,
            max_tokens,
            json,
        } => {
            let params = sampling.params().map_err(CliError)?;
            let text = input.read()?;
            check_not_empty(common, &text, *chat)?;
            generate(common, &text, *chat, &params, *max_tokens, *json)
        }
        Command::Bench { reps } => crate::cli::bench::run(common, *reps),
    }
}

mod bench;

#[derive(Serialize)]
struct TokenizeJson<'a> {
    model: &'a str,
    ids: &'a [u32],
    pieces: Vec<&'a str>,
    texts: Vec<&'a str>,
    count: usize,
}

fn tokenize(common: &Common, text: &str, json: bool) -> Result<(), CliError> {
    // Tokenizing needs only the tokenizer: skip loading the weights.
    let path = common.model_path()?;
    let tok = load_tokenizer(&path)?;
    let ids = tok.encode(text)?;
    let views = tok.views();
    let vs: Vec<_> = ids.iter().map(|&i| &views[i as usize]).collect();
    let name = model_name(&path);
    if json {
        let out = TokenizeJson {
            model: &name,
            ids: &ids,
            pieces: vs.iter().map(|v| v.piece.as_str()).collect(),
            texts: vs.iter().map(|v| v.text.as_str()).collect(),
            count: ids.len(),
        };
        return emit(&format!("{}\n", serde_json::to_string(&out)?));
    }
    let rows: Vec<Vec<String>> = vs
        .iter()
        .enumerate()
        .map(|(i, v)| {
            vec![
                i.to_string(),
                v.id.to_string(),
                visible(&v.text),
                v.piece.clone(),
            ]
        })
        .collect();
    emit(&format!(
        "{name}: {}\n{}",
        count(ids.len(), "token"),
        table(
            &["#", "id", "text", "piece"],
            &[true, true, false, false],
            &rows
        )
    ))
}

fn load_tokenizer(path: &Path) -> Result<crate::tokenizer::Tokenizer, CliError> {
    let tok = if path.is_dir() {
        crate::tokenizer::Tokenizer::from_hf_dir(path)
    } else {
        let g = crate::gguf::GgufFile::open(path)
            .map_err(|e| load_error(path, &e, gguf_hint(path, &e)))?;
        crate::tokenizer::Tokenizer::from_gguf(&g)
    };
    tok.map_err(|e| load_error(path, &e, None))
}

fn model_name(path: &Path) -> String {
    let base = if path.is_dir() {
        path.file_name()
    } else {
        path.file_stem()
    };
    base.map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

/// One row of `next --json`'s `candidates`.
#[derive(Serialize)]
struct CandidateJson<'a> {
    /// 1-based: 1 is the most likely token (highest raw logit, ties to the lower id).
    rank: usize,
    id: u32,
    piece: &'a str,
    text: &'a str,
    logit: f32,
    /// Raw log-probability (log-softmax of the logits, temperature 1, no filters).
    logprob: f64,
    /// Raw probability, `exp(logprob)`.
    prob: f64,
    /// Probability in the distribution the sampler draws from (after temperature, top-k,
    /// top-p, min-p); 0 when cut. Equals `prob` with the default settings.
    sampled_prob: f64,
    /// Whether the token survives every sampling stage.
    kept: bool,
}

#[derive(Serialize)]
struct NextJson<'a> {
    model: &'a str,
    prompt_ids: &'a [u32],
    entropy_nats: f64,
    candidates: Vec<CandidateJson<'a>>,
}

fn empty_prompt() -> CliError {
    CliError(
        "the prompt is empty: the model needs at least one token to predict the next one (and \
         this model adds no beginning-of-sequence token). Give some text, or use --chat to wrap \
         it in the chat template."
            .into(),
    )
}

/// Refuses an empty prompt before the weights are loaded (only the tokenizer is read, in case
/// it adds a beginning-of-sequence token).
fn check_not_empty(common: &Common, text: &str, chat: bool) -> Result<(), CliError> {
    if text.is_empty()
        && !chat
        && load_tokenizer(&common.model_path()?)?
            .encode("")?
            .is_empty()
    {
        return Err(empty_prompt());
    }
    Ok(())
}

/// Loads the model and evaluates the prompt; errors on an empty prompt or one longer than the
/// context window.
fn prompt_session(
    common: &Common,
    text: &str,
    chat: bool,
) -> Result<(Session, Vec<u32>, Vec<f32>), CliError> {
    let mut session = Session::new(common.load()?);
    let ids = session.prompt_ids(text, chat)?;
    if ids.is_empty() {
        return Err(empty_prompt());
    }
    let context = session.model.llama.cfg.context_length;
    if ids.len() > context {
        return Err(CliError(format!(
            "the prompt is {} tokens long{}, but the model's context window holds {context} \
             tokens: shorten it by at least {} tokens (`tokenscope tokenize` counts them).",
            ids.len(),
            if chat { " with the chat template" } else { "" },
            ids.len() - context
        )));
    }
    let eval = session.evaluate(&ids)?;
    let logits = eval.positions.last().expect("non-empty").logits.to_vec();
    Ok((session, ids, logits))
}

fn next(
    common: &Common,
    text: &str,
    chat: bool,
    params: &SamplingParams,
    show: usize,
    json: bool,
) -> Result<(), CliError> {
    let (session, ids, logits) = prompt_session(common, text, chat)?;
    let dist = Distribution::new(&logits, params);
    let views = session.model.tokenizer.views();
    let shown = &dist.candidates[..show.min(dist.candidates.len())];
    if json {
        let out = NextJson {
            model: &session.model.name,
            prompt_ids: &ids,
            entropy_nats: dist.entropy_raw,
            candidates: shown
                .iter()
                .map(|c| CandidateJson {
                    rank: c.rank + 1,
                    id: c.id,
                    piece: &views[c.id as usize].piece,
                    text: &views[c.id as usize].text,
                    logit: c.logit,
                    logprob: c.logprob,
                    prob: c.prob,
                    sampled_prob: c.final_prob,
                    kept: c.kept,
                })
                .collect(),
        };
        return emit(&format!("{}\n", serde_json::to_string(&out)?));
    }
    let mut text = format!(
        "{}: {} · entropy {:.3} nats (model) / {:.3} (after sampling) · {} kept\n",
        session.model.name,
        count(ids.len(), "prompt token"),
        dist.entropy_raw,
        dist.entropy_final,
        dist.kept
    );
    let rows: Vec<Vec<String>> = shown
        .iter()
        .map(|c| {
            vec![
                (c.rank + 1).to_string(),
                c.id.to_string(),
                visible(&views[c.id as usize].text),
                format!("{:.2}%", c.prob * 100.0),
                format!("{:.4}", c.logprob),
                format!("{:.3}", c.logit),
                format!("{:.2}%", c.final_prob * 100.0),
                if c.kept {
                    "yes".into()
                } else {
                    match c.cut_by {
                        Some(Stage::Greedy) => "cut (greedy)".into(),
                        Some(Stage::TopK) => "cut by top-k".into(),
                        Some(Stage::TopP) => "cut by top-p".into(),
                        Some(Stage::MinP) => "cut by min-p".into(),
                        None => "cut".into(),
                    }
                },
            ]
        })
        .collect();
    text.push_str(&table(
        &[
            "rank",
            "id",
            "token",
            "model %",
            "logprob",
            "logit",
            "sampled %",
            "kept",
        ],
        &[true, true, false, true, true, true, true, false],
        &rows,
    ));
    let (raw, fin) = dist.mass_beyond(shown.len());
    text.push_str(&format!(
        "rest of the vocabulary ({}): {:.2}% (model), {:.2}% (after sampling)\n",
        count(dist.candidates.len() - shown.len(), "token"),
        raw * 100.0,
        fin * 100.0
    ));
    emit(&text)
}

/// One generated token in `generate --json`'s `steps`.
#[derive(Serialize)]
struct StepJson {
    id: u32,
    /// What the token decodes to on its own (`<0xF0>` for a byte that is not UTF-8 alone).
    text: String,
    /// The model's raw probability of this token (temperature 1, no filters).
    prob: f64,
    /// Its 1-based rank under the raw distribution (1 = the most likely token).
    rank: usize,
}

#[derive(Serialize)]
struct GenerateJson<'a> {
    model: &'a str,
    prompt_ids: &'a [u32],
    steps: Vec<StepJson>,
}

fn generate(
    common: &Common,
    text: &str,
    chat: bool,
    params: &SamplingParams,
    max_tokens: usize,
    json: bool,
) -> Result<(), CliError> {
    let (mut session, prompt_ids, mut logits) = prompt_session(common, text, chat)?;
    let stop_ids = session.info(Default::default()).stop_ids;
    let context = session.model.llama.cfg.context_length;
    let mut context_full = false;
    let mut ids = prompt_ids.clone();
    let mut steps = Vec::new();
    let mut pending = Vec::new(); // bytes not yet printable as UTF-8
    let mut stdout = std::io::stdout().lock();
    for _ in 0..max_tokens {
        let dist = Distribution::new(&logits, params);
        let draw = dist.sample(ids.len() as u64);
        let chosen = &dist.candidates[draw.rank];
        let id = chosen.id;
        let tok = &session.model.tokenizer;
        steps.push(StepJson {
            id,
            text: tok.view(id).text,
            prob: chosen.prob,
            rank: chosen.rank + 1,
        });
        let stop = stop_ids.contains(&id);
        if !json && !stop {
            pending.extend_from_slice(tok.token_bytes(id));
            let valid = match std::str::from_utf8(&pending) {
                Ok(s) => s.len(),
                Err(e) if e.error_len().is_none() => e.valid_up_to(),
                Err(_) => pending.len(),
            };
            let out = bytes_to_text(&pending[..valid]);
            pending.drain(..valid);
            stdout
                .write_all(out.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(stdout_error)?;
        }
        ids.push(id);
        if stop || steps.len() == max_tokens {
            break;
        }
        if ids.len() > context {
            // The newest token was predicted but there is no room left to feed it back.
            context_full = true;
            break;
        }
        let eval = session.evaluate(&ids)?;
        logits = eval.positions.last().expect("non-empty").logits.to_vec();
    }
    if json {
        let out = GenerateJson {
            model: &session.model.name,
            prompt_ids: &prompt_ids,
            steps,
        };
        writeln!(stdout, "{}", serde_json::to_string(&out)?).map_err(stdout_error)?;
    } else {
        if !pending.is_empty() {
            stdout
                .write_all(bytes_to_text(&pending).as_bytes())
                .map_err(stdout_error)?;
        }
        if std::io::stdout().is_terminal() {
            writeln!(stdout).map_err(stdout_error)?;
        }
    }
    stdout.flush().map_err(stdout_error)?;
    if context_full {
        let generated = ids.len() - prompt_ids.len();
        eprintln!(
            "note: stopped after {} new tokens: the sequence fills the model's context window \
             ({context} tokens)",
            generated
        );
    }
    Ok(())
}

/// `1 token`, `2 tokens`.
fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// Set when standard output is a closed pipe (`tokenscope … | head`): the program then ends
/// quietly with success instead of reporting an error.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

fn stdout_error(e: std::io::Error) -> CliError {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
    CliError(format!("cannot write to standard output: {e}"))
}

/// Writes `text` to standard output (never panics, unlike `println!` on a closed pipe).
fn emit(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(stdout_error)
}

/// Rows as an aligned table (by display width), one line each; `right[i]` right-aligns column
/// i.
fn table(headers: &[&str], right: &[bool], rows: &[Vec<String>]) -> String {
    use unicode_width::UnicodeWidthStr;
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let mut text = String::new();
    let mut line = |cells: Vec<&str>| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .zip(right)
            .map(|((c, &w), &r)| {
                let pad = " ".repeat(w.saturating_sub(c.width()));
                if r {
                    format!("{pad}{c}")
                } else {
                    format!("{c}{pad}")
                }
            })
            .collect();
        text.push_str(parts.join("  ").trim_end());
        text.push('\n');
    };
    line(headers.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libtorch_backtraces_and_line_breaks_become_one_paragraph() {
        let torch = "libtorch: Expected positive number of threads\nException raised from \
                     set_num_threads at ParallelOpenMP.cpp:46 (most recent call first):\n\
                     frame #0: c10::Error::Error(...)\n";
        assert_eq!(
            one_paragraph(torch),
            "libtorch: Expected positive number of threads"
        );
        assert_eq!(one_paragraph("a\n\n  b\nc "), "a b c");
        assert_eq!(one_paragraph("one line"), "one line");
    }

    #[test]
    fn threads_are_bounded() {
        assert_eq!(parse_threads("1"), Ok(1));
        assert_eq!(parse_threads("256"), Ok(256));
        for bad in ["0", "257", "-1", "3000000000", "x", ""] {
            assert!(parse_threads(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn unsupported_type_hint_lists_what_is_supported() {
        let e = GgufError::UnsupportedType {
            tensor: "token_embd.weight".into(),
            type_name: "IQ4_NL".into(),
        };
        let hint = gguf_hint(Path::new("m.gguf"), &e).unwrap();
        assert!(hint.contains("F32, F16, Q4_0, Q4_1"), "{hint}");
        assert!(hint.contains("Q6_K") && hint.contains("BF16"), "{hint}");
        assert!(!hint.contains("IQ4_NL") && !hint.contains("Q8_K"), "{hint}");
        let message = load_error(Path::new("m.gguf"), &e, Some(hint)).0;
        assert!(
            message.starts_with(
                "cannot load m.gguf: tensor \"token_embd.weight\" has type IQ4_NL, which \
                 tokenscope does not support. tokenscope reads the tensor types"
            ),
            "{message}"
        );
    }

    #[test]
    fn sampling_errors_name_the_value() {
        let args = |temperature, top_p, min_p| SamplingArgs {
            temperature,
            top_k: 0,
            top_p,
            min_p,
            seed: 0,
        };
        assert!(args(1.0, 1.0, 0.0).params().is_ok());
        assert!(args(0.0, 1e-6, 1.0).params().is_ok());
        let err = |a: SamplingArgs| a.params().unwrap_err();
        assert!(err(args(-1.0, 1.0, 0.0)).ends_with("not -1"));
        assert!(err(args(f32::INFINITY, 1.0, 0.0)).starts_with("--temperature"));
        assert!(err(args(1.0, 0.0, 0.0)).ends_with("not 0"));
        assert!(err(args(1.0, f32::NAN, 0.0)).starts_with("--top-p"));
        assert!(err(args(1.0, 1.0, -0.1)).ends_with("not -0.1"));
    }
}
