"""A TCP proxy the tests can cut and restore, to make a database "go away" and come back."""

from __future__ import annotations

import asyncio
import threading


class CuttableProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    def _call(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=10)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.close()
            return
        self._writers |= {client_writer, server_writer}
        await asyncio.gather(self._pipe(client_reader, server_writer), self._pipe(server_reader, client_writer))

    async def _open(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()  # existing connections die as if the server went down
        self._writers.clear()

    def open(self) -> None:
        """Listen (on the same port as before, once one was chosen)."""
        self._call(self._open())

    def cut(self) -> None:
        self._call(self._close())

    def shutdown(self) -> None:
        self.cut()
        self._loop.call_soon_threadsafe(self._loop.stop)


def in_front_of(database_url: str) -> tuple[CuttableProxy, str]:
    """An open proxy in front of a PostgreSQL database, and the database URL that goes through it."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.open()
    return proxy, url.set(port=proxy.port).render_as_string(hide_password=False)
