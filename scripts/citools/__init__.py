"""Helpers behind the CI scripts in scripts/ci/ (GitHub workflows and .ci/run)."""
