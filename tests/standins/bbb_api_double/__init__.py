"""STAND-IN FOR TESTS, NOT BIGBLUEBUTTON.

A protocol-faithful double of the BigBlueButton 2.7/3.0 HTTP API (bbb-web) and of the
nginx locations that serve published recordings. Standard library only: it runs with
Debian 12's system python3.11 inside lab containers where no pip packages exist.

Wire facts come from upstream BigBlueButton (branch v3.0.x-release; each module names the
files it follows): the API docs https://github.com/bigbluebutton/bigbluebutton/blob/v3.0.x-release/docs/docs/development/api.md,
the checksum classes GetChecksum/GetChecksumValidator in bbb-common-web, the FreeMarker
response templates in
https://github.com/bigbluebutton/bigbluebutton/tree/v3.0.x-release/bigbluebutton-web/src/main/webapp/WEB-INF/freemarker
and the recording sample bbb-common-web/src/test/resources/sample-metadata.xml.

Entry points:
  python3 -m bbb_api_double --listen 127.0.0.1 --port 8090 ...    the service
  python3 -m bbb_api_double.recordings --root DIR --count N ...  sample recordings
"""

__all__ = ["STANDIN_NOTICE"]

STANDIN_NOTICE = "stand-in for tests, not BigBlueButton"
