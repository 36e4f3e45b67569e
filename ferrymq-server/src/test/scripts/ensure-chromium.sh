#!/usr/bin/env bash
# Makes sure WebUiBrowserTest has its headless browser: does nothing when `chromium` and `chromedriver` are on PATH,
# otherwise installs the Debian packages chromium and chromium-driver with apt-get (as root, or through a
# password-less sudo). Exits non-zero with a message saying what to do when it cannot.
# Run by the build before the tests when CI=true (the ensure-chromium profile in ferrymq-server/pom.xml).
# Uses only bash built-ins besides apt-get/sudo, so a test can run it with a PATH of stand-ins.
set -euo pipefail

PACKAGES=(chromium chromium-driver)

have_browser() {
  command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1
}

fail() {
  echo "ensure-chromium: $*" >&2
  echo "ensure-chromium: WebUiBrowserTest needs chromium and chromedriver on PATH; install them with" \
       "'apt-get install -y ${PACKAGES[*]}' (Debian/Ubuntu) and build again" >&2
  exit 1
}

if have_browser; then
  echo "ensure-chromium: found $(command -v chromium) and $(command -v chromedriver)"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || fail "chromium or chromedriver is missing and there is no apt-get to install them"
as_root=()
if [ "${EUID}" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || fail "chromium or chromedriver is missing and installing needs root (no sudo)"
  as_root=(sudo -n)
fi

echo "ensure-chromium: chromium or chromedriver is missing; installing ${PACKAGES[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q || fail "'apt-get update' failed (is a Debian mirror reachable?)"
"${as_root[@]}" apt-get install -y -q "${PACKAGES[@]}" || fail "'apt-get install -y ${PACKAGES[*]}' failed"
have_browser || fail "apt-get installed ${PACKAGES[*]} but chromium or chromedriver is still not on PATH"
echo "ensure-chromium: installed $(command -v chromium) and $(command -v chromedriver)"
