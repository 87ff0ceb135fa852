"""The retention job against a generated recordings tree: exact sets deleted and kept.

A few hundred recordings across published, unpublished and deleted, with start times on both
sides of every policy boundary, plus recordings the job must keep because something about them
is doubtful. The expected sets are computed here independently of the script.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rectree import (
    DAY_MS,
    add_format,
    add_raw,
    owned_by,
    record_id,
    tree_digest,
)

NOW_MS = 1_760_000_000_000  # 2025-10-09T08:53:20Z
KEEP = {"published": 30, "unpublished": 10, "deleted": 7}
HOUR_MS = 3_600_000
OLD_MS = NOW_MS - 400 * DAY_MS
UNCONFIGURED = record_id("format-not-configured", OLD_MS)  # a podcast/ recording


@dataclass
class Scenario:
    root: Path
    policy: dict[str, object]
    expired: set[str] = field(default_factory=set)
    kept: set[str] = field(default_factory=set)
    doubtful: set[str] = field(default_factory=set)


def _policy(root: Path, keep: dict[str, int] | None = None) -> dict[str, object]:
    return {
        "base_dir": str(root),
        "formats": ["presentation", "video"],
        "keep_days": dict(keep or KEEP),
        "bbb_record": str(Path(__file__).with_name("fake-bbb-record")),
    }


def _add(root: Path, state: str, meeting: str, age_ms: int, formats: tuple[str, ...]) -> str:
    start = NOW_MS - age_ms
    rid = record_id(meeting, start)
    for fmt in formats:
        meta_state = "available" if (fmt == "video" and state == "published") else None
        add_format(root, state, fmt, rid, start, meeting, meta_state=meta_state)
    add_raw(root, rid, list(formats))
    return rid


def build_scenario(root: Path) -> Scenario:
    sc = Scenario(root=root, policy=_policy(root))
    rng = random.Random(8)
    n = 0
    for state, keep in KEEP.items():
        boundary = keep * DAY_MS
        ages = [0, HOUR_MS, boundary - HOUR_MS, boundary - 1, boundary]
        ages += [boundary + 1, boundary + 1000, boundary + HOUR_MS, boundary + DAY_MS]
        ages += [3 * boundary, 400 * DAY_MS]
        ages += [rng.randrange(0, 3 * boundary) for _ in range(90)]
        for i, age in enumerate(ages):
            n += 1
            formats = ("presentation", "video") if i % 7 == 3 else ("presentation",)
            rid = _add(root, state, f"chapter-{state}-{n}", age, formats)
            (sc.expired if age > boundary else sc.kept).add(rid)
    sc.doubtful |= _add_doubtful(root)
    return sc


def _add_doubtful(root: Path) -> set[str]:
    """Recordings old enough to delete, each with one thing wrong: all must be kept."""
    old = OLD_MS
    doubtful: set[str] = set()

    def rid_for(name: str, start: int = old) -> str:
        rid = record_id(name, start)
        doubtful.add(rid)
        return rid

    rid = rid_for("truncated-xml")
    add_format(root, "published", "presentation", rid, old, "m", metadata="<recording><id>")
    rid = rid_for("no-start-time")
    add_format(
        root,
        "published",
        "presentation",
        rid,
        old,
        "m",
        metadata=f"<recording><id>{rid}</id><state>published</state></recording>",
    )
    rid = rid_for("start-disagrees")
    text = (
        f"<recording><id>{rid}</id><state>published</state>"
        f"<start_time>{old + 5}</start_time></recording>"
    )
    add_format(root, "published", "presentation", rid, old, "m", metadata=text)
    rid = rid_for("state-published-in-unpublished-dir")
    add_format(root, "unpublished", "presentation", rid, old, "m", meta_state="published")
    rid = rid_for("state-processing")
    add_format(root, "published", "presentation", rid, old, "m", meta_state="processing")
    rid = rid_for("wrong-root")
    add_format(
        root,
        "deleted",
        "presentation",
        rid,
        old,
        "m",
        metadata=f"<meeting><id>{rid}</id></meeting>",
    )
    rid = rid_for("id-mismatch")
    other = record_id("someone-else", old)
    text = (
        f"<recording><id>{other}</id><state>deleted</state>"
        f"<start_time>{old}</start_time></recording>"
    )
    add_format(root, "deleted", "presentation", rid, old, "m", metadata=text)
    rid = rid_for("no-metadata")
    (add_format(root, "unpublished", "presentation", rid, old, "m") / "metadata.xml").unlink()
    rid = rid_for("empty-metadata")
    add_format(root, "unpublished", "presentation", rid, old, "m", metadata="")
    future = NOW_MS + DAY_MS
    rid = rid_for("clock-behind", future)
    add_format(root, "published", "presentation", rid, future, "m")
    rid = rid_for("two-states")
    add_format(root, "published", "presentation", rid, old, "m")
    add_format(root, "deleted", "presentation", rid, old, "m")
    rid = rid_for("one-bad-format")
    add_format(root, "published", "presentation", rid, old, "m")
    add_format(root, "published", "video", rid, old, "m", metadata="not xml")
    rid = rid_for("format-not-configured")
    add_format(root, "published", "podcast", rid, old, "m")
    # Not a record id at all: the job must not touch it either.
    (root / "deleted" / "presentation" / "not-a-recording").mkdir(parents=True)
    (root / "deleted" / "presentation" / "not-a-recording" / "metadata.xml").write_text("x")
    return doubtful


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return build_scenario(tmp_path / "var" / "bigbluebutton")


def _deleted_in_log(stdout: str, verb: str) -> set[str]:
    return set(re.findall(rf"{verb} recording record_id=(\S+)", stdout))


def test_scenario_is_big_and_straddles_every_boundary(scenario: Scenario) -> None:
    assert len(scenario.expired) + len(scenario.kept) + len(scenario.doubtful) > 300
    for state in KEEP:
        in_state = {p.name for p in (scenario.root / state).glob("*/*")}
        assert in_state & scenario.expired, state
        assert in_state & scenario.kept, state


def test_exactly_the_expired_recordings_are_deleted(scenario, run_job, calls_of_fake) -> None:
    before = tree_digest(scenario.root)
    result = run_job(scenario.policy, NOW_MS, bbb_record_types="presentation")
    assert result.returncode == 0, result.stdout + result.stderr

    assert set(calls_of_fake()) == scenario.expired
    assert len(calls_of_fake()) == len(scenario.expired), "each recording deleted once"
    assert _deleted_in_log(result.stdout, "deleted") == scenario.expired

    remaining = {p.name for p in scenario.root.glob("*/*/*") if p.parent.parent.name in KEEP}
    assert not remaining & scenario.expired
    assert scenario.kept <= remaining
    assert scenario.doubtful - {UNCONFIGURED} <= remaining

    gone = {rel for rid in scenario.expired for rel in owned_by(before, rid)}
    expected_after = {rel: h for rel, h in before.items() if rel not in gone}
    assert tree_digest(scenario.root) == expected_after


def test_video_dirs_bbb_record_does_not_know_are_removed_too(scenario, run_job) -> None:
    multi = {
        p.name
        for p in (scenario.root / "published" / "video").iterdir()
        if p.name in scenario.expired
    }
    assert multi, "the scenario has expired recordings in two formats"
    result = run_job(scenario.policy, NOW_MS, bbb_record_types="presentation")
    assert result.returncode == 0, result.stdout
    for rid in multi:
        assert not (scenario.root / "published" / "video" / rid).exists()
        assert f"published/video/{rid} left behind by bbb-record" in result.stdout


def test_dry_run_deletes_nothing_and_lists_what_it_would_delete(
    scenario, run_job, calls_of_fake
) -> None:
    before = tree_digest(scenario.root)
    result = run_job(scenario.policy, NOW_MS, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert tree_digest(scenario.root) == before
    assert calls_of_fake() == []
    assert _deleted_in_log(result.stdout, "would delete") == scenario.expired
    assert "deleted recording" not in result.stdout


def test_doubtful_recordings_are_kept_with_a_warning(scenario, run_job) -> None:
    result = run_job(scenario.policy, NOW_MS)
    warned = set(re.findall(r"WARNING keeping recording (\S+)", result.stdout))
    in_configured_formats = scenario.doubtful - {UNCONFIGURED}
    assert warned == in_configured_formats
    assert "is the system clock behind?" in result.stdout
    assert "format 'podcast' is not in the configured formats" in result.stdout
    assert "not-a-recording: not a BigBlueButton record id" in result.stdout
    for rid in scenario.doubtful:
        assert any(scenario.root.glob(f"*/*/{rid}")), rid


def test_clock_in_the_past_deletes_nothing(scenario, run_job, calls_of_fake) -> None:
    """With the clock a year behind, every recording looks young or in the future: keep all."""
    before = tree_digest(scenario.root)
    result = run_job(scenario.policy, NOW_MS - 500 * DAY_MS)
    assert result.returncode == 0
    assert calls_of_fake() == []
    assert tree_digest(scenario.root) == before
    assert result.stdout.count("is the system clock behind?") > 300


def test_zero_keeps_forever(scenario, run_job, calls_of_fake) -> None:
    policy = _policy(scenario.root, {"published": 0, "unpublished": 0, "deleted": 7})
    in_deleted = {p.name for p in (scenario.root / "deleted").glob("*/*")}
    result = run_job(policy, NOW_MS)
    assert result.returncode == 0
    assert set(calls_of_fake()) == scenario.expired & in_deleted


def test_a_failing_bbb_record_fails_the_run_and_keeps_that_recording(
    scenario, run_job, calls_of_fake
) -> None:
    victim = sorted(scenario.expired)[0]
    result = run_job(scenario.policy, NOW_MS, fail_id=victim)
    assert result.returncode == 1
    assert f"bbb-record --delete {victim} exited 1" in result.stdout
    assert any(scenario.root.glob(f"*/*/{victim}"))
    assert set(calls_of_fake()) == scenario.expired, "the others are still processed"


def test_second_run_finds_nothing_more(scenario, run_job, calls_of_fake) -> None:
    assert run_job(scenario.policy, NOW_MS).returncode == 0
    first = calls_of_fake()
    result = run_job(scenario.policy, NOW_MS)
    assert result.returncode == 0
    assert calls_of_fake() == first
    assert ", 0 deleted," in result.stdout
