"""The ingestion service: an HTTP push API in front of the raw topic.

Wiring only: bytes in, ``publish`` (validate + produce + wait for acks), a JSON answer out.
"""

import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Header, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from kafka.errors import KafkaError
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from services.common.dlq import Origin
from services.common.kafka import admin_client, cluster_reachable, producer
from services.common.metrics import READY, register_service
from services.common.settings import IngestionSettings
from services.ingestion.publish import Publisher

log = logging.getLogger(__name__)
NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl")


class ItemResult(BaseModel):
    origin: str
    status: str
    article_id: str | None = None
    reason: str | None = None
    message: str | None = None


class PushResult(BaseModel):
    accepted: int
    rejected: int
    items: list[ItemResult]


def split_items(body: bytes, content_type: str) -> list[tuple[bytes, Origin]]:
    """One item for a JSON body, one per non-blank line for NDJSON."""
    if content_type.split(";")[0].strip().lower() in NDJSON_TYPES:
        return [
            (line, Origin(f"request:{number}"))
            for number, line in enumerate(body.splitlines(), start=1)
            if line.strip()
        ]
    return [(body, Origin("request:1"))]


def create_app(settings: IngestionSettings) -> FastAPI:
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        register_service("ingestion")
        kafka_producer = await run_in_threadpool(producer, settings, "kabar-ingestion")
        state["publisher"] = Publisher(settings, kafka_producer, settings.produce_timeout_s)
        state["admin"] = await run_in_threadpool(admin_client, settings, "kabar-ingestion-health")
        yield
        await run_in_threadpool(kafka_producer.close, 10)
        await run_in_threadpool(state["admin"].close)

    app = FastAPI(title="Kabar ingestion", version="1", lifespan=lifespan)

    def check_key(authorization: str | None) -> None:
        if not settings.api_keys:
            return
        if not authorization or not authorization.startswith("Bearer "):
            raise HTTPException(401, "missing API key", headers={"WWW-Authenticate": "Bearer"})
        offered = authorization.removeprefix("Bearer ").encode()
        if not any(hmac.compare_digest(offered, k.get_secret_value().encode()) for k in settings.api_keys):
            raise HTTPException(403, "unknown API key")

    @app.post("/v1/articles", status_code=202, response_model=PushResult)
    async def push_articles(request: Request, authorization: str | None = Header(default=None)) -> PushResult:
        """Takes one article (JSON) or a batch (NDJSON); answers once Kafka has them."""
        check_key(authorization)
        body = await request.body()
        if len(body) > settings.max_body_bytes:
            raise HTTPException(413, f"body over {settings.max_body_bytes} bytes")
        items = split_items(body, request.headers.get("content-type", "application/json"))
        try:
            summary = await run_in_threadpool(state["publisher"].publish, items)
        except KafkaError as exc:
            log.error("kafka unavailable: %s", type(exc).__name__)
            raise HTTPException(503, "Kafka unavailable, retry later", headers={"Retry-After": "5"}) from exc
        return PushResult(
            accepted=summary.accepted,
            rejected=summary.rejected,
            items=[ItemResult(**vars(o)) for o in summary.outcomes],
        )

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz(response: Response) -> dict[str, str]:
        ready = "admin" in state and await run_in_threadpool(cluster_reachable, state["admin"])
        READY.labels("ingestion").set(1 if ready else 0)
        if not ready:
            response.status_code = 503
        return {"status": "ready" if ready else "kafka unreachable"}

    @app.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app


def main() -> None:
    import uvicorn

    from services.common.logs import logging_config

    settings = IngestionSettings()
    uvicorn.run(
        create_app(settings),
        host=settings.bind_host,
        port=settings.ingestion_port,
        log_config=logging_config("ingestion", settings.log_level),
        access_log=False,
    )
