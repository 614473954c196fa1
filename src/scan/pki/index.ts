/** Certificates, keys and kubeconfigs: references from components and config files, then the scan. */
export { collectReferences, resolveNodePath } from './references.js';
export { scanCredentials, certStatus, PKI_FINDING_CODES } from './credentials.js';
export { readPem, type PemBlock, type PemRead } from './pem.js';
export { parseKubeconfig, type KubeconfigRead } from './kubeconfig.js';
