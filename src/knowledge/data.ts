/**
 * The generated knowledge data (src/knowledge/data/knowledge.json, built by scripts/gen-knowledge.mjs
 * from data/reference/), read on first use so that commands which never look at a flag never pay
 * for it. Read with readFileSync rather than imported, so the lookup functions stay synchronous.
 */
import { readFileSync } from 'node:fs';
import type { Severity } from '../model/types.js';

// Referencing the JSON keeps it in the TypeScript program, so `tsc` copies it next to this module in dist/.
type KnowledgeJsonFile = typeof import('./data/knowledge.json', { with: { type: 'json' } });

export interface FlagEntry {
  type: string;
  /** Default as text, before normalization; null when unknown. */
  default: string | null;
  defaultFrom: 'reference' | 'curated' | 'zero-value' | 'unknown';
  /** The pflag type the reference prints (current flags only). */
  pflag?: string;
  /** Line of the flag's row in the reference. */
  line?: number;
  element?: string;
  values?: string;
  /** `KubeletConfiguration.readOnlyPort` */
  configField?: string;
  deprecated?: string;
  /** Known only under its older name in this reference (etcd 3.5 names renamed in 3.6). */
  renamedFrom?: string;
  typeFrom?: 'curated' | 'name';
  /** Hidden from the reference but still accepted. */
  hidden?: boolean;
}

export interface FactEntry {
  change: 'renamed' | 'removed' | 'deprecated';
  replacement: string | null;
  version: string;
  source: string;
  evidence: 'release-note' | 'reference-drop' | 'curated';
  note?: string;
}

export interface RuleEntry {
  equals?: string;
  notEquals?: string;
  contains?: string;
  lacks?: string;
  matches?: string;
  tlsBelow?: string;
  absent?: boolean;
  severity: Severity;
  reason: string;
}

export interface SecurityEntry {
  about: string;
  cis: string;
  whenAbsent?: 'fine';
  weak: RuleEntry[];
}

export interface ComponentEntry {
  version: string;
  source: string;
  flags: Record<string, FlagEntry>;
  legacy: Record<string, FlagEntry>;
  aliases: Record<string, string>;
  shorthands: Record<string, string>;
  lifecycle: Record<string, FactEntry[]>;
  security: Record<string, SecurityEntry>;
  securityRelevant: string[];
}

export interface KnowledgeData {
  generatedBy: string;
  components: Record<string, ComponentEntry>;
  /** kind -> field path -> flag */
  configFields: Record<string, Record<string, string>>;
  configFileDefaults: Record<string, { source: string; flags: Record<string, { field: string; fileDefault: string; flagDefault: string }> }>;
  admissionPlugins: {
    version: string;
    source: string;
    defaultEnabled: string[];
    available: string[];
    lifecycle: Record<string, FactEntry[]>;
  };
}

let cached: KnowledgeData | undefined;

/** The knowledge data, parsed once. */
export function knowledge(): KnowledgeData {
  cached ??= JSON.parse(readFileSync(new URL('./data/knowledge.json', import.meta.url), 'utf8')) as KnowledgeData;
  return cached;
}
