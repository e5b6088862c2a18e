"""Bulk writes that retry only what failed and never give up on a transient failure.

A whole request that fails transiently (server unreachable, 429, 5xx) is sent again with
capped exponential backoff and jitter for as long as it takes: the calling agent then
stops taking new events, which is how backpressure reaches the consumer. Items that fail
with 429/5xx are retried alone; any other per-item failure (a 400 for a malformed
document) is final and returned for the DLQ. A request refused whole for what it holds
(413, a 400 about the body) is split in halves until the document at fault is alone, and
that one is refused; requests are cut to ``ES_BULK_MAX_BYTES`` before they are sent.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from elasticsearch import ApiError, AsyncElasticsearch, TransportError

from kabar.schemas.events import EnrichedArticle
from kabar.schemas.limits import ES_BULK_MAX_BYTES
from kabar.services.common.dlq import Failure
from kabar.services.common.metrics import END_TO_END_SECONDS, ES_BULK_RETRIES, ES_BULK_SECONDS
from kabar.services.common.retry import RETRYABLE_STATUSES, Backoff
from kabar.services.common.runtime import Record, Refusal

log = logging.getLogger(__name__)
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RejectedItem:
    position: int
    status: int
    error_type: str
    reason: str


@dataclass
class BulkReport:
    indexed: int = 0
    retries: int = 0
    rejected: list[RejectedItem] = field(default_factory=list)


def bulk_operations(actions: Sequence[dict[str, Any]], positions: Sequence[int]) -> list[dict[str, Any]]:
    operations: list[dict[str, Any]] = []
    for position in positions:
        action = actions[position]
        operations.append({action["_op_type"]: {"_index": action["_index"], "_id": action["_id"]}})
        operations.append(action["_source"])
    return operations


def requests_within(sizes: Sequence[int], limit: int) -> list[list[int]]:
    """Positions grouped into requests of at most ``limit`` bytes (a larger document goes
    alone), in order."""
    requests: list[list[int]] = []
    total = 0
    for position, size in enumerate(sizes):
        if not requests or total + size > limit:
            requests.append([])
            total = 0
        requests[-1].append(position)
        total += size
    return requests


async def write_bulk(
    es: AsyncElasticsearch,
    actions: Sequence[dict[str, Any]],
    backoff: Backoff,
    service: str = "indexing",
    sleep: Sleep = asyncio.sleep,
    sizes: Sequence[int] | None = None,
) -> BulkReport:
    """``sizes``: about how many bytes each action takes in the request (unknown: one
    request for all)."""
    report = BulkReport()
    requests = requests_within(sizes, ES_BULK_MAX_BYTES) if sizes else [list(range(len(actions)))]
    while requests:
        pending = requests.pop(0)
        attempt = 0
        while pending:
            started = time.perf_counter()
            try:
                response = await es.bulk(operations=bulk_operations(actions, pending))
            except (ApiError, TransportError) as exc:
                reason = _request_failure_reason(exc)
                if _refused_for_its_content(exc):
                    if len(pending) == 1:
                        report.rejected.append(_whole_request_refusal(pending[0], exc))
                    else:
                        half = len(pending) // 2
                        requests[:0] = [pending[:half], pending[half:]]
                    break
                log.warning("bulk request failed (%s), retrying %d items", reason, len(pending))
                ES_BULK_RETRIES.labels(service, reason).inc()
                report.retries += 1
                await sleep(backoff.delay(attempt))
                attempt += 1
                continue
            ES_BULK_SECONDS.labels(service).observe(time.perf_counter() - started)
            retry = []
            for position, item in zip(pending, response["items"], strict=True):
                result = next(iter(item.values()))
                status = int(result["status"])
                if status < 300:
                    report.indexed += 1
                elif status in RETRYABLE_STATUSES:
                    retry.append(position)
                else:
                    error = result.get("error") or {}
                    report.rejected.append(
                        RejectedItem(
                            position, status, str(error.get("type", "unknown")), str(error.get("reason", ""))
                        )
                    )
            if retry:
                ES_BULK_RETRIES.labels(service, "item_status").inc(len(retry))
                report.retries += len(retry)
                await sleep(backoff.delay(attempt))
                attempt += 1
            pending = retry
    return report


def _status_of(exc: Exception) -> int | None:
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "meta", None), "status", None)
    return status if isinstance(status, int) else None


def _refused_for_its_content(exc: Exception) -> bool:
    """A 4xx other than 408/429 says the request itself is wrong: sending it again will not help."""
    status = _status_of(exc)
    return (
        isinstance(exc, ApiError) and status is not None and 400 <= status < 500 and status not in {408, 429}
    )


def _whole_request_refusal(position: int, exc: Exception) -> RejectedItem:
    status = _status_of(exc) or 400
    error_type = getattr(exc, "error", None) or "request_refused"
    return RejectedItem(position, status, str(error_type), str(exc)[:1_000])


def _request_failure_reason(exc: Exception) -> str:
    status = _status_of(exc)
    return f"status_{status}" if status is not None else type(exc).__name__.lower()


class ElasticsearchSink:
    """The runtime's sink for indexing: bulk upserts; a document Elasticsearch refuses is
    returned for the DLQ with its reason. An article's end-to-end latency is measured
    when its upsert is acknowledged."""

    def __init__(self, es: AsyncElasticsearch, backoff: Backoff) -> None:
        self.es = es
        self.backoff = backoff

    async def write(self, outputs: Sequence[tuple[Record[Any], dict[str, Any]]]) -> list[Refusal]:
        actions = [action for _, action in outputs]
        # the document is the event plus a little: twice the event's bytes is a safe bound
        sizes = [2 * len(record.payload) + 1_024 for record, _ in outputs]
        report = await write_bulk(self.es, actions, self.backoff, sizes=sizes)
        refused = [
            Refusal(outputs[item.position][0], rejection_failure(item, outputs[item.position][0].article_id))
            for item in report.rejected
        ]
        acknowledged = datetime.now(UTC)
        rejected = {item.position for item in report.rejected}
        for position, (record, _) in enumerate(outputs):
            if position not in rejected and isinstance(record.value, EnrichedArticle):
                END_TO_END_SECONDS.labels("indexing").observe(
                    (acknowledged - record.value.ingested_at).total_seconds()
                )
        return refused


def rejection_failure(item: RejectedItem, article_id: str | None) -> Failure:
    """Why Elasticsearch refused a document, as a dead letter's reason."""
    return Failure(f"es_{item.error_type}", f"HTTP {item.status}: {item.reason}", article_id)
