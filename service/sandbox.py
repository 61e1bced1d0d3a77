"""Run one function in a child process with a memory cap, so that what it does to the process
(a native reader that aborts, a file that fills memory, minutes of CPU) never reaches the caller.

The web server reads and checks every uploaded workbook this way: a hostile or broken file can
at worst end the child, never the server that other users are looking at. The child runs at a
lower CPU priority, so viewers' pages keep their share of the machine while a large file is read.

    python -m service.sandbox      # the child: reads requests on stdin, answers on stdout

Requests and answers are pickles between this process and its own child; nothing from outside
is ever unpickled. `Sandbox` keeps one warm child (imports done once, so a 50-row workbook is
checked in a fraction of a second); `run_once` starts a child for a single call (the command line).
"""
from __future__ import annotations

import importlib
import logging
import os
import pickle
import resource
import struct
import subprocess
import sys
import threading
from pathlib import Path

from cockpit.config import setup_logging

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[1]
_LEN = struct.Struct("!Q")
DEFAULT_MEMORY_MB = 3072  # address space of the child; a 100,000-row workbook needs about 1 GB
DEFAULT_TIMEOUT = 300.0  # seconds for one call
NICE = 5
# What reading and checking an upload imports (service.uploads): named here, in a module that imports
# nothing heavy itself, so `python -m cockpit import` can start its child before its own imports.
UPLOADS = ("cockpit.uploads.validate", "cockpit.uploads.commit")


class SandboxDied(Exception):
    """The child ended without an answer: killed by the memory cap, a native abort or the timeout."""

    def __init__(self, returncode: int | None, timed_out: bool = False):
        super().__init__(f"child exited with {returncode}" + (" (timeout)" if timed_out else ""))
        self.returncode = returncode
        self.timed_out = timed_out


# ---- the child -----------------------------------------------------------------------------------
def _limit(memory_mb: int) -> None:
    cap = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    os.nice(NICE)


def _preload(modules: list[str]) -> None:
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception:  # the call that needs it imports it again and answers with the error
            log.exception("preloading %s failed", module)


def _call(target: str, args: tuple, kwargs: dict):
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)(*args, **kwargs)


def _child() -> None:
    # The protocol keeps the real stdout to itself; anything the called code prints goes to stderr.
    stdin, stdout = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    setup_logging()  # as the parent's: the same level and format, Alembic's import-time notices off
    _limit(int(os.environ.get("COCKPIT_SANDBOX_MB", DEFAULT_MEMORY_MB)))  # imports included (1 GB is plenty)
    # The preloaded imports run beside the first request instead of before it: a workbook read
    # ahead spends most of its time in calamine, which lets go of the GIL. A call that needs a
    # module still being imported waits for it (Python's import locks).
    preload = [m for m in os.environ.get("COCKPIT_SANDBOX_PRELOAD", "").split(",") if m]
    threading.Thread(target=_preload, args=(preload,), name="preload", daemon=True).start()
    while True:
        head = stdin.read(_LEN.size)
        if len(head) < _LEN.size:  # the parent closed the pipe: every answer is out
            # No interpreter teardown: freeing what a 100,000-row workbook left behind took 0.4 s
            # that the command line waited for, and there is nothing to save or flush.
            os._exit(0)
        target, args, kwargs = pickle.loads(stdin.read(_LEN.unpack(head)[0]))
        try:
            answer = ("ok", _call(target, args, kwargs))
        except MemoryError:
            answer = ("memory", None)
        except BaseException as exc:  # noqa: BLE001  (the parent re-raises it)
            answer = ("raise", exc)
        try:
            blob = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
            if answer[0] == "raise":
                pickle.loads(blob)  # some exceptions pickle but cannot be rebuilt on the other side
        except Exception:  # such an exception still says what it was
            blob = pickle.dumps(("raise", RuntimeError(f"{type(answer[1]).__name__}: {answer[1]}")))
        stdout.write(_LEN.pack(len(blob)) + blob)
        stdout.flush()


# ---- the parent ----------------------------------------------------------------------------------
class Sandbox:
    """One warm child process; calls are served one at a time (uploads are rare, files small)."""

    def __init__(self, preload: tuple[str, ...] = (), memory_mb: int = DEFAULT_MEMORY_MB,
                 timeout: float = DEFAULT_TIMEOUT, env: dict[str, str] | None = None):
        self.preload, self.memory_mb, self.timeout = preload, memory_mb, timeout
        self.env = env or {}
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._unread = 0  # answers to `send` still in the pipe, ahead of the next call's

    def _start(self) -> subprocess.Popen:
        env = {**os.environ, **self.env, "COCKPIT_SANDBOX_MB": str(self.memory_mb),
               "COCKPIT_SANDBOX_PRELOAD": ",".join(self.preload),
               "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
               "RUST_BACKTRACE": "0"}  # a native abort is logged in one line, not sixty
        return subprocess.Popen([sys.executable, "-m", "service.sandbox"], cwd=ROOT, env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def _running(self) -> subprocess.Popen:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = self._start()
            self._unread = 0
        return self._proc

    def start(self) -> None:
        """Start the child now, so that its imports overlap the caller's own work before the first call."""
        with self._lock:
            self._running()

    def send(self, target: str, *args, **kwargs) -> None:
        """Start `module:function(*args, **kwargs)` in the child without waiting for it: work done
        ahead (the next file read while this process writes the last one). Its answer is dropped
        by the next `call`, which waits for it first; a child it killed is that call's SandboxDied."""
        with self._lock:
            proc = self._running()
            try:
                proc.stdin.write(_request(target, args, kwargs))
                proc.stdin.flush()
            except (BrokenPipeError, OSError):
                return
            self._unread += 1

    def call(self, target: str, *args, **kwargs):
        """Run `module:function(*args, **kwargs)` in the child; its exception is raised here."""
        with self._lock:
            proc = self._running()
            blob = _request(target, args, kwargs)
            expired = threading.Event()

            def expire() -> None:
                expired.set()
                proc.kill()
            timer = threading.Timer(self.timeout, expire)
            timer.start()
            try:
                proc.stdin.write(blob)
                proc.stdin.flush()
                for _ in range(self._unread + 1):  # the answers of `send`, then this call's
                    head = proc.stdout.read(_LEN.size)
                    body = proc.stdout.read(_LEN.unpack(head)[0]) if len(head) == _LEN.size else b""
                    if not body:
                        break
                self._unread = 0
            except (BrokenPipeError, OSError, struct.error):
                body = b""
            finally:
                timer.cancel()
            if not body:
                proc.kill()
                proc.wait()
                self._proc = None
                log.error("sandbox child for %s ended with %s", target, proc.returncode)
                raise SandboxDied(proc.returncode, expired.is_set())
        status, value = pickle.loads(body)
        if status == "memory":
            raise SandboxDied(None)
        if status == "raise":
            raise value
        return value

    def close(self) -> None:
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                self._proc.stdin.close()
                try:
                    self._proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
            self._proc = None


def _request(target: str, args: tuple, kwargs: dict) -> bytes:
    blob = pickle.dumps((target, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
    return _LEN.pack(len(blob)) + blob


_early: Sandbox | None = None


def prestart(preload: tuple[str, ...]) -> Sandbox:
    """Start a child now, for `prestarted` to hand over later: its imports (a second) then run beside
    the caller's own imports instead of after them."""
    global _early
    _early = Sandbox(preload=preload)
    _early.start()
    return _early


def prestarted(preload: tuple[str, ...]) -> Sandbox:
    """The child `prestart` began for these imports, or a new one started now."""
    global _early
    box, _early = _early, None
    if box is None or box.preload != preload:
        if box is not None:
            box.close()
        box = Sandbox(preload=preload)
        box.start()
    return box


def run_once(target: str, *args, memory_mb: int = DEFAULT_MEMORY_MB,
             timeout: float = DEFAULT_TIMEOUT, **kwargs):
    """One call in a fresh child that ends with it."""
    box = Sandbox(memory_mb=memory_mb, timeout=timeout)
    try:
        return box.call(target, *args, **kwargs)
    finally:
        box.close()


if __name__ == "__main__":
    _child()
