"""The bigbluebutton role's upgrade steps (issue 18), without a server.

- ``bbb_apt_policy`` / ``bbb_upgrade_plan`` read ``apt-cache policy`` as apt 2.x prints it
  (held packages included) and pick each package's target: the pinned version when the
  repository has it, else apt's candidate;
- ``tasks/meetings.yml`` and ``tasks/meetings_end.yml`` run for real against the API double
  (tests/standins/bbb_api_double) with a sentinel secret in a file: no meeting -> passes;
  a meeting -> refuses before anything, naming the meeting and the override, and the
  meeting still exists; with the override -> a chat notice (sendChatMessage) reaches each
  meeting, then it is ended. The secret is in no output.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from bbb_api_double.server import DoubleConfig, DoubleServer

from tests.support.paths import role
from tests.support.playbook import include_role_play, recap, run_local_play
from tests.support.plugins import load_module

FILTERS = load_module(role("bigbluebutton") / "filter_plugins" / "bbb_upgrade.py", "bbb_upgrade")
END_MEETINGS = (
    "    - ansible.builtin.include_role: {name: bigbluebutton, tasks_from: meetings_end.yml}\n"
)
SENTINEL = "upgradeSentinelSecret0123456789abcdefghij"

POLICY = """bbb-web:
  Installed: 1:3.0.0~standin1
  Candidate: 1:3.0.0~standin2
  Version table:
     1:3.0.0~standin2 500
        500 file:/srv/bbb-standin-repo bigbluebutton-jammy-next/main amd64 Packages
 *** 1:3.0.0~standin1 100
        100 /var/lib/dpkg/status
bbb-html5:
  Installed: 1:3.0.0~standin1
  Candidate: 1:3.0.0~standin1
  Version table:
 *** 1:3.0.0~standin1 100
        100 /var/lib/dpkg/status
bbb-record-core:
  Installed: (none)
  Candidate: 1:3.0.0~standin2
  Version table:
     1:3.0.0~standin2 500
        500 file:/srv/bbb-standin-repo bigbluebutton-jammy-next/main amd64 Packages
"""


def test_policy_is_read_per_package() -> None:
    policy = FILTERS.bbb_apt_policy(POLICY)
    assert policy["bbb-web"] == {
        "installed": "1:3.0.0~standin1",
        "candidate": "1:3.0.0~standin2",
        "versions": ["1:3.0.0~standin2", "1:3.0.0~standin1"],
    }
    assert policy["bbb-record-core"]["installed"] == ""


@pytest.mark.parametrize("pin", ["", "1:3.0.0~standin2"])
def test_plan_moves_only_installed_packages_that_have_the_target(pin: str) -> None:
    plan = FILTERS.bbb_upgrade_plan(FILTERS.bbb_apt_policy(POLICY), pin)
    assert plan == [
        {"name": "bbb-web", "installed": "1:3.0.0~standin1", "target": "1:3.0.0~standin2"}
    ]


FREESWITCH = """bbb-freeswitch-core:
  Installed: 2:1.10.12~standin1
  Candidate: 2:1.10.12~standin2
  Version table:
     2:1.10.12~standin2 500
        500 file:/srv/bbb-standin-repo bigbluebutton-jammy-next/main amd64 Packages
 *** 2:1.10.12~standin1 100
        100 /var/lib/dpkg/status
"""


@pytest.mark.parametrize("pin", ["", "1:3.0.0~standin2"])
def test_a_package_numbered_on_its_own_follows_the_candidate_under_a_pin(pin: str) -> None:
    """bbb-freeswitch-core is FreeSWITCH's version, epoch 2 (upstream's build.sh): no
    BigBlueButton pin names it, so it moves to the newest the release line offers."""
    plan = FILTERS.bbb_upgrade_plan(FILTERS.bbb_apt_policy(POLICY + FREESWITCH), pin)
    assert plan == [
        {
            "name": "bbb-freeswitch-core",
            "installed": "2:1.10.12~standin1",
            "target": "2:1.10.12~standin2",
        },
        {"name": "bbb-web", "installed": "1:3.0.0~standin1", "target": "1:3.0.0~standin2"},
    ]


def test_a_package_numbered_like_the_pin_but_not_offered_in_it_stays() -> None:
    # bbb-html5's candidate is a newer 3.0 release; the pin names another one
    head = "bbb-html5:\n  Installed: 1:3.0.0~standin1\n  Candidate: "
    text = POLICY.replace(head + "1:3.0.0~standin1", head + "1:3.0.1")
    assert text != POLICY
    plan = FILTERS.bbb_upgrade_plan(FILTERS.bbb_apt_policy(text), "1:3.0.0~standin2")
    assert [step["name"] for step in plan] == ["bbb-web"]


def test_a_pin_the_repository_lacks_moves_nothing_and_is_flagged() -> None:
    policy = FILTERS.bbb_apt_policy(POLICY)
    assert FILTERS.bbb_upgrade_plan(policy, "1:3.0.0~standin9") == []
    assert not FILTERS.bbb_pin_offered(policy, "1:3.0.0~standin9")
    assert FILTERS.bbb_pin_offered(policy, "1:3.0.0~standin1")


def test_meetings_are_read_from_get_meetings() -> None:
    xml = (
        "<response><returncode>SUCCESS</returncode><meetings><meeting>"
        "<meetingName>Monthly &amp; more</meetingName><meetingID>m-1</meetingID>"
        "<participantCount>3</participantCount><metadata><meetingid>x</meetingid></metadata>"
        "</meeting></meetings></response>"
    )
    assert FILTERS.bbb_meetings(xml) == [
        {"id": "m-1", "name": "Monthly & more", "participants": "3"}
    ]
    assert FILTERS.bbb_meetings("<response><meetings/></response>") == []


@pytest.fixture
def double(tmp_path: Path) -> Iterator[DoubleServer]:
    server = DoubleServer(("127.0.0.1", 0), DoubleConfig(secret=SENTINEL, recordings_root=tmp_path))
    server.start_in_thread()
    yield server
    server.shutdown()


def _gate(tmp_path: Path, server: DoubleServer, **variables: object):
    secret_file = tmp_path / "secret"
    secret_file.write_text(SENTINEL + "\n")
    return run_local_play(
        tmp_path,
        include_role_play(
            "bigbluebutton",
            "meetings.yml",
            then=END_MEETINGS,
        ),
        {
            "bbb_secret_file": str(secret_file),
            "bbb_web_local_api_url": f"http://127.0.0.1:{server.port}/bigbluebutton/api/",
            "bbb_upgrade_notice_seconds": 0,
            **variables,
        },
        args=["-v"],
    )


def _create(server: DoubleServer, meeting_id: str, name: str) -> None:
    server.meetings.create(meeting_id, name, "", "", False, {})


def test_no_meeting_passes(tmp_path: Path, double: DoubleServer) -> None:
    run = _gate(tmp_path, double)
    assert run.returncode == 0, run.stdout[-3000:]
    assert recap(run)["changed"] == 0
    assert SENTINEL not in run.stdout + run.stderr


def test_a_meeting_is_refused_naming_it_and_the_override(
    tmp_path: Path, double: DoubleServer
) -> None:
    _create(double, "chapter-monthly", "Chapter monthly")
    run = _gate(tmp_path, double)
    assert run.returncode != 0
    assert "1 meeting(s) running" in run.stdout and "'Chapter monthly'" in run.stdout
    assert "-e '{\"bbb_upgrade_end_meetings\": true}'" in run.stdout
    assert [m.meeting_id for m in double.meetings.all()] == ["chapter-monthly"]
    assert double.meetings.chat_log == []
    assert SENTINEL not in run.stdout + run.stderr


def test_the_override_notifies_then_ends(tmp_path: Path, double: DoubleServer) -> None:
    _create(double, "chapter-monthly", "Chapter monthly")
    _create(double, "board/meeting", "Board")
    run = _gate(tmp_path, double, bbb_upgrade_end_meetings=True, bbb_upgrade_notice_seconds=1)
    assert run.returncode == 0, run.stdout[-3000:]
    assert double.meetings.all() == []
    assert sorted(m for m, _, _ in double.meetings.chat_log) == ["board/meeting", "chapter-monthly"]
    _, user, message = double.meetings.chat_log[0]
    assert user == "Server maintenance"
    assert message.startswith("This server is being upgraded: the meeting ends in 1 seconds.")
    assert "Chat notice delivered to 2 of 2 meeting(s)" in run.stdout
    assert SENTINEL not in run.stdout + run.stderr
