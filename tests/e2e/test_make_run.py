"""`make run` stops cleanly on Ctrl-C: web, worker and beat end on the runner's SIGTERM.

The runner (honcho) signals each process's whole group. With a prefork pool that reached the
pool's children too, and the worker hung in its warm shutdown until the runner killed it
after five seconds; the worker now runs its tasks in threads (Procfile).
"""

import contextlib
import os
import pty
import select
import signal
import socket
import sys
import time
from pathlib import Path

import pytest

from tests.support.processes import ROOT, database_url, sealing


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _read(fd: int, seconds: float) -> bytes:
    out = b""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            out += data
    return out


@pytest.mark.django_db(transaction=True)
def test_ctrl_c_stops_web_worker_and_beat_without_a_kill(tmp_path: Path):
    env = {
        **os.environ,
        **sealing(),
        "DATABASE_URL": database_url(),
        "VAR_DIR": str(tmp_path),
        "WEB_PORT": str(_free_port()),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    pid, fd = pty.fork()
    if pid == 0:  # the child: honcho in a terminal, as `make run` leaves it
        os.chdir(ROOT)
        os.execvpe(sys.executable, [sys.executable, "-m", "honcho", "start"], env)
    output = b""
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            output += _read(fd, 1)
            if all(
                marker in output for marker in (b"celery@", b"beat: Starting", b"Quit the server")
            ):
                break
        else:
            pytest.fail("web, worker and beat did not all start:\n" + output.decode())
        output += _read(fd, 5)  # let beat hand the worker its first tasks
        os.write(fd, b"\x03")  # Ctrl-C at the terminal
        output += _read(fd, 30)
    finally:
        with contextlib.suppress(OSError):  # already gone, as it should be
            os.killpg(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    text = output.decode(errors="replace")
    assert "SIGINT received" in text
    assert "sending SIGKILL" not in text, text[-2000:]
    for name in ("web.1", "worker.1", "beat.1"):
        assert f"{name} stopped" in text, text[-2000:]
