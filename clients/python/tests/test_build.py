"""The in-tree build backend: its pyproject reader agrees with tomllib, and the wheel holds the package."""

import os
import sys
import tempfile
import unittest
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "build_backend"))

import netmon_build  # noqa: E402

import netmon_client  # noqa: E402


class BuildBackendTest(unittest.TestCase):
    def test_the_fallback_reader_agrees_with_tomllib(self) -> None:
        try:
            import tomllib  # type: ignore[import-not-found]
        except ImportError:
            self.skipTest("tomllib needs Python 3.11+; the fallback is what runs here")
        with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as file:
            text = file.read()
        self.assertEqual(netmon_build._read_project_subset(text), tomllib.loads(text)["project"])

    def test_the_version_is_the_packages(self) -> None:
        self.assertEqual(netmon_build.read_project()["version"], netmon_client.__version__)

    def test_the_wheel_holds_the_modules_and_metadata(self) -> None:
        with tempfile.TemporaryDirectory(prefix="nm-pywheel-") as folder:
            name = netmon_build.build_wheel(folder)
            self.assertEqual(name, f"netmon_client-{netmon_client.__version__}-py3-none-any.whl")
            with zipfile.ZipFile(os.path.join(folder, name)) as wheel:
                names = set(wheel.namelist())
                metadata = wheel.read(f"netmon_client-{netmon_client.__version__}.dist-info/METADATA").decode()
        for module in ("__init__.py", "cache.py", "client.py", "events.py", "py.typed"):
            self.assertIn(f"netmon_client/{module}", names)
        self.assertIn("Name: netmon-client", metadata)
        self.assertIn("Requires-Python: >=3.9", metadata)


if __name__ == "__main__":
    unittest.main()
