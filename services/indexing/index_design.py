"""The index layout: monthly indices behind one alias, from the template file in deploy/.

Monthly by publication date (ingestion date when unknown) so an article always lands in
the same index and a re-delivery overwrites instead of duplicating.
"""

import json
from datetime import datetime
from typing import Any

from elasticsearch import AsyncElasticsearch, BadRequestError, Elasticsearch, NotFoundError

from kabar.schemas.limits import ENTITY_MENTIONS_MAX
from kabar.services.common.package_data import DEPLOY_DIR
from kabar.services.common.settings import KabarSettings

TEMPLATE_FILE = DEPLOY_DIR / "elasticsearch" / "articles.template.json"
LIFECYCLE_FILE = DEPLOY_DIR / "elasticsearch" / "articles.ilm.json"


def index_for(prefix: str, published_at: datetime | None, ingested_at: datetime) -> str:
    moment = published_at or ingested_at
    return f"{prefix}-{moment:%Y.%m}"


def index_template(settings: KabarSettings, lifecycle: bool = False) -> dict[str, Any]:
    """The template body with the configured prefix as pattern and alias; ``lifecycle``
    attaches the lifecycle policy (only where the server has index lifecycle management)."""
    body: dict[str, Any] = json.loads(TEMPLATE_FILE.read_text("utf-8"))
    body["index_patterns"] = [f"{settings.es_index_prefix}-*"]
    body["template"]["aliases"] = {settings.es_alias: {}}
    # one nested document per mention: the limit on mentions an event carries
    body["template"]["settings"]["index.mapping.nested_objects.limit"] = ENTITY_MENTIONS_MAX
    if lifecycle:
        body["template"]["settings"]["index.lifecycle.name"] = settings.es_index_prefix
    return body


def lifecycle_policy() -> dict[str, Any]:
    policy: dict[str, Any] = json.loads(LIFECYCLE_FILE.read_text("utf-8"))
    return policy


def es_client_options(settings: KabarSettings) -> dict[str, Any]:
    """Connection options shared by the sync and async clients; secrets stay in SecretStr
    until this call."""
    options: dict[str, Any] = {"hosts": [settings.es_url], "request_timeout": 30}
    if settings.es_url.startswith("https"):
        options["verify_certs"] = settings.es_verify_certs
        if settings.es_ca_certs is not None:
            options["ca_certs"] = str(settings.es_ca_certs)
    if settings.es_api_key is not None:
        options["api_key"] = settings.es_api_key.get_secret_value()
    elif settings.es_username and settings.es_password is not None:
        options["basic_auth"] = (settings.es_username, settings.es_password.get_secret_value())
    return options


def sync_client(settings: KabarSettings) -> Elasticsearch:
    return Elasticsearch(**es_client_options(settings))


def async_client(settings: KabarSettings) -> AsyncElasticsearch:
    """The indexer's client. It does not retry by itself: ``write_bulk`` owns the policy
    (backoff with jitter, only what failed, counted in metrics), and a second, hidden
    layer of retries would only make outages look shorter than they were."""
    return AsyncElasticsearch(**es_client_options(settings), max_retries=0, retry_on_status=())


def existing_indices_update(settings: KabarSettings) -> dict[str, Any]:
    """The template's mappings for indices created before it changed: new fields are added
    to them (Elasticsearch allows additive mapping changes), so an upgrade does not send
    every new document to the DLQ as a strict-mapping violation."""
    mappings = index_template(settings)["template"]["mappings"]
    return {
        "index": f"{settings.es_index_prefix}-*",
        "allow_no_indices": True,
        "properties": mappings["properties"],
    }


def install_index_template(es: Elasticsearch, settings: KabarSettings) -> None:
    """Idempotent: putting the same policy and template again changes nothing."""
    lifecycle = install_lifecycle_policy(es, settings)
    es.indices.put_index_template(name=settings.es_index_prefix, **index_template(settings, lifecycle))
    es.indices.put_mapping(**existing_indices_update(settings))


def install_lifecycle_policy(es: Elasticsearch, settings: KabarSettings) -> bool:
    """True when the server took the policy; servers without lifecycle management (the local
    stand-in, some managed offerings) answer 400/404 and the indices simply live on."""
    try:
        es.ilm.put_lifecycle(name=settings.es_index_prefix, policy=lifecycle_policy())
    except (BadRequestError, NotFoundError):
        return False
    return True


def install_with_sync_client(settings: KabarSettings) -> None:
    with sync_client(settings) as es:
        install_index_template(es, settings)
