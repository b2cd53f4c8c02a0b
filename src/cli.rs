//! The command line: the playground (no subcommand) and the scriptable `tokenize`, `next`,
//! `generate` and `bench` commands. JSON keys are a stable contract (see README).

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Serialize;

use crate::engine::Session;
use crate::model::{self, DeviceChoice, LoadedModel, Precision};
use crate::pieces::{bytes_to_text, visible};
use crate::sampling::{Distribution, SamplingParams};

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
    /// libtorch threads (default: all cores).
    #[arg(long, global = true)]
    pub threads: Option<usize>,
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
    /// Show the model's next-token distribution for a prompt.
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
        /// Print JSON (see README for the keys).
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
        /// Print JSON: {"model", "prompt_ids", "steps": [{"id", "text", "prob", "rank"}]}.
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
    /// Checked sampling parameters.
    pub fn params(&self) -> Result<SamplingParams, String> {
        let bad = |m: &str| Err(m.to_string());
        if !(self.temperature >= 0.0 && self.temperature.is_finite()) {
            return bad("--temperature must be a number ≥ 0");
        }
        if !(self.top_p > 0.0 && self.top_p <= 1.0) {
            return bad("--top-p must be in (0, 1]");
        }
        if !(0.0..=1.0).contains(&self.min_p) {
            return bad("--min-p must be in [0, 1]");
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
    /// The model path to use, checked to exist.
    pub fn model_path(&self) -> Result<PathBuf, CliError> {
        match &self.model {
            Some(p) if p.exists() => Ok(p.clone()),
            Some(p) => Err(CliError(format!(
                "the model {} does not exist. Pass --model with a GGUF file or an HF folder \
                 (config.json + *.safetensors + tokenizer.json) that you already have.",
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
            tch::set_num_threads(t.max(1) as i32);
        }
        if self.device == DeviceArg::Cuda && !tch::Cuda::is_available() {
            eprintln!("note: no usable CUDA device (or a CPU-only libtorch); running on the CPU");
        }
        let path = self.model_path()?;
        model::load(&path, self.device(), self.precision(), &mut |_, _| {})
            .map_err(|e| CliError(format!("cannot load {}: {e}", path.display())))
    }
}

impl Input {
    /// The text exactly as given: no trimming, no added newline.
    fn read(&self) -> Result<String, CliError> {
        let bytes = match (&self.text, &self.file) {
            (_, Some(path)) => std::fs::read(path)
                .map_err(|e| CliError(format!("cannot read {}: {e}", path.display())))?,
            (Some(t), None) if t == "-" => {
                let mut buf = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut buf)
                    .map_err(|e| CliError(format!("cannot read standard input: {e}")))?;
                buf
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
            CliError(format!(
                "the input is not valid UTF-8 (invalid byte at offset {}); tokenscope reads UTF-8 text",
                e.utf8_error().valid_up_to()
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
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
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
            next(common, &input.read()?, *chat, &params, show, *json)
        }
        Command::Generate {
            input,
            sampling,
            chat,
            max_tokens,
            json,
        } => {
            let params = sampling.params().map_err(CliError)?;
            generate(common, &input.read()?, *chat, &params, *max_tokens, *json)
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
        println!("{}", serde_json::to_string(&out)?);
        return Ok(());
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
    println!("{name}: {} tokens", ids.len());
    print_table(
        &["#", "id", "text", "piece"],
        &[true, true, false, false],
        &rows,
    );
    Ok(())
}

fn load_tokenizer(path: &Path) -> Result<crate::tokenizer::Tokenizer, CliError> {
    let tok = if path.is_dir() {
        crate::tokenizer::Tokenizer::from_hf_dir(path)
    } else {
        let g = crate::gguf::GgufFile::open(path)
            .map_err(|e| CliError(format!("cannot load {}: {e}", path.display())))?;
        crate::tokenizer::Tokenizer::from_gguf(&g)
    };
    tok.map_err(|e| CliError(format!("cannot load {}: {e}", path.display())))
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

#[derive(Serialize)]
struct CandidateJson<'a> {
    rank: usize,
    id: u32,
    piece: &'a str,
    text: &'a str,
    logit: f32,
    logprob: f64,
    prob: f64,
    sampled_prob: f64,
    kept: bool,
}

#[derive(Serialize)]
struct NextJson<'a> {
    model: &'a str,
    prompt_ids: &'a [u32],
    entropy_nats: f64,
    candidates: Vec<CandidateJson<'a>>,
}

/// Loads the model and evaluates the prompt; errors on an empty prompt.
fn prompt_session(
    common: &Common,
    text: &str,
    chat: bool,
) -> Result<(Session, Vec<u32>, Vec<f32>), CliError> {
    let mut session = Session::new(common.load()?);
    let ids = session.prompt_ids(text, chat)?;
    if ids.is_empty() {
        return Err(CliError(
            "the prompt is empty: the model needs at least one token to predict the next one \
             (this model adds no beginning-of-sequence token). Give some text, or use --chat."
                .into(),
        ));
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
        println!("{}", serde_json::to_string(&out)?);
        return Ok(());
    }
    println!(
        "{}: {} prompt tokens · entropy {:.3} nats (model) / {:.3} (after sampling) · {} kept",
        session.model.name,
        ids.len(),
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
                    format!("cut ({:?})", c.cut_by.expect("cut"))
                },
            ]
        })
        .collect();
    print_table(
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
    );
    let (raw, fin) = dist.mass_beyond(shown.len());
    println!(
        "rest of the vocabulary ({} tokens): {:.2}% (model), {:.2}% (after sampling)",
        dist.candidates.len() - shown.len(),
        raw * 100.0,
        fin * 100.0
    );
    Ok(())
}

#[derive(Serialize)]
struct StepJson {
    id: u32,
    text: String,
    prob: f64,
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
            stdout.write_all(out.as_bytes())?;
            stdout.flush()?;
        }
        ids.push(id);
        if stop || steps.len() == max_tokens {
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
        writeln!(stdout, "{}", serde_json::to_string(&out)?)?;
    } else {
        if !pending.is_empty() {
            stdout.write_all(bytes_to_text(&pending).as_bytes())?;
        }
        if std::io::stdout().is_terminal() {
            writeln!(stdout)?;
        }
    }
    Ok(())
}

/// Prints rows as an aligned table (by display width), `right[i]` right-aligns column i.
fn print_table(headers: &[&str], right: &[bool], rows: &[Vec<String>]) {
    use unicode_width::UnicodeWidthStr;
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let line = |cells: Vec<&str>| {
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
        println!("{}", parts.join("  ").trim_end());
    };
    line(headers.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}
