"""Headless Chromium for tests and benchmarks: Debian's ``chromium`` and ``chromium-driver``
driven by selenium, with the performance log on so a test can list every request a page made.

Reuse from a test module::

    import browser

    @pytest.fixture(scope="session")
    def chrome():
        yield from browser.session()

    def test_page(chrome, tmp_path):
        browser.load(chrome, tmp_path / "page.html", ready="window.network !== undefined")
        assert browser.requests_to_hosts(chrome) == []

The fixture skips the test when Chromium is not installed, except in CI (``CI=true``), where a
missing browser fails the test loudly. Nothing here downloads a browser or a driver: selenium is
pointed at the Debian binaries (``CASCADE_CHROMIUM`` / ``CASCADE_CHROMEDRIVER`` override them).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

__all__ = [
    "CHROMEDRIVER",
    "CHROMIUM",
    "BrowserMissing",
    "chrome",
    "console_errors",
    "have_browser",
    "load",
    "require",
    "requests",
    "requests_to_hosts",
    "screenshot",
    "session",
    "start",
    "wait_for",
]

CHROMIUM = os.environ.get("CASCADE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = (
    os.environ.get("CASCADE_CHROMEDRIVER")
    or shutil.which("chromedriver")
    or "/usr/bin/chromedriver"
)

# Without these, Chromium contacts Google at start-up (component updates, sync, field trials),
# which would show up as requests in the performance log and fail offline tests.
FLAGS = (
    "--headless=new",
    "--no-sandbox",  # root in containers
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-domain-reliability",
    "--metrics-recording-only",
    "--disable-dev-shm-usage",  # /dev/shm is tiny in containers
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)

# Local and embedded schemes; anything else in the log is a request to a network host.
_LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:", "chrome:", "chrome-error:", "devtools:")


class BrowserMissing(RuntimeError):
    """Chromium or chromedriver is not installed."""


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def have_browser() -> bool:
    """Whether both Debian binaries are present and executable."""
    return all(os.path.isfile(p) and os.access(p, os.X_OK) for p in (CHROMIUM, CHROMEDRIVER))


def start(*, width: int = 1280, height: int = 860) -> Any:
    """Start chromedriver and a headless Chromium with the performance log on.

    Raises
    ------
    BrowserMissing
        When the binaries are absent (install ``chromium chromium-driver`` with apt-get).
    """
    if not have_browser():
        raise BrowserMissing(
            f"headless Chromium needs {CHROMIUM} and {CHROMEDRIVER}: "
            "apt-get install -y chromium chromium-driver"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    # An explicit driver path: selenium-manager would otherwise try to download one.
    service = Service(executable_path=CHROMEDRIVER)
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(60)
    return driver


def require() -> None:
    """Skip the calling test when Chromium is missing; fail it instead when ``CI=true``."""
    if not have_browser():
        message = (
            f"headless Chromium not found ({CHROMIUM}, {CHROMEDRIVER}); "
            "apt-get install -y chromium chromium-driver"
        )
        if in_ci():
            pytest.fail("CI=true but " + message, pytrace=False)
        pytest.skip(message)


def session() -> Iterator[Any]:
    """Generator for a fixture: a headless Chromium, quit afterwards.

    Skips when the browser is missing, unless ``CI=true``: there the tests must run, so a missing
    browser is an error. In a test module (a fixture defined there, so linters see no unused
    import)::

        @pytest.fixture(scope="session")
        def chrome():
            yield from browser.session()
    """
    require()
    driver = start()
    try:
        yield driver
    finally:
        driver.quit()


chrome = pytest.fixture(scope="session", name="chrome")(session)


def wait_for(driver: Any, condition: str, *, timeout: float = 30.0, poll: float = 0.02) -> Any:
    """Poll a JavaScript expression until it is truthy; return its value.

    Raises
    ------
    TimeoutError
        With the expression, when it stays falsy for ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = driver.execute_script(f"return ({condition});")
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout:g} s: {condition}")
        time.sleep(poll)


def load(
    driver: Any,
    path: str | os.PathLike[str],
    *,
    ready: str | None = "window.cascadeFirstDrawMs",
    timeout: float = 30.0,
) -> float:
    """Open a local file, wait until ``ready`` is truthy, and return the seconds it took.

    The performance and console logs are emptied first, so :func:`requests_to_hosts` and
    :func:`console_errors` afterwards see only this page's.
    """
    driver.get_log("performance")
    driver.get_log("browser")
    url = Path(path).resolve().as_uri()
    t0 = time.perf_counter()
    driver.get(url)
    if ready:
        wait_for(driver, ready, timeout=timeout)
    return time.perf_counter() - t0


def requests(driver: Any) -> list[str]:
    """URLs of every request the browser sent since the last log read (``requestWillBeSent``)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def requests_to_hosts(driver: Any) -> list[str]:
    """The requests of :func:`requests` that would go to a network host (not file:, data:, ...)."""
    return [u for u in requests(driver) if not u.lower().startswith(_LOCAL_SCHEMES)]


def console_errors(driver: Any) -> list[str]:
    """Console messages of level SEVERE since the last read (script errors, CSP violations)."""
    return [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def screenshot(driver: Any, path: str | os.PathLike[str]) -> Path:
    """Save a PNG of the viewport; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})["data"]
    path.write_bytes(base64.b64decode(data))
    return path
