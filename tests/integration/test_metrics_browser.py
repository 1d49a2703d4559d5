"""The inbox's metrics page in headless Chromium, over a fixed audit trail.

``baton serve`` runs as its own process on a home holding the runs of
:mod:`tests.metrics_trail` (moved to the present), and the browser must show the
hand-computed figures and three rendered plots. The screenshot is the README's
``docs/img/metrics.png``.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import pytest
from playwright.sync_api import Page

from baton.config import load_settings
from tests.integration.conftest import Baton, make_env
from tests.integration.test_inbox_browser import (
    _free_port,
    _wait_until_up,
    artefact_dir,
    page,
)
from tests.metrics_trail import write_trail

__all__ = ["page"]
pytestmark = pytest.mark.integration


def test_metrics_page_in_the_browser(page: Page, tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = make_env(home, BATON_MODEL__PROVIDER="fake")
    with mock.patch.dict(os.environ, {"BATON_HOME": str(home)}):
        write_trail(load_settings(), now=datetime.now(UTC))
    port = _free_port()
    proc = Baton(tmp_path, env).popen("serve", "--host", "127.0.0.1", "--port", str(port))
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url + "/", proc)
        page.goto(url + "/")
        page.click("#nav-metrics")
        page.wait_for_selector("#metrics")
        headers = page.locator("#metrics thead th").all_inner_texts()
        assert headers == ["Metric", "expense-reconciliation", "research-brief", "all"]
        rows = {
            r.locator("td").first.inner_text(): r.locator("td.num").all_inner_texts()
            for r in page.locator("#metrics tbody tr").all()
        }
        # Worked by hand in tests/metrics_trail.py (the September run is outside 30 days).
        assert rows["runs"] == ["2", "4", "6"]
        assert rows["agreement"] == ["0", "0.5", "0.4"]
        assert rows["waiting p95 s"] == ["300", "3330", "3240"]
        assert rows["budget stops"] == ["1", "0", "1"]
        for plot in ("agreement", "latency", "cost"):
            img = page.locator(f"#plot-{plot}")
            width = img.evaluate("el => el.complete ? el.naturalWidth : 0")
            assert width > 200, f"{plot} plot did not render"
        shot = artefact_dir(tmp_path) / "metrics.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot: {shot}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
