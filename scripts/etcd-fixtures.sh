#!/usr/bin/env bash
# Regenerates fixtures/etcd/: snapshots saved by a real etcd (Debian's etcd-server/etcd-client, 3.4)
# with etcdctl's own `snapshot status` output recorded beside each, so tests compare kdiff with
# etcdctl. etcd listens on loopback only, in a temporary data dir removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=fixtures/etcd
mkdir -p "$OUT"

if ! command -v etcd >/dev/null || ! command -v etcdctl >/dev/null; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y etcd-server etcd-client
fi
export ETCDCTL_API=3

WORK=$(mktemp -d)
ETCD_PID=
cleanup() {
  if [ -n "$ETCD_PID" ]; then kill "$ETCD_PID" 2>/dev/null || true; wait "$ETCD_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

CLIENT=http://127.0.0.1:${ETCD_FIXTURE_PORT:-23791}
PEER=http://127.0.0.1:${ETCD_FIXTURE_PEER_PORT:-23801}

start_etcd() { # <data dir name>
  etcd --name kdiff-fixture --data-dir "$WORK/$1" \
    --listen-client-urls "$CLIENT" --advertise-client-urls "$CLIENT" \
    --listen-peer-urls "$PEER" --initial-advertise-peer-urls "$PEER" \
    --initial-cluster "kdiff-fixture=$PEER" --initial-cluster-token kdiff-fixture \
    >"$WORK/$1.log" 2>&1 &
  ETCD_PID=$!
  for _ in $(seq 1 100); do
    if etcdctl --endpoints "$CLIENT" endpoint health >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  cat "$WORK/$1.log" >&2
  echo "etcd did not become healthy" >&2
  exit 1
}
stop_etcd() {
  kill "$ETCD_PID"; wait "$ETCD_PID" 2>/dev/null || true; ETCD_PID=
}
load() { node scripts/etcd-fixtures-load.mjs "$CLIENT" "$1"; }

record_status() { # <file>: etcdctl's three views of the file, byte for byte as etcdctl prints them
  etcdctl --write-out=json snapshot status "$1" >"$1.status.json" 2>/dev/null
  etcdctl --write-out=table snapshot status "$1" >"$1.status.table" 2>/dev/null
  etcdctl --write-out=simple snapshot status "$1" >"$1.status.simple" 2>/dev/null
}
save() { # <name> [nosha]: a snapshot, etcdctl's status of it, and the keys etcdctl sees at that moment
  etcdctl --endpoints "$CLIENT" snapshot save "$OUT/$1.db" >/dev/null 2>&1
  record_status "$OUT/$1.db"
  etcdctl --endpoints "$CLIENT" get "" --prefix --keys-only >"$OUT/$1.db.keys.txt"
  # Keys with their revisions (values dropped: the diff never looks at them beyond size/equality).
  etcdctl --endpoints "$CLIENT" get "" --prefix --write-out=json | node -e '
    const withSha = process.argv[1] !== "nosha";
    const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const crypto = require("crypto");
    const kvs = (r.kvs || []).map((kv) => {
      const v = Buffer.from(kv.value || "", "base64");
      return { key: Buffer.from(kv.key, "base64").toString("utf8"), create_revision: kv.create_revision,
        mod_revision: kv.mod_revision, version: kv.version, value_size: v.length,
        ...(withSha ? { value_sha256: crypto.createHash("sha256").update(v).digest("hex") } : {}) };
    });
    // One key a line: diffable, and small enough for thousands of keys.
    process.stdout.write(`{"revision":${Number(r.header.revision)},"kvs":[\n${kvs.map((kv) => JSON.stringify(kv)).join(",\n")}\n]}\n`);
  ' "${2:-}" >"$OUT/$1.db.keys.json"
}

rm -f "$OUT"/*.db "$OUT"/*.db.* "$OUT"/member-snap-db*

# 1. A fresh etcd: no user keys at all.
start_etcd empty
load empty
save empty
stop_etcd

# 2. A small Kubernetes-shaped store, then the same store after changes: the diff pair.
start_etcd small
load small
save k8s-a
load change
save k8s-b
stop_etcd
# etcd's live database (no SHA-256 trailer), copied once etcd has stopped.
cp "$WORK/small/member/snap/db" "$OUT/member-snap-db"
record_status "$OUT/member-snap-db"

# 3. Thousands of keys, many revisions, a compaction, deletions, values on overflow pages.
start_etcd large
load large
save large nosha
stop_etcd
rm -f "$OUT/large.db.keys.txt"   # large.db.keys.json carries the same keys

etcd --version | head -1 >"$OUT/ETCD_VERSION"
ls -l "$OUT"
du -sh "$OUT"
