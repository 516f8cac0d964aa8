"""Run the NLU service (Rasa's Python) as a child process and wait until it is ready."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from bot.errors import ServiceUnavailable
from bot.nlu.environment import rasa_env, rasa_python
from bot.settings import Settings

READY_TIMEOUT = 180.0  # TensorFlow's import alone takes several seconds on a small machine


async def wait_ready(url: str, process: asyncio.subprocess.Process | None, timeout: float) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    async with httpx.AsyncClient(timeout=2.0) as http:
        while True:
            if process is not None and process.returncode is not None:
                raise ServiceUnavailable(
                    f"the NLU service exited with {process.returncode} before it was ready; "
                    "its log is above"
                )
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"{url}/ready")).status_code == 200:
                    return
            if asyncio.get_running_loop().time() > deadline:
                raise ServiceUnavailable(
                    f"the NLU service at {url} was not ready in {timeout:.0f}s"
                )
            await asyncio.sleep(0.25)  # polling a readiness endpoint, bounded by the deadline


@contextlib.asynccontextmanager
async def nlu_service(settings: Settings, model: Path, port: int) -> AsyncIterator[str]:
    """Start the service on `port` with `model`; yield its URL once ready; stop it after."""
    command = [
        str(rasa_python(settings)),
        "-m",
        "bot.nlu.rasa.service",
        "--model",
        str(model),
        "--host",
        settings.host,
        "--port",
        str(port),
    ]
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=settings.project_dir,
        env=rasa_env(settings),
        stdout=sys.stdout,
        stderr=sys.stderr,
    )
    url = f"http://{settings.host}:{port}"
    try:
        await wait_ready(url, process, READY_TIMEOUT)
        yield url
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                process.kill()
                await process.wait()


__all__ = ["nlu_service", "wait_ready"]
