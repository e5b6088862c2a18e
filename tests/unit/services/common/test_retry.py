import pytest

from kabar.services.common.retry import Backoff


@pytest.mark.parametrize("attempt", range(12))
def test_backoff_is_jittered_and_capped(attempt: int) -> None:
    backoff = Backoff(0.5, 30.0)
    delays = [backoff.delay(attempt) for _ in range(50)]
    assert all(0 <= d <= min(30.0, 0.5 * 2**attempt) for d in delays)
