"""CPU time of a process tree, read from /proc while the children run and after they end."""

import os
import subprocess
import sys

from kabar.processes import cpu_seconds, wait_until

BURN = "import time\nwhile time.process_time() < 0.3:\n    pass\ninput()"


def test_a_process_s_cpu_time_counts_its_children_running_and_ended() -> None:
    before = cpu_seconds(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", BURN], stdin=subprocess.PIPE)
    try:
        # the clock ticks a hundred times a second: a little of the 0.3 s may not show yet
        wait_until(lambda: cpu_seconds(child.pid) >= 0.25, 30, "the child's CPU")
        assert cpu_seconds(os.getpid()) - before >= 0.25  # running: counted as it is
    finally:
        child.communicate(b"\n", timeout=30)
    assert cpu_seconds(os.getpid()) - before >= 0.25  # ended and waited for: still counted
