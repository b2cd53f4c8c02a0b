//! Every user-visible string, in English and Brazilian Portuguese.
//!
//! Render code never spells text: it asks `lang.t(Text::…)` for a fixed string or
//! `lang.f(Text::…, &[…])` for a template whose `{}` holes are filled in order. Each language is
//! one exhaustive `match` (`i18n/en.rs`, `i18n/pt_br.rs`), so a message missing in one language
//! does not compile. Numbers are written the local way too: `0.41` / `0,41`.

mod en;
pub mod number;
mod pt_br;

use std::fmt::Display;

/// The interface language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    En,
    /// Brazilian Portuguese.
    PtBr,
}

impl Lang {
    /// Picks the language from an explicit flag (`--lang pt`, `pt-BR`, `en`, …) or, without
    /// one (or with `auto`), from the locale variables in priority order (pass
    /// `[LC_ALL, LC_MESSAGES, LANG]`; the first non-empty one decides). Anything starting with
    /// `pt` means Brazilian Portuguese; everything else English.
    pub fn from_env(flag: Option<&str>, locale_vars: &[Option<&str>]) -> Lang {
        let chosen = match flag.map(str::trim) {
            Some(f) if !f.is_empty() && !f.eq_ignore_ascii_case("auto") => Some(f),
            _ => locale_vars
                .iter()
                .flatten()
                .map(|v| v.trim())
                .find(|v| !v.is_empty()),
        };
        match chosen {
            Some(v) if v.to_ascii_lowercase().starts_with("pt") => Lang::PtBr,
            _ => Lang::En,
        }
    }

    /// [`Lang::from_env`] with `LC_ALL`, `LC_MESSAGES` and `LANG` read from the process
    /// environment.
    pub fn detect(flag: Option<&str>) -> Lang {
        let vars: Vec<Option<String>> = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .map(|k| std::env::var(k).ok())
            .collect();
        let refs: Vec<Option<&str>> = vars.iter().map(|v| v.as_deref()).collect();
        Lang::from_env(flag, &refs)
    }

    /// The other language (the language key cycles through all of them).
    pub fn next(self) -> Lang {
        match self {
            Lang::En => Lang::PtBr,
            Lang::PtBr => Lang::En,
        }
    }

    /// A fixed string.
    pub fn t(self, text: Text) -> &'static str {
        match self {
            Lang::En => en::text(text),
            Lang::PtBr => pt_br::text(text),
        }
    }

    /// A template with its `{}` holes filled in order.
    pub fn f(self, text: Text, args: &[&dyn Display]) -> String {
        fill(self.t(text), args)
    }

    /// The decimal separator.
    pub fn decimal_sep(self) -> char {
        match self {
            Lang::En => '.',
            Lang::PtBr => ',',
        }
    }

    /// `x` with `places` decimals, grouped digits and the local separator (`38 581,0`); see
    /// [`number::decimal`].
    pub fn num(self, x: f64, places: usize) -> String {
        number::decimal(self, x, places)
    }

    /// An integer with grouped digits (`49 152`), the same in both languages.
    pub fn int(self, n: usize) -> String {
        number::integer(n as u64)
    }

    /// A token or word named in a sentence, quoted the local way (`«ui»`, `“ui”`).
    pub fn quote(self, text: &str) -> String {
        number::quoted(self, text)
    }

    /// `n` with the singular or plural template (`1 token`, `2 tokens`; `1 gerado`,
    /// `2 gerados`), the number grouped the local way.
    pub fn count(self, n: usize, one: Text, many: Text) -> String {
        self.f(if n == 1 { one } else { many }, &[&self.int(n)])
    }

    /// A probability as a percentage with two decimals; tiny non-zero values as `<0.01%`.
    pub fn percent(self, p: f64) -> String {
        if p <= 0.0 {
            "0%".to_string()
        } else if p < 0.000_05 {
            format!("<{}%", self.num(0.01, 2))
        } else {
            format!("{}%", self.num(p * 100.0, 2))
        }
    }
}

/// Something that can say itself in the interface language: every error a user can meet
/// implements it, so `--lang pt-BR` never shows an English sentence. `Display` of those types is
/// `describe(Lang::En)`, so logs and `{e}` keep working.
pub trait Describe {
    /// The message in `lang`.
    fn describe(&self, lang: Lang) -> String;
}

/// An operating-system error in `lang`: the common kinds in words of the catalog, others as the
/// OS says them.
pub fn io_error(lang: Lang, e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    let text = match e.kind() {
        ErrorKind::NotFound => Text::IoNotFound,
        ErrorKind::PermissionDenied => Text::IoPermissionDenied,
        ErrorKind::IsADirectory => Text::IoIsADirectory,
        ErrorKind::NotADirectory => Text::IoNotADirectory,
        ErrorKind::UnexpectedEof => Text::IoUnexpectedEof,
        ErrorKind::BrokenPipe => Text::IoBrokenPipe,
        ErrorKind::OutOfMemory => Text::IoOutOfMemory,
        ErrorKind::StorageFull => Text::IoStorageFull,
        _ => return e.to_string(),
    };
    lang.t(text).to_string()
}

/// Implements `Display` (as [`Describe::describe`] in English) and `std::error::Error` for an
/// error type whose text comes from the catalog; `$source` names the variant fields that are
/// the underlying cause, if any.
#[macro_export]
macro_rules! described_error {
    ($ty:ty) => {
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&$crate::i18n::Describe::describe(
                    self,
                    $crate::i18n::Lang::En,
                ))
            }
        }
        impl std::error::Error for $ty {}
    };
}

/// Fills the `{}` holes of `template` with `args` in order (missing args leave the hole empty).
pub fn fill(template: &str, args: &[&dyn Display]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut args = args.iter();
    let mut rest = template;
    while let Some(i) = rest.find("{}") {
        out.push_str(&rest[..i]);
        if let Some(a) = args.next() {
            out.push_str(&a.to_string());
        }
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    out
}

/// Message ids. The doc comment of each gives the English text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Text {
    // ── language ──
    /// English
    LanguageName,

    // ── modes ──
    /// EDIT
    ModeEdit,
    /// EXPLORE
    ModeExplore,
    /// HELP
    ModeHelp,
    /// typing goes into the prompt
    ModeEditHint,
    /// single keys act
    ModeExploreHint,

    // ── pane titles ──
    /// Prompt
    PromptTitle,
    /// Tokens ({})
    TokensTitle,
    /// Next token
    NextTokenTitle,
    /// Next token after {}
    NextTokenAfter,
    /// Look-back: before token {} {}
    LookBackTitle,
    /// Sampling
    SamplingTitle,
    /// Generation
    GenerationTitle,
    /// Keys
    HelpTitle,

    // ── prompt pane ──
    /// Type a prompt…
    PromptPlaceholder,
    /// (chat template on)
    ChatOnNote,

    // ── tokens pane ──
    /// model rank:
    GltrLabel,
    /// rank: (the short form of "model rank:")
    GltrLabelShort,
    /// 1st
    GltrTop1,
    /// ≤10
    GltrTop10,
    /// ≤100
    GltrTop100,
    /// >100
    GltrBeyond,
    /// special
    SpecialLegend,
    /// computing…
    Computing,
    /// No tokens yet.
    NoTokens,

    // ── next-token pane ──
    /// #
    ColRank,
    /// token
    ColToken,
    /// model
    ColModel,
    /// sampled
    ColSampled,
    /// logit
    ColLogit,
    /// model = softmax of the logits · sampled = after temperature, top-k, top-p, min-p
    ProbLegend,
    /// █ sampled ░ model
    BarLegend,
    /// cut: {}
    CutLine,
    /// greedy (T = 0)
    StageGreedy,
    /// top-k {}
    StageTopK,
    /// top-p {}
    StageTopP,
    /// min-p {}
    StageMinP,
    /// rest of vocabulary ({} tokens)
    RestOfVocab,
    /// other {} tokens
    RestOfVocabShort,
    /// entropy
    Entropy,
    /// effective choices
    EffectiveChoices,
    /// nats
    Nats,
    /// kept {} of {} tokens
    KeptOf,
    /// ● actual
    ActualMarker,
    /// Type a prompt to see what the model expects next.
    EmptyPromptHint,
    /// Loading the model… ({})
    LoadingModel,
    /// Waiting for the model…
    WaitingForModel,
    /// Nothing predicts the first token: move the cursor right.
    FirstTokenHint,

    // ── sampling pane ──
    /// temperature
    Temperature,
    /// seed
    Seed,
    /// greedy
    Greedy,
    /// random draw
    RandomDraw,
    /// off
    Off,
    /// last roll
    LastRoll,
    /// this token's roll
    RollHere,
    /// cumulative {}–{}
    CumulativeRange,
    /// picked by you: #{} {}
    PickedByYou,
    /// greedy: always #1 {}
    GreedyChoice,
    /// no roll yet: {} rolls the dice
    NoRollYet,

    // ── generation pane ──
    /// branch {}/{}
    BranchOf,
    /// undo
    UndoLabel,
    /// redo
    RedoLabel,
    /// {} generated
    GeneratedCount,
    /// log p(model) {} · perplexity {}
    SequenceStats,
    /// underlined = picked by you
    PickedLegend,
    /// Nothing generated yet. {} rolls the dice; {} picks a candidate.
    NothingGenerated,
    /// autoplay ▶ every {} ms
    AutoplayOn,
    /// stopped: end of text
    StoppedEos,
    /// stopped: limit of {} tokens
    StoppedLimit,

    // ── status line ──
    /// {} tokens
    TokenCount,
    /// {} ms
    Millis,
    /// loading
    Loading,
    /// chat
    ChatLabel,
    /// raw text
    RawTextLabel,
    /// error: {}
    ErrorPrefix,
    /// model not loaded
    NoModel,
    /// cached {}
    CachedCount,

    // ── notices ──
    /// That is a prompt token: edit the prompt to change it.
    NoticePromptToken,
    /// Still computing, try again in a moment.
    NoticeBusy,
    /// Nothing to undo.
    NoticeNothingToUndo,
    /// Nothing to redo.
    NoticeNothingToRedo,
    /// No other branch here.
    NoticeNoBranch,
    /// Seed {}.
    NoticeSeed,
    /// Language: English.
    NoticeLanguage,
    /// No candidate there.
    NoticeNoCandidate,
    /// The model is still loading.
    NoticeNotReady,
    /// The model worker stopped.
    NoticeEngineGone,

    // ── help overlay ──
    /// Edit mode: typing goes into the prompt; Ctrl/Alt/F-keys act. Explore mode: single keys act.
    HelpIntro,
    /// ↓ more
    HelpMore,
    /// Everywhere
    SectionGlobal,
    /// Editing the prompt
    SectionEditor,
    /// Generation
    SectionGeneration,
    /// Look back and branches
    SectionLookBack,
    /// Sampling
    SectionSampling,
    /// View
    SectionView,
    /// In this window
    SectionHelp,
    /// any character
    KeyAnyChar,

    // ── key descriptions ──
    /// type into the prompt
    KeyInsert,
    /// new line
    KeyNewline,
    /// delete character before / under the cursor
    KeyDelete,
    /// delete the word before the cursor
    KeyDeleteWord,
    /// delete to start / end of line
    KeyKill,
    /// move the text cursor
    KeyCaret,
    /// move by word
    KeyCaretWord,
    /// start / end of line
    KeyCaretLine,
    /// explore: single keys act
    KeyExplore,
    /// edit the prompt
    KeyEdit,
    /// switch between edit and explore
    KeyToggleMode,
    /// help (this window)
    KeyHelp,
    /// scroll this window
    KeyScrollHelp,
    /// close this window
    KeyCloseHelp,
    /// roll the dice: sample the next token
    KeyStep,
    /// pick candidate 1–9 by hand
    KeyPickRank,
    /// select a candidate
    KeySelect,
    /// pick the selected candidate
    KeyPickSelected,
    /// undo the last token
    KeyUndo,
    /// redo
    KeyRedo,
    /// autoplay on / off
    KeyAutoplay,
    /// autoplay faster / slower
    KeySpeed,
    /// clear the generation
    KeyReset,
    /// look back one token / forward
    KeyLook,
    /// look at the first token
    KeyLookFirst,
    /// back to the live end
    KeyLookLive,
    /// previous / next branch
    KeyBranch,
    /// temperature down / up
    KeyTemperature,
    /// top-k down / up
    KeyTopK,
    /// top-p down / up
    KeyTopP,
    /// min-p down / up
    KeyMinP,
    /// greedy ↔ random draw
    KeyGreedy,
    /// next / previous seed
    KeySeed,
    /// chat template on / off
    KeyChat,
    /// show token ids
    KeyIds,
    /// português / English
    KeyLanguage,
    /// quit
    KeyQuit,

    /// {}, then {} (a key that leads to a mode, then the keys that act there)
    ThenKeys,

    // ── footer hints (short) ──
    /// Space
    KeySpace,
    /// edit
    HintEdit,
    /// explore
    HintExplore,
    /// help
    HintHelp,
    /// quit
    HintQuit,
    /// close
    HintClose,
    /// scroll
    HintScroll,
    /// step
    HintStep,
    /// pick
    HintPick,
    /// choose
    HintChoose,
    /// undo/redo
    HintUndoRedo,
    /// look back
    HintLook,
    /// branch
    HintBranch,
    /// temperature
    HintTemperature,
    /// top-k
    HintTopK,
    /// top-p
    HintTopP,
    /// min-p
    HintMinP,
    /// greedy
    HintGreedy,
    /// auto
    HintAuto,
    /// language
    HintLanguage,

    // ── layout ──
    /// Terminal too small: {}×{} (need at least {}×{}).
    TooSmall,
    /// cannot read the GGUF file {}: {}
    ErrGgufIo,
    /// not a GGUF file (it does not start with the magic bytes "GGUF")
    ErrGgufNotGguf,
    /// unsupported GGUF version {} (this reader supports versions 2 and 3)
    ErrGgufVersion,
    /// the GGUF file is truncated or corrupt: {}: needs {} bytes, but only {} remain
    ErrGgufTruncated,
    /// invalid GGUF file: {}
    ErrGgufInvalid,
    /// tensor {} has type {}, which tokenscope does not support
    ErrGgufUnsupportedType,
    /// the GGUF metadata key {} is missing or has the wrong type
    ErrGgufMissingKey,
    /// the GGUF file has no tensor named {}
    ErrGgufMissingTensor,
    /// the model file has no tokenizer (missing `{}`)
    ErrTokenizerMissing,
    /// unsupported tokenizer `{}` (pre-tokenizer `{}`): tokenscope reads byte-level BPE (gpt2, smollm, llama-bpe, qwen2…) and SentencePiece (llama) tokenizers from GGUF; for other models point --model at an HF folder with tokenizer.json
    ErrTokenizerUnsupported,
    /// tokenizer error: {}
    ErrTokenizerLibrary,
    /// this model has no chat template: turn the chat template off (run without --chat)
    ErrChatNoTemplate,
    /// the model's chat template failed to render: {}
    ErrChatRender,
    /// cannot read {}: {}
    ErrReadFile,
    /// unknown architecture `{}`: tokenscope runs {}
    ErrUnknownArchitecture,
    /// the model file lacks the metadata key `{}`
    ErrMissingKey,
    /// the model file lacks the tensor `{}`
    ErrMissingTensor,
    /// the tensor `{}` has the shape {}, but {}
    ErrBadShape,
    /// {} is not a valid model configuration: {}
    ErrConfig,
    /// the folder {} has no *.safetensors files
    ErrNoWeights,
    /// token id {} is outside the vocabulary ({} tokens)
    ErrOutsideVocabulary,
    /// the sequence needs {} tokens but the model's context window holds {}: shorten the prompt or undo some generated tokens
    ErrContextFull,
    /// libtorch: {}
    ErrTorch,
    /// error: {}
    ErrorLine,
    /// note: {}
    NoteLine,
    /// the playground needs an interactive terminal; for scripts use `tokenscope tokenize`, `next` or `generate` (see --help)
    ErrNoTerminal,
    /// a finite number ≥ 0 (0 = always pick the most likely token)
    RuleTemperature,
    /// greater than 0 and at most 1 (1 = off)
    RuleTopP,
    /// between 0 and 1 (0 = off)
    RuleMinP,
    /// {} must be {}, not {}
    ErrBadFlag,
    /// the model {} does not exist (from --model or TOKENSCOPE_MODEL): --model takes a short name ({}; `tokenscope models` lists them), a GGUF file or an HF folder (config.json + *.safetensors + tokenizer.json) that you already have
    ErrModelNotFound,
    /// the folder {} is not a model folder: it has no {}. --model takes a GGUF file or a folder with config.json, *.safetensors and tokenizer.json
    ErrNotAModelFolder,
    /// the model {} is not installed (expected at {}): install it with `{}`
    ErrNotInstalled,
    /// cannot load {}: {}
    ErrCannotLoad,
    /// cannot read the --file {}: {}
    ErrReadInputFile,
    /// cannot read standard input: {}
    ErrStdin,
    /// the file {}
    TheFile,
    /// standard input
    StandardInput,
    /// {} is not valid UTF-8 text: byte {} (counting from 0) is 0x{}. tokenscope reads UTF-8; convert the text first (e.g. with iconv)
    ErrNotUtf8,
    /// no text given: pass it as an argument, with --file PATH, or `-` to read standard input
    ErrNoText,
    /// the prompt is empty: the model needs at least one token to predict the next one (and this model adds no beginning-of-sequence token). Give some text, or use --chat to wrap it in the chat template
    ErrEmptyPrompt,
    /// the prompt is {} tokens long, but the model's context window holds {} tokens: shorten it by at least {} tokens (`tokenscope tokenize` counts them)
    ErrPromptTooLong,
    /// the prompt is {} tokens long with the chat template, but the model's context window holds {} tokens: shorten it by at least {} tokens (`tokenscope tokenize` counts them)
    ErrPromptTooLongChat,
    /// cannot write to standard output: {}
    ErrStdout,
    /// the playground stopped: {}
    ErrPlayground,
    /// the benchmark text is too short ({} tokens)
    ErrBenchText,
    /// --model takes a short name, a GGUF file (.gguf) or a Hugging Face folder (config.json + *.safetensors + tokenizer.json)
    HintNotGguf,
    /// delete it and run `{}` to install it again
    HintReinstall,
    /// download or copy it again
    HintCopyAgain,
    /// The file ({} bytes) ends before the data its header describes: it was most likely cut short while downloading or copying; {}
    HintTruncated,
    /// tokenscope reads the tensor types {}; use a GGUF file quantized to those (llama.cpp's llama-quantize can convert one)
    HintUnsupportedType,
    /// {} token
    TokenOne,
    /// {} tokens
    TokenMany,
    /// text
    ColText,
    /// {}: {} · entropy {} nats (model) / {} (after settings) · {} kept
    NextSummary,
    /// {} prompt token
    PromptTokenOne,
    /// {} prompt tokens
    PromptTokenMany,
    /// rank
    ColRankWord,
    /// model %
    ColModelPercent,
    /// after settings %
    ColSampledPercent,
    /// kept
    ColKept,
    /// yes
    Yes,
    /// cut (greedy)
    CutGreedy,
    /// cut by top-k
    CutTopK,
    /// cut by top-p
    CutTopP,
    /// cut by min-p
    CutMinP,
    /// cut
    CutPlain,
    /// rest of the vocabulary ({}): {} (model), {} (after settings)
    RestOfVocabLine,
    /// stopped after {} new tokens: the sequence fills the model's context window ({} tokens)
    NoteContextFull,
    /// decoder
    FamilyDecoder,
    /// encoder
    FamilyEncoder,
    /// encoder-decoder
    FamilyEncoderDecoder,
    /// {} MB
    SizeMb,
    /// installed
    Installed,
    /// name
    ColName,
    /// kind
    ColKind,
    /// size
    ColSize,
    /// installed / install with
    ColInstalled,
    /// model
    ColModelTitle,
    /// Models live in {}; --model also takes any GGUF file or HF folder you have.
    ModelsFooter,
    /// Type a prompt first.
    NoticeTypePromptFirst,
    /// reading the file
    StepReading,
    /// tokenizer
    StepTokenizer,
    /// embeddings
    StepEmbeddings,
    /// layers
    StepLayers,
    /// output layer
    StepOutput,
    /// exact f32
    PrecisionExact,
    /// fast int4
    PrecisionFast,
    /// cpu
    DeviceCpu,
    /// no such file or folder
    IoNotFound,
    /// permission denied
    IoPermissionDenied,
    /// it is a folder, not a file
    IoIsADirectory,
    /// a part of the path is not a folder
    IoNotADirectory,
    /// the file ends too early
    IoUnexpectedEof,
    /// the output was closed
    IoBrokenPipe,
    /// out of memory
    IoOutOfMemory,
    /// the disk is full
    IoStorageFull,
    /// the sampler spec is empty: write settings like t=0.7,k=40,p=0.9,m=0.05,order=hf or a preset name (raw, greedy, balanced, creative, top10, order-hf, order-llama)
    SpecEmpty,
    /// in the sampler spec, “{}” has no value: write key=value (keys: t, k, p, m, order)
    SpecMissingValue,
    /// the sampler spec has an unknown key “{}”: the keys are t (temperature), k (top-k), p (top-p), m (min-p) and order (hf or llama)
    SpecUnknownKey,
    /// the sampler spec gives “{}” twice
    SpecDuplicate,
    /// in the sampler spec, {} must be {}, not “{}”
    SpecBadValue,
    /// a number from 0 to 100 (0 = greedy)
    SpecRuleT,
    /// a whole number ≥ 0 (0 = off)
    SpecRuleK,
    /// greater than 0 and at most 1 (1 = off)
    SpecRuleP,
    /// from 0 to 1 (0 = off)
    SpecRuleM,
    /// hf (temperature first, as HF transformers) or llama (temperature last, as llama.cpp)
    SpecRuleOrder,
    /// at most {} samplers, not {}
    SpecTooMany,
    /// no adjustment
    PresetRaw,
    /// greedy
    PresetGreedy,
    /// balanced
    PresetBalanced,
    /// creative
    PresetCreative,
    /// top 10
    PresetTopTen,
    /// order: HF
    PresetOrderHf,
    /// order: llama.cpp
    PresetOrderLlama,
    /// prompt B (--versus / --versus-file) is empty: give the text to compare with
    ErrEmptyVersus,
    /// --n must be a whole number from 1 to {}, not {}
    ErrBadRollCount,
    /// prompt B: {} · entropy {} nats (model)
    VersusSummary,
    /// KL(A‖B) = {} nats · top-1 A {} · top-1 B {}
    VersusLine,
    /// moved most: {}
    VersusMoved,
    /// {} draws, {} different tokens (seed {}) · count · observed · expected · token
    SampleSummary,
    /// Column {}
    NoticeColumn,
    /// At most {} sampler columns.
    NoticeMaxColumns,
    /// The last column stays (the model's column is always there).
    NoticeLastColumn,
    /// Preset: {}
    NoticePreset,
    /// order HF: temperature first
    OrderHf,
    /// order llama.cpp: temperature last
    OrderLlama,
    /// add a sampler column (up to 4)
    KeyAddSampler,
    /// remove the selected column
    KeyRemoveSampler,
    /// select the previous / next column (the sampling keys edit it)
    KeySelectSampler,
    /// next preset for the selected column (greedy, balanced, creative, both orders…)
    KeyPreset,
    /// stage order: HF (temperature first) or llama.cpp (temperature last)
    KeyOrder,
    /// roll the dice many times: counts beside the probabilities
    KeyRolls,
    /// how many rolls: 100, 1 000, 10 000
    KeyRollCount,
    /// columns
    HintColumns,
    /// roll many
    HintRolls,
    /// {} sampler columns
    LabColumns,
    /// column {} keeps {} tokens (cut below the list)
    LabCutBelow,
    /// each column: probability after its settings · ✂ first token cut · header: kept·effective choices
    LabLegend,
    /// {} rolls from column {} · seed {} · {} different tokens
    RollsSummary,
    /// █ seen · ▒ expected · expected % · count · seen %
    RollsLegend,
    /// column {}/{}
    SamplingColumn,
    /// {} generated
    GeneratedOne,
    /// Glossary
    GlossaryTitle,
    /// Entropy — how unsure the model is about the next token, in bits: 0 means it is certain, higher means the probability is spread over many tokens.
    GlossEntropy,
    /// Effective choices — 2 to the power of the entropy: the number of equally likely tokens that would be just as uncertain.
    GlossEffective,
    /// Perplexity — how surprised the model was by the text on average; 1 means every token was expected, higher means more surprise.
    GlossPerplexity,
    /// Rank colours — each token is coloured by where the model ranked it: green in the top 10, yellow in the top 100, red in the top 1 000, purple below.
    GlossRanks,
    /// Dice strip — the kept tokens laid end to end, each as wide as its probability; a random number u between 0 and 1 falls on one of them, and that token is chosen.
    GlossDice,
    /// Logit — the raw score the model gives every token of its vocabulary before they are turned into probabilities; only the differences between scores matter.
    GlossLogit,
    /// Softmax — turns the logits into probabilities that add up to 1: the higher the score, the larger its share.
    GlossSoftmax,
    /// Temperature — divides the logits before the softmax: below 1 the favourite gets even more likely, above 1 the choices even out; 0 always takes the top token.
    GlossTemperature,
    /// Top-k — keeps only the k most likely tokens and shares their probability out again.
    GlossTopK,
    /// Top-p — keeps the most likely tokens until their probabilities add up to p (for example 0.80), and drops the rest.
    GlossTopP,
    /// Min-p — drops every token whose probability is below this fraction of the top token's probability.
    GlossMinP,
    /// projector layout on / off (large bars, fewer panes)
    KeyProjector,
    /// projector
    HintProjector,
    /// Quit?
    ConfirmQuitTitle,
    /// The generated text ({}) will be lost. Quit anyway?
    ConfirmQuitBody,
    /// yes, quit
    KeyConfirmYes,
    /// no, stay
    KeyConfirmNo,
    /// Quit?
    SectionConfirm,
    /// ▸
    EchoMarker,
    /// Branch tree
    SectionBranches,
    /// branch tree: every continuation side by side
    KeyBranches,
    /// close the branch tree
    KeyBranchesClose,
    /// choose a branch
    KeyBranchesMove,
    /// switch to the chosen branch
    KeyBranchesChoose,
    /// tree
    HintBranches,
    /// switch
    HintSwitchBranch,
    /// Branches · total log-probability
    BranchesTitle,
    /// Nothing generated yet: every continuation you try shows up here as its own line.
    BranchesEmpty,
    /// current
    BranchesCurrent,
    /// QUIT?
    ModeConfirm,
    /// BRANCHES
    ModeBranches,
    /// Projector layout: only the prompt and the next-token pane. {} goes back.
    NoticeProjectorOn,
    /// Standard layout.
    NoticeProjectorOff,
    /// not computed yet
    LogProbUnknown,
    /// prompt A/B: show or hide a second prompt B to compare
    KeyVersus,
    /// A/B: type into the other prompt
    KeySwitchSide,
    /// Prompt B · typing goes into {}
    VersusTitle,
    /// KL(A‖B) {} nats · top-1 A {} {} · top-1 B {} {}
    VersusKl,
    /// moved most:
    VersusMovedShort,
    /// computing B…
    VersusWaiting,
    /// Type prompt B (Ctrl-B switches between A and B; F4 closes).
    VersusEmpty,
    /// a SentencePiece vocabulary without a score per token: {tokens} tokens, {scores} scores
    ErrTokenizerNoScores,
    /// cut after {} tokens ({})
    CutAfter,
    /// Header of the running sum of the distribution top-p reads.
    ColCumulative,
    /// The strip lays the kept tokens' probabilities end to end; u falls in one of them.
    DiceStripExplained,
    /// {}: the file ends inside {} (needs {} bytes, {} left)
    ErrMarianTruncated,
    /// {} is not a Marian binary model or shortlist of a version tokenscope reads (found {})
    ErrMarianVersion,
    /// {}: the name of item {} is not NUL-terminated UTF-8
    ErrMarianName,
    /// {}: the tensor `{}` has Marian type {}, which tokenscope does not read (it reads float32, int8 and intgemm8)
    ErrMarianType,
    /// {}: the tensor `{}` has {} bytes of data, but its shape needs {}
    ErrMarianSize,
    /// {} holds tensors this Marian model does not use (a different architecture?): {}
    ErrMarianUnknownTensors,
    /// {} lacks the tensor `{}`
    ErrMarianMissingTensor,
    /// {}: the tensor `{}` has the shape {}, but the model expects {}
    ErrMarianShape,
    /// `--source` is for encoder-decoder (translation) models, and {} is a decoder-only model: give the text as the prompt instead, without `--source`
    ErrSourceForDecoder,
    /// {} is an encoder-decoder (translation) model: give the text to translate with `--source TEXT`; the optional argument is the start of the translation
    ErrNoSource,
    /// the source has {} tokens, but this model reads at most {}: shorten it
    ErrSourceTooLong,
    /// the source text is empty: give something to translate with `--source TEXT`
    ErrEmptySource,
    /// the encoder-decoder folder's `model_type` is `{}`: tokenscope runs {}
    ErrUnknownSeq2Seq,
    /// there is no token yet to predict the next one from
    ErrEmptySequence,
    /// the word view needs a decoder-only model …
    ErrWordsNeedDecoder,
    ErrInsideNeedsDecoder,
    ErrModelCrashed,
    ColLayer,
    AttentionTitle,
    AttentionMean,
    AttentionHead,
    ErrHead,
    LensTitle,
    LensFirstLeads,
    ErrIndex,
    EmbedTokenPick,
    EmbedTokenNorm,
    EmbedTokenTied,
    EmbedTokenUntied,
    EmbedTokenNeighbours,
    ColCosine,
    /// Notice: a word could not be completed: {}
    NoticeWordFailed,
    /// Help: the word view.
    KeyWords,
    /// Footer hint for the word view.
    HintWords,
    /// Column header: the joint probability of the whole word.
    ColWord,
    /// Title suffix in the word view: how the word column is computed.
    WordViewTitle,
    /// Notice: word view on (the key to switch it off).
    NoticeWordsOn,
    /// Notice: word view off.
    NoticeWordsOff,
    /// Shown in the word column while a word is being computed.
    WordPending,
    /// + {} more kept tokens not listed ({} draws)
    RollsNotListed,
    /// it is not an HF folder with a config.json (a GGUF decoder?)
    EncNoModelType,
    /// its config.json says `model_type` {}
    EncModelType,
    /// {} is not a BERT-family encoder ({}): `fill` and `embed` read text with an encoder (BERT, RoBERTa, DistilBERT), such as all-minilm-l6-v2 or bert-tiny; a decoder writes text one token at a time: give it to `next` or `generate`
    ErrNotAnEncoder,
    /// the encoder's tokenizer: {}
    ErrEncoderTokenizer,
    /// the text has no mask: add {} where the model should guess, e.g. \"the capital of france is [MASK].\"
    ErrNoMask,
    /// {} has no masked-LM head (it is a sentence-embedding model): use `embed` with it, or `fill` with a fill-mask model such as bert-tiny
    ErrNoMlmHead,
    /// the text has {} tokens (special tokens included), but this encoder reads at most {}: shorten it
    ErrEncoderTooLong,
    /// no sentences: give one or more as arguments, or `-` to read one per line from standard input
    ErrNoSentences,
    /// {}: mask {} of {} at position {}; the encoder read {} on its left and {} on its right; entropy {} nats
    FillHeader,
    /// note: bert-tiny is a retrieval fine-tune, so its guesses are weak: it shows the mechanism, not good answers
    FillWeak,
    /// {}: {} → vectors of {} numbers ({})
    EmbedHeader,
    /// {} sentence
    SentenceOne,
    /// {} sentences
    SentenceMany,
    /// mean of the token vectors
    PoolMean,
    /// the first token's vector
    PoolCls,
    /// maximum over the token vectors
    PoolMax,
    /// {}, normalised to length 1
    PoolNormalized,
    /// {}: no 1_Pooling/config.json, so the usual recipe
    PoolDefault,
    /// sentence
    ColSentence,
    /// vector (first {})
    ColVectorStart,
    /// cosine similarity (1 = same direction)
    CosineTitle,
    /// most similar: {} and {} (cosine {})
    EmbedMost,
    /// least similar: {} and {} (cosine {})
    EmbedLeast,
    /// rest of the vocabulary ({}): {}
    FillRest,
    /// It is an encoder (BERT-style), which reads a whole text instead of writing one token at a time: use `tokenscope fill` for fill-mask or `tokenscope embed` for sentence embeddings (the playground shows them too: `tokenscope --model bert-tiny`)
    HintEncoder,
    /// Models
    SectionModels,
    /// models: list them and switch without restarting (F3)
    KeyPicker,
    /// close the model list
    KeyPickerClose,
    /// choose a model
    KeyPickerMove,
    /// load it in place of the current model (which answers until it is ready)
    KeyPickerChoose,
    /// open it as model B, beside A (model A/B)
    KeyPickerAsB,
    /// close model B
    KeyPickerCloseB,
    /// models
    HintModels,
    /// Footer hint: the next mask (fill-mask encoders only).
    HintNextMask,
    /// load
    HintLoad,
    /// open as B
    HintAsB,
    /// close B
    HintCloseB,
    /// MODELS
    ModeModels,
    /// Models
    PickerTitle,
    /// Installed
    PickerInstalled,
    /// Not installed (install from the shell, then reopen tokenscope)
    PickerNotInstalledHeader,
    /// loaded (A)
    PickerNowA,
    /// loaded (B)
    PickerNowB,
    /// loading {}%
    PickerLoadingRow,
    /// not installed
    PickerNotInstalled,
    /// encoder (BERT-style): not switchable to yet, it has no next token
    PickerEncoder,
    /// encoder-decoder (translation): not switchable to yet, it needs a source text
    PickerSeq2seq,
    /// Now loaded: {}
    PickerCurrentPath,
    /// Now on {}: the generation was reset (the prompt is kept).
    NoticeSwitched,
    /// {} is already the loaded model.
    NoticeAlreadyLoaded,
    /// Not installed: run {}
    NoticeNotInstalled,
    /// Only decoder models can be switched to for now.
    NoticeNotDecoder,
    /// Loading {}: the current model keeps answering until it is ready.
    NoticeLoadingModel,
    /// loading {}
    StatusIncoming,
    /// model B: {}
    StatusModelB,
    /// Model A/B · the same prompt
    AbTitle,
    /// the same text: {} in A, {} in B
    AbCompare,
    /// loading model B… {}%
    AbLoading,
    /// computing…
    AbWaiting,
    /// Type a prompt: both models read it.
    AbEmpty,
    /// next token:
    AbNext,
    /// Prompt A/B is open (F4): close it to see model A/B here.
    AbVersusFirst,
    /// translation: type into the source (encoder) or the target (decoder)
    KeySwitchSource,
    /// Source · encoder
    SourceTitle,
    /// Target · decoder
    TargetTitle,
    /// Type the text to translate…
    SourcePlaceholder,
    /// translation start (optional)
    TargetPlaceholder,
    /// {}: source/target
    SourceSwitchHint,
    /// encoder ran once: {} tokens, {}
    SourceStats,
    /// decoder: step {}, one per token
    DecoderStep,
    /// encoder ×1, {}
    SourceStatsShort,
    /// decoder step {}
    DecoderStepShort,
    /// encoding…
    SourceEncoding,
    /// cross-attention of step {} (last layer, mean of heads):
    SourceAttention,
    /// cross-attention, step {}:
    SourceAttentionShort,
    /// fill-mask: show the next [MASK] of the prompt
    KeyNextMask,
    // ── export and sessions (issue 11) ──
    /// export the current view (Markdown, JSON, CSV, text screenshot)
    KeyExport,
    /// save the session (load it again with --session FILE)
    KeySaveSession,
    /// Exported: {}
    NoticeExported,
    /// Export failed: {}
    NoticeExportFailed,
    /// Session saved: {}
    NoticeSessionSaved,
    /// Could not save the session: {}
    NoticeSessionFailed,
    /// Session made with another model ({}): the prompt is tokenized again, the branches keep their ids.
    NoticeSessionOtherModel,
    /// Branches dropped: {}
    NoticeSessionVocab,
    /// {} was made with {}; its token id {} is outside this model's vocabulary of {} tokens
    SessionVocabDetail,
    /// cannot create the export directory {}: {}
    ErrExportDir,
    /// cannot write {}: {}
    ErrExportWrite,
    /// cannot read the session file {}: {}
    ErrSessionRead,
    /// the session file {} is not valid JSON ({}); save a session with Ctrl-S to get one
    ErrSessionNotJson,
    /// the session file {} has format version {}, and this tokenscope reads version {}; save the session again with this version
    ErrSessionVersion,
    /// the session file {} has a bad field “{}”: {}
    ErrSessionField,
    /// tokenscope export
    ExportTitle,
    /// Model
    ExportModel,
    /// Prompt
    ExportPrompt,
    /// Prompt B
    ExportPromptB,
    /// Chat template
    ExportChat,
    /// yes
    ExportYes,
    /// no
    ExportNo,
    /// Prompt tokens
    ExportPromptTokens,
    /// Continuation
    ExportContinuation,
    /// Settings
    ExportSettings,
    /// Column {}
    ExportColumn,
    /// after settings ({})
    ExportColumnSampled,
    /// temperature {} · top-k {} · top-p {} · min-p {} · seed {} · order {}
    ExportSettingsLine,
    /// Kept (of {} tokens): {}.
    ExportKept,
    /// Entropy (nats): model {}, after settings {}.
    ExportEntropy,
    /// Words
    ExportPartial,
    ExportKeptShown,
    ExportWords,
    ExportCosine,
    ExportLayer,
    ExportPosition,
    ExportWeight,
    /// Branches
    ExportBranches,
    /// ln p (nats)
    ExportLogProb,
    /// count
    ExportCount,
    /// seen
    ExportSeen,
    /// An encoder fills masks: it writes no next token.
    NoticeEncoderFills,
    /// An embedding model writes no token: it turns lines into vectors.
    NoticeEncoderEmbeds,
    /// F6 moves between masks with a fill-mask encoder (e.g. --model bert-tiny).
    NoticeMasksNeedFill,
    /// No mask to fill: type [MASK] in the prompt first.
    NoticeFillNoMask,
    /// The mask now reads “{}”.
    NoticeFilledMask,
    /// Click a mask chip to see its distribution.
    NoticeClickMask,
    /// ◀ before the mask
    FillLeft,
    /// after it ▶
    FillRight,
    /// underlined: most attention
    FillStrong,
    /// At {} {} of {} (token {})
    FillTitle,
    /// Fill the mask
    FillTitleEmpty,
    /// Type {} where the model should guess: it reads the words on both sides.
    FillTypeMask,
    /// Encoder · reads both sides
    FillPaneTitle,
    /// mask {} of {} · read {} tokens before, {} after
    FillSides,
    /// {}: next mask
    FillNextMaskHint,
    /// most attention:
    FillMostAttention,
    /// A word after the mask changes this: a decoder never sees it.
    FillBothSides,
    /// best guess:
    FillBestGuess,
    /// bert-tiny is a retrieval fine-tune: weak guesses.
    FillWeakModel,
    /// Sentence embeddings
    EmbedTitle,
    /// {} dimensions
    EmbedDim,
    /// Type one sentence per line (Enter starts a new one): each becomes one vector.
    EmbedEmpty,
    /// each line → one vector (first {} of {} dimensions):
    EmbedStripHeader,
    /// cosine
    EmbedCosine,
    /// most similar:
    EmbedMostLabel,
    /// least similar:
    EmbedLeastLabel,
    /// {} & {} ({})
    EmbedPair,
    /// Similar meanings score high even with different words.
    EmbedNote,
    /// Model B compares next tokens: model A must be a decoder.
    NoticeEncoderNoB,
    // ── endpoint (issue 9) ──
    /// no model at all
    EndpointServesNothing,
    /// --endpoint {} is not an http:// or https:// URL: give the base of an OpenAI-compatible API, e.g. http://127.0.0.1:8080/v1.
    EndpointBadUrl,
    /// could not connect to {} ({} attempts): is the server running and listening there?
    EndpointUnreachable,
    /// {} did not answer within {} s ({} attempts): the server is slow or stalled; raise --timeout or check the server.
    EndpointTimedOut,
    /// {} answered HTTP {}: {}
    EndpointStatus,
    /// {} wants an API key: set TOKENSCOPE_API_KEY (or OPENAI_API_KEY).
    EndpointKeyMissing,
    /// {} refused the API key: check TOKENSCOPE_API_KEY / OPENAI_API_KEY.
    EndpointKeyRejected,
    /// {} answered, but not as an OpenAI-compatible API ({}).
    EndpointNotOpenAi,
    /// the server does not serve the model {}; it serves: {}. Name one of them with --model.
    EndpointUnknownModel,
    /// name the served model with --model; the server serves: {}.
    EndpointNoModel,
    /// {} sent a reply larger than {} MB: refused.
    EndpointTooLarge,
    /// {} gave no log-probabilities: it does not support `logprobs` on /v1/completions.
    EndpointNoLogprobs,
    /// talking to {} failed: {}
    EndpointTransport,
    /// {} at {}: top {} of an unknown vocabulary · {} · entropy ≥ {} nats (a bound)
    EndpointSummary,
    /// the rest (tokens not shown): at least {} of the mass (1 − Σ shown)
    EndpointRestLine,
    /// sampler columns are over the {} shown tokens only (renormalised among them)
    EndpointSamplerNote,
    /// prompt token colouring: unavailable (the server does not echo the prompt's log-probabilities)
    EndpointPromptUnavailable,
    /// token ids: none (the server has no tokenize route)
    EndpointTokensNone,
    /// stopped: the server's chosen token has no text of its own (an end-of-sequence token, or part of a character)
    EndpointEmptyToken,
    /// {} has no tokenize route: tokenization is unavailable through this endpoint.
    EndpointNoTokenizer,
    /// {} only works with --endpoint URL.
    EndpointFlagsWithout,
    /// {} is not available with --endpoint (the server gives only the top candidates' text and log-probabilities).
    EndpointUnsupported,
    /// prompt, as the server scored it: {}
    EndpointPromptScored,
    /// {} steps through {}: each one asked the server for the top {} and chose among those only
    EndpointStepsNote,
    /// {}; trying again in {} s (attempt {})
    EndpointRetrying,
    /// {} attempt
    EndpointAttemptOne,
    /// {} attempts
    EndpointAttemptMany,
    /// no connection
    EndpointShortUnreachable,
    /// no answer in {} s
    EndpointShortTimedOut,
    /// an HTTP {} reply
    EndpointShortStatus,
    /// models served at {} (name them with --model):
    EndpointServedAt,
    // ── inside the model (issue 11) ──
    ModeInsideWord,
    SectionInside,
    KeyInside,
    KeyInsideLayer,
    KeyInsideHead,
    KeyInsideWord,
    KeyInsideWordType,
    KeyInsideWordDelete,
    KeyInsideWordSubmit,
    KeyInsideWordClose,
    HintInside,
    HintInsideLayer,
    HintInsideHead,
    HintInsideWord,
    HintInsideWordSubmit,
    NoticeInsideOff,
    NoticeInsideEmbedding,
    NoticeInsideLens,
    NoticeInsideAttention,
    NoticeInsideFailed,
    InsideTitleEmbedding,
    InsideTitleLens,
    InsideTitleAttention,
    InsideComputing,
    InsideUnavailable,
    InsideNothing,
    InsideFailed,
    InsideAt,
    InsideEmbToken,
    InsideEmbNorm,
    InsideEmbTied,
    InsideEmbUntied,
    InsideEmbScaled,
    InsideEmbStrip,
    InsideEmbNeighbours,
    InsideEmbWord,
    InsideEmbWordOne,
    InsideWordPrompt,
    InsideWordHelp,
    InsideWordHint,
    InsideLensHead,
    InsideLensLast,
    InsideLensFirst,
    InsideLensHidden,
    InsideAttnMean,
    InsideAttnHead,
    InsideAttnLegend,
    InsideAttnTop,
    /// the word view is not available with --endpoint (it would cost one request per greedy step of every candidate)
    ServedNoWords,
    /// the model picker and model B are not available with --endpoint (the server serves its own model)
    ServedNoPicker,
    /// prompt B is not available with --endpoint (comparing needs whole distributions, the server shows only its top candidates)
    ServedNoVersus,
    /// top {} of an unknown vocabulary
    ServedTopOf,
    /// top {} of ?
    ServedTopOfShort,
    /// rest: {} more of the top {}, and all not shown
    ServedRest,
    /// rest · top {} of ?
    ServedRestShort,
    /// sampled: over the {} shown only
    ServedSampledNote,
    /// ≥{}
    ServedAtLeast,
    /// asking the server… {} s
    ServedInFlight,
    /// server: {}; retry {}/{} in {} s
    ServedRetrying,
    /// asking again in {} s
    ServedAgainIn,
    /// outside the top {}
    ServedOutsideTop,
    /// the server gave no distribution here: only after the whole prompt and after each chosen token
    ServedNoDistribution,
    /// prompt: not scored by the server
    ServedPromptUnscored,
    /// prompt: probabilities from the server, ranks not given
    ServedPromptScored,
    /// rank among the top {}:
    ServedRankLegend,
    /// over the {} shown only
    ServedDiceNote,
    /// endpoint
    ServedDevice,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_from_flag_and_env() {
        assert_eq!(Lang::from_env(Some("pt"), &[]), Lang::PtBr);
        assert_eq!(
            Lang::from_env(Some("pt-BR"), &[Some("en_US.UTF-8")]),
            Lang::PtBr
        );
        assert_eq!(Lang::from_env(Some("en"), &[Some("pt_BR.UTF-8")]), Lang::En);
        assert_eq!(
            Lang::from_env(None, &[None, Some("pt_BR.UTF-8")]),
            Lang::PtBr
        );
        assert_eq!(
            Lang::from_env(Some("auto"), &[Some(""), Some("pt_PT")]),
            Lang::PtBr
        );
        assert_eq!(
            Lang::from_env(None, &[Some("C.UTF-8"), Some("pt_BR")]),
            Lang::En
        );
        assert_eq!(Lang::from_env(None, &[]), Lang::En);
    }

    #[test]
    fn numbers_are_local() {
        assert_eq!(Lang::En.num(0.4123, 2), "0.41");
        assert_eq!(Lang::PtBr.num(0.4123, 2), "0,41");
        assert_eq!(Lang::En.int(49142), "49\u{202f}142");
        assert_eq!(Lang::En.int(7), "7");
        assert_eq!(Lang::PtBr.num(38581.0, 1), "38\u{202f}581,0");
        assert_eq!(
            Lang::PtBr.count(1, Text::GeneratedOne, Text::GeneratedCount),
            "1 gerado"
        );
        assert_eq!(
            Lang::PtBr.count(2, Text::GeneratedOne, Text::GeneratedCount),
            "2 gerados"
        );
        assert_eq!(Lang::En.percent(0.41234), "41.23%");
        assert_eq!(Lang::PtBr.percent(0.41234), "41,23%");
        assert_eq!(Lang::En.percent(1e-7), "<0.01%");
        assert_eq!(Lang::En.percent(0.0), "0%");
        assert_eq!(Lang::En.percent(1.0), "100.00%");
    }

    #[test]
    fn templates_fill_in_order() {
        assert_eq!(fill("{} of {}", &[&1, &"two"]), "1 of two");
        assert_eq!(
            Lang::PtBr.f(Text::RestOfVocab, &[&Lang::PtBr.int(49142)]),
            "resto do vocabulário (49\u{202f}142 tokens)"
        );
    }
}
