#!/usr/bin/env bash
# Vendors the pinned front-end packages from the npm registry into assets/vendor (issue 17).
# No build chain: the compiled files are copied as published, with their licences.
#
#   bash assets/vendor.sh
#
# - govuk-frontend: the compiled CSS and JS and the images Homeward serves. The GDS
#   Transport font is licensed for GOV.UK services only, so its files are not vendored
#   and its @font-face rules are removed (text falls back to Arial, as GOV.UK Frontend
#   does for services off GOV.UK).
# - axe-core: used by the browser tests only, never served.
set -euo pipefail

GOVUK_FRONTEND=6.6.0
AXE_CORE=4.14.1

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "govuk-frontend@$GOVUK_FRONTEND" "axe-core@$AXE_CORE" >/dev/null
mkdir govuk axe
tar xzf "govuk-frontend-$GOVUK_FRONTEND.tgz" -C govuk --strip-components=1
tar xzf "axe-core-$AXE_CORE.tgz" -C axe --strip-components=1

out=$here/vendor/govuk-frontend
rm -rf "$out" && mkdir -p "$out/images"
sed -E 's/@font-face\{[^}]*\}//g' govuk/dist/govuk/govuk-frontend.min.css >"$out/govuk-frontend.min.css"
cp govuk/dist/govuk/govuk-frontend.min.js "$out/"
cp govuk/dist/govuk/assets/images/favicon.ico govuk/dist/govuk/assets/images/favicon.svg "$out/images/"
sed -n '/^## Licence/,$p' govuk/README.md >"$out/LICENCE.md"
echo "$GOVUK_FRONTEND" >"$out/VERSION"

out=$here/vendor/axe-core
rm -rf "$out" && mkdir -p "$out"
cp axe/axe.min.js axe/LICENSE "$out/"
echo "$AXE_CORE" >"$out/VERSION"
echo "vendored govuk-frontend $GOVUK_FRONTEND and axe-core $AXE_CORE into $here/vendor"
