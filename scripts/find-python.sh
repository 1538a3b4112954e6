#!/usr/bin/env bash
# Print the path of a Python >= 3.12 for the project's virtual environment.
#
# Order: $PYTHON (if set), python3.13 and python3.12 on PATH, then pyenv installs
# ($PYENV_ROOT or ~/.pyenv) 3.12.x and 3.13.x. Candidates are run, not just found, so a pyenv
# shim that points at no installed version is skipped.
set -euo pipefail

usable() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 12) else 1)' >/dev/null 2>&1
}

candidates=()
if [[ -n "${PYTHON:-}" ]]; then
    candidates+=("$PYTHON")
fi
for name in python3.13 python3.12; do
    if path="$(command -v "$name" 2>/dev/null)"; then
        candidates+=("$path")
    fi
done
pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
shopt -s nullglob
for path in "$pyenv_root"/versions/3.12*/bin/python "$pyenv_root"/versions/3.13*/bin/python; do
    candidates+=("$path")
done

for candidate in "${candidates[@]}"; do
    if usable "$candidate"; then
        # Resolve shims to the real interpreter, so the venv does not depend on pyenv's state.
        "$candidate" -c 'import sys; print(sys.executable)'
        exit 0
    fi
done

{
    echo "error: Lotse needs Python 3.12 or 3.13, and none was found."
    echo "  looked for: \$PYTHON, python3.13, python3.12 on PATH, $pyenv_root/versions/3.1[23]*"
    echo "  found: $(command -v python3 >/dev/null 2>&1 && python3 --version 2>&1 || echo 'no python3')"
    echo "  fix: install Python 3.12 (e.g. 'pyenv install 3.12') or run 'make PYTHON=/path/to/python3.12 ...'"
} >&2
exit 1
