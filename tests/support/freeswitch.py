"""FreeSWITCH's XML configuration as the tests read it (vars.xml, sip profiles, switch.conf.xml)."""

from __future__ import annotations

from defusedxml import ElementTree


def xml_params(text: str) -> dict[str, str]:
    """<param name=... value=.../> of an XML file, comments ignored (as FreeSWITCH does)."""
    return {p.get("name"): p.get("value") for p in ElementTree.fromstring(text).iter("param")}


def vars_sets(text: str) -> dict[str, str]:
    """vars.xml's <X-PRE-PROCESS cmd="set" data="name=value"/> as a dict."""
    nodes = ElementTree.fromstring(text).iter("X-PRE-PROCESS")
    return dict(node.get("data", "").partition("=")[::2] for node in nodes)
