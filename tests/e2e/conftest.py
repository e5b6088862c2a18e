import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.e2e)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The accounting of every fault scenario, whether it passed or not."""
    from tests.fixtures.ledger import BALANCES

    if BALANCES:
        terminalreporter.section("accepted = indexed + dead-lettered, per fault scenario")
        for line in BALANCES:
            terminalreporter.write_line(line)
