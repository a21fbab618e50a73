"""Browser tests: the real app (streamlit run app.py) in Debian's headless Chromium.

The server starts once per session on a free port against an empty temporary database, so the
first start also builds the demo portfolio exactly as a new user's would. Chromium is Debian's
(/usr/bin/chromium, installed by tests/setup.sh); Playwright never downloads a browser here.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]
# Console messages that come from the machine having no internet, not from the app.
NETWORK_NOISE = ("ERR_NAME_NOT_RESOLVED", "Failed to fetch metrics config", "metrics config", "ERR_INTERNET_DISCONNECTED")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def running_app(db_path: Path, log_path: Path):
    """`streamlit run app.py` like the README, on a free port, against `db_path`; yields its URL."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "KA_RADAR_DB": str(db_path)}
    log = open(log_path, "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.time() + 90
        while not _healthy(url):
            if process.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"the app did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def build_demo(db_path: Path, *options: str) -> None:
    """`python -m ka demo --db PATH`: outside the default location the demo is built on request."""
    subprocess.run([sys.executable, "-m", "ka", "demo", "--db", str(db_path), *options], cwd=ROOT, check=True,
                   capture_output=True, timeout=300)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """The app against a fresh demo portfolio."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run tests/setup.sh (installs Debian's chromium and fonts-noto-cjk)")
    data_dir = tmp_path_factory.mktemp("e2e-data")
    db_path = data_dir / "ka_radar.duckdb"
    build_demo(db_path)
    with running_app(db_path, data_dir / "streamlit.log") as url:
        yield {"url": url, "db": str(db_path), "log": data_dir / "streamlit.log"}


@pytest.fixture(scope="module")
def empty_app_server(tmp_path_factory):
    """The app against a database made with `python -m ka init`: empty, and no demo is ever added.
    Module-scoped: a test module that imports into it owns it."""
    data_dir = tmp_path_factory.mktemp("e2e-empty")
    db_path = data_dir / "company.duckdb"
    subprocess.run([sys.executable, "-m", "ka", "init", "--db", str(db_path)], cwd=ROOT, check=True,
                   capture_output=True)
    with running_app(db_path, data_dir / "streamlit.log") as url:
        yield {"url": url, "db": str(db_path), "log": data_dir / "streamlit.log"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1366, "height": 768}, "locale": "en-US"}


def _is_page_url_probe(message) -> bool:
    """Opened at a page's own URL (/tiers), Streamlit's frontend first asks /tiers/_stcore/health and
    /tiers/_stcore/host-config, gets 404 and falls back to the app root (streamlit/streamlit#7074)."""
    path = urlparse((message.location or {}).get("url", "")).path
    return "404" in message.text and path.count("/") >= 3 and path.endswith(("/_stcore/health", "/_stcore/host-config"))


@pytest.fixture
def console_errors(page):
    """Errors the browser console shows while the test runs (network noise of this offline machine aside)."""
    errors: list[str] = []

    def on_console(message) -> None:
        if message.type == "error" and not any(n in message.text for n in NETWORK_NOISE) and not _is_page_url_probe(message):
            errors.append(f"{message.text} [{(message.location or {}).get('url', '')}]")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS
