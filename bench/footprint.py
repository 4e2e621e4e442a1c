"""What the Lambda image installs, reproduced without Docker, and how big it is.

The Dockerfile is the source of truth: its ``pip install -r … --target "${LAMBDA_TASK_ROOT}"``
line and the ``COPY`` that brings the requirement file in are parsed here, so the image test
(tests/integration/test_image_contents.py) and ``make bench`` install exactly what the image does.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"


class DockerfileError(ValueError):
    """The Dockerfile no longer has the shape the image test relies on."""


def instructions(dockerfile: Path = DOCKERFILE) -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` pairs, continuation lines joined, comments dropped."""
    result: list[tuple[str, str]] = []
    pending = ""
    for raw in dockerfile.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, args = (pending + line).partition(" ")
        result.append((keyword.upper(), args.strip()))
        pending = ""
    return result


def copies(dockerfile: Path = DOCKERFILE) -> dict[str, str]:
    """Destination → source (relative to the build context) of every ``COPY``."""
    result = {}
    for keyword, args in instructions(dockerfile):
        if keyword == "COPY":
            *sources, destination = shlex.split(args)
            if any(s.startswith("--") for s in sources):
                raise DockerfileError(f"COPY with flags is not understood here: {args}")
            (source,) = sources
            result[destination] = source
    return result


def requirements_file(dockerfile: Path = DOCKERFILE) -> Path:
    """The repository file the image's ``pip install -r`` reads (through its ``COPY``)."""
    for keyword, args in instructions(dockerfile):
        if keyword != "RUN" or "pip install" not in args:
            continue
        words = shlex.split(args.split("&&")[0])
        if "--target" not in words or words[words.index("--target") + 1] != "${LAMBDA_TASK_ROOT}":
            raise DockerfileError("pip must install into ${LAMBDA_TASK_ROOT}")
        requirement = words[words.index("-r") + 1]
        try:
            return ROOT / copies(dockerfile)[requirement]
        except KeyError:
            raise DockerfileError(f"{requirement} is not COPY'd into the image") from None
    raise DockerfileError("no 'RUN pip install -r … --target' line in the Dockerfile")


def install(target: Path) -> None:
    """``pip install -r <the image's requirements> --target target``; raises on failure."""
    subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "--no-input", "-r", str(requirements_file()), "--target", str(target),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip


def size_mb(path: Path) -> float:
    """Total size of the files under ``path`` in MiB (what the image layer carries)."""
    total = sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())
    return total / (1024 * 1024)


def runtime_deps_mb() -> float:
    """Size of the image's installed runtime dependencies (app/ excluded), in MiB."""
    with tempfile.TemporaryDirectory(prefix="gd2slack-footprint-") as tmp:
        target = Path(tmp) / "task"
        install(target)
        return round(size_mb(target), 1)
