"""The role run for real on the controller (ansible-playbook, connection local):
bad schedule input stops it before it changes anything; the single-event files
follow the page window; a second run and a check-mode run change nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.support.playbook import run_playbook, said

RENDER = Path(__file__).resolve().parent / "render.yml"


def _run(out: Path, extra: dict[str, object], *, check: bool = False) -> tuple[int, str]:
    variables = {"schedule_test_out": str(out), "ansible_python_interpreter": sys.executable}
    result = run_playbook(
        RENDER, extra_vars={**variables, **extra}, args=["--check"] if check else []
    )
    return result.returncode, said(result)


def test_event_files_follow_the_window_and_rerun_is_unchanged(tmp_path: Path) -> None:
    window = {"schedule_window_start": "2026-01-01", "schedule_window_months": 24}
    rc, output = _run(tmp_path, window)
    assert rc == 0, output
    events = tmp_path / "www/meeting-schedule/events"
    assert len(list(events.glob("*.ics"))) == 24
    (events / "2000-01-04.ics").write_text("stale")
    (events / "README.txt").write_text("not ours")
    short = {**window, "schedule_window_months": 3}
    rc, output = _run(tmp_path, short)
    assert rc == 0, output
    assert sorted(p.name for p in events.iterdir()) == [
        "2026-01-06.ics",
        "2026-02-03.ics",
        "2026-03-03.ics",
        "README.txt",
    ]
    for check in (False, True):
        rc, output = _run(tmp_path, short, check=check)
        assert rc == 0, output
        assert "changed=0" in output, output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"schedule_timezone": "Mars/Olympus_Mons"}, "schedule_timezone: 'Mars/Olympus_Mons'"),
        (
            {"schedule_recurrence": "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=31"},
            "never occurs",
        ),
        ({"schedule_duration_minutes": 0}, "schedule_duration_minutes: 0"),
        ({"schedule_start_date": "2026-13-01"}, "schedule_start_date"),
    ],
)
def test_bad_input_fails_before_any_change(
    tmp_path: Path, extra: dict[str, object], message: str
) -> None:
    rc, output = _run(tmp_path, extra)
    assert rc == 2, output
    assert message in output, output
    assert "changed=0" in output, output
    assert list(tmp_path.iterdir()) == []  # no web root, no nginx snippet
