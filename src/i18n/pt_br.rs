//! Textos em português do Brasil.

use super::Text;

/// O texto em português do Brasil de `t`.
pub fn text(t: Text) -> &'static str {
    match t {
        Text::LanguageName => "português",
        Text::ModeEdit => "EDIÇÃO",
        Text::ModeExplore => "EXPLORAÇÃO",
        Text::ModeHelp => "AJUDA",
        Text::ModeEditHint => "o que você digita vai para o prompt",
        Text::ModeExploreHint => "cada tecla é um comando",
        Text::PromptTitle => "Prompt",
        Text::TokensTitle => "Tokens ({})",
        Text::NextTokenTitle => "Próximo token",
        Text::NextTokenAfter => "Próximo token depois de «{}»",
        Text::LookBackTitle => "Olhando para trás: antes do token {} «{}»",
        Text::SamplingTitle => "Amostragem",
        Text::GenerationTitle => "Geração",
        Text::HelpTitle => "Teclas",
        Text::PromptPlaceholder => "Digite um prompt…",
        Text::ChatOnNote => "(template de chat ligado)",
        Text::GltrLabel => "ranking do modelo:",
        Text::GltrLabelShort => "pos.:",
        Text::GltrTop1 => "1º",
        Text::GltrTop10 => "≤10",
        Text::GltrTop100 => "≤100",
        Text::GltrBeyond => ">100",
        Text::SpecialLegend => "especial",
        Text::Computing => "calculando…",
        Text::NoTokens => "Nenhum token ainda.",
        Text::ColRank => "#",
        Text::ColToken => "token",
        Text::ColModel => "modelo",
        Text::ColSampled => "após ajustes",
        Text::ColLogit => "logit",
        Text::ProbLegend => {
            "modelo = softmax dos logits · após ajustes = depois de temperatura, top-k, top-p, min-p"
        }
        Text::BarLegend => "▒ modelo  █ após ajustes",
        Text::CutLine => "corte: {}",
        Text::StageGreedy => "decodificação gulosa (T = 0)",
        Text::StageTopK => "top-k {}",
        Text::StageTopP => "top-p {}",
        Text::StageMinP => "min-p {}",
        Text::RestOfVocab => "resto do vocabulário ({} tokens)",
        Text::RestOfVocabShort => "outros {} tokens",
        Text::Entropy => "entropia",
        Text::EffectiveChoices => "escolhas efetivas",
        Text::Nats => "nats",
        Text::KeptOf => "mantidos {} de {} tokens",
        Text::ActualMarker => "● real",
        Text::EmptyPromptHint => "Digite um prompt para ver o que o modelo espera a seguir.",
        Text::LoadingModel => "Carregando o modelo… ({})",
        Text::WaitingForModel => "Aguardando o modelo…",
        Text::FirstTokenHint => "Nada prevê o primeiro token: mova o cursor para a direita.",
        Text::Temperature => "temperatura",
        Text::Seed => "semente",
        Text::Greedy => "decodificação gulosa",
        Text::RandomDraw => "sorteio",
        Text::Off => "desligado",
        Text::LastRoll => "último sorteio",
        Text::RollHere => "sorteio deste token",
        Text::CumulativeRange => "acumulada {}–{}",
        Text::PickedByYou => "escolhido por você: #{} «{}»",
        Text::GreedyChoice => "decodificação gulosa: sempre o #1 {}",
        Text::NoRollYet => "nenhum sorteio ainda: {} joga o dado",
        Text::BranchOf => "ramo {}/{}",
        Text::UndoLabel => "desfazer",
        Text::RedoLabel => "refazer",
        Text::GeneratedCount => "{} gerados",
        Text::SequenceStats => "log p(modelo) {} · perplexidade {}",
        Text::PickedLegend => "sublinhado = escolhido por você",
        Text::NothingGenerated => "Nada gerado ainda. {} joga o dado; {} escolhe um candidato.",
        Text::AutoplayOn => "automático ▶ a cada {} ms",
        Text::StoppedEos => "parou: fim do texto",
        Text::StoppedLimit => "parou: limite de {} tokens",
        Text::TokenCount => "{} tokens",
        Text::Millis => "{} ms",
        Text::Loading => "carregando",
        Text::ChatLabel => "chat",
        Text::RawTextLabel => "texto puro",
        Text::ErrorPrefix => "erro: {}",
        Text::NoModel => "modelo não carregado",
        Text::CachedCount => "{} em cache",
        Text::NoticePromptToken => "Esse token é do prompt: edite o prompt para mudá-lo.",
        Text::NoticeBusy => "Ainda calculando, tente de novo em um instante.",
        Text::NoticeNothingToUndo => "Nada para desfazer.",
        Text::NoticeNothingToRedo => "Nada para refazer.",
        Text::NoticeNoBranch => "Não há outro ramo aqui.",
        Text::NoticeSeed => "Semente {}.",
        Text::NoticeLanguage => "Idioma: português.",
        Text::NoticeNoCandidate => "Nenhum candidato aí.",
        Text::NoticeNotReady => "O modelo ainda está carregando.",
        Text::NoticeEngineGone => "O processo do modelo parou.",
        Text::HelpIntro => {
            "No modo Edição, o que você digita vai para o prompt e só os atalhos com Ctrl, Alt ou F funcionam. No modo Exploração, cada tecla é um comando."
        }
        Text::HelpMore => "↓ mais",
        Text::SectionGlobal => "Em qualquer modo",
        Text::SectionEditor => "Editando o prompt",
        Text::SectionGeneration => "Geração",
        Text::SectionLookBack => "Olhar para trás e ramos",
        Text::SectionSampling => "Amostragem",
        Text::SectionView => "Exibição",
        Text::SectionHelp => "Nesta janela",
        Text::KeyAnyChar => "qualquer caractere",
        Text::KeyInsert => "digitar no prompt",
        Text::KeyNewline => "nova linha",
        Text::KeyDelete => "apagar antes / sob o cursor",
        Text::KeyDeleteWord => "apagar a palavra anterior",
        Text::KeyKill => "apagar até o início / fim",
        Text::KeyCaret => "mover o cursor",
        Text::KeyCaretWord => "mover por palavra",
        Text::KeyCaretLine => "início / fim da linha",
        Text::KeyExplore => "explorar: cada tecla vira um comando",
        Text::KeyEdit => "editar o prompt",
        Text::KeyToggleMode => "alternar edição ↔ exploração",
        Text::KeyHelp => "ajuda (esta janela)",
        Text::KeyScrollHelp => "rolar esta janela",
        Text::KeyCloseHelp => "fechar esta janela",
        Text::KeyStep => "jogar o dado: sortear um token",
        Text::KeyPickRank => "escolher manualmente o candidato 1–9",
        Text::KeySelect => "selecionar um candidato",
        Text::KeyPickSelected => "escolher o selecionado",
        Text::KeyUndo => "desfazer o último token",
        Text::KeyRedo => "refazer",
        Text::KeyAutoplay => "automático liga / desliga",
        Text::KeySpeed => "automático mais rápido / mais lento",
        Text::KeyReset => "apagar a geração",
        Text::KeyLook => "olhar para trás / para frente",
        Text::KeyLookFirst => "olhar o primeiro token",
        Text::KeyLookLive => "voltar ao fim (ao vivo)",
        Text::KeyBranch => "ramo anterior / próximo",
        Text::KeyTemperature => "temperatura menor / maior",
        Text::KeyTopK => "top-k menor / maior",
        Text::KeyTopP => "top-p menor / maior",
        Text::KeyMinP => "min-p menor / maior",
        Text::KeyGreedy => "decodificação gulosa ↔ sorteio",
        Text::KeySeed => "próxima semente / semente anterior",
        Text::KeyChat => "template de chat sim / não",
        Text::KeyIds => "mostrar ids dos tokens",
        Text::KeyLanguage => "português / English",
        Text::KeyQuit => "sair",
        Text::ThenKeys => "{}, depois {}",
        Text::KeySpace => "Espaço",
        Text::HintEdit => "editar",
        Text::HintExplore => "explorar",
        Text::HintHelp => "ajuda",
        Text::HintQuit => "sair",
        Text::HintClose => "fechar",
        Text::HintScroll => "rolar",
        Text::HintStep => "sortear",
        Text::HintPick => "escolher",
        Text::HintChoose => "escolher",
        Text::HintUndoRedo => "desfazer/refazer",
        Text::HintLook => "olhar para trás",
        Text::HintBranch => "ramo",
        Text::HintTemperature => "temperatura",
        Text::HintTopK => "top-k",
        Text::HintTopP => "top-p",
        Text::HintMinP => "min-p",
        Text::HintGreedy => "gulosa",
        Text::HintAuto => "automático",
        Text::HintLanguage => "idioma",
        Text::TooSmall => "Terminal pequeno demais: {}×{} (precisa de pelo menos {}×{}).",
        Text::ErrGgufIo => "não foi possível ler o arquivo GGUF {}: {}",
        Text::ErrGgufNotGguf => "não é um arquivo GGUF (não começa com os bytes mágicos \"GGUF\")",
        Text::ErrGgufVersion => "versão de GGUF {} não suportada (este leitor lê as versões 2 e 3)",
        Text::ErrGgufTruncated => {
            "o arquivo GGUF está truncado ou corrompido: {}: precisa de {} bytes, mas restam só {}"
        }
        Text::ErrGgufInvalid => "arquivo GGUF inválido: {}",
        Text::ErrGgufUnsupportedType => "o tensor {} tem o tipo {}, que o tokenscope não suporta",
        Text::ErrGgufMissingKey => "a chave de metadados GGUF {} está ausente ou tem o tipo errado",
        Text::ErrGgufMissingTensor => "o arquivo GGUF não tem nenhum tensor chamado {}",
        Text::ErrTokenizerMissing => "o arquivo do modelo não tem tokenizador (falta `{}`)",
        Text::ErrTokenizerUnsupported => {
            "tokenizador `{}` não suportado (pré-tokenizador `{}`): o tokenscope lê de arquivos GGUF tokenizadores BPE de bytes (gpt2, smollm, llama-bpe, qwen2…) e SentencePiece (llama); para outros modelos, aponte --model para uma pasta HF com tokenizer.json"
        }
        Text::ErrTokenizerLibrary => "erro do tokenizador: {}",
        Text::ErrChatNoTemplate => {
            "este modelo não tem template de chat: desligue o template de chat (rode sem --chat)"
        }
        Text::ErrChatRender => "o template de chat do modelo falhou: {}",
        Text::ErrReadFile => "não foi possível ler {}: {}",
        Text::ErrUnknownArchitecture => "arquitetura `{}` desconhecida: o tokenscope roda {}",
        Text::ErrMissingKey => "o arquivo do modelo não tem a chave de metadados `{}`",
        Text::ErrMissingTensor => "o arquivo do modelo não tem o tensor `{}`",
        Text::ErrBadShape => "o tensor `{}` tem o formato {}, mas {}",
        Text::ErrConfig => "{} não é uma configuração de modelo válida: {}",
        Text::ErrNoWeights => "a pasta {} não tem arquivos *.safetensors",
        Text::ErrOutsideVocabulary => "o id de token {} está fora do vocabulário ({} tokens)",
        Text::ErrContextFull => {
            "a sequência precisa de {} tokens, mas a janela de contexto do modelo comporta {}: encurte o prompt ou desfaça alguns tokens gerados"
        }
        Text::ErrTorch => "libtorch: {}",
        Text::ErrorLine => "erro: {}",
        Text::NoteLine => "nota: {}",
        Text::ErrNoTerminal => {
            "o playground precisa de um terminal interativo; em scripts use `tokenscope tokenize`, `next` ou `generate` (veja --help)"
        }
        Text::RuleTemperature => "um número finito ≥ 0 (0 = sempre escolher o token mais provável)",
        Text::RuleTopP => "maior que 0 e no máximo 1 (1 = desligado)",
        Text::RuleMinP => "entre 0 e 1 (0 = desligado)",
        Text::ErrBadFlag => "{} deve ser {}, não {}",
        Text::ErrModelNotFound => {
            "o modelo {} não existe (de --model ou TOKENSCOPE_MODEL): --model aceita um nome curto ({}; `tokenscope models` lista todos), um arquivo GGUF ou uma pasta HF (config.json + *.safetensors + tokenizer.json) que você já tenha"
        }
        Text::ErrNotAModelFolder => {
            "a pasta {} não é uma pasta de modelo: falta {}. --model aceita um arquivo GGUF ou uma pasta com config.json, *.safetensors e tokenizer.json"
        }
        Text::ErrNotInstalled => {
            "o modelo {} não está instalado (esperado em {}): instale-o com `{}`"
        }
        Text::ErrCannotLoad => "não foi possível carregar {}: {}",
        Text::ErrReadInputFile => "não foi possível ler o --file {}: {}",
        Text::ErrStdin => "não foi possível ler a entrada padrão: {}",
        Text::TheFile => "o arquivo {}",
        Text::StandardInput => "a entrada padrão",
        Text::ErrNotUtf8 => {
            "{} não é texto UTF-8 válido: o byte {} (contando do 0) é 0x{}. O tokenscope lê UTF-8; converta o texto antes (por exemplo, com iconv)"
        }
        Text::ErrNoText => {
            "nenhum texto informado: passe-o como argumento, com --file CAMINHO, ou `-` para ler a entrada padrão"
        }
        Text::ErrEmptyPrompt => {
            "o prompt está vazio: o modelo precisa de pelo menos um token para prever o próximo (e este modelo não acrescenta token de início de sequência). Dê algum texto, ou use --chat para envolvê-lo no template de chat"
        }
        Text::ErrPromptTooLong => {
            "o prompt tem {} tokens, mas a janela de contexto do modelo comporta {} tokens: encurte-o em pelo menos {} tokens (`tokenscope tokenize` conta os tokens)"
        }
        Text::ErrPromptTooLongChat => {
            "o prompt tem {} tokens com o template de chat, mas a janela de contexto do modelo comporta {} tokens: encurte-o em pelo menos {} tokens (`tokenscope tokenize` conta os tokens)"
        }
        Text::ErrStdout => "não foi possível escrever na saída padrão: {}",
        Text::ErrPlayground => "o playground parou: {}",
        Text::ErrBenchText => "o texto do benchmark é curto demais ({} tokens)",
        Text::HintNotGguf => {
            "--model aceita um nome curto, um arquivo GGUF (.gguf) ou uma pasta Hugging Face (config.json + *.safetensors + tokenizer.json)"
        }
        Text::HintReinstall => "apague-o e rode `{}` para instalá-lo de novo",
        Text::HintCopyAgain => "baixe ou copie o arquivo de novo",
        Text::HintTruncated => {
            "O arquivo ({} bytes) termina antes dos dados que o cabeçalho descreve: provavelmente foi cortado ao ser baixado ou copiado; {}"
        }
        Text::HintUnsupportedType => {
            "o tokenscope lê os tipos de tensor {}; use um arquivo GGUF quantizado com eles (o llama-quantize do llama.cpp converte)"
        }
        Text::TokenOne => "{} token",
        Text::TokenMany => "{} tokens",
        Text::ColText => "texto",
        Text::NextSummary => "{}: {} · entropia {} nats (modelo) / {} (após ajustes) · {} mantidos",
        Text::PromptTokenOne => "{} token no prompt",
        Text::PromptTokenMany => "{} tokens no prompt",
        Text::ColRankWord => "ranking",
        Text::ColModelPercent => "modelo %",
        Text::ColSampledPercent => "após ajustes %",
        Text::ColKept => "mantido",
        Text::Yes => "sim",
        Text::CutGreedy => "cortado (decodificação gulosa)",
        Text::CutTopK => "cortado pelo top-k",
        Text::CutTopP => "cortado pelo top-p",
        Text::CutMinP => "cortado pelo min-p",
        Text::CutPlain => "cortado",
        Text::RestOfVocabLine => "resto do vocabulário ({}): {} (modelo), {} (após ajustes)",
        Text::NoteContextFull => {
            "parou depois de {} tokens novos: a sequência enche a janela de contexto do modelo ({} tokens)"
        }
        Text::FamilyDecoder => "decodificador",
        Text::FamilyEncoder => "codificador",
        Text::FamilyEncoderDecoder => "codificador-decodificador",
        Text::SizeMb => "{} MB",
        Text::Installed => "instalado",
        Text::ColName => "nome",
        Text::ColKind => "tipo",
        Text::ColSize => "tamanho",
        Text::ColInstalled => "instalado / instale com",
        Text::ColModelTitle => "modelo",
        Text::ModelsFooter => {
            "Os modelos ficam em {}; --model também aceita qualquer arquivo GGUF ou pasta HF que você tenha."
        }
        Text::NoticeTypePromptFirst => "Digite um prompt primeiro.",
        Text::StepReading => "lendo o arquivo",
        Text::StepTokenizer => "tokenizador",
        Text::StepEmbeddings => "embeddings",
        Text::StepLayers => "camadas",
        Text::StepOutput => "camada de saída",
        Text::PrecisionExact => "exato f32",
        Text::PrecisionFast => "rápido int4",
        Text::DeviceCpu => "cpu",
        Text::IoNotFound => "arquivo ou pasta inexistente",
        Text::IoPermissionDenied => "permissão negada",
        Text::IoIsADirectory => "é uma pasta, não um arquivo",
        Text::IoNotADirectory => "uma parte do caminho não é uma pasta",
        Text::IoUnexpectedEof => "o arquivo termina cedo demais",
        Text::IoBrokenPipe => "a saída foi fechada",
        Text::IoOutOfMemory => "memória insuficiente",
        Text::IoStorageFull => "o disco está cheio",
        Text::SpecEmpty => {
            "a especificação do amostrador está vazia: escreva ajustes como t=0.7,k=40,p=0.9,m=0.05,order=hf ou o nome de uma predefinição (raw, greedy, balanced, creative, top10, order-hf, order-llama)"
        }
        Text::SpecMissingValue => {
            "na especificação do amostrador, “{}” não tem valor: escreva chave=valor (chaves: t, k, p, m, order)"
        }
        Text::SpecUnknownKey => {
            "a especificação do amostrador tem uma chave desconhecida “{}”: as chaves são t (temperatura), k (top-k), p (top-p), m (min-p) e order (hf ou llama)"
        }
        Text::SpecDuplicate => "a especificação do amostrador dá “{}” duas vezes",
        Text::SpecBadValue => "na especificação do amostrador, {} deve ser {}, não “{}”",
        Text::SpecRuleT => "um número de 0 a 100 (0 = decodificação gulosa)",
        Text::SpecRuleK => "um número inteiro ≥ 0 (0 = desligado)",
        Text::SpecRuleP => "maior que 0 e no máximo 1 (1 = desligado)",
        Text::SpecRuleM => "de 0 a 1 (0 = desligado)",
        Text::SpecRuleOrder => {
            "hf (temperatura primeiro, como no HF transformers) ou llama (temperatura por último, como no llama.cpp)"
        }
        Text::SpecTooMany => "no máximo {} amostradores, não {}",
        Text::PresetRaw => "sem ajustes",
        Text::PresetGreedy => "decodificação gulosa",
        Text::PresetBalanced => "equilibrado",
        Text::PresetCreative => "criativo",
        Text::PresetTopTen => "top 10 apenas",
        Text::PresetOrderHf => "ordem: HF",
        Text::PresetOrderLlama => "ordem: llama.cpp",
        Text::ErrEmptyVersus => {
            "o prompt B (--versus / --versus-file) está vazio: dê o texto a comparar"
        }
        Text::ErrBadRollCount => "--n deve ser um número inteiro de 1 a {}, não {}",
        Text::VersusSummary => "prompt B: {} · entropia {} nats (modelo)",
        Text::VersusLine => "KL(A‖B) = {} nats · top-1 de A {} · top-1 de B {}",
        Text::VersusMoved => "o que mais mudou: {}",
        Text::SampleSummary => {
            "{} sorteios, {} tokens diferentes (semente {}) · contagem · observado · esperado · token"
        }
        Text::NoticeColumn => "Coluna {}",
        Text::NoticeMaxColumns => "No máximo {} colunas de amostragem.",
        Text::NoticeLastColumn => "A última coluna fica (a coluna do modelo está sempre lá).",
        Text::NoticePreset => "Predefinição: {}",
        Text::OrderHf => "ordem HF: temperatura primeiro",
        Text::OrderLlama => "ordem llama.cpp: temperatura por último",
        Text::KeyAddSampler => "adicionar uma coluna de amostragem (até 4)",
        Text::KeyRemoveSampler => "remover a coluna selecionada",
        Text::KeySelectSampler => {
            "selecionar a coluna anterior / próxima (as teclas de amostragem a editam)"
        }
        Text::KeyPreset => {
            "próxima predefinição da coluna selecionada (gulosa, equilibrada, criativa, as duas ordens…)"
        }
        Text::KeyOrder => {
            "ordem das etapas: HF (temperatura primeiro) ou llama.cpp (temperatura por último)"
        }
        Text::KeyRolls => "jogar o dado muitas vezes: contagens ao lado das probabilidades",
        Text::KeyRollCount => "quantos sorteios: 100, 1 000, 10 000",
        Text::HintColumns => "colunas",
        Text::HintRolls => "sortear muitas",
        Text::LabColumns => "{} colunas de amostragem",
        Text::LabCutBelow => "col. {}: corte após {} tokens",
        Text::LabLegend => {
            "cada coluna: probabilidade após os seus ajustes · ✂ primeiro token cortado · ✓ mantidos · ≈ escolhas efetivas"
        }
        Text::RollsSummary => "{} sorteios · coluna {} · semente {} · {} distintos",
        Text::RollsLegend => "█ observado · ▒ esperado · % esperada · contagem · % observada",
        Text::SamplingColumn => "coluna {}/{}",
        Text::GeneratedOne => "{} gerado",
        Text::GlossaryTitle => "Glossário",
        Text::GlossEntropy => {
            "Entropia — o quanto o modelo está em dúvida sobre o próximo token (em nats): 0 quer dizer certeza; quanto maior, mais espalhada a probabilidade está entre muitos tokens."
        }
        Text::GlossEffective => {
            "Escolhas efetivas — e elevado à entropia: quantos tokens igualmente prováveis deixariam o modelo com a mesma dúvida."
        }
        Text::GlossPerplexity => {
            "Perplexidade — o quanto o texto surpreendeu o modelo, em média; 1 quer dizer que todo token era esperado, mais alto quer dizer mais surpresa."
        }
        Text::GlossRanks => {
            "Cores do ranking — cada token tem a cor da posição em que o modelo o colocou antes de ele aparecer: verde para a primeira opção, amarelo do 2º ao 10º, laranja do 11º ao 100º, roxo depois do 100º. Muito verde quer dizer texto previsível."
        }
        Text::GlossDice => {
            "Faixa do dado — os tokens mantidos lado a lado, cada um com a largura da sua probabilidade; um número aleatório u entre 0 e 1 cai em um deles, e esse token é o escolhido."
        }
        Text::GlossLogit => {
            "Logit — a nota bruta que o modelo dá a cada token do vocabulário antes de virar probabilidade; só as diferenças entre as notas importam."
        }
        Text::GlossSoftmax => {
            "Softmax — transforma os logits em probabilidades que somam 1: quanto maior a nota, maior a fatia."
        }
        Text::GlossTemperature => {
            "Temperatura — divide os logits antes do softmax: abaixo de 1 o favorito fica ainda mais provável, acima de 1 as opções se igualam; 0 sempre pega o primeiro token."
        }
        Text::GlossTopK => {
            "Top-k — mantém só os k tokens mais prováveis e redistribui a probabilidade entre eles."
        }
        Text::GlossTopP => {
            "Top-p — mantém os tokens mais prováveis até a soma das probabilidades chegar a p (por exemplo 0,80) e descarta o resto."
        }
        Text::GlossMinP => {
            "Min-p — descarta todo token cuja probabilidade fica abaixo dessa fração da probabilidade do primeiro token."
        }
        Text::KeyProjector => "modo projetor liga / desliga (barras grandes, menos painéis)",
        Text::HintProjector => "projetor",
        Text::ConfirmQuitTitle => "Sair?",
        Text::ConfirmQuitBody => "O texto gerado ({}) será perdido. Sair mesmo assim?",
        Text::KeyConfirmYes => "sim, sair",
        Text::KeyConfirmNo => "não, ficar",
        Text::SectionConfirm => "Sair?",
        Text::EchoMarker => "▸",
        Text::SectionBranches => "Árvore de ramos",
        Text::KeyBranches => "árvore de ramos: todas as continuações lado a lado",
        Text::KeyBranchesClose => "fechar a árvore de ramos",
        Text::KeyBranchesMove => "escolher um ramo",
        Text::KeyBranchesChoose => "mudar para o ramo escolhido",
        Text::HintBranches => "árvore",
        Text::HintSwitchBranch => "mudar",
        Text::BranchesTitle => "Ramos · log-probabilidade total",
        Text::BranchesEmpty => {
            "Nada gerado ainda: cada continuação que você tentar aparece aqui, uma por linha."
        }
        Text::BranchesCurrent => "atual",
        Text::ModeConfirm => "SAIR?",
        Text::ModeBranches => "RAMOS",
        Text::NoticeProjectorOn => {
            "Modo projetor: só o prompt e o painel do próximo token. {} volta ao normal."
        }
        Text::NoticeProjectorOff => "Layout normal.",
        Text::LogProbUnknown => "ainda não calculado",
        Text::KeyVersus => "prompt A/B: mostrar ou esconder um segundo prompt B para comparar",
        Text::KeySwitchSide => "A/B: digitar no outro prompt",
        Text::VersusTitle => "Prompt B · a digitação vai para {}",
        Text::VersusKl => "KL(A‖B) {} nats · top-1 de A {} {} · top-1 de B {} {}",
        Text::VersusMovedShort => "o que mais mudou:",
        Text::VersusWaiting => "calculando B…",
        Text::VersusEmpty => "Digite o prompt B (Ctrl-B alterna entre A e B; F4 fecha).",
        Text::ErrTokenizerNoScores => {
            "este tokenizador SentencePiece não tem uma pontuação para cada token (`tokenizer.ggml.scores`: {} tokens, {} pontuações), e sem pontuações não dá para refazer as junções; converta o modelo de novo com o convert_hf_to_gguf.py do llama.cpp"
        }
        Text::CutAfter => "corte após {} tokens ({})",
        Text::ColCumulative => "soma top-p",
        Text::DiceStripExplained => {
            "A faixa põe as probabilidades dos tokens mantidos lado a lado; u cai em uma delas."
        }
        Text::ErrMarianTruncated => {
            "{}: o arquivo termina no meio de {} (precisa de {} bytes, restam {})"
        }
        Text::ErrMarianVersion => {
            "{} não é um modelo binário ou shortlist do Marian numa versão que o tokenscope lê (encontrado {})"
        }
        Text::ErrMarianName => "{}: o nome do item {} não é UTF-8 terminado em NUL",
        Text::ErrMarianType => {
            "{}: o tensor `{}` tem o tipo Marian {}, que o tokenscope não lê (ele lê float32, int8 e intgemm8)"
        }
        Text::ErrMarianSize => {
            "{}: o tensor `{}` tem {} bytes de dados, mas seu formato precisa de {}"
        }
        Text::ErrMarianUnknownTensors => {
            "{} contém tensores que este modelo Marian não usa (outra arquitetura?): {}"
        }
        Text::ErrMarianMissingTensor => "{} não tem o tensor `{}`",
        Text::ErrMarianShape => "{}: o tensor `{}` tem o formato {}, mas o modelo espera {}",
        Text::ErrSourceForDecoder => {
            "`--source` é para modelos codificador-decodificador (tradução), e {} é um modelo só decodificador: passe o texto como prompt, sem `--source`"
        }
        Text::ErrNoSource => {
            "{} é um modelo codificador-decodificador (tradução): passe o texto a traduzir com `--source TEXTO`; o argumento opcional é o começo da tradução"
        }
        Text::ErrSourceTooLong => {
            "o texto de origem tem {} tokens, mas este modelo lê no máximo {}: encurte-o"
        }
        Text::ErrEmptySource => {
            "o texto de origem está vazio: passe algo para traduzir com `--source TEXTO`"
        }
        Text::ErrUnknownSeq2Seq => {
            "o config.json desta pasta de codificador-decodificador diz model_type `{}`: o tokenscope roda os codificadores-decodificadores {}"
        }
        Text::RollsNotListed => "+ {} tokens mantidos a mais fora da lista ({} sorteios)",
        Text::ErrEmptySequence => "ainda não há nenhum token a partir do qual prever o próximo",
        Text::ErrIndex => {
            "--index {} passa do último token: o texto tem {} tokens (--index conta a partir de 0)"
        }
        Text::ColLayer => "camada",
        Text::AttentionTitle => {
            "para onde o token {} («{}») olha, por camada: as {} posições mais atendidas de {} ({}; número do token:texto e peso; --json tem todas)"
        }
        Text::AttentionMean => "média das cabeças",
        Text::AttentionHead => "cabeça {}",
        Text::ErrHead => {
            "--head {} não existe: o modelo tem {} cabeças por camada (contadas a partir de 0)"
        }
        Text::LensTitle => {
            "lente de logits: os {} próximos tokens mais prováveis se o modelo parasse após cada camada (norma final + cabeça LM; probabilidades sobre o vocabulário inteiro)"
        }
        Text::LensFirstLeads => {
            "a resposta final fica em primeiro da camada {} de {} em diante (◀)"
        }
        Text::ErrInsideNeedsDecoder => {
            "embed-token, lens e attention precisam de um modelo só de decodificador (um GGUF, ou uma pasta HF Llama / Gemma 3), por exemplo --model smollm2-135m ou --model gemma-3-270m"
        }
        Text::ErrModelCrashed => {
            "a conta do modelo falhou duas vezes seguidas dentro da libtorch ({}); o prompt e os ramos foram mantidos: mude o prompt ou avance de novo para tentar outra vez"
        }
        Text::EmbedTokenPick => {
            "o texto tem {} tokens; mostrando o token {} («{}»); --index N escolhe outro (a partir de 0)"
        }
        Text::EmbedTokenNorm => "vetor: {} valores, norma {}, de {} a {}",
        Text::EmbedTokenTied => {
            "embeddings amarrados: a mesma matriz é a camada de saída (logit = linha · estado oculto final)"
        }
        Text::EmbedTokenUntied => "a camada de saída é outra matriz (embeddings não amarrados)",
        Text::EmbedTokenNeighbours => {
            "tokens mais próximos por similaridade de cosseno na tabela de embeddings"
        }
        Text::ColCosine => "cosseno",
        Text::ErrWordsNeedDecoder => {
            "a visão de palavras precisa de um modelo só de decodificador (w a desliga)"
        }
        Text::NoticeWordFailed => "Não foi possível completar uma palavra (mostrada como —): {}",
        Text::KeyWords => {
            "visão de palavras: cada candidato completado até a palavra, com a probabilidade conjunta"
        }
        Text::HintWords => "palavras",
        Text::ColWord => "palavra",
        Text::WordViewTitle => "palavras: gulosa, p do modelo multiplicada",
        Text::NoticeWordsOn => {
            "Visão de palavras: cada candidato é completado até uma palavra inteira, com a probabilidade conjunta dos seus tokens ({} desliga)"
        }
        Text::NoticeWordsOff => "Visão de palavras desligada: os candidatos voltam a ser tokens",
        Text::WordPending => "…",
        Text::EncNoModelType => "não é uma pasta HF com config.json (um decodificador GGUF?)",
        Text::EncModelType => "o config.json dele diz `model_type` {}",
        Text::ErrNotAnEncoder => {
            "{} não é um codificador da família BERT ({}): `fill` e `embed` leem o texto com um codificador (BERT, RoBERTa, DistilBERT), como all-minilm-l6-v2 ou bert-tiny; um decodificador escreve o texto um token por vez: use-o com `next` ou `generate`"
        }
        Text::ErrEncoderTokenizer => "o tokenizador do codificador: {}",
        Text::ErrNoMask => {
            "o texto não tem máscara: escreva {} onde o modelo deve adivinhar, por exemplo \"a capital da frança é [MASK].\""
        }
        Text::ErrNoMlmHead => {
            "{} não tem a cabeça de modelo de linguagem mascarado (é um modelo de embeddings de frases): use `embed` com ele, ou `fill` com um modelo de preencher máscara como bert-tiny"
        }
        Text::ErrEncoderTooLong => {
            "o texto tem {} tokens (contando os especiais), mas este codificador lê no máximo {}: encurte-o"
        }
        Text::ErrNoSentences => {
            "nenhuma frase: passe uma ou mais como argumentos, ou `-` para ler uma por linha da entrada padrão"
        }
        Text::FillHeader => {
            "{}: máscara {} de {} na posição {}; o codificador leu {} à esquerda e {} à direita; entropia {} nats"
        }
        Text::FillWeak => {
            "observação: o bert-tiny foi ajustado para busca, então os palpites dele são fracos: ele mostra o mecanismo, não boas respostas"
        }
        Text::EmbedHeader => "{}: {} → vetores de {} números ({})",
        Text::SentenceOne => "{} frase",
        Text::SentenceMany => "{} frases",
        Text::PoolMean => "média dos vetores dos tokens",
        Text::PoolCls => "o vetor do primeiro token",
        Text::PoolMax => "máximo sobre os vetores dos tokens",
        Text::PoolNormalized => "{}, normalizado para comprimento 1",
        Text::PoolDefault => "{}: sem 1_Pooling/config.json, então a receita usual",
        Text::ColSentence => "frase",
        Text::ColVectorStart => "vetor (primeiros {})",
        Text::CosineTitle => "similaridade de cosseno (1 = mesma direção)",
        Text::EmbedMost => "mais parecidas: {} e {} (cosseno {})",
        Text::EmbedLeast => "menos parecidas: {} e {} (cosseno {})",
        Text::FillRest => "resto do vocabulário ({}): {}",
        Text::HintEncoder => {
            "É um codificador (estilo BERT), que lê o texto inteiro em vez de escrever um token por vez: use `tokenscope fill` para preencher máscaras ou `tokenscope embed` para embeddings de frases (o playground também os mostra: `tokenscope --model bert-tiny`)"
        }
        Text::SectionModels => "Modelos",
        Text::KeyPicker => "modelos: listar e trocar sem reiniciar (F3)",
        Text::KeyPickerClose => "fechar a lista de modelos",
        Text::KeyPickerMove => "escolher um modelo",
        Text::KeyPickerChoose => {
            "carregar no lugar do modelo atual (que responde até o novo ficar pronto)"
        }
        Text::KeyPickerAsB => "abrir como modelo B, ao lado do A (modelos A/B)",
        Text::KeyPickerCloseB => "fechar o modelo B",
        Text::HintModels => "modelos",
        Text::HintNextMask => "próxima máscara",
        Text::HintLoad => "carregar",
        Text::HintAsB => "abrir como B",
        Text::HintCloseB => "fechar B",
        Text::ModeModels => "MODELOS",
        Text::PickerTitle => "Modelos",
        Text::PickerInstalled => "Instalados",
        Text::PickerNotInstalledHeader => {
            "Não instalados (instale pelo terminal e abra o tokenscope de novo)"
        }
        Text::PickerNowA => "carregado (A)",
        Text::PickerNowB => "carregado (B)",
        Text::PickerLoadingRow => "carregando {}%",
        Text::PickerNotInstalled => "não instalado",
        Text::PickerEncoder => "reinicie com --model para abri-lo (máscaras / embeddings)",
        Text::PickerSeq2seq => "reinicie com --model para abri-lo (tradução)",
        Text::PickerCurrentPath => "Carregado agora: {}",
        Text::NoticeSwitched => "Agora com {}: a geração foi zerada (o prompt continua).",
        Text::NoticeAlreadyLoaded => "{} já é o modelo carregado.",
        Text::NoticeNotInstalled => "Não instalado: rode {}",
        Text::NoticeNotDecoder => {
            "A lista troca só decodificadores: abra um codificador ou um modelo de tradução com tokenscope --model NOME."
        }
        Text::NoticeLoadingModel => {
            "Carregando {}: o modelo atual continua respondendo até ele ficar pronto."
        }
        Text::StatusIncoming => "carregando {}",
        Text::StatusModelB => "modelo B: {}",
        Text::AbTitle => "Modelos A/B · o mesmo prompt",
        Text::AbCompare => "o mesmo texto: {} em A, {} em B",
        Text::AbLoading => "carregando o modelo B… {}%",
        Text::AbWaiting => "calculando…",
        Text::AbEmpty => "Digite um prompt: os dois modelos o leem.",
        Text::AbNext => "próximo token:",
        Text::AbVersusFirst => {
            "O prompt A/B está aberto (F4): feche-o para ver os modelos A/B aqui."
        }
        Text::KeySwitchSource => {
            "tradução: digitar na origem (codificador) ou no alvo (decodificador)"
        }
        Text::SourceTitle => "Origem · codificador",
        Text::TargetTitle => "Alvo · decodificador",
        Text::SourcePlaceholder => "Digite o texto a traduzir…",
        Text::TargetPlaceholder => "início da tradução",
        Text::SourceSwitchHint => "{}: origem/alvo",
        Text::SourceStats => "codificador rodou uma vez: {} tokens, {}",
        Text::DecoderStep => "decodificador: passo {}, um por token",
        Text::SourceStatsShort => "codificou 1 vez, {}",
        Text::DecoderStepShort => "decodificador: passo {}",
        Text::SourceEncoding => "codificando…",
        Text::SourceAttention => "atenção cruzada do passo {} (última camada, média das cabeças):",
        Text::SourceAttentionShort => "atenção cruzada, passo {}:",
        Text::KeyNextMask => "preencher máscara: mostrar a próxima [MASK] do prompt",
        // ── export and sessions (issue 11) ──
        Text::KeyExport => "exportar a vista atual (Markdown, JSON, CSV, captura em texto)",
        Text::KeySaveSession => "salvar a sessão (abra de novo com --session ARQUIVO)",
        Text::NoticeExported => "Exportado: {}",
        Text::NoticeExportFailed => "A exportação falhou: {}",
        Text::NoticeSessionSaved => "Sessão salva: {}",
        Text::NoticeSessionFailed => "Não foi possível salvar a sessão: {}",
        Text::NoticeSessionOtherModel => {
            "Sessão feita com outro modelo ({}): o prompt é tokenizado de novo, os ramos mantêm seus ids."
        }
        Text::NoticeSessionVocab => "Ramos descartados: {}",
        Text::SessionVocabDetail => {
            "{} foi feita com {}; o id de token {} está fora do vocabulário de {} tokens deste modelo"
        }
        Text::ErrExportDir => "não foi possível criar a pasta de exportação {}: {}",
        Text::ErrExportWrite => "não foi possível gravar {}: {}",
        Text::ErrSessionRead => "não foi possível ler o arquivo de sessão {}: {}",
        Text::ErrSessionNotJson => {
            "o arquivo de sessão {} não é JSON válido ({}); salve uma sessão com Ctrl-S para obter um"
        }
        Text::ErrSessionVersion => {
            "o arquivo de sessão {} tem versão de formato {}, e este tokenscope lê a versão {}; salve a sessão de novo com esta versão"
        }
        Text::ErrSessionField => "o arquivo de sessão {} tem um campo inválido «{}»: {}",
        Text::ExportTitle => "exportação do tokenscope",
        Text::ExportModel => "Modelo",
        Text::ExportPrompt => "Texto do prompt",
        Text::ExportPromptB => "Prompt B da comparação",
        Text::ExportChat => "Modelo de chat",
        Text::ExportYes => "sim",
        Text::ExportNo => "não",
        Text::ExportPromptTokens => "Tokens do prompt",
        Text::ExportContinuation => "Continuação",
        Text::ExportSettings => "Configurações",
        Text::ExportColumn => "Coluna {}",
        Text::ExportColumnSampled => "após configurações ({})",
        Text::ExportSettingsLine => {
            "temperatura {} · top-k {} · top-p {} · min-p {} · semente {} · ordem {}"
        }
        Text::ExportKept => "Mantidos (de {} tokens): {}.",
        Text::ExportEntropy => "Entropia (nats): modelo {}, após configurações {}.",
        Text::ExportPartial => {
            "Só os {} primeiros do servidor são conhecidos: o resto do vocabulário tem {} da probabilidade; todas as colunas são só sobre os mostrados."
        }
        Text::ExportKeptShown => "Mantidos (dos {} mostrados): {}.",
        Text::ExportWords => "Palavras",
        Text::ExportCosine => "cosseno",
        Text::ExportLayer => "camada",
        Text::ExportPosition => "posição",
        Text::ExportWeight => "atenção",
        Text::ExportBranches => "Ramos",
        Text::ExportLogProb => "ln p (em nats)",
        Text::ExportCount => "vezes",
        Text::ExportSeen => "observado",
        Text::NoticeEncoderFills => {
            "Um codificador preenche máscaras: não escreve o próximo token."
        }
        Text::NoticeEncoderEmbeds => {
            "Um modelo de embeddings não escreve tokens: transforma linhas em vetores."
        }
        Text::NoticeMasksNeedFill => {
            "F6 passa de uma máscara a outra com um codificador de preencher máscaras (ex.: --model bert-tiny)."
        }
        Text::NoticeFillNoMask => "Nenhuma máscara para preencher: digite [MASK] no prompt antes.",
        Text::NoticeFilledMask => "A máscara agora diz “{}”.",
        Text::NoticeClickMask => "Clique no chip de uma máscara para ver a distribuição dela.",
        Text::FillLeft => "◀ antes da máscara",
        Text::FillRight => "depois dela ▶",
        Text::FillStrong => "sublinhado: mais atenção",
        Text::FillTitle => "Em {} {} de {} (token {})",
        Text::FillTitleEmpty => "Preencher a máscara",
        Text::FillTypeMask => {
            "Digite {} onde o modelo deve adivinhar: ele lê as palavras dos dois lados."
        }
        Text::FillPaneTitle => "Codificador · lê os dois lados",
        Text::FillSides => "máscara {} de {} · leu {} tokens antes, {} depois",
        Text::FillNextMaskHint => "{}: próxima máscara",
        Text::FillMostAttention => "mais atenção:",
        Text::FillBothSides => {
            "Uma palavra depois da máscara muda isto: um decodificador nunca a vê."
        }
        Text::FillBestGuess => "melhor palpite:",
        Text::FillWeakModel => "bert-tiny foi ajustado para busca: palpites fracos.",
        Text::EmbedTitle => "Embeddings de frases",
        Text::EmbedDim => "{} dimensões",
        Text::EmbedEmpty => {
            "Digite uma frase por linha (Enter começa outra): cada uma vira um vetor."
        }
        Text::EmbedStripHeader => "cada linha → um vetor (primeiras {} de {} dimensões):",
        Text::EmbedCosine => "cosseno",
        Text::EmbedMostLabel => "mais parecidas:",
        Text::EmbedLeastLabel => "menos parecidas:",
        Text::EmbedPair => "{} e {} ({})",
        Text::NoticeEncoderNoB => {
            "O modelo B compara próximos tokens: o modelo A precisa ser um decodificador."
        }
        Text::EmbedNote => "Sentidos parecidos pontuam alto mesmo com palavras diferentes.",
        Text::EndpointServesNothing => "nenhum modelo",
        Text::EndpointBadUrl => {
            "--endpoint {} não é uma URL http:// ou https://: dê a base de uma API compatível com a OpenAI, por exemplo http://127.0.0.1:8080/v1."
        }
        Text::EndpointUnreachable => {
            "não foi possível conectar a {} ({}): o servidor está rodando e escutando nesse endereço?"
        }
        Text::EndpointTimedOut => {
            "{} não respondeu em {} s ({}): o servidor está lento ou travado; aumente --timeout ou verifique o servidor."
        }
        Text::EndpointStatus => "{} respondeu HTTP {}: {}",
        Text::EndpointKeyMissing => {
            "{} pede uma chave de API: defina TOKENSCOPE_API_KEY (ou OPENAI_API_KEY)."
        }
        Text::EndpointKeyRejected => {
            "{} recusou a chave de API: confira TOKENSCOPE_API_KEY / OPENAI_API_KEY."
        }
        Text::EndpointNotOpenAi => {
            "{} respondeu, mas não como uma API compatível com a OpenAI ({})."
        }
        Text::EndpointUnknownModel => {
            "o servidor não serve o modelo {}; ele serve: {}. Escolha um deles com --model."
        }
        Text::EndpointNoModel => "diga o modelo servido com --model; o servidor serve: {}.",
        Text::EndpointTooLarge => "{} mandou uma resposta maior que {} MB: recusada.",
        Text::EndpointNoLogprobs => {
            "{} não deu log-probabilidades: não aceita `logprobs` em /v1/completions."
        }
        Text::EndpointTransport => "a conversa com {} falhou: {}",
        Text::EndpointSummary => {
            "{} em {}: os {} primeiros de um vocabulário de tamanho desconhecido · {} · entropia ≥ {} nats (um limite)"
        }
        Text::EndpointRestLine => {
            "o resto (tokens não mostrados): pelo menos {} da massa (1 − Σ mostrados)"
        }
        Text::EndpointSamplerNote => {
            "as colunas do amostrador são só sobre os {} tokens mostrados (renormalizados entre si)"
        }
        Text::EndpointPromptUnavailable => {
            "cores dos tokens do prompt: indisponíveis (o servidor não devolve as log-probabilidades do prompt, ou as devolve desalinhadas)"
        }
        Text::EndpointTokensNone => {
            "ids dos tokens: nenhum (o servidor não tem rota de tokenização)"
        }
        Text::EndpointEmptyToken => {
            "parou: o token escolhido pelo servidor não tem texto próprio (fim de sequência ou parte de um caractere)"
        }
        Text::EndpointNoTokenizer => {
            "{} não tem rota de tokenização: a tokenização não está disponível por este endpoint."
        }
        Text::EndpointFlagsWithout => "{} só funciona com --endpoint URL.",
        Text::EndpointUnsupported => {
            "{} não está disponível com --endpoint (o servidor dá só o texto e as log-probabilidades dos primeiros candidatos)."
        }
        Text::EndpointPromptScored => "prompt, como o servidor o pontuou: {}",
        Text::EndpointStepsNote => {
            "{} passos por {}: cada um pediu ao servidor os {} primeiros e escolheu só entre eles"
        }
        Text::EndpointRetrying => "{}: {}; nova tentativa em {} s (tentativa {})",
        Text::EndpointAttemptOne => "{} tentativa",
        Text::EndpointAttemptMany => "{} tentativas",
        Text::EndpointShortUnreachable => "sem conexão",
        Text::EndpointShortTimedOut => "sem resposta em {} s",
        Text::EndpointShortStatus => "uma resposta HTTP {}",
        Text::EndpointServedAt => "modelos servidos em {} (escolha com --model):",
        Text::ModeInsideWord => "PALAVRA",
        Text::SectionInside => "Dentro do modelo",
        Text::KeyInside => "por dentro: desligado → embedding → lente → atenção",
        Text::KeyInsideLayer => "atenção: camada anterior / próxima",
        Text::KeyInsideHead => "atenção: próxima cabeça / anterior (e a média)",
        Text::KeyInsideWord => "embedding: os vizinhos de uma palavra digitada",
        Text::KeyInsideWordType => "digitar a palavra",
        Text::KeyInsideWordDelete => "apagar o último caractere",
        Text::KeyInsideWordSubmit => "procurar a palavra (vazio: volta ao token selecionado)",
        Text::KeyInsideWordClose => "fechar o campo da palavra",
        Text::HintInside => "por dentro",
        Text::HintInsideLayer => "camada",
        Text::HintInsideHead => "cabeça",
        Text::HintInsideWord => "palavra",
        Text::HintInsideWordSubmit => "procurar",
        Text::NoticeInsideOff => "visão por dentro desligada",
        Text::NoticeInsideEmbedding => {
            "visão por dentro: o embedding do token e seus vizinhos mais próximos"
        }
        Text::NoticeInsideLens => {
            "visão por dentro: a lente de logits (o que cada camada preveria)"
        }
        Text::NoticeInsideAttention => "visão por dentro: atenção (para onde a posição olha)",
        Text::NoticeInsideFailed => "não foi possível calcular a visão por dentro: {}",
        Text::InsideTitleEmbedding => "Por dentro · embedding",
        Text::InsideTitleLens => "Por dentro · lente de logits",
        Text::InsideTitleAttention => "Por dentro · atenção",
        Text::InsideComputing => "calculando…",
        Text::InsideUnavailable => {
            "Indisponível para este modelo: só um decodificador (SmolLM2, Gemma 3) mostra embeddings, camadas e atenção."
        }
        Text::InsideNothing => {
            "Nada a mostrar ainda: a visão explica o token antes do cursor, e não há nenhum."
        }
        Text::InsideFailed => "Não foi possível calcular: {}",
        Text::InsideAt => "em {}, posição {} de {}",
        Text::InsideEmbToken => "{} · id {} · {} valores",
        Text::InsideEmbNorm => "norma {} · mín. {} · máx. {}",
        Text::InsideEmbTied => "Compartilhada: a mesma matriz é a camada de saída.",
        Text::InsideEmbUntied => "Não compartilhada: a camada de saída é outra matriz.",
        Text::InsideEmbStrip => "cada marca: o maior de {} valores; cor = sinal",
        Text::InsideEmbScaled => {
            "Linha crua da tabela; o modelo a multiplica por √hidden = {} antes da primeira camada."
        }
        Text::InsideEmbNeighbours => "os {} mais próximos de {} linhas (cosseno)",
        Text::InsideEmbWord => "palavra digitada {}: {} tokens, mostra-se o primeiro",
        Text::InsideEmbWordOne => "palavra digitada {}: um token",
        Text::InsideWordPrompt => "palavra: ",
        Text::InsideWordHelp => "Enter procura · Enter vazio: volta ao token · Esc fecha",
        Text::InsideWordHint => "{}: vizinhos de uma palavra digitada",
        Text::InsideLensHead => "os {} primeiros de {} por camada, probabilidade com temperatura 1",
        Text::InsideLensLast => "= painel do próximo token",
        Text::InsideLensFirst => "a resposta final {} fica em 1º a partir da camada {}",
        Text::InsideLensHidden => "camadas 1–{} ficam acima (sem espaço)",
        Text::InsideAttnMean => "camada {} de {} · média de {} cabeças",
        Text::InsideAttnHead => "camada {} de {} · cabeça {} de {}",
        Text::InsideAttnLegend => {
            "mais claro = mais atenção · ░ mascarado: a posição não vê tokens posteriores"
        }
        Text::InsideAttnTop => "mais atendidos, os {} maiores de {} posições:",
        Text::ServedNoWords => {
            "a visão de palavras não está disponível com --endpoint (custaria um pedido por passo de decodificação gulosa de cada candidato)"
        }
        Text::ServedNoPicker => {
            "o seletor de modelos e o modelo B não estão disponíveis com --endpoint (o servidor serve o próprio modelo)"
        }
        Text::ServedNoVersus => {
            "o prompt B não está disponível com --endpoint (comparar exige distribuições inteiras; o servidor mostra só os candidatos do topo)"
        }
        Text::ServedTopOf => "top {} de um vocabulário desconhecido",
        Text::ServedTopOfShort => "top {} de ?",
        Text::ServedRest => "resto: mais {} do top {} e todos os não mostrados",
        Text::ServedRestShort => "resto · top {} de ?",
        Text::ServedSampledNote => "amostrado: só entre os {} mostrados",
        Text::ServedAtLeast => "≥{}",
        Text::ServedInFlight => "consultando o servidor… {} s",
        Text::ServedRetrying => "servidor: {}; nova tentativa {}/{} em {} s",
        Text::ServedAgainIn => "perguntando de novo em {} s",
        Text::ServedOutsideTop => "fora do top {}",
        Text::ServedNoDistribution => {
            "o servidor não deu distribuição aqui: só após o prompt inteiro e após cada token escolhido"
        }
        Text::ServedPromptUnscored => "prompt: sem notas do servidor",
        Text::ServedPromptScored => "prompt: probabilidades do servidor, sem posições",
        Text::ServedRankLegend => "ranking entre os top {}:",
        Text::ServedDiceNote => "só entre os {} mostrados",
        Text::ServedDevice => "servidor",
    }
}
