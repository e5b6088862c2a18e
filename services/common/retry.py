"""How Kabar waits before trying again, wherever it talks to a server that may be busy."""

import random
from dataclasses import dataclass

# answers that mean "not now" rather than "never": worth the same request again later
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Backoff:
    base_s: float
    max_s: float

    def delay(self, attempt: int) -> float:
        """Full jitter: uniformly up to the capped exponential step, so that many clients
        retrying after one outage do not come back all at once."""
        return random.uniform(0, min(self.max_s, self.base_s * 2**attempt))
