#!/usr/bin/env bash
# Debian packages booklet needs, installed only when missing:
#   libpango-1.0-0, libpangoft2-1.0-0, fontconfig: WeasyPrint's text layout
#   libharfbuzz-subset0: font subsetting with HarfBuzz (without it WeasyPrint
#                        falls back to fontTools, 10-35x slower with CJK fonts)
#   poppler-utils: pdffonts, pdftotext, pdftoppm, used by the tests to read PDFs
# Extra packages given as arguments are installed too: `make test` adds chromium,
# the browser the end-to-end tests of `booklet serve` drive through Playwright,
# and qpdf, which checks the structure of every kind of PDF booklet writes.
set -euo pipefail
packages=(libpango-1.0-0 libpangoft2-1.0-0 fontconfig libharfbuzz-subset0 poppler-utils "$@")
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
