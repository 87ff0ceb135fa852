"""Filter ``landing_room_friendly_id``: the landing room's default id, derived from the hostname.

The id has the shape Greenlight itself generates for rooms (``xxx-xxx-xxx-xxx``, lowercase
letters and digits), so Greenlight's short links, link previews and the nginx upload limit
for ``/api/v1/rooms/\\w{3}-\\w{3}-\\w{3}-\\w{3}.json`` keep working. Sources, release-3.8.2.4:
``Room#set_friendly_id`` in
https://github.com/bigbluebutton/greenlight/blob/release-3.8.2.4/app/models/room.rb
and the upload location in
https://github.com/bigbluebutton/greenlight/blob/release-3.8.2.4/greenlight-v3.nginx

Derivation (stable across runs, machines and Ansible versions): the hostname is lowercased
and stripped of surrounding whitespace and a trailing dot; SHA-256 of
``"bbb-chapter landing room:" + hostname`` (UTF-8) is read as a big-endian integer; its 12
lowest base-36 digits (alphabet ``0-9a-z``, least significant first) are grouped in threes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
NAMESPACE = "bbb-chapter landing room:"
GROUPS = 4
GROUP_LENGTH = 3


def landing_room_friendly_id(hostname: str) -> str:
    """Return the default landing-room id for ``hostname``."""
    name = str(hostname).strip().rstrip(".").lower()
    if not name:
        raise ValueError(
            "landing_room_friendly_id needs a non-empty hostname"
            " (landing_room_hostname, from bbb_hostname)"
        )
    number = int.from_bytes(hashlib.sha256((NAMESPACE + name).encode()).digest(), "big")
    chars: list[str] = []
    for _ in range(GROUPS * GROUP_LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[digit])
    text = "".join(chars)
    return "-".join(text[i : i + GROUP_LENGTH] for i in range(0, len(text), GROUP_LENGTH))


class FilterModule:
    """Ansible filter plugin entry point."""

    def filters(self) -> dict[str, Callable[[str], str]]:
        return {"landing_room_friendly_id": landing_room_friendly_id}
