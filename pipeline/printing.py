"""Where editions are printed: in this process, or in worker processes that start importing
WeasyPrint (its costliest step) while this one still reads catalogs and renders HTML.

Workers only print: they get plain data and return bytes, and the build alone writes files, so
no worker writes anything, ever. They end with their build (or, kept warm between builds by
``watch`` and ``serve``, with the command): the pool is terminated when it ends or is
interrupted (SIGINT, SIGTERM, SIGHUP reach the build as exceptions, see ``cli``), and the kernel
kills a worker whose parent died without a word (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass

from .errors import PipelineError
from .pdf import PrintedPdf, PrintJob, load_weasyprint, print_card, print_pdf, warm_up

PR_SET_PDEATHSIG = 1
STOPPING = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
"""The signals that stop a build (``cli`` turns them into exceptions)."""


@dataclass(frozen=True)
class Printed:
    pdf: PrintedPdf
    seconds: float
    image: bytes | None = None  # the share card, a PNG (when the job asks for one)


def _print(job: PrintJob) -> Printed | PipelineError:
    """Print one edition; an expected failure comes back as its error (pickled with its
    problems), anything else as an error that says it is a bug and carries its traceback."""
    started = time.perf_counter()
    try:
        pdf = print_pdf(job)
        image = print_card(job) if job.card else None
        return Printed(pdf, time.perf_counter() - started, image)
    except PipelineError as error:
        return error
    except Exception as error:  # WeasyPrint or the pipeline failed unexpectedly: a bug
        failure = PipelineError(f"printing failed unexpectedly ({type(error).__name__}: "
                                f"{error}); this is a bug: run again with -v for the details, "
                                "and report it", job.where)
        failure.details = traceback.format_exc()  # type: ignore[attr-defined]
        return failure


Warmth = tuple[str, dict[str, bytes]]
"""What a warm worker loads before its first job: the assets' URL and the assets (stylesheet,
fonts), as a print job gives them."""


def _warm(warmth: Warmth) -> None:
    """Load WeasyPrint, the fonts and the stylesheet (see ``pdf.warm_up``). A warm-up that fails
    is no failure: the edition that needs them reports what is wrong."""
    try:
        warm_up(*warmth)
    except Exception:  # noqa: BLE001 - the next print says what is wrong, with its file
        pass


def _start_worker(parent: int, warmth: Warmth | None = None) -> None:
    """A worker dies with its parent, ignores Ctrl-C (the build handles it and ends the pool),
    and loads WeasyPrint at once, before its first job arrives (and the fonts and stylesheet
    too, when it is kept warm)."""
    libc_name = ctypes.util.find_library("c")
    if libc_name:
        try:
            ctypes.CDLL(libc_name, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING)  # blocked while the pool started
    load_weasyprint()
    if warmth is not None:
        _warm(warmth)


class Printers:
    """Print jobs here (one worker or one job) or in a pool of worker processes. The longest
    editions start first; results come back in the planned order, so the log reads the same
    whatever finishes first.

    ``warmth`` keeps the pool warm: ``watch`` and ``serve`` start it once, with ``workers``
    processes even for one, each loading WeasyPrint, the fonts and the stylesheet before the
    first save, and give it to every build; a build then prints every job in a worker, which
    keeps all of it loaded for the next save, in the planned order: the first edition a save
    reprints (the one it was made for) comes out first."""

    def __init__(self, workers: int, warmth: Warmth | None = None):
        self.pool = None
        self.workers = workers
        self.warm = warmth is not None
        if workers > 1 or warmth is not None:
            import multiprocessing
            from multiprocessing import resource_tracker

            # A signal that stopped the build between starting a worker and sending it its
            # orders would leave the worker reading nothing (an EOFError and its traceback on
            # the terminal): the signals that stop a build wait until the pool has started.
            # (The resource tracker is started first: starting it unblocks SIGINT and SIGTERM.)
            resource_tracker.ensure_running()
            previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)
            try:
                self.pool = multiprocessing.get_context("spawn").Pool(
                    workers, initializer=_start_worker, initargs=(os.getpid(), warmth))
            finally:
                try:
                    signal.pthread_sigmask(signal.SIG_SETMASK, previous)
                except BaseException:  # the signal that waited stops the build, and its pool
                    if self.pool is not None:
                        self.pool.terminate()
                        self.pool.join()
                    raise

    def __enter__(self) -> Printers:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if self.pool is not None:
            if kind is None:
                self.pool.close()
            else:  # interrupted or failed: the workers stop now
                self.pool.terminate()
            self.pool.join()

    def run(self, jobs: list[PrintJob]) -> Iterator[tuple[PrintJob, Printed | PipelineError]]:
        if self.pool is None or not jobs:
            for job in jobs:
                yield job, _print(job)
            return
        order = range(len(jobs)) if self.warm else sorted(range(len(jobs)),
                                                          key=lambda i: -len(jobs[i].html))
        results = {i: self.pool.apply_async(_print, (jobs[i],)) for i in order}
        for i, job in enumerate(jobs):
            yield job, results[i].get()
