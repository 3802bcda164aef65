#!/usr/bin/env bash
# ci/setup.sh: installs every Debian package tandem needs (DESIGN.md, "Dependencies"), and the
# npm package of the report's browser test. Idempotent; quiet when everything is present.
# Needs root (or sudo) when something is missing.
set -euo pipefail

PACKAGES=(
  build-essential g++ cmake ninja-build ccache pkg-config git python3
  catch2 wabt nlohmann-json3-dev libcli11-dev libfmt-dev
  libcapstone-dev libz3-dev libunicorn-dev
  binaryen clang-14 lld-14 libclang-rt-14-dev wasi-libc
  qemu-user-static g++-aarch64-linux-gnu
  chromium libjs-chart.js
)

# V8, for the v8-liftoff and v8-turbofan engines, comes with node: Node 20 where it is installed
# already (CI machines), else Debian's nodejs.
command -v node >/dev/null || PACKAGES+=(nodejs)
# npm installs puppeteer-core for the report's browser test (below).
command -v npm >/dev/null || PACKAGES+=(npm)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null; then SUDO=sudo; else
      echo "ci/setup.sh: missing packages (${missing[*]}) and not root; install them or run as root" >&2
      exit 2
    fi
  fi
  echo "ci/setup.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# puppeteer-core, pinned in package.json and package-lock.json, for the browser test of
# `tandem report` (reports/tests/browser/): it drives Debian's chromium and downloads no browser.
# Installed again only when the lock file changed.
cd "$(dirname "$0")/.."
if ! cmp -s package-lock.json node_modules/.tandem-package-lock.json; then
  echo "ci/setup.sh: npm ci (puppeteer-core)" >&2
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  cp package-lock.json node_modules/.tandem-package-lock.json
fi
