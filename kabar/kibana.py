"""``kabar kibana import``: loads deploy/kibana/ into Kibana through its saved-objects API."""

from pathlib import Path

import httpx

from kabar.services.common.package_data import DEPLOY_DIR

SAVED_OBJECTS = DEPLOY_DIR / "kibana" / "kabar.ndjson"


class KibanaError(RuntimeError):
    """Kibana refused the import or could not be reached; the message says which."""


def import_saved_objects(
    url: str, path: Path = SAVED_OBJECTS, space: str | None = None, timeout_s: float = 60
) -> int:
    """Imports (overwriting earlier copies) and returns how many objects Kibana took."""
    prefix = f"/s/{space}" if space else ""
    try:
        response = httpx.post(
            f"{url.rstrip('/')}{prefix}/api/saved_objects/_import",
            params={"overwrite": "true"},
            headers={"kbn-xsrf": "kabar"},
            files={"file": (path.name, path.read_bytes(), "application/ndjson")},
            timeout=timeout_s,
        )
    except (httpx.TransportError, httpx.InvalidURL) as exc:
        raise KibanaError(f"Kibana at {url} is unreachable ({str(exc) or type(exc).__name__})") from exc
    if response.status_code != 200:
        raise KibanaError(f"HTTP {response.status_code}: {response.text[:500]}")
    answer = response.json()
    if not answer.get("success", False):
        raise KibanaError(f"import errors: {answer.get('errors')}")
    return int(answer.get("successCount", 0))
