"""Helpers the tests share: one module each, imported as ``tests.support.<module>``.

pyproject.toml puts the repository root on pytest's ``pythonpath``, so the import
works both from tests/ and from the Molecule scenarios' testinfra modules
(molecule/<scenario>/tests), whose pytest run finds the same pyproject.toml.
"""
