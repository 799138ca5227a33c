"""A real Spark standalone cluster (one master, one worker) on 127.0.0.1, started from the pip package."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str], log: Path) -> subprocess.Popen:
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "SPARK_NO_DAEMONIZE": "1"}
    return subprocess.Popen(
        [shutil.which("spark-class"), *args],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,  # its own process group, so stopping it takes its JVM children too
    )


def _stop(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@contextlib.contextmanager
def standalone_cluster(work_dir: Path, cores: int = 2, memory: str = "2g", timeout_s: float = 90):
    """Yield the master URL once the worker has registered; stop both on exit, whatever happened."""
    port, ui_port, worker_ui = free_port(), free_port(), free_port()
    url = f"spark://127.0.0.1:{port}"
    work_dir.mkdir(parents=True, exist_ok=True)
    master = _start(
        [
            "org.apache.spark.deploy.master.Master",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--webui-port",
            str(ui_port),
        ],
        work_dir / "master.log",
    )
    worker = None
    try:
        worker = _start(
            [
                "org.apache.spark.deploy.worker.Worker",
                url,
                "--cores",
                str(cores),
                "--memory",
                memory,
                "--webui-port",
                str(worker_ui),
                "--work-dir",
                str(work_dir / "work"),
            ],
            work_dir / "worker.log",
        )
        deadline = time.time() + timeout_s
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{ui_port}/json/", timeout=2) as r:
                    if json.load(r).get("aliveworkers", 0) >= 1:
                        break
            except OSError:
                pass
            if time.time() > deadline or master.poll() is not None or worker.poll() is not None:
                raise RuntimeError(
                    f"standalone cluster did not come up; see {work_dir}/master.log and worker.log"
                )
            time.sleep(1)
        yield url
    finally:
        if worker is not None:
            _stop(worker)
        _stop(master)
