"""A crowd of slow clients: connections that send part of a request over TLS and stall.

Half stop inside the request headers; half send whole headers announcing a body, a few bytes of it, and
then one byte now and then (slower than any real phone, fast enough that a per-read timeout never fires).
Whenever the server closes one, it is opened again, so `size` stalled requests are pending all the time.
Behind a buffering proxy none of them reaches an app server; without one, each would hold a gunicorn thread.
"""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field

TRICKLE_EVERY = 3.0  # seconds between two bytes of a stalled body; below nginx's client_body_timeout
TICK = 0.5  # seconds between two rounds of reopening what the server closed


@dataclass
class Stalled:
    """One stalled request: its connection, whether it is stuck in the body, when it last sent a byte."""

    sock: ssl.SSLSocket
    in_body: bool
    sent_at: float = field(default_factory=time.monotonic)


@dataclass
class SlowCrowd:
    """`size` stalled requests to 127.0.0.1:port, kept open by a thread of their own until stop()."""

    port: int
    tls: ssl.SSLContext
    path: str
    size: int = 200
    opened: int = 0
    closed_by_server: int = 0
    pending_counts: list[int] = field(default_factory=list)
    _slots: list[Stalled | None] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def partial_request(self, in_body: bool) -> bytes:
        """Headers cut short, or whole headers and the start of a body far shorter than its Content-Length."""
        head = f"POST {self.path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
        head += "Content-Type: application/x-www-form-urlencoded\r\n"
        if not in_body:
            return (head + "X-Slow: ").encode()
        return (head + "Content-Length: 5000\r\n\r\nform_token=").encode()

    def connect(self, in_body: bool) -> Stalled | None:
        """Open one stalled request (None when the server refuses the connection now)."""
        try:
            raw = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            sock = self.tls.wrap_socket(raw, server_hostname="127.0.0.1")
            sock.sendall(self.partial_request(in_body))
            sock.setblocking(False)
        except OSError:
            return None
        self.opened += 1
        return Stalled(sock, in_body)

    def start(self) -> SlowCrowd:
        """Open every connection, then keep them stalled from a background thread."""
        self._slots = [self.connect(in_body=index % 2 == 1) for index in range(self.size)]
        self._thread = threading.Thread(target=self._keep_stalling, name="slow-crowd", daemon=True)
        self._thread.start()
        return self

    def pending(self) -> int:
        """Count the stalled requests open now (the server has not closed them)."""
        with self._lock:
            return sum(slot is not None and not self._closed(slot.sock) for slot in self._slots)

    def _keep_stalling(self) -> None:
        """Reopen what the server closed, trickle a byte into each stalled body, note how many are pending."""
        while not self._stop.wait(TICK):
            with self._lock:
                for index, slot in enumerate(self._slots):
                    if slot is None or self._closed(slot.sock):
                        if slot is not None:
                            self.closed_by_server += 1
                            slot.sock.close()
                        self._slots[index] = self.connect(in_body=index % 2 == 1)
                    elif slot.in_body and time.monotonic() - slot.sent_at > TRICKLE_EVERY:
                        with contextlib.suppress(OSError):
                            slot.sock.send(b"a")
                            slot.sent_at = time.monotonic()
                self.pending_counts.append(sum(slot is not None for slot in self._slots))

    @staticmethod
    def _closed(sock: ssl.SSLSocket) -> bool:
        """Tell whether the server closed (or answered, then closed) this connection."""
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        try:
            sock.recv(4096)  # an answer (408, 400) or the end of the stream: either way it is over
        except ssl.SSLWantReadError:
            return False
        except OSError:
            pass
        return True

    def stop(self) -> None:
        """Stop the thread and close every connection."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        for slot in self._slots:
            if slot is not None:
                slot.sock.close()
        self._slots = []
