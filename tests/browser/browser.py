"""Headless Chromium (Debian's `chromium` and `chromium-driver`) and helpers that read the page
as a user sees it. A missing browser fails the test with the command that installs it."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

INSTALL = "apt-get install -y chromium chromium-driver"
WAIT = 30.0  # seconds: a turn through the real pipeline takes well under one
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
DESKTOP = {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False}
SHOTS_ENV = "WAKALA_SCREENSHOTS"  # a folder: keep the screenshots there (docs/screenshots)

T = TypeVar("T")


def _find(names: tuple[str, ...], fallback: str) -> str | None:
    for name in names:
        if found := shutil.which(name):
            return found
    return fallback if Path(fallback).exists() else None


@contextmanager
def chromium() -> Iterator[WebDriver]:
    browser = _find(("chromium", "chromium-browser"), "/usr/bin/chromium")
    driver_path = _find(("chromedriver",), "/usr/bin/chromedriver")
    if browser is None or driver_path is None:
        pytest.fail(
            f"Chromium or its driver is missing (chromium: {browser}, chromedriver: "
            f"{driver_path}); install them as root with: {INSTALL}"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # for `page_errors`
    with tempfile.TemporaryDirectory(prefix="wakala-chromium-") as profile:
        for argument in (
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--window-size=1280,900",
            "--lang=en-ZA",
        ):
            options.add_argument(argument)
        driver = webdriver.Chrome(service=Service(driver_path), options=options)
        try:
            use_screen(driver, DESKTOP)
            yield driver
        finally:
            driver.quit()


def page_errors(driver: WebDriver) -> list[str]:
    """Errors the page logged since the last call (JavaScript exceptions, failed loads)."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def use_screen(driver: WebDriver, metrics: Mapping[str, object]) -> None:
    """Emulate a screen size exactly (a headless window has a minimum width)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", dict(metrics))


def wait(driver: WebDriver, condition: Callable[[WebDriver], T | None], what: str) -> T:
    """Wait until `condition` returns something truthy; return it."""
    result = WebDriverWait(driver, WAIT).until(condition, f"waited {WAIT:.0f} s for {what}")
    assert result is not None  # `until` returns only a truthy value
    return result


class Shots:
    """Screenshots at key steps: always taken (so the code path is tested), kept in
    $WAKALA_SCREENSHOTS when set, in the test's temporary folder otherwise."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(os.environ.get(SHOTS_ENV) or folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def take(self, driver: WebDriver, name: str) -> Path:
        path = self.folder / f"{name}.png"
        assert driver.save_screenshot(str(path)), f"could not save {path}"
        return path


# --- reading the page -------------------------------------------------------------------------


def bot_messages(driver: WebDriver) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, "#messages .msg.in")


def my_messages(driver: WebDriver) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, "#messages .msg.out")


def text_of(message: WebElement) -> str:
    return " ".join(t.text for t in message.find_elements(By.CSS_SELECTOR, ".bubble > .text"))


def buttons_of(message: WebElement) -> list[str]:
    return [b.text for b in message.find_elements(By.CSS_SELECTOR, ".replies button")]


def bot_message_with(driver: WebDriver, text: str, *, exact: bool = False) -> WebElement:
    """Wait for the bot's latest message whose text contains (or is) `text`; return it."""

    def found(d: WebDriver) -> WebElement | None:
        matching = [
            m for m in bot_messages(d) if (text_of(m) == text if exact else text in text_of(m))
        ]
        return matching[-1] if matching else None

    return wait(driver, found, f"the bot's message with {text!r}")


def tap(message: WebElement, title: str) -> None:
    buttons = message.find_elements(By.CSS_SELECTOR, ".replies button")
    matching = [b for b in buttons if b.text == title]
    assert matching, f"no button {title!r} under the message; it has {[b.text for b in buttons]}"
    matching[0].click()


def statuses(driver: WebDriver) -> list[str]:
    """The ticks on the shopper's own messages, oldest first (read in one go: the page
    replaces a tick when its status changes)."""
    found: list[str] = driver.execute_script(
        "return Array.from(document.querySelectorAll('#messages .msg.out .ticks'),"
        " (tick) => tick.dataset.status)"
    )
    return found


def write(driver: WebDriver, text: str) -> None:
    """Type a message and press Enter, as a user sends."""
    box = driver.find_element(By.ID, "text")
    box.send_keys(text)
    box.send_keys("\n")
