/** Component-level facts compared: presence, run mode, version, enabled, image, binary, sources. */
import type { Component, Difference, RunMode } from '../model/types.js';
import { type DiffContext, type SideWords, difference, PLAIN_SIDES, sameValue } from './types.js';

const RUN_MODE_WORDS: Record<RunMode, string> = {
  'static-pod': 'a static pod',
  systemd: 'a systemd service',
  daemonset: 'a DaemonSet',
};

export function comparePresence(name: string, l: Component | undefined, r: Component | undefined, sides: SideWords = PLAIN_SIDES): Difference | null {
  if (l && r) return null;
  const c = (l ?? r) as Component;
  const side = l ? sides.left : sides.right;
  const other = l ? sides.right : sides.left;
  return difference({
    component: name, subject: 'component', key: name, change: l ? 'removed' : 'added', category: 'presence', severity: 'warning',
    left: l ? l.runMode : null, right: r ? r.runMode : null,
    message: `${name} runs on ${side} only (as ${RUN_MODE_WORDS[c.runMode] ?? c.runMode}); ${other} has no ${name} on disk, check whether it runs elsewhere or is missing.`,
  });
}

export function compareComponent(l: Component, r: Component, ctx: DiffContext): Difference[] {
  const out: Difference[] = [];
  const name = l.name;
  if (l.runMode !== r.runMode) {
    out.push(difference({
      component: name, subject: 'run-mode', key: 'runMode', change: 'changed', category: 'run-mode', severity: 'info',
      left: l.runMode, right: r.runMode,
      message: `${name} runs as ${RUN_MODE_WORDS[l.runMode] ?? l.runMode} on ${ctx.sides.left} and as ${RUN_MODE_WORDS[r.runMode] ?? r.runMode} on ${ctx.sides.right}; it is started, restarted and upgraded differently.`,
    }));
  }
  const lv = normalizeVersion(l.version);
  const rv = normalizeVersion(r.version);
  if (lv && rv && lv !== rv) {
    const minor = (v: string) => v.split('.').slice(0, 2).join('.');
    out.push(difference({
      component: name, subject: 'version', key: 'version', change: 'changed', category: 'version',
      severity: minor(lv) !== minor(rv) ? 'warning' : 'info', left: l.version, right: r.version,
      message: `${name} is ${l.version} on ${ctx.sides.left} and ${r.version} on ${ctx.sides.right}; upgrade the older one if they should match.`,
    }));
  }
  if (l.enabled !== null && r.enabled !== null && l.enabled !== r.enabled) {
    out.push(difference({
      component: name, subject: 'enabled', key: 'enabled', change: 'changed',
      category: name === 'kubelet' ? 'security' : 'config', severity: r.enabled ? 'info' : 'warning',
      left: l.enabled, right: r.enabled,
      message: r.enabled
        ? `${name} is enabled at boot on ${ctx.sides.right} but not on ${ctx.sides.left}; enable it on ${ctx.sides.left} if it should start after a reboot.`
        : `${name} is not enabled at boot on ${ctx.sides.right} (it is on ${ctx.sides.left}); run systemctl enable ${l.unit ?? r.unit ?? name} on ${ctx.sides.right} unless that is intended.`,
    }));
  }
  const li = imageRepository(l.image);
  const ri = imageRepository(r.image);
  if (li && ri && li !== ri) {
    out.push(difference({
      component: name, subject: 'component', key: 'image', change: 'changed', category: 'config', severity: 'info',
      left: l.image, right: r.image,
      message: `${name}'s image comes from ${li} on ${ctx.sides.left} and ${ri} on ${ctx.sides.right}; check both registries are trusted and reachable.`,
    }));
  }
  // A static pod's binary is its image's entrypoint: beside a daemon's path it only repeats the run mode.
  if (l.runMode === r.runMode && l.binary && r.binary && ctx.leftIdentity(l.binary) !== ctx.rightIdentity(r.binary)) {
    out.push(difference({
      component: name, subject: 'component', key: 'binary', change: 'changed', category: 'layout', severity: 'info',
      left: l.binary, right: r.binary,
      message: `${name}'s binary is ${l.binary} on ${ctx.sides.left} and ${r.binary} on ${ctx.sides.right}; only the location differs.`,
    }));
  }
  const views = leftViews(l, ctx);
  if (l.runMode === r.runMode) {
    const ls = views.sources;
    const rs = [...r.sources].map(ctx.rightIdentity).sort();
    if (!sameValue(ls, rs)) {
      out.push(difference({
        component: name, subject: 'component', key: 'sources', change: 'changed', category: 'layout', severity: 'info',
        left: [...ls], right: rs,
        message: `${name} is configured from ${ls.join(', ') || 'nothing'} on ${ctx.sides.left} and ${rs.join(', ') || 'nothing'} on ${ctx.sides.right}; only where its configuration lives differs.`,
      }));
    }
  }
  const la = views.args;
  const ra = (r.args ?? []).map(ctx.rightIdentity);
  if (!sameValue(la, ra)) {
    out.push(difference({
      component: name, subject: 'component', key: 'args', change: 'changed', category: 'config', severity: 'warning',
      left: [...la], right: ra,
      message: `${name} gets the arguments ${la.join(' ') || '(none)'} on ${ctx.sides.left} and ${ra.join(' ') || '(none)'} on ${ctx.sides.right}; make them match if the difference is not intended.`,
    }));
  }
  return out;
}

/** The left component's sources and arguments as compared, kept in the memo (an audit's reference, every node). */
function leftViews(l: Component, ctx: DiffContext): { sources: readonly string[]; args: readonly string[] } {
  const make = () => ({ sources: [...l.sources].map(ctx.leftIdentity).sort(), args: (l.args ?? []).map(ctx.leftIdentity) });
  const memo = ctx.leftMemo;
  if (!memo) return make();
  const kept = (memo.components ??= new WeakMap());
  let views = kept.get(l);
  if (!views) kept.set(l, (views = make()));
  return views;
}

function normalizeVersion(v: string | null): string | null {
  if (!v) return null;
  return v.trim().replace(/^v/i, '');
}

/** `registry.k8s.io/kube-apiserver:v1.31.2` -> `registry.k8s.io/kube-apiserver` (the tag is the version). */
export function imageRepository(image: string | null): string | null {
  if (!image) return null;
  return image.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
}
