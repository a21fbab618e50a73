"""The real app in headless Chromium, timed the way a user feels it (used by bench_pages.py).

A page records, from its first byte on, every websocket message it receives (time, size), every
key press or pointer press (time), and every change of Streamlit's script state. An action is
timed from its first input event until the rerun it started has finished and the page is drawn:
no skeleton placeholder, no "running" widget, every Plotly chart has its SVG, and nothing new has
started for QUIET_MS. Bytes are the websocket payloads received in that span.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]
QUIET_MS = 150
TIMEOUT_MS = 120_000
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

RECORDER = r"""
(() => {
  const bench = window.__bench = {messages: [], inputs: [], states: []};
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        const data = event.data;
        bench.messages.push([performance.now(), data.byteLength ?? data.size ?? data.length ?? 0]);
      });
    }
  };
  for (const type of ['keydown', 'pointerdown']) {
    window.addEventListener(type, () => bench.inputs.push(performance.now()), true);
  }
  const watch = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) { requestAnimationFrame(watch); return; }
    const note = () => bench.states.push([performance.now(), app.getAttribute('data-test-script-state')]);
    note();
    new MutationObserver(note).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  };
  watch();
})();
"""

# Resolves with {done, bytes} once the rerun begun after t0 has finished and the page is drawn.
WAIT_DRAWN = """([t0, quietMs, timeoutMs]) => new Promise((resolve, reject) => {
  const bench = window.__bench;
  const lastFinish = () => {
    let running = false, finished = null;
    for (const [at, state] of bench.states) {
      if (at < t0) continue;
      if (state === 'running') { running = true; finished = null; }
      else if (running && state === 'notRunning') finished = at;
    }
    return finished;
  };
  const drawn = () => !document.querySelector('[data-testid="stSkeleton"], [data-testid="stStatusWidget"]')
    && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => c.querySelector('.main-svg'));
  const started = performance.now();
  let doneAt = null, doneFinish = null;
  const tick = () => {
    const now = performance.now();
    const finished = lastFinish();
    if (finished !== null && drawn()) {
      if (doneFinish !== finished) { doneAt = now; doneFinish = finished; }
      if (now - doneAt >= quietMs) {
        const bytes = bench.messages.filter(([at]) => at >= t0 && at <= doneAt).reduce((s, [, n]) => s + n, 0);
        resolve({done: doneAt, bytes});
        return;
      }
    } else { doneAt = null; doneFinish = null; }
    if (now - started > timeoutMs) { reject(new Error('the page did not finish drawing')); return; }
    requestAnimationFrame(tick);
  };
  tick();
})"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """`streamlit run app.py` on 127.0.0.1 against one database, with its CPU time and memory."""

    process: subprocess.Popen
    url: str
    log: Path

    @classmethod
    def start(cls, db_path: str, log: Path, root: Path = ROOT, timeout: float = 120) -> "Server":
        """Serve the app.py of the checkout `root` (this one unless said) and wait until it answers."""
        port = free_port()
        env = {**os.environ, "KA_RADAR_DB": db_path}
        with open(log, "w") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
                 "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        server = cls(process, f"http://127.0.0.1:{port}", log)
        deadline = time.time() + timeout
        while not server.healthy():
            if process.poll() is not None or time.time() > deadline:
                server.stop()
                raise RuntimeError(f"the app did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        return server

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime of every thread

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@dataclass
class Timing:
    ms: float
    kib: float
    cpu_ms: float
    rss_mib: float


class Tab:
    """One browser tab on the app, with the recorder installed before any script of the page runs."""

    def __init__(self, browser, server: Server, locale: str = "en-US", viewport=(1366, 768)):
        self.server = server
        self.context = browser.new_context(locale=locale, viewport={"width": viewport[0], "height": viewport[1]})
        self.context.add_init_script(RECORDER)
        self.page = self.context.new_page()

    def close(self) -> None:
        self.context.close()

    def open(self, path: str = "") -> Timing:
        """Load the page at this URL; timed from the navigation's start."""
        cpu = self.server.cpu_seconds()
        self.page.goto(f"{self.server.url}/{path}")
        return self._finish(0.0, cpu)

    def timed(self, action) -> Timing:
        """Run `action` (clicks, key presses) and time it from its first input event."""
        mark = self.page.evaluate("window.__bench.inputs.length")
        cpu = self.server.cpu_seconds()
        action()
        t0 = self.page.evaluate(f"window.__bench.inputs[{mark}]")
        if t0 is None:
            raise RuntimeError("the action sent no input event")
        return self._finish(t0, cpu)

    def settle(self) -> None:
        """Wait until whatever runs now has finished and drawn (not timed)."""
        self._finish(0.0, self.server.cpu_seconds())

    def _finish(self, t0: float, cpu: float) -> Timing:
        result = self.page.evaluate(WAIT_DRAWN, [t0, QUIET_MS, TIMEOUT_MS])
        exceptions = self.page.locator('[data-testid="stException"]')
        if exceptions.count():
            raise RuntimeError(f"the page shows an exception: {exceptions.first.inner_text()[:500]}")
        return Timing(
            ms=result["done"] - t0, kib=result["bytes"] / 1024,
            cpu_ms=(self.server.cpu_seconds() - cpu) * 1000, rss_mib=self.server.rss_mib(),
        )

    # --- what a user does ------------------------------------------------------------------------
    def widget(self, key: str):
        return self.page.locator(f".st-key-{key}")

    def open_expander(self, label: str) -> None:
        expander = self.page.locator('[data-testid="stExpander"]', has_text=label).first
        details = expander.locator('[data-testid="stExpanderDetails"]')
        if details.get_attribute("inert") is not None or not details.is_visible():
            expander.locator("summary").click()
            self.page.wait_for_timeout(300)

    def slider_step(self, key: str, towards_max: bool = True) -> str:
        """The arrow key that moves this slider to a new value (towards its maximum while it can)."""
        thumb = self.widget(key).locator('input[type="range"]')
        value, high = float(thumb.input_value()), float(thumb.get_attribute("max"))
        return "ArrowRight" if towards_max and value < high else "ArrowLeft"

    def move_slider(self, key: str, towards_max: bool = True) -> Timing:
        thumb = self.widget(key).locator('input[type="range"]')
        thumb.scroll_into_view_if_needed()
        thumb.focus()
        press = self.slider_step(key, towards_max)
        return self.timed(lambda: thumb.press(press))

    def step_number(self, key: str, up: bool = True) -> Timing:
        """Click the number input's + (or −, once + is disabled at its maximum)."""
        plus = self.widget(key).locator('[data-testid="stNumberInputStepUp"]')
        button = plus if up and plus.is_enabled() else self.widget(key).locator('[data-testid="stNumberInputStepDown"]')
        button.scroll_into_view_if_needed()
        return self.timed(lambda: button.click())

    def open_list(self, label: str, within=None) -> None:
        """Open the option list of the selectbox with this label. A click just after a rerun has drawn
        can leave the list closed (the box keeps the focus); the arrow key then opens it."""
        box = (within or self.page).get_by_role("combobox", name=label, exact=True)
        box.click()
        first = self.page.get_by_role("option").first
        try:
            first.wait_for(timeout=3000)
        except Exception:
            box.press("ArrowDown")
            first.wait_for()

    def choose(self, label: str, option: str, within=None) -> Timing:
        """Pick an option of the selectbox with this label (the dropdown opens untimed)."""
        self.open_list(label, within)
        choice = self.page.get_by_role("option", name=option, exact=True)
        choice.wait_for()
        return self.timed(lambda: choice.click())

    def options(self, label: str, within=None) -> list[str]:
        self.open_list(label, within)
        names = self.page.get_by_role("option").all_inner_texts()
        self.page.keyboard.press("Escape")
        return [name.strip() for name in names]

    def go_to(self, title: str) -> Timing:
        link = self.page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True)
        return self.timed(lambda: link.click())

    @property
    def sidebar(self):
        return self.page.locator('[data-testid="stSidebar"]')
