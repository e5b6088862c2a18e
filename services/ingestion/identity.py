"""Deterministic article identity: the same article gets the same id at every stage.

The id is what makes re-delivery harmless downstream (Elasticsearch writes are upserts
by ``_id``), so it must not depend on anything that changes between two fetches of the
same page: tracking parameters, fragments, the case of the host, parameter order.
"""

import hashlib
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMETERS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "igshid", "mc_cid", "mc_eid", "_ga", "ref", "ref_src"}
)


def is_tracking_parameter(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("utm_") or lowered in TRACKING_PARAMETERS


def canonical_url(url: str) -> str:
    """The url without fragment, tracking parameters, default port or host case."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    default_port = {"http": 80, "https": 443}.get(scheme)
    netloc = host if parts.port in (None, default_port) else f"{host}:{parts.port}"
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_parameter(k)
    )
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def article_id(*, url: str | None, source: str, title: str, published_at: datetime | None) -> str:
    """32 hex characters: of the canonical url when there is one, else of source+title+date."""
    if url:
        basis = "url\x00" + canonical_url(url)
    else:
        day = published_at.date().isoformat() if published_at else ""
        basis = "\x00".join(("text", source.strip().lower(), " ".join(title.split()).lower(), day))
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]
