"""Preflight checks every later role's input before anything changes, and says all at once.

One run of ``playbooks/site.yml --tags preflight`` on this machine checks every set of
inputs below and in bad_inputs.yml (``harness.run_preflight_batch``: one host per set,
connection local, the lab's inventory plus that set's bad values as host vars). Each bad
set must fail with one message naming every bad variable, with ``changed=0``; no secret
appears anywhere in the output.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from harness import Batch, run_preflight_batch

# Secrets the bad inputs carry; none may appear anywhere in the output.
SENTINEL_SECRET = "Sentinel0secret with spaces 7f3a9c"
SENTINEL_NUMBER = 918273645546372819
SENTINEL_WEAK_PASSWORD = "sentinelweakpassword"
LETS_ENCRYPT = "https://acme-v02.api.letsencrypt.org/directory"
TABLE: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "bad_inputs.yml").read_text())

# The sets the tests below look at, by host name; "lab" is the lab's inputs unchanged.
CASES: dict[str, dict[str, object]] = {
    "lab": {},
    "argument-specs": {
        "tls_certificate_source": "acmee",
        "docker_engine_source": "distro",
        "firewall_default_incoming": "alow",
        "greenlight_image_source": "pul",
        "bbb_apt_hold": "maybe",
        "greenlight_backup_keep": "many",
    },
    "six-problems": {
        "bbb_hostname": "meet.chapter.example.org",
        "greenlight_admin_email": "Admin@bbb.lab.test",
        "recordings_keep_published_days": -1,
        "landing_room_short_path": "/rooms",
        "turn_credential_ttl": 5,
        "common_locale": "en_US.ISO-8859-1",
    },
    "trailing-newlines": {
        "bbb_release": "jammy-300\n",
        "vault_landing_room_viewer_access_code": "k7m2pq\n",
        "greenlight_image": "bigbluebutton/greenlight:v3.8.2.4\n",
        "greenlight_primary_color": "#467fcf\n",
        "common_timezone": "Etc/UTC\n",
        "turn_denied_peer_cidrs": ["10.0.0.0/8\n"],
        "recordings_retention_randomized_delay": "30min\n",
    },
    "yaml-types": {
        "vault_landing_room_viewer_access_code": 7395,
        "vault_greenlight_smtp_password": SENTINEL_NUMBER,
        "bbb_secret": SENTINEL_NUMBER,
        "schedule_start_time": 1140,
        "recordings_enabled": "false",
    },
    "weaken-the-server": {
        "greenlight_bind_address": "0.0.0.0",
        "bbb_web_properties_mode": "0644",
        "greenlight_dir": "/",
        "greenlight_backup_dir": "/var/",
        "greenlight_image": "docker.io/bigbluebutton/greenlight:v3",
        "greenlight_postgres_image": "docker.io/library/postgres:14",
        "greenlight_redis_image": "registry.example.org:5000/redis:6.2",
        "greenlight_admin_email": "admin@chapter.example.org",
        "tls_acme_directory_url": LETS_ENCRYPT,
        "tls_acme_email": "ops@chapter.test",
        "bbb_secret": SENTINEL_SECRET,
        "vault_greenlight_admin_password": SENTINEL_WEAK_PASSWORD,
    },
    # Issue 18: the release line upgrade.yml may move to, and a pinned package version.
    "release-line": {
        "bbb_release": "jammy-301",
        "bbb_package_version": "1:3.1.0-1",
        "bbb_upgrade_notice_seconds": "300",
    },
    "version-with-a-newline": {"bbb_package_version": "1:3.0-14\n"},
    "version-not-of-the-line": {"bbb_package_version": "3.00"},
    "version-as-a-number": {"bbb_package_version": 3.0},
    "managed-extra-properties": {
        "bbb_web_extra_properties": {
            "defaultWelcomeMessageFooter": "This server is run by our chapter.",
            "disableRecordingDefault": "false",
            "defaultGuestPolicy": "ASK_MODERATOR",
        }
    },
}


def _pack(table: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The table's entries on as few hosts as can share one report: an entry joins the
    first host where none of the variables it sets or reads is set or read already."""
    hosts: list[tuple[set[str], list[dict[str, Any]]]] = []
    for entry in table:
        keys = set(entry["vars"]) | set(entry.get("also_reads", []))
        for used, entries in hosts:
            if not keys & used:
                used |= keys
                entries.append(entry)
                break
        else:
            hosts.append((keys, [entry]))
    return {f"table-{number}": entries for number, (_, entries) in enumerate(hosts, 1)}


PACKED = _pack(TABLE)
HOST_OF = {entry["id"]: host for host, entries in PACKED.items() for entry in entries}


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    cases = dict(CASES)
    for host, entries in PACKED.items():
        cases[host] = {name: value for entry in entries for name, value in entry["vars"].items()}
    return run_preflight_batch(tmp_path_factory.mktemp("preflight"), cases)


def test_the_table_shares_hosts() -> None:
    assert len(set(HOST_OF)) == len(TABLE), "duplicate ids in bad_inputs.yml"
    assert len(PACKED) < len(TABLE) / 3


def _expect_refused(batch: Batch, case: str, names: list[str]) -> str:
    run = batch.hosts[case]
    assert run.failed, f"{case}: preflight passed\n{batch.output[-4000:]}"
    assert run.changed == 0
    missing = [name for name in names if name not in run.report]
    assert not missing, f"{case}: not in the report: {missing}\n{run.report}"
    return run.report


def test_no_secret_anywhere_in_the_output(batch: Batch) -> None:
    forbidden = [SENTINEL_SECRET, str(SENTINEL_NUMBER), SENTINEL_WEAK_PASSWORD]
    forbidden += [entry["forbid"] for entry in TABLE if "forbid" in entry]
    assert [secret for secret in forbidden if secret in batch.output] == []


@pytest.mark.parametrize("entry", TABLE, ids=[entry["id"] for entry in TABLE])
def test_each_bad_input_is_named(batch: Batch, entry: dict[str, Any]) -> None:
    _expect_refused(batch, HOST_OF[entry["id"]], entry["expect"])


def test_the_lab_inputs_pass(batch: Batch) -> None:
    run = batch.hosts["lab"]
    assert not run.failed, run.report or batch.output[-4000:]
    assert run.changed == 0
    assert "TASK [preflight : Validate the later roles' argument specs" in batch.output
    assert re.search(r"^lab\s*:.*\bignored=0\b", batch.output, re.M), batch.output[-2000:]


def test_argument_spec_types_and_choices_fail_in_preflight(batch: Batch) -> None:
    """Issue 15 item 3: specs were validated only when each role started."""
    report = _expect_refused(
        batch,
        "argument-specs",
        [
            "tls_certificate_source must be one of: acme, own, got: acmee",
            "docker_engine_source must be one of",
            "firewall_default_incoming must be one of",
            "greenlight_image_source must be one of",
            "bbb_apt_hold is text",
            "greenlight_backup_keep",
        ],
    )
    assert "write true or false without quotes" in report


def test_every_problem_is_reported_in_one_run(batch: Batch) -> None:
    """Issue 15 item 10: preflight stopped at the first problem."""
    report = _expect_refused(
        batch,
        "six-problems",
        [
            "preflight_placeholder_domains",
            "greenlight_admin_email",
            "recordings_keep_published_days",
            "landing_room_short_path",
            "turn_credential_ttl",
            "common_locale",
        ],
    )
    assert "Preflight found " in report and "Fix them all" in report


def test_a_trailing_newline_is_refused(batch: Batch) -> None:
    """Issue 15 item 4: `$` let one trailing newline through (a YAML block scalar)."""
    _expect_refused(
        batch,
        "trailing-newlines",
        [
            "bbb_release",
            "landing_room_viewer_access_code",
            "greenlight_image is",
            "greenlight_primary_color",
            "common_timezone",
            "turn_denied_peer_cidrs",
            "recordings_retention_randomized_delay",
        ],
    )


def test_yaml_numbers_and_quoted_booleans_are_named(batch: Batch) -> None:
    """Issue 15 item 4: an unquoted number or a quoted boolean: a message saying what to write."""
    report = _expect_refused(
        batch,
        "yaml-types",
        [
            "landing_room_viewer_access_code (set through vault_landing_room_viewer_access_code) "
            "is a number in YAML",
            "greenlight_smtp_password (set through vault_greenlight_smtp_password) is a number",
            "bbb_secret is a number in YAML",
            "schedule_start_time is a number in YAML",
            "recordings_enabled is text ('false'), not a boolean: write true or false",
        ],
    )
    assert "7395" not in report


def test_inputs_that_weaken_the_server_are_refused(batch: Batch) -> None:
    """Issue 15 item 7: each of these passed preflight on main."""
    _expect_refused(
        batch,
        "weaken-the-server",
        [
            "greenlight_bind_address is '0.0.0.0'",
            "bbb_web_properties_mode is '0644'",
            "greenlight_dir ('/')",
            "greenlight_backup_dir ('/var/')",
            "greenlight_image is 'docker.io/bigbluebutton/greenlight:v3'",
            "greenlight_postgres_image is 'docker.io/library/postgres:14'",
            "greenlight_redis_image is 'registry.example.org:5000/redis:6.2'",
            "greenlight_admin_email is admin@chapter.example.org",
            "tls_acme_email is ops@chapter.test",
            "bbb_secret (vault_bbb_secret in the vault)",
            "greenlight_admin_password",
        ],
    )


def test_a_key_another_input_manages_is_refused_in_bbb_web_extra_properties(batch: Batch) -> None:
    """Issue 16: the example inventory suggested the welcome footer here, which the
    recordings role wrote too (two writers, a restart of bbb-web on every run)."""
    report = _expect_refused(
        batch,
        "managed-extra-properties",
        [
            "which another input manages: remove them from bbb_web_extra_properties",
            "defaultWelcomeMessageFooter through recordings_welcome_footer_enabled"
            " / recordings_welcome_footer_disabled",
            "disableRecordingDefault through recordings_enabled",
        ],
    )
    # A key nobody else manages stays allowed, so only the two managed keys are named.
    assert "defaultGuestPolicy" not in report


def test_an_unsupported_release_line_or_version_is_refused(batch: Batch) -> None:
    """Issue 18: upgrade.yml to a release line the role does not support fails before any
    change (preflight is its first play). jammy-301 passed the old check (jammy-30[0-9])."""
    report = _expect_refused(
        batch,
        "release-line",
        [
            "bbb_release is 'jammy-301'",
            'bbb_package_version is "1:3.1.0-1"',
            "bbb_upgrade_notice_seconds a whole number",
        ],
    )
    assert "supports the 3.0 line only" in report


@pytest.mark.parametrize(
    ("case", "shown"),
    [
        ("version-with-a-newline", '"1:3.0-14\\n"'),
        ("version-not-of-the-line", '"3.00"'),
        ("version-as-a-number", "3.0 (a number: YAML read it unquoted)"),
    ],
)
def test_a_package_version_must_be_a_quoted_3_0_version(
    batch: Batch, case: str, shown: str
) -> None:
    report = _expect_refused(batch, case, ["bbb_package_version"])
    assert f"bbb_package_version is {shown}" in report
