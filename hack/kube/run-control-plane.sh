#!/usr/bin/env bash
# Starts a real, kubelet-less Kubernetes control plane on loopback from the binaries that
# hack/kube/build.sh builds: etcd, kube-apiserver, kube-controller-manager, kube-scheduler
# and kwok (fake nodes: it makes them Ready and runs the pods bound to them).
# Then creates Quotient's three fake nodes and proves a pod gets scheduled and Running.
#
#   hack/kube/run-control-plane.sh           # start, verify, keep running; Ctrl-C stops all
#   hack/kube/run-control-plane.sh --check   # start, verify, stop everything; exit 0 or 1
#   options: --keep-workdir  keep the temp dir (certs, kubeconfigs, logs) after exit
#            --no-verify     default mode only: skip the test pod (nodes are still created)
#            --nodes FILE    create the nodes of this YAML file (Node objects or a List of
#                            them) instead of the built-in three; waits until all are Ready
#            --watch-pid PID stop everything when process PID is gone (the JVM that started
#                            us: covers a SIGKILLed parent, which runs no shutdown hook)
#   SIGUSR1  (default mode, once running) restart kube-apiserver alone, same flags and port,
#            etcd and the other components kept; <workdir>/apiserver-restarts then holds the
#            number of restarts done, written once the new one is ready
#   env:     QUOTIENT_KUBE_BIN=<dir>  use binaries from there instead of running build.sh
#   stdout:  exactly one line, the admin kubeconfig path, once the nodes are Ready
#
# Everything it starts is a child of this script and is stopped on exit (trap), whatever
# the way out. Logs: <workdir>/logs/*.log. See README.md for the flags and the snags.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODE=run KEEP=0 VERIFY=1 NODES_FILE="" WATCH_PID=""
while (($#)); do
  case "$1" in
    --check) MODE=check ;;
    --keep-workdir) KEEP=1 ;;
    --no-verify) VERIFY=0 ;;
    --nodes) NODES_FILE="${2:?--nodes needs a file}"; shift ;;
    --watch-pid) WATCH_PID="${2:?--watch-pid needs a pid}"; shift ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ -z "$NODES_FILE" || -f "$NODES_FILE" ]] || { echo "--nodes: no file $NODES_FILE" >&2; exit 2; }
[[ -z "$WATCH_PID" || "$WATCH_PID" =~ ^[0-9]+$ ]] || { echo "--watch-pid: not a pid: $WATCH_PID" >&2; exit 2; }

log() { printf '[%s %5.1fs] %s\n' "$(date +%H:%M:%S)" "$(elapsed)" "$*" >&2; }
T0=$(date +%s.%N)
elapsed() { awk -v a="$(date +%s.%N)" -v b="$T0" 'BEGIN { printf "%.1f", a - b }'; }

# ---------------------------------------------------------------- binaries
if [[ -n "${QUOTIENT_KUBE_BIN:-}" ]]; then
  BIN="$QUOTIENT_KUBE_BIN"
else
  BIN="$("$HERE/build.sh" | tail -n 1)"
fi
for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok; do
  [[ -x "$BIN/$b" ]] || { echo "missing $BIN/$b (run hack/kube/build.sh)" >&2; exit 1; }
done
STAGES="$BIN/../kwok/stages.yaml"
[[ -f "$STAGES" ]] || { echo "missing $STAGES (run hack/kube/build.sh)" >&2; exit 1; }
for t in openssl curl awk; do
  command -v "$t" >/dev/null || { echo "'$t' is needed on PATH" >&2; exit 1; }
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/quotient-kube.XXXXXX")"
mkdir -p "$WORK/pki" "$WORK/logs"
mkdir -m 700 "$WORK/etcd-data"
PIDS=() NAMES=()
CLEANED=0
cleanup() {
  local rc=$?
  [[ $CLEANED == 1 ]] && return
  CLEANED=1
  trap - INT TERM
  local i
  # Stop one by one in reverse start order (kwok, scheduler, controller-manager, apiserver,
  # etcd): an apiserver whose etcd is already gone takes ~10 s to give up on shutdown.
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    kill -TERM "${PIDS[$i]}" 2>/dev/null || continue
    local deadline=$((SECONDS + 15))
    while kill -0 "${PIDS[$i]}" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.05; done
    if kill -0 "${PIDS[$i]}" 2>/dev/null; then
      echo "${NAMES[$i]} (pid ${PIDS[$i]}) ignored SIGTERM for 15s: SIGKILL" >&2
      kill -KILL "${PIDS[$i]}" 2>/dev/null || true
    fi
    wait "${PIDS[$i]}" 2>/dev/null || true
  done
  if [[ $rc != 0 && $rc != 130 && $rc != 143 ]]; then
    echo "---- failed (exit $rc); last log lines of each component ----" >&2
    for f in "$WORK"/logs/*.log; do
      [[ -f "$f" ]] || continue
      echo "== $f" >&2; tail -n 15 "$f" >&2
    done
  fi
  if [[ $KEEP == 1 || ($rc != 0 && $MODE == check) ]]; then
    echo "work dir kept: $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  log "all stopped"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# setpriv --pdeathsig: components get SIGKILL if this script dies without cleaning up (e.g.
# SIGKILLed). Not SIGTERM: an apiserver whose etcd is gone hangs in shutdown for minutes.
PDEATH=()
if command -v setpriv >/dev/null && setpriv --pdeathsig KILL -- true 2>/dev/null; then
  PDEATH=(setpriv --pdeathsig KILL --)
fi
start() { # <name> <cmd...>
  local name="$1"; shift
  "${PDEATH[@]}" "$@" >"$WORK/logs/$name.log" 2>&1 &
  PIDS+=($!) NAMES+=("$name")
  log "started $name (pid $!)"
}
alive() { # fail fast if a component died
  local i
  if [[ -n "$WATCH_PID" ]] && ! kill -0 "$WATCH_PID" 2>/dev/null; then
    log "watched process $WATCH_PID is gone: stopping"
    return 1
  fi
  for i in "${!PIDS[@]}"; do
    kill -0 "${PIDS[$i]}" 2>/dev/null || { log "${NAMES[$i]} exited; see $WORK/logs/${NAMES[$i]}.log"; return 1; }
  done
}
wait_for() { # <what> <timeout s> <cmd...>
  local what="$1" timeout="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    alive || exit 1
    ((SECONDS < deadline)) || { log "timed out after ${timeout}s waiting for $what"; exit 1; }
    sleep 0.2
  done
  log "$what"
}

# Free loopback ports: random in 20000-32767, not currently accepting connections. Below the
# kernel's ephemeral range (32768-60999 by default): a port there can be the local end of some
# outgoing connection, which a probe does not see but which makes the bind fail ("address already
# in use": seen when several control planes ran at once).
USED=" "
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 12768))
    [[ "$USED" == *" $p "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
}
ETCD_PORT=$(free_port); USED+="$ETCD_PORT "
ETCD_PEER_PORT=$(free_port); USED+="$ETCD_PEER_PORT "
API_PORT=$(free_port); USED+="$API_PORT "
KCM_PORT=$(free_port); USED+="$KCM_PORT "
SCHED_PORT=$(free_port); USED+="$SCHED_PORT "
KWOK_PORT=$(free_port); USED+="$KWOK_PORT "
API="https://127.0.0.1:$API_PORT"

# ---------------------------------------------------------------- PKI (openssl)
# ECDSA P-256 keys (instant) except the admin client key and the service-account signing
# key, which stay RSA 2048 for the widest client compatibility (fabric8, JWT libraries).
PKI="$WORK/pki"
(
  cd "$PKI"
  ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
  ec ca.key
  openssl req -x509 -new -key ca.key -out ca.crt -days 3650 -subj "/CN=quotient-local-ca" 2>/dev/null
  cert() { # <name> <key type ec|rsa> <subject> <extendedKeyUsage> [subjectAltName]
    local ext="basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=$4"
    [[ -n "${5:-}" ]] && ext+="
subjectAltName=$5"
    if [[ $2 == rsa ]]; then openssl genrsa -out "$1.key" 2048 2>/dev/null; else ec "$1.key"; fi
    openssl req -new -key "$1.key" -out "$1.csr" -subj "$3" 2>/dev/null
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -out "$1.crt" -extfile <(echo "$ext") 2>/dev/null
    rm -f "$1.csr"
  }
  cert apiserver ec "/CN=kube-apiserver" serverAuth \
    "IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  cert admin rsa "/O=system:masters/CN=quotient-admin" clientAuth
  cert kube-controller-manager ec "/CN=system:kube-controller-manager" clientAuth
  cert kube-scheduler ec "/CN=system:kube-scheduler" clientAuth
  cert kwok ec "/O=system:masters/CN=kwok" clientAuth
  openssl genrsa -out sa.key 2048 2>/dev/null
  openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
)
log "certificates and service-account keys generated in $PKI"

b64() { base64 -w0 <"$1"; }
kubeconfig() { # <file> <client cert name>
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: quotient
  cluster:
    server: $API
    certificate-authority-data: $(b64 "$PKI/ca.crt")
users:
- name: $2
  user:
    client-certificate-data: $(b64 "$PKI/$2.crt")
    client-key-data: $(b64 "$PKI/$2.key")
contexts:
- name: quotient
  context: {cluster: quotient, user: $2}
current-context: quotient
EOF
  chmod 600 "$1"
}
KUBECONFIG_ADMIN="$WORK/admin.kubeconfig"
kubeconfig "$KUBECONFIG_ADMIN" admin
kubeconfig "$WORK/kube-controller-manager.kubeconfig" kube-controller-manager
kubeconfig "$WORK/kube-scheduler.kubeconfig" kube-scheduler
kubeconfig "$WORK/kwok.kubeconfig" kwok
k() { "$BIN/kubectl" --kubeconfig="$KUBECONFIG_ADMIN" "$@"; }

# ---------------------------------------------------------------- etcd
start etcd "$BIN/etcd" \
  --name=quotient --data-dir="$WORK/etcd-data" \
  --listen-client-urls="http://127.0.0.1:$ETCD_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster="quotient=http://127.0.0.1:$ETCD_PEER_PORT" \
  --unsafe-no-fsync=true --log-level=warn
wait_for "etcd healthy" 30 curl -fsS "http://127.0.0.1:$ETCD_PORT/health"

# ---------------------------------------------------------------- kube-apiserver
APISERVER_CMD=("$BIN/kube-apiserver"
  --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$API_PORT" \
  --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
  --client-ca-file="$PKI/ca.crt" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
  --service-cluster-ip-range=10.0.0.0/24 \
  --endpoint-reconciler-type=none \
  --authorization-mode=Node,RBAC \
  --runtime-config=admissionregistration.k8s.io/v1=true \
  --allow-privileged=true \
  --profiling=false)
start kube-apiserver "${APISERVER_CMD[@]}"
APISERVER_INDEX=$((${#PIDS[@]} - 1))
api_ready() {
  curl -fsS --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "$API/readyz"
}
wait_for "kube-apiserver ready ($API)" 60 api_ready
T_API=$(elapsed)

# ---------------------------------------------------------------- controller-manager, scheduler
start kube-controller-manager "$BIN/kube-controller-manager" \
  --kubeconfig="$WORK/kube-controller-manager.kubeconfig" \
  --authentication-kubeconfig="$WORK/kube-controller-manager.kubeconfig" \
  --authorization-kubeconfig="$WORK/kube-controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$KCM_PORT" \
  --controllers='*' \
  --use-service-account-credentials=true \
  --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
  --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
  --node-monitor-grace-period=20s --node-monitor-period=2s \
  --kube-api-qps=5000 --kube-api-burst=10000 \
  --leader-elect=false
start kube-scheduler "$BIN/kube-scheduler" \
  --kubeconfig="$WORK/kube-scheduler.kubeconfig" \
  --authentication-kubeconfig="$WORK/kube-scheduler.kubeconfig" \
  --authorization-kubeconfig="$WORK/kube-scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$SCHED_PORT" \
  --kube-api-qps=5000 --kube-api-burst=10000 \
  --leader-elect=false

# ---------------------------------------------------------------- kwok
# Quotient's own stage, beside kwok's: an ephemeral run's pod (label quotient.dev/lifetime=
# Ephemeral) runs 2 s, then its container terminates with the code of a trailing "exit N" in its
# command and args (else 0), as the embedded simulation's kubelet does (dev.quotient.sim.SimulatedRun):
# phase Succeeded for 0, Failed otherwise. kwok's own pod-complete stage only ends Jobs' pods.
RUN_STAGE="$WORK/quotient-run-stage.yaml"
cat >"$RUN_STAGE" <<'EOF_STAGE'
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: quotient-run-complete
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'
    - key: '.status.phase'
      operator: 'In'
      values: ['Running']
    - key: '.metadata.labels["quotient.dev/lifetime"]'
      operator: 'In'
      values: ['Ephemeral']
  delay:
    durationMilliseconds: 2000
  next:
    statusTemplate: |
      {{ $now := Now }}
      {{ $code := 0 }}
      {{ range .spec.containers }}
      {{ $line := join " " (concat (or .command list) (or .args list)) }}
      {{ $exit := regexFind "exit +[0-9]+[ ;]*$" $line }}
      {{ if $exit }}{{ $code = atoi (regexFind "[0-9]+" $exit) }}{{ end }}
      {{ end }}
      conditions:
      - lastTransitionTime: {{ $now | Quote }}
        status: "True"
        type: Initialized
      - lastTransitionTime: {{ $now | Quote }}
        status: "False"
        reason: PodCompleted
        type: Ready
      - lastTransitionTime: {{ $now | Quote }}
        status: "False"
        reason: PodCompleted
        type: ContainersReady
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: false
        restartCount: 0
        started: false
        state:
          terminated:
            exitCode: {{ $code }}
            finishedAt: {{ $now | Quote }}
            reason: {{ if eq $code 0 }}Completed{{ else }}Error{{ end }}
            startedAt: {{ $now | Quote }}
      {{ end }}
      phase: {{ if eq $code 0 }}Succeeded{{ else }}Failed{{ end }}
EOF_STAGE
start kwok "$BIN/kwok" \
  --config="$STAGES" --config="$RUN_STAGE" \
  --kubeconfig="$WORK/kwok.kubeconfig" \
  --manage-all-nodes=true \
  --node-lease-duration-seconds=40 \
  --cidr=10.244.0.0/16 --node-ip=127.0.0.1 \
  --server-address="127.0.0.1:$KWOK_PORT"

wait_for "kube-controller-manager healthy" 60 curl -fsSk "https://127.0.0.1:$KCM_PORT/healthz"
wait_for "kube-scheduler healthy" 60 curl -fsSk "https://127.0.0.1:$SCHED_PORT/healthz"
T_CP=$(elapsed)

# ---------------------------------------------------------------- fake nodes
builtin_nodes() {
  cat <<'EOF'
apiVersion: v1
kind: Node
metadata:
  name: pool-1
  annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0"}
  labels: {type: kwok, kubernetes.io/hostname: pool-1, kubernetes.io/os: linux, kubernetes.io/arch: amd64,
           quotient.dev/project-node: "true"}
status:
  capacity: {cpu: "8", memory: 32Gi, pods: "110"}
  allocatable: {cpu: "8", memory: 32Gi, pods: "110"}
---
apiVersion: v1
kind: Node
metadata:
  name: dedicated-1
  annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0"}
  labels: {type: kwok, kubernetes.io/hostname: dedicated-1, kubernetes.io/os: linux, kubernetes.io/arch: amd64,
           quotient.dev/dedicated-node-group: physics}
spec:
  taints:
  - {key: quotient.dev/dedicated-node-group, value: physics, effect: NoSchedule}
status:
  capacity: {cpu: "8", memory: 32Gi, pods: "110"}
  allocatable: {cpu: "8", memory: 32Gi, pods: "110"}
---
apiVersion: v1
kind: Node
metadata:
  name: gpu-1
  annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0"}
  labels: {type: kwok, kubernetes.io/hostname: gpu-1, kubernetes.io/os: linux, kubernetes.io/arch: amd64}
spec:
  taints:
  - {key: nvidia.com/gpu, value: present, effect: NoSchedule}
status:
  capacity: {cpu: "8", memory: 32Gi, pods: "110", nvidia.com/gpu: "2"}
  allocatable: {cpu: "8", memory: 32Gi, pods: "110", nvidia.com/gpu: "2"}
EOF
}
if [[ -n "$NODES_FILE" ]]; then
  k apply -f "$NODES_FILE" >/dev/null
else
  builtin_nodes | k apply -f - >/dev/null
fi
NODE_COUNT=$(k get nodes -o name | wc -l)
log "$NODE_COUNT nodes created: $(k get nodes -o name | sed 's|node/||' | paste -sd, -)"
nodes_ready() {
  [[ "$(k get nodes -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c '^True$')" == "$NODE_COUNT" ]]
}
wait_for "$NODE_COUNT nodes Ready (kwok)" 60 nodes_ready
T_NODES=$(elapsed)

if [[ $VERIFY == 1 || $MODE == check ]]; then
  wait_for "default service account exists" 60 k -n default get serviceaccount default
  k -n default apply -f - >/dev/null <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: quotient-smoke
spec:
  containers:
  - name: main
    image: registry.k8s.io/pause:3.10
    resources:
      requests: {cpu: 100m, memory: 64Mi}
EOF
  # With the built-in nodes only pool-1 is untainted; a --nodes file may have several.
  pod_running() {
    local at; at="$(k -n default get pod quotient-smoke -o jsonpath='{.spec.nodeName}/{.status.phase}')"
    if [[ -n "$NODES_FILE" ]]; then [[ "$at" == ?*/Running ]]; else [[ "$at" == "pool-1/Running" ]]; fi
  }
  wait_for "pod quotient-smoke Running" 60 pod_running
  T_POD=$(elapsed)
  # The pod must have landed on pool-1 only because the other nodes are tainted.
  k -n default delete pod quotient-smoke --wait=true --timeout=30s >/dev/null
  log "pod quotient-smoke deleted (kwok finished it)"
fi

printf 'timings: apiserver ready %.1fs, control plane healthy %.1fs, nodes Ready %.1fs%s\n' \
  "$T_API" "$T_CP" "$T_NODES" "${T_POD:+, pod Running $(printf %.1f "$T_POD")s}" >&2

if [[ $MODE == check ]]; then
  log "CHECK PASSED"
  exit 0
fi

# SIGUSR1: a fault for tests, kube-apiserver restarted with etcd kept (clients see their
# connections and watches drop, then the same server, state and port come back). Handled between
# two rounds of the loop below, so alive() never sees the apiserver missing.
APISERVER_RESTARTS=0
restart_apiserver() {
  local pid=${PIDS[$APISERVER_INDEX]}
  log "SIGUSR1: restarting kube-apiserver (pid $pid), etcd kept"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 15))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.05; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  "${PDEATH[@]}" "${APISERVER_CMD[@]}" >>"$WORK/logs/kube-apiserver.log" 2>&1 &
  PIDS[$APISERVER_INDEX]=$!
  log "started kube-apiserver again (pid $!)"
  wait_for "kube-apiserver ready again ($API)" 60 api_ready
  APISERVER_RESTARTS=$((APISERVER_RESTARTS + 1))
  echo "$APISERVER_RESTARTS" >"$WORK/apiserver-restarts.tmp"
  mv "$WORK/apiserver-restarts.tmp" "$WORK/apiserver-restarts"
}
trap restart_apiserver USR1

log "control plane running; Ctrl-C stops everything"
echo "export KUBECONFIG=$KUBECONFIG_ADMIN" >&2
echo "$KUBECONFIG_ADMIN"
# Stay up until interrupted, until one component dies or until the watched process is gone.
while alive; do sleep 1; done
if [[ -n "$WATCH_PID" ]] && ! kill -0 "$WATCH_PID" 2>/dev/null; then exit 0; fi
exit 1
