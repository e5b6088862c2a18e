"""``kabar kibana import`` against a local HTTP server speaking Kibana's import API
(no Kibana build is installable here; the request is checked field by field)."""

import json
import subprocess
import sys
from email.parser import BytesParser
from email.policy import HTTP

from tests.fixtures.http import FeedServer


def import_into(server: FeedServer) -> subprocess.CompletedProcess[str]:
    """Runs ``kabar kibana import`` against the server, then shuts the server down."""
    try:
        return subprocess.run(
            [sys.executable, "-m", "kabar.cli", "kibana", "import", "--url", server.url],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        server.close()


def test_the_import_sends_every_object_with_the_headers_kibana_requires() -> None:
    server = FeedServer()
    received: list[tuple[str, dict[str, str], bytes]] = []

    original = server.httpd.RequestHandlerClass

    class Handler(original):  # type: ignore[misc,valid-type]
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            answer = json.dumps({"success": True, "successCount": 7}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    server.httpd.RequestHandlerClass = Handler
    result = import_into(server)
    assert result.returncode == 0, result.stderr
    assert "imported 7 saved objects" in result.stdout
    [(path, headers, body)] = received
    assert path == "/api/saved_objects/_import?overwrite=true"
    assert headers["kbn-xsrf"]
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {headers['content-type']}\r\n\r\n".encode() + body
    )
    [part] = list(message.iter_parts())
    assert part.get_filename() == "kabar.ndjson"
    lines = part.get_payload(decode=True).decode().splitlines()
    assert len(lines) == 7 and all(json.loads(line)["id"] for line in lines)


def test_a_refusal_is_reported_not_swallowed() -> None:
    result = import_into(FeedServer())
    assert result.returncode != 0 and "HTTP 501" in result.stderr
