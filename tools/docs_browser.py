"""Open the built documentation site in headless Chromium and check what a reader sees.

``make docs-browser`` runs it after ``make docs``. It serves ``site/`` with
``python -m http.server`` on a free loopback port, drives Debian's Chromium
(``/usr/bin/chromium``) through Playwright with a fresh profile, and checks that:

* the tasks reference page renders: its heading, and the ``create`` method's documentation, are
  in the DOM;
* every reference page together lists each operation of the client once (168 today, read from
  the generated operation table);
* the search (mkdocs-material's, in JavaScript) finds ``tasks.create`` when it is typed into the
  search box;
* no page logs an error to the console, and none throws.

It saves a screenshot of the tasks page (``--screenshot``), prints what it checked with the
time it took, and exits non-zero on the first failed check. The machine needs no internet:
the flags below keep Chromium from calling home, whose refused connections would otherwise
flood the console.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright  # type: ignore[import-not-found]  # .venv-docs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the operation table, from the checkout

from pylon_client._generated._endpoints import ENDPOINTS  # noqa: E402 (after the path)

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TASKS_CREATE = "pylon_client._client.helpers.TasksResource.create"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def served(site: Path) -> Iterator[str]:
    """Serve ``site`` on loopback with ``python -m http.server``; yield its URL."""
    port = _free_port()
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    process = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
        [*command, "--directory", str(site)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


class Failed(Exception):
    """A check of the site failed."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise Failed(message)
    print(f"ok    {message}")


def _console(message: Any, errors: list[str]) -> None:
    if message.type == "error":
        errors.append(message.text)


def check_site(page: Any, url: str, screenshot: Path, errors: list[str]) -> None:
    """Run every check on the site served at ``url`` (see the module docstring)."""
    page.goto(f"{url}/reference/tasks/", wait_until="networkidle")
    heading = page.locator("article h1").first.inner_text()
    _check(heading.strip().startswith("pylon.tasks"), f"the tasks page's heading: {heading!r}")
    create = page.locator(f'[id="{TASKS_CREATE}"]')
    _check(create.count() == 1, "tasks.create is documented on the page (its anchor is there)")
    _check("create" in create.first.inner_text(), "its heading reads create")
    _check(
        "Pylon allows 300 a minute" in page.locator("article").inner_text(),
        "its docstring's rate limit is shown",
    )
    page.screenshot(path=str(screenshot), full_page=False)
    print(f"ok    screenshot: {screenshot}")

    listed = 0
    pages = page.locator("nav a").evaluate_all(
        "links => [...new Set(links.map(a => a.href.split('#')[0]))]"
        ".filter(href => /[/]reference[/][a-z_]+[/]$/.test(href))"
    )
    for link in pages:
        page.goto(link, wait_until="load")
        listed += page.locator(".pylon-operation").count()
    _check(
        listed == len(ENDPOINTS),
        f"the reference's {len(pages)} pages list {listed} of {len(ENDPOINTS)} operations",
    )

    page.goto(f"{url}/", wait_until="networkidle")
    page.locator("input.md-search__input").click()
    page.keyboard.type("tasks.create", delay=20)  # key by key, as a reader types
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=15_000)
    hrefs = results.evaluate_all("links => links.map(a => a.href)")
    _check(
        any("/reference/tasks/" in h and h.endswith(f"#{TASKS_CREATE}") for h in hrefs),
        f"the search finds tasks.create ({len(hrefs)} results)",
    )
    _check(not errors, f"no console errors ({errors})")


def main(argv: list[str] | None = None) -> int:
    """Check the site; 0 when every check passed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site")
    parser.add_argument("--screenshot", type=Path, default=ROOT / "site" / "tasks-reference.png")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").exists():
        print(f"{args.site}/index.html is missing: run make docs first", file=sys.stderr)
        return 2
    started = time.monotonic()
    errors: list[str] = []
    with (
        served(args.site) as url,
        tempfile.TemporaryDirectory() as profile,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=FLAGS
        )
        try:
            page = browser.new_page()
            page.set_viewport_size({"width": 1280, "height": 900})
            page.on("console", lambda message: _console(message, errors))
            page.on("pageerror", lambda error: errors.append(str(error)))
            check_site(page, url, args.screenshot, errors)
        except Failed as exc:
            print(f"FAIL  {exc}", file=sys.stderr)
            return 1
        finally:
            browser.close()
    print(f"docs-browser: every check passed in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
