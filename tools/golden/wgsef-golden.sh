#!/usr/bin/env bash
# Regenerates the WGSEF golden vectors used by packages/wgsef/src/golden.test.ts from the numpy reference
# implementation (shared/reference/wgsef_ref.py; needs python3 + numpy). Usage:
#   tools/golden/wgsef-golden.sh [path/to/wgsef_ref.py]
# The case count and the reference's seed (7) are fixed, so the output is reproducible.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
ref="${1:-${WGSEF_REF:-$root/../shared/reference/wgsef_ref.py}}"
count=200
out="$root/packages/wgsef/src/__fixtures__/wgsef-golden.json"
if [ ! -f "$ref" ]; then
  echo "wgsef-golden: reference implementation not found at '$ref'; pass its path as the first argument" >&2
  exit 1
fi
python3 -c 'import numpy' 2>/dev/null || { echo "wgsef-golden: python3 with numpy is required (apt-get install -y python3-numpy)" >&2; exit 1; }
python3 "$ref" golden "$count" > "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $count cases to ${out#"$root/"} ($(wc -c < "$out") bytes)"
