"""A loopback HTTP server for tests: real HTTP over 127.0.0.1, no mocked transport.

    with LocalServer() as srv:
        srv.routes["/robots.txt"] = Response(body=b"User-agent: *\\nDisallow: /private\\n")
        srv.routes["/page?x=1"] = Response(body=b"<p>hi</p>", headers={"Content-Type": "text/html"})
        srv.routes["/flaky"] = sequence(Response(status=500), Response(body=b"ok"))
        srv.routes["/custom"] = lambda req: Response(body=req.headers.get("user-agent", "").encode())
        ... srv.url("/page?x=1") ...      # http://127.0.0.1:PORT/page?x=1
        srv.hits                         # ["/robots.txt", "/page?x=1", ...]
        srv.requests[-1].headers         # lower-cased header names

Routes are keyed by path including the query string; an unknown path (robots.txt
included) answers 404.  A route is a :class:`Response` or a callable taking the
:class:`Request` and returning one.  ``Response`` knobs cover awkward servers:
``delay`` (sleep before answering, for read timeouts), ``content_length`` (send
this Content-Length whatever the body is, then close: a body cut short) and
``omit_length`` (no Content-Length; the body ends when the connection closes),
``trickle`` (send the body one byte at a time, this many seconds apart, under a correct
Content-Length) and ``trickle_headers`` (the status line and headers too).
:func:`gzip_zeros` builds a gzip bomb (N zero bytes in a few kilobytes) without
compressing N bytes.
"""

from __future__ import annotations

import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["LocalServer", "Request", "Response", "sequence", "gzip_zeros"]


@dataclass
class Request:
    method: str
    path: str  # including the query string
    headers: dict[str, str]  # names lower-cased


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to sleep before sending anything
    content_length: int | None = None  # override Content-Length (then close the connection)
    omit_length: bool = False  # no Content-Length: body delimited by closing the connection
    trickle: float = 0.0  # > 0: send the body byte by byte, this many seconds apart
    trickle_headers: bool = False  # with trickle: the status line and headers byte by byte too


Route = Callable[[Request], Response] | Response


def sequence(*responses: Response) -> Callable[[Request], Response]:
    """A route answering with ``responses`` in turn, then repeating the last one."""
    if not responses:
        raise ValueError("sequence() needs at least one Response")
    queue = list(responses)
    lock = threading.Lock()

    def route(_request: Request) -> Response:
        with lock:
            return queue.pop(0) if len(queue) > 1 else queue[0]

    return route


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms delayed-ACK stall per request
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def setup(self) -> None:  # one call per TCP connection a client opens
        super().setup()
        with self.server.owner._lock:
            self.server.owner.connections += 1

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, *, send_body: bool) -> None:
        owner = self.server.owner
        request = Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
        with owner._lock:
            owner.hits.append(self.path)
            owner.requests.append(request)
            route = owner.routes.get(self.path)
        if route is None:
            response = Response(status=404, body=b"not found", headers={"Content-Type": "text/plain"})
        elif isinstance(route, Response):
            response = route
        else:
            response = route(request)

        if response.delay:
            time.sleep(response.delay)
        self.send_response(response.status)
        names = {k.lower() for k in response.headers}
        for name, value in response.headers.items():
            self.send_header(name, value)
        bodyless = response.status in (204, 304) or 100 <= response.status < 200
        if response.omit_length or response.content_length is not None:
            self.close_connection = True
            if "connection" not in names:
                self.send_header("Connection", "close")
        if response.content_length is not None:
            self.send_header("Content-Length", str(response.content_length))
        elif not response.omit_length and not bodyless and "content-length" not in names:
            self.send_header("Content-Length", str(len(response.body)))
        if response.trickle and response.trickle_headers:
            self._headers_buffer.append(b"\r\n")
            head, self._headers_buffer = b"".join(self._headers_buffer), []
            self._dribble(head, response.trickle)
        else:
            self.end_headers()
        if send_body and not bodyless and response.body:
            if response.trickle:
                self.wfile.flush()
                self._dribble(response.body, response.trickle)
            else:
                self.wfile.write(response.body)
        self.wfile.flush()

    def _dribble(self, data: bytes, pause: float) -> None:
        """Write ``data`` one byte at a time, ``pause`` seconds apart (stops when the client hangs up)."""
        for k in range(len(data)):
            self.wfile.write(data[k : k + 1])
            self.wfile.flush()
            time.sleep(pause)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: LocalServer

    def handle_error(self, request, client_address) -> None:  # quiet: clients hang up on purpose
        pass


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 (or another loopback ``address``) with a random free port."""

    def __init__(self, address: str = "127.0.0.1") -> None:
        self.address = address  # 127.0.0.2, ...: a second "host" on loopback (Linux routes 127/8 to lo)
        self.routes: dict[str, Route] = {}
        self.hits: list[str] = []
        self.requests: list[Request] = []
        self.connections = 0  # TCP connections accepted (a client keeping its connection opens one)
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> LocalServer:
        self._server = _Server((self.address, 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return self._server.server_address[1]

    @property
    def host(self) -> str:
        """``"127.0.0.1:PORT"`` (a Fetcher allowed_hosts entry matching only this server)."""
        return f"{self.address}:{self.port}"

    def url(self, path: str = "/") -> str:
        if not path.startswith("/"):
            path = "/" + path
        return f"http://{self.host}{path}"

    def hits_for(self, path: str) -> int:
        return self.hits.count(path)


def local_sources_file(path, urls: dict[str, str], max_pages: int = 20):
    """A sources file for the default sources named in `urls`, each pointed at its URL on the
    local server (allowed host 127.0.0.1); providers, parsers and conventions as in the default."""
    from sources import load_sources

    lines: list[str] = []
    for s in load_sources(None, list(urls)):
        lines += ["[[source]]", f'name = "{s.name}"', f'provider = "{s.provider}"', f'parser = "{s.parser}"',
                  f'start_urls = ["{urls[s.name]}"]', 'allowed_hosts = ["127.0.0.1"]',
                  f"max_pages = {max_pages}", f"hours_per_day = {s.hours_per_day}",
                  f"days_per_week = {s.days_per_week}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def gzip_zeros(size: int, layers: int = 1) -> bytes:
    """``size`` zero bytes gzipped ``layers`` times: a decompression bomb, built in milliseconds.

    Each MiB of zeros is one deflate segment ended by a full flush, which resets the
    compressor, so every segment compresses to the same bytes: one MiB is compressed and its
    output repeated. ``layers=2`` gzips that result again (``Content-Encoding: gzip, gzip``).
    """
    block = 1 << 20
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    segment = deflate.compress(bytes(block)) + deflate.flush(zlib.Z_FULL_FLUSH)
    whole, rest = divmod(size, block)
    tail = deflate.compress(bytes(rest)) + deflate.flush()
    crc, zeros = 0, bytes(block)
    for _ in range(whole):  # the CRC of the zeros, a MiB at a time (about 1 s for 2 GiB)
        crc = zlib.crc32(zeros, crc)
    crc = zlib.crc32(bytes(rest), crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    data = header + segment * whole + tail + struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF)
    for _ in range(layers - 1):
        data = gzip_bytes(data)
    return data


def gzip_bytes(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return packer.compress(data) + packer.flush()
