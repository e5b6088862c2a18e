"""Bulk writes that retry only what failed and never give up on a transient failure.

A whole request that fails (server unreachable, 429, 5xx) is sent again with capped
exponential backoff and jitter for as long as it takes: the calling agent then stops
taking new events, which is how backpressure reaches the consumer. Items that fail with
429/5xx are retried alone; any other per-item failure (a 400 for a malformed document)
is final and returned for the DLQ.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import ApiError, AsyncElasticsearch, TransportError

from services.common.metrics import ES_BULK_RETRIES, ES_BULK_SECONDS
from services.common.retry import RETRYABLE_STATUSES, Backoff

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


async def write_bulk(
    es: AsyncElasticsearch,
    actions: Sequence[dict[str, Any]],
    backoff: Backoff,
    service: str = "indexing",
    sleep: Sleep = asyncio.sleep,
) -> BulkReport:
    report = BulkReport()
    pending = list(range(len(actions)))
    attempt = 0
    while pending:
        started = time.perf_counter()
        try:
            response = await es.bulk(operations=bulk_operations(actions, pending))
        except (ApiError, TransportError) as exc:
            reason = _request_failure_reason(exc)
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


def _request_failure_reason(exc: Exception) -> str:
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "meta", None), "status", None)
    return f"status_{status}" if isinstance(status, int) else type(exc).__name__.lower()
