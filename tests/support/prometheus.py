"""Prometheus text read back with prometheus_client's own parser (what node_exporter's
textfile collector accepts), for the tests of `bbb-verify metrics` and the monitoring role."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(text: str) -> Samples:
    """Every sample: (name, sorted labels) -> value."""
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found: Samples, name: str, **labels: str) -> float:
    """One sample's value; fails naming the metric when it was not exported."""
    key = (name, tuple(sorted(labels.items())))
    assert key in found, f"{name}{labels} not exported"
    return found[key]
