"""The landing_room role's input checks and default room id, without a Greenlight.

- ``landing_room_friendly_id`` (filter plugin): stable, Greenlight's own id shape.
- Bad input fails in tasks/assert.yml (the file preflight runs) naming the variable,
  and never shows an access code.
- The nginx include renders the redirects it promises.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.support.paths import role
from tests.support.playbook import include_role_play, run_local_play
from tests.support.plugins import load_module

ROLE = role("landing_room")
ID_SHAPE = re.compile(r"^[a-z0-9]{3}-[a-z0-9]{3}-[a-z0-9]{3}-[a-z0-9]{3}$")
GOOD = {
    "landing_room_hostname": "meet.chapter.example.org",
    "landing_room_greenlight_admin_email": "admin@chapter.example.org",
    "vault_landing_room_viewer_access_code": "r8tz5w",
}
ASSERT_PLAY = include_role_play("landing_room")
RENDER_PLAY = include_role_play(
    "landing_room",
    public=True,
    then="""    - ansible.builtin.template:
        src: "{{ template }}"
        dest: "{{ out }}"
        mode: "0644"
""",
)


FILTER = load_module(ROLE / "filter_plugins" / "landing_room.py", "landing_room_filter")


def _playbook(
    tmp_path: Path, play: str, extra: dict[str, object]
) -> subprocess.CompletedProcess[str]:
    return run_local_play(tmp_path, play, {**GOOD, **extra})


# --- the default id --------------------------------------------------------------------
def test_friendly_id_is_stable_and_has_greenlights_shape() -> None:
    # Pinned: a change here would move every chapter's room to a new address.
    assert FILTER.landing_room_friendly_id("bbb.lab.test") == "uje-t3y-e85-q3a"
    assert FILTER.landing_room_friendly_id("meet.chapter.example.org") == "hfq-v6w-pdj-89z"


@pytest.mark.parametrize("host", ["a.example", "Meet.Chapter.Example.Org", "x" * 200 + ".org"])
def test_friendly_id_shape(host: str) -> None:
    assert ID_SHAPE.match(FILTER.landing_room_friendly_id(host))


def test_friendly_id_ignores_case_and_trailing_dot() -> None:
    base = FILTER.landing_room_friendly_id("meet.chapter.example.org")
    assert FILTER.landing_room_friendly_id(" MEET.chapter.example.org. ") == base


def test_friendly_id_differs_between_hosts() -> None:
    ids = {FILTER.landing_room_friendly_id(f"meet{n}.example.org") for n in range(500)}
    assert len(ids) == 500


def test_friendly_id_needs_a_hostname() -> None:
    with pytest.raises(ValueError, match="bbb_hostname"):
        FILTER.landing_room_friendly_id("  ")


# --- input checks ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"vault_landing_room_viewer_access_code": ""}, "landing_room_viewer_access_code"),
        ({"landing_room_viewer_access_code": "abc"}, "landing_room_viewer_access_code"),
        ({"landing_room_viewer_access_code": "Secret12"}, "landing_room_viewer_access_code"),
        ({"landing_room_viewer_access_code": "l1o0abcd"}, "except i, l and o"),
        ({"landing_room_viewer_access_code": "1234567890123"}, "4-12 characters"),
        ({"landing_room_viewer_access_code": "12 34"}, "landing_room_viewer_access_code"),
        ({"landing_room_moderator_access_code": "r8tz5w"}, "different from the viewer code"),
        ({"landing_room_moderator_access_code": "MOD!"}, "landing_room_moderator_access_code"),
        (
            {"landing_room_friendly_id": "chapter-room"},
            "landing_room_friendly_id is 'chapter-room'",
        ),
        ({"landing_room_friendly_id": "ABC-def-ghi-jkl"}, "landing_room_friendly_id"),
        ({"landing_room_friendly_id": "abc-def-ghi"}, "landing_room_friendly_id"),
        ({"landing_room_name": ""}, "landing_room_name"),
        ({"landing_room_owner_email": "Admin@Chapter.org"}, "landing_room_owner_email"),
        ({"landing_room_guest_policy": "ALWAYS_DENY"}, "landing_room_guest_policy"),
        ({"landing_room_short_path": "/rooms"}, "landing_room_short_path is '/rooms'"),
        ({"landing_room_short_path": "/"}, "landing_room_short_path is '/'"),
        ({"landing_room_short_path": "/a/b"}, "landing_room_short_path"),
        ({"landing_room_short_path": "/abc-def-ghi"}, "landing_room_short_path"),
        (
            {"landing_room_recordings_allowed": False, "landing_room_recording": True},
            "landing_room_recording is true but recordings_enabled is false",
        ),
    ],
)
def test_bad_input_fails_naming_the_variable(tmp_path: Path, extra, message) -> None:
    result = _playbook(tmp_path, ASSERT_PLAY, extra)
    assert result.returncode != 0, result.stdout
    assert message in " ".join(result.stdout.split())
    for code in ("r8tz5w", "Secret12", "l1o0abcd", "1234567890123"):
        if code in json.dumps(extra) or code == GOOD["vault_landing_room_viewer_access_code"]:
            assert code not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"landing_room_viewer_access_code": "4821", "landing_room_moderator_access_code": ""},
        {
            "landing_room_moderator_access_code": "zz99xx",
            "landing_room_guest_policy": "ask_moderator",
        },
        {"landing_room_recordings_allowed": False},
        {"landing_room_short_path": "", "landing_room_redirect_root": False},
        {"landing_room_friendly_id": "lob-byr-oom-001", "landing_room_short_path": "/Treffen"},
    ],
)
def test_good_input_passes(tmp_path: Path, extra) -> None:
    result = _playbook(tmp_path, ASSERT_PLAY, extra)
    assert result.returncode == 0, result.stdout


# --- nginx include ---------------------------------------------------------------------
def _render(tmp_path: Path, extra: dict[str, object]) -> str:
    out = tmp_path / "landing-room.nginx"
    template = ROLE / "templates/etc/bigbluebutton/nginx/landing-room.nginx.j2"
    result = _playbook(tmp_path, RENDER_PLAY, {"out": str(out), "template": str(template), **extra})
    assert result.returncode == 0, result.stdout
    return out.read_text()


def test_nginx_include_redirects_root_and_short_path(tmp_path: Path) -> None:
    conf = _render(tmp_path, {})
    target = "return 302 https://$host/rooms/hfq-v6w-pdj-89z/join;"
    assert re.search(r"location = / \{\s*" + re.escape(target), conf)
    assert re.search(r"location = /meet \{\s*" + re.escape(target), conf)
    assert len(re.findall(r"(?m)^location ", conf)) == 2


def test_nginx_include_leaves_root_to_the_schedule(tmp_path: Path) -> None:
    conf = _render(
        tmp_path,
        {"landing_room_redirect_root": False, "landing_room_short_path": "/m",
         "landing_room_greenlight_url_root": "/gl"},
    )  # fmt: skip
    assert "location = / " not in conf
    assert "location = /m {\n    return 302 https://$host/gl/rooms/hfq-v6w-pdj-89z/join;" in conf
