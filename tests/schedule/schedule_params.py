"""A realistic schedule for the tests: inputs of the meeting_schedule filter."""

from __future__ import annotations

from typing import Any


def base_params(**overrides: Any) -> dict[str, Any]:
    """A realistic schedule: first Tuesday of each month, 19:00 in Sydney."""
    params: dict[str, Any] = {
        "schedule_hostname": "bbb.lab.test",
        "schedule_id": "monthly-meeting",
        "schedule_title": "Chapter monthly meeting",
        "schedule_description": "Our monthly call.",
        "schedule_notes": {"2026-12-01": "Year in review"},
        "schedule_start_date": "2026-01-01",
        "schedule_start_time": "19:00",
        "schedule_timezone": "Australia/Sydney",
        "schedule_duration_minutes": 90,
        "schedule_recurrence": {"freq": "MONTHLY", "byday": "1TU"},
        "schedule_cancelled_dates": ["2027-01-05"],
        "schedule_display_timezones": ["Australia/Sydney", "Etc/UTC", "Pacific/Auckland"],
        "schedule_join_url": "https://bbb.lab.test/rooms/abc-def-ghi-jkl/join",
        "schedule_recording_notice": True,
        "schedule_recording_notice_text": "This meeting may be recorded.",
        "schedule_window_start": "2026-01-01",
        "schedule_window_months": 24,
    }
    params.update(overrides)
    return params
