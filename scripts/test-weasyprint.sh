#!/usr/bin/env bash
# WeasyPrint's own test suite, run twice against the WeasyPrint installed in the venv: plain,
# then with booklet's patches installed (booklet.weasyprint_patches.registry.install(), as
# booklet's renderer installs them). Fails when a test's outcome differs between the two runs:
# a patch then changes what WeasyPrint does.
#
# The tests come from the sdist of the installed version, downloaded once into
# .booklet-weasyprint-tests/ (ignored by git through its own .gitignore). Ghostscript must be
# installed (`make test-weasyprint` installs Debian's). Entries used only by booklet's renderer
# (placeholder_fonts, document_id) are not exercised; pydyf_writer changes nothing WeasyPrint does.
# A maintainer check, not part of `make test`; about a minute a run on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${VENV:-.venv}"
[[ "$venv" == /* ]] || venv="$PWD/$venv"
python="$venv/bin/python"
version="$("$python" -c 'from importlib.metadata import version; print(version("weasyprint"))')"
work="$PWD/.booklet-weasyprint-tests"
suite="$work/weasyprint-$version"
mkdir -p "$work"
echo "*" > "$work/.gitignore"

if [ ! -d "$suite/tests" ]; then
  downloads="$work/downloads"
  if [ ! -f "$downloads/weasyprint-$version.tar.gz" ]; then
    "$python" -m pip download --quiet --no-binary :all: --no-deps --dest "$downloads" \
      "weasyprint==$version"
  fi
  unpacked="$(mktemp -d "$work/unpack.XXXXXX")"
  tar -xzf "$downloads/weasyprint-$version.tar.gz" -C "$unpacked"
  mkdir -p "$suite"
  # the tests only: the weasyprint package of the sdist stays out, the installed one is tested
  mv "$unpacked/weasyprint-$version/tests" "$suite/tests"
  rm -rf "$unpacked"
fi

# pytest's own settings for this folder, not booklet's (pyproject.toml, further up)
printf '[pytest]\n' > "$suite/pytest.ini"
cat > "$suite/booklet_patches.py" <<'EOF'
"""pytest plugin: booklet's WeasyPrint patches installed before WeasyPrint's tests are
collected (they import WeasyPrint's modules as booklet's renderer finds them)."""

import pytest

from booklet.weasyprint_patches import registry


def pytest_configure(config):
    active = registry.install()
    missing = [name for name, on in active.items() if not on and registry.BY_NAME[name].installs]
    if missing:
        raise pytest.UsageError(f"booklet's patches do not apply here: {missing}")


def pytest_sessionstart(session):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    reporter.write_line("booklet's WeasyPrint patches installed: " + ", ".join(
        name for name, on in registry.install().items() if on and registry.BY_NAME[name].installs))
EOF

run_suite() {  # name, extra pytest arguments...
  local name="$1"
  shift
  echo "WeasyPrint $version's tests, $name..."
  local started=$SECONDS status=0
  (cd "$suite" && env -u BOOKLET_WEASYPRINT_PATCHES PYTHONPATH="$suite" \
     "$python" -m pytest tests -q -p no:cacheprovider --junitxml="$work/$name.xml" "$@" \
     > "$work/$name.log" 2>&1) || status=$?
  echo "  $(tail -n 1 "$work/$name.log") ($((SECONDS - started)) s; log: $work/$name.log)"
  if [ "$status" -gt 1 ]; then  # 1: some tests failed; more: pytest could not run them
    tail -n 20 "$work/$name.log" >&2
    exit "$status"
  fi
}

run_suite plain
run_suite patched -p booklet_patches
grep -q "booklet's WeasyPrint patches installed" "$work/patched.log" || {
  echo "the patched run did not install booklet's patches: see $work/patched.log" >&2
  exit 1
}

"$python" - "$work/plain.xml" "$work/patched.xml" <<'EOF'
"""Compare the outcome of every test in the two runs' JUnit reports."""
import sys
import xml.etree.ElementTree as ElementTree
from collections import Counter


def outcomes(path):
    found = {}
    for case in ElementTree.parse(path).getroot().iter("testcase"):
        test = f"{case.get('classname')}::{case.get('name')}"
        found[test] = "passed"
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                found[test] = {"failure": "failed", "error": "error"}.get(child.tag) or (
                    "xfailed" if child.get("type") == "pytest.xfail" else "skipped")
                break
    return found


plain, patched = outcomes(sys.argv[1]), outcomes(sys.argv[2])
for name, found in (("plain", plain), ("patched", patched)):
    counts = Counter(found.values())
    print(f"{name}: " + ", ".join(f"{counts[kind]} {kind}" for kind in
                                  ("passed", "failed", "error", "xfailed", "skipped") if counts[kind]))
print("failed in both:", ", ".join(sorted(test for test in plain
                                          if plain[test] in ("failed", "error")
                                          and patched.get(test) == plain[test])) or "none")
differing = sorted(test for test in plain.keys() | patched.keys()
                   if plain.get(test) != patched.get(test))
for test in differing:
    print(f"DIFFERS: {test}: plain {plain.get(test, 'not run')}, "
          f"patched {patched.get(test, 'not run')}")
if differing:
    sys.exit(f"{len(differing)} tests differ with booklet's patches installed")
print("Same outcome for every test with and without booklet's patches.")
EOF
