"""A PEP 517/660 build backend for netmon-client, standard library only.

Why not setuptools: `pip install ./clients/python` must work offline on every Python the
agent runs (3.9+). With build isolation pip would download setuptools; without it, a fresh
venv on 3.12+ has no setuptools at all and 3.9's bundled one predates `[project]` support.
This backend needs nothing, so `requires = []` and pip builds the wheel with what it has.

It packs the pure-Python package `src/netmon_client/` into a `py3-none-any` wheel, an sdist, or
an editable wheel (a `.pth` file naming this folder). Metadata comes from pyproject.toml's
`[project]` table (tomllib where present, else a reader for the plain subset this
pyproject.toml uses; a test checks the two agree).
"""

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile
from typing import Dict, List, Optional, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "netmon_client"
SDIST_PARTS = ("pyproject.toml", "README.md", "build_backend", "src", "tests")


def _read_project_subset(text: str) -> Dict[str, object]:
    """The `[project]` table of a pyproject.toml that uses only strings, string arrays and
    one-level inline tables of strings (enough for this package on Python < 3.11)."""
    project: Dict[str, object] = {}
    in_project = False
    pending_key: Optional[str] = None
    pending: List[str] = []
    string = r'"((?:[^"\\]|\\.)*)"'
    for raw in text.splitlines():
        line = raw.split(" #")[0].strip() if not raw.strip().startswith("#") else ""
        if pending_key is not None:
            pending.extend(re.findall(string, line))
            if line.startswith("]"):
                project[pending_key] = [s.encode().decode("unicode_escape") for s in pending]
                pending_key, pending = None, []
            continue
        if line.startswith("["):
            in_project = line == "[project]"
            continue
        if not in_project or "=" not in line:
            continue
        key, value = (part.strip() for part in line.split("=", 1))
        if value.startswith("{"):
            pairs = re.findall(r"([A-Za-z0-9_-]+)\s*=\s*" + string, value)
            project[key] = {k: v.encode().decode("unicode_escape") for k, v in pairs}
        elif value.startswith("[") and value.endswith("]"):
            project[key] = [s.encode().decode("unicode_escape") for s in re.findall(string, value)]
        elif value.startswith("["):
            pending_key, pending = key, re.findall(string, value)
        else:
            match = re.fullmatch(string, value)
            if match is None:
                raise ValueError(f"pyproject.toml: cannot read {key} = {value} without tomllib")
            project[key] = match.group(1).encode().decode("unicode_escape")
    return project


def read_project(root: str = ROOT) -> Dict[str, object]:
    """pyproject.toml's `[project]` table."""
    with open(os.path.join(root, "pyproject.toml"), encoding="utf-8") as file:
        text = file.read()
    try:
        import tomllib  # type: ignore[import-not-found]  # Python 3.11+
    except ImportError:
        return _read_project_subset(text)
    return dict(tomllib.loads(text)["project"])


def _metadata(project: Dict[str, object]) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {project['version']}"]
    if "description" in project:
        lines.append(f"Summary: {project['description']}")
    license_table = project.get("license")
    if isinstance(license_table, dict) and "text" in license_table:
        lines.append(f"License: {license_table['text']}")
    if "requires-python" in project:
        lines.append(f"Requires-Python: {project['requires-python']}")
    for classifier in project.get("classifiers", []) or []:  # type: ignore[union-attr]
        lines.append(f"Classifier: {classifier}")
    body = ""
    readme = project.get("readme")
    if isinstance(readme, str):
        lines.append("Description-Content-Type: text/markdown")
        with open(os.path.join(ROOT, readme), encoding="utf-8") as file:
            body = file.read()
    return "\n".join(lines) + "\n\n" + body


def _names(project: Dict[str, object]) -> Tuple[str, str]:
    """(distribution name as in file names, version)."""
    return re.sub(r"[-_.]+", "_", str(project["name"])).lower(), str(project["version"])


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def _package_files() -> List[Tuple[str, bytes]]:
    files = []
    folder = os.path.join(ROOT, "src", PACKAGE)
    for name in sorted(os.listdir(folder)):
        if name.endswith(".py") or name == "py.typed":
            with open(os.path.join(folder, name), "rb") as file:
                files.append((f"{PACKAGE}/{name}", file.read()))
    return files


def _write_wheel(wheel_directory: str, contents: List[Tuple[str, bytes]]) -> str:
    project = read_project()
    dist, version = _names(project)
    info = f"{dist}-{version}.dist-info"
    contents = contents + [
        (f"{info}/METADATA", _metadata(project).encode()),
        (f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: netmon_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
        (f"{info}/top_level.txt", f"{PACKAGE}\n".encode()),
    ]
    record = "\n".join([_record_line(path, data) for path, data in contents] + [f"{info}/RECORD,,", ""])
    wheel_name = f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w", zipfile.ZIP_DEFLATED) as wheel:
        for path, data in contents + [(f"{info}/RECORD", record.encode())]:
            entry = zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0))
            entry.external_attr = 0o644 << 16
            wheel.writestr(entry, data, zipfile.ZIP_DEFLATED)
    return wheel_name


def get_requires_for_build_wheel(config_settings=None):  # noqa: D103 (PEP 517 hook)
    return []


def get_requires_for_build_sdist(config_settings=None):  # noqa: D103 (PEP 517 hook)
    return []


def get_requires_for_build_editable(config_settings=None):  # noqa: D103 (PEP 660 hook)
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    """PEP 517: a wheel of the package's modules."""
    return _write_wheel(wheel_directory, _package_files())


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    """PEP 660: a wheel whose .pth file puts this folder on sys.path."""
    return _write_wheel(wheel_directory, [(f"{PACKAGE}.pth", (os.path.join(ROOT, "src") + "\n").encode())])


def build_sdist(sdist_directory, config_settings=None):
    """PEP 517: the sources needed to build the wheel again (and the tests)."""
    project = read_project()
    dist, version = _names(project)
    base = f"{dist}-{version}"
    name = f"{base}.tar.gz"

    def clean(info: tarfile.TarInfo) -> Optional[tarfile.TarInfo]:
        if "__pycache__" in info.name or info.name.endswith(".pyc"):
            return None
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        return info

    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as archive:
        for part in SDIST_PARTS:
            path = os.path.join(ROOT, part)
            if os.path.exists(path):
                archive.add(path, arcname=f"{base}/{part}", filter=clean)
        pkg_info = _metadata(project).encode()
        entry = tarfile.TarInfo(f"{base}/PKG-INFO")
        entry.size = len(pkg_info)
        archive.addfile(entry, io.BytesIO(pkg_info))
    return name
