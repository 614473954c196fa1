/**
 * Container image references: `[registry[:port]/]path[:tag][@digest]`.
 * Grammar: https://github.com/distribution/reference/blob/main/reference.go
 */

export interface ImageRef {
  /** Everything before the tag and digest: `registry.k8s.io/kube-apiserver`. */
  repository: string;
  /** Last path segment of the repository: `kube-apiserver`, `etcd-amd64`. */
  name: string;
  tag: string | null;
  digest: string | null;
}

export function parseImage(image: string): ImageRef {
  let rest = image.trim();
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1) || null;
    rest = rest.slice(0, at);
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(':');
  // A colon before the last `/` is a registry port (`localhost:5000/etcd`), not a tag.
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1) || null;
    rest = rest.slice(0, colon);
  }
  const name = rest.split('/').pop() ?? rest;
  return { repository: rest, name, tag, digest };
}

/**
 * The component version an image tag names: `v1.31.2` stays `v1.31.2`; etcd's `3.5.9-0` is
 * `3.5.9` (the `-0` is the image's build revision, not etcd's version); a pre-release such as
 * `v1.30.0-rc.1` is kept. A tag that is not a version (`latest`) or a digest alone gives null.
 */
export function versionFromImage(image: string | null): string | null {
  if (!image) return null;
  const { tag } = parseImage(image);
  if (!tag) return null;
  const m = /^(v?\d+\.\d+(?:\.\d+)?)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.exec(tag);
  if (!m) return null;
  const suffix = m[2] ?? '';
  return /^-\d+$/.test(suffix) ? m[1] : m[1] + suffix;
}

const ARCH_SUFFIX = /-(amd64|arm64|arm|ppc64le|s390x|386)$/;

/** The image name without an architecture suffix: `kube-apiserver-amd64` -> `kube-apiserver`. */
export function imageBaseName(image: string): string {
  return parseImage(image).name.replace(ARCH_SUFFIX, '');
}
