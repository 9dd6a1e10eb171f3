"""``serve``: a live preview. Build (drafts included, as ``build --draft`` does), serve ``output/``
on ``127.0.0.1`` only, rebuild on every save (``watch``'s loop: update, then build) and reload
the pages open in a browser; a round that went wrong shows its ``file:line: message`` lines
over the page instead of letting a stale edition pass for the current one.

The server is the standard library's (``ThreadingHTTPServer``): it serves the files below
``output/`` and nothing else (no ``..``, no encoded traversal, no NUL, no link leading out, no
hidden file such as an edition's state), and adds a few lines of script to the HTML it sends,
never to the files on disk: the script listens to ``/_livereload`` (server-sent events) for the
end of each round.
"""

from __future__ import annotations

import errno
import html
import json
import mimetypes
import secrets
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from .. import log
from ..errors import PipelineError, Problem
from ..plan import Request
from ..printing import STOPPING
from ..project import DRAFTS, Project
from .watch import watch

HOST = "127.0.0.1"
"""Loopback only: a preview of unpublished drafts is for this machine."""
DEFAULT_PORT = 8000
EVENTS = "/_livereload"
KEEPALIVE = 15.0
"""Seconds between two comments on an idle event stream: a closed tab is noticed, its thread ends."""

SCRIPT = """<script>/* live preview: added by `python -m pipeline serve`, not in the file */
(function () {
  var seen = %(round)s, box = null;
  function show(lines) {
    if (!box) {
      box = document.createElement("div");
      box.id = "live-preview-problems";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:2147483647;"
        + "max-height:70vh;overflow:auto;margin:0;padding:1em 1.5em;background:#fff4f4;"
        + "color:#600;border-bottom:4px solid #c00;font:14px/1.5 monospace;"
        + "white-space:pre-wrap;direction:ltr;text-align:left;unicode-bidi:plaintext";
      document.body.appendChild(box);
    }
    box.textContent = "The last build failed: what this page shows may be out of date.\\n\\n"
      + lines.join("\\n");
  }
  var events = new EventSource(%(events)s);
  events.onmessage = function (event) {
    var state = JSON.parse(event.data);
    if (state.problems.length) { show(state.problems); }
    else if (state.id !== seen) { location.reload(); }
    seen = state.id;
  };
})();
</script>
"""


def inject(page: bytes, round_id: str, notice: bytes = b"") -> bytes:
    """The page with the live-preview script (after ``notice``, a note of the preview's) before
    its last ``</body>`` (at its end without one); ``round_id`` names the round whose files it
    holds: any other reloads it."""
    script = notice + (SCRIPT % {"round": json.dumps(round_id), "events": json.dumps(EVENTS)}
                       ).encode()
    at = page.lower().rfind(b"</body>")
    return page + script if at < 0 else page[:at] + script + page[at:]


NOTICE = ('<div id="live-preview-draft" role="note" lang="en" dir="ltr" style="position:fixed;'
          'bottom:0;left:0;right:0;z-index:2147483646;margin:0;padding:0.6em 1.5em;'
          'background:#fffbe6;color:#442;border-top:3px solid #c90;font:15px/1.5 sans-serif;'
          'text-align:left">%s</div>')
"""A note the preview adds to a page (never to the file on disk), in the coordinators' English."""


def draft_notice(root: Path, relative: str) -> bytes:
    """For a released edition's page (``<id>/<id>.<variant>.html``) that has a draft beside it in
    ``drafts/``, a note leading to the draft: the release is the one printed earlier, kept while
    its translation catches up (a paragraph edited since makes it fuzzy), and the draft shows the
    latest text. For the index, a note leading to the drafts' list. Empty otherwise."""
    parts = relative.split("/")
    if len(parts) == 2 and parts[0] != DRAFTS and (root / DRAFTS / relative).is_file():
        href = "/" + quote(f"{DRAFTS}/{relative}")
        return (NOTICE % (
            "This is the released edition printed earlier, kept while its translation catches "
            f'up: the latest text (your last edit) shows in <a href="{html.escape(href)}">its '
            "draft</a>.")).encode()
    if relative == "index.html" and _drafts(root):
        return (NOTICE % ('Drafts (languages in progress, and translations that lag behind an '
                          f'edit): <a href="/{DRAFTS}/">the list of drafts</a>.')).encode()
    return b""


def _drafts(root: Path) -> list[str]:
    """The draft pages below ``drafts/``, as ``<id>/<file>``, sorted (no hidden file, no link)."""
    folder = root / DRAFTS
    if not folder.is_dir() or folder.is_symlink():
        return []
    return sorted(f"{statement.name}/{page.name}"
                  for statement in folder.iterdir()
                  if statement.is_dir() and not statement.is_symlink()
                  and not statement.name.startswith(".")
                  for page in statement.iterdir()
                  if page.suffix == ".html" and page.is_file() and not page.is_symlink()
                  and not page.name.startswith("."))


def drafts_page(root: Path) -> bytes:
    """The list of drafts the start line advertises at ``/drafts/``: made by the preview (the
    build writes no such page), each draft's HTML and, when printed, its PDF."""
    items = []
    for name in _drafts(root):
        pdf = name.removesuffix(".html") + ".pdf"
        links = f'<a href="/{DRAFTS}/{html.escape(quote(name))}">{html.escape(name)}</a>'
        if (root / DRAFTS / pdf).is_file():
            links += f' · <a href="/{DRAFTS}/{html.escape(quote(pdf))}">PDF</a>'
        items.append(f"<li>{links}</li>")
    body = (f"<ul>\n{chr(10).join(items)}\n</ul>" if items
            else "<p>No drafts: every edition is released and up to date.</p>")
    return (f'<!DOCTYPE html>\n<html lang="en" dir="ltr">\n<head>\n<meta charset="utf-8">\n'
            f"<title>Drafts</title>\n</head>\n<body>\n<h1>Drafts</h1>\n"
            f'<p><a href="/">All statements</a></p>\n{body}\n</body>\n</html>\n').encode()


class Refused(Exception):
    """A request for something that is not a file below ``output/`` (its HTTP status)."""

    def __init__(self, status: int, why: str):
        super().__init__(why)
        self.status = status


def local_path(root: Path, target: str) -> Path:
    """The file below ``root`` a request's target names (a folder's ``index.html``), or
    ``Refused``: 403 for what reaches out (``..``, encoded or not, NUL, a backslash, a link
    leading out, anything but a path), 404 for what is not there or hidden (``.state``)."""
    path = target.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/"):
        raise Refused(403, "not a path")
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        raise Refused(404, "not UTF-8") from None
    if "\0" in decoded or "\\" in decoded:
        raise Refused(403, "a NUL or a backslash")
    parts = [part for part in decoded.split("/") if part]
    if any(part in (".", "..") for part in parts):
        raise Refused(403, "a step out")
    if any(part.startswith(".") for part in parts):
        raise Refused(404, "a hidden file")
    base = root.resolve()
    candidate = base.joinpath(*parts)
    if candidate.is_dir():
        candidate = candidate / "index.html"
    resolved = candidate.resolve()
    if not resolved.is_relative_to(base):
        raise Refused(403, "a link leading out")
    if not resolved.is_file():
        raise Refused(404, "no such file")
    return resolved


class Rounds:
    """What the last round of work said, for the pages that listen: an identifier (new with each
    round, and with each server) and its problems."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.token = secrets.token_hex(4)
        self.count = 0
        self.problems: list[str] = []
        self.closed = False

    def done(self, problems: list[Problem]) -> None:
        with self.changed:
            self.count += 1
            self.problems = list(dict.fromkeys(str(problem) for problem in problems))
            self.changed.notify_all()

    def close(self) -> None:
        with self.changed:
            self.closed = True
            self.changed.notify_all()

    @property
    def id(self) -> str:
        return f"{self.token}-{self.count}"

    def state(self) -> tuple[int, bytes]:
        with self.changed:
            return self.count, json.dumps({"id": self.id, "problems": self.problems}
                                          ).encode("utf-8")

    def wait(self, seen: int, timeout: float) -> bool:
        """Whether a round ended after round ``seen`` (False after ``timeout`` or once closed)."""
        with self.changed:
            self.changed.wait_for(lambda: self.count != seen or self.closed, timeout)
            return self.count != seen and not self.closed


class Preview(BaseHTTPRequestHandler):
    """GET and HEAD of the files below ``output/``, and the event stream."""

    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if not self.local_host():
            self.send_error(403)
        elif self.path.split("?", 1)[0] == EVENTS:
            self.events()
        else:
            self.send_file(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        if not self.local_host():
            self.send_error(403)
        else:
            self.send_file(body=False)

    def local_host(self) -> bool:
        """A request for this machine by name: a page elsewhere that rebinds its own name to
        127.0.0.1 (DNS rebinding) names itself in ``Host``, and is refused."""
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]").lower()
        return host in ("127.0.0.1", "localhost", "::1")

    def send_file(self, body: bool) -> None:
        root = self.server.root
        try:
            path = local_path(root, self.path)
            data = path.read_bytes()
        except Refused as refused:
            if refused.status == 404 and self.path.split("?", 1)[0].rstrip("/") == f"/{DRAFTS}":
                self.send_page(inject(drafts_page(root), self.server.rounds.id), body)
                return
            log.debug("serve: %s refused (%s)", self.path, refused)
            self.send_error(refused.status)
            return
        except OSError:
            self.send_error(404)
            return
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind == "text/html":
            data = inject(data, self.server.rounds.id,
                          draft_notice(root.resolve(), path.relative_to(root.resolve()).as_posix()))
        if kind.startswith("text/") or kind == "application/javascript":
            kind += "; charset=utf-8"
        self.send_page(data, body, kind)

    def send_page(self, data: bytes, body: bool, kind: str = "text/html; charset=utf-8") -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def events(self) -> None:
        """Server-sent events: the state now, then after every round, until the page goes."""
        rounds = self.server.rounds
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while not rounds.closed:
                seen, state = rounds.state()
                self.wfile.write(b"data: " + state + b"\n\n")
                self.wfile.flush()
                while not rounds.wait(seen, KEEPALIVE):
                    if rounds.closed:
                        return
                    self.wfile.write(b": still here\n\n")
                    self.wfile.flush()
        except OSError:  # the page was closed or reloaded
            return

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("serve: " + format, *args)


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # an event stream ends with the rounds; a stalled one is not waited for

    def __init__(self, root: Path, port: int, rounds: Rounds):
        self.root = root
        self.rounds = rounds
        try:
            super().__init__((HOST, port), Preview)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PipelineError(f"port {port} is in use (another server, or another serve): "
                                    "stop it, or choose another port with --port N") from None
            if error.errno == errno.EACCES:
                raise PipelineError(f"port {port} is not open to this user: choose a port above "
                                    "1023 with --port N") from None
            raise PipelineError(f"cannot listen on {HOST}:{port}: {error.strerror}") from None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}/"


def _serve_forever(server: PreviewServer) -> None:
    """The server's loop, in its own thread, with the signals that stop the command blocked
    there and in every thread it starts (one per request): a Ctrl-C always reaches the main
    thread, even while it holds them blocked a moment (``printing.Printers`` starting a worker),
    and never lands in a thread that cannot act on it."""
    signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)
    server.serve_forever(0.1)


def serve(project: Project, port: int = DEFAULT_PORT, stop: threading.Event | None = None,
          request: Request | None = None) -> None:
    """Serve ``output/`` and rebuild it on every save until Ctrl-C (or ``stop``)."""
    rounds = Rounds()
    server = PreviewServer(project.output_dir, port, rounds)
    thread = threading.Thread(target=_serve_forever, args=(server,), name="serve", daemon=True)
    thread.start()
    log.info("serving %s at %s (drafts below %sdrafts/); stop with Ctrl-C",
             project.relative(project.output_dir), server.url, server.url)
    try:
        watch(project, request or Request(draft=True), stop=stop, done=rounds.done)
    finally:
        rounds.close()
        server.shutdown()
        server.server_close()
        thread.join()
