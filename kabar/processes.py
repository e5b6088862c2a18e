"""Processes the project starts and stops itself: local servers and services, each with a
pid file, a log file and a marker that proves a pid is still the process it started.

``stop`` only ever signals a pid whose command line still carries its marker, so a real
Kafka or a second checkout on the same machine is never touched.
"""

import contextlib
import os
import signal
import socket
import struct
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from kabar.services.common.settings import StackSettings


class StackError(RuntimeError):
    """Something the user has to act on; the message says what."""


@dataclass(frozen=True)
class Process:
    name: str
    command: list[str]
    marker: str  # a string the process's command line must contain to be ours

    def pid_file(self, settings: StackSettings) -> Path:
        return settings.state_dir / "run" / f"{self.name}.pid"

    def log_file(self, settings: StackSettings) -> Path:
        return settings.state_dir / "logs" / f"{self.name}.log"


def running_pid(process: Process, settings: StackSettings) -> int | None:
    """The pid from the pid file if that process is alive and is still the one we started."""
    pid_file = process.pid_file(settings)
    try:
        pid = int(pid_file.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None
    return pid if process.marker in cmdline else None


def start(process: Process, settings: StackSettings, env: dict[str, str] | None = None) -> int:
    """Starts the process in its own session unless it already runs; returns its pid."""
    pid = running_pid(process, settings)
    if pid is not None:
        return pid
    log_file = process.log_file(settings)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    process.pid_file(settings).parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        child = subprocess.Popen(
            process.command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )
    process.pid_file(settings).write_text(str(child.pid))
    return child.pid


def stop(process: Process, settings: StackSettings, grace_s: float = 60.0) -> bool:
    """SIGTERM, then SIGKILL after ``grace_s``; noida-db needs the grace to save its data."""
    pid = running_pid(process, settings)
    process.pid_file(settings).unlink(missing_ok=True)
    if pid is None:
        return False
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.2)
    if _alive(pid):
        os.killpg(pid, signal.SIGKILL)
    return True


def _alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaps it when it is a child of this very process
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@dataclass(frozen=True)
class Started:
    """A process ``up`` started (or found running), and where its log stood before."""

    process: Process
    pid: int
    log_offset: int

    def exited(self, settings: StackSettings, lines: int = 20) -> StackError:
        """The error for a process that died while starting, with the end of its log."""
        log_file = self.process.log_file(settings)
        try:
            with log_file.open("rb") as log:
                log.seek(self.log_offset)
                written = log.read().decode(errors="replace")
        except FileNotFoundError:
            written = ""
        tail = "\n".join(f"    {line}" for line in written.splitlines()[-lines:]) or "    (nothing)"
        return StackError(
            f"{self.process.name} exited while starting; the end of its log, {log_file}:\n{tail}\n"
            "fix the cause and run `kabar up` again (`kabar down` stops what did start)"
        )


def launch(process: Process, settings: StackSettings, env: dict[str, str] | None = None) -> Started:
    """``start``, remembering how long the log was, so that a failure shows only this run's lines."""
    log_file = process.log_file(settings)
    log_offset = log_file.stat().st_size if log_file.exists() else 0
    return Started(process, start(process, settings, env), log_offset)


def wait_started(
    started: list[Started], check: Callable[[], bool], settings: StackSettings, what: str
) -> None:
    """``wait_until`` ``check`` holds, but fails at once when one of ``started`` has exited."""

    def ready() -> bool:
        ok = check()
        for one in started:
            if not _alive(one.pid):
                raise one.exited(settings)
        return ok

    wait_until(ready, settings.ready_timeout_s, what)


def wait_until(check: Callable[[], bool], timeout_s: float, what: str, poll_s: float = 0.5) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(poll_s)
    raise StackError(f"timed out after {timeout_s:.0f}s waiting for {what}")


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def kafka_answers(port: int, host: str = "127.0.0.1") -> bool:
    """A Kafka ApiVersions request (v0) gets its answer: the broker is up, not just someone
    listening on its port."""
    client_id = b"kabar-ready"
    request = struct.pack(">hhih", 18, 0, 7, len(client_id)) + client_id
    try:
        with socket.create_connection((host, port), timeout=2) as sock:
            sock.sendall(struct.pack(">i", len(request)) + request)
            answer = b""
            while len(answer) < 8:
                chunk = sock.recv(8 - len(answer))
                if not chunk:
                    return False
                answer += chunk
    except OSError:
        return False
    return struct.unpack(">i", answer[4:8])[0] == 7  # our correlation id


def http_ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used, with every thread and every process it
    started (the enrichment worker's extraction processes): those that still run, and
    those it has waited for."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended since the tree was read
            continue
        total += int(fields[11]) + int(fields[12])
        if member == pid:
            total += int(fields[13]) + int(fields[14])  # children it has waited for
    return total / tick


def process_tree(pid: int) -> list[int]:
    """The process and every process it started, and they started, that still runs."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            continue
    tree = [pid]
    for member in tree:
        tree += [child for child, parent in parents.items() if parent == member]
    return tree
