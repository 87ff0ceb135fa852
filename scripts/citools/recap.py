"""Read an ansible-playbook log: the PLAY RECAP counters and the tasks that changed.

Used by scripts/ci/assert-idempotent: the second converge of the end-to-end job
must report changed=0, failed=0 and unreachable=0 for every host.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
RECAP_HEADER = re.compile(r"^PLAY RECAP \**\s*$")
RECAP_LINE = re.compile(r"^(?P<host>\S+)\s*:\s*(?P<counters>(?:[a-z]+=\d+\s*)+)$")
COUNTER = re.compile(r"([a-z]+)=(\d+)")
TASK_HEADER = re.compile(r"^(?:TASK|RUNNING HANDLER) \[(?P<name>.*)\] \**\s*$")
CHANGED_RESULT = re.compile(r"^changed: \[(?P<host>[^\]]+)\]")

# Counters that must be zero on a run that changes nothing.
MUST_BE_ZERO = ("changed", "failed", "unreachable")


@dataclass
class HostRecap:
    host: str
    counters: dict[str, int]

    def problems(self) -> list[str]:
        return [
            f"{name}={self.counters[name]}"
            for name in MUST_BE_ZERO
            if self.counters.get(name, 0) > 0
        ]


@dataclass
class RunReport:
    hosts: list[HostRecap] = field(default_factory=list)
    changed_tasks: list[str] = field(default_factory=list)


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)


def parse_log(text: str) -> RunReport:
    """The last PLAY RECAP block of the log, and the tasks reported `changed`."""
    report = RunReport()
    lines = strip_ansi(text).splitlines()
    task = ""
    recap_start = None
    for index, line in enumerate(lines):
        if RECAP_HEADER.match(line):
            recap_start = index
            continue
        header = TASK_HEADER.match(line)
        if header:
            task = header.group("name")
            continue
        changed = CHANGED_RESULT.match(line)
        if changed:
            report.changed_tasks.append(f"{task} ({changed.group('host')})")
    if recap_start is None:
        return report
    for line in lines[recap_start + 1 :]:
        match = RECAP_LINE.match(line.strip())
        if not match:
            if line.strip():
                break
            continue
        counters = {key: int(value) for key, value in COUNTER.findall(match.group("counters"))}
        report.hosts.append(HostRecap(match.group("host"), counters))
    return report


def idempotence_problems(report: RunReport) -> list[str]:
    """Human-readable reasons the run was not a clean no-op; empty when it was."""
    if not report.hosts:
        return ["no PLAY RECAP found: the run did not finish (or this is not its log)"]
    problems = []
    for host in report.hosts:
        found = host.problems()
        if found:
            problems.append(f"{host.host}: {', '.join(found)}")
    return problems
