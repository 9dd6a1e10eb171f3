"""``preview``: a PNG of the first page of every edition in ``output/``, for reviewers and the
README. Pictures are drawn in a private temporary folder and then written into place like every
other output, never through a link."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from .. import log
from ..errors import PipelineError
from ..files import MAX_FONT, exclusive, read_input, write_atomic
from ..project import DRAFTS, Project
from ..state import read_states


def preview(project: Project, into: Path | None = None, resolution: int = 50) -> list[Path]:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise PipelineError("previews need poppler's pdftoppm: install it with "
                            "`apt-get install poppler-utils`")
    if into is not None:
        into = Path(into).absolute()
        if into.exists() and not into.is_dir():
            raise PipelineError("is not a folder: name a folder for the pictures",
                                project.relative(into))
        if not into.resolve().is_relative_to(project.root):
            raise PipelineError("is outside the project: name a folder inside it",
                                str(into))
    made = []
    with exclusive(project.output_dir, project.root, "waiting for another build to finish"), \
            tempfile.TemporaryDirectory(prefix="preview-") as scratch:
        for target, _ in sorted(read_states(project.output_dir, project.output_dir / DRAFTS).items()):
            if target.draft:
                continue
            pdf = target.paths(project.output_dir)["pdf"]
            data = read_input(pdf, project.root, MAX_FONT, "edition")
            if data is None:
                continue
            source = Path(scratch) / "edition.pdf"
            source.write_bytes(data)
            result = subprocess.run([pdftoppm, "-png", "-r", str(resolution), "-f", "1", "-l", "1",
                                     "-singlefile", str(source), str(Path(scratch) / "page")],
                                    capture_output=True, text=True, timeout=120)
            if result.returncode != 0:
                raise PipelineError(f"pdftoppm failed: {result.stderr.strip()}",
                                    project.relative(pdf))
            png = (into or pdf.parent) / f"{target.name}.png"
            write_atomic(png, (Path(scratch) / "page.png").read_bytes(), project.root)
            made.append(png)
            log.info("%s", project.relative(png))
    return made
