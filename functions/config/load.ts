/**
 * Loading regency configurations: YAML files under `regencies/`, validated by the zod schema and the
 * cross-field checks. Every error names the file, the path inside it and its line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Regency } from './regency-schema.ts';
import { regencyWarnings, validRegencySchema } from './validate.ts';

export interface ConfigErrorDetail {
  path: string;
  line?: number;
  message: string;
}

export class RegencyConfigError extends Error {
  constructor(
    readonly file: string,
    readonly details: readonly ConfigErrorDetail[],
  ) {
    super(
      `invalid regency configuration ${file}:\n${details
        .map(
          (d) => `  - ${d.path || '(root)'}${d.line === undefined ? '' : ` (line ${d.line})`}: ${d.message}`,
        )
        .join('\n')}`,
    );
    this.name = 'RegencyConfigError';
  }
}

export interface LoadedRegency {
  regency: Regency;
  file: string;
  warnings: string[];
}

/** The repository's `regencies/` folder, or `SATUPINTU_REGENCIES_DIR` when set. */
export function regenciesDir(): string {
  return (
    process.env.SATUPINTU_REGENCIES_DIR ??
    resolve(fileURLToPath(new URL('.', import.meta.url)), '../../regencies')
  );
}

/** Line of a path in the YAML document (1-based), to point an administrator at the right place. */
function lineOf(
  doc: ReturnType<typeof parseDocument>,
  lines: LineCounter,
  path: ReadonlyArray<PropertyKey>,
): number | undefined {
  let node: unknown = doc.contents;
  let found = node;
  for (const key of path) {
    if (isMap(node)) node = node.get(String(key), true);
    else if (isSeq(node)) node = node.get(Number(key), true);
    else break;
    if (node === undefined) break;
    found = node;
  }
  const range = (found as { range?: [number, number, number] } | undefined)?.range;
  return range === undefined ? undefined : lines.linePos(range[0]).line;
}

/** Parses and validates one configuration's text. `file` is used in messages only. */
export function parseRegencyText(text: string, file: string): LoadedRegency {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0)
    throw new RegencyConfigError(
      file,
      doc.errors.map((e) => ({
        path: '',
        line: e.linePos?.[0]?.line,
        message: `YAML: ${e.message.split('\n')[0]}`,
      })),
    );
  const result = validRegencySchema.safeParse(doc.toJS());
  if (!result.success)
    throw new RegencyConfigError(
      file,
      result.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.'),
        line: lineOf(doc, lines, issue.path),
        message: issue.message,
      })),
    );
  return { regency: result.data, file, warnings: regencyWarnings(result.data) };
}

export function loadRegencyFile(file: string): LoadedRegency {
  return parseRegencyText(readFileSync(file, 'utf8'), file);
}

/** Ids of the configured regencies: the YAML file names, sorted. */
export function listRegencyIds(dir = regenciesDir()): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

export function loadRegency(id: string, dir = regenciesDir()): LoadedRegency {
  if (!listRegencyIds(dir).includes(id))
    throw new RegencyConfigError(join(dir, `${id}.yaml`), [
      { path: '', message: `no such regency; configured: ${listRegencyIds(dir).join(', ')}` },
    ]);
  const loaded = loadRegencyFile(join(dir, `${id}.yaml`));
  if (loaded.regency.id !== id)
    throw new RegencyConfigError(loaded.file, [
      { path: 'id', line: 1, message: `id '${loaded.regency.id}' must equal the file name '${id}'` },
    ]);
  return loaded;
}

/** Every configured regency; invalid ones are reported, not thrown, so a listing shows them all. */
export function loadAllRegencies(dir = regenciesDir()): {
  loaded: LoadedRegency[];
  errors: RegencyConfigError[];
} {
  const loaded: LoadedRegency[] = [];
  const errors: RegencyConfigError[] = [];
  for (const id of listRegencyIds(dir)) {
    try {
      loaded.push(loadRegency(id, dir));
    } catch (e) {
      if (e instanceof RegencyConfigError) errors.push(e);
      else throw e;
    }
  }
  return { loaded, errors };
}
