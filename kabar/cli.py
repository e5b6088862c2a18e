"""The ``kabar`` command: the local stack, backfill, search, and running one service."""

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import get_args

from kabar.services.common.settings import (
    SERVICES,
    IngestionSettings,
    KabarSettings,
    LocalKafka,
    StackSettings,
)
from kabar.services.common.text import one_line


def cmd_ingest(args: argparse.Namespace) -> int:
    from kabar.services.common.kafka import ensure_topics, producer
    from kabar.services.ingestion.backfill import Progress, backfill, input_files
    from kabar.services.ingestion.publish import Publisher

    settings = IngestionSettings()
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        print(f"no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return 2
    files = input_files(args.paths)
    for entry, reason in files.skipped:
        print(f"skipped {entry}: {reason}", file=sys.stderr)
    if files.empty:
        print(f"no *.ndjson file in {', '.join(map(str, files.empty))}", file=sys.stderr)
        return 2
    ensure_topics(settings)
    kafka_producer = producer(settings, "kabar-ingest", settings.produce_timeout_s)
    try:
        summary = backfill(
            files,
            Publisher(settings, kafka_producer),
            settings.state_dir,
            restart=args.restart,
            progress=Progress(enabled=sys.stderr.isatty()),
        )
    finally:
        kafka_producer.close(timeout=10)
    print(
        f"read {len(summary.outcomes)}  accepted {summary.count('accepted')}  "
        f"duplicates {summary.count('duplicate')}  rejected {summary.count('rejected')}"
    )
    for reason, count in sorted(summary.reasons().items()):
        print(f"  rejected {count} as {reason}")
    for outcome in summary.outcomes:
        if outcome.status == "rejected":
            print(f"  {one_line(outcome.origin)}: {outcome.reason}: {one_line(outcome.message or '')}")
    if args.wait:
        accepted_ids = {o.article_id for o in summary.outcomes if o.status != "rejected" and o.article_id}
        if not wait_indexed(settings, accepted_ids, args.wait):
            return 1
    return 1 if summary.count("rejected") else 0


def wait_indexed(settings: KabarSettings, article_ids: set[str], timeout_s: float) -> bool:
    """Polls the search alias until every id is searchable; prints progress."""
    from elasticsearch import NotFoundError

    from kabar.services.indexing.index_design import sync_client

    deadline = time.monotonic() + timeout_s
    found = 0
    with sync_client(settings) as es:
        while time.monotonic() < deadline:
            try:
                es.indices.refresh(index=settings.es_alias)
                found = int(
                    es.count(index=settings.es_alias, query={"ids": {"values": sorted(article_ids)}})["count"]
                )
            except NotFoundError:
                found = 0
            if found == len(article_ids):
                print(f"indexed {found}/{len(article_ids)}")
                return True
            time.sleep(0.5)
    print(f"only {found}/{len(article_ids)} indexed after {timeout_s:.0f}s", file=sys.stderr)
    return False


def cmd_search(args: argparse.Namespace) -> int:
    from kabar.services.indexing.index_design import sync_client
    from kabar.services.indexing.search import HIGHLIGHT, search_query

    settings = KabarSettings()
    query = search_query(
        args.query, language=args.lang, source=args.source, entity=args.entity, since=args.since
    )
    with sync_client(settings) as es:
        response = es.search(
            index=settings.es_alias,
            query=query,
            highlight=HIGHLIGHT,
            size=args.size,
            source_excludes=["body", "body_original", "body_en", "entities"],
        )
    hits = response["hits"]["hits"]
    if args.json:
        print(json.dumps(hits, ensure_ascii=False, indent=2))
        return 0
    total = response["hits"]["total"]["value"]
    print(f"{total} hits for {one_line(args.query)!r}")
    for hit in hits:
        doc = hit["_source"]
        published = (doc.get("published_at") or "")[:10] or "undated"
        language, source = one_line(str(doc.get("language", "?"))), one_line(str(doc.get("source", "?")))
        print(
            f"  {one_line(published)}  {language:<3} {source:<22} {one_line(str(doc.get('title', '')))[:90]}"
        )
        for fragments in hit.get("highlight", {}).values():
            print(f"      … {one_line(fragments[0])} …")
            break
    return 0


def cmd_enrich(args: argparse.Namespace) -> int:
    """One article through ingestion's validation and cleaning and the enrichment stage's
    ``enrich``: the same functions the services run, minus Kafka."""
    import json

    from kabar.services.common.dlq import Failure
    from kabar.services.enrichment.transform import enrich
    from kabar.services.ingestion.validate import parse_article

    document = json.loads(args.file.read_text("utf-8"))
    if isinstance(document, dict):
        document.setdefault("source", "local")
    parsed = parse_article(json.dumps(document).encode())
    if isinstance(parsed, Failure):
        print(f"rejected: {parsed.error_type}: {parsed.error_message}", file=sys.stderr)
        return 1
    print(enrich(parsed, KabarSettings().translation_backend).model_dump_json(indent=2))
    return 0


def cmd_dlq(args: argparse.Namespace) -> int:
    from kabar.dlq_tools import Positioned, Selection, dead_letters, replay, replayed_positions, summarise
    from kabar.services.common.dlq import Failure

    settings = IngestionSettings()
    selection = Selection(args.stage, args.reason)
    selected: list[Positioned] = []
    unreadable = 0
    for item in dead_letters(settings):
        if isinstance(item.letter, Failure):
            unreadable += 1
        elif selection.matches(item.letter):
            selected.append(item)
    letters = [item.letter for item in selected if not isinstance(item.letter, Failure)]
    if args.action == "list":
        print(
            f"{len(letters)} dead letters in {settings.topic_dlq}"
            + (f" ({unreadable} unreadable)" if unreadable else "")
        )
        for (stage, reason), count in sorted(summarise(letters).items()):
            print(f"  {count:>6}  {stage:<12} {one_line(reason)}")
        if letters:
            print("most recent:")
        for letter in sorted(letters, key=lambda d: d.failed_at)[-args.recent :]:
            when = f"{letter.failed_at:%Y-%m-%d %H:%M:%S}"
            print(f"  {when}  {letter.stage:<11} {one_line(letter.error_type):<22} {one_line(letter.origin)}")
            print(f"      {one_line(letter.error_message)[:160]}")
        return 0
    report = replay(settings, selected, replayed_positions(settings))
    columns = report.columns()
    print(f"{'stage':<12}" + "".join(f"{name:>17}" for name in columns))
    for stage in report.stages():
        print(f"{stage:<12}" + "".join(f"{column[stage]:>17}" for column in columns.values()))
    print(
        f"sent back {sum(report.sent.values())}; each letter is sent back once, and one that fails "
        "again comes back as a new letter whose origin names the replay"
    )
    return 1 if report.not_sent else 0


def cmd_group(args: argparse.Namespace) -> int:
    from kafka.errors import BrokerResponseError, KafkaError, UnknownMemberIdError

    from kabar.services.common.kafka import group_members, remove_static_member

    settings = KabarSettings()
    group = getattr(settings, f"{args.service}_group")
    if args.remove:
        try:
            remove_static_member(settings, group, args.remove)
        except KafkaError as exc:
            # the broker's answer (a plain KafkaError is remove_static_member's per-member one);
            # any other KafkaError means no broker answered, which main reports
            if not isinstance(exc, BrokerResponseError) and type(exc) is not KafkaError:
                raise
            if isinstance(exc, UnknownMemberIdError) or UnknownMemberIdError.__name__ in str(exc):
                problem = f"{args.remove} is not a member of group {group}; nothing removed"
            else:
                problem = f"could not remove {args.remove} from group {group}: {exc}"
            print(f"kabar: {problem} (`kabar group {args.service}` lists the members)", file=sys.stderr)
            return 1
        print(f"removed {args.remove} from {group}: its partitions go to the other members")
        return 0
    members = group_members(settings, group)
    print(f"{len(members)} members in {group}")
    for member in members:
        print(f"  {member.instance_id or '(dynamic)':<24} {member.host:<18} {' '.join(member.partitions)}")
    return 0


def cmd_kibana(args: argparse.Namespace) -> int:
    from kabar.kibana import import_saved_objects

    count = import_saved_objects(args.url, space=args.space)
    print(
        f"imported {count} saved objects into {args.url}: data view, saved search, visualisations, dashboard"
    )
    return 0


def cmd_up(args: argparse.Namespace) -> int:
    from kabar.stack import up

    settings = StackSettings()
    if args.kafka is not None:
        settings = settings.model_copy(update={"local_kafka": args.kafka})
    up(settings, services=not args.servers_only)
    return 0


def cmd_down(_: argparse.Namespace) -> int:
    from kabar.stack import down

    down(StackSettings())
    return 0


def cmd_status(_: argparse.Namespace) -> int:
    from kabar.stack import status, status_lines

    settings = StackSettings()
    state = status(settings)
    print("\n".join(status_lines(state, settings)))
    return 0 if all(h == "ready" for h in state.services.values()) else 1


def service_main(service: str) -> Callable[[], None]:
    """Imports the one service asked for, so that its process loads no other service's code
    (no spaCy in indexing) and none of the tools around them."""
    if service == "ingestion":
        from kabar.services.ingestion.service import main
    elif service == "enrichment":
        from kabar.services.enrichment.service import main
    elif service == "translation":
        from kabar.services.enrichment.translation_stage import main
    else:
        from kabar.services.indexing.service import main
    return main


def cmd_serve(args: argparse.Namespace) -> int:
    service_main(args.service)()
    return 0


def bounded_int(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse ``type``: an integer from ``low`` to ``high`` (no upper bound when None)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
        if value < low or (high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f"of at least {low}"
            raise argparse.ArgumentTypeError(f"must be an integer {bounds}, not {value}")
        return value

    return parse


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="kabar", description="Kabar: regional news into search.")
    commands = root.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start the local stack and the services")
    up.add_argument(
        "--servers-only",
        action="store_true",
        help="Kafka, Elasticsearch and Prometheus without the services (the benchmark runs its own)",
    )
    up.add_argument(
        "--kafka",
        choices=get_args(LocalKafka),
        help="the local broker: noida-db's embedded Kafka (the default, needs only Python) or "
        "Apache Kafka from Maven Central (needs java 17+ and mvn); default KABAR_LOCAL_KAFKA or noida-db",
    )
    up.set_defaults(run=cmd_up)
    commands.add_parser("down", help="stop what `kabar up` started").set_defaults(run=cmd_down)
    commands.add_parser("status", help="health, topic counts, lag, documents").set_defaults(run=cmd_status)

    ingest = commands.add_parser("ingest", help="send NDJSON articles to the raw topic")
    ingest.add_argument("paths", nargs="+", type=Path, metavar="FILE|DIR")
    ingest.add_argument("--wait", type=float, metavar="SECONDS", help="then wait until they are searchable")
    ingest.add_argument("--restart", action="store_true", help="ignore checkpoints of an interrupted run")
    ingest.set_defaults(run=cmd_ingest)

    search = commands.add_parser("search", help="search original and translated text, with filters")
    search.add_argument("query")
    search.add_argument("--lang", help="ISO 639-1 language of the article, e.g. id, ms, en")
    search.add_argument("--source", help="publisher, e.g. kompas.com")
    search.add_argument("--entity", help="canonical entity name, e.g. Syria (finds Suriah too)")
    search.add_argument("--since", type=date.fromisoformat, help="published on or after YYYY-MM-DD")
    search.add_argument(
        "--size",
        type=bounded_int(0, 10_000),  # Elasticsearch's default index.max_result_window
        default=10,
        help="how many hits to show, 0 to 10000 (default 10)",
    )
    search.add_argument("--json", action="store_true", help="print the raw hits")
    search.set_defaults(run=cmd_search)

    enrich = commands.add_parser("enrich", help="print the enriched event of one article (JSON file)")
    enrich.add_argument("file", type=Path)
    enrich.set_defaults(run=cmd_enrich)

    dlq = commands.add_parser("dlq", help="dead letters: list them, or replay them after a fix")
    dlq.add_argument("action", choices=["list", "replay"])
    dlq.add_argument("--stage", choices=["ingestion", "enrichment", "translation", "indexing"])
    dlq.add_argument("--reason", help="an error type, e.g. schema_violation")
    dlq.add_argument(
        "--recent", type=bounded_int(1), default=10, help="how many recent letters list shows (default 10)"
    )
    dlq.set_defaults(run=cmd_dlq)

    group = commands.add_parser("group", help="a stream service's consumer group: members, or evict one")
    group.add_argument("service", choices=[name for name in SERVICES if name != "ingestion"])
    group.add_argument(
        "--remove", metavar="INSTANCE_ID", help="hand a replica that is gone for good to the others"
    )
    group.set_defaults(run=cmd_group)

    kibana = commands.add_parser("kibana", help="load the saved objects under deploy/kibana into Kibana")
    kibana.add_argument("action", choices=["import"])
    kibana.add_argument("--url", required=True, help="Kibana's base URL, e.g. http://localhost:5601")
    kibana.add_argument("--space", help="a Kibana space other than the default")
    kibana.set_defaults(run=cmd_kibana)

    serve = commands.add_parser("serve", help="run one service in the foreground")
    serve.add_argument("service", choices=SERVICES)
    serve.set_defaults(run=cmd_serve)
    return root


def main(argv: Sequence[str] | None = None) -> None:
    from elasticsearch import ConnectionError as ElasticsearchUnreachable
    from kafka.errors import KafkaError

    from kabar.kibana import KibanaError
    from kabar.processes import StackError

    args = parser().parse_args(argv)
    try:
        sys.exit(args.run(args))
    except KafkaError as exc:
        where = f"Kafka at {KabarSettings().kafka_bootstrap}"
        sys.exit(f"kabar: {where} is unreachable ({exc}); is the stack up (`kabar up`)?")
    except ElasticsearchUnreachable as exc:
        where = f"Elasticsearch at {KabarSettings().es_url}"
        sys.exit(f"kabar: {where} is unreachable ({exc}); is the stack up (`kabar up`)?")
    except (StackError, KibanaError) as exc:
        sys.exit(f"kabar: {exc}")
    except BrokenPipeError:  # `kabar search ... | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)


if __name__ == "__main__":
    main()
