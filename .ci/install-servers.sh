#!/usr/bin/env bash
# Installs the real Prometheus and Pushgateway (Debian packages) that the
# integration tests run on loopback (see test/support/prometheus-stack.ts).
# Idempotent: does nothing when both binaries are already there.
set -euo pipefail

PACKAGES=(prometheus prometheus-pushgateway)
BINARIES=(/usr/bin/prometheus /usr/bin/prometheus-pushgateway)
# The packaged units; stopped after install so nothing holds 9090/9091/9100.
UNITS=(prometheus prometheus-pushgateway prometheus-node-exporter)

missing=()
for bin in "${BINARIES[@]}"; do
  [[ -x "$bin" ]] || missing+=("$bin")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-servers: prometheus and prometheus-pushgateway already installed, nothing to do"
  exit 0
fi

# apt needs root; fall back to sudo only where it exists.
SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
  else
    echo "install-servers: need root (or sudo) to install ${PACKAGES[*]}" >&2
    exit 1
  fi
fi

# The tests start their own servers on random ports; the packages' postinst
# would otherwise start the system services on the default ports. A
# policy-rc.d that answers 101 is Debian's way of saying "start nothing".
# Only add one when none exists, and remove only the one we added.
POLICY=/usr/sbin/policy-rc.d
added_policy=0
if [[ ! -e "$POLICY" ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$POLICY" >/dev/null
  "${SUDO[@]}" chmod 755 "$POLICY"
  added_policy=1
fi
cleanup() {
  if [[ $added_policy -eq 1 ]]; then "${SUDO[@]}" rm -f "$POLICY"; fi
}
trap cleanup EXIT

log=$(mktemp)
if ! {
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends "${PACKAGES[@]}"
} >"$log" 2>&1; then
  echo "install-servers: apt-get failed; its output:" >&2
  cat "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"

# Belt and braces for machines where systemd runs and policy-rc.d was not
# honoured: stop whatever the packages started.
stopped=()
if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
  for unit in "${UNITS[@]}"; do
    if systemctl is-active --quiet "$unit" 2>/dev/null; then
      "${SUDO[@]}" systemctl stop "$unit" && stopped+=("$unit")
    fi
  done
fi

for bin in "${BINARIES[@]}"; do
  if [[ ! -x "$bin" ]]; then
    echo "install-servers: $bin still missing after apt-get install" >&2
    exit 1
  fi
done

msg="install-servers: installed ${PACKAGES[*]} ($(/usr/bin/prometheus --version 2>&1 | head -n1 | awk '{print $3}'), pushgateway $(/usr/bin/prometheus-pushgateway --version 2>&1 | head -n1 | awk '{print $3}'))"
if [[ ${#stopped[@]} -gt 0 ]]; then msg+="; stopped services: ${stopped[*]}"; fi
echo "$msg"
