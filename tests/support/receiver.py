"""A local webhook endpoint for tests that need a real HTTP peer."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """A local HTTP endpoint that answers 500 to the first `fail` requests, then 204.

    `redirect_to` answers every request with a 302 there instead; `drip` answers one byte
    every `drip` seconds, never finishing within a sane deadline (a slow or hostile peer).
    Each request is kept with the moment it arrived (`time.monotonic()`).
    """

    def __init__(self, fail: int = 0, *, redirect_to: str = "", drip: float = 0.0) -> None:
        self.fail = fail
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.arrived: list[float] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.arrived.append(time.monotonic())
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                if drip:
                    try:
                        for byte in b"HTTP/1.1 204 No Content\r\n\r\n" * 20:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(drip)
                    except OSError:  # the sender gave up on us
                        pass
                    return
                if redirect_to:
                    self.send_response(302)
                    self.send_header("Location", redirect_to)
                else:
                    self.send_response(500 if len(receiver.received) <= receiver.fail else 204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
