"""bbb-verify: check that a BigBlueButton server answers its API and plays recordings back.

Modules, one job each:
  config    where the API URL and secret come from (flags, env, bbb-web properties)
  api       URL building, checksums and XML parsing of BBB API answers
  transport the shared HTTP session (connection pool, CA bundle, timeouts)
  model     check results and the exit-code rule
  tlscheck  certificate chain, hostname and expiry
  health    the `health` checks (a list of small check functions)
  greenlight  Greenlight's /health_check and a room's public.json
  playback  the `playback` checks
  report    text and JSON output, progress bar
  cli       argument parsing and the main entry point
"""

__version__ = "0.1.0"
