/**
 * `kdiff certs` as text: one table of certificates and one of kubeconfig client certificates, in
 * the spirit of `kubeadm certs check-expiration` but for any layout, then the findings.
 */
import type { ChalkInstance } from 'chalk';
import type { Certificate, Finding, Kubeconfig } from '../model/types.js';
import { printable } from './printable.js';

/** What `kdiff certs` reports (its JSON form adds `kdiff: "certs"` and `schemaVersion`). */
export interface CertsInventory {
  /** The instant expiry was judged at (ISO-8601). */
  now: string;
  expiringDays: number;
  certificates: Certificate[];
  kubeconfigs: Kubeconfig[];
  findings: Finding[];
}

export interface CertsTextOptions {
  /** A chalk instance; pass one with level 0 for no colour. */
  chalk?: ChalkInstance;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Oct 01, 2046 10:00 UTC`, as kubeadm prints expiry. */
export function formatExpiry(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())}, ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())} UTC`;
}

/** Time left, shortened the way kubeadm does (apimachinery's ShortHumanDuration); `expired` when none is. */
export function residual(notAfter: string, now: string): string {
  const ms = Date.parse(notAfter) - Date.parse(now);
  if (!Number.isFinite(ms)) return '?';
  if (ms <= 0) return 'expired';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  return `${Math.floor(h / (24 * 365))}y`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd());
}

function issuerCell(path: string, issuerPath: string | null | undefined): string {
  if (issuerPath === null || issuerPath === undefined) return 'not on node';
  return issuerPath === path ? 'self-signed' : issuerPath;
}

type Status = Certificate['status'];

function paint(chalk: ChalkInstance | undefined, status: Status | undefined, text: string): string {
  if (!chalk) return text;
  if (status === 'expired') return chalk.red(text);
  if (status === 'expiring' || status === 'not-yet-valid') return chalk.yellow(text);
  return text;
}

/** Renders the inventory; colour only through the chalk instance given. */
export function renderCertsText(input: CertsInventory, options: CertsTextOptions = {}): string {
  const inv = printable(input);
  const { chalk } = options;
  const out: string[] = [];
  // Rows are padded first and coloured after, so escape codes never disturb the columns.
  const certRows = [
    ['CERTIFICATE', 'ROLES', 'SUBJECT', 'EXPIRES', 'RESIDUAL TIME', 'STATUS', 'KEY', 'ISSUER CA'],
    ...inv.certificates.map((c) => [
      c.path,
      c.roles.join(',') || '-',
      c.subject || '-',
      formatExpiry(c.notAfter),
      residual(c.notAfter, inv.now),
      c.status,
      c.privateKey,
      issuerCell(c.path, c.issuerPath),
    ]),
  ];
  if (inv.certificates.length > 0) {
    const lines = table(certRows);
    out.push(lines[0], ...lines.slice(1).map((l, i) => paint(chalk, inv.certificates[i].status, l)));
  } else out.push('No certificates found.');
  const withCert = inv.kubeconfigs;
  if (withCert.length > 0) {
    const rows = [
      ['KUBECONFIG', 'ROLES', 'USER', 'GROUPS', 'AUTH', 'EXPIRES', 'RESIDUAL TIME', 'STATUS', 'ISSUER CA'],
      ...withCert.map((k) => [
        k.path,
        k.roles.join(',') || '-',
        k.user ?? '-',
        k.groups.join(',') || '-',
        k.auth,
        k.clientCertificateNotAfter ? formatExpiry(k.clientCertificateNotAfter) : '-',
        k.clientCertificateNotAfter ? residual(k.clientCertificateNotAfter, inv.now) : '-',
        k.clientCertificateStatus ?? '-',
        k.clientCertificateNotAfter ? issuerCell('', k.clientCertificateIssuer) : '-',
      ]),
    ];
    const lines = table(rows);
    out.push('', lines[0], ...lines.slice(1).map((l, i) => paint(chalk, withCert[i].clientCertificateStatus, l)));
  }
  if (inv.findings.length > 0) {
    out.push('');
    for (const f of inv.findings) {
      const sev = f.severity.toUpperCase().padEnd(7);
      const line = `${sev} ${f.message}`;
      out.push(chalk ? (f.severity === 'error' ? chalk.red(line) : f.severity === 'warning' ? chalk.yellow(line) : line) : line);
    }
  }
  out.push('', `Expiry judged at ${inv.now}; "expiring" means within ${inv.expiringDays} days.`);
  return out.join('\n') + '\n';
}

/** The JSON form: stable field names, the same data. */
export function renderCertsJson(inv: CertsInventory): string {
  return JSON.stringify({ kdiff: 'certs', schemaVersion: 1, ...inv }, null, 2) + '\n';
}
