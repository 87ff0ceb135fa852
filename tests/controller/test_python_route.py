"""The controller routes chapters have: scripts/venv and requirements.txt's markers.

A chapter runs the playbooks from Ubuntu 22.04 (python3 is 3.10), Ubuntu 24.04
(3.12), Debian 12 (3.11) or macOS with Homebrew's Python (3.12/3.13). ansible-core
2.19 needs Python 3.11, so on 3.10 requirements.txt selects the 2.17 line. These
tests build the deploy environment with a real Python 3.10 and check that the
controller-side code (playbook syntax, the filter plugins that build the calendar)
gives the same result as on the test environment's interpreter.

Python 3.10 is looked up as $BBB_TEST_PYTHON310, `python3.10` on PATH, or pyenv's
3.10 builds. Without one the route test is skipped, except under CI (CI=true),
where a skip would hide a broken route: there it fails.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import REPO

VENV_SCRIPT = REPO / "scripts" / "venv"


def _runs_as(python: str, minor: int) -> bool:
    """True when `python` really starts and is 3.<minor> (pyenv shims may not)."""
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print(sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
    except OSError:
        return False
    return out == f"(3, {minor})"


def _find_python(minor: int) -> str | None:
    candidates = [os.environ.get(f"BBB_TEST_PYTHON3{minor}"), shutil.which(f"python3.{minor}")]
    candidates += sorted(
        glob.glob(os.path.expanduser(f"~/.pyenv/versions/3.{minor}.*/bin/python3.{minor}")),
        reverse=True,
    )
    return next((c for c in candidates if c and _runs_as(c, minor)), None)


def _python310() -> str:
    found = _find_python(10)
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("no Python 3.10 found: the Ubuntu 22.04 controller route cannot be tested")
    pytest.skip("no Python 3.10 here (set BBB_TEST_PYTHON310)")


@pytest.fixture(scope="session")
def venv310() -> Path:
    """The deploy environment made by scripts/venv with Python 3.10, kept in .lab/
    (keyed by the requirements and the script) so later runs reuse it."""
    python = _python310()
    key = hashlib.sha256(
        (REPO / "requirements.txt").read_bytes() + VENV_SCRIPT.read_bytes()
    ).hexdigest()[:12]
    venv = REPO / ".lab" / f"venv-py310-{key}"
    if not (venv / ".installed-deploy").exists():
        shutil.rmtree(venv, ignore_errors=True)
        run = subprocess.run(
            [str(VENV_SCRIPT), "deploy"],
            env={**os.environ, "VENV": str(venv), "PYTHON": python},
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert run.returncode == 0, run.stdout + run.stderr
    return venv


def _fake_python(tmp_path: Path, version: str) -> Path:
    """An interpreter that reports another version (for the refusal path)."""
    major, minor = version.split(".")
    fake = tmp_path / f"python{version}"
    fake.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = -c ]; then echo {minor if major == "3" else 0}; exit 0; fi\n'
        "echo 'fake interpreter: must not be used to make a venv' >&2; exit 99\n"
    )
    fake.chmod(0o755)
    return fake


@pytest.mark.parametrize("mode,version", [("deploy", "3.9"), ("test", "3.10")])
def test_too_old_python_gets_one_clear_line(tmp_path: Path, mode: str, version: str) -> None:
    fake = _fake_python(tmp_path, version)
    venv = tmp_path / "venv"
    run = subprocess.run(
        [str(VENV_SCRIPT), mode],
        env={**os.environ, "VENV": str(venv), "PYTHON": str(fake)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    minimum = "3.10" if mode == "deploy" else "3.11"
    assert f"Python {version}" in lines[0] and f"install Python {minimum} or newer" in lines[0]
    assert not venv.exists(), "nothing is created for an unsupported interpreter"


def test_unknown_mode_is_a_usage_error() -> None:
    run = subprocess.run([str(VENV_SCRIPT), "both"], capture_output=True, text=True, timeout=30)
    assert run.returncode == 2 and "usage" in run.stderr


def test_python310_gets_the_ansible_core_2_17_line(venv310: Path) -> None:
    version = subprocess.run(
        [str(venv310 / "bin" / "ansible"), "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert "core 2.17." in version.splitlines()[0]
    assert "python version = 3.10" in version
    # Deploying needs no test tools.
    for tool in ("molecule", "ansible-lint", "pytest"):
        assert not (venv310 / "bin" / tool).exists(), f"{tool} is a test tool, not a deploy need"


def test_every_playbook_parses_on_python310(venv310: Path) -> None:
    for playbook in sorted((REPO / "playbooks").glob("*.yml")):
        run = subprocess.run(
            [
                str(venv310 / "bin" / "ansible-playbook"),
                "-i",
                "inventory/example/hosts.yml",
                "--syntax-check",
                str(playbook),
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, f"{playbook.name}: {run.stdout}{run.stderr}"


STAMP = re.compile(rb"(?<=DTSTAMP:)\d{8}T\d{6}Z|(?<=\"dtstamp\": \")\d{8}T\d{6}Z")


def _render_schedule(ansible_playbook: Path, out: Path) -> dict[str, bytes]:
    out.mkdir()
    run = subprocess.run(
        [str(ansible_playbook), "tests/schedule/render.yml", "-e", f"schedule_test_out={out}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "ANSIBLE_CONFIG": str(REPO / "ansible.cfg")},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    # Files name their own output directory (nginx roots): compare without it. A new
    # calendar entry's DTSTAMP is the moment it was first built, so two builds a few
    # seconds apart differ there and only there.
    return {
        str(p.relative_to(out)): STAMP.sub(
            b"@STAMP@", p.read_bytes().replace(str(out).encode(), b"@OUT@")
        )
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def test_calendar_built_on_python310_matches_the_test_environment(
    venv310: Path, tmp_path: Path
) -> None:
    """The controller-side filter plugins (icalendar, zoneinfo) give the same
    feed and page on the 2.17/3.10 route as on this environment's 2.19."""
    here = Path(sys.executable).parent / "ansible-playbook"
    old = _render_schedule(venv310 / "bin" / "ansible-playbook", tmp_path / "py310")
    new = _render_schedule(here, tmp_path / "current")
    assert any(name.endswith(".ics") for name in old), sorted(old)
    assert old.keys() == new.keys()
    for name in old:
        assert old[name] == new[name], f"{name} differs between the two controller routes"


def test_a_chapters_vault_is_never_committed_by_accident() -> None:
    """README step 4: vault.yml is git-ignored for every chapter inventory."""
    for path in (
        "inventory/mychapter/group_vars/bbb/vault.yml",
        "inventory/mychapter/host_vars/meet.example.org/vault.yml",
    ):
        run = subprocess.run(["git", "check-ignore", "-q", path], cwd=REPO, timeout=30)
        assert run.returncode == 0, f"{path} is not git-ignored"
    # The example stays tracked.
    example = "inventory/example/group_vars/bbb/vault.yml.example"
    run = subprocess.run(["git", "check-ignore", "-q", example], cwd=REPO, timeout=30)
    assert run.returncode == 1
