"""The greenlight role's .env inputs, without a Greenlight (ansible-playbook on localhost).

- RELATIVE_URL_ROOT is written only for a sub-path: Greenlight's session cookie path
  is ENV.fetch('RELATIVE_URL_ROOT', '/')
  (https://github.com/bigbluebutton/greenlight/blob/release-3.8.2.4/config/initializers/session_store.rb),
  so an empty value would give `path=` and break joining.
- A bad sub-path, a line break in any value written to .env, or a bad
  greenlight_env_extra key fails in tasks/assert.yml (the file preflight runs),
  naming the variable and never showing the secret.
- Every docker_container(_info) task is no_log: its result holds Config.Env.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from tests.support.paths import REPO, role
from tests.support.playbook import include_role_play, run_local_play

ROLE = role("greenlight")
SENTINEL = "Sentinel-Secret-7Qz"
GOOD: dict[str, object] = {
    "greenlight_bbb_api_url": "https://meet.chapter.example.org/bigbluebutton/api/",
    "greenlight_bbb_api_secret": "0123456789abcdef0123456789abcdef",
    "greenlight_hostname": "meet.chapter.example.org",
    "greenlight_admin_email": "admin@chapter.example.org",
    "vault_greenlight_admin_password": "Good-Passw0rd!",
}
RENDER_PLAY = include_role_play(
    "greenlight",
    public=True,
    then="""    - ansible.builtin.template:
        src: "{{ role_dir }}/templates/opt/greenlight-v3/.env.j2"
        dest: "{{ out }}"
        mode: "0600"
      vars:
        greenlight_secret_key_base: skb
        greenlight_database_password: dbpw
""",
)


def _playbook(tmp_path: Path, extra: dict[str, object]) -> subprocess.CompletedProcess[str]:
    variables = {"role_dir": str(ROLE), "out": str(tmp_path / "env"), **GOOD, **extra}
    return run_local_play(tmp_path, RENDER_PLAY, variables)


def _env_lines(tmp_path: Path, extra: dict[str, object]) -> list[str]:
    result = _playbook(tmp_path, extra)
    assert result.returncode == 0, result.stdout + result.stderr
    return (tmp_path / "env").read_text().splitlines()


def test_site_root_writes_no_relative_url_root(tmp_path: Path) -> None:
    lines = _env_lines(tmp_path, {})
    assert not [ln for ln in lines if ln.startswith("RELATIVE_URL_ROOT")], lines


def test_sub_path_is_written(tmp_path: Path) -> None:
    assert "RELATIVE_URL_ROOT=/meet/gl" in _env_lines(
        tmp_path, {"greenlight_relative_url_root": "/meet/gl"}
    )


@pytest.mark.parametrize(
    "value", ["gl", "/gl/", "/gl\n", "/", "//gl", "/gl/../x", "/g l", "/gl?x=1", "/.hidden"]
)
def test_bad_sub_path_is_refused(tmp_path: Path, value: str) -> None:
    result = _playbook(tmp_path, {"greenlight_relative_url_root": value})
    assert result.returncode != 0
    assert "greenlight_relative_url_root is" in result.stdout
    assert not (tmp_path / "env").exists()


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"greenlight_env_extra": {"DEFAULT_LOCALE": f"de\nSECRET_KEY_BASE={SENTINEL}"}},
         "DEFAULT_LOCALE"),
        ({"greenlight_env_extra": {"DEFAULT_LOCALE": f"de\r{SENTINEL}"}}, "DEFAULT_LOCALE"),
        ({"greenlight_env_extra": {"X\nSECRET_KEY_BASE": SENTINEL}}, "SECRET_KEY_BASE"),
        ({"greenlight_env_extra": {"lower_case": SENTINEL}}, "lower_case"),
        ({"greenlight_env_extra": {"SECRET_KEY_BASE": SENTINEL}}, "SECRET_KEY_BASE"),
        ({"greenlight_env_extra": {"NUMBER": 5}}, "NUMBER"),
        (
            {"greenlight_smtp_server": "smtp.chapter.example.org",
             "greenlight_smtp_sender_email": "gl@chapter.example.org",
             "vault_greenlight_smtp_password": f"pw\nSECRET_KEY_BASE={SENTINEL}"},
            "greenlight_smtp_password",
        ),
        ({"greenlight_smtp_sender_name": f"Chapter\n{SENTINEL}"}, "greenlight_smtp_sender_name"),
    ],
)  # fmt: skip
def test_line_injection_into_env_is_refused(
    tmp_path: Path, extra: dict[str, object], named: str
) -> None:
    result = _playbook(tmp_path, extra)
    assert result.returncode != 0, "accepted: " + (tmp_path / "env").read_text()
    assert named in result.stdout
    # The refused value (which may be a secret) is never shown.
    assert SENTINEL not in result.stdout + result.stderr
    assert not (tmp_path / "env").exists()


def test_good_extra_is_written_once(tmp_path: Path) -> None:
    lines = _env_lines(tmp_path, {"greenlight_env_extra": {"DEFAULT_LOCALE": "de", "X_2": "a b=c"}})
    assert "DEFAULT_LOCALE=de" in lines and "X_2=a b=c" in lines
    assert len([ln for ln in lines if ln.startswith("SECRET_KEY_BASE=")]) == 1


def _tasks(path: Path) -> list[dict[str, object]]:
    return [t for t in yaml.safe_load(path.read_text()) or [] if isinstance(t, dict)]


def test_every_docker_container_task_is_no_log() -> None:
    found = []
    for path in sorted((REPO / "roles").glob("*/*/*.yml")):
        if path.parent.name not in ("tasks", "handlers"):
            continue
        for task in _tasks(path):
            modules = [
                k for k in task if k.split(".")[-1] in ("docker_container", "docker_container_info")
            ]
            if modules:
                found.append(f"{path.relative_to(REPO)}: {task.get('name')}")
                assert task.get("no_log") is True, f"{found[-1]} has no no_log: true"
    assert len(found) >= 6, found
