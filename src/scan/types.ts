/** Shapes shared between scanners (internal; the public model is in ../model/types.ts). */
import type { Component, Finding } from '../model/types.js';

/** One word of a command line, with the `file:line` it came from on the node. */
export interface Word {
  text: string;
  source: string;
}

/** A file a flag or config field points at, with the role it plays. */
export interface FileReference {
  /** Node path as written in the flag or field (absolute; relative ones resolved against the config file's directory). */
  path: string;
  component: string;
  /** The flag (`--tls-cert-file`) or config field (`authentication.x509.clientCAFile`) that names it. */
  via: string;
  kind: 'certificate' | 'key' | 'ca' | 'kubeconfig' | 'config';
  role: string;
  /** `file:line` where the reference was written. */
  source: string;
}

export interface ScanOptions {
  /** The clock used for certificate expiry (tests inject one; never read inside scanners otherwise). */
  now?: Date;
  /** A certificate expiring within this many days is a warning. Default 30. */
  expiringDays?: number;
}

/** What a systemd unit amounts to once drop-ins, environment files and variables are applied. */
export interface SystemdUnitFacts {
  /** `kubelet.service` */
  name: string;
  /** Node path of the unit file that systemd would load. */
  path: string;
  /** Drop-in node paths, in the order systemd applies them. */
  dropIns: string[];
  /** EnvironmentFile node paths that were read (missing optional ones are not listed). */
  environmentFiles: string[];
  /** The effective ExecStart after resets and expansion: argv[0] and the words after it; null when none. */
  execStart: Word[] | null;
  enabled: boolean;
  masked: boolean;
  /** Targets whose .wants/.requires link to the unit. */
  wantedBy: string[];
  /** The component its ExecStart runs (`kubelet`), when it runs one kdiff knows. */
  component?: string;
  /** True when only drop-ins exist: no unit file in any unit directory (`path` is where it would be). */
  missing?: boolean;
  /** Node path of the link to /dev/null (or empty file) that masks the unit. */
  maskedBy?: string;
}

export interface SystemdScan {
  units: SystemdUnitFacts[];
  components: Component[];
  findings: Finding[];
}
