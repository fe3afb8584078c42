# Shared by scripts/k8s/up and scripts/k8s/down: where the local cluster lives and which ports it uses.
# Every port is >= 20000 and below the NodePort range (30000-32767, unused); everything but the apiserver and
# the kubelet (which the apiserver dials on the node's address for logs/exec) binds to 127.0.0.1.
# shellcheck shell=bash
K8S_ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# All cluster state in one directory outside the clone (the Postgres PV of the host-cluster overlay lives under it).
STATE="${K8S_STATE_DIR:-/var/lib/vcd-simple-blog-k8s}"
RUN="$STATE/run"          # pid files, logs, kubeconfigs, PKI
PKI="$RUN/pki"
CTRD="$STATE/containerd"  # our containerd's root, state, socket, runc root, CNI config and plugins
SOCK="$CTRD/containerd.sock"
NODE="vcd-node"
SERVICE_CIDR="10.96.0.0/16"
POD_CIDR="10.244.0.0/24"
BRIDGE="vcdk8s0"
CLUSTER_DNS="10.96.0.10"
PORT_ETCD=22379 PORT_ETCD_PEER=22380 PORT_ETCD_METRICS=22381
PORT_APISERVER=26443
PORT_KUBELET=20250 PORT_KUBELET_HEALTHZ=20248
PORT_KCM=20257 PORT_SCHEDULER=20259
PORT_PROXY_METRICS=20249 PORT_PROXY_HEALTHZ=20256
PORT_CTRD_STREAM=20010
HOST_IP="$(ip -4 -o route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p')"
[[ -n "$HOST_IP" ]] || HOST_IP="$(ip -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -n1)"
export PATH="$PATH:/usr/local/go/bin:/usr/sbin:/sbin"
BIN="$("$K8S_ROOT_DIR/scripts/k8s/build" --print-dir)/bin"
export KUBECONFIG="$RUN/admin.kubeconfig"
export HELM_CONFIG_HOME="$RUN/helm/config" HELM_CACHE_HOME="$RUN/helm/cache" HELM_DATA_HOME="$RUN/helm/data"
kubectl() { "$BIN/kubectl" "$@"; }
ctr_() { ctr -a "$SOCK" -n k8s.io "$@"; }
# The host paths the kubelet, containerd and libcni write whatever their configured directories: recorded
# as absent/present by up, and removed by down only when they were absent before.
HOST_PATHS=(/var/lib/kubelet /var/log/containers /var/log/pods /var/lib/cni /etc/cni /opt/cni)
# The sysctls the kubelet and kube-proxy set on start (restored by down).
SYSCTLS=(vm.overcommit_memory kernel.panic kernel.panic_on_oops net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables)

say() { printf '\033[35m[k8s]\033[0m %s\n' "$*" >&2; }
running() { [[ -f "$RUN/$1.pid" ]] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }
