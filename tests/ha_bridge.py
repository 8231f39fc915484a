"""Let pytest-homeassistant-custom-component 0.13.375 run Home Assistant 2026.11; else nothing.

Remove this file (and ``-p tests.ha_bridge`` from pyproject.toml's addopts) once a release of
the harness runs Home Assistant 2026.11 by itself. Loaded with ``-p``, before the harness's
own plugin, it bridges the two things of 2026.11 that this harness does not know:

- Home Assistant's package aliases ``httpx`` to ``httpx2`` and refuses when ``httpx`` is
  already imported, which the harness does first (through ``respx``): Home Assistant is
  imported here, before the harness.
- ``_clear_logger_overwrites``, which the harness imports from
  ``homeassistant.components.logger``, moved to its ``helpers``: the old name is added to the
  package once it is imported (not here: Home Assistant's components must load after the
  harness has patched time and JSON).
"""

from __future__ import annotations

from collections.abc import Sequence
import importlib.abc
from importlib.machinery import ModuleSpec
from importlib.metadata import version
import importlib.util
import sys
from types import ModuleType

LOGGER = "homeassistant.components.logger"


class _OldLoggerName(importlib.abc.MetaPathFinder):
    """Adds ``_clear_logger_overwrites`` to the logger package when it is first imported."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != LOGGER:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        assert spec is not None
        assert spec.loader is not None
        execute = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            execute(module)
            module.__dict__["_clear_logger_overwrites"] = module.helpers._clear_logger_overwrites

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


if tuple(int(part) for part in version("homeassistant").split(".")[:2]) >= (2026, 11):
    import homeassistant  # noqa: F401  (its package aliases httpx to httpx2)

    sys.meta_path.insert(0, _OldLoggerName())
