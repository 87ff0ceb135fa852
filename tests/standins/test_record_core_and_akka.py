"""The bbb-record-core and bbb-apps-akka stand-ins read their configuration as upstream does.

- presentation-standin: BigBlueButton.read_props (packaged bigbluebutton.yml, top-level
  keys replaced by /etc/bigbluebutton/recording/recording.yml) and links built as
  presentation.rb builds them.
- akka_standin: the HOCON subset of bbb-apps-akka.conf (include, objects, later wins).
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from tests.support.plugins import load_module

PACKAGES = Path(__file__).resolve().parent / "bbb-packages"
PUBLISH = PACKAGES / "bbb-record-core/usr/local/bigbluebutton/core/scripts/publish"
AKKA = PACKAGES / "bbb-apps-akka/usr/share/bbb-apps-akka"


def _module(name: str, path: Path) -> ModuleType:
    return load_module(path, name)


def test_read_props_merges_the_override_shallowly(tmp_path: Path) -> None:
    publish = _module("presentation_standin", PUBLISH / "presentation-standin")
    packaged = PACKAGES / "bbb-record-core/usr/local/bigbluebutton/core/scripts/bigbluebutton.yml"
    override = tmp_path / "recording.yml"
    assert publish.read_props(packaged, override)["playback_protocol"] == "http"
    override.write_text("playback_protocol: https\nplayback_host: bbb.lab.test\nsteps: {}\n")
    props = publish.read_props(packaged, override)
    assert (props["playback_protocol"], props["playback_host"]) == ("https", "bbb.lab.test")
    assert props["steps"] == {}  # top-level keys replace, like Hash#merge
    assert props["published_dir"] == "/var/bigbluebutton/published"


def test_publish_builds_links_from_the_merged_configuration(tmp_path: Path) -> None:
    publish = _module("presentation_standin_links", PUBLISH / "presentation-standin")
    packaged = tmp_path / "bigbluebutton.yml"
    packaged.write_text(
        f"published_dir: {tmp_path}/published\nplayback_host: 10.0.0.5\nplayback_protocol: http\n"
    )
    override = tmp_path / "recording.yml"
    override.write_text("playback_protocol: https\nplayback_host: bbb.lab.test\n")
    publish.PACKAGED, publish.OVERRIDE = packaged, override
    assert publish.main(["--meeting-id", "room", "--start-time", "1767225600000"]) == 0
    (meta,) = (tmp_path / "published" / "presentation").glob("*/metadata.xml")
    record_id = meta.parent.name
    assert re.findall(r"<link>([^<]+)</link>", meta.read_text()) == [
        f"https://bbb.lab.test/playback/presentation/2.3/{record_id}"
    ]


def test_akka_reads_the_override_over_the_packaged_conf(tmp_path: Path) -> None:
    akka = _module("akka_standin", AKKA / "standin" / "akka_standin.py")
    conf = tmp_path / "bbb-apps-akka.conf"
    conf.write_text(
        f'include "{AKKA}/conf/application.conf"\n'
        "// comment\n"
        "services {\n"
        '  bbbWebAPI="https://bbb.lab.test/bigbluebutton/api"\n'
        '  sharedSecret="s3cr3t\\"x"\n'
        "}\n"
    )
    settings = akka.load(conf)
    assert settings["services.bbbWebAPI"] == "https://bbb.lab.test/bigbluebutton/api"
    assert settings["services.sharedSecret"] == 's3cr3t"x'
    assert settings["services.checkSumAlgorithmForBreakouts"] == "sha256"  # from the include


def test_akka_logs_a_hash_of_the_secret_never_the_secret(tmp_path: Path) -> None:
    conf = tmp_path / "bbb-apps-akka.conf"
    conf.write_text('services {\n  sharedSecret="sentinel0akka"\n}\n')
    starts = tmp_path / "starts.log"
    proc = subprocess.Popen(
        [sys.executable, str(AKKA / "standin" / "akka_standin.py"), str(conf), str(starts)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert "sentinel0akka" not in first + starts.read_text()
    assert hashlib.sha256(b"sentinel0akka").hexdigest() in starts.read_text()
