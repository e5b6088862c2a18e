"""write_bulk against a scripted stand-in for the client: which items are sent again, when."""

import asyncio
from typing import Any

from elasticsearch import ConnectionError as ESConnectionError

from services.common.retry import Backoff
from services.indexing.bulk import write_bulk

ACTIONS = [{"_op_type": "index", "_index": "i", "_id": str(n), "_source": {"n": n}} for n in range(4)]


class ScriptedClient:
    """Answers each bulk call with the next scripted reply (a status per item, or an exception)."""

    def __init__(self, replies: list[Any]):
        self.replies = replies
        self.sent_ids: list[list[str]] = []

    async def bulk(self, operations: list[dict[str, Any]]) -> dict[str, Any]:
        ids = [op["index"]["_id"] for op in operations[::2]]
        self.sent_ids.append(ids)
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        items = []
        for status in reply:
            result: dict[str, Any] = {"status": status}
            if status >= 300:
                result["error"] = {"type": f"type_{status}", "reason": f"reason {status}"}
            items.append({"index": result})
        return {"errors": any(s >= 300 for s in reply), "items": items}


async def no_sleep(_: float) -> None:
    return None


def run(client: ScriptedClient) -> Any:
    return asyncio.run(write_bulk(client, ACTIONS, Backoff(0.01, 0.1), sleep=no_sleep))  # type: ignore[arg-type]


def test_only_items_that_failed_transiently_are_sent_again() -> None:
    client = ScriptedClient([[201, 429, 400, 503], [200, 201]])
    report = run(client)
    assert client.sent_ids == [["0", "1", "2", "3"], ["1", "3"]]
    assert report.indexed == 3 and report.retries == 2
    assert [(r.position, r.status, r.error_type) for r in report.rejected] == [(2, 400, "type_400")]


def test_a_failed_request_is_retried_whole_until_the_server_answers() -> None:
    client = ScriptedClient([ESConnectionError("down"), ESConnectionError("down"), [201, 201, 201, 201]])
    report = run(client)
    assert len(client.sent_ids) == 3 and report.indexed == 4 and report.retries == 2
