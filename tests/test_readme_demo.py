"""The README's main job, as a new user runs it.

``tetrakit alarm run examples/hospital.yaml`` with the example left as it is
(simulated radios through ``tetrasim://``, the simulated button box through
``simpanel://``), then the second terminal's commands: a trigger from the CLI,
``alarm status``, a press on the simulated panel and the HTTP API.  Only the
HTTP port is moved to a free one, so that a controller already running on
this machine does not get in the way.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import time
import urllib.request
from pathlib import Path

import pytest
from alarm.simproc import DaemonProc, cli, wait_state

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "hospital.yaml"

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_readme_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the simulated panel's control socket (what "tetrakit panel" talks to) in this
    # test's own folder, away from any demo running on this machine
    monkeypatch.setenv("TETRAKIT_RUNTIME_DIR", str(tmp_path))
    port = _free_port()
    text = EXAMPLE.read_text(encoding="utf-8")
    assert 'listen: "127.0.0.1:8080"' in text, "the example's HTTP port moved: adapt this test"
    config = tmp_path / "hospital.yaml"
    config.write_text(text.replace("127.0.0.1:8080", f"127.0.0.1:{port}"), encoding="utf-8")
    shutil.rmtree(tmp_path / "var", ignore_errors=True)

    daemon = DaemonProc(config, tmp_path / "daemon.log")
    try:
        daemon.wait_ready(timeout=30)
        out = cli("alarm", "trigger", "-c", str(config), "B3-312")
        match = re.fullmatch(r"(A\d+) journaled\n", out.stdout)
        assert match, out.stdout
        alarm_id = match.group(1)

        # the simulated team answers on its own; two accepts resolve the alarm
        detail = wait_state(config, alarm_id, {"resolved"}, timeout=90)
        assert detail["accepts"] >= 2
        status = cli("alarm", "status", "-c", str(config)).stdout
        assert f"{alarm_id} " in status and "resolved" in status and "Kari Nordmann" in status

        # a press on the simulated button box raises the alarm of the bound button
        pressed = cli("panel", "press", "2")
        assert pressed.returncode == 0, pressed.stderr
        # the press travels panel -> host session -> journal asynchronously: poll the API
        deadline = time.monotonic() + 20
        sources: set[str] = set()
        while "buttonbox:panel-a:2" not in sources and time.monotonic() < deadline:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/alarms", timeout=10) as r:
                assert r.status == 200
                body = json.loads(r.read())
            listed = body["alarms"] if isinstance(body, dict) else body
            assert alarm_id in {a["id"] for a in listed}
            sources = {a.get("source") for a in listed}
            time.sleep(0.2)  # polling another process's state, bounded by the deadline
        assert "buttonbox:panel-a:2" in sources, sources
    finally:
        code = daemon.stop()
    assert code == 0
