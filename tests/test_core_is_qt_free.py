"""core/ must work without Qt: importing any core module with PySide6 unimportable succeeds."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import core

SCRIPT = r"""
import importlib, pkgutil, sys
class NoQt:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'PyQt5', 'PyQt6', 'pytestqt', 'superqt'):
            raise ImportError('Qt is not allowed in core: ' + name)
sys.meta_path.insert(0, NoQt())
import core
for m in sorted(sys.argv[1:]):
    importlib.import_module(m)
print('ok', len(sys.argv) - 1)
"""


def test_every_core_module_imports_without_qt():
    modules = ["core." + m.name for m in pkgutil.walk_packages(core.__path__, prefix="") if m.name != "__main__"]
    modules = [m for m in modules if not m.endswith("__main__")]
    assert len(modules) > 10
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *modules], capture_output=True, text=True, cwd=Path(core.__file__).parents[1]
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")
