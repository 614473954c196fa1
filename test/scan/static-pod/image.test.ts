import { parseImage, versionFromImage, imageBaseName } from '../../../src/scan/static-pod/image.js';

describe('image references', () => {
  it.each([
    ['registry.k8s.io/kube-apiserver:v1.31.2', 'v1.31.2'],
    ['gcr.io/google_containers/kube-apiserver-amd64:v1.8.1', 'v1.8.1'],
    ['registry.aliyuncs.com/google_containers/kube-apiserver:v1.16.2', 'v1.16.2'],
    ['registry.k8s.io/etcd:3.5.9-0', '3.5.9'],
    ['k8s.gcr.io/etcd:3.2.24', '3.2.24'],
    ['gcr.io/google_containers/etcd-amd64:3.0.17', '3.0.17'],
    ['registry.k8s.io/kube-apiserver:v1.30.0-rc.1', 'v1.30.0-rc.1'],
    ['registry.k8s.io/kube-apiserver:v1.31.2@sha256:' + 'a'.repeat(64), 'v1.31.2'],
    ['registry.k8s.io/kube-apiserver@sha256:' + 'a'.repeat(64), null],
    ['localhost:5000/kube-apiserver', null],
    ['localhost:5000/kube-apiserver:v1.29.1', 'v1.29.1'],
    ['haproxy:latest', null],
    ['kube-apiserver', null],
  ])('%s -> %s', (image, version) => {
    expect(versionFromImage(image)).toBe(version);
  });

  it('splits registry port, tag and digest', () => {
    expect(parseImage('localhost:5000/ns/etcd:3.5.9-0@sha256:abc')).toEqual({
      repository: 'localhost:5000/ns/etcd',
      name: 'etcd',
      tag: '3.5.9-0',
      digest: 'sha256:abc',
    });
    expect(imageBaseName('gcr.io/google_containers/kube-scheduler-amd64:v1.8.1')).toBe('kube-scheduler');
    expect(versionFromImage(null)).toBeNull();
  });
});
