"""The command line: a thin layer mapping arguments to commands, errors to lines and statuses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.cli import main, parser

from .conftest import ROOT
from .helpers import cli as run_cli


@pytest.mark.parametrize("command", ["build", "check", "verify", "watch", "serve", "dist", "preview",
                                     "extract", "update", "init"])
def test_every_command_maps_to_one_function(command):
    args = parser().parse_args([command] + (["fr"] if command == "init" else []))
    assert args.func.__name__ == f"run_{command}"


@pytest.mark.parametrize(("value", "ok"), [("3mm", True), ("9pt", True), ("0.125in", True),
                                           ("10mm", True), ("99.99in", False), ("11mm", False),
                                           ("3 cm", False), ("-3mm", False)])
def test_bleed_is_a_small_length(value, ok, capsys):
    if ok:
        assert parser().parse_args(["build", "--bleed", value]).bleed == value
    else:
        with pytest.raises(SystemExit):
            parser().parse_args(["build", f"--bleed={value}"])
        assert "is not a bleed such as 3mm" in capsys.readouterr().err


@pytest.mark.parametrize(("value", "ok"), [("1", True), ("4", True), ("0", False),
                                           ("-2", False), ("two", False), ("1.5", False)])
def test_jobs_are_one_or_more_worker_processes(value, ok, capsys):
    """``-j 0`` or ``-j -2`` once meant one per core by accident (``jobs or cores``): refused,
    saying what is allowed."""
    if ok:
        assert parser().parse_args(["build", "-j", value]).jobs == int(value)
    else:
        with pytest.raises(SystemExit):
            parser().parse_args(["build", f"--jobs={value}"])
        assert "is not a number of worker processes (1 or more" in capsys.readouterr().err


def test_paper_sizes_ignore_case():
    assert parser().parse_args(["build", "--paper", "LETTER"]).paper == "letter"


@pytest.mark.parametrize("argv", [["-C", "/p", "-v", "build"], ["build", "-C", "/p", "-v"],
                                  ["-C", "/p", "build", "-v"], ["-v", "build", "-C", "/p"]])
def test_the_common_options_go_before_or_after_the_command(argv):
    args = parser().parse_args(argv)
    assert (args.project, args.verbose, args.quiet, args.command) == (Path("/p"), True, False, "build")


def test_the_common_options_default_with_or_without_the_command():
    assert parser().parse_args(["check"]).project == Path.cwd()
    assert parser().parse_args(["-q", "check"]).quiet is True
    assert parser().parse_args(["check"]).quiet is False


@pytest.mark.parametrize("argv", [["-C", "", "check"], ["check", "-C", " "],
                                  ["check", "--project="]])
def test_an_empty_project_folder_is_an_error_naming_the_option(argv, capsys, small, monkeypatch):
    monkeypatch.chdir(small.root)  # were it taken for the current folder, the check would run
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith(
        "error: argument -C/--project: an empty folder name: give the project folder, or leave "
        "out -C for the current one")


@pytest.mark.parametrize("argv", [["-v", "-q", "check"], ["check", "-q", "-v"],
                                  ["-q", "check", "-v"], ["-v", "check", "--quiet"]])
def test_verbose_and_quiet_together_are_an_error(argv, capsys, small):
    with pytest.raises(SystemExit) as stop:
        main([*argv, "-C", str(small.root)])
    assert stop.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_a_folder_that_is_no_project(tmp_path, capsys):
    assert main(["check", "-C", str(tmp_path / "nowhere")]) == 1
    assert capsys.readouterr().err.strip().endswith("is not a project folder: there is no such folder")


def test_an_expected_failure_is_one_line_and_verbose_shows_where_it_was_raised(small, capsys):
    (small.sources_dir / "ghouta-2017.yaml").write_text("id: [", "utf-8")
    status, lines = run_cli(capsys, small, "update")
    assert status == 1 and all("Traceback" not in line for line in lines)
    assert lines[-1].startswith("sources/ghouta-2017.yaml:1: YAML syntax error")
    status, lines = run_cli(capsys, small, "update", "-v")
    assert status == 1 and any("Traceback" in line for line in lines)


def test_a_bug_keeps_its_traceback(small, monkeypatch):
    def broken(project, args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli, "run_check", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        main(["check", "-C", str(small.root)])


def run_python(script: str) -> subprocess.CompletedProcess[str]:
    """``script`` run by a Python process of its own, with the pipeline importable."""
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)


def test_sigterm_ends_a_run_like_ctrl_c(small, tmp_path):
    """The signal reaches the running command as an exception: it stops cleanly, status 143."""
    script = ("import os, signal, sys\n"
              "from pipeline import cli\n"
              "def slow(project, args):\n"
              "    os.kill(os.getpid(), signal.SIGTERM)\n"
              "    raise AssertionError('the signal did not stop the command')\n"
              "cli.run_check = slow\n"
              f"sys.exit(cli.main(['check', '-C', {str(small.root)!r}]))\n")
    result = run_python(script)
    assert result.returncode == 128 + signal.SIGTERM, result.stderr
    assert "stopped by signal 15" in result.stderr and "Traceback" not in result.stderr


def test_a_stop_a_library_swallows_still_ends_the_run_as_stopped(small, tmp_path):
    """ctypes turns the exception a SIGTERM raises while it converts an argument into an
    ArgumentError (pypdfium2, drawing a share card, in a build printing in-process): the
    command that caught it as a failure still ends stopped, status 143, not 1."""
    script = ("import ctypes, os, signal, sys\n"
              "from pipeline import cli\n"
              "class Landing:\n"
              "    @classmethod\n"
              "    def from_param(cls, value):\n"
              "        os.kill(os.getpid(), signal.SIGTERM)\n"
              "        return value\n"
              "def printing(project, args):\n"
              "    call = ctypes.CDLL(None).abs\n"
              "    call.argtypes = [Landing]\n"
              "    try:\n"
              "        call(3)\n"
              "    except ctypes.ArgumentError as error:\n"
              "        print(f'swallowed: {error}', file=sys.stderr)\n"
              "        return 1\n"
              "    raise AssertionError('the signal did not land')\n"
              "cli.run_check = printing\n"
              f"sys.exit(cli.main(['check', '-C', {str(small.root)!r}]))\n")
    result = run_python(script)
    assert "swallowed: argument 1: Terminated: 15" in result.stderr, result.stderr
    assert result.returncode == 128 + signal.SIGTERM, result.stderr
    assert "stopped by signal 15" in result.stderr and "Traceback" not in result.stderr


def test_a_print_that_failed_because_of_a_stop_is_no_bug(monkeypatch):
    """A print that failed because a stop landed inside it (ctypes swallowed the Terminated)
    ends the run as stopped: not reported as a bug (``printing failed unexpectedly``) first."""
    import ctypes

    from pipeline import errors, pdf, printing
    from pipeline.model import PrintOptions
    from pipeline.pdf import PrintJob

    def swallowed(job):
        errors.STOPS.extend(landing)
        raise ctypes.ArgumentError("argument 1: Terminated: 15")

    job = PrintJob(name="x.en", where="output/x/x.en.pdf", html="", base_url="", assets_url="",
                   assets={}, fonts=None, options=PrintOptions())  # type: ignore[arg-type]
    monkeypatch.setattr(pdf, "print_pdf", swallowed)  # (what ``_print`` calls, when it runs)
    monkeypatch.setattr(errors, "STOPS", [])
    landing: list[int] = []
    outcome = printing._print(job)  # no stop recorded: a bug, reported with its traceback
    assert isinstance(outcome, errors.PipelineError) and "unexpectedly" in str(outcome)
    landing.append(signal.SIGTERM)
    with pytest.raises(errors.Terminated) as stop:
        printing._print(job)
    assert stop.value.signum == signal.SIGTERM


def test_a_stop_landing_while_the_signal_handlers_are_set_ends_the_run_cleanly(
        small, capsys, monkeypatch):
    """A SIGTERM delivered just as the handler is installed (the first moments of a run) is
    raised inside ``handled_signals``' set-up: main() says it stopped, no traceback."""
    install = signal.signal

    def landing(signum, handler):
        previous = install(signum, handler)
        if signum == signal.SIGTERM and handler is cli._terminate:
            cli._terminate(signum, None)  # the signal arrives now
        return previous

    monkeypatch.setattr(signal, "signal", landing)
    status, lines = run_cli(capsys, small, "update")
    assert status == 128 + signal.SIGTERM
    assert lines == ["stopped by signal 15: the files written so far are complete, the rest "
                     "untouched"]
    assert signal.getsignal(signal.SIGTERM) is not cli._terminate
