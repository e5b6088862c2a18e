"""Both translation backends against real things: model files CTranslate2 loads, and an HTTP server.

The CTranslate2 model is the tiny random one from tests/fixtures (no real model exists
here), so these tests prove loading, tokenising, batching and decoding, not quality. The
LibreTranslate backend talks to a local ``ThreadingHTTPServer`` whose answers each test
scripts.
"""

import contextlib
import json
import logging
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sentencepiece
from pydantic import SecretStr

from kabar.services.common.retry import Backoff
from kabar.services.enrichment.translation import (
    CachedTranslator,
    CTranslate2Translator,
    LibreTranslateTranslator,
    TranslationError,
    translate_text,
)
from tests.fixtures.tiny_translation_model import build_tiny_model

VOCABULARY = [
    "pemerintah",
    "provinsi",
    "jawa",
    "barat",
    "banjir",
    "warga",
    "bandung",
    "kata",
    "kepala",
    "menteri",
    "bantuan",
    "posko",
]
SENTENCES = ["pemerintah jawa barat", "banjir di bandung", "kata kepala", "bantuan posko warga"]
TINY_BACKOFF = Backoff(base_s=0.001, max_s=0.01)


# --- CTranslate2 ----------------------------------------------------------------------------


@pytest.fixture
def tiny_model(tmp_path: Path) -> Path:
    return build_tiny_model(tmp_path / "tiny-id-en", VOCABULARY)


def translator(model_dir: Path, **options: Any) -> CTranslate2Translator:
    # Random weights never choose to stop, so a short decoding limit keeps the tests fast.
    return CTranslate2Translator(model_dir, device="cpu", max_decoding_length=12, **options)


def test_the_tiny_model_translates_a_batch_deterministically(tiny_model: Path) -> None:
    model = translator(tiny_model, beam_size=2, max_batch_size=2, compute_type="int8")
    first = model.translate(SENTENCES, "id")
    assert len(first) == len(SENTENCES)
    assert all(isinstance(text, str) and text for text in first)
    assert model.translate(SENTENCES, "id") == first
    assert model.translate(list(reversed(SENTENCES)), "id") == list(reversed(first))
    known = {"<unk>", "<s>", "</s>", *VOCABULARY}
    assert {token for text in first for token in text.split()} <= known  # whitespace tokens out
    assert model.name == "ctranslate2:tiny-id-en"


def test_blank_sentences_stay_blank_and_an_empty_batch_is_free(tiny_model: Path) -> None:
    model = translator(tiny_model)
    result = model.translate(["pemerintah jawa", "   ", "banjir"], "id")
    assert result[1] == ""
    assert result[0] and result[2]
    assert model.translate([], "id") == []


def test_an_nllb_model_gets_language_tokens_and_drops_the_target_one(tmp_path: Path) -> None:
    model_dir = build_tiny_model(tmp_path / "nllb", [*VOCABULARY, "ind_Latn", "zsm_Latn", "eng_Latn"])
    model = translator(model_dir, family="nllb")
    for source in ("id", "ms", "ind_Latn"):
        result = model.translate(SENTENCES, source)
        assert len(result) == len(SENTENCES)
        assert not any(text.startswith("eng_Latn") for text in result)
    assert model.translate(SENTENCES, "id") != model.translate(SENTENCES, "ms")  # the source token counts
    with pytest.raises(TranslationError, match="no NLLB language code for 'tl'"):
        model.translate(SENTENCES, "tl")


def test_sentencepiece_models_in_the_directory_are_used(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(
        "Pemerintah Provinsi Jawa Barat menyiapkan posko pengungsian bagi warga yang terdampak banjir.\n"
        "Kerajaan negeri akan menyalurkan bantuan segera kepada mangsa banjir di Kelantan.\n"
        "Kata Kepala BPBD setempat kepada wartawan, Minggu.\n" * 5
    )
    sentencepiece.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(tmp_path / "sp"),
        vocab_size=60,
        hard_vocab_limit=False,
        minloglevel=2,
    )
    processor = sentencepiece.SentencePieceProcessor(model_file=str(tmp_path / "sp.model"))
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    model_dir = build_tiny_model(tmp_path / "spm-model", pieces)
    shutil.copy(tmp_path / "sp.model", model_dir / "source.spm")
    shutil.copy(tmp_path / "sp.model", model_dir / "target.spm")

    result = translator(model_dir).translate(["Pemerintah Jawa Barat.", "Banjir di Kelantan."], "id")
    assert len(result) == 2
    assert all(text and "▁" not in text for text in result)  # decoded, not raw pieces


def test_translate_text_through_the_cache_on_the_tiny_model(tiny_model: Path) -> None:
    cache = CachedTranslator(translator(tiny_model))
    text = "Pemerintah jawa barat. Banjir di bandung.\n\nKata kepala. Banjir di bandung."
    result = translate_text(cache, text, "id", batch_size=2)
    assert len(result.split("\n\n")) == 2
    assert (cache.hits, cache.misses) == (1, 3)
    assert translate_text(cache, text, "id") == result


def test_a_sentence_over_the_token_limit_is_refused_not_truncated(tiny_model: Path) -> None:
    with pytest.raises(TranslationError, match="more than 5 tokens"):
        translator(tiny_model, max_input_tokens=5).translate(["kata " * 6, "kata"], "id")


def test_a_missing_model_directory_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(TranslationError, match=f"{missing} does not exist"):
        CTranslate2Translator(missing)


@pytest.mark.parametrize("content", [None, b"not a model"], ids=["empty-directory", "garbage-model-bin"])
def test_an_invalid_model_directory_is_named(tmp_path: Path, content: bytes | None) -> None:
    model_dir = tmp_path / "broken-model"
    model_dir.mkdir()
    if content is not None:
        (model_dir / "model.bin").write_bytes(content)
        (model_dir / "shared_vocabulary.json").write_text('["<unk>", "<s>", "</s>"]')
    with pytest.raises(TranslationError, match=f"cannot load translation model {model_dir}"):
        CTranslate2Translator(model_dir)


def test_a_broken_sentencepiece_model_is_named(tiny_model: Path) -> None:
    (tiny_model / "source.spm").write_bytes(b"not sentencepiece")
    with pytest.raises(TranslationError, match=f"SentencePiece model in {tiny_model}"):
        CTranslate2Translator(tiny_model)


def test_the_tiny_model_builder_refuses_a_directory_in_use(tiny_model: Path) -> None:
    with pytest.raises(FileExistsError):
        build_tiny_model(tiny_model, VOCABULARY)


# --- LibreTranslate -------------------------------------------------------------------------


@dataclass
class Answer:
    """One scripted reply; ``echo`` means a normal translation of what was sent."""

    status: int = 200
    body: Any = "echo"
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class FakeLibreTranslate:
    """Implements ``POST /translate`` like LibreTranslate: "[en] " + text for each q.

    Scripted answers are used up first, then every request is echoed. With ``api_key`` set,
    a request without that key gets LibreTranslate's 403.
    """

    def __init__(self, api_key: str | None = None) -> None:
        self.api_key = api_key
        self.script: list[Answer] = []
        self.requests: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                payload = json.loads(self.rfile.read(int(self.headers["content-length"])))
                fake.requests.append(payload)
                answer = fake.script.pop(0) if fake.script else Answer()
                time.sleep(answer.delay_s)
                if fake.api_key is not None and payload.get("api_key") != fake.api_key:
                    answer = Answer(403, {"error": "Invalid API key"})
                if self.path != "/translate":
                    answer = Answer(404, {"error": "Not Found"})
                body = answer.body
                if body == "echo":
                    body = {"translatedText": [f"[{payload['target']}] {q}" for q in payload["q"]]}
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # client timed out
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        # a short poll interval keeps shutdown() fast
        threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[FakeLibreTranslate]:
    fake = FakeLibreTranslate()
    yield fake
    fake.close()


@pytest.fixture
def sleeps() -> list[float]:
    return []


OPEN_CLIENTS: list[LibreTranslateTranslator] = []


def libre(url: str, sleeps: list[float] | None = None, **options: Any) -> LibreTranslateTranslator:
    options.setdefault("backoff", TINY_BACKOFF)
    options.setdefault("timeout_s", 2.0)
    if sleeps is not None:
        options["sleep"] = sleeps.append
    client = LibreTranslateTranslator(url, **options)
    OPEN_CLIENTS.append(client)
    return client


@pytest.fixture(autouse=True)
def close_clients() -> Iterator[None]:
    yield
    while OPEN_CLIENTS:
        OPEN_CLIENTS.pop().close()


def test_sentences_are_sent_as_one_request_and_answered_in_order(server: FakeLibreTranslate) -> None:
    with libre(server.url + "/") as client:
        assert client.translate(["Banjir di Bandung.", "Warga mengungsi."], "id") == [
            "[en] Banjir di Bandung.",
            "[en] Warga mengungsi.",
        ]
        assert client.translate([], "id") == []
    assert server.requests == [
        {"q": ["Banjir di Bandung.", "Warga mengungsi."], "source": "id", "target": "en", "format": "text"}
    ]


def test_the_api_key_is_sent_when_configured(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeLibreTranslate(api_key="rahasia-123")
    try:
        with libre(fake.url, api_key=SecretStr("rahasia-123")) as client:
            assert client.translate(["Satu."], "ms") == ["[en] Satu."]
        assert fake.requests[-1]["api_key"] == "rahasia-123"

        fake.script = [Answer(503, {"error": "busy"})] * 4
        with (
            caplog.at_level(logging.DEBUG),
            libre(fake.url, api_key=SecretStr("rahasia-123")) as client,
            pytest.raises(TranslationError) as failure,
        ):
            client.translate(["Satu."], "ms")
        assert "rahasia-123" not in caplog.text + str(failure.value) + repr(client.__dict__)

        with libre(fake.url) as client, pytest.raises(TranslationError, match="status 403: Invalid API key"):
            client.translate(["Satu."], "ms")
    finally:
        fake.close()


def test_503_twice_then_success_is_retried(server: FakeLibreTranslate, sleeps: list[float]) -> None:
    server.script = [Answer(503, {"error": "overloaded"}), Answer(503, b"")]
    assert libre(server.url, sleeps).translate(["Satu.", "Dua."], "id") == ["[en] Satu.", "[en] Dua."]
    assert len(server.requests) == 3
    assert len(sleeps) == 2
    assert all(0 <= delay <= TINY_BACKOFF.max_s for delay in sleeps)


def test_429_waits_for_retry_after_within_the_backoff_cap(
    server: FakeLibreTranslate, sleeps: list[float]
) -> None:
    server.script = [Answer(429, {"error": "Slowdown"}, headers={"Retry-After": "30"})]
    backoff = Backoff(base_s=0.001, max_s=0.05)
    assert libre(server.url, sleeps, backoff=backoff).translate(["Satu."], "id") == ["[en] Satu."]
    assert sleeps == [0.05]


def test_a_server_that_stays_down_fails_after_bounded_attempts(
    server: FakeLibreTranslate, sleeps: list[float]
) -> None:
    server.script = [Answer(502, b"bad gateway")] * 10
    with pytest.raises(TranslationError, match="failed after 4 attempts: status 502"):
        libre(server.url, sleeps, attempts=4).translate(["Satu."], "id")
    assert len(server.requests) == 4
    assert len(sleeps) == 3


def test_400_fails_at_once_with_the_servers_reason(server: FakeLibreTranslate, sleeps: list[float]) -> None:
    server.script = [Answer(400, {"error": "xx is not supported"})]
    with pytest.raises(TranslationError, match="status 400: xx is not supported"):
        libre(server.url, sleeps).translate(["Satu."], "xx")
    assert len(server.requests) == 1
    assert sleeps == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"translatedText": ["only one"]}, "returned 1 translations for 2 sentences"),
        ({"translatedText": ["a", "b", "c"]}, "returned 3 translations for 2 sentences"),
        ({"translatedText": "one string for two"}, "not a list of strings"),
        ({"translatedText": ["a", None]}, "not a list of strings"),
        ({"detectedLanguage": {"language": "id"}}, "no translatedText"),
        (["a", "b"], "no translatedText"),
        (b"<html>proxy error</html>", "not JSON"),
    ],
    ids=["too-few", "too-many", "string-for-two", "null-item", "missing-key", "bare-list", "not-json"],
)
def test_a_malformed_answer_fails_at_once(server: FakeLibreTranslate, body: Any, reason: str) -> None:
    server.script = [Answer(200, body)]
    with pytest.raises(TranslationError, match=reason):
        libre(server.url).translate(["Satu.", "Dua."], "id")
    assert len(server.requests) == 1


def test_a_single_string_is_accepted_for_a_single_sentence(server: FakeLibreTranslate) -> None:
    server.script = [Answer(200, {"translatedText": "One."})]
    assert libre(server.url).translate(["Satu."], "id") == ["One."]


def test_a_server_slower_than_the_timeout_fails_after_the_retries(server: FakeLibreTranslate) -> None:
    server.script = [Answer(delay_s=0.6)] * 3
    started = time.perf_counter()
    with pytest.raises(TranslationError, match="failed after 3 attempts: ReadTimeout"):
        libre(server.url, timeout_s=0.15, attempts=3).translate(["Satu."], "id")
    assert time.perf_counter() - started < 1.5
    assert len(server.requests) == 3


def test_an_unreachable_server_fails_after_the_retries(sleeps: list[float]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(TranslationError, match="failed after 2 attempts: ConnectError"):
        libre(f"http://127.0.0.1:{port}", sleeps, attempts=2).translate(["Satu."], "id")


def test_translate_text_over_http_keeps_paragraphs(server: FakeLibreTranslate) -> None:
    text = "Banjir di Kab. Bandung. Warga mengungsi.\n\nBantuan tiba Senin."
    assert translate_text(libre(server.url), text, "id") == (
        "[en] Banjir di Kab. Bandung. [en] Warga mengungsi.\n\n[en] Bantuan tiba Senin."
    )
