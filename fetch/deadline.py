"""An overall deadline for each request, which no pacing of the server's bytes can stretch.

httpx's timeouts bound each wait for the socket, not a request: a server sending one byte a
second (headers or body) resets the read timeout with every byte. httpcore also reads the
read timeout once per response phase, so shortening it as the deadline nears has no effect.
Here the socket itself is wrapped: every connect, read and write waits at most what is left
before the current deadline, and past it raises httpcore's own timeout, which httpx turns
into ``httpx.ReadTimeout`` / ``WriteTimeout`` / ``ConnectTimeout`` as usual.

    backend = DeadlineBackend()
    client = httpx.Client(transport=deadline_transport(backend))
    backend.deadline = time.monotonic() + 30   # before each request
"""

from __future__ import annotations

import functools
import ssl
import time
import typing
from collections.abc import Callable

import httpcore
import httpx

__all__ = ["DeadlineBackend", "deadline_transport"]


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's sync network backend with every wait cut to the time left before ``deadline``."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._inner = httpcore.SyncBackend()
        self._clock = clock
        self.deadline: float | None = None  # a clock() value; None: no deadline

    def cut(self, timeout: float | None, late: type[Exception]) -> float | None:
        """``timeout`` cut to the time left; past the deadline raise ``late``."""
        if self.deadline is None:
            return timeout
        left = self.deadline - self._clock()
        if left <= 0:
            raise late("the request's deadline has passed")
        return left if timeout is None else min(timeout, left)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(host, port, self.cut(timeout, httpcore.ConnectTimeout),
                                         local_address, socket_options)
        return _DeadlineStream(stream, self)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: typing.Iterable[typing.Any] | None = None
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_unix_socket(path, self.cut(timeout, httpcore.ConnectTimeout), socket_options)
        return _DeadlineStream(stream, self)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, backend: DeadlineBackend) -> None:
        self._inner = inner
        self._backend = backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._backend.cut(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._backend.cut(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        tls = self._inner.start_tls(ssl_context, server_hostname, self._backend.cut(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(tls, self._backend)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


def deadline_transport(backend: DeadlineBackend, limits: httpx.Limits | None = None) -> httpx.HTTPTransport:
    """httpx's own transport (exception mapping, streaming) over a pool using ``backend``.

    httpx builds its connection pool without a way to name the network backend, so the pool
    is built here with httpcore's public arguments and put in its place.
    """
    limits = limits or httpx.Limits()
    transport = httpx.HTTPTransport(verify=_ssl_context(), limits=limits)
    transport._pool = httpcore.ConnectionPool(  # noqa: SLF001 - no public way to choose the backend
        ssl_context=_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=backend,
    )
    return transport


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """httpx's default TLS context (certifi's CAs), built once: loading the CAs takes ~0.1 s."""
    return httpx.create_ssl_context()
