import type { Readable, Writable } from 'node:stream';
import { Parser, type Result } from 'tap-parser';
import * as yaml from 'tap-yaml';

export interface TapTotals {
  passed: number;
  failed: number;
  skipped: number;
  todo: number;
  /** Each failed test's title, with its failure's message when the diagnostics give one. */
  failures: string[];
  /** The stream ended as valid TAP with a plan that every result met. */
  complete: boolean;
}

const colour = (code: number, text: string, on: boolean) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);

/**
 * Reads ava's TAP report (`ava --tap`) and writes a readable one: a line per test, the logs (`t.log`) under it,
 * and each failure's diagnostics. Counts come from the TAP results, not from glyphs in a human report.
 */
export function reportTap(tap: Readable, out: Writable, options: { colour?: boolean } = {}): Promise<TapTotals> {
  const on = options.colour ?? false;
  const totals: TapTotals = { passed: 0, failed: 0, skipped: 0, todo: 0, failures: [], complete: false };
  const parser = new Parser();
  parser.on('assert', (r: Result) => {
    if (r.skip) {
      totals.skipped++;
      out.write(`  ${colour(33, '-', on)} ${r.name} (skipped)\n`);
    } else if (r.todo) {
      totals.todo++;
      out.write(`  ${colour(34, '-', on)} ${r.name} (todo)\n`);
    } else if (r.ok) {
      totals.passed++;
      out.write(`  ${colour(32, '✔', on)} ${r.name}\n`);
    } else {
      totals.failed++;
      const message = typeof r.diag?.message === 'string' ? r.diag.message.split('\n')[0] : undefined;
      totals.failures.push(message ? `${r.name}: ${message}` : r.name);
      out.write(`  ${colour(31, '✘', on)} ${r.name}\n`);
      if (r.diag) out.write(`${yaml.stringify(r.diag).replace(/^/gm, '      ').trimEnd()}\n`);
    }
  });
  // ava writes each test's t.log lines as comments after its result; its own summary comes as "# tests N" etc.
  parser.on('comment', (c: string) => {
    const text = c.replace(/^#\s?/, '').trimEnd();
    if (/^(tests|pass|fail|skip|todo) \d+$/.test(text.trim())) return;
    out.write(`    ${colour(90, 'ℹ', on)} ${text.trim()}\n`);
  });
  parser.on('extra', (line: string) => out.write(line));
  return new Promise((resolve) => {
    parser.on('complete', (final: { ok: boolean; plan: { end: number | null } }) => {
      totals.complete = final.plan.end !== null;
      resolve(totals);
    });
    tap.pipe(parser);
  });
}
