#!/usr/bin/env bash
# Builds (once) the Kubernetes control-plane binaries used by the e2e tests:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kubectl,
# from source at pinned versions, through the Go module proxy.
#
# Binaries are cached outside the repository in
#   ${FLUXORA_CACHE:-$HOME/.cache/fluxora}/k8s/<k8sVersion>-etcd<etcdVersion>/bin/
# and the directory holding bin/ is printed on the last line of stdout.
#
# If KUBEBUILDER_ASSETS points to a directory holding etcd and kube-apiserver,
# those binaries are used; whatever it lacks is built into the cache, and a
# directory of symlinks combining both is printed instead.
#
# All progress goes to stderr; stdout carries only the final directory.
set -euo pipefail

K8S_VERSION="${FLUXORA_K8S_VERSION:-v1.34.4}"
ETCD_VERSION="${FLUXORA_ETCD_VERSION:-v3.6.16}"
# The staging modules (k8s.io/api, k8s.io/apiserver, ...) are tagged v0.X.Y for k8s v1.X.Y.
STAGING_VERSION="v0.${K8S_VERSION#v1.}"

GO="${GO:-}"
if [[ -z "$GO" ]]; then
  if command -v go >/dev/null 2>&1; then GO="$(command -v go)"; else GO=/usr/local/go/bin/go; fi
fi

CACHE_ROOT="${FLUXORA_CACHE:-$HOME/.cache/fluxora}"
OUT_DIR="$CACHE_ROOT/k8s/${K8S_VERSION}-etcd${ETCD_VERSION}"
BIN_DIR="$OUT_DIR/bin"
SRC_DIR="$CACHE_ROOT/k8s/src/${K8S_VERSION}-etcd${ETCD_VERSION}"

ALL_BINS=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl)

log() { printf '[fluxora e2e build] %s\n' "$*" >&2; }
die() { printf '[fluxora e2e build] ERROR: %s\n' "$*" >&2; exit 1; }

is_exec() { [[ -f "$1" && -x "$1" ]]; }

# --- which binaries come from KUBEBUILDER_ASSETS --------------------------------
declare -A FROM_ASSETS=()
if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
  if is_exec "$KUBEBUILDER_ASSETS/etcd" && is_exec "$KUBEBUILDER_ASSETS/kube-apiserver"; then
    for b in "${ALL_BINS[@]}"; do
      if is_exec "$KUBEBUILDER_ASSETS/$b"; then FROM_ASSETS[$b]=1; fi
    done
    log "using KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS for: ${!FROM_ASSETS[*]}"
  else
    log "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks etcd or kube-apiserver; ignoring it"
  fi
fi

missing=()
for b in "${ALL_BINS[@]}"; do
  [[ -n "${FROM_ASSETS[$b]:-}" ]] && continue
  is_exec "$BIN_DIR/$b" || missing+=("$b")
done

build_all() {
  [[ -x "$GO" ]] || die "go toolchain not found (looked for '$GO'); install Go >= 1.24 or set GO=/path/to/go"
  mkdir -p "$BIN_DIR" "$SRC_DIR"
  # GOTOOLCHAIN=local: never fetch another toolchain. The builds run with the
  # default -mod=readonly, so nothing is resolved beyond what `go get` pinned.
  export CGO_ENABLED=0 GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
  local started=$SECONDS

  # Re-check under the lock: another process may have built them meanwhile.
  local todo=()
  for b in "${missing[@]}"; do is_exec "$BIN_DIR/$b" || todo+=("$b"); done
  [[ ${#todo[@]} -eq 0 ]] && return 0
  log "building ${todo[*]} into $BIN_DIR (k8s $K8S_VERSION, etcd $ETCD_VERSION, $("$GO" version))"

  local want_etcd=0 k8s_cmds=()
  for b in "${todo[@]}"; do
    if [[ "$b" == etcd ]]; then want_etcd=1; else k8s_cmds+=("$b"); fi
  done

  if [[ $want_etcd -eq 1 ]]; then
    local m="$SRC_DIR/etcd"
    rm -rf "$m" && mkdir -p "$m"
    # NB: `set -e` does not apply inside `( ... ) || die`, hence the explicit `|| exit 1`.
    (
      cd "$m" || exit 1
      "$GO" mod init fluxora.local/e2e-etcd-build >&2 || exit 1
      # The etcd binary's main package is the root package of the server module.
      "$GO" get -tool "go.etcd.io/etcd/server/v3@${ETCD_VERSION}" >&2 || exit 1
      "$GO" build -trimpath -ldflags="-s -w" \
        -o "$BIN_DIR/.etcd.tmp" go.etcd.io/etcd/server/v3 >&2 || exit 1
      out="$("$BIN_DIR/.etcd.tmp" --version)" || exit 1
      grep -qx "etcd Version: ${ETCD_VERSION#v}" <<<"$out" ||
        { echo "built etcd does not report version ${ETCD_VERSION#v}: $out" >&2; exit 1; }
    ) || die "building etcd ${ETCD_VERSION} failed (see output above)"
    mv -f "$BIN_DIR/.etcd.tmp" "$BIN_DIR/etcd"
    log "etcd built ($((SECONDS - started))s elapsed)"
  fi

  if [[ ${#k8s_cmds[@]} -gt 0 ]]; then
    local m="$SRC_DIR/kubernetes"
    rm -rf "$m" && mkdir -p "$m"
    (
      cd "$m" || exit 1
      "$GO" mod init fluxora.local/e2e-k8s-build >&2 || exit 1
      # k8s.io/kubernetes requires its staging modules at v0.0.0 (its own go.mod
      # replaces them with ./staging/...); point each at the published v0.X.Y.
      local gomod
      gomod="$("$GO" mod download -json "k8s.io/kubernetes@${K8S_VERSION}" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
      [[ -f "$gomod" ]] || { echo "cannot download go.mod of k8s.io/kubernetes@${K8S_VERSION}" >&2; exit 1; }
      local staging
      staging="$(awk '/^[[:space:]]*k8s\.io\/[^ ]+ v0\.0\.0([[:space:]]|$)/ {print $1}' "$gomod" | sort -u)"
      [[ -n "$staging" ]] || { echo "no staging modules found in $gomod" >&2; exit 1; }
      {
        echo
        echo "replace ("
        for mod in $staging; do echo "	$mod => $mod $STAGING_VERSION"; done
        echo ")"
      } >> go.mod || exit 1
      "$GO" mod edit -require="k8s.io/kubernetes@${K8S_VERSION}" || exit 1
      local pkgs=()
      for c in "${k8s_cmds[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
      for p in "${pkgs[@]}"; do "$GO" get -tool "$p@${K8S_VERSION}" >&2 || exit 1; done
      local ver_minor="${K8S_VERSION#v1.}"; ver_minor="${ver_minor%%.*}"
      local x=""
      for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        x+=" -X ${pkg}.gitVersion=${K8S_VERSION} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${ver_minor}"
        x+=" -X ${pkg}.gitTreeState=clean -X ${pkg}.buildDate=1970-01-01T00:00:00Z"
      done
      mkdir -p "$BIN_DIR/.k8s.tmp" || exit 1
      "$GO" build -trimpath -ldflags="-s -w${x}" -o "$BIN_DIR/.k8s.tmp/" "${pkgs[@]}" >&2 || exit 1
    ) || die "building ${k8s_cmds[*]} from k8s.io/kubernetes ${K8S_VERSION} failed (see output above)"
    for c in "${k8s_cmds[@]}"; do
      is_exec "$BIN_DIR/.k8s.tmp/$c" || die "go build did not produce $c"
      # (capture first: `cmd | grep -q` can fail on SIGPIPE under pipefail)
      if [[ "$c" == kubectl ]]; then
        out="$("$BIN_DIR/.k8s.tmp/$c" version --client 2>&1)" || true
        grep -qx "Client Version: ${K8S_VERSION}" <<<"$out" ||
          die "built kubectl does not report version ${K8S_VERSION}: $out"
      else
        out="$("$BIN_DIR/.k8s.tmp/$c" --version 2>&1)" || true
        grep -qx "Kubernetes ${K8S_VERSION}" <<<"$out" ||
          die "built $c does not report version ${K8S_VERSION}: $out"
      fi
      mv -f "$BIN_DIR/.k8s.tmp/$c" "$BIN_DIR/$c"
    done
    rmdir "$BIN_DIR/.k8s.tmp" 2>/dev/null || true
    log "${k8s_cmds[*]} built ($((SECONDS - started))s elapsed)"
  fi
  printf '%s\n' "k8s=${K8S_VERSION} etcd=${ETCD_VERSION} $("$GO" version)" > "$OUT_DIR/VERSIONS"
  log "build finished in $((SECONDS - started))s"
}

if [[ ${#missing[@]} -gt 0 ]]; then
  mkdir -p "$OUT_DIR"
  if command -v flock >/dev/null 2>&1; then
    # Serialise concurrent builds of the same versions.
    exec 9>"$OUT_DIR/.build.lock"
    flock 9
  fi
  build_all
fi

for b in "${ALL_BINS[@]}"; do
  [[ -n "${FROM_ASSETS[$b]:-}" ]] && continue
  is_exec "$BIN_DIR/$b" || die "$BIN_DIR/$b is missing after the build"
done

if [[ ${#FROM_ASSETS[@]} -gt 0 ]]; then
  # Combine KUBEBUILDER_ASSETS and built binaries in one directory of symlinks.
  assets_real="$(cd "$KUBEBUILDER_ASSETS" && pwd -P)"
  key="$(printf '%s' "$assets_real" | cksum | cut -d' ' -f1)"
  MIX_DIR="$CACHE_ROOT/k8s/assets-${key}-${K8S_VERSION}-etcd${ETCD_VERSION}"
  mkdir -p "$MIX_DIR/bin"
  for b in "${ALL_BINS[@]}"; do
    if [[ -n "${FROM_ASSETS[$b]:-}" ]]; then src="$assets_real/$b"; else src="$BIN_DIR/$b"; fi
    ln -sfn "$src" "$MIX_DIR/bin/$b"
  done
  echo "$MIX_DIR"
else
  echo "$OUT_DIR"
fi
