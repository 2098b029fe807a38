# Sourced by bin/run and bin/test: make .venv and install the requirements when they changed.
# Usage: source bin/_venv.sh requirements.txt|requirements-dev.txt
set -euo pipefail
requirements="$1"
python_bin="${PYTHON:-}"
if [ -z "$python_bin" ]; then
  if command -v python3.11 >/dev/null 2>&1; then python_bin=python3.11; else python_bin=python3; fi
fi
if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv with $($python_bin --version)…"
  "$python_bin" -m venv .venv
fi
stamp=".venv/.installed-$(cat requirements.txt "$requirements" | sha256sum | cut -c1-16)-$(basename "$requirements")"
if [ ! -f "$stamp" ]; then
  echo "Installing $requirements into .venv (first run takes a few minutes)…"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
  rm -f .venv/.installed-*-"$(basename "$requirements")"
  touch "$stamp"
fi
if [ ! -f .env ]; then
  # Development settings for this checkout, so manage.py works without exporting anything.
  printf '# Written by bin/run or bin/test for local development; not used in production.\nDJANGO_DEBUG=true\n' > .env
fi
export PATH="$PWD/.venv/bin:$PATH"
