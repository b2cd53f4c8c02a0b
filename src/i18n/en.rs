//! English texts.

use super::Text;

/// The English text of `t`.
pub fn text(t: Text) -> &'static str {
    match t {
        Text::LanguageName => "English",
        Text::ModeEdit => "EDIT",
        Text::ModeExplore => "EXPLORE",
        Text::ModeHelp => "HELP",
        Text::ModeEditHint => "typing goes into the prompt",
        Text::ModeExploreHint => "single keys act",
        Text::PromptTitle => "Prompt",
        Text::TokensTitle => "Tokens ({})",
        Text::NextTokenTitle => "Next token",
        Text::NextTokenAfter => "Next token after “{}”",
        Text::LookBackTitle => "Look-back: before token {} “{}”",
        Text::SamplingTitle => "Sampling",
        Text::GenerationTitle => "Generation",
        Text::HelpTitle => "Keys",
        Text::PromptPlaceholder => "Type a prompt…",
        Text::ChatOnNote => "(chat template on)",
        Text::GltrLabel => "model rank:",
        Text::GltrLabelShort => "rank:",
        Text::GltrTop1 => "1st",
        Text::GltrTop10 => "≤10",
        Text::GltrTop100 => "≤100",
        Text::GltrBeyond => ">100",
        Text::SpecialLegend => "special",
        Text::Computing => "computing…",
        Text::NoTokens => "No tokens yet.",
        Text::ColRank => "#",
        Text::ColToken => "token",
        Text::ColModel => "model",
        Text::ColSampled => "after settings",
        Text::ColLogit => "logit",
        Text::ProbLegend => {
            "model = softmax of the logits · sampled = after temperature, top-k, top-p, min-p"
        }
        Text::BarLegend => "▒ model  █ after settings",
        Text::CutLine => "cut: {}",
        Text::StageGreedy => "greedy (T = 0)",
        Text::StageTopK => "top-k {}",
        Text::StageTopP => "top-p {}",
        Text::StageMinP => "min-p {}",
        Text::RestOfVocab => "rest of vocabulary ({} tokens)",
        Text::RestOfVocabShort => "other {} tokens",
        Text::Entropy => "entropy",
        Text::EffectiveChoices => "effective choices",
        Text::Nats => "nats",
        Text::KeptOf => "kept {} of {} tokens",
        Text::ActualMarker => "● actual",
        Text::EmptyPromptHint => "Type a prompt to see what the model expects next.",
        Text::LoadingModel => "Loading the model… ({})",
        Text::WaitingForModel => "Waiting for the model…",
        Text::FirstTokenHint => "Nothing predicts the first token: move the cursor right.",
        Text::Temperature => "temperature",
        Text::Seed => "seed",
        Text::Greedy => "greedy",
        Text::RandomDraw => "random draw",
        Text::Off => "off",
        Text::LastRoll => "last roll",
        Text::RollHere => "this token's roll",
        Text::CumulativeRange => "cumulative {}–{}",
        Text::PickedByYou => "picked by you: #{} “{}”",
        Text::GreedyChoice => "greedy: always #1 {}",
        Text::NoRollYet => "no roll yet: {} rolls the dice",
        Text::BranchOf => "branch {}/{}",
        Text::UndoLabel => "undo",
        Text::RedoLabel => "redo",
        Text::GeneratedCount => "{} generated",
        Text::SequenceStats => "log p(model) {} · perplexity {}",
        Text::PickedLegend => "underlined = picked by you",
        Text::NothingGenerated => "Nothing generated yet. {} rolls the dice; {} picks a candidate.",
        Text::AutoplayOn => "autoplay ▶ every {} ms",
        Text::StoppedEos => "stopped: end of text",
        Text::StoppedLimit => "stopped: limit of {} tokens",
        Text::TokenCount => "{} tokens",
        Text::Millis => "{} ms",
        Text::Loading => "loading",
        Text::ChatLabel => "chat",
        Text::RawTextLabel => "raw text",
        Text::ErrorPrefix => "error: {}",
        Text::NoModel => "model not loaded",
        Text::CachedCount => "cached {}",
        Text::NoticePromptToken => "That is a prompt token: edit the prompt to change it.",
        Text::NoticeBusy => "Still computing, try again in a moment.",
        Text::NoticeNothingToUndo => "Nothing to undo.",
        Text::NoticeNothingToRedo => "Nothing to redo.",
        Text::NoticeNoBranch => "No other branch here.",
        Text::NoticeSeed => "Seed {}.",
        Text::NoticeLanguage => "Language: English.",
        Text::NoticeNoCandidate => "No candidate there.",
        Text::NoticeNotReady => "The model is still loading.",
        Text::NoticeEngineGone => "The model worker stopped.",
        Text::HelpIntro => {
            "Edit mode: typing goes into the prompt; Ctrl/Alt/F-keys act. Explore mode: single keys act."
        }
        Text::HelpMore => "↓ more",
        Text::SectionGlobal => "Everywhere",
        Text::SectionEditor => "Editing the prompt",
        Text::SectionGeneration => "Generation",
        Text::SectionLookBack => "Look back and branches",
        Text::SectionSampling => "Sampling",
        Text::SectionView => "View",
        Text::SectionHelp => "In this window",
        Text::KeyAnyChar => "any character",
        Text::KeyInsert => "type into the prompt",
        Text::KeyNewline => "new line",
        Text::KeyDelete => "delete before / under cursor",
        Text::KeyDeleteWord => "delete word before cursor",
        Text::KeyKill => "delete to line start / end",
        Text::KeyCaret => "move the cursor",
        Text::KeyCaretWord => "move by word",
        Text::KeyCaretLine => "line start / end",
        Text::KeyExplore => "explore: single keys act",
        Text::KeyEdit => "edit the prompt",
        Text::KeyToggleMode => "switch edit ↔ explore",
        Text::KeyHelp => "help (this window)",
        Text::KeyScrollHelp => "scroll this window",
        Text::KeyCloseHelp => "close this window",
        Text::KeyStep => "roll the dice: sample a token",
        Text::KeyPickRank => "pick candidate 1–9 by hand",
        Text::KeySelect => "select a candidate",
        Text::KeyPickSelected => "pick the selected candidate",
        Text::KeyUndo => "undo the last token",
        Text::KeyRedo => "redo",
        Text::KeyAutoplay => "autoplay on / off",
        Text::KeySpeed => "autoplay faster / slower",
        Text::KeyReset => "clear the generation",
        Text::KeyLook => "look back / forward a token",
        Text::KeyLookFirst => "look at the first token",
        Text::KeyLookLive => "back to the live end",
        Text::KeyBranch => "previous / next branch",
        Text::KeyTemperature => "temperature down / up",
        Text::KeyTopK => "top-k down / up",
        Text::KeyTopP => "top-p down / up",
        Text::KeyMinP => "min-p down / up",
        Text::KeyGreedy => "greedy ↔ random draw",
        Text::KeySeed => "next / previous seed",
        Text::KeyChat => "chat template on / off",
        Text::KeyIds => "show token ids",
        Text::KeyLanguage => "English / português",
        Text::KeyQuit => "quit",
        Text::ThenKeys => "{}, then {}",
        Text::KeySpace => "Space",
        Text::HintEdit => "edit",
        Text::HintExplore => "explore",
        Text::HintHelp => "help",
        Text::HintQuit => "quit",
        Text::HintClose => "close",
        Text::HintScroll => "scroll",
        Text::HintStep => "step",
        Text::HintPick => "pick",
        Text::HintChoose => "choose",
        Text::HintUndoRedo => "undo/redo",
        Text::HintLook => "look back",
        Text::HintBranch => "branch",
        Text::HintTemperature => "temperature",
        Text::HintTopK => "top-k",
        Text::HintTopP => "top-p",
        Text::HintMinP => "min-p",
        Text::HintGreedy => "greedy",
        Text::HintAuto => "auto",
        Text::HintLanguage => "language",
        Text::TooSmall => "Terminal too small: {}×{} (need at least {}×{}).",
        Text::ErrGgufIo => "cannot read the GGUF file {}: {}",
        Text::ErrGgufNotGguf => "not a GGUF file (it does not start with the magic bytes \"GGUF\")",
        Text::ErrGgufVersion => {
            "unsupported GGUF version {} (this reader supports versions 2 and 3)"
        }
        Text::ErrGgufTruncated => {
            "the GGUF file is truncated or corrupt: {}: needs {} bytes, but only {} remain"
        }
        Text::ErrGgufInvalid => "invalid GGUF file: {}",
        Text::ErrGgufUnsupportedType => "tensor {} has type {}, which tokenscope does not support",
        Text::ErrGgufMissingKey => "the GGUF metadata key {} is missing or has the wrong type",
        Text::ErrGgufMissingTensor => "the GGUF file has no tensor named {}",
        Text::ErrTokenizerMissing => "the model file has no tokenizer (missing `{}`)",
        Text::ErrTokenizerUnsupported => {
            "unsupported tokenizer `{}` (pre-tokenizer `{}`): tokenscope reads byte-level BPE (gpt2, smollm, llama-bpe, qwen2…) and SentencePiece (llama) tokenizers from GGUF; for other models point --model at an HF folder with tokenizer.json"
        }
        Text::ErrTokenizerLibrary => "tokenizer error: {}",
        Text::ErrChatNoTemplate => {
            "this model has no chat template: turn the chat template off (run without --chat)"
        }
        Text::ErrChatRender => "the model's chat template failed to render: {}",
        Text::ErrReadFile => "cannot read {}: {}",
        Text::ErrUnknownArchitecture => "unknown architecture `{}`: tokenscope runs {}",
        Text::ErrMissingKey => "the model file lacks the metadata key `{}`",
        Text::ErrMissingTensor => "the model file lacks the tensor `{}`",
        Text::ErrBadShape => "the tensor `{}` has the shape {}, but {}",
        Text::ErrConfig => "{} is not a valid model configuration: {}",
        Text::ErrNoWeights => "the folder {} has no *.safetensors files",
        Text::ErrOutsideVocabulary => "token id {} is outside the vocabulary ({} tokens)",
        Text::ErrContextFull => {
            "the sequence needs {} tokens but the model's context window holds {}: shorten the prompt or undo some generated tokens"
        }
        Text::ErrTorch => "libtorch: {}",
        Text::ErrorLine => "error: {}",
        Text::NoteLine => "note: {}",
        Text::ErrNoTerminal => {
            "the playground needs an interactive terminal; for scripts use `tokenscope tokenize`, `next` or `generate` (see --help)"
        }
        Text::RuleTemperature => "a finite number ≥ 0 (0 = always pick the most likely token)",
        Text::RuleTopP => "greater than 0 and at most 1 (1 = off)",
        Text::RuleMinP => "between 0 and 1 (0 = off)",
        Text::ErrBadFlag => "{} must be {}, not {}",
        Text::ErrModelNotFound => {
            "the model {} does not exist (from --model or TOKENSCOPE_MODEL): --model takes a short name ({}; `tokenscope models` lists them), a GGUF file or an HF folder (config.json + *.safetensors + tokenizer.json) that you already have"
        }
        Text::ErrNotAModelFolder => {
            "the folder {} is not a model folder: it has no {}. --model takes a GGUF file or a folder with config.json, *.safetensors and tokenizer.json"
        }
        Text::ErrNotInstalled => {
            "the model {} is not installed (expected at {}): install it with `{}`"
        }
        Text::ErrCannotLoad => "cannot load {}: {}",
        Text::ErrReadInputFile => "cannot read the --file {}: {}",
        Text::ErrStdin => "cannot read standard input: {}",
        Text::TheFile => "the file {}",
        Text::StandardInput => "standard input",
        Text::ErrNotUtf8 => {
            "{} is not valid UTF-8 text: byte {} (counting from 0) is 0x{}. tokenscope reads UTF-8; convert the text first (e.g. with iconv)"
        }
        Text::ErrNoText => {
            "no text given: pass it as an argument, with --file PATH, or `-` to read standard input"
        }
        Text::ErrEmptyPrompt => {
            "the prompt is empty: the model needs at least one token to predict the next one (and this model adds no beginning-of-sequence token). Give some text, or use --chat to wrap it in the chat template"
        }
        Text::ErrPromptTooLong => {
            "the prompt is {} tokens long, but the model's context window holds {} tokens: shorten it by at least {} tokens (`tokenscope tokenize` counts them)"
        }
        Text::ErrPromptTooLongChat => {
            "the prompt is {} tokens long with the chat template, but the model's context window holds {} tokens: shorten it by at least {} tokens (`tokenscope tokenize` counts them)"
        }
        Text::ErrStdout => "cannot write to standard output: {}",
        Text::ErrPlayground => "the playground stopped: {}",
        Text::ErrBenchText => "the benchmark text is too short ({} tokens)",
        Text::HintNotGguf => {
            "--model takes a short name, a GGUF file (.gguf) or a Hugging Face folder (config.json + *.safetensors + tokenizer.json)"
        }
        Text::HintReinstall => "delete it and run `{}` to install it again",
        Text::HintCopyAgain => "download or copy it again",
        Text::HintTruncated => {
            "The file ({} bytes) ends before the data its header describes: it was most likely cut short while downloading or copying; {}"
        }
        Text::HintUnsupportedType => {
            "tokenscope reads the tensor types {}; use a GGUF file quantized to those (llama.cpp's llama-quantize can convert one)"
        }
        Text::TokenOne => "{} token",
        Text::TokenMany => "{} tokens",
        Text::ColText => "text",
        Text::NextSummary => "{}: {} · entropy {} nats (model) / {} (after settings) · {} kept",
        Text::PromptTokenOne => "{} prompt token",
        Text::PromptTokenMany => "{} prompt tokens",
        Text::ColRankWord => "rank",
        Text::ColModelPercent => "model %",
        Text::ColSampledPercent => "after settings %",
        Text::ColKept => "kept",
        Text::Yes => "yes",
        Text::CutGreedy => "cut (greedy)",
        Text::CutTopK => "cut by top-k",
        Text::CutTopP => "cut by top-p",
        Text::CutMinP => "cut by min-p",
        Text::CutPlain => "cut",
        Text::RestOfVocabLine => "rest of the vocabulary ({}): {} (model), {} (after settings)",
        Text::NoteContextFull => {
            "stopped after {} new tokens: the sequence fills the model's context window ({} tokens)"
        }
        Text::FamilyDecoder => "decoder",
        Text::FamilyEncoder => "encoder",
        Text::FamilyEncoderDecoder => "encoder-decoder",
        Text::SizeMb => "{} MB",
        Text::Installed => "installed",
        Text::ColName => "name",
        Text::ColKind => "kind",
        Text::ColSize => "size",
        Text::ColInstalled => "installed / install with",
        Text::ColModelTitle => "model",
        Text::ModelsFooter => {
            "Models live in {}; --model also takes any GGUF file or HF folder you have."
        }
        Text::NoticeTypePromptFirst => "Type a prompt first.",
        Text::StepReading => "reading the file",
        Text::StepTokenizer => "tokenizer",
        Text::StepEmbeddings => "embeddings",
        Text::StepLayers => "layers",
        Text::StepOutput => "output layer",
        Text::PrecisionExact => "exact f32",
        Text::PrecisionFast => "fast int4",
        Text::DeviceCpu => "cpu",
        Text::IoNotFound => "no such file or folder",
        Text::IoPermissionDenied => "permission denied",
        Text::IoIsADirectory => "it is a folder, not a file",
        Text::IoNotADirectory => "a part of the path is not a folder",
        Text::IoUnexpectedEof => "the file ends too early",
        Text::IoBrokenPipe => "the output was closed",
        Text::IoOutOfMemory => "out of memory",
        Text::IoStorageFull => "the disk is full",
        Text::SpecEmpty => {
            "the sampler spec is empty: write settings like t=0.7,k=40,p=0.9,m=0.05,order=hf or a preset name (raw, greedy, balanced, creative, top10, order-hf, order-llama)"
        }
        Text::SpecMissingValue => {
            "in the sampler spec, “{}” has no value: write key=value (keys: t, k, p, m, order)"
        }
        Text::SpecUnknownKey => {
            "the sampler spec has an unknown key “{}”: the keys are t (temperature), k (top-k), p (top-p), m (min-p) and order (hf or llama)"
        }
        Text::SpecDuplicate => "the sampler spec gives “{}” twice",
        Text::SpecBadValue => "in the sampler spec, {} must be {}, not “{}”",
        Text::SpecRuleT => "a number from 0 to 100 (0 = greedy)",
        Text::SpecRuleK => "a whole number ≥ 0 (0 = off)",
        Text::SpecRuleP => "greater than 0 and at most 1 (1 = off)",
        Text::SpecRuleM => "from 0 to 1 (0 = off)",
        Text::SpecRuleOrder => {
            "hf (temperature first, as HF transformers) or llama (temperature last, as llama.cpp)"
        }
        Text::SpecTooMany => "at most {} samplers, not {}",
        Text::PresetRaw => "no adjustment",
        Text::PresetGreedy => "greedy",
        Text::PresetBalanced => "balanced",
        Text::PresetCreative => "creative",
        Text::PresetTopTen => "top 10",
        Text::PresetOrderHf => "order: HF",
        Text::PresetOrderLlama => "order: llama.cpp",
        Text::ErrEmptyVersus => {
            "prompt B (--versus / --versus-file) is empty: give the text to compare with"
        }
        Text::ErrBadRollCount => "--n must be a whole number from 1 to {}, not {}",
        Text::VersusSummary => "prompt B: {} · entropy {} nats (model)",
        Text::VersusLine => "KL(A‖B) = {} nats · top-1 A {} · top-1 B {}",
        Text::VersusMoved => "moved most: {}",
        Text::SampleSummary => {
            "{} draws, {} different tokens (seed {}) · count · observed · expected · token"
        }
        Text::NoticeColumn => "Column {}",
        Text::NoticeMaxColumns => "At most {} sampler columns.",
        Text::NoticeLastColumn => "The last column stays (the model's column is always there).",
        Text::NoticePreset => "Preset: {}",
        Text::OrderHf => "order HF: temperature first",
        Text::OrderLlama => "order llama.cpp: temperature last",
        Text::KeyAddSampler => "add a sampler column (up to 4)",
        Text::KeyRemoveSampler => "remove the selected column",
        Text::KeySelectSampler => "select the previous / next column (the sampling keys edit it)",
        Text::KeyPreset => {
            "next preset for the selected column (greedy, balanced, creative, both orders…)"
        }
        Text::KeyOrder => "stage order: HF (temperature first) or llama.cpp (temperature last)",
        Text::KeyRolls => "roll the dice many times: counts beside the probabilities",
        Text::KeyRollCount => "how many rolls: 100, 1 000, 10 000",
        Text::HintColumns => "columns",
        Text::HintRolls => "roll many",
        Text::LabColumns => "{} sampler columns",
        Text::LabCutBelow => "col. {}: cut after {} tokens",
        Text::LabLegend => {
            "each column: probability after its settings · ✂ first token cut · ✓ kept · ≈ effective choices"
        }
        Text::RollsSummary => "{} rolls · column {} · seed {} · {} distinct",
        Text::RollsLegend => "█ seen · ▒ expected · expected % · count · seen %",
        Text::SamplingColumn => "column {}/{}",
        Text::GeneratedOne => "{} generated",
        Text::GlossaryTitle => "Glossary",
        Text::GlossEntropy => {
            "Entropy — how unsure the model is about the next token (in nats): 0 means it is certain; the higher it is, the more the probability is spread over many tokens."
        }
        Text::GlossEffective => {
            "Effective choices — e to the power of the entropy: how many equally likely tokens would leave the model just as unsure."
        }
        Text::GlossPerplexity => {
            "Perplexity — how surprised the model was by the text on average; 1 means every token was expected, higher means more surprise."
        }
        Text::GlossRanks => {
            "Rank colours — each token is coloured by where the model ranked it before it came: green for its first choice, yellow for ranks 2 to 10, orange for 11 to 100, purple beyond 100. Lots of green means predictable text."
        }
        Text::GlossDice => {
            "Dice strip — the kept tokens laid end to end, each as wide as its probability; a random number u between 0 and 1 falls on one of them, and that token is chosen."
        }
        Text::GlossLogit => {
            "Logit — the raw score the model gives every token of its vocabulary before they are turned into probabilities; only the differences between scores matter."
        }
        Text::GlossSoftmax => {
            "Softmax — turns the logits into probabilities that add up to 1: the higher the score, the larger its share."
        }
        Text::GlossTemperature => {
            "Temperature — divides the logits before the softmax: below 1 the favourite gets even more likely, above 1 the choices even out; 0 always takes the top token."
        }
        Text::GlossTopK => {
            "Top-k — keeps only the k most likely tokens and shares their probability out again."
        }
        Text::GlossTopP => {
            "Top-p — keeps the most likely tokens until their probabilities add up to p (for example 0.80), and drops the rest."
        }
        Text::GlossMinP => {
            "Min-p — drops every token whose probability is below this fraction of the top token's probability."
        }
        Text::KeyProjector => "projector layout on / off (large bars, fewer panes)",
        Text::HintProjector => "projector",
        Text::ConfirmQuitTitle => "Quit?",
        Text::ConfirmQuitBody => "The generated text ({}) will be lost. Quit anyway?",
        Text::KeyConfirmYes => "yes, quit",
        Text::KeyConfirmNo => "no, stay",
        Text::SectionConfirm => "Quit?",
        Text::EchoMarker => "▸",
        Text::SectionBranches => "Branch tree",
        Text::KeyBranches => "branch tree: every continuation side by side",
        Text::KeyBranchesClose => "close the branch tree",
        Text::KeyBranchesMove => "choose a branch",
        Text::KeyBranchesChoose => "switch to the chosen branch",
        Text::HintBranches => "tree",
        Text::HintSwitchBranch => "switch",
        Text::BranchesTitle => "Branches · total log-probability",
        Text::BranchesEmpty => {
            "Nothing generated yet: every continuation you try shows up here as its own line."
        }
        Text::BranchesCurrent => "current",
        Text::ModeConfirm => "QUIT?",
        Text::ModeBranches => "BRANCHES",
        Text::NoticeProjectorOn => {
            "Projector layout: only the prompt and the next-token pane. {} goes back."
        }
        Text::NoticeProjectorOff => "Standard layout.",
        Text::LogProbUnknown => "not computed yet",
        Text::KeyVersus => "prompt A/B: show or hide a second prompt B to compare",
        Text::KeySwitchSide => "A/B: type into the other prompt",
        Text::VersusTitle => "Prompt B · typing goes into {}",
        Text::VersusKl => "KL(A‖B) {} nats · top-1 A {} {} · top-1 B {} {}",
        Text::VersusMovedShort => "moved most:",
        Text::VersusWaiting => "computing B…",
        Text::VersusEmpty => "Type prompt B (Ctrl-B switches between A and B; F4 closes).",
        Text::ErrTokenizerNoScores => {
            "this SentencePiece tokenizer has no score for each token (`tokenizer.ggml.scores`: {} tokens, {} scores), and without scores its merges cannot be replayed; convert the model again with llama.cpp's convert_hf_to_gguf.py"
        }
        Text::CutAfter => "cut after {} tokens ({})",
        Text::ColCumulative => "Σ top-p",
        Text::DiceStripExplained => {
            "The strip lays the kept tokens' probabilities end to end; u falls in one of them."
        }
        Text::ErrMarianTruncated => "{}: the file ends inside {} (needs {} bytes, {} left)",
        Text::ErrMarianVersion => {
            "{} is not a Marian binary model or shortlist of a version tokenscope reads (found {})"
        }
        Text::ErrMarianName => "{}: the name of item {} is not NUL-terminated UTF-8",
        Text::ErrMarianType => {
            "{}: the tensor `{}` has Marian type {}, which tokenscope does not read (it reads float32, int8 and intgemm8)"
        }
        Text::ErrMarianSize => "{}: the tensor `{}` has {} bytes of data, but its shape needs {}",
        Text::ErrMarianUnknownTensors => {
            "{} holds tensors this Marian model does not use (a different architecture?): {}"
        }
        Text::ErrMarianMissingTensor => "{} lacks the tensor `{}`",
        Text::ErrMarianShape => "{}: the tensor `{}` has the shape {}, but the model expects {}",
        Text::ErrSourceForDecoder => {
            "`--source` is for encoder-decoder (translation) models, and {} is a decoder-only model: give the text as the prompt instead, without `--source`"
        }
        Text::ErrNoSource => {
            "{} is an encoder-decoder (translation) model: give the text to translate with `--source TEXT`; the optional argument is the start of the translation"
        }
        Text::ErrSourceTooLong => {
            "the source has {} tokens, but this model reads at most {}: shorten it"
        }
        Text::ErrEmptySource => {
            "the source text is empty: give something to translate with `--source TEXT`"
        }
        Text::ErrUnknownSeq2Seq => {
            "this encoder-decoder folder's config.json says model_type `{}`: tokenscope runs the encoder-decoders {}"
        }
        Text::RollsNotListed => "+ {} more kept tokens not listed ({} draws)",
        Text::ErrEmptySequence => "there is no token yet to predict the next one from",
        Text::ErrIndex => {
            "--index {} is past the last token: the text has {} tokens (--index counts from 0)"
        }
        Text::ColLayer => "layer",
        Text::AttentionTitle => {
            "where token {} («{}») looks, per layer: the {} most attended positions of {} ({}; token number:text and weight; --json has all)"
        }
        Text::AttentionMean => "mean over heads",
        Text::AttentionHead => "head {}",
        Text::ErrHead => {
            "--head {} does not exist: the model has {} heads per layer (counted from 0)"
        }
        Text::LensTitle => {
            "logit lens: the {} most likely next tokens if the model stopped after each layer (final norm + LM head; probabilities over the whole vocabulary)"
        }
        Text::LensFirstLeads => "the final answer is first from layer {} of {} on (◀)",
        Text::ErrInsideNeedsDecoder => {
            "embed-token, lens and attention need a decoder-only model (a GGUF, or an HF Llama / Gemma 3 folder), e.g. --model smollm2-135m or --model gemma-3-270m"
        }
        Text::ErrModelCrashed => {
            "the model's computation failed twice in a row inside libtorch ({}); the prompt and the branches are kept: change the prompt or step again to retry"
        }
        Text::EmbedTokenPick => {
            "the text is {} tokens; showing token {} («{}»); --index N picks another (0-based)"
        }
        Text::EmbedTokenNorm => "vector: {} values, norm {}, from {} to {}",
        Text::EmbedTokenTied => {
            "tied embeddings: the same matrix is the output layer (logit = row · final hidden state)"
        }
        Text::EmbedTokenUntied => "the output layer is a separate matrix (untied embeddings)",
        Text::EmbedTokenNeighbours => "nearest tokens by cosine similarity in the embedding table",
        Text::ColCosine => "cosine",
        Text::ErrWordsNeedDecoder => {
            "the word view needs a decoder-only model (press w to switch it off)"
        }
        Text::NoticeWordFailed => "A word could not be completed (shown as —): {}",
        Text::KeyWords => {
            "word view: each candidate completed to its word, with the joint probability"
        }
        Text::HintWords => "words",
        Text::ColWord => "word",
        Text::WordViewTitle => "words: greedy, the model's p multiplied",
        Text::NoticeWordsOn => {
            "Word view: each candidate is completed to a whole word, with the joint probability of its tokens ({} switches it off)"
        }
        Text::NoticeWordsOff => "Word view off: candidates are single tokens again",
        Text::WordPending => "…",
        Text::EncNoModelType => "it is not an HF folder with a config.json (a GGUF decoder?)",
        Text::EncModelType => "its config.json says `model_type` {}",
        Text::ErrNotAnEncoder => {
            "{} is not a BERT-family encoder ({}): `fill` and `embed` read text with an encoder (BERT, RoBERTa, DistilBERT), such as all-minilm-l6-v2 or bert-tiny; a decoder writes text one token at a time: give it to `next` or `generate`"
        }
        Text::ErrEncoderTokenizer => "the encoder's tokenizer: {}",
        Text::ErrNoMask => {
            "the text has no mask: add {} where the model should guess, e.g. \"the capital of france is [MASK].\""
        }
        Text::ErrNoMlmHead => {
            "{} has no masked-LM head (it is a sentence-embedding model): use `embed` with it, or `fill` with a fill-mask model such as bert-tiny"
        }
        Text::ErrEncoderTooLong => {
            "the text has {} tokens (special tokens included), but this encoder reads at most {}: shorten it"
        }
        Text::ErrNoSentences => {
            "no sentences: give one or more as arguments, or `-` to read one per line from standard input"
        }
        Text::FillHeader => {
            "{}: mask {} of {} at position {}; the encoder read {} on its left and {} on its right; entropy {} nats"
        }
        Text::FillWeak => {
            "note: bert-tiny is a retrieval fine-tune, so its guesses are weak: it shows the mechanism, not good answers"
        }
        Text::EmbedHeader => "{}: {} → vectors of {} numbers ({})",
        Text::SentenceOne => "{} sentence",
        Text::SentenceMany => "{} sentences",
        Text::PoolMean => "mean of the token vectors",
        Text::PoolCls => "the first token's vector",
        Text::PoolMax => "maximum over the token vectors",
        Text::PoolNormalized => "{}, normalised to length 1",
        Text::PoolDefault => "{}: no 1_Pooling/config.json, so the usual recipe",
        Text::ColSentence => "sentence",
        Text::ColVectorStart => "vector (first {})",
        Text::CosineTitle => "cosine similarity (1 = same direction)",
        Text::EmbedMost => "most similar: {} and {} (cosine {})",
        Text::EmbedLeast => "least similar: {} and {} (cosine {})",
        Text::FillRest => "rest of the vocabulary ({}): {}",
        Text::HintEncoder => {
            "It is an encoder (BERT-style), which reads a whole text instead of writing one token at a time: use `tokenscope fill` for fill-mask or `tokenscope embed` for sentence embeddings (the playground shows them too: `tokenscope --model bert-tiny`)"
        }
        Text::SectionModels => "Models",
        Text::KeyPicker => "models: list them and switch without restarting (F3)",
        Text::KeyPickerClose => "close the model list",
        Text::KeyPickerMove => "choose a model",
        Text::KeyPickerChoose => {
            "load it in place of the current model (which answers until it is ready)"
        }
        Text::KeyPickerAsB => "open it as model B, beside A (model A/B)",
        Text::KeyPickerCloseB => "close model B",
        Text::HintModels => "models",
        Text::HintNextMask => "next mask",
        Text::HintLoad => "load",
        Text::HintAsB => "open as B",
        Text::HintCloseB => "close B",
        Text::ModeModels => "MODELS",
        Text::PickerTitle => "Models",
        Text::PickerInstalled => "Installed",
        Text::PickerNotInstalledHeader => {
            "Not installed (install from the shell, then reopen tokenscope)"
        }
        Text::PickerNowA => "loaded (A)",
        Text::PickerNowB => "loaded (B)",
        Text::PickerLoadingRow => "loading {}%",
        Text::PickerNotInstalled => "not installed",
        Text::PickerEncoder => "restart with --model to open it (fill-mask / embeddings)",
        Text::PickerSeq2seq => "restart with --model to open it (translation)",
        Text::PickerCurrentPath => "Now loaded: {}",
        Text::NoticeSwitched => "Now on {}: the generation was reset (the prompt is kept).",
        Text::NoticeAlreadyLoaded => "{} is already the loaded model.",
        Text::NoticeNotInstalled => "Not installed: run {}",
        Text::NoticeNotDecoder => {
            "The list switches decoders only: open an encoder or a translation model with tokenscope --model NAME."
        }
        Text::NoticeLoadingModel => {
            "Loading {}: the current model keeps answering until it is ready."
        }
        Text::StatusIncoming => "loading {}",
        Text::StatusModelB => "model B: {}",
        Text::AbTitle => "Model A/B · the same prompt",
        Text::AbCompare => "the same text: {} in A, {} in B",
        Text::AbLoading => "loading model B… {}%",
        Text::AbWaiting => "computing…",
        Text::AbEmpty => "Type a prompt: both models read it.",
        Text::AbNext => "next token:",
        Text::AbVersusFirst => "Prompt A/B is open (F4): close it to see model A/B here.",
        Text::KeySwitchSource => {
            "translation: type into the source (encoder) or the target (decoder)"
        }
        Text::SourceTitle => "Source · encoder",
        Text::TargetTitle => "Target · decoder",
        Text::SourcePlaceholder => "Type the text to translate…",
        Text::TargetPlaceholder => "translation start (optional)",
        Text::SourceSwitchHint => "{}: source/target",
        Text::SourceStats => "encoder ran once: {} tokens, {}",
        Text::DecoderStep => "decoder: step {}, one per token",
        Text::SourceStatsShort => "encoder ran once, {}",
        Text::DecoderStepShort => "decoder step {}",
        Text::SourceEncoding => "encoding…",
        Text::SourceAttention => "cross-attention of step {} (last layer, mean of heads):",
        Text::SourceAttentionShort => "cross-attention, step {}:",
        Text::KeyNextMask => "fill-mask: show the next [MASK] of the prompt",
        // ── export and sessions (issue 11) ──
        Text::KeyExport => "export the current view (Markdown, JSON, CSV, text screenshot)",
        Text::KeySaveSession => "save the session (load it again with --session FILE)",
        Text::NoticeExported => "Exported: {}",
        Text::NoticeExportFailed => "Export failed: {}",
        Text::NoticeSessionSaved => "Session saved: {}",
        Text::NoticeSessionFailed => "Could not save the session: {}",
        Text::NoticeSessionOtherModel => {
            "Session made with another model ({}): the prompt is tokenized again, the branches keep their ids."
        }
        Text::NoticeSessionVocab => "Branches dropped: {}",
        Text::SessionVocabDetail => {
            "{} was made with {}; its token id {} is outside this model's vocabulary of {} tokens"
        }
        Text::ErrExportDir => "cannot create the export directory {}: {}",
        Text::ErrExportWrite => "cannot write {}: {}",
        Text::ErrSessionRead => "cannot read the session file {}: {}",
        Text::ErrSessionNotJson => {
            "the session file {} is not valid JSON ({}); save a session with Ctrl-S to get one"
        }
        Text::ErrSessionVersion => {
            "the session file {} has format version {}, and this tokenscope reads version {}; save the session again with this version"
        }
        Text::ErrSessionField => "the session file {} has a bad field “{}”: {}",
        Text::ExportTitle => "tokenscope export",
        Text::ExportModel => "Model",
        Text::ExportPrompt => "Prompt",
        Text::ExportPromptB => "Prompt B",
        Text::ExportChat => "Chat template",
        Text::ExportYes => "yes",
        Text::ExportNo => "no",
        Text::ExportPromptTokens => "Prompt tokens",
        Text::ExportContinuation => "Continuation",
        Text::ExportSettings => "Settings",
        Text::ExportColumn => "Column {}",
        Text::ExportColumnSampled => "after settings ({})",
        Text::ExportSettingsLine => {
            "temperature {} · top-k {} · top-p {} · min-p {} · seed {} · order {}"
        }
        Text::ExportKept => "Kept (of {} tokens): {}.",
        Text::ExportEntropy => "Entropy (nats): model {}, after settings {}.",
        Text::ExportPartial => {
            "Only the server's top {} are known: the rest of the vocabulary has {} of the probability; every column is over the shown only."
        }
        Text::ExportKeptShown => "Kept (of the {} shown): {}.",
        Text::ExportWords => "Words",
        Text::ExportCosine => "cosine",
        Text::ExportLayer => "layer",
        Text::ExportPosition => "position",
        Text::ExportWeight => "attention",
        Text::ExportBranches => "Branches",
        Text::ExportLogProb => "ln p (nats)",
        Text::ExportCount => "count",
        Text::ExportSeen => "seen",
        Text::NoticeEncoderFills => "An encoder fills masks: it writes no next token.",
        Text::NoticeEncoderEmbeds => {
            "An embedding model writes no token: it turns lines into vectors."
        }
        Text::NoticeMasksNeedFill => {
            "F6 moves between masks with a fill-mask encoder (e.g. --model bert-tiny)."
        }
        Text::NoticeFillNoMask => "No mask to fill: type [MASK] in the prompt first.",
        Text::NoticeFilledMask => "The mask now reads “{}”.",
        Text::NoticeClickMask => "Click a mask chip to see its distribution.",
        Text::FillLeft => "◀ before the mask",
        Text::FillRight => "after it ▶",
        Text::FillStrong => "underlined: most attention",
        Text::FillTitle => "At {} {} of {} (token {})",
        Text::FillTitleEmpty => "Fill the mask",
        Text::FillTypeMask => {
            "Type {} where the model should guess: it reads the words on both sides."
        }
        Text::FillPaneTitle => "Encoder · reads both sides",
        Text::FillSides => "mask {} of {} · read {} tokens before, {} after",
        Text::FillNextMaskHint => "{}: next mask",
        Text::FillMostAttention => "most attention:",
        Text::FillBothSides => "A word after the mask changes this: a decoder never sees it.",
        Text::FillBestGuess => "best guess:",
        Text::FillWeakModel => "bert-tiny is a retrieval fine-tune: weak guesses.",
        Text::EmbedTitle => "Sentence embeddings",
        Text::EmbedDim => "{} dimensions",
        Text::EmbedEmpty => {
            "Type one sentence per line (Enter starts a new one): each becomes one vector."
        }
        Text::EmbedStripHeader => "each line → one vector (first {} of {} dimensions):",
        Text::EmbedCosine => "cosine",
        Text::EmbedMostLabel => "most similar:",
        Text::EmbedLeastLabel => "least similar:",
        Text::EmbedPair => "{} & {} ({})",
        Text::NoticeEncoderNoB => "Model B compares next tokens: model A must be a decoder.",
        Text::EmbedNote => "Similar meanings score high even with different words.",
        Text::EndpointServesNothing => "no model at all",
        Text::EndpointBadUrl => {
            "--endpoint {} is not an http:// or https:// URL: give the base of an OpenAI-compatible API, e.g. http://127.0.0.1:8080/v1."
        }
        Text::EndpointUnreachable => {
            "could not connect to {} ({}): is the server running and listening there?"
        }
        Text::EndpointTimedOut => {
            "{} did not answer within {} s ({}): the server is slow or stalled; raise --timeout or check the server."
        }
        Text::EndpointStatus => "{} answered HTTP {}: {}",
        Text::EndpointKeyMissing => {
            "{} wants an API key: set TOKENSCOPE_API_KEY (or OPENAI_API_KEY)."
        }
        Text::EndpointKeyRejected => {
            "{} refused the API key: check TOKENSCOPE_API_KEY / OPENAI_API_KEY."
        }
        Text::EndpointNotOpenAi => "{} answered, but not as an OpenAI-compatible API ({}).",
        Text::EndpointUnknownModel => {
            "the server does not serve the model {}; it serves: {}. Name one of them with --model."
        }
        Text::EndpointNoModel => "name the served model with --model; the server serves: {}.",
        Text::EndpointTooLarge => "{} sent a reply larger than {} MB: refused.",
        Text::EndpointNoLogprobs => {
            "{} gave no log-probabilities: it does not support `logprobs` on /v1/completions."
        }
        Text::EndpointTransport => "talking to {} failed: {}",
        Text::EndpointSummary => {
            "{} at {}: top {} of an unknown vocabulary · {} · entropy ≥ {} nats (a bound)"
        }
        Text::EndpointRestLine => {
            "the rest (tokens not shown): at least {} of the mass (1 − Σ shown)"
        }
        Text::EndpointSamplerNote => {
            "sampler columns are over the {} shown tokens only (renormalised among them)"
        }
        Text::EndpointPromptUnavailable => {
            "prompt token colouring: unavailable (the server does not echo the prompt's log-probabilities, or echoes them misaligned)"
        }
        Text::EndpointTokensNone => "token ids: none (the server has no tokenize route)",
        Text::EndpointEmptyToken => {
            "stopped: the server's chosen token has no text of its own (an end-of-sequence token, or part of a character)"
        }
        Text::EndpointNoTokenizer => {
            "{} has no tokenize route: tokenization is unavailable through this endpoint."
        }
        Text::EndpointFlagsWithout => "{} only works with --endpoint URL.",
        Text::EndpointUnsupported => {
            "{} is not available with --endpoint (the server gives only the top candidates' text and log-probabilities)."
        }
        Text::EndpointPromptScored => "prompt, as the server scored it: {}",
        Text::EndpointStepsNote => {
            "{} steps through {}: each one asked the server for the top {} and chose among those only"
        }
        Text::EndpointRetrying => "{}: {}; trying again in {} s (attempt {})",
        Text::EndpointAttemptOne => "{} attempt",
        Text::EndpointAttemptMany => "{} attempts",
        Text::EndpointShortUnreachable => "no connection",
        Text::EndpointShortTimedOut => "no answer in {} s",
        Text::EndpointShortStatus => "an HTTP {} reply",
        Text::EndpointServedAt => "models served at {} (name them with --model):",
        Text::ModeInsideWord => "WORD",
        Text::SectionInside => "Inside the model",
        Text::KeyInside => "inside view: off → embedding → logit lens → attention",
        Text::KeyInsideLayer => "attention: earlier / later layer",
        Text::KeyInsideHead => "attention: next / previous head (then the mean)",
        Text::KeyInsideWord => "embedding: the neighbours of a word you type",
        Text::KeyInsideWordType => "type the word",
        Text::KeyInsideWordDelete => "delete the last character",
        Text::KeyInsideWordSubmit => "look the word up (empty: back to the selected token)",
        Text::KeyInsideWordClose => "close the word field",
        Text::HintInside => "inside",
        Text::HintInsideLayer => "layer",
        Text::HintInsideHead => "head",
        Text::HintInsideWord => "word",
        Text::HintInsideWordSubmit => "look up",
        Text::NoticeInsideOff => "inside view off",
        Text::NoticeInsideEmbedding => {
            "inside view: the token's embedding and its nearest neighbours"
        }
        Text::NoticeInsideLens => "inside view: the logit lens (what each layer would predict)",
        Text::NoticeInsideAttention => "inside view: attention (where the position looks)",
        Text::NoticeInsideFailed => "the inside view could not be computed: {}",
        Text::InsideTitleEmbedding => "Inside · embedding",
        Text::InsideTitleLens => "Inside · logit lens",
        Text::InsideTitleAttention => "Inside · attention",
        Text::InsideComputing => "computing…",
        Text::InsideUnavailable => {
            "Not available for this model: only a decoder (SmolLM2, Gemma 3) shows its embeddings, layers and attention."
        }
        Text::InsideNothing => {
            "Nothing to show yet: the view explains the token before the cursor, and there is none."
        }
        Text::InsideFailed => "Could not compute: {}",
        Text::InsideAt => "at {}, position {} of {}",
        Text::InsideEmbToken => "{} · id {} · {} values",
        Text::InsideEmbNorm => "norm {} · min {} · max {}",
        Text::InsideEmbTied => "Tied: the same matrix is the output layer.",
        Text::InsideEmbUntied => "Not tied: the output layer is a matrix of its own.",
        Text::InsideEmbStrip => "each mark: the largest of {} values; colour = sign",
        Text::InsideEmbScaled => {
            "Raw table row; the model scales it by √hidden = {} before the first layer."
        }
        Text::InsideEmbNeighbours => "nearest {} of {} rows (cosine)",
        Text::InsideEmbWord => "typed word {}: {} tokens, the first is shown",
        Text::InsideEmbWordOne => "typed word {}: one token",
        Text::InsideWordPrompt => "word: ",
        Text::InsideWordHelp => {
            "Enter looks it up · Enter on empty: back to the token · Esc closes"
        }
        Text::InsideWordHint => "{}: neighbours of a typed word",
        Text::InsideLensHead => "top {} of {} per layer, probability at temperature 1",
        Text::InsideLensLast => "= next-token pane",
        Text::InsideLensFirst => "the final answer {} is first from layer {} on",
        Text::InsideLensHidden => "layers 1–{} are above (no room)",
        Text::InsideAttnMean => "layer {} of {} · mean of {} heads",
        Text::InsideAttnHead => "layer {} of {} · head {} of {}",
        Text::InsideAttnLegend => {
            "brighter = more attention · ░ masked: a position cannot see later tokens"
        }
        Text::InsideAttnTop => "most attended, top {} of {} positions:",
        Text::ServedNoWords => {
            "the word view is not available with --endpoint (it would cost one request per greedy step of every candidate)"
        }
        Text::ServedNoPicker => {
            "the model picker and model B are not available with --endpoint (the server serves its own model)"
        }
        Text::ServedNoVersus => {
            "prompt B is not available with --endpoint (comparing needs whole distributions, the server shows only its top candidates)"
        }
        Text::ServedTopOf => "top {} of an unknown vocabulary",
        Text::ServedTopOfShort => "top {} of ?",
        Text::ServedRest => "rest: {} more of the top {}, and all not shown",
        Text::ServedRestShort => "rest · top {} of ?",
        Text::ServedSampledNote => "sampled: over the {} shown only",
        Text::ServedAtLeast => "≥{}",
        Text::ServedInFlight => "asking the server… {} s",
        Text::ServedRetrying => "server: {}; retry {}/{} in {} s",
        Text::ServedAgainIn => "asking again in {} s",
        Text::ServedOutsideTop => "outside the top {}",
        Text::ServedNoDistribution => {
            "the server gave no distribution here: only after the whole prompt and after each chosen token"
        }
        Text::ServedPromptUnscored => "prompt: not scored by the server",
        Text::ServedPromptScored => "prompt: probabilities from the server, ranks not given",
        Text::ServedRankLegend => "rank among the top {}:",
        Text::ServedDiceNote => "over the {} shown only",
        Text::ServedDevice => "server",
    }
}
