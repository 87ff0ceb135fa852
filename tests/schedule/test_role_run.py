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


REMINDERS = {
    "schedule_reminders_enabled": True,
    "schedule_reminders_list_address": "members@lab.test",
    "schedule_reminders_smtp_host": "smtp.lab.test",
    "schedule_reminders_smtp_port": 587,
    "schedule_reminders_smtp_username": "chapter",
    "schedule_reminders_smtp_password": "Sentinel-Pw-31",
}


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
        ({"schedule_language": "english (AU)"}, "schedule_language to a BCP 47"),
        ({"schedule_language": "en-AU\n"}, "schedule_language to a BCP 47"),
        ({"schedule_access_code_hint": "<a href=x>code</a>"}, "schedule_access_code_hint must"),
        (
            {"schedule_access_code_hint": "see {% raw %}{{ x }}{% endraw %}"},
            "schedule_access_code_hint: ",
        ),
        (
            {**REMINDERS, "schedule_reminders_list_address": "members at lab"},
            "schedule_reminders_list_address (and",
        ),
        ({**REMINDERS, "schedule_reminders_smtp_port": "587"}, "as a number (587, unquoted"),
        (
            {**REMINDERS, "schedule_reminders_smtp_host": "smtp.lab.test:587"},
            "schedule_reminders_smtp_host to",
        ),
        ({**REMINDERS, "schedule_reminders_smtp_password": ""}, "credentials may be left empty"),
        (
            {**REMINDERS, "schedule_reminders_before": ["0d"]},
            "schedule_reminders_before: '0d' is not a positive duration",
        ),
        (
            {**REMINDERS, "schedule_reminders_before": ["7d", "-2h"]},
            "schedule_reminders_before: '-2h' is not a positive duration",
        ),
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
    assert "Sentinel-Pw-31" not in output
