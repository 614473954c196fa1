// Writes Kubernetes-shaped keys into a running etcd through its v3 JSON gateway (binary values
// such as the `k8s\0` protobuf prefix cannot pass through etcdctl's argv). Deterministic content:
// a seeded PRNG, no clock. Usage: node etcd-fixtures-load.mjs <endpoint> <scenario>
// Values are random bytes behind real prefixes: nothing here is a secret.

const [endpoint, scenario] = process.argv.slice(2);
let seed = 0x9e3779b9;
function rand() {
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed / 0x100000000;
}
function bytes(n) {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}
const b64 = (x) => Buffer.from(x).toString('base64');

async function call(path, body) {
  const res = await fetch(`${endpoint}${path}`, { method: 'POST', body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}
async function put(key, value, lease) {
  const body = { key: b64(key), value: b64(value) };
  if (lease) body.lease = lease;
  return call('/v3/kv/put', body);
}
const del = (key) => call('/v3/kv/deleterange', { key: b64(key) });
const compact = (revision) => call('/v3/kv/compaction', { revision: String(revision), physical: true });
async function revision() {
  const r = await call('/v3/kv/range', { key: b64('\0'), count_only: true });
  return Number(r.header.revision);
}

/** Kubernetes' own protobuf envelope starts with these 4 bytes (k8s.io/apimachinery runtime/serializer/protobuf). */
const plainProto = (n) => Buffer.concat([Buffer.from('k8s\0'), bytes(n)]);
const plainJson = (name) => Buffer.from(JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name } }));
const aescbc = (key, n) => Buffer.concat([Buffer.from(`k8s:enc:aescbc:v1:${key}:`), bytes(n)]);
const aesgcm = (key, n) => Buffer.concat([Buffer.from(`k8s:enc:aesgcm:v1:${key}:`), bytes(n)]);
const secretbox = (key, n) => Buffer.concat([Buffer.from(`k8s:enc:secretbox:v1:${key}:`), bytes(n)]);
const kmsv2 = (n) => Buffer.concat([Buffer.from('k8s:enc:kms:v2:vault-kms:'), bytes(n)]);

async function small() {
  await put('/registry/namespaces/default', plainProto(60));
  await put('/registry/namespaces/kube-system', plainProto(64));
  for (const name of ['a', 'b', 'c']) await put(`/registry/secrets/default/${name}`, aescbc('key1', 80));
  await put('/registry/secrets/kube-system/bootstrap-token-abcdef', plainProto(90));
  await put('/registry/configmaps/default/app', plainProto(120));
  await put('/registry/configmaps/kube-system/kubeadm-config', plainProto(300));
  await put('/registry/pods/default/web-0', plainProto(700));
  await put('/registry/pods/default/web-1', plainProto(700));
  await put('/registry/clusterroles/admin', plainProto(400));
  await put('/registry/example.com/widgets/default/w1', plainJson('w1'));
  // A few revisions of the same keys, then deletions, then a compaction.
  for (let i = 0; i < 5; i++) await put('/registry/pods/default/web-0', plainProto(700 + i));
  await put('/registry/secrets/default/b', aescbc('key2', 81));
  await del('/registry/pods/default/web-1');
  await compact((await revision()) - 2);
  await put('/registry/configmaps/default/app', plainProto(121));
}

async function change() {
  // Between the two diff snapshots: adds, removes, changes, a same-value rewrite, and a
  // delete-then-recreate.
  await put('/registry/secrets/default/d', aesgcm('key1', 70));
  await put('/registry/deployments/default/web', plainProto(500));
  await put('/registry/nodes/worker-1', plainProto(900));
  await del('/registry/secrets/default/a');
  await del('/registry/clusterroles/admin');
  await put('/registry/pods/default/web-0', plainProto(701));
  await put('/registry/secrets/default/c', secretbox('key3', 80));
  const r = await call('/v3/kv/range', { key: b64('/registry/namespaces/default') });
  await put('/registry/namespaces/default', Buffer.from(r.kvs[0].value, 'base64'));
  await del('/registry/configmaps/kube-system/kubeadm-config');
  await put('/registry/configmaps/kube-system/kubeadm-config', plainProto(310));
  await put('/registry/events/default/web-0.1', plainProto(200));
  await del('/registry/events/default/web-0.1');
}

async function large() {
  const lease = (await call('/v3/lease/grant', { TTL: 3600 })).ID;
  const namespaces = ['default', 'kube-system', 'team-a', 'team-b'];
  for (const ns of namespaces) await put(`/registry/namespaces/${ns}`, plainProto(80));
  let n = 0;
  for (const ns of namespaces) {
    for (let i = 0; i < 300; i++) {
      await put(`/registry/configmaps/${ns}/cm-${i}`, plainProto(20 + Math.floor(rand() * 100)));
      const secret = i % 3 === 0 ? plainProto(60) : i % 3 === 1 ? aescbc('key1', 64) : kmsv2(96);
      await put(`/registry/secrets/${ns}/s-${i}`, secret);
      if (i % 4 === 0) await put(`/registry/pods/${ns}/p-${i}`, plainProto(200 + Math.floor(rand() * 300)));
      if (i % 10 === 0) await put(`/registry/events/${ns}/p-${i}.${n++}`, plainProto(150), lease);
    }
  }
  // Values bigger than a page: overflow pages.
  for (let i = 0; i < 8; i++) await put(`/registry/configmaps/kube-system/big-${i}`, plainProto(5000 + i * 1500));
  for (let i = 0; i < 200; i++) await put(`/registry/leases/kube-node-lease/node-${i % 20}`, plainProto(120));
  for (let i = 0; i < 150; i++) await put(`/registry/pods/team-a/p-${(i * 4) % 300}`, plainProto(300));
  await compact((await revision()) - 100);
  for (let i = 0; i < 300; i += 7) await del(`/registry/configmaps/team-b/cm-${i}`);
  await put('/registry/apiextensions.k8s.io/customresourcedefinitions/widgets.example.com', plainJson('widgets'));
  await put('/registry/example.com/widgets/team-a/w1', plainJson('w1'));
}

async function empty() {}

const scenarios = { small, change, large, empty };
if (!scenarios[scenario]) throw new Error(`unknown scenario ${scenario}`);
await scenarios[scenario]();
console.log(`${scenario}: revision ${await revision()}`);
