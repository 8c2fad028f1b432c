"""A local replay server with injectable faults, for tests: the recorded catalogue over real HTTP.

Serves ``/api/v1/servicos/orgao/<siorg>`` and ``/api/v1/servicos/<id>`` from a directory of
recorded records (like extract.replay, but over a socket on 127.0.0.1), and injects faults chosen
per request by a deterministic plan, so a test knows exactly what each URL went through.
"""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from extract.replay import ReplayCatalogue

FAULTS = ("timeout", "500", "502", "503", "429", "429-retry-after", "truncated", "reset", "slow")


@dataclass
class FaultPlan:
    """Which attempt of which path fails, and how.

    ``rate`` of the record paths (chosen by hash, so the same ones every run) fail their first
    ``attempts`` attempts with a fault picked by hash from ``kinds``; ``always`` paths fail every
    time with ``always_kind``.
    """

    rate: float = 0.0
    attempts: int = 1
    kinds: tuple[str, ...] = FAULTS
    always: frozenset[str] = frozenset()
    always_kind: str = "503"
    retry_after: int = 1
    slow_seconds: float = 0.3
    timeout_seconds: float = 2.0
    seen: Counter[str] = field(default_factory=Counter)
    times: dict[str, list[float]] = field(default_factory=dict)
    injected: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _pick(self, path: str) -> float:
        return int(hashlib.sha256(path.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF

    def fault_for_kind(self, path: str) -> str | None:
        """The fault this plan gives ``path``'s first attempt (without counting a request)."""
        if path in self.always:
            return self.always_kind
        if "/orgao/" in path or self._pick(path) >= self.rate:
            return None
        return self.kinds[int(self._pick(path + "#kind") * len(self.kinds)) % len(self.kinds)]

    def fault_for(self, path: str) -> str | None:
        with self.lock:
            self.seen[path] += 1
            self.times.setdefault(path, []).append(time.monotonic())
            attempt = self.seen[path]
        if path not in self.always and attempt > self.attempts:
            return None
        return self.fault_for_kind(path)


def _handler(catalogue: ReplayCatalogue, plan: FaultPlan) -> type[BaseHTTPRequestHandler]:
    transport = catalogue.transport()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            import httpx

            fault = plan.fault_for(self.path)
            if fault is not None:
                with plan.lock:
                    plan.injected[fault] += 1
            if fault == "timeout":
                time.sleep(plan.timeout_seconds)
                self.close_connection = True
                return
            if fault == "reset":
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                )
                self.close_connection = True
                return
            if fault in ("500", "502", "503", "429"):
                self._send(int(fault), b'{"erro": "injected"}')
                return
            if fault == "429-retry-after":
                self._send(429, b"{}", {"Retry-After": str(plan.retry_after)})
                return
            response = transport.handle_request(httpx.Request("GET", f"http://x{self.path}"))
            body = response.read()
            if fault == "truncated":
                # Announce the whole body, send half of it, hang up.
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.close_connection = True
                return
            if fault == "slow":
                time.sleep(plan.slow_seconds)
            self._send(response.status_code, body)

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def fault_server(directory: Path, plan: FaultPlan) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port) under ``plan``; yields the base URL."""
    handler = _handler(ReplayCatalogue.from_directory(directory), plan)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
