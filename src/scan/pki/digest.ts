/** The PKI readers' SHA-256: the one in src/util/digest.ts, shared with the content keys of src/util/memo.ts. */
export { sha256 } from '../../util/digest.js';
