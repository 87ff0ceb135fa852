"""After side_effect.yml: package upgrade N -> N+1, re-converge, secret rotation (testinfra).

What the stand-in postinsts reset (as upstream's do, see tests/standins/bbb-packages:
the recording settings and the media packages' port ranges) is applied again by the next
converge, recording links stay
``https://bbb.lab.test/playback/...``, and bbb-apps-akka follows the rotated secret with
one restart. side_effect.yml leaves its evidence in /root/bbbpkg.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import yaml

from tests.support.freeswitch import vars_sets, xml_params

HOST = "bbb.lab.test"  # bbb_hostname in inventory/lab
ROTATED = "rotatedlabsecret0123456789abcdefghijklmn"  # converge-rotated.yml
EVIDENCE = "/root/bbbpkg"
RAP_CONFIG = "/usr/local/bigbluebutton/core/scripts/bigbluebutton.yml"
AKKA_CONF = "/etc/bigbluebutton/bbb-apps-akka.conf"
PUBLIC = "203.0.113.10"  # bbb_public_ipv4 in inventory/lab
FS = "/opt/freeswitch/etc/freeswitch"
SFU_OVERRIDE = "/etc/bigbluebutton/bbb-webrtc-sfu/production.yml"
RECORDER = "/etc/bbb-webrtc-recorder/bbb-webrtc-recorder.yml"
MEDIA_PACKAGES = ["bbb-freeswitch-core", "bbb-webrtc-sfu", "bbb-webrtc-recorder"]
_MEDIA = yaml.safe_load((Path(__file__).resolve().parents[1] / "vars/media.yml").read_text())
MEDIA = {
    "freeswitch": (_MEDIA["bbb_freeswitch_udp_port_min"], _MEDIA["bbb_freeswitch_udp_port_max"]),
    "sfu": (_MEDIA["bbb_sfu_udp_port_min"], _MEDIA["bbb_sfu_udp_port_max"]),
}


def _yaml_value(text: str, key: str) -> str:
    match = re.search(rf"(?m)^{key}:\s*(\S+)\s*$", text)
    assert match, f"{key} missing in:\n{text}"
    return match.group(1)


def _lines(host, path: str) -> list[str]:
    return host.file(path).content_string.splitlines()


@pytest.mark.parametrize("name", ["bbb-record-core", "bbb-web", "bbb-apps-akka", *MEDIA_PACKAGES])
def test_packages_were_upgraded_to_n_plus_1(host, name: str) -> None:
    # bbb-freeswitch-core is numbered on its own (FreeSWITCH's version, epoch 2, as
    # upstream's): the pin (vars/upgrade.yml) cannot name it, upgrade.yml moves it anyway.
    expected = "2:1.10.12~standin2" if name == "bbb-freeswitch-core" else "1:3.0.0~standin2"
    assert host.package(name).version == expected


# --- The media packages: what their postinsts reset, and what upgrade.yml's converge put
# back (vars/media.yml: ranges other than what the packages ship, so a reset shows).
def _rtp(params: dict[str, str]) -> tuple[int, int]:
    return int(params["rtp-start-port"]), int(params["rtp-end-port"])


def test_the_media_upgrade_reset_what_upstream_resets(host) -> None:
    """bbb-freeswitch-core's postinst leaves switch.conf.xml the packaged file (RTP range
    reset) but puts back the vars.xml its preinst saved; bbb-webrtc-sfu regenerates
    default.yml; the recorder's file is a conffile, kept (tests/standins/bbb-packages)."""
    names = ("switch.conf.xml", "vars.xml", "sfu-default.yml", "recorder.yml")
    after = {name: host.file(f"{EVIDENCE}/{name}.after-upgrade").content_string for name in names}
    assert _rtp(xml_params(after["switch.conf.xml"])) == (16384, 24576)  # the packaged range
    assert vars_sets(after["vars.xml"])["external_rtp_ip"] == PUBLIC
    assert yaml.safe_load(after["sfu-default.yml"])["mediasoup"]["worker"]["rtcMinPort"] == 24577
    assert yaml.safe_load(after["recorder.yml"])["webrtc"]["rtcMinPort"] == MEDIA["sfu"][0]


def test_upgrade_yml_put_the_media_settings_back(host) -> None:
    switch = host.file(f"{FS}/autoload_configs/switch.conf.xml").content_string
    assert _rtp(xml_params(switch)) == MEDIA["freeswitch"]
    worker = yaml.safe_load(host.file(SFU_OVERRIDE).content_string)["mediasoup"]["worker"]
    assert (worker["rtcMinPort"], worker["rtcMaxPort"]) == MEDIA["sfu"]
    recorder = yaml.safe_load(host.file(RECORDER).content_string)["webrtc"]
    assert (recorder["rtcMinPort"], recorder["rtcMaxPort"]) == MEDIA["sfu"]
    assert vars_sets(host.file(f"{FS}/vars.xml").content_string)["external_rtp_ip"] == PUBLIC


def test_the_upgrade_reset_the_packaged_playback_settings(host) -> None:
    # Proves the stand-in postinst resets, as upstream's does: the test below is not vacuous.
    after_upgrade = host.file(f"{EVIDENCE}/bigbluebutton.yml.after-upgrade").content_string
    assert _yaml_value(after_upgrade, "playback_host") != HOST
    assert _yaml_value(after_upgrade, "playback_protocol") == "http"


def test_the_converge_reapplied_the_packaged_playback_settings(host) -> None:
    text = host.file(RAP_CONFIG).content_string
    assert _yaml_value(text, "playback_host") == HOST
    assert _yaml_value(text, "playback_protocol") == "https"


def test_recording_override_file(host) -> None:
    override = host.file("/etc/bigbluebutton/recording/recording.yml")
    assert override.user == "root" and override.mode == 0o644
    assert _yaml_value(override.content_string, "playback_host") == HOST
    assert _yaml_value(override.content_string, "playback_protocol") == "https"


@pytest.mark.parametrize("stage", ["after-upgrade", "after-converge", "after-rotation"])
def test_newly_published_recordings_link_to_https_host(host, stage: str) -> None:
    record_id = host.file(f"{EVIDENCE}/{stage}.id").content_string.strip()
    assert re.fullmatch(r"[0-9a-f]{40}-[0-9]{13}", record_id), record_id
    meta = host.file(
        f"/var/bigbluebutton/published/presentation/{record_id}/metadata.xml"
    ).content_string
    links = re.findall(r"<link>([^<]+)</link>", meta)
    assert links == [f"https://{HOST}/playback/presentation/2.3/{record_id}"], meta
    images = re.findall(r"<image[^>]*>([^<]+)</image>", meta)
    assert images and all(i.startswith(f"https://{HOST}/presentation/{record_id}/") for i in images)


def test_akka_conf_carries_the_rotated_secret_and_https_api(host) -> None:
    conf = host.file(AKKA_CONF)
    assert (conf.user, conf.group, conf.mode) == ("root", "bigbluebutton", 0o640)
    text = conf.content_string
    assert f'  sharedSecret="{ROTATED}"' in text
    assert f'  bbbWebAPI="https://{HOST}/bigbluebutton/api"' in text
    assert "changeme" not in text
    assert host.file("/etc/bigbluebutton/.bbb-chapter-secret").content_string.strip() == ROTATED


def test_running_akka_read_the_rotated_secret(host) -> None:
    last = _lines(host, "/var/log/bbb-apps-akka/standin-starts.log")[-1]
    assert f"bbbWebAPI=https://{HOST}/bigbluebutton/api" in last
    assert f"sharedSecret.sha256={hashlib.sha256(ROTATED.encode()).hexdigest()}" in last


@pytest.mark.parametrize("service", ["akka", "web"])
def test_the_rotation_restarted_each_service_exactly_once(host, service: str) -> None:
    before = _lines(host, f"{EVIDENCE}/{service}-starts.before-rotation")
    after = _lines(host, f"{EVIDENCE}/{service}-starts.after-rotation")
    assert after[: len(before)] == before
    assert len(after) - len(before) == 1, after[len(before) :]


def test_bbb_web_answers_to_the_rotated_secret_only(host) -> None:
    old = host.file(f"{EVIDENCE}/secret.before-rotation").content_string.strip()
    assert old and old != ROTATED

    def message_key(secret: str) -> str:
        checksum = hashlib.sha1(f"getMeetings{secret}".encode()).hexdigest()
        out = host.run(
            f"curl -s http://127.0.0.1:8090/bigbluebutton/api/getMeetings?checksum={checksum}"
        ).stdout
        return "SUCCESS" if "<returncode>SUCCESS</returncode>" in out else out

    assert message_key(ROTATED) == "SUCCESS"
    assert "checksumError" in message_key(old)


def test_the_second_run_restarted_nothing(host) -> None:
    """Issue 16: bbb-web.properties has one writer (the bigbluebutton role, fed the
    recording switches and the footer as data), so a converge that changes nothing
    (side_effect.yml asserts changed=0) restarts bbb-web no more."""
    after_rotation = _lines(host, f"{EVIDENCE}/web-starts.after-rotation")
    assert _lines(host, f"{EVIDENCE}/web-starts.after-second-run") == after_rotation


# --- playbooks/upgrade.yml (issue 18): side_effect.yml ran it three times -----------------
def _log(host, name: str) -> str:
    """A kept upgrade.yml run (stdout, then stderr), whitespace collapsed: ansible wraps
    long messages."""
    return " ".join(host.file(f"{EVIDENCE}/{name}").content_string.split())


def test_upgrade_refused_while_a_meeting_ran_and_changed_no_package(host) -> None:
    log = _log(host, "upgrade-refused.log")
    assert "1 meeting(s) running on bbb-mol-recordings: 'Chapter monthly'" in log
    assert "bbb_upgrade_end_meetings" in log
    assert host.file(f"{EVIDENCE}/refused.version").content_string.strip() == "1:3.0.0~standin1"
    assert "TASK [bigbluebutton : Upgrade the BigBlueButton packages" not in log


def test_upgrade_ended_the_meeting_upgraded_and_verified(host) -> None:
    log = _log(host, "upgrade-first.log")
    assert "Chat notice delivered to 1 of 1 meeting(s)" in log
    summary = log[log.rindex("TASK [Summary]") :]
    for name in ("bbb-apps-akka", "bbb-record-core", "bbb-web", "bbb-webrtc-sfu"):
        assert f"{name}: 1:3.0.0~standin1 -> 1:3.0.0~standin2" in summary, summary
    assert "bbb-freeswitch-core: 2:1.10.12~standin1 -> 2:1.10.12~standin2" in summary, summary
    assert "Greenlight: not deployed on this server" in summary
    assert "bbb-verify health ok, bbb-verify playback ok" in summary
    assert "Meetings ended for the upgrade (with notice): 1" in summary


@pytest.mark.parametrize("name", ["bbb-record-core", "bbb-web", "bbb-apps-akka", "bigbluebutton"])
def test_packages_stay_held_after_the_upgrade(host, name: str) -> None:
    assert host.run(f"apt-mark showhold {name}").stdout.strip() == name


def test_a_second_upgrade_run_changed_and_restarted_nothing(host) -> None:
    log = _log(host, "upgrade-second.log")
    assert re.search(r"bbb-mol-recordings : ok=\d+ changed=0 ", log), log[-2000:]
    summary = log[log.rindex("TASK [Summary]") :]
    assert "BigBlueButton packages: unchanged" in summary
    assert "RUNNING HANDLER" not in log
