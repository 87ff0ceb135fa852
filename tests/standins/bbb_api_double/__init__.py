"""STAND-IN FOR TESTS, NOT BIGBLUEBUTTON.

A protocol-faithful double of the BigBlueButton 2.7/3.0 HTTP API (bbb-web) and of the
nginx locations that serve published recordings. Standard library only: it runs with
Debian 12's system python3.11 inside lab containers where no pip packages exist.

Wire facts and their sources: /work/shared/reference/bbb-api.md (project reference
``bbb-api.md``), sections 1 (checksum), 2 (response shapes) and 3 (playback files).

Entry points:
  python3 -m bbb_api_double --listen 127.0.0.1 --port 8090 ...    the service
  python3 -m bbb_api_double.recordings --root DIR --count N ...  sample recordings
"""

__all__ = ["STANDIN_NOTICE"]

STANDIN_NOTICE = "stand-in for tests, not BigBlueButton"
