"""Manifest check (a pre-commit hook): what the manifest lists exists, and every data file
of the addon is listed, so a view or record written but forgotten in the manifest (it
would silently never load) or a file renamed without updating it fails before commit."""

import ast
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA_FOLDERS = ("data", "demo", "report", "security", "views", "wizard")
VERSION = re.compile(r"^19\.0\.\d+\.\d+\.\d+$")


def problems():
    manifest = ast.literal_eval((ROOT / "__manifest__.py").read_text(encoding="utf-8"))
    found = []
    if not VERSION.match(manifest.get("version", "")):
        found.append(f"version {manifest.get('version')!r} is not 19.0.x.y.z")
    for key in ("name", "summary", "license", "author", "depends"):
        if not manifest.get(key):
            found.append(f"the manifest has no {key!r}")
    listed = set()
    for key in ("data", "demo"):
        for name in manifest.get(key, []):
            listed.add(name)
            if not (ROOT / name).is_file():
                found.append(f"{key} lists {name}, which does not exist")
    for patterns in manifest.get("assets", {}).values():
        for pattern in patterns:
            relative = pattern.removeprefix("account_dunning/")
            if not any(ROOT.glob(relative)):
                found.append(f"assets list {pattern}, which matches no file")
    for folder in DATA_FOLDERS:
        for path in sorted((ROOT / folder).glob("*")):
            if path.suffix in (".xml", ".csv") and str(path.relative_to(ROOT)) not in listed:
                found.append(f"{path.relative_to(ROOT)} is in no 'data' or 'demo' list of the manifest")
    return found


def main():
    found = problems()
    for problem in found:
        print(f"__manifest__.py: {problem}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
