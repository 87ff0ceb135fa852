"""Media behind 1:1 NAT and upstream's split of the UDP media ports (testinfra).

The lab inventory sets bbb_public_ipv4: 203.0.113.10, a documentation address that no
interface has, so the lab container is "behind 1:1 NAT" like most cloud servers. What
upstream does there (bbb-install v3.0.x-release check_nat/install_ssl) must hold: FreeSWITCH
and mediasoup announce the public address, and dummy-nic.service puts it on the
container's own lo, so nothing sent to it leaves the container. The ranges follow
upstream's documentation (FreeSWITCH 16384-24576, mediasoup and the recorder 24577-32768).
What the packages' maintainer scripts reset on upgrade, and the role puts back, is
tested where an upgrade runs: molecule/recordings (playbooks/upgrade.yml, N -> N+1).
"""

from __future__ import annotations

import re

import yaml

from tests.support.freeswitch import vars_sets, xml_params
from tests.support.lab import HOSTNAME

PUBLIC = "203.0.113.10"  # bbb_public_ipv4 in inventory/lab
FS = "/opt/freeswitch/etc/freeswitch"
SFU_OVERRIDE = "/etc/bigbluebutton/bbb-webrtc-sfu/production.yml"
SFU_DEFAULT = "/usr/local/bigbluebutton/bbb-webrtc-sfu/config/default.yml"
RECORDER = "/etc/bbb-webrtc-recorder/bbb-webrtc-recorder.yml"


def _pre_process(host) -> dict[str, str]:
    """vars.xml's <X-PRE-PROCESS cmd="set" data="name=value"/> as a dict."""
    return vars_sets(host.file(f"{FS}/vars.xml").content_string)


def _params(host, path: str) -> dict[str, str]:
    """<param name=... value=.../> of an XML file, comments ignored (as FreeSWITCH does)."""
    return xml_params(host.file(path).content_string)


def _yaml(host, path: str) -> dict:
    return yaml.safe_load(host.file(path).content_string) or {}


def _merge(base: dict, over: dict) -> dict:
    """node-config's merge of production.yml over default.yml (maps merge, the rest replaces)."""
    out = dict(base)
    for key, value in over.items():
        out[key] = (
            _merge(out[key], value)
            if isinstance(value, dict) and isinstance(out.get(key), dict)
            else value
        )
    return out


def _ranges(host) -> dict[str, tuple[int, int]]:
    switch = _params(host, f"{FS}/autoload_configs/switch.conf.xml")
    worker = _yaml(host, SFU_OVERRIDE)["mediasoup"]["worker"]
    recorder = _yaml(host, RECORDER)["webrtc"]
    return {
        "freeswitch": (int(switch["rtp-start-port"]), int(switch["rtp-end-port"])),
        "mediasoup": (worker["rtcMinPort"], worker["rtcMaxPort"]),
        "recorder": (recorder["rtcMinPort"], recorder["rtcMaxPort"]),
    }


def test_freeswitch_announces_the_public_address(host):
    sets = _pre_process(host)
    assert sets["external_rtp_ip"] == PUBLIC
    assert sets["external_sip_ip"] == PUBLIC
    assert sets["default_password"] == "1234"  # the rest of the packaged file is kept
    params = _params(host, f"{FS}/sip_profiles/external.xml")
    assert params["ext-rtp-ip"] == "$${external_rtp_ip}"
    assert params["ext-sip-ip"] == "$${external_sip_ip}"


def test_sfu_override_announces_the_public_address(host):
    override = _yaml(host, SFU_OVERRIDE)
    assert override["freeswitch"] == {"ip": PUBLIC, "sip_ip": PUBLIC}
    assert override["mediasoup"]["webrtc"]["listenIps"] == [
        {"ip": "0.0.0.0", "announcedIp": PUBLIC}
    ]
    assert override["mediasoup"]["plainRtp"]["listenIp"] == {"ip": "0.0.0.0", "announcedIp": PUBLIC}
    f = host.file(SFU_OVERRIDE)
    assert (f.user, f.group, f.mode) == ("bigbluebutton", "bigbluebutton", 0o640)
    # The packaged default.yml announces the interface address (the package's postinst);
    # what the SFU really uses is production.yml merged over it.
    packaged = _yaml(host, SFU_DEFAULT)
    assert packaged["mediasoup"]["webrtc"]["listenIps"][0]["announcedIp"] != PUBLIC
    effective = _merge(packaged, override)
    assert effective["mediasoup"]["webrtc"]["listenIps"][0]["announcedIp"] == PUBLIC
    assert effective["mediasoup"]["plainRtp"]["listenIp"]["announcedIp"] == PUBLIC
    assert effective["freeswitch"]["port"] == 5066  # packaged keys survive the merge


def test_media_ports_split_as_upstream(host):
    assert _ranges(host) == {
        "freeswitch": (16384, 24576),
        "mediasoup": (24577, 32768),
        "recorder": (24577, 32768),
    }


def test_public_address_on_lo_only(host):
    unit = host.service("dummy-nic")
    assert unit.is_enabled and unit.is_running
    lo = host.check_output("ip -4 -o address show dev lo")
    assert f"inet {PUBLIC}/32 " in lo
    others = host.check_output("ip -4 -o address show | grep -v ' lo '")
    assert PUBLIC not in others
    assert host.check_output(f"ip route get {PUBLIC}").startswith(f"local {PUBLIC} dev lo")


def test_turn_announces_the_public_address_too(host):
    """Issue 16: coturn followed its own turn_public_ip (the interface address), so under
    1:1 NAT members got relay candidates on the private address. playbooks/vars/wiring.yml
    passes bbb_public_ipv4 as turn_public_ip: coturn maps it to its own address."""
    text = host.file("/etc/turnserver.conf").content_string
    bind = re.search(r"(?m)^listening-ip=(\S+)$", text).group(1)
    assert bind != PUBLIC
    assert re.search(rf"(?m)^external-ip={re.escape(PUBLIC)}/{re.escape(bind)}$", text), text
    assert re.search(rf"(?m)^realm={re.escape(HOSTNAME)}$", text)


def test_server_reaches_its_name_through_the_alias(host, pebble_root):
    """The name mapped to the public address: the server reaches its own front door on lo."""
    # Only over lo: without the alias the address would be routed out of the container.
    assert host.check_output(f"ip route get {PUBLIC}").startswith(f"local {PUBLIC} dev lo")
    host.run(f"cat > /tmp/pebble-root.pem <<'EOF'\n{pebble_root.read_text()}EOF")
    out = host.check_output(
        f"curl -sS --max-time 10 -o /dev/null -w '%{{http_code}} %{{remote_ip}}' "
        "--cacert /tmp/pebble-root.pem "
        f"--resolve {HOSTNAME}:443:{PUBLIC} https://{HOSTNAME}/bigbluebutton/api"
    )
    assert out == f"200 {PUBLIC}", out
