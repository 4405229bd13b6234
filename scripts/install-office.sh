#!/usr/bin/env bash
# Install what the layout tests and `reportgen build --pdf` need on Debian/Ubuntu:
# LibreOffice Writer (headless), poppler-utils, pandoc, free CJK stand-in fonts, and the
# fontconfig alias file that maps the official font names (仿宋_GB2312, 黑体, ...) to them.
# Safe to run again; does nothing that is already done. Needs root (or sudo).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
packages=(libreoffice-writer-nogui poppler-utils pandoc fontconfig fonts-noto-cjk fonts-arphic-uming
          fonts-arphic-ukai fonts-arphic-gkai00mp fonts-arphic-gbsn00lp fonts-wqy-zenhei fonts-liberation2)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
alias_file=/etc/fonts/conf.d/64-gongwen-cjk-aliases.conf
if ! cmp -s "$here/fonts/64-gongwen-cjk-aliases.conf" "$alias_file"; then
  $sudo install -m 0644 "$here/fonts/64-gongwen-cjk-aliases.conf" "$alias_file"
  $sudo fc-cache -f >/dev/null
fi
