#!/usr/bin/env bash
# Refresh the built front-end assets that web/ serves, from the npm registry, into web/static/vendor/.
#
# Only whoever updates the assets needs npm; running and testing the platform uses the files committed
# under web/static/vendor/. GOV.UK Frontend is pinned at the release that the PyPI package
# govuk-frontend-jinja (requirements.txt) targets, per that package's README table: move both together.
#
#   tools/update_govuk_assets.sh            # then: git diff --stat web/static/vendor
set -euo pipefail

GOVUK_FRONTEND_VERSION=6.3.0   # govuk-frontend-jinja 4.1.0 targets GOV.UK Frontend 6.3.0
SWAGGER_UI_VERSION=5.35.0      # the gateway's /docs

REPO="$(cd "$(dirname "$0")/.." && pwd)"
VENDOR="$REPO/web/static/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm pack --silent "govuk-frontend@$GOVUK_FRONTEND_VERSION" "swagger-ui-dist@$SWAGGER_UI_VERSION" >/dev/null
mkdir govuk swagger
tar xzf "govuk-frontend-$GOVUK_FRONTEND_VERSION.tgz" -C govuk
tar xzf "swagger-ui-dist-$SWAGGER_UI_VERSION.tgz" -C swagger

rm -rf "$VENDOR/govuk-frontend" "$VENDOR/swagger-ui"
mkdir -p "$VENDOR/govuk-frontend" "$VENDOR/swagger-ui"
cp govuk/package/dist/govuk/govuk-frontend.min.js "$VENDOR/govuk-frontend/"
cp govuk/package/package.json "$VENDOR/govuk-frontend/package.json"  # names its licence (MIT)
cp swagger/package/swagger-ui-bundle.js swagger/package/swagger-ui.css swagger/package/LICENSE "$VENDOR/swagger-ui/"

# No GOV.UK brand: the GDS Transport font is for GOV.UK only, so its @font-face rules go and every
# font stack becomes the system's own; the crown crest image goes too.
python3 - "$WORK/govuk/package/dist/govuk/govuk-frontend.min.css" "$VENDOR/govuk-frontend/govuk-frontend.min.css" <<'PY'
import re, sys
css = open(sys.argv[1], encoding="utf-8").read()
css = re.sub(r"@font-face\{font-family:GDS Transport;[^}]*\}", "", css)
stack = 'system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif'
css = css.replace("font-family:GDS Transport,arial,sans-serif", "font-family:" + stack)
css = css.replace("font-family:GDS Transport", "font-family:" + stack)
css = css.replace("url(/assets/images/govuk-crest.svg)", "none")
assert "GDS Transport" not in css and "/assets/" not in css, "the stylesheet still names GOV.UK's font or assets"
open(sys.argv[2], "w", encoding="utf-8").write(css)
PY

cat > "$VENDOR/VERSIONS" <<TXT
govuk-frontend $GOVUK_FRONTEND_VERSION (npm; govuk-frontend.min.css without GDS Transport, govuk-frontend.min.js)
swagger-ui-dist $SWAGGER_UI_VERSION (npm; swagger-ui-bundle.js, swagger-ui.css)
TXT
echo "Updated $VENDOR:"; cat "$VENDOR/VERSIONS"
