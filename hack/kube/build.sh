#!/usr/bin/env bash
# Builds the Kubernetes control-plane binaries Quotient's tests and local runs use, from Go
# modules (no prebuilt binaries can be downloaded on our machines):
#   etcd kube-apiserver kube-controller-manager kube-scheduler kubectl  (module ./go.mod)
#   kwok                                                                (module ./kwok/go.mod)
# into ${QUOTIENT_KUBE_CACHE:-$HOME/.cache/quotient/kube}/<k8s-version>/bin/ and lays out
# <cache>/kubeapitest/k8s/<version>-linux-amd64/{etcd,kube-apiserver,kubectl} (symlinks) so
# that KUBE_API_TEST_DIR=<cache>/kubeapitest works for fabric8's io.fabric8:kube-api-test.
#
# Does nothing (well under a second) when everything is already built for the same go.mod/
# go.sum. The LAST line on stdout is the bin directory; everything else goes to stderr.
# First build on 2 cores: see README.md (about 10 minutes, Go build cache cold).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${QUOTIENT_KUBE_CACHE:-$HOME/.cache/quotient/kube}"

die() { echo "hack/kube/build.sh: ERROR: $*" >&2; exit 1; }

# Single source of truth for versions: the go.mod files next to this script.
modver() { # <go.mod> <module path>
  awk -v m="$2" '$1 == m && $2 ~ /^v/ { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$1"
}
K8S_VERSION="$(modver "$HERE/go.mod" k8s.io/kubernetes)"
[[ -n "$K8S_VERSION" ]] || die "cannot read the k8s.io/kubernetes version from $HERE/go.mod"
KWOK_VERSION="$(modver "$HERE/kwok/go.mod" sigs.k8s.io/kwok)"
[[ -n "$KWOK_VERSION" ]] || die "cannot read the sigs.k8s.io/kwok version from $HERE/kwok/go.mod"

BIN="$CACHE/$K8S_VERSION/bin"
KAT_DIR="$CACHE/kubeapitest/k8s/${K8S_VERSION#v}-linux-amd64"
K8S_BINS=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl)
KWOK_BINS=(kwok)
# kwok ships no built-in stages: build.sh copies kwok's own "fast" set (what kwokctl uses:
# node-initialize, node-heartbeat-with-lease, pod-ready/complete/delete) out of the module.
STAGES="$CACHE/$K8S_VERSION/kwok/stages.yaml"
KWOK_STAGE_FILES=(node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml
  pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml)

# A stamp per module: the hash of its go.mod + go.sum, so bumping a version rebuilds.
stamp_of() { cat "$1/go.mod" "$1/go.sum" | sha256sum | cut -c1-64; }
up_to_date() { # <module dir> <stamp file> <bins...>
  local dir="$1" stamp="$2"; shift 2
  [[ -f "$stamp" && "$(<"$stamp")" == "$(stamp_of "$dir")" ]] || return 1
  local b; for b in "$@"; do [[ -x "$BIN/$b" ]] || return 1; done
}
layout_ok() {
  local b; for b in etcd kube-apiserver kubectl; do
    [[ -x "$KAT_DIR/$b" ]] || return 1
  done
}
all_ok() {
  up_to_date "$HERE" "$BIN/.stamp-k8s" "${K8S_BINS[@]}" &&
    up_to_date "$HERE/kwok" "$BIN/.stamp-kwok" "${KWOK_BINS[@]}" && [[ -f "$STAGES" ]] && layout_ok
}

# Fast path: nothing to do.
if all_ok; then echo "$BIN"; exit 0; fi

command -v go >/dev/null 2>&1 || die "the 'go' command is not on PATH (Go >= 1.26 is needed)"
command -v flock >/dev/null 2>&1 || die "'flock' (util-linux) is not on PATH"

mkdir -p "$BIN"
# Serialize concurrent builds (e.g. two test JVMs) on the same cache.
exec 9>"$CACHE/.build-$K8S_VERSION.lock"
flock 9
if all_ok; then echo "$BIN"; exit 0; fi

# -mod=readonly: a fresh clone must build from the committed go.mod/go.sum as they are.
# -buildvcs=false: this module lives inside the product repo; no VCS stamping needed.
GOFLAGS_BUILD=(-mod=readonly -buildvcs=false -trimpath)

build_module() { # <module dir> <stamp file> <ldflags> <name=package ...>
  local dir="$1" stamp="$2" ldflags="$3"; shift 3
  local tmp; tmp="$(mktemp -d "$BIN/.tmp.XXXXXX")"
  local spec name pkg
  for spec in "$@"; do
    name="${spec%%=*}"; pkg="${spec#*=}"
    echo "hack/kube/build.sh: building $name ($pkg) ..." >&2
    if ! (cd "$dir" && go build "${GOFLAGS_BUILD[@]}" -ldflags="$ldflags" -o "$tmp/$name" "$pkg") >&2; then
      rm -rf "$tmp"
      die "go build of $name ($pkg) in $dir FAILED (see the compiler output above)"
    fi
  done
  for spec in "$@"; do name="${spec%%=*}"; mv -f "$tmp/$name" "$BIN/$name"; done
  rm -rf "$tmp"
  stamp_of "$dir" >"$stamp"
}

start=$SECONDS
if ! up_to_date "$HERE" "$BIN/.stamp-k8s" "${K8S_BINS[@]}"; then
  minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  ver_ldflags="-X k8s.io/component-base/version.gitVersion=$K8S_VERSION"
  ver_ldflags+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
  ver_ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean"
  ver_ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION"
  ver_ldflags+=" -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"
  build_module "$HERE" "$BIN/.stamp-k8s" "-s -w $ver_ldflags" \
    etcd=go.etcd.io/etcd/server/v3 \
    kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver \
    kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager \
    kube-scheduler=k8s.io/kubernetes/cmd/kube-scheduler \
    kubectl=k8s.io/kubernetes/cmd/kubectl
fi
if ! up_to_date "$HERE/kwok" "$BIN/.stamp-kwok" "${KWOK_BINS[@]}"; then
  build_module "$HERE/kwok" "$BIN/.stamp-kwok" \
    "-s -w" \
    kwok=sigs.k8s.io/kwok/cmd/kwok
  rm -f "$STAGES"
fi
if [[ ! -f "$STAGES" ]]; then
  kwok_dir="$(cd "$HERE/kwok" && go list -mod=readonly -m -f '{{.Dir}}' sigs.k8s.io/kwok)" ||
    die "cannot locate the sigs.k8s.io/kwok module source (go list -m failed)"
  mkdir -p "$(dirname "$STAGES")"
  {
    echo "# kwok $KWOK_VERSION stages, copied by hack/kube/build.sh from $kwok_dir/kustomize/stage"
    for f in "${KWOK_STAGE_FILES[@]}"; do
      [[ -f "$kwok_dir/kustomize/stage/$f" ]] || die "kwok stage file $f is missing from $kwok_dir"
      echo "---"; cat "$kwok_dir/kustomize/stage/$f"
    done
  } >"$STAGES.tmp"
  mv -f "$STAGES.tmp" "$STAGES"
fi

# fabric8 kube-api-test layout: KUBE_API_TEST_DIR=$CACHE/kubeapitest
mkdir -p "$KAT_DIR"
for b in etcd kube-apiserver kubectl; do ln -sfn "$BIN/$b" "$KAT_DIR/$b"; done

all_ok || die "build finished but $BIN is still incomplete"
echo "hack/kube/build.sh: built into $BIN in $((SECONDS - start))s" >&2
echo "$BIN"
