"""The live preview: ``serve`` serves ``output/`` and nothing else, on the loopback address only;
the pages it sends (never the files on disk) carry a script that reloads them after each round
and shows a failed round's problems, as text, over the page.

The guard, the injection, the raw HTTP requests and the event stream are unit tests on a small
folder; one slow test runs ``python -m pipeline serve`` on a copy of a build and watches a page
reload in Chromium after a save.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.cli import parser
from pipeline.commands.serve import (
    EVENTS,
    HOST,
    PreviewServer,
    Refused,
    Rounds,
    inject,
    local_path,
)
from pipeline.errors import Problem
from pipeline.project import Project

from .conftest import ROOT, SMALL, _shared_build
from .helpers import cli, ctrl_c_as_at_a_terminal, edit, line_of
from .webcheck import chromium, need

SECRET = b"the secret outside output"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """An ``output/`` folder beside a secret file, with links leading out of it."""
    (tmp_path / "secret.txt").write_bytes(SECRET)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "index.html").write_bytes(SECRET)
    root = tmp_path / "output"
    (root / "sochi-2018").mkdir(parents=True)
    (root / "index.html").write_bytes(b"<!DOCTYPE html><html><body><p>index</p></body></html>")
    (root / "sochi-2018" / "sochi-2018.en.html").write_bytes(
        b"<!DOCTYPE html><html><body><p>Sochi</p></BODY></html>")
    (root / "sochi-2018" / "sochi-2018.en.pdf").write_bytes(b"%PDF-1.7 </body>")
    (root / "sochi-2018" / ".sochi-2018.en.state.json").write_bytes(b"{}")
    (root / "leak.html").symlink_to(tmp_path / "secret.txt")
    (root / "away").symlink_to(tmp_path / "outside")
    return root


# --- the path guard ------------------------------------------------------------------------------

@pytest.mark.parametrize(("target", "found"), [
    ("/", "index.html"),
    ("/index.html?x=1#top", "index.html"),
    ("/sochi-2018/sochi-2018.en.html", "sochi-2018/sochi-2018.en.html"),
    ("//sochi-2018///sochi-2018.en.pdf", "sochi-2018/sochi-2018.en.pdf"),
    ("/sochi%2D2018/sochi-2018.en.html", "sochi-2018/sochi-2018.en.html"),
])
def test_the_guard_finds_files_below_output(site: Path, target: str, found: str) -> None:
    assert local_path(site, target) == (site / found).resolve()


@pytest.mark.parametrize(("target", "status"), [
    ("/../secret.txt", 403),
    ("/sochi-2018/../../secret.txt", 403),
    ("/%2e%2e/secret.txt", 403),
    ("/%2E%2E%2Fsecret.txt", 403),
    ("/sochi-2018/..%2f..%2fsecret.txt", 403),
    ("/.%2e/secret.txt", 403),
    ("/./index.html", 403),
    ("/index.html%00.pdf", 403),
    ("/..\\secret.txt", 403),
    ("/%5c..%5csecret.txt", 403),
    ("/leak.html", 403),  # a link to a file outside
    ("/away/", 403),  # a link to a folder outside, and its index
    ("/away/index.html", 403),
    ("http://127.0.0.1/../secret.txt", 403),  # not a path
    ("*", 403),
    ("", 403),
    ("/sochi-2018/.sochi-2018.en.state.json", 404),  # hidden
    ("/%ff%fe", 404),  # not UTF-8
    ("/%252e%252e/secret.txt", 404),  # encoded twice: a name, and no such file
    ("/nothing.html", 404),
    ("/sochi-2018/", 404),  # a folder without an index
])
def test_the_guard_refuses_everything_else(site: Path, target: str, status: int) -> None:
    with pytest.raises(Refused) as refused:
        local_path(site, target)
    assert refused.value.status == status, refused.value


# --- the script ----------------------------------------------------------------------------------

def test_the_script_goes_before_the_last_closing_body_tag() -> None:
    page = b"<html><body><p>a</p><!-- </body> --></BODY></html>"
    injected = inject(page, "abc-1")
    head, _, tail = injected.partition(b"<script>")
    assert head == b"<html><body><p>a</p><!-- </body> -->"
    assert tail.endswith(b"</script>\n</BODY></html>")
    assert b'var seen = "abc-1"' in injected and b'new EventSource("/_livereload")' in injected
    assert inject(b"<p>no body</p>", "x-2").startswith(b"<p>no body</p><script>")


def test_the_overlay_shows_problems_as_text() -> None:
    script = inject(b"", "x").decode()
    assert "textContent" in script and "innerHTML" not in script and "insertAdjacentHTML" \
        not in script and "document.write" not in script


# --- the server, over raw HTTP -------------------------------------------------------------------

@pytest.fixture
def server(site: Path) -> Iterator[PreviewServer]:
    preview = PreviewServer(site, 0, Rounds())
    thread = threading.Thread(target=preview.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield preview
    finally:
        preview.rounds.close()
        preview.shutdown()
        preview.server_close()
        thread.join(timeout=10)


def raw(server: PreviewServer, target: bytes, method: bytes = b"GET",
        host: bytes = b"127.0.0.1") -> tuple[int, bytes, bytes]:
    """One request as written, byte for byte: its status, headers and body."""
    with socket.create_connection(server.server_address[:2], timeout=10) as connection:
        connection.sendall(method + b" " + target + b" HTTP/1.1\r\nHost: " + host
                           + b"\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), head, body


def test_the_server_listens_on_the_loopback_address_only(server: PreviewServer) -> None:
    assert server.server_address[0] == HOST == "127.0.0.1"


@pytest.mark.parametrize("host", [b"evil.example", b"evil.example:8000", b"", b"127.0.0.1.evil.example"])
def test_a_request_for_another_host_name_is_refused(server: PreviewServer, host: bytes) -> None:
    """A page elsewhere that rebinds its name to 127.0.0.1 (DNS rebinding) reads no preview."""
    assert raw(server, b"/index.html", host=host)[0] == 403
    port = str(server.server_address[1]).encode()
    for local in (b"127.0.0.1:" + port, b"localhost:" + port, b"[::1]:" + port):
        assert raw(server, b"/index.html", host=local)[0] in (200, 404)


@pytest.mark.parametrize("target", [
    b"/../secret.txt", b"/%2e%2e/secret.txt", b"/%2e%2e%2fsecret.txt", b"/..%2F..%2Fsecret.txt",
    b"/sochi-2018/../../secret.txt", b"/leak.html", b"/away/", b"/away/index.html",
    b"/index.html%00", b"/%00", b"/..%5csecret.txt", b"http://127.0.0.1/../secret.txt",
    b"/sochi-2018/.sochi-2018.en.state.json", b"/%c0%ae%c0%ae/secret.txt",
])
def test_raw_requests_reach_nothing_outside_output(server: PreviewServer, target: bytes) -> None:
    for method in (b"GET", b"HEAD"):
        status, head, body = raw(server, target, method)
        assert status in (403, 404), (target, head)
        assert SECRET not in body


def test_pages_carry_the_script_and_the_files_on_disk_do_not(server: PreviewServer,
                                                             site: Path) -> None:
    path = site / "sochi-2018" / "sochi-2018.en.html"
    on_disk = path.read_bytes()
    status, head, body = raw(server, b"/sochi-2018/sochi-2018.en.html")
    assert status == 200 and b"Content-Type: text/html; charset=utf-8" in head
    assert body.startswith(on_disk.split(b"</BODY>")[0]) and b"new EventSource" in body
    assert path.read_bytes() == on_disk
    status, head, body = raw(server, b"/sochi-2018/sochi-2018.en.pdf")
    assert status == 200 and b"application/pdf" in head and body == b"%PDF-1.7 </body>"
    status, head, body = raw(server, b"/sochi-2018/sochi-2018.en.html", b"HEAD")
    assert status == 200 and body == b""


def test_the_advertised_drafts_address_lists_the_drafts(server: PreviewServer, site: Path) -> None:
    """The start line names ``/drafts/``: it was a 404 (no page is written there). The preview
    makes the list, each draft linked, the page's script added; with no draft, it says so."""
    status, head, body = raw(server, b"/drafts/")
    assert status == 200 and b"text/html" in head
    assert b"No drafts" in body and b"new EventSource" in body
    drafts = site / "drafts" / "sochi-2018"
    drafts.mkdir(parents=True)
    (drafts / "sochi-2018.ar.html").write_bytes(b"<html><body>draft</body></html>")
    (drafts / "sochi-2018.ar.pdf").write_bytes(b"%PDF-1.7")
    (drafts / ".sochi-2018.ar.state.json").write_bytes(b"{}")
    for target in (b"/drafts/", b"/drafts"):
        status, head, body = raw(server, target)
        assert status == 200, target
        assert (b'<li><a href="/drafts/sochi-2018/sochi-2018.ar.html">sochi-2018/sochi-2018.ar.html'
                b'</a> \xc2\xb7 <a href="/drafts/sochi-2018/sochi-2018.ar.pdf">PDF</a></li>') in body
        assert b"state.json" not in body
    assert raw(server, b"/drafts/sochi-2018/sochi-2018.ar.html")[0] == 200
    assert not (site / "drafts" / "index.html").exists(), "the preview writes nothing"
    assert b'href="/drafts/"' in raw(server, b"/")[2], "the index leads to the drafts"


def test_a_released_page_with_a_draft_beside_it_leads_to_the_draft(server: PreviewServer,
                                                                   site: Path) -> None:
    """A paragraph edited makes a released language's translation fuzzy: the release printed
    earlier is kept, and was served as if it were current. Its page now says so and links the
    draft, which shows the edit; a page without a draft says nothing."""
    assert b"live-preview-draft" not in raw(server, b"/sochi-2018/sochi-2018.en.html")[2]
    assert b"live-preview-draft" not in raw(server, b"/")[2]
    drafts = site / "drafts" / "sochi-2018"
    drafts.mkdir(parents=True)
    (drafts / "sochi-2018.en.html").write_bytes(b"<html><body>draft</body></html>")
    status, _, body = raw(server, b"/sochi-2018/sochi-2018.en.html")
    assert status == 200 and b'id="live-preview-draft"' in body
    assert b'<a href="/drafts/sochi-2018/sochi-2018.en.html">its draft</a>' in body
    assert body.index(b"live-preview-draft") < body.index(b"</BODY>")
    assert b"live-preview-draft" not in raw(server, b"/drafts/sochi-2018/sochi-2018.en.html")[2]
    assert b"live-preview-draft" not in (site / "sochi-2018" / "sochi-2018.en.html").read_bytes()


def test_the_event_stream_tells_each_round_and_its_problems(server: PreviewServer) -> None:
    rounds = server.rounds
    with socket.create_connection(server.server_address[:2], timeout=10) as connection:
        connection.sendall(b"GET " + EVENTS.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        stream = connection.makefile("rb")

        def next_state() -> dict:
            for line in stream:
                if line.startswith(b"data: "):
                    return json.loads(line[6:])
            raise AssertionError("the stream ended")

        first = next_state()
        assert first["problems"] == []
        rounds.done([Problem("unknown field '<i>x</i>'", "sources/a.yaml", 3)] * 2)
        failed = next_state()
        assert failed["id"] != first["id"]
        assert failed["problems"] == ["sources/a.yaml:3: unknown field '<i>x</i>'"]  # once
        rounds.done([])
        passed = next_state()
        assert passed["problems"] == [] and passed["id"] not in (first["id"], failed["id"])


def test_a_port_in_use_is_a_one_line_error(small: Project, capsys) -> None:
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, lines = cli(capsys, small, "serve", "--port", str(port))
    assert status == 1
    assert lines == [f"port {port} is in use (another server, or another serve): stop it, or "
                     "choose another port with --port N"]
    assert not (small.output_dir / "index.html").exists(), "nothing was built"


@pytest.mark.parametrize(("value", "port"), [("8000", 8000), ("0", 0), ("65535", 65535),
                                             ("65536", None), ("-1", None), ("http", None)])
def test_the_port_is_a_port_number(value: str, port: int | None, capsys) -> None:
    if port is not None:
        assert parser().parse_args(["serve", "--port", value]).port == port
        return
    with pytest.raises(SystemExit):
        parser().parse_args(["serve", f"--port={value}"])
    assert f"{value!r} is not a port number" in capsys.readouterr().err


# --- in a browser --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def children(pid: int) -> set[int]:
    found = set()
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(status.parent.name))
    return found


def running(pid: int) -> bool:
    """Whether a process is alive (a zombie waiting for its parent to read its status is not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
def test_a_saved_paragraph_reloads_the_page_and_a_bad_save_shows_its_error(
        tmp_path_factory, tmp_path) -> None:
    need("chromium")
    shared = _shared_build(tmp_path_factory, "+".join(SMALL), SMALL)
    shutil.copytree(shared.root, tmp_path / "short", symlinks=True)
    project = Project.at(tmp_path / "short")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "serve", "--port", str(port), "-C", str(project.root)],
        cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)), preexec_fn=ctrl_c_as_at_a_terminal)
    said: list[str] = []
    reader = threading.Thread(target=lambda: said.extend(process.stderr or ()), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 120
        while not any(line.startswith("watching ") for line in said):
            assert process.poll() is None and time.monotonic() < deadline, said
            time.sleep(0.1)
        assert any(f"http://127.0.0.1:{port}/" in line for line in said), said
        workers = children(process.pid)
        with chromium() as browser:
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/ghouta-2017/ghouta-2017.en.html")
            assert "running out" in page.inner_text("article")
            page.evaluate("window.beforeTheSave = true")  # gone with this document
            edit(project, "sources/ghouta-2017.yaml", "fuel are running out",
                 "fuel are running low")
            page.wait_for_function(
                "() => document.body.innerText.includes('running low')", timeout=120_000)
            assert page.evaluate("window.beforeTheSave === undefined"), "the page was reloaded"
            assert page.locator("#live-preview-problems").count() == 0
            assert page.locator("#live-preview-draft").count() == 0, "English is up to date"
            # The Arabic translation of that paragraph is fuzzy now: the released page is the
            # one printed earlier, and says so, leading to the draft, which shows the edit.
            arabic = browser.new_page()
            arabic.goto(f"http://127.0.0.1:{port}/ghouta-2017/ghouta-2017.ar.html")
            note = arabic.locator("#live-preview-draft")
            assert "running low" not in arabic.inner_text("article") and note.is_visible()
            note.locator("a").click()
            arabic.wait_for_url("**/drafts/ghouta-2017/ghouta-2017.ar.html")
            assert "running low" in arabic.inner_text("article")
            arabic.goto(f"http://127.0.0.1:{port}/drafts/")
            assert arabic.locator('a[href="/drafts/ghouta-2017/ghouta-2017.ar.html"]').count() == 1
            arabic.close()

            edit(project, "sources/ghouta-2017.yaml", "id: ghouta-2017\n",
                 "id: ghouta-2017\n<i>oops</i>: 1\n")
            overlay = page.locator("#live-preview-problems")
            overlay.wait_for(state="visible", timeout=120_000)
            text = overlay.inner_text()
            line = line_of(project, "sources/ghouta-2017.yaml", "<i>oops</i>")
            assert f"sources/ghouta-2017.yaml:{line}: unknown field '<i>oops</i>'" in text, text
            assert overlay.locator("i").count() == 0, "a problem's text never becomes markup"
            assert "running low" in page.inner_text("article"), "the last good edition, below"
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            status = process.wait(timeout=60)  # generous: it ends within moments, even loaded
        except subprocess.TimeoutExpired:
            process.kill()
            status = None
        reader.join(timeout=10)
        if process.stderr is not None:
            process.stderr.close()
    assert status is not None, f"serve did not stop within 60 s of Ctrl-C: {said[-5:]}"
    assert status == 0, said[-5:]
    assert not [line for line in said if "Traceback" in line], said
    deadline = time.monotonic() + 10
    while (alive := [pid for pid in workers if running(pid)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert workers and not alive, "the workers end with serve"
