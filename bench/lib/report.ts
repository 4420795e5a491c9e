import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';

/** Where a benchmark ran: every results file carries it, since numbers mean nothing without it. */
export function environment() {
  const cores = cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    cpu: { model: cores[0]?.model.trim() ?? 'unknown', count: cores.length },
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  };
}

export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** A Markdown table; numeric-looking cells are right-aligned. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const numeric = header.map((_, c) => rows.every((row) => /^[\d,.x×%\s–-]+$/.test(row[c] ?? '')));
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(numeric.map((right) => (right ? '---:' : '---'))), ...rows.map(line)].join('\n');
}

export const formatInt = (n: number) => Math.round(n).toLocaleString('en-US');
export const formatRatio = (n: number) => `${n.toFixed(2)}x`;

export function print(text = ''): void {
  process.stdout.write(`${text}\n`);
}
