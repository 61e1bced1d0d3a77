"""A throwaway PostgreSQL for the benchmarks (as scripts/test.sh starts one for the tests): Debian's
server on a free loopback port, fsync off, removed afterwards."""
from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile


@contextlib.contextmanager
def throwaway_postgres():
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if not bins:
        raise RuntimeError("PostgreSQL is not installed (make system-test-deps)")
    pg = bins[-1]
    d = tempfile.mkdtemp(prefix="cockpit-bench-pg.")
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_pg:
        shutil.chown(d, "postgres")  # initdb refuses to run as root
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run([*as_pg, f"{pg}/initdb", "-D", f"{d}/data", "-A", "trust", "-U", "postgres", "-E", "UTF8",
                    "--locale=C.UTF-8"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*as_pg, f"{pg}/pg_ctl", "-D", f"{d}/data", "-l", f"{d}/log", "-w", "-o",
                    f"-p {port} -k {d} -c listen_addresses=127.0.0.1 -c fsync=off", "start"], check=True,
                   stdout=subprocess.DEVNULL)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_pg, f"{pg}/pg_ctl", "-D", f"{d}/data", "-m", "fast", "stop"], stdout=subprocess.DEVNULL)
        shutil.rmtree(d, ignore_errors=True)
