/**
 * The regency a running function serves.
 *
 * On AWS the CDK stack bundles the validated configuration as JSON next to each handler and points
 * `SATUPINTU_REGENCY_FILE` at it, so a function never parses YAML or reads the repository. Locally
 * (and in tests) `REGENCY_ID` names a file under `regencies/`.
 */
import { readFileSync } from 'node:fs';
import { loadRegency } from '#config/load.ts';
import type { Regency } from '#config/regency-schema.ts';
import { validRegencySchema } from '#config/validate.ts';
import type { FunctionEnv } from './env.ts';

export function regencyFromEnv(env: Pick<FunctionEnv, 'SATUPINTU_REGENCY_FILE' | 'REGENCY_ID'>): Regency {
  if (env.SATUPINTU_REGENCY_FILE !== undefined)
    return validRegencySchema.parse(JSON.parse(readFileSync(env.SATUPINTU_REGENCY_FILE, 'utf8')));
  if (env.REGENCY_ID !== undefined) return loadRegency(env.REGENCY_ID).regency;
  throw new Error('no regency configured: set SATUPINTU_REGENCY_FILE (deployed) or REGENCY_ID (local)');
}
