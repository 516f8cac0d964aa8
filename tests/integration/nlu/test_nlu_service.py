"""The NLU service end to end: a model trained from tests/fixtures/nlu, served over HTTP."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

pytestmark = pytest.mark.integration


def parse(client: httpx.Client, *texts: str) -> list[dict[str, Any]]:
    response = client.post("/parse", json={"texts": list(texts)})
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def heldout_examples(fixtures: Path) -> list[tuple[str, str, str]]:
    """(text, intent, language) from the held-out Rasa YAML, which is never trained on."""
    data = yaml.safe_load((fixtures / "heldout" / "heldout.yml").read_text())
    examples = []
    for block in data["nlu"]:
        for line in block["examples"].splitlines():
            text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", line.strip().removeprefix("- "))
            if text:
                examples.append((text, block["intent"], block["metadata"]["language"]))
    return examples


def test_batch_results_come_back_in_order_with_intents(client: httpx.Client) -> None:
    texts = ["sawubona", "ke batla ho reka lebese", "how much is the milk", "ngicela isinkwa"]
    results = parse(client, *texts)

    assert [r["text"] for r in results] == texts
    assert [r["intent"]["name"] for r in results] == ["greet", "order", "ask_price", "order"]
    for result in results:
        ranking = result["intent_ranking"]
        assert 1 <= len(ranking) <= 5
        confidences = [item["confidence"] for item in ranking]
        assert confidences == sorted(confidences, reverse=True)
    products = [(e["entity"], e["value"]) for e in results[3]["entities"]]
    assert products == [("product", "bread")]  # isinkwa, mapped by the synonym


def entities(result: dict[str, Any]) -> list[tuple[str, str, Any]]:
    return [
        (e["entity"], result["text"][e["start"] : e["end"]], e["value"]) for e in result["entities"]
    ]


def test_amounts_come_with_normalised_values(client: httpx.Client) -> None:
    results = parse(
        client,
        "ngicela isinkwa ezimbili",
        "ke kopa mahe a mararo",
        "I want two loaves of bread",
        "how much is 2 kilos of sugar",
        "is bread still R15.50?",
    )
    assert ("quantity", "ezimbili", 2) in entities(results[0])
    assert ("product", "isinkwa", "bread") in entities(results[0])  # lookup + synonym
    assert ("quantity", "a mararo", 3) in entities(results[1])
    assert ("product", "mahe", "eggs") in entities(results[1])
    assert {("quantity", "two", 2), ("unit", "loaves", "loaf")} <= set(entities(results[2]))
    assert {("quantity", "2", 2), ("unit", "kilos", "kg")} <= set(entities(results[3]))
    assert ("money", "R15.50", 1550) in entities(results[4])
    extractors = {e["extractor"] for r in results for e in r["entities"]}
    assert extractors == {"AmountExtractor", "ProductTagger"}


def test_the_service_runs_the_fast_engine(client: httpx.Client) -> None:
    assert client.get("/model").json()["engine"] == "fast"


def test_batch_and_single_parses_agree(client: httpx.Client) -> None:
    texts = ["hello", "ngiyabonga kakhulu", "odara ya ka e kae", "ok", "2", ""]
    batched = parse(client, *texts)
    single = [parse(client, text)[0] for text in texts]
    assert batched == single


@pytest.mark.parametrize(("text", "code"), [("sawubona", "zu"), ("dumela", "st"), ("hello", "en")])
def test_greetings_get_their_language_confidently(
    client: httpx.Client, text: str, code: str
) -> None:
    language = parse(client, text)[0]["language"]
    assert language["code"] == code
    assert language["confidence"] >= 0.8


@pytest.mark.parametrize("text", ["ok", "yebo", "2", "👍", "", "R50", "ok 👍", "2 x"])
def test_texts_without_language_evidence_get_low_confidence(
    client: httpx.Client, text: str
) -> None:
    language = parse(client, text)[0]["language"]
    assert language["confidence"] < 0.7, language


def test_digits_emoji_and_words_everyone_uses_are_undetermined(client: httpx.Client) -> None:
    for result in parse(client, "2", "👍", "   ", "yebo", "ok", "Yebo!", "eish"):
        assert result["language"]["code"] == "und"
        assert result["language"]["confidence"] == 0.0


def test_code_switching_is_reported_as_mixed(client: httpx.Client) -> None:
    results = parse(client, "hello ngicela amaqanda", "sawubona I want to buy milk")
    assert [r["language"]["code"] for r in results] == ["mixed", "mixed"]


def test_heldout_language_and_intent_accuracy(client: httpx.Client, nlu_fixtures: Path) -> None:
    examples = heldout_examples(nlu_fixtures)
    results = parse(client, *(text for text, _, _ in examples))

    language_hits = sum(
        r["language"]["code"] == lang for r, (_, _, lang) in zip(results, examples, strict=True)
    )
    intent_hits = sum(
        r["intent"]["name"] == intent for r, (_, intent, _) in zip(results, examples, strict=True)
    )
    assert language_hits / len(examples) >= 0.9
    assert intent_hits / len(examples) >= 0.8


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ('{"texts": ', "invalid_json", None),
        ("[1, 2]", "invalid_json", None),
        ("{}", "missing_field", "texts"),
        ('{"texts": "hi"}', "invalid_field", "texts"),
        ('{"texts": ["hi", 5]}', "invalid_field", "texts[1]"),
        ('{"texts": ["hi", null]}', "invalid_field", "texts[1]"),
        ('{"texts": [' + ", ".join(['"a"'] * 257) + "]}", "too_many_texts", "texts"),
        ('{"texts": ["' + "a" * 4097 + '"]}', "text_too_long", "texts[0]"),
    ],
    ids=["truncated", "array", "missing", "string", "int", "null", "257-texts", "4097-chars"],
)
def test_bad_parse_requests_get_400_naming_the_field(
    client: httpx.Client, body: str, code: str, field: str | None
) -> None:
    response = client.post("/parse", content=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert error.get("field") == field
    assert error["message"]


def test_limits_are_inclusive(client: httpx.Client) -> None:
    results = parse(client, *(["a" * 4096] + ["hi"] * 255))
    assert len(results) == 256


def test_health_ready_and_model_identity(client: httpx.Client) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/ready").status_code == 200
    model = client.get("/model").json()
    assert model["model"].endswith(".tar.gz")
    assert re.fullmatch(r"[0-9a-f]{64}", model["fingerprint"])  # sha256 of the archive
    assert model["model_id"]
    assert model["reload"]["state"] in {"idle", "failed"}


def test_unknown_route_is_a_json_404(client: httpx.Client) -> None:
    response = client.get("/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "invalid_field"),
        ({"model": 3}, 400, "invalid_field"),
        ({"model": "/etc/passwd"}, 403, "model_path_forbidden"),
        ({"model": "missing.tar.gz"}, 403, "model_path_forbidden"),  # relative to the cwd
    ],
)
def test_reload_rejects_bad_requests(
    client: httpx.Client, body: dict[str, Any], status: int, code: str
) -> None:
    response = client.post("/model/reload", json=body)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_reload_of_a_missing_archive_is_404(client: httpx.Client, models_dir: Path) -> None:
    response = client.post("/model/reload", json={"model": str(models_dir / "nope.tar.gz")})
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "model_not_found",
        "field": "model",
        "message": f"no model archive at {models_dir.resolve() / 'nope.tar.gz'}",
    }


def wait_for_reload(client: httpx.Client, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        model: dict[str, Any] = client.get("/model").json()
        if model["reload"]["state"] != "loading":
            return model
        time.sleep(0.1)
    pytest.fail(f"reload still running after {timeout} s")


def test_broken_archive_leaves_the_old_model_serving(
    client: httpx.Client, models_dir: Path
) -> None:
    before = client.get("/model").json()["model"]
    broken = models_dir / "broken.tar.gz"
    broken.write_bytes(b"not a model")

    assert client.post("/model/reload", json={"model": str(broken)}).status_code == 202
    model = wait_for_reload(client)

    assert model["model"] == before
    assert model["reload"]["state"] == "failed"
    assert model["reload"]["model"] == "broken.tar.gz"
    assert parse(client, "sawubona")[0]["intent"]["name"] == "greet"


def test_reload_swaps_models_while_parses_keep_succeeding(
    client: httpx.Client, nlu_service: Any, second_model: Path
) -> None:
    failures: list[str] = []
    served: set[str] = set()
    stop = threading.Event()

    def keep_parsing() -> None:
        with httpx.Client(base_url=nlu_service.base_url, timeout=30) as http:
            while not stop.is_set():
                try:
                    response = http.post("/parse", json={"texts": ["sawubona", "hello"] * 4})
                    body = response.json()
                    if response.status_code != 200 or len(body["results"]) != 8:
                        failures.append(response.text)
                    served.add(body["model"])
                except Exception as exc:
                    failures.append(repr(exc))

    before = client.get("/model").json()["model"]
    threads = [threading.Thread(target=keep_parsing) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 30
        while before not in served and time.monotonic() < deadline:
            time.sleep(0.01)  # parses are flowing on the old model before the reload starts
        response = client.post("/model/reload", json={"model": str(second_model)})
        assert response.status_code == 202, response.text
        assert response.json() == {"status": "loading", "model": second_model.name}
        model = wait_for_reload(client)
        time.sleep(0.5)  # let the parsers run on the new model for a moment
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

    assert model["reload"] == {"state": "idle"}
    assert model["model"] == second_model.name
    assert failures == []
    assert {before, second_model.name} <= served
    assert client.post("/parse", json={"texts": ["hi"]}).json()["model"] == second_model.name
