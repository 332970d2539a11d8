#!/usr/bin/env bash
# Replaces the vendored Swagger UI with swagger-ui-dist VERSION from the npm registry.
set -euo pipefail
version="${1:?usage: app/docs/assets/update.sh VERSION (of the npm package swagger-ui-dist)}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "swagger-ui-dist@$version" >/dev/null && tar -xzf ./*.tgz)
for file in swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css \
    favicon-32x32.png LICENSE NOTICE; do
    cp "$work/package/$file" "$here/$file"
done
printf '%s\n' "$version" >"$here/VERSION"
echo "Swagger UI $version vendored; run the docs' browser test (tests/docs) before committing."
