// Where a server's CPU went, from a V8 CPU profile (`node --cpu-prof` writes one
// at exit): self time grouped by the package (node_modules), the source directory
// (src/<layer>/<part>) or the Node internals each sample was in. The stock read
// benchmark writes the profile with `--cpu-prof`; this file reads it:
//
//   node -r ts-node/register/transpile-only bench/stock-cpu-profile.ts bench/results/profiles/<file>.cpuprofile
import { readFileSync } from 'node:fs';
import { formatInt, markdownTable, print } from './lib/report';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface AreaShare {
  area: string;
  ms: number;
  /** Of the time the process was busy (idle left out). */
  share: number;
}

/** What a sample was doing, coarsely: a package, a source directory, Node itself, or V8's own work. */
export function areaOf({ functionName, url }: ProfileNode['callFrame']): string {
  if (!url) return functionName === '(garbage collector)' ? 'V8: garbage collection' : functionName === '(idle)' ? 'idle' : `V8: ${functionName || 'native'}`;
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [scope, name] = url.slice(modules + '/node_modules/'.length).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  if (url.startsWith('node:')) return `node: ${url.slice('node:'.length).split('/')[0]}`;
  const source = url.lastIndexOf('/src/');
  if (source >= 0) return `src/${url.slice(source + '/src/'.length).split('/').slice(0, 2).join('/')}`;
  return url;
}

/** Self time by area, largest first. */
export function cpuShares(profile: CpuProfile): AreaShare[] {
  const areas = new Map(profile.nodes.map((node) => [node.id, areaOf(node.callFrame)]));
  const ms = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const area = areas.get(id) ?? 'unknown';
    ms.set(area, (ms.get(area) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const busy = [...ms].filter(([area]) => area !== 'idle').reduce((sum, [, t]) => sum + t, 0);
  return [...ms]
    .filter(([area]) => area !== 'idle')
    .map(([area, t]) => ({ area, ms: t, share: busy ? t / busy : 0 }))
    .sort((a, b) => b.ms - a.ms);
}

export function printCpuShares(path: string, top = 20): void {
  const shares = cpuShares(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile);
  const rows = shares.slice(0, top).map((s) => [`${(s.share * 100).toFixed(1)} %`, formatInt(s.ms), s.area]);
  print(`CPU profile ${path}: self time by area, of the time the process was busy`);
  print(markdownTable(['share', 'ms', 'area'], rows));
}

if (require.main === module) {
  const [path] = process.argv.slice(2);
  if (!path) {
    process.stderr.write('usage: bench/stock-cpu-profile.ts <file.cpuprofile>\n');
    process.exit(2);
  }
  printCpuShares(path);
}
