"""Safe to serve and safe to stop: `jobdash serve` as a real process and the served app over
real HTTP — binding, origins, the login, the image files it answers for, a taken port,
SIGTERM mid-job."""

from __future__ import annotations

import base64
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from factories import add_config, add_job
from ui_util import free_port, listening, stop_serving, wait_until

import jobdash
from jobdash.errors import ValidationError
from jobdash.server import Access, Credentials, start_server
from jobdash.server.access import origin_host

REPO = Path(jobdash.__file__).resolve().parents[1]
PASSWORD = "correct horse battery"


def jobdash_serve(db: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """``python -m jobdash serve --db DB ARGS`` in its own process."""
    return subprocess.Popen(
        [sys.executable, "-m", "jobdash", "serve", "--db", str(db), *args],
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def started(process: subprocess.Popen, port: int) -> None:
    wait_until(lambda: listening(port) or process.poll() is not None, timeout=60)
    assert process.poll() is None, process.stderr.read()


def stopped(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(30)


def statuses(db: Path) -> list[tuple]:
    """Every job's id, status and times, read without opening the history through jobdash
    (which would itself mark left-running jobs)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT id, status, started_at, completed_at, error_message FROM job_executions "
            "ORDER BY id"
        ).fetchall()


def request(
    url: str, method: str = "GET", body: str | None = None, headers: dict | None = None
) -> http.client.HTTPResponse:
    """One HTTP request, redirects not followed."""
    parts = urllib.parse.urlsplit(url)
    con = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    con.request(method, path, body=body, headers=headers or {})
    response = con.getresponse()
    response.read()
    return response


def login(base: str, user: str, password: str, origin: str | None = None):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if origin:
        headers["Origin"] = origin
    body = urllib.parse.urlencode({"username": user, "password": password})
    return request(base + "/login", "POST", body, headers)


def session_cookie(response: http.client.HTTPResponse) -> str | None:
    cookies = response.headers.get_all("Set-Cookie") or []
    found = [c.split(";")[0] for c in cookies if c.startswith("user=")]
    return found[0] if found else None


# -- binding and the command line ---------------------------------------------------------


def test_a_non_loopback_address_without_a_password_refuses_to_start(tmp_path):
    db, port = tmp_path / "jobs.duckdb", free_port()
    process = jobdash_serve(db, "--address", "0.0.0.0", "--port", str(port))
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert err.count("\n") == 1 and "JOBDASH_PASSWORD" in err and "--insecure" in err
    assert not db.exists()  # nothing opened, nothing created


def test_access_refuses_what_would_be_unsafe_or_malformed():
    with pytest.raises(ValidationError, match="needs a password") as refused:
        Access(address="192.168.1.20").check()
    assert refused.value.field == "address"
    Access(address="192.168.1.20", credentials=Credentials("ops", PASSWORD)).check()
    Access(address="192.168.1.20", insecure=True).check()
    Access(address="::1").check()  # loopback, IPv6
    with pytest.raises(ValidationError, match="allow_origin"):
        Access(allow_origins=("javascript:alert(1)",))
    with pytest.raises(ValidationError, match="port"):
        Access(port=70000)
    with pytest.raises(ValidationError, match="password"):
        Credentials("ops", "short")
    with pytest.raises(ValidationError, match="user"):
        Credentials("a:b", PASSWORD)
    assert Access(port=8080, allow_origins=("https://jobs.example.com",)).origins() == [
        "localhost:8080",
        "127.0.0.1:8080",
        "jobs.example.com:443",
    ]
    assert origin_host("http://127.0.0.1:5006") == "127.0.0.1:5006"


def test_a_password_file_that_cannot_be_read_is_one_clear_line(tmp_path):
    process = jobdash_serve(
        tmp_path / "jobs.duckdb", "--port", str(free_port()), "--password-file", "no/such"
    )
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert err.startswith("jobdash serve: password file no/such: cannot be read")
    assert err.count("\n") == 1


def test_serve_on_a_taken_port_changes_nothing(tmp_path):
    db = tmp_path / "jobs.duckdb"
    with jobdash.open(db, runner=False) as svc:
        config = add_config(svc, "Quick")
        add_job(svc, status="completed", config_id=config)
        add_job(svc, status="running", config_id=config)  # left by a process that is gone
        add_job(svc, status="pending", config_id=config)
        add_job(svc, status="pending", config_id=config)
    before = statuses(db)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = jobdash_serve(db, "--port", str(port))
        _, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert f"127.0.0.1:{port} cannot be bound" in err and err.count("\n") == 1
    assert statuses(db) == before


# -- a served history over HTTP -----------------------------------------------------------


@pytest.fixture(scope="module")
def images(tmp_path_factory) -> Iterator[dict]:
    """A history served in this process, whose image root holds named files, a stray file,
    and links out of the root."""
    base = tmp_path_factory.mktemp("images")
    outside = base / "secret.txt"
    outside.write_text("not an image")
    svc = jobdash.open(base / "jobs.duckdb", runner=False)
    root = svc.image_root
    (root / "JOB-000001").mkdir(parents=True)
    (root / "JOB-000001" / "final.png").write_bytes(b"\x89PNG named file")
    (root / "JOB-000001" / "thumb.webp").write_bytes(b"RIFF named thumbnail")
    (root / "passwd").write_text("placed by hand, named by no row")
    (root / "JOB-000001" / "link.png").symlink_to(outside)
    images = [
        {"file_path": "JOB-000001/final.png", "thumbnail_path": "JOB-000001/thumb.webp"},
        {"file_path": "JOB-000001/link.png"},  # a row naming a link out of the root
        {"file_path": "JOB-000001/gone.png"},  # named, but not on disk
        {"file_path": "../secret.txt"},  # a row naming a path out of the root
    ]
    add_job(svc, images=images)
    port = free_port()
    server = start_server(svc, access=Access(port=port), threaded=True)
    try:
        wait_until(lambda: listening(port), timeout=20)
        yield {"url": f"http://127.0.0.1:{port}", "port": port}
    finally:
        stop_serving(server, svc)


def test_images_are_served_only_if_the_history_names_them(images):
    base = images["url"]
    named = request(base + "/images/JOB-000001/final.png")
    assert named.status == 200
    assert request(base + "/images/JOB-000001/thumb.webp").status == 200
    for path in (
        "passwd",  # in the root, named by no row
        "JOB-000001/link.png",  # named, but a link out of the root
        "JOB-000001/gone.png",  # named, not on disk
        "../secret.txt",
        "JOB-000001/..%2F..%2Fsecret.txt",
        "%2e%2e/secret.txt",
        "/etc/passwd",
        "JOB-000001",
    ):
        assert request(base + "/images/" + path).status == 404, path


def handshake(port: int, origin: str) -> int:
    """The status of a websocket handshake with the page's socket, sent from ``origin``."""
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    con.request(
        "GET",
        "/jobs/ws",
        headers={
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
            "Sec-WebSocket-Version": "13",
            "Origin": origin,
        },
    )
    status = con.getresponse().status
    con.close()
    return status


def test_the_websocket_refuses_other_origins(images):
    port = images["port"]
    assert handshake(port, "http://evil.example") == 403
    assert handshake(port, f"http://evil.example:{port}") == 403
    assert handshake(port, f"http://127.0.0.1:{port}") != 403
    assert handshake(port, f"http://localhost:{port}") != 403


# -- the login, in a real `jobdash serve` process -----------------------------------------


@pytest.fixture(scope="module")
def guarded(tmp_path_factory) -> Iterator[dict]:
    base = tmp_path_factory.mktemp("guarded")
    db = base / "jobs.duckdb"
    with jobdash.open(db, runner=False) as svc:
        (svc.image_root / "JOB-000001").mkdir(parents=True)
        (svc.image_root / "JOB-000001" / "final.png").write_bytes(b"\x89PNG")
        add_job(svc, images=[{"file_path": "JOB-000001/final.png"}])
    port = free_port()
    env = {"JOBDASH_USER": "operator", "JOBDASH_PASSWORD": PASSWORD}
    process = jobdash_serve(db, "--port", str(port), env=env)
    try:
        started(process, port)
        yield {"url": f"http://127.0.0.1:{port}", "process": process}
    finally:
        stopped(process)


def test_the_password_never_appears_on_the_command_line(guarded):
    cmdline = Path(f"/proc/{guarded['process'].pid}/cmdline").read_bytes()
    assert PASSWORD.encode() not in cmdline


def test_nothing_is_reached_without_the_right_user_and_password(guarded):
    base = guarded["url"]
    for path in ("/jobs", "/dashboard", "/images/JOB-000001/final.png"):
        response = request(base + path)
        assert response.status == 302 and "/login" in response.headers["Location"], path
    for user, password in (("operator", "wrong password"), ("intruder", PASSWORD), ("", "")):
        refused = login(base, user, password)
        assert session_cookie(refused) is None
        assert "error=" in refused.headers["Location"]
    cookie = session_cookie(login(base, "operator", PASSWORD))
    assert cookie is not None
    assert request(base + "/jobs", headers={"Cookie": cookie}).status == 200
    image = request(base + "/images/JOB-000001/final.png", headers={"Cookie": cookie})
    assert image.status == 200


def test_a_login_posted_from_another_site_is_refused(guarded):
    base = guarded["url"]
    port = urllib.parse.urlsplit(base).port
    refused = login(base, "operator", PASSWORD, origin="http://evil.example")
    assert refused.status == 403 and session_cookie(refused) is None
    accepted = login(base, "operator", PASSWORD, origin=f"http://localhost:{port}")
    assert accepted.status == 302 and session_cookie(accepted) is not None


def test_a_password_file_switches_the_login_on(tmp_path):
    secret = tmp_path / "password.txt"
    secret.write_text(PASSWORD + "\n")
    port = free_port()
    process = jobdash_serve(
        tmp_path / "jobs.duckdb", "--port", str(port), "--password-file", str(secret)
    )
    try:
        started(process, port)
        base = f"http://127.0.0.1:{port}"
        assert request(base + "/jobs").status == 302
        assert session_cookie(login(base, "jobdash", PASSWORD)) is not None  # default user
    finally:
        stopped(process)


# -- stopping -----------------------------------------------------------------------------


SETTINGS = {
    "prompt_template": "A {keyword} at dawn",
    "keywords": ["red lake"],
    "count": 1,
    "variations": 1,
    "width": 64,
    "height": 64,
    "format": "png",
    "generator": {"name": "procedural"},
}


def slow_history(db: Path, delay_s: float) -> tuple[int, int]:
    """A history with a slow job (``delay_s`` per image) queued first and a quick one
    behind it."""
    with jobdash.open(db, runner=False) as svc:
        slow = {**SETTINGS, "count": 200, "generator": {"name": "procedural", "delay_s": delay_s}}
        svc.add_configuration("Slow", slow)
        svc.add_configuration("Quick", SETTINGS)
        return svc.start("Slow")["id"], svc.start("Quick")["id"]


def image_files(db: Path) -> int:
    root = db.parent / "images"
    return sum(1 for p in root.rglob("*.png")) if root.exists() else 0


def test_sigterm_stops_the_running_job_and_a_restart_runs_the_queue(tmp_path):
    db, port = tmp_path / "jobs.duckdb", free_port()
    slow, quick = slow_history(db, delay_s=0.05)
    process = jobdash_serve(db, "--port", str(port))
    try:
        started(process, port)
        wait_until(lambda: image_files(db) >= 2, timeout=60)
        process.send_signal(signal.SIGTERM)
        process.wait(30)
    finally:
        stopped(process)
    assert process.returncode == 0, process.stderr.read()
    with jobdash.open(db, runner=False) as svc:
        job = svc.get_by_id(slow).job
        assert job["status"] == "stopped"
        assert "shutdown" in svc.get_by_id(slow).events["message"].iloc[-1]
        assert svc.get_by_id(quick).job["status"] == "pending"  # still queued
    with jobdash.open(db) as svc:
        assert svc.runner.wait(quick, 60) == "completed"
        assert svc.get_by_id(slow).job["status"] == "stopped"  # not run again


def test_a_second_signal_exits_at_once(tmp_path):
    db, port = tmp_path / "jobs.duckdb", free_port()
    slow_history(db, delay_s=20)  # the next checkpoint is far away
    process = jobdash_serve(db, "--port", str(port))
    try:
        started(process, port)
        time.sleep(2)  # the runner claims the slow job as soon as it starts
        process.send_signal(signal.SIGTERM)
        time.sleep(1)
        assert process.poll() is None  # waiting for the job's checkpoint
        process.send_signal(signal.SIGTERM)
        t0 = time.monotonic()
        process.wait(10)
        assert time.monotonic() - t0 < 3
    finally:
        stopped(process)
    assert process.returncode == 128 + signal.SIGTERM


@pytest.mark.browser
def test_closed_browser_tabs_leave_no_traceback_in_the_log(browser, tmp_path):
    db, port = tmp_path / "jobs.duckdb", free_port()
    slow_history(db, delay_s=0.2)  # live updates flow while the tabs close
    process = jobdash_serve(db, "--port", str(port))
    try:
        started(process, port)
        for _ in range(3):
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{port}/jobs")
            page.locator(".tabulator-row").first.wait_for(timeout=30_000)
            time.sleep(1.5)
            context.close()
        time.sleep(3)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        stopped(process)
    assert process.returncode == 0
    assert "Traceback" not in err and "WebSocketClosedError" not in err, err


def test_a_server_announces_itself_to_clients_of_its_history(tmp_path):
    from jobdash.client import for_history
    from jobdash.discovery import Served, announce, discovery_path

    db, port = tmp_path / "jobs.duckdb", free_port()
    with jobdash.open(db, runner=False) as svc:
        add_job(svc, label="Seen over HTTP")
    assert for_history(db) is None
    process = jobdash_serve(db, "--port", str(port))
    try:
        started(process, port)
        found = discovery_path(db)
        wait_until(found.exists, timeout=30)  # written once the history is open
        assert found.stat().st_mode & 0o777 == 0o600
        client = for_history(db)
        assert client is not None and client.url == f"http://127.0.0.1:{port}"
        assert client.get_all().rows["label"].tolist() == ["Seen over HTTP"]
        process.send_signal(signal.SIGTERM)
        process.wait(30)
    finally:
        stopped(process)
    assert process.returncode == 0 and not found.exists()  # withdrawn on a clean exit
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    announce(db, Served("http://127.0.0.1:1", "stale", int(dead.stdout)))
    assert for_history(db) is None  # its process is gone
