"""Import a role's plugin (filter, action, library module) or an installed script by path.

Roles' plugins are not on sys.path (Ansible loads them from the role), and scripts
the roles install have no .py suffix: SourceFileLoader takes any file name.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_module(path: Path, name: str | None = None) -> ModuleType:
    """Execute the Python file at ``path`` as a fresh module called ``name`` (default: its stem).

    The module is registered in sys.modules first, so dataclasses and pickling inside it work.
    """
    module_name = name or path.stem.replace("-", "_")
    loader = importlib.machinery.SourceFileLoader(module_name, str(path))
    spec = importlib.util.spec_from_loader(module_name, loader)
    assert spec is not None, f"cannot load {path}"
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    loader.exec_module(module)
    return module
