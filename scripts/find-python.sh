#!/bin/sh
# Print the path of a Python >= 3.12 interpreter (Django 6.1 needs it).
# Order: $PYTHON, python3.13/python3.12 on PATH, pyenv builds, then python3.
for candidate in "$PYTHON" python3.13 python3.12 \
    /root/.pyenv/versions/3.13*/bin/python3 /root/.pyenv/versions/3.12*/bin/python3 \
    "$HOME"/.pyenv/versions/3.13*/bin/python3 "$HOME"/.pyenv/versions/3.12*/bin/python3 \
    /usr/bin/python3.13 /usr/bin/python3.12 python3; do
    [ -n "$candidate" ] || continue
    path=$(command -v "$candidate" 2>/dev/null) || continue
    if "$path" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
        echo "$path"
        exit 0
    fi
done
echo "No Python >= 3.12 found; install one or pass PYTHON=/path/to/python3.12" >&2
exit 1
