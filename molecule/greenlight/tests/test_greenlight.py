"""Verify Greenlight in the lab: converge, idempotence, upgrade, backup and restore."""

import json
from pathlib import Path

import pytest
import yaml

from tests.support.lab import greenlight_admin_authenticates
from tests.support.paths import REPO

LAB_VARS = REPO / "inventory/lab/group_vars/bbb/main.yml"
SCENARIO_VARS = Path(__file__).parents[1] / "vars/main.yml"
CONTAINERS = ("greenlight-v3", "postgres", "redis")
SECRET_FILES = (
    "/opt/greenlight-v3/.env",
    "/opt/greenlight-v3/postgres.env",
    "/opt/greenlight-v3/secrets/secret_key_base",
    "/opt/greenlight-v3/secrets/database_password",
)


def inspect(host, name):
    out = host.check_output(f"docker inspect {name}")
    return json.loads(out)[0]


def runner(host, code):
    cmd = host.run(
        f"docker exec -i greenlight-v3 bundle exec rails runner - <<'RUBY'\n{code}\nRUBY"
    )
    assert cmd.rc == 0, cmd.stderr
    lines = [ln for ln in cmd.stdout.splitlines() if ln.startswith("BBB_CHAPTER_RESULT ")]
    return lines[-1].removeprefix("BBB_CHAPTER_RESULT ")


@pytest.mark.parametrize("name", CONTAINERS)
def test_container_definition(host, name):
    c = inspect(host, name)
    assert c["State"]["Running"]
    assert c["HostConfig"]["RestartPolicy"]["Name"] == "unless-stopped"
    assert c["HostConfig"]["LogConfig"]["Type"] == "journald"
    assert list(c["NetworkSettings"]["Networks"]) == ["greenlight"]
    assert ":" in c["Config"]["Image"] and not c["Config"]["Image"].endswith(":latest")


def test_only_greenlight_is_published_on_loopback(host):
    assert inspect(host, "postgres")["HostConfig"]["PortBindings"] in (None, {})
    assert inspect(host, "redis")["HostConfig"]["PortBindings"] in (None, {})
    ports = inspect(host, "greenlight-v3")["HostConfig"]["PortBindings"]
    assert ports == {"3000/tcp": [{"HostIp": "127.0.0.1", "HostPort": "5050"}]}


def test_data_lives_under_one_directory(host):
    mounts = {m["Destination"]: m["Source"] for n in CONTAINERS for m in inspect(host, n)["Mounts"]}
    assert mounts == {
        "/var/lib/postgresql/data": "/opt/greenlight-v3/data/postgres",
        "/data": "/opt/greenlight-v3/data/redis",
        "/usr/src/app/storage": "/opt/greenlight-v3/data/greenlight-v3/storage",
    }
    assert host.file("/opt/greenlight-v3/data/postgres/PG_VERSION").exists


def test_second_run_restarted_nothing(host):
    before = json.loads(host.file("/var/tmp/gl-inspect-converge.json").content_string)
    after = json.loads(host.file("/var/tmp/gl-inspect-idempotence.json").content_string)
    assert [(c["Id"], c["State"]["StartedAt"]) for c in before] == [
        (c["Id"], c["State"]["StartedAt"]) for c in after
    ]


def test_health_check_through_nginx(host):
    out = host.check_output("curl -sS -o - -w ' %{http_code}' http://127.0.0.1/health_check")
    assert out == "success 200"


def test_nginx_routes_pages_to_greenlight_with_forwarded_proto(host):
    # Plain HTTP: Greenlight (force_ssl) redirects to https, proving the
    # request went through @bbb-fe with X-Forwarded-Proto.
    out = host.check_output(
        "curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' -H 'Host: bbb.lab.test' "
        "http://127.0.0.1/rooms/abc-def-ghi-jkl/join"
    )
    assert out == "301 https://bbb.lab.test/rooms/abc-def-ghi-jkl/join"
    conf = host.file("/etc/bigbluebutton/nginx/greenlight-v3.nginx").content_string
    assert "location /cable" in conf and "Upgrade           $http_upgrade" in conf
    assert "location @bbb-fe" in conf and "client_max_body_size 31m" in conf


@pytest.mark.parametrize("path", SECRET_FILES)
def test_secret_files_are_private(host, path):
    f = host.file(path)
    assert f.exists and f.user == "root" and f.mode == 0o600


def test_secrets_persisted_and_used(host):
    env = host.file("/opt/greenlight-v3/.env").content_string
    key = host.file("/opt/greenlight-v3/secrets/secret_key_base").content_string.strip()
    pw = host.file("/opt/greenlight-v3/secrets/database_password").content_string.strip()
    assert len(key) == 128 and len(pw) == 40
    assert f"SECRET_KEY_BASE={key}\n" in env
    assert f"DATABASE_URL=postgres://postgres:{pw}@postgres:5432/greenlight-v3-production\n" in env
    assert "REDIS_URL=redis://redis:6379/\n" in env
    assert "BIGBLUEBUTTON_ENDPOINT=https://bbb.lab.test/bigbluebutton/api/\n" in env


def test_no_secret_in_any_command_line(host):
    lab = yaml.safe_load(LAB_VARS.read_text())
    scenario = yaml.safe_load(SCENARIO_VARS.read_text())
    secrets = [
        host.file("/opt/greenlight-v3/secrets/secret_key_base").content_string.strip(),
        host.file("/opt/greenlight-v3/secrets/database_password").content_string.strip(),
        lab["vault_greenlight_admin_password"],
        scenario["bbb_api_secret"],
    ]
    listings = [host.check_output("ps -ef")]
    for name in CONTAINERS:
        listings.append(
            host.check_output(
                f"docker exec {name} sh -c "
                '\'for f in /proc/[0-9]*/cmdline; do tr "\\0" " " < $f; echo; done\''
            )
        )
    assert all(len(listing.splitlines()) > 1 for listing in listings)
    for listing in listings:
        for secret in secrets:
            assert secret not in listing


def test_admin_created_once_with_role(host):
    got = json.loads(
        runner(
            host,
            "u = User.where(provider: 'greenlight').where(email: 'admin@bbb.lab.test')\n"
            "puts 'BBB_CHAPTER_RESULT ' + JSON.generate(count: u.count,\n"
            "  role: u.first&.role&.name,\n"
            "  verified: u.first&.verified)",
        )
    )
    assert got["count"] == 1
    assert got["role"] == "Administrator"
    assert got["verified"] is True


def test_admin_password_matches_vault(host):
    lab = yaml.safe_load(LAB_VARS.read_text())
    cmd = greenlight_admin_authenticates(host, lab["vault_greenlight_admin_password"])
    assert cmd.rc == 0, cmd.stderr
    assert "BBB_CHAPTER_RESULT true" in cmd.stdout


def test_site_settings_applied(host):
    got = json.loads(
        runner(
            host,
            "names = %w[RegistrationMethod DefaultRecordingVisibility PrimaryColor]\n"
            "puts 'BBB_CHAPTER_RESULT ' + JSON.generate(names.to_h { |n|\n"
            "  [n, SiteSetting.find_by!(setting: Setting.find_by!(name: n),\n"
            "                           provider: 'greenlight').value] })",
        )
    )
    assert got == {
        "RegistrationMethod": "invite",
        "DefaultRecordingVisibility": "Published",
        "PrimaryColor": "#467fcf",
    }


def test_upgrade_recreated_greenlight_with_new_tag(host):
    scenario = yaml.safe_load(SCENARIO_VARS.read_text())
    image = inspect(host, "greenlight-v3")["Config"]["Image"]
    assert image == scenario["greenlight_test_upgrade_image"]
    upgraded = inspect(host, "greenlight-v3")["Id"]
    before = json.loads(host.file("/var/tmp/gl-inspect-idempotence.json").content_string)
    assert upgraded != before[0]["Id"]
    # postgres and redis kept running through the upgrade and the restore.
    for old in before[1:]:
        now = inspect(host, old["Name"].lstrip("/"))
        assert (now["Id"], now["State"]["StartedAt"]) == (old["Id"], old["State"]["StartedAt"])


def test_pre_upgrade_dump_holds_the_canary(host):
    # One dump per image change: the good upgrade, then the broken release (side_effect).
    dumps = host.check_output(
        "ls /var/backups/greenlight-v3/greenlight-v3-production-*-pre-upgrade.dump"
    ).split()
    assert len(dumps) == 2
    for dump in dumps:
        assert host.file(dump).mode == 0o600
        content = host.check_output(
            f"docker exec -i postgres pg_restore --data-only --table=recordings -f - < {dump}"
        )
        assert "canary-recording" in content


def test_a_broken_release_was_rolled_back_and_said_so(host):
    scenario = yaml.safe_load(SCENARIO_VARS.read_text())
    message = host.file("/var/tmp/gl-rollback.msg").content_string
    assert message.startswith("Greenlight upgrade ROLLED BACK: "), message
    assert scenario["greenlight_test_broken_image"] in message
    assert f"runs {scenario['greenlight_test_upgrade_image']} again" in message
    newest_dump = sorted(
        host.check_output(
            "ls /var/backups/greenlight-v3/greenlight-v3-production-*-pre-upgrade.dump"
        ).split()
    )[-1]
    assert f"restored from {newest_dump}" in message


def test_the_rollback_undid_the_broken_release_migration_and_kept_the_canary(host):
    line = host.file("/var/tmp/gl-rollback-state.txt").content_string
    state = json.loads(line[line.index("BBB_CHAPTER_RESULT ") + len("BBB_CHAPTER_RESULT ") :])
    assert state["canary"] == 1
    assert state["versions"] and "29990101000000" not in state["versions"]


def test_backup_files_exist(host):
    listing = host.check_output("ls /var/backups/greenlight-v3")
    assert "-backup.dump" in listing
    assert "greenlight-v3-storage-" in listing


def test_restore_brought_back_row_and_file(host):
    assert (
        runner(
            host,
            "puts \"BBB_CHAPTER_RESULT #{Recording.where(record_id: 'canary-recording').count}\"",
        )
        == "1"
    )
    assert (
        host.file("/opt/greenlight-v3/data/greenlight-v3/storage/canary.txt").content_string
        == "canary"
    )
    out = host.check_output("curl -sS http://127.0.0.1:5050/health_check")
    assert out == "success"


def test_the_inner_engine_keeps_its_data_on_its_own_volume(host):
    """The lab, not the role: /var/lib/docker is a volume of its own (molecule.yml), so the
    inner engine uses overlay2 instead of vfs (which copies every image layer whole and
    made removing this container outlast the Docker API's timeout on a loaded machine)."""
    assert host.check_output("docker info --format '{{.Driver}}'") == "overlay2"
