#!/usr/bin/env bash
# Build the front-end assets into static/build/ (git-ignored): GOV.UK Frontend compiled with our Sass
# settings, its JavaScript, htmx and our app.js, and the GOV.UK images the CSS refers to.
# Run from anywhere: bash scripts/build_static.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Install (or reinstall) the locked packages when node_modules is missing or older than the lock file.
if [[ ! -d node_modules || package-lock.json -nt node_modules ]]; then
  npm ci --no-audit --no-fund
  touch node_modules
fi

govuk=node_modules/govuk-frontend/dist/govuk
out=static/build

mkdir -p "$out/assets"

node_modules/.bin/sass \
  --no-source-map \
  --style=compressed \
  --load-path=node_modules \
  static/src/app.scss "$out/app.css"

# The source map comment is dropped: ManifestStaticFilesStorage would otherwise demand the .map file.
sed '/^\/\/# sourceMappingURL=/d; s#//\# sourceMappingURL=[^ ]*$##' \
  "$govuk/govuk-frontend.min.js" > "$out/govuk-frontend.min.js"
cp node_modules/htmx.org/dist/htmx.min.js "$out/htmx.min.js"
cp static/src/app.js "$out/app.js"

# Only images: the fonts are GDS Transport, which this service must not use.
rm -rf "$out/assets/images"
cp -R "$govuk/assets/images" "$out/assets/images"

echo "Built $out: $(cd "$out" && find . -type f | sort | tr '\n' ' ')"
