#!/usr/bin/env bash
# Builds helm from its Go module at a pinned version into the same cache as the
# control plane (${FLUXORA_CACHE:-$HOME/.cache/fluxora}/helm/<version>/bin/helm),
# unless it is already there; prints the binary's path on the last line.
set -euo pipefail
HELM_VERSION="${FLUXORA_HELM_VERSION:-v3.19.0}"
CACHE="${FLUXORA_CACHE:-$HOME/.cache/fluxora}/helm/${HELM_VERSION}"
GO="${GO:-}"
if [[ -z "$GO" ]]; then
  if command -v go >/dev/null 2>&1; then GO="$(command -v go)"; else GO=/usr/local/go/bin/go; fi
fi
if [[ ! -x "$CACHE/bin/helm" ]]; then
  [[ -x "$GO" ]] || { echo "ERROR: go toolchain not found (looked for '$GO')" >&2; exit 1; }
  mkdir -p "$CACHE/bin"
  echo "building helm ${HELM_VERSION} from its Go module (first use only)..." >&2
  GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$CACHE/bin" "$GO" install -trimpath -ldflags="-s -w" "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}" >&2 \
    || { echo "ERROR: building helm ${HELM_VERSION} failed" >&2; exit 1; }
fi
"$CACHE/bin/helm" version --short >&2
echo "$CACHE/bin/helm"
