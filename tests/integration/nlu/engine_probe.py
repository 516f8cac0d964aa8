"""Parse the same texts with both serving engines; prints one JSON object.

Runs under the Rasa Python 3.10 (not collected by pytest): test_engines.py starts it as
`<rasa-python> engine_probe.py MODEL TEXTS_JSON WORK_DIR` with the repo on PYTHONPATH.
"""

from __future__ import annotations

import json
import sys
import tarfile
from pathlib import Path
from typing import Any

from bot.nlu.rasa.runtime import ModelLoadError, load_model, parse_batch


def with_rasa_tokenizer(model: Path, workdir: Path) -> Path:
    """A copy of `model` whose tokenizer node is Rasa's WhitespaceTokenizer: a graph the fast
    engine has no step for, which "auto" must hand to Rasa's runtime."""
    unpacked = workdir / "unpacked"
    with tarfile.open(model) as tar:
        tar.extractall(unpacked)  # our own freshly trained archive
    metadata = json.loads((unpacked / "metadata.json").read_text())
    for node in metadata["predict_schema"]["nodes"].values():
        if node["uses"].endswith("ChatTokenizer"):
            node["uses"] = "rasa.nlu.tokenizers.whitespace_tokenizer.WhitespaceTokenizer"
    (unpacked / "metadata.json").write_text(json.dumps(metadata))
    changed = workdir / "whitespace.tar.gz"
    with tarfile.open(changed, "w:gz") as tar:
        tar.add(unpacked, arcname="")
    return changed


def main(model: Path, texts: list[str], workdir: Path) -> dict[str, Any]:
    fast = load_model(model, "auto")
    fast_results = parse_batch(fast, texts)
    fast_single = [parse_batch(fast, [text])[0] for text in texts[:60]]
    imported = sorted(m for m in ("rasa", "tensorflow", "sklearn") if m in sys.modules)
    rasa = load_model(model, "rasa")
    other = with_rasa_tokenizer(model, workdir)
    fallback = load_model(other, "auto")
    try:
        load_model(other, "fast")
        fast_refusal = None
    except ModelLoadError as exc:
        fast_refusal = str(exc)
    return {
        "engines": [fast.engine, rasa.engine, fallback.engine],
        "imported_by_fast_engine": imported,
        "fast": fast_results,
        "rasa": parse_batch(rasa, texts),
        "fast_single": fast_single,
        "fallback": parse_batch(fallback, texts[:20]),
        "fast_refusal": fast_refusal,
        "describe": fast.describe(),
    }


if __name__ == "__main__":
    texts = json.loads(Path(sys.argv[2]).read_text("utf-8"))
    print(json.dumps(main(Path(sys.argv[1]), texts, Path(sys.argv[3]))))
