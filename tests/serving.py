"""A real `vnsearch serve` process on an ephemeral port of 127.0.0.1, for tests and benchmarks."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path


class Server:
    """Started with the write API on when given a token (or a token file); ``log`` is what it printed."""

    def __init__(self, index_dir: Path, token_file: Path | None = None, token: str = "", threads: int | None = None):
        env = {**os.environ, "VNSEARCH_API_TOKEN": "" if token_file else token}
        # One process (waitress): a test that kills the server kills all of it, and reads one log.
        command = [sys.executable, "-m", "vnsearch.cli", "serve", "--port", "0", "--workers", "1", "--index-dir", str(index_dir)]
        if threads:
            command += ["--threads", str(threads)]
        if token_file:
            command += ["--api-token-file", str(token_file)]
        self.process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        self.log: list[str] = []
        for line in self.process.stderr:
            self.log.append(line)
            if found := re.search(r"(http://127\.0\.0\.1:\d+)/", line):
                self.url = found[1]
                break
        else:
            raise AssertionError("the server did not start: " + "".join(self.log))
        threading.Thread(target=lambda: self.log.extend(self.process.stderr), daemon=True).start()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait()
        return "".join(self.log) + self.process.stdout.read()
