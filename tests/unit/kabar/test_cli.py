from kabar.cli import parser


def test_every_documented_command_parses() -> None:
    for argv in (
        ["up"],
        ["up", "--servers-only"],
        ["down"],
        ["status"],
        ["ingest", "samples/", "--wait", "60", "--restart"],
        ["search", "Jakarta", "--json"],
        ["serve", "indexing"],
    ):
        assert parser().parse_args(argv).run is not None
