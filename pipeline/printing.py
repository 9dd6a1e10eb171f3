"""Where editions are printed: in this process, or in worker processes that start importing
WeasyPrint (its costliest step) while this one still reads catalogs and renders HTML.

Workers only print: they get plain data and return bytes, and the build alone writes files, so
no worker writes anything, ever. They end with their build (or, kept warm between builds by
``watch`` and ``serve``, with the command), and a Ctrl-C ends the command within moments:

- Only this process's main thread waits for the workers, each over its own pipe, never more
  than a quarter of a second at a time: a signal (SIGINT, SIGTERM, SIGHUP reach the build as
  exceptions, see ``cli``) stops the wait at once, or, taken by another thread of the process,
  at the next wake-up. (``multiprocessing.Pool`` waited for a result, for its helper threads
  and, terminated, for a lock its workers share, each a wait without end that only a signal
  taken by the main thread itself breaks; and an edition whose worker died was waited for
  forever.)
- Workers are stopped with a bounded wait, then killed; the kernel kills a worker whose parent
  died without a word (``PR_SET_PDEATHSIG``); a worker that dies mid-edition fails that edition
  with a message instead of leaving the build waiting for it.
"""

from __future__ import annotations

import os
import signal
import time
import traceback
from collections import deque
from collections.abc import Generator, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from . import log
from .errors import PipelineError, stop_if_stopped

if TYPE_CHECKING:  # (printing is imported by every build, even one with nothing to print)
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from .pdf import PrintedPdf, PrintJob

PR_SET_PDEATHSIG = 1
STOPPING = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
"""The signals that stop a build (``cli`` turns them into exceptions)."""
WAKE = 0.25
"""The longest the main thread waits for a worker before it looks for a signal again."""
ENDING = 10.0
"""Seconds a worker has to end once told to, before it is killed."""


def cores() -> int:
    """The cores this process may run on (its CPU affinity, as ``taskset`` or a container's
    cpuset leaves it), not the machine's: a second process on a core this one has to share only
    takes turns with it."""
    machine = os.cpu_count() or 1
    try:
        return max(1, min(machine, len(os.sched_getaffinity(0))))
    except (AttributeError, OSError):  # (not on every system)
        return machine


@dataclass(frozen=True)
class Printed:
    pdf: PrintedPdf
    seconds: float
    image: bytes | None = None  # the share card, a PNG (when the job asks for one)


def _print(job: PrintJob) -> Printed | PipelineError:
    """Print one edition; an expected failure comes back as its error (pickled with its
    problems), anything else as an error that says it is a bug and carries its traceback."""
    from .pdf import print_card, print_pdf

    started = time.perf_counter()
    try:
        pdf = print_pdf(job)
        image = print_card(job) if job.card else None
        return Printed(pdf, time.perf_counter() - started, image)
    except PipelineError as error:
        return error
    except Exception as error:  # WeasyPrint or the pipeline failed unexpectedly: a bug
        stop_if_stopped()  # (unless a stop caused it, which a library swallowed on its way)
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
    from .pdf import warm_up

    try:
        warm_up(*warmth)
    except Exception:  # noqa: BLE001 - the next print says what is wrong, with its file
        pass


def _start_worker(parent: int, warmth: Warmth | None = None) -> None:
    """A worker dies with its parent, ignores Ctrl-C (the build handles it and ends its
    workers), and loads WeasyPrint at once, before its first job arrives (and the fonts and
    stylesheet too, when it is kept warm)."""
    import ctypes
    import ctypes.util

    from .pdf import load_weasyprint

    libc_name = ctypes.util.find_library("c")
    if libc_name:
        try:
            ctypes.CDLL(libc_name, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING)  # blocked while it was started
    load_weasyprint()
    if warmth is not None:
        _warm(warmth)


def _work(orders: Connection, parent: int, warmth: Warmth | None) -> None:
    """A worker's life: print each job that comes, send back what came of it, and end when the
    build closes its end of the pipe (or dies)."""
    _start_worker(parent, warmth)
    while True:
        try:
            job = orders.recv()
        except (EOFError, OSError):  # the build is done with this worker, or gone
            return
        try:
            orders.send(_print(job))
        except OSError:  # the build stopped listening: it is ending
            return


@dataclass
class _Worker:
    process: BaseProcess
    orders: Connection  # this process's end of the worker's pipe
    job: int | None = None  # the job it is printing, by its index in ``Printers.run``'s list


def _died(job: PrintJob, process: BaseProcess) -> PipelineError:
    ended = process.exitcode
    how = (f"was killed by signal {-ended}" if ended is not None and ended < 0
           else f"ended with status {ended}" if ended is not None else "stopped answering")
    return PipelineError(f"not printed: the process printing it {how} (out of memory?); build "
                         "again, and report it if it happens again", job.where)


class Printers:
    """Print jobs here (one worker or one job) or in worker processes. The longest editions
    start first; results come back in the planned order, so the log reads the same whatever
    finishes first.

    ``warmth`` keeps the workers warm: ``watch`` and ``serve`` start them once, ``workers``
    processes even for one, each loading WeasyPrint, the fonts and the stylesheet before the
    first save, and give them to every build; a build then prints every job in a worker, which
    keeps all of it loaded for the next save, in the planned order: the first edition a save
    reprints (the one it was made for) comes out first. A warm pool also keeps the share card
    it drew last for each edition (``cards``): a save that leaves an edition's title, date and
    issuer as they were (its card's HTML and fonts the same) gets the same image without drawing
    it again, and its PDF comes out that much sooner.

    ``on_standby()`` makes a pool with no worker yet, for one command (``build``, ``build
    --update``): the update or the build starts its first worker (``start_early``) as soon as it
    sees from the bytes that something changed, and the worker loads WeasyPrint on a core of its
    own while this process still merges, parses, plans and renders. (An edited paragraph's
    English PDF came out in 1.43 s instead of 1.70: WeasyPrint's own CLI takes 1.2-1.3 s.)"""

    def __init__(self, workers: int, warmth: Warmth | None = None, *, standby: bool = False,
                 jobs: int | None = None):
        self.size = workers
        self.warmth = warmth
        self.warm = warmth is not None
        self.standby = standby
        self.jobs = jobs  # on standby: the command's -j, None for one per core
        self.short = False  # the system refused to start a worker (``_started``)
        self.workers: list[_Worker] = []
        self.cards: dict[str, tuple[str, bytes]] = {}  # edition: its last card's key and image
        if not standby and (workers > 1 or warmth is not None):
            self._start_all(workers)

    @classmethod
    def on_standby(cls, jobs: int | None = None) -> Printers:
        """A pool that starts its first worker only when told (``start_early``): until then, it
        costs nothing, and a command with nothing to print never starts one. ``jobs``: the
        command's ``-j``; with ``-j 1`` no worker starts early (one process at a time)."""
        return cls(1, standby=True, jobs=jobs)

    def _start_all(self, workers: int) -> None:
        try:
            for _ in range(workers - len(self.workers)):
                if not self._started():
                    break
        except BaseException:  # a signal that waited stops the build, and what it started
            self.close(now=True)
            raise

    def _started(self) -> bool:
        """Start one more worker; False when the system starts no process now (none left to
        the user, no memory: EAGAIN, ENOMEM, which a pool on standby met first, starting a worker
        only to save time): no failure, the editions are printed by the workers there are, or
        here when there are none, and it is said once; the pool starts no more."""
        if self.short:
            return False
        try:
            self._start()
        except OSError as error:
            self.short = True
            log.warning("could not start a printing process (%s): the editions are printed %s",
                        error.strerror or error, "by the processes running" if self.workers
                        else "here, one at a time")
            return False
        return True

    def start_early(self) -> None:
        """Start the first worker of a pool on standby now, loading WeasyPrint: the edition a
        change reprints then goes to a worker that is ready, or nearly, instead of this process
        importing WeasyPrint after planning. Only with a core to spare for it (on one core, or
        one this process may run on, it would only take turns with this process) and when the
        command may run more than one process (not with ``-j 1``, which asks for one at a time:
        the edition is then printed here, as before); a pool with a worker already is left as
        it is.
        (It does not load the fonts and stylesheet too, as a warm pool's do: measured, that made
        the edition no faster, and cost 0.13 s before it, and 0.1 s here, sending them.)"""
        if not self.standby or self.workers or self.jobs == 1 or cores() < 2:
            return
        self._start_all(1)

    def grow(self, workers: int) -> None:
        """A pool on standby, given a build's editions to print: ``workers`` workers, started now
        (they load WeasyPrint while the build renders), counting the one started early."""
        if self.standby and workers > len(self.workers):
            self.size = max(self.size, workers)
            if self.pooled:
                self._start_all(self.size)

    @property
    def pooled(self) -> bool:
        return self.size > 1 or self.warm or bool(self.workers)

    def _start(self) -> None:
        """One more worker. A signal that stopped the build between starting a worker and
        sending it its orders would leave the worker reading nothing (an EOFError and its
        traceback on the terminal): the signals that stop a build wait until it has them."""
        import multiprocessing
        from multiprocessing import resource_tracker

        # (Started first: starting it unblocks SIGINT and SIGTERM; once running, a check.)
        resource_tracker.ensure_running()
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        process = context.Process(target=_work, args=(theirs, os.getpid(), self.warmth),
                                  name="printer", daemon=True)
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)
        try:
            try:
                process.start()
            except BaseException:
                ours.close()
                if process.pid is not None:  # started, then stopped by a signal
                    process.kill()
                    process.join(ENDING)
                raise
            finally:
                theirs.close()  # the worker's copy is its own: its death reads as an end here
            self.workers.append(_Worker(process, ours))
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)  # a signal that waited: here

    def __enter__(self) -> Printers:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self.close(now=kind is not None)

    def close(self, now: bool = False) -> None:
        """End every worker: killed (a worker holds nothing: it writes no file, and one idle
        or still loading WeasyPrint would take a tenth of a second to end when told to, its pipe
        closed, which the command would wait for; SIGTERM too, to one just started: it blocks
        the stopping signals until it has its orders, see ``_start``). ``now`` (interrupted or
        failed): one still printing is ended too. Either way, one that has not ended within
        ``ENDING`` seconds is killed. A second signal meanwhile kills them all before it goes
        on."""
        workers, self.workers = self.workers, []
        try:
            for worker in workers:
                if (now or worker.job is None) and worker.process.pid is not None:
                    worker.process.kill()
                worker.orders.close()
            deadline = time.monotonic() + ENDING
            for worker in workers:
                worker.process.join(max(0.0, deadline - time.monotonic()))
        finally:
            for worker in workers:
                if worker.process.pid is not None and worker.process.exitcode is None:
                    worker.process.kill()
                    worker.process.join(ENDING)

    def _retire(self, worker: _Worker) -> None:
        """A worker that died, or whose job will never be read: gone, and its place free."""
        self.workers.remove(worker)
        worker.orders.close()
        if worker.process.exitcode is None:
            worker.process.kill()
        worker.process.join(ENDING)

    def run(self, jobs: list[PrintJob], cards: dict[str, tuple[str, bytes]] | None = None
            ) -> Iterator[tuple[PrintJob, Printed | PipelineError]]:
        """Print the jobs, yielding each with its outcome in the jobs' order. ``cards``: share
        cards drawn before, by edition (the ``PrintJob.card_key`` they were drawn from, and the
        image); a job whose card would be drawn from the same takes that image, and its card is
        not drawn (a warm pool also keeps those it drew, in ``self.cards``)."""
        known = {**(self.cards if self.warm else {}), **(cards or {})}
        keys = [job.card_key if job.card and job.card_key else None for job in jobs]
        taken = {job.name: known[job.name][1] for job, key in zip(jobs, keys, strict=True)
                 if key is not None and known.get(job.name, ("",))[0] == key}
        sent = [replace(job, card="") if job.name in taken else job for job in jobs]
        printing = self._run(sent)
        try:  # abandoned (an error, a signal): ``_run`` ends its jobs still printing at once
            for job, key, (_, outcome) in zip(jobs, keys, printing, strict=True):
                if isinstance(outcome, Printed) and key is not None:
                    if job.name in taken:
                        outcome = replace(outcome, image=taken[job.name])
                    if outcome.image is not None and self.warm:
                        self.cards[job.name] = (key, outcome.image)
                yield job, outcome
        finally:
            printing.close()

    def _run(self, jobs: list[PrintJob]
             ) -> Generator[tuple[PrintJob, Printed | PipelineError], None, None]:
        if not self.pooled or not jobs:
            for job in jobs:
                yield job, _print(job)
            return
        order = range(len(jobs)) if self.warm else sorted(range(len(jobs)),
                                                          key=lambda i: -len(jobs[i].html))
        waiting = deque(order)
        done: dict[int, Printed | PipelineError] = {}
        try:
            for i, job in enumerate(jobs):
                while i not in done:
                    self._hand_out(jobs, waiting, done)
                    self._collect(jobs, done)
                yield job, done.pop(i)
        finally:  # abandoned (an error, a signal): a job still printing is never read
            for worker in [w for w in self.workers if w.job is not None]:
                self._retire(worker)

    def _hand_out(self, jobs: list[PrintJob], waiting: deque[int],
                  done: dict[int, Printed | PipelineError]) -> None:
        """Give the next jobs to idle workers (starting one where one died); with no worker at
        all (none could be started), print the next one here."""
        while len(self.workers) < self.size and waiting:
            if not self._started():
                break
        if not self.workers and waiting:
            index = waiting.popleft()
            done[index] = _print(jobs[index])
            return
        for worker in list(self.workers):
            if worker.job is None and waiting:
                worker.job = waiting.popleft()
                try:
                    worker.orders.send(jobs[worker.job])
                except OSError:  # it died idle: the job goes back first in line
                    waiting.appendleft(worker.job)
                    self._retire(worker)

    def _collect(self, jobs: list[PrintJob], done: dict[int, Printed | PipelineError]) -> None:
        """Wait (at most ``WAKE`` seconds) for a worker's answer, and take every one there is."""
        from multiprocessing.connection import wait

        busy = {worker.orders: worker for worker in self.workers if worker.job is not None}
        for ready in wait(list(busy), WAKE):
            worker = busy[ready]  # type: ignore[index]
            index, worker.job = worker.job, None
            assert index is not None
            try:
                done[index] = worker.orders.recv()
            except (EOFError, OSError):  # it died mid-job
                worker.process.join(WAKE)
                done[index] = _died(jobs[index], worker.process)
                self._retire(worker)
