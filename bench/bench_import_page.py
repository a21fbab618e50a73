"""Server memory around an import on the Data import page: upload a large CSV in Chromium, check it, import it.

    python bench/bench_import_page.py --csv FILE [--work DIR] [--code REPO] [--lang en]

Starts `streamlit run app.py` (127.0.0.1, on a freshly built demo database), opens the
import page in Debian's headless Chromium, and records the server's resident memory (VmRSS) and its peak (VmHWM)
from /proc: before the upload, once the validation report is shown, and 5 and 30 seconds after the import has
finished. Also the time from choosing the file to the report, and from the click to the import's message.
`--code` runs another checkout of the project (e.g. the code before a change) on the same file.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.browser import Server  # noqa: E402
from bench.common import load_average  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
TIMEOUT_MS = 30 * 60 * 1000


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def wait_idle(page) -> None:
    time.sleep(0.5)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=TIMEOUT_MS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", required=True, help="the file to upload (e.g. the first 1.3M lines of the demo export)")
    parser.add_argument("--work", default=str(ROOT / "bench" / "out" / "import-page"))
    parser.add_argument("--code", default=str(ROOT), help="checkout whose app is measured")
    parser.add_argument("--lang", default="en")
    args = parser.parse_args()
    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    csv_path = Path(args.csv).resolve()
    print(f"file {csv_path.name}: {csv_path.stat().st_size / 1e6:,.0f} MB; load average {load_average()}", flush=True)

    from playwright.sync_api import expect, sync_playwright

    db_path = str(work / "ka_radar.duckdb")
    # The app opens only an existing database outside its default location, so the demo is built first.
    subprocess.run([sys.executable, "-m", "ka", "demo", "--db", db_path], cwd=args.code, check=True,
                   stdout=subprocess.DEVNULL)
    server = Server.start(db_path, work / "streamlit.log", root=Path(args.code))
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            )
            page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="en-US" if args.lang == "en" else "zh-CN")
            page.goto(f"{server.url}/data_import")
            wait_idle(page)
            time.sleep(3)
            rss, _ = memory_mb(server.process.pid)
            print(f"before upload: RSS {rss:,.0f} MB", flush=True)
            started = time.perf_counter()
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(csv_path))
            import_button = page.locator('[data-testid="stButton"] button', has_text="Import")
            expect(import_button.first).to_be_visible(timeout=TIMEOUT_MS)
            wait_idle(page)
            checked = time.perf_counter() - started
            rss_checked, peak_checked = memory_mb(server.process.pid)
            print(f"report shown after {checked:.1f} s: RSS {rss_checked:,.0f} MB, peak so far {peak_checked:,.0f} MB",
                  flush=True)
            started = time.perf_counter()
            import_button.first.click()
            expect(page.locator('[data-testid="stAlert"]', has_text="imported").first).to_be_visible(timeout=TIMEOUT_MS)
            wait_idle(page)
            imported = time.perf_counter() - started
            print(f"import done after {imported:.1f} s", flush=True)
            for wait in (5, 25):
                time.sleep(wait)
                rss_after, peak = memory_mb(server.process.pid)
                print(f"{'5' if wait == 5 else '30'} s after the import: RSS {rss_after:,.0f} MB (peak {peak:,.0f} MB); "
                      f"{rss_after - rss:+,.0f} MB against before the upload", flush=True)
            browser.close()
    finally:
        server.stop()
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
