/**
 * The regency a running function serves, read once per cold start.
 *
 * On AWS the CDK stack bundles the validated configuration as JSON next to each handler and points
 * `SATUPINTU_REGENCY_FILE` at it, so a function never parses YAML or reads the repository. Locally
 * (and in tests) `REGENCY_ID` names a file under `regencies/`.
 */
import { readFileSync } from 'node:fs';
import { loadRegency } from '#config/load.ts';
import type { Regency } from '#config/regency-schema.ts';
import { validRegencySchema } from '#config/validate.ts';

let cached: Regency | undefined;

export function currentRegency(env: NodeJS.ProcessEnv = process.env): Regency {
  if (cached !== undefined) return cached;
  const file = env.SATUPINTU_REGENCY_FILE;
  if (file !== undefined) {
    cached = validRegencySchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } else if (env.REGENCY_ID !== undefined) {
    cached = loadRegency(env.REGENCY_ID).regency;
  } else {
    throw new Error('no regency configured: set SATUPINTU_REGENCY_FILE (deployed) or REGENCY_ID (local)');
  }
  return cached;
}

/** Tests that switch regencies in one process reset the cache. */
export function resetCurrentRegency(): void {
  cached = undefined;
}
