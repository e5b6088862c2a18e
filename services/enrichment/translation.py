"""Machine translation of article text into English, behind one small interface.

No translation model ships with Kabar or can be fetched here (see notes/nlp.md): the
operator supplies either a CTranslate2 model directory (OPUS-MT or NLLB converted to
CTranslate2's format) or the address of a LibreTranslate-compatible server. Both backends
translate *sentences*, not whole articles, because NMT models are trained on sentences,
degrade badly on long inputs and have hard length limits; sentences also make a cache
effective, since syndicated copies and boilerplate repeat sentence by sentence.

Nothing here ever invents a translation: a backend that cannot answer raises
``TranslationError`` and the caller records the article as ``failed``.
"""

import hashlib
import json
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Protocol, runtime_checkable

import httpx
from pydantic import SecretStr

from kabar.services.common.retry import RETRYABLE_STATUSES, Backoff
from kabar.services.enrichment.grammar import ends_sentence

log = logging.getLogger(__name__)

UNDETERMINED = "und"
DEFAULT_MAX_CHARS = 1_000


class TranslationError(Exception):
    """A backend could not translate; the message is a short reason fit for a log line."""


@runtime_checkable
class Translator(Protocol):
    """What the enrichment worker needs from any backend.

    Implementations return exactly one translation per input sentence, in input order, or
    raise ``TranslationError``: a partial answer would silently misalign sentences.
    """

    name: str

    def translate(self, sentences: Sequence[str], source: str, target: str = "en") -> list[str]: ...


def needs_translation(language: str, target: str = "en") -> bool:
    """Undetermined text is not worth sending to a model (it would translate noise)."""
    primary = _primary_subtag(language)
    return bool(primary) and primary != UNDETERMINED and primary != _primary_subtag(target)


def _primary_subtag(language: str) -> str:
    return re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]


# --- sentence splitting ---------------------------------------------------------------


def split_sentences(text: str, max_chars: int = DEFAULT_MAX_CHARS) -> list[list[str]]:
    """Paragraphs of sentences, the unit every backend translates.

    Every line break ends a paragraph, not only blank lines: extracted article text
    (trafilatura, feeds) puts one paragraph per line, and a sentence really wrapped over
    two lines only costs a slightly worse translation, whereas merging two paragraphs
    would lose the layout. Whitespace inside a line collapses to single spaces, so the
    words of the text (its whitespace-separated tokens) survive ``join_sentences`` in order.

    A sentence longer than ``max_chars`` is cut at the last space before the limit (a
    single token longer than the limit is cut inside it), so no input can exceed a model's
    length limit and be truncated silently by the engine.
    """
    paragraphs: list[list[str]] = []
    for line in text.splitlines():
        words = line.split()
        if not words:
            continue
        sentences: list[str] = []
        for sentence in _sentences_of(words):
            sentences.extend(_cut(sentence, max_chars))
        paragraphs.append(sentences)
    return paragraphs


def join_sentences(paragraphs: list[list[str]]) -> str:
    """The inverse layout of ``split_sentences``: a blank line between paragraphs."""
    return "\n\n".join(" ".join(sentences) for sentences in paragraphs if sentences)


def _sentences_of(words: list[str]) -> Iterator[str]:
    start = 0
    for i in range(len(words) - 1):
        if ends_sentence(words[i], words[i + 1]):
            yield " ".join(words[start : i + 1])
            start = i + 1
    yield " ".join(words[start:])


def _cut(sentence: str, max_chars: int) -> Iterator[str]:
    while len(sentence) > max_chars:
        space = sentence.rfind(" ", 1, max_chars + 1)
        cut = space if space > 0 else max_chars
        yield sentence[:cut]
        sentence = sentence[cut:].lstrip(" ")
    if sentence:
        yield sentence


# --- translating a whole text ------------------------------------------------------------


def translate_text(
    translator: Translator,
    text: str,
    source: str,
    target: str = "en",
    batch_size: int = 64,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> str:
    """Translate an article sentence by sentence, keeping its paragraphs.

    Batches bound the memory and latency of one backend call. Sentences with no letter or
    digit ("***", "—") are copied: there is nothing to translate, and a model asked to
    would either echo them or invent something.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    paragraphs = split_sentences(text, max_chars)
    flat = [sentence for sentences in paragraphs for sentence in sentences]
    wanted = [i for i, sentence in enumerate(flat) if _has_words(sentence)]
    translated = list(flat)
    for offset in range(0, len(wanted), batch_size):
        positions = wanted[offset : offset + batch_size]
        batch = [flat[i] for i in positions]
        result = translator.translate(batch, source, target)
        if len(result) != len(batch):
            raise TranslationError(
                f"{translator.name} returned {len(result)} translations for {len(batch)} sentences"
            )
        for i, sentence in zip(positions, result, strict=True):
            translated[i] = sentence
    rebuilt: list[list[str]] = []
    position = 0
    for sentences in paragraphs:
        rebuilt.append(translated[position : position + len(sentences)])
        position += len(sentences)
    return join_sentences(rebuilt)


def _has_words(sentence: str) -> bool:
    return any(char.isalnum() for char in sentence)


# --- cache ---------------------------------------------------------------------------------


class CachedTranslator:
    """A bounded LRU cache in front of any backend.

    Regional news repeats itself: agency copy is republished by many outlets, and
    datelines, bylines and closing lines recur; each repeated sentence costs a model call
    only once. Keys are fixed-size digests, so an entry costs the same whatever the
    sentence length and the cache keeps no source text. Failures are not cached: the next
    article may succeed once the backend is back.
    """

    def __init__(self, inner: Translator, max_entries: int = 20_000) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.inner = inner
        self.name = inner.name
        self.max_entries = max_entries
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[bytes, str] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def key(source: str, target: str, sentence: str) -> bytes:
        # Language codes never contain NUL, so the three parts cannot run into each other.
        return hashlib.sha256(f"{source}\0{target}\0{sentence}".encode()).digest()

    def translate(self, sentences: Sequence[str], source: str, target: str = "en") -> list[str]:
        """Only distinct misses reach the backend, in one call; a sentence repeated within
        the call counts as one miss and then hits."""
        keys = [self.key(source, target, sentence) for sentence in sentences]
        found: dict[bytes, str] = {}
        missing: dict[bytes, str] = {}
        with self._lock:
            for key, sentence in zip(keys, sentences, strict=True):
                if key in self._entries:
                    self._entries.move_to_end(key)
                    found[key] = self._entries[key]
                elif key not in missing:
                    missing[key] = sentence
        if missing:
            result = self.inner.translate(list(missing.values()), source, target)
            if len(result) != len(missing):
                raise TranslationError(
                    f"{self.inner.name} returned {len(result)} translations for {len(missing)} sentences"
                )
            found.update(zip(missing, result, strict=True))
        with self._lock:
            self.misses += len(missing)
            self.hits += len(sentences) - len(missing)
            for key in missing:
                self._entries[key] = found[key]
                self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return [found[key] for key in keys]


# --- CTranslate2 -----------------------------------------------------------------------------

Device = Literal["cpu", "cuda"]
ModelFamily = Literal["opus-mt", "nllb"]
NLLB_LANGUAGES = {"id": "ind_Latn", "ms": "zsm_Latn", "en": "eng_Latn"}
EOS = "</s>"


class CTranslate2Translator:
    """An OPUS-MT or NLLB model converted to CTranslate2, run in-process.

    CTranslate2 is the CPU engine of choice for these models (int8 weights, several
    hundred tokens/s on a few cores). The model is loaded in the constructor so that a
    wrong path or a broken model fails at startup, not on the first article.

    Tokenisation follows what the model was trained with:

    - ``source.spm`` (and ``target.spm``, else the source one) in the model directory:
      SentencePiece, as OPUS-MT conversions ship; ``</s>`` is appended to the source
      unless the model's config adds it itself.
    - family ``nllb`` with ``sentencepiece.bpe.model``: SentencePiece, the source
      language token first (id -> ind_Latn, ms -> zsm_Latn, en -> eng_Latn, or an NLLB
      code as is), ``</s>`` last, and the target language token as target prefix, which
      is dropped from the output.
    - no SentencePiece model: the sentence's whitespace-separated words are the tokens
      and output tokens are joined with spaces. Only models trained on pre-tokenised
      text (and the tests' tiny model) work this way; NLLB language tokens still apply.

    An OPUS-MT model translates one direction only; the caller picks the model for the
    source language.
    """

    def __init__(
        self,
        model_dir: Path,
        device: Device = "cpu",
        compute_type: str = "default",
        beam_size: int = 4,
        max_batch_size: int = 32,
        intra_threads: int = 0,
        family: ModelFamily = "opus-mt",
        max_decoding_length: int = 256,
        max_input_tokens: int = 512,
    ) -> None:
        self.model_dir = Path(model_dir)
        self.family = family
        self.beam_size = beam_size
        self.max_batch_size = max_batch_size
        self.max_decoding_length = max_decoding_length
        self.max_input_tokens = max_input_tokens
        self.name = f"ctranslate2:{self.model_dir.name}"
        if not self.model_dir.is_dir():
            raise TranslationError(f"translation model directory {self.model_dir} does not exist")
        try:
            import ctranslate2  # optional dependency: only deployments with a model install it

            self._model = ctranslate2.Translator(
                str(self.model_dir), device=device, compute_type=compute_type, intra_threads=intra_threads
            )
        except Exception as exc:  # the engine raises RuntimeError, ValueError, OSError...
            raise TranslationError(f"cannot load translation model {self.model_dir}: {exc}") from exc
        self._add_eos = not _config(self.model_dir).get("add_source_eos", False)
        self._source_sp, self._target_sp = self._load_sentencepiece()

    def _load_sentencepiece(self) -> tuple[Any, Any]:
        names = ("sentencepiece.bpe.model",) if self.family == "nllb" else ("source.spm", "target.spm")
        paths = [self.model_dir / name for name in names]
        if not paths[0].is_file():
            return None, None
        try:
            import sentencepiece  # optional, like ctranslate2

            source = sentencepiece.SentencePieceProcessor(model_file=str(paths[0]))
            target = (
                sentencepiece.SentencePieceProcessor(model_file=str(paths[-1]))
                if paths[-1].is_file() and paths[-1] != paths[0]
                else source
            )
        except Exception as exc:
            raise TranslationError(f"cannot load SentencePiece model in {self.model_dir}: {exc}") from exc
        return source, target

    def translate(self, sentences: Sequence[str], source: str, target: str = "en") -> list[str]:
        """Blank sentences come back blank without reaching the model; an empty output for
        a real sentence is a failure, never passed on as a translation."""
        todo = [i for i, sentence in enumerate(sentences) if sentence.strip()]
        output = ["" for _ in sentences]
        if not todo:
            return output
        source_token, target_token = self._language_tokens(source, target)
        tokens = [self._encode(sentences[i], source_token) for i in todo]
        too_long = [
            i
            for i, sentence_tokens in zip(todo, tokens, strict=True)
            if len(sentence_tokens) > self.max_input_tokens
        ]
        if too_long:
            raise TranslationError(
                f"sentence {too_long[0]} has more than {self.max_input_tokens} tokens for {self.name}"
            )
        try:
            results = self._model.translate_batch(
                tokens,
                target_prefix=[[target_token]] * len(tokens) if target_token else None,
                beam_size=self.beam_size,
                max_batch_size=self.max_batch_size,
                max_decoding_length=self.max_decoding_length,
                max_input_length=0,  # never truncate silently; the length check above guards
            )
        except Exception as exc:
            raise TranslationError(f"{self.name} failed: {exc}") from exc
        for i, result in zip(todo, results, strict=True):
            hypothesis = list(result.hypotheses[0]) if result.hypotheses else []
            if target_token and hypothesis[:1] == [target_token]:
                hypothesis = hypothesis[1:]
            text = self._decode(hypothesis).strip()
            if not text:
                raise TranslationError(f"{self.name} produced an empty translation for sentence {i}")
            output[i] = text
        return output

    def _language_tokens(self, source: str, target: str) -> tuple[str | None, str | None]:
        if self.family != "nllb":
            return None, None
        return _nllb_code(source), _nllb_code(target)

    def _encode(self, sentence: str, source_token: str | None) -> list[str]:
        pieces = (
            list(self._source_sp.encode(sentence, out_type=str))
            if self._source_sp is not None
            else sentence.split()
        )
        if self._source_sp is not None and self._add_eos:
            pieces.append(EOS)
        return [source_token, *pieces] if source_token else pieces

    def _decode(self, tokens: list[str]) -> str:
        if self._target_sp is not None:
            return str(self._target_sp.decode_pieces(tokens))
        return " ".join(tokens)


def _nllb_code(language: str) -> str:
    if "_" in language:
        return language
    code = NLLB_LANGUAGES.get(_primary_subtag(language))
    if code is None:
        raise TranslationError(f"no NLLB language code for {language!r}")
    return code


def _config(model_dir: Path) -> dict[str, Any]:
    try:
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return config if isinstance(config, dict) else {}


# --- LibreTranslate ---------------------------------------------------------------------------


class LibreTranslateTranslator:
    """A LibreTranslate-compatible HTTP server (LibreTranslate itself, or a gateway).

    Overload and outages (429, 5xx, connection errors, timeouts) are retried a bounded
    number of times with the indexing service's jittered backoff, then reported as a
    failure: unlike indexing, a missing translation is recorded and can be redone later,
    so holding up the stream for it is not worth it. Anything else the server says no to
    fails at once, since asking again would get the same answer.
    """

    name = "libretranslate"

    def __init__(
        self,
        url: str,
        api_key: SecretStr | None = None,
        timeout_s: float = 30.0,
        attempts: int = 4,
        backoff: Backoff = Backoff(base_s=0.5, max_s=8.0),  # noqa: B008 (frozen, so safe to share)
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self.url = url.rstrip("/")
        self.attempts = attempts
        self.backoff = backoff
        self._api_key = api_key
        self._sleep = sleep
        self._owns_client = client is None
        self._client = client or httpx.Client(timeout=timeout_s)

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> "LibreTranslateTranslator":
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def translate(self, sentences: Sequence[str], source: str, target: str = "en") -> list[str]:
        if not sentences:
            return []
        payload: dict[str, Any] = {"q": list(sentences), "source": source, "target": target, "format": "text"}
        if self._api_key is not None:
            payload["api_key"] = self._api_key.get_secret_value()
        reason, retry_after = "no attempt made", None
        for attempt in range(self.attempts):
            if attempt:
                self._sleep(self._delay(attempt - 1, retry_after))
            try:
                response = self._client.post(f"{self.url}/translate", json=payload)
            except httpx.TransportError as exc:  # connection refused or reset, timeouts
                reason, retry_after = type(exc).__name__, None
                log.warning(
                    "translation request to %s failed (%s), attempt %d", self.url, reason, attempt + 1
                )
                continue
            except (
                httpx.HTTPError,
                httpx.InvalidURL,
            ) as exc:  # not a network hiccup: asking again won't help
                raise TranslationError(f"request to {self.url} failed: {type(exc).__name__}") from exc
            if response.status_code in RETRYABLE_STATUSES:
                reason, retry_after = f"status {response.status_code}", _retry_after(response)
                log.warning("translation server %s answered %s, attempt %d", self.url, reason, attempt + 1)
                continue
            if response.status_code != 200:
                status, error = response.status_code, _error_of(response)
                raise TranslationError(f"{self.url} refused the translation: status {status}: {error}")
            return _translations(response, len(sentences))
        raise TranslationError(f"{self.url} failed after {self.attempts} attempts: {reason}")

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        """A server's Retry-After wins over the jittered step, but never beyond the backoff cap."""
        delay = self.backoff.delay(attempt)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.backoff.max_s))
        return delay


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return None


def _error_of(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or "no body"
    if isinstance(body, dict) and "error" in body:
        return str(body["error"])[:200]
    return str(body)[:200]


def _translations(response: httpx.Response, expected: int) -> list[str]:
    try:
        body = response.json()
    except ValueError as exc:
        raise TranslationError("the translation server answered with something that is not JSON") from exc
    if not isinstance(body, dict) or "translatedText" not in body:
        raise TranslationError("the translation server's answer has no translatedText")
    translated = body["translatedText"]
    if isinstance(translated, str) and expected == 1:
        translated = [translated]
    if not isinstance(translated, list) or not all(isinstance(item, str) for item in translated):
        raise TranslationError("the translation server's translatedText is not a list of strings")
    if len(translated) != expected:
        raise TranslationError(
            f"the translation server returned {len(translated)} translations for {expected} sentences"
        )
    return translated
