"""The documented alert rules (scripts/monitoring/bbb-alerts.yml) are valid, each is
unit-tested with promtool, and each reads only metrics `bbb-verify metrics` writes."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from tests.support.paths import SCRIPTS

MONITORING = SCRIPTS / "monitoring"
RULES = MONITORING / "bbb-alerts.yml"
RULE_TESTS = MONITORING / "bbb-alerts.test.yml"
METRICS_SOURCE = MONITORING.parent / "bbbverify" / "metrics.py"


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:  # scripts/ci/system-packages.txt installs it (Debian: prometheus)
        pytest.fail("promtool not found: install the `prometheus` package")
    return found


def alerts() -> list[dict[str, object]]:
    document = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def test_rules_are_valid() -> None:
    result = subprocess.run(
        [promtool(), "check", "rules", str(RULES)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_fires_and_stays_quiet_as_its_unit_test_says() -> None:
    result = subprocess.run(
        [promtool(), "test", "rules", RULE_TESTS.name],
        cwd=MONITORING,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    tests = yaml.safe_load(RULE_TESTS.read_text(encoding="utf-8"))["tests"]
    firing = {
        case["alertname"]
        for group in tests
        for case in group["alert_rule_test"]
        if case["exp_alerts"]
    }
    assert firing == {rule["alert"] for rule in alerts()}, "an alert without a firing test"


def test_alerts_read_only_metrics_bbb_verify_writes() -> None:
    written = set(re.findall(r'"(bbb_[a-z_]+)"', METRICS_SOURCE.read_text(encoding="utf-8")))
    for rule in alerts():
        used = set(re.findall(r"\bbbb_[a-z_]+", str(rule["expr"])))
        assert used and used <= written, (rule["alert"], used - written)
