"""edistrict/bin/serve starts the real server: migrations, dev keys, HTTP."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import httpx

from edistrict.settings import REPO_ROOT
from tests.edistrict.conftest import birth_body
from tests.edistrict.test_outbox import free_port


def test_bin_serve_migrates_and_serves(tmp_path: Path):
    port = free_port()
    env = {
        **os.environ,
        "EDISTRICT_PORT": str(port),
        "EDISTRICT_DATABASE_URL": f"sqlite:///{tmp_path / 'gw.db'}",
        "EDISTRICT_DATA_DIR": str(tmp_path / "data"),
        "EDISTRICT_CATALOG_PATH": str(REPO_ROOT / "tests" / "edistrict" / "catalog"),
        "RASA_URL": f"http://127.0.0.1:{free_port()}",
    }
    process = subprocess.Popen(
        [str(REPO_ROOT / "edistrict" / "bin" / "serve")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise AssertionError("gateway did not start")
        response = httpx.post(
            f"{base}/api/v1/applications",
            json=birth_body(),
            headers={
                "Authorization": "Bearer dev-service-token",
                "Idempotency-Key": "serve-test-1",
            },
        )
        assert response.status_code == 201, response.text
        pending = httpx.get(
            f"{base}/api/v1/officer/applications",
            headers={"Authorization": "Bearer dev-officer-token"},
        )
        assert len(pending.json()["items"]) == 1
        assert (tmp_path / "data" / "signing_key.pem").exists()
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0]
    assert "DEVELOPMENT signing key" in output
    assert "outbox worker started" in output
