"""write_bulk against a scripted stand-in for the client: which items are sent again, when."""

import asyncio
from typing import Any

from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
from elasticsearch import ApiError
from elasticsearch import ConnectionError as ESConnectionError

from kabar.services.common.retry import Backoff
from kabar.services.indexing.bulk import requests_within, write_bulk

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


def refused_whole(status: int) -> ApiError:
    """What the client raises when the server refuses the whole request, e.g. 413."""
    meta = ApiResponseMeta(status, "1.1", HttpHeaders(), 0.0, NodeConfig("http", "localhost", 9200))
    return ApiError("request refused", meta=meta, body={})


def test_a_request_refused_for_its_content_is_halved_until_the_document_at_fault_is_alone() -> None:
    # all four refused; [0, 1] pass; [2, 3] refused; [2] passes; [3] refused alone
    client = ScriptedClient([refused_whole(413), [201, 201], refused_whole(413), [201], refused_whole(413)])
    report = run(client)
    assert client.sent_ids == [["0", "1", "2", "3"], ["0", "1"], ["2", "3"], ["2"], ["3"]]
    assert report.indexed == 3 and report.retries == 0
    assert [(r.position, r.status) for r in report.rejected] == [(3, 413)]


def test_429_is_waited_out_not_split() -> None:
    client = ScriptedClient([refused_whole(429), [201, 201, 201, 201]])
    report = run(client)
    assert client.sent_ids == [["0", "1", "2", "3"]] * 2 and report.indexed == 4 and not report.rejected


def test_requests_are_cut_to_the_byte_limit_and_a_larger_document_goes_alone() -> None:
    assert requests_within([40, 40, 40, 150, 10], limit=100) == [[0, 1], [2], [3], [4]]
    assert requests_within([], limit=100) == []
