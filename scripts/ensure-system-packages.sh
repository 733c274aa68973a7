#!/bin/sh
# Installs the Debian packages the test suite needs, when they are missing.
#
#   chromium                  headless browser for the end-to-end tests (Playwright drives it)
#   fonts-dejavu-core         Latin and Cyrillic glyphs for pages and PDFs
#   fonts-noto-core           Kazakh letters (ә, ғ, қ, ң, ө, ұ, ү, һ, і) in every weight
#   libpango/pangoft2/harfbuzz  text layout for PDF rendering
#   gettext                   msgfmt/xgettext for makemessages and compilemessages
#   poppler-utils             pdftoppm: the browser tests render report PDFs as images
#
# On Ubuntu the chromium package is a snap wrapper that does not run everywhere; point
# KASKAD_CHROMIUM at another Chromium or Chrome binary if the browser tests cannot start it.
#
# Quiet when everything is present. Installs only as root or with passwordless sudo;
# otherwise lists what is missing and carries on (the end-to-end tests then skip,
# unless KASKAD_REQUIRE_E2E=1 makes them fail).
set -eu

PACKAGES="chromium fonts-dejavu-core fonts-noto-core libpango-1.0-0 libpangoft2-1.0-0 \
libharfbuzz0b gettext poppler-utils"

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "ensure-system-packages: not a Debian-based system; install by hand: $PACKAGES" >&2
    exit 0
fi

missing=""
for pkg in $PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing="$missing $pkg" ;;
    esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root="sudo -n"
else
    echo "ensure-system-packages: missing Debian packages:$missing" >&2
    echo "  install them with: sudo apt-get install$missing" >&2
    echo "  (tests that need them will be skipped)" >&2
    exit 0
fi

echo "ensure-system-packages: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt_get() {
    $as_root env DEBIAN_FRONTEND=noninteractive apt-get "$@" </dev/null
}
# Quiet on success; on failure show apt's own output so the cause is visible.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! apt_get update -qq >"$log" 2>&1; then
    cat "$log" >&2
fi
if ! apt_get install -y -qq --no-install-recommends $missing >>"$log" 2>&1; then
    # One unknown package (another distribution's name) must not hold back the others.
    failed=""
    for pkg in $missing; do
        apt_get install -y -qq --no-install-recommends "$pkg" >>"$log" 2>&1 || failed="$failed $pkg"
    done
    if [ -n "$failed" ]; then
        grep -E '^(E|W):' "$log" >&2 || cat "$log" >&2
        echo "ensure-system-packages: could not install$failed; tests that need them will be skipped" >&2
    fi
fi
exit 0
