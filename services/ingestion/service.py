"""The ingestion service: an HTTP push API (and the feed poller) in front of the raw topic.

Wiring only: bytes in, ``Publisher.publish`` (validate, clean, produce, wait for acks),
a JSON answer out. Every refusal is a 4xx that names the problem; Kafka trouble is a 503
with Retry-After; nothing here answers 500 for anything a client can send.
"""

import asyncio
import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from types import FrameType
from typing import Any

import uvicorn
from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from kafka.errors import KafkaError
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from kabar.schemas.events import ArticleIn
from kabar.services.common.dlq import Origin
from kabar.services.common.kafka import admin_client, cluster_reachable, ensure_topics, producer
from kabar.services.common.metrics import READY, register_service
from kabar.services.common.settings import IngestionSettings
from kabar.services.ingestion.feeds import FeedPoller, load_feeds
from kabar.services.ingestion.publish import Outcome, Publisher

log = logging.getLogger(__name__)
NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl")


class FieldError(BaseModel):
    field: str
    problem: str


class ItemResult(BaseModel):
    origin: str
    status: str
    article_id: str | None = None
    reason: str | None = None
    message: str | None = None
    field_errors: list[FieldError] = []


class PushResult(BaseModel):
    accepted: int
    duplicates: int
    rejected: int
    items: list[ItemResult]


class Problem(BaseModel):
    detail: str


def item_result(outcome: Outcome) -> ItemResult:
    return ItemResult(
        origin=outcome.origin,
        status=outcome.status,
        article_id=outcome.article_id,
        reason=outcome.reason,
        message=outcome.message,
        field_errors=[FieldError(field=f, problem=p) for f, p in outcome.field_errors],
    )


def split_items(body: bytes, content_type: str) -> list[tuple[bytes, Origin]]:
    """One item for a JSON body, one per non-blank line for NDJSON."""
    if is_ndjson(content_type):
        return [
            (line, Origin(f"request:{number}"))
            for number, line in enumerate(body.splitlines(), start=1)
            if line.strip()
        ]
    return [(body, Origin("request:1"))]


def is_ndjson(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() in NDJSON_TYPES


REQUEST_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": ArticleIn.model_json_schema()},
        "application/x-ndjson": {
            "schema": {"type": "string", "description": "One article JSON object per line"}
        },
    },
}
PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": text}
    for status, text in {
        401: "No API key",
        403: "Unknown API key",
        413: "Body or batch over the configured limit",
        415: "Neither JSON nor NDJSON",
        503: "Kafka did not acknowledge; retry after the Retry-After seconds",
    }.items()
}


def create_app(settings: IngestionSettings) -> FastAPI:
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        register_service("ingestion")
        await run_in_threadpool(ensure_topics, settings)
        kafka_producer = await run_in_threadpool(
            producer, settings, "kabar-ingestion", settings.produce_timeout_s
        )
        publisher = Publisher(settings, kafka_producer)
        state["publisher"] = publisher
        state["admin"] = await run_in_threadpool(admin_client, settings, "kabar-ingestion-health")
        poller_task = None
        if settings.feeds_file is not None:
            poller = FeedPoller(load_feeds(settings.feeds_file), publisher, settings)
            poller_task = asyncio.create_task(poller.run_forever())
        yield
        if poller_task is not None:
            poller_task.cancel()
        await run_in_threadpool(kafka_producer.close, 10)
        await run_in_threadpool(state["admin"].close)

    app = FastAPI(
        title="Kabar ingestion",
        version="1",
        description="Push regional news articles into the Kabar pipeline.",
        lifespan=lifespan,
    )

    def check_key(authorization: str | None) -> None:
        if not settings.api_keys:
            return
        if not authorization or not authorization.startswith("Bearer "):
            raise HTTPException(401, "missing API key", headers={"WWW-Authenticate": "Bearer"})
        offered = authorization.removeprefix("Bearer ").encode()
        # every key is compared, so the time taken does not tell which one nearly matched
        matches = [hmac.compare_digest(offered, key.get_secret_value().encode()) for key in settings.api_keys]
        if not any(matches):
            raise HTTPException(403, "unknown API key")

    async def read_body(request: Request) -> bytes:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > settings.max_body_bytes:
            raise HTTPException(413, f"body over {settings.max_body_bytes} bytes")
        body = bytearray()
        async for chunk in request.stream():
            body.extend(chunk)
            if len(body) > settings.max_body_bytes:
                raise HTTPException(413, f"body over {settings.max_body_bytes} bytes")
        return bytes(body)

    @app.post(
        "/v1/articles",
        status_code=202,
        response_model=PushResult,
        responses={422: {"model": PushResult, "description": "The article is invalid"}, **PROBLEMS},
        openapi_extra={"requestBody": REQUEST_BODY},
    )
    async def push_articles(request: Request) -> Any:
        """Takes one article (JSON) or a batch (NDJSON) and answers once Kafka has them.

        A single invalid article is a 422 with field-level errors; in a batch each item
        says accepted, duplicate or rejected (with the reason), and the batch is a 202.
        """
        check_key(request.headers.get("authorization"))
        content_type = request.headers.get("content-type", "application/json")
        if not is_ndjson(content_type) and "json" not in content_type.lower():
            raise HTTPException(415, "send application/json (one article) or application/x-ndjson (a batch)")
        items = split_items(await read_body(request), content_type)
        if len(items) > settings.max_batch_items:
            raise HTTPException(413, f"batch of {len(items)} items, the limit is {settings.max_batch_items}")
        try:
            summary = await run_in_threadpool(state["publisher"].publish, items)
        except KafkaError as exc:
            log.error("Kafka did not acknowledge: %s", type(exc).__name__)
            raise HTTPException(503, "Kafka unavailable, retry later", headers={"Retry-After": "5"}) from exc
        result = PushResult(
            accepted=summary.count("accepted"),
            duplicates=summary.count("duplicate"),
            rejected=summary.count("rejected"),
            items=[item_result(o) for o in summary.outcomes],
        )
        single_rejected = not is_ndjson(content_type) and result.rejected == 1
        return JSONResponse(result.model_dump(), status_code=422 if single_rejected else 202)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", responses={503: {"model": Problem}})
    async def readyz(response: Response) -> dict[str, str]:
        ready = "admin" in state and await run_in_threadpool(cluster_reachable, state["admin"])
        READY.labels("ingestion").set(1 if ready else 0)
        if not ready:
            response.status_code = 503
        return {"status": "ready" if ready else "kafka unreachable"}

    @app.get(
        "/metrics",
        response_class=Response,
        responses={
            200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "Prometheus"}
        },
    )
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app


class RestingServer(uvicorn.Server):
    """uvicorn's loop wakes ten times a second to see whether it should stop, most of what
    ingestion did at rest; this one wakes once a second, as often as uvicorn refreshes its
    Date header, and at once on a stop signal."""

    loop: asyncio.AbstractEventLoop | None = None
    stop: asyncio.Event | None = None

    async def main_loop(self) -> None:
        self.loop, self.stop = asyncio.get_running_loop(), asyncio.Event()
        ticks = 0
        while not await self.on_tick(ticks):
            ticks += 10  # the tick on which uvicorn refreshes the Date header
            with suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), timeout=1.0)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        if self.loop is not None and self.stop is not None:  # a signal handler: not on the loop
            self.loop.call_soon_threadsafe(self.stop.set)


def main() -> None:
    from kabar.services.common.logs import logging_config

    settings = IngestionSettings()
    config = uvicorn.Config(
        create_app(settings),
        host=settings.bind_host,
        port=settings.ingestion_port,
        log_config=logging_config("ingestion", settings.log_level),
        access_log=False,
    )
    RestingServer(config).run()
