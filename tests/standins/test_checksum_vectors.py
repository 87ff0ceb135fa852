"""Checksum fidelity of the double (and of the client) on independent public vectors."""

from __future__ import annotations

import pytest
from bbb_api_double import checksum
from bbbverify import api

DOC_SECRET = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"
DOC_QUERY = "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444"

# Source: the sha1 example in
# https://github.com/bigbluebutton/bigbluebutton/blob/v3.0.x-release/docs/docs/development/api.md
# the sha256/384/512 values are the same input computed with Python's hashlib.
CREATE_VECTORS = {
    "sha1": "1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17",
    "sha256": "da9185f7f333cfdfcd6eeac32dca3777510c4c436020d8b887ba5515bd1d189e",
    "sha384": "891ac633df39d0a1b4f8d597f3e190833216c4b29c4fb51ea3ca72757eeb958d"
    "6e7b49a845cf29f5c6019c7d29d029d1",
    "sha512": "de73ad61d11a5c801b68d4bd6ec5248546085cefb0b25c85f3c46249ea93a3a4"
    "b120f92c0a8a58d7512cb77821884951a3b01245f3435dbbef49fff3cc3988b4",
}

# Source: openfun/marsha:src/backend/marsha/bbb/tests/bbb_utils/test_create.py
MARSHA_QUERY = (
    "meetingID=7a567d67-29d3-4547-96f3-035733a4dfaa&name=Classroom+001&role=moderator"
    "&welcome=Welcome%21&meta_bbb-recording-ready-url=https%3A%2F%2Fexample.com%2Fapi%2F"
    "classrooms%2Frecording-ready%2F&record=True&guestPolicy=ALWAYS_ACCEPT&disabledFeatures="
)


@pytest.mark.parametrize(("algorithm", "expected"), sorted(CREATE_VECTORS.items()))
def test_documented_create_example(algorithm: str, expected: str) -> None:
    assert checksum.compute("create", DOC_QUERY, DOC_SECRET, algorithm) == expected
    assert api.checksum("create", DOC_QUERY, DOC_SECRET, algorithm) == expected


@pytest.mark.parametrize(("algorithm", "expected"), sorted(CREATE_VECTORS.items()))
def test_double_accepts_documented_checksum_in_any_position(algorithm: str, expected: str) -> None:
    for raw in (
        f"{DOC_QUERY}&checksum={expected}",
        f"checksum={expected}&{DOC_QUERY}",
        DOC_QUERY.replace("&attendeePW", f"&checksum={expected}&attendeePW"),
    ):
        assert checksum.is_valid("create", raw, DOC_SECRET), raw


def test_algorithm_is_chosen_by_length_and_must_be_supported() -> None:
    raw = f"{DOC_QUERY}&checksum={CREATE_VECTORS['sha1']}"
    assert not checksum.is_valid("create", raw, DOC_SECRET, supported="sha256,sha384,sha512")
    truncated = f"{DOC_QUERY}&checksum={CREATE_VECTORS['sha256'][:50]}"
    assert not checksum.is_valid("create", truncated, DOC_SECRET)


def test_upper_case_hex_is_accepted_since_2_5() -> None:
    raw = f"{DOC_QUERY}&checksum={CREATE_VECTORS['sha256'].upper()}"
    assert checksum.is_valid("create", raw, DOC_SECRET)


def test_wrong_secret_and_re_encoded_query_fail() -> None:
    good = CREATE_VECTORS["sha1"]
    assert not checksum.is_valid("create", f"{DOC_QUERY}&checksum={good}", "other-secret")
    re_encoded = DOC_QUERY.replace("Test+Meeting", "Test%20Meeting")
    assert not checksum.is_valid("create", f"{re_encoded}&checksum={good}", DOC_SECRET)
    assert not checksum.is_valid("create", DOC_QUERY, DOC_SECRET)  # no checksum at all


def test_empty_query_vectors() -> None:
    # getMeetings with an empty query, same secret (computed with Python's hashlib).
    sha1 = "2027baa7771026e9e93392f55031535d1444c41f"
    sha256 = "a5370c5f3d97d56d53b435684cdbc429c2898a3bf9f435518b4279e1e0dbfc8c"
    assert checksum.is_valid("getMeetings", f"checksum={sha1}", DOC_SECRET)
    assert checksum.is_valid("getMeetings", f"checksum={sha256}", DOC_SECRET)
    assert api.signed_query("getMeetings", [], DOC_SECRET, "sha1") == f"checksum={sha1}"


def test_is_meeting_running_vector() -> None:
    # isMeetingRunning, meetingID=abc123, same secret (computed with Python's hashlib).
    expected = "8478733ccb8695b8aaaff48b3c1e281a75a6f046"
    assert (
        api.signed_query("isMeetingRunning", [("meetingID", "abc123")], DOC_SECRET, "sha1")
        == f"meetingID=abc123&checksum={expected}"
    )


def test_marsha_create_vector() -> None:
    # Source: openfun/marsha test_create.py, secret "SuperSecret".
    expected = "423d38ea468e5836e8946c89a62d646107ecd411"
    assert checksum.compute("create", MARSHA_QUERY, "SuperSecret", "sha1") == expected
    assert checksum.is_valid("create", f"{MARSHA_QUERY}&checksum={expected}", "SuperSecret")


def test_bigbluebutton2_doctest_vector() -> None:
    # Source: PyPI bigbluebutton2 0.1a10, bigbluebutton/api/bigbluebutton.py doctest.
    expected = "f59b73c5cf1db387da4ca7d937049420d4c50a12"
    assert api.checksum("isMeetingRunning", "meetingID=Foo", "MyTestSalt", "sha1") == expected
