/** The environment every function reads, parsed once with zod so a misconfiguration fails at cold start. */
import { z } from 'zod';

const envSchema = z.object({
  TABLE_NAME: z.string().min(1),
  DOCUMENTS_BUCKET: z.string().min(1).optional(),
  /** Public base URL of the API for links; defaults to the regency's `mail.publicBaseUrl`. */
  API_BASE_URL: z.url().optional(),
  SATUPINTU_LOCAL: z.enum(['0', '1']).default('0'),
});

export type FunctionEnv = z.infer<typeof envSchema>;

let parsed: FunctionEnv | undefined;

export function functionEnv(env: NodeJS.ProcessEnv = process.env): FunctionEnv {
  parsed ??= envSchema.parse(env);
  return parsed;
}

/** Tests that change the environment in one process reset the parsed copy. */
export function functionEnvReset(): void {
  parsed = undefined;
}
