import { ApiError } from './errors.ts';

/**
 * Declarative request schemas for the Step Functions operations, checked with the constraints
 * AWS publishes and reported in its words ("1 validation error detected: Value ... at '...'
 * failed to satisfy constraint: ...").
 *
 * Not zod, on purpose: this service must hold 10,000 waiting executions in under 150 MB, and
 * loading zod alone costs about 12 MB of resident memory for a dozen flat request shapes.
 */

type FieldSpec =
  | { kind: 'string'; min: number; max: number; optional: boolean }
  | { kind: 'int'; min: number; max: number; optional: boolean }
  | { kind: 'boolean'; optional: boolean }
  | { kind: 'enum'; values: readonly string[]; optional: boolean }
  | { kind: 'json'; optional: boolean };

type Value<F> = F extends { kind: 'string' }
  ? string
  : F extends { kind: 'int' }
    ? number
    : F extends { kind: 'boolean' }
      ? boolean
      : F extends { kind: 'enum'; values: readonly (infer V)[] }
        ? V
        : unknown;

type OptionalKeys<S> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];
type RequiredKeys<S> = Exclude<keyof S, OptionalKeys<S>>;

export type Infer<S extends Record<string, FieldSpec>> = { [K in RequiredKeys<S>]: Value<S[K]> } & {
  [K in OptionalKeys<S>]?: Value<S[K]>;
};

export const field = {
  string: (min: number, max: number) => ({ kind: 'string', min, max, optional: false }) as const,
  int: (min: number, max: number) => ({ kind: 'int', min, max, optional: false }) as const,
  boolean: () => ({ kind: 'boolean', optional: false }) as const,
  enum: <const V extends readonly string[]>(values: V) =>
    ({ kind: 'enum', values, optional: false }) as const,
  json: () => ({ kind: 'json', optional: false }) as const,
  optional: <F extends FieldSpec>(spec: F) => ({ ...spec, optional: true }) as F & { optional: true },
};

function describe(value: unknown): string {
  return `'${typeof value === 'string' ? value : JSON.stringify(value)}'`;
}

function check(name: string, spec: FieldSpec, value: unknown): string | undefined {
  if (value === undefined || value === null) {
    return spec.optional
      ? undefined
      : `Value null at '${name}' failed to satisfy constraint: Member must not be null`;
  }
  const fail = (constraint: string) =>
    `Value ${describe(value)} at '${name}' failed to satisfy constraint: ${constraint}`;
  switch (spec.kind) {
    case 'string':
      if (typeof value !== 'string') return fail('Member must be of type string');
      if (value.length < spec.min)
        return fail(`Member must have length greater than or equal to ${spec.min}`);
      if (value.length > spec.max) return fail(`Member must have length less than or equal to ${spec.max}`);
      return undefined;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value))
        return fail('Member must be of type integer');
      if (value < spec.min) return fail(`Member must have value greater than or equal to ${spec.min}`);
      if (value > spec.max) return fail(`Member must have value less than or equal to ${spec.max}`);
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : fail('Member must be of type boolean');
    case 'enum':
      return typeof value === 'string' && spec.values.includes(value)
        ? undefined
        : fail(`Member must satisfy enum value set: [${spec.values.join(', ')}]`);
    case 'json':
      return undefined;
  }
}

/** Validates a request body against a schema; unknown members are ignored, as AWS does. */
export function parseRequest<S extends Record<string, FieldSpec>>(
  schema: S,
  body: Record<string, unknown>,
): Infer<S> {
  const messages: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema)) {
    const value = body[name];
    const message = check(name, spec, value);
    if (message) messages.push(message);
    else if (value !== undefined && value !== null) out[name] = value;
  }
  if (messages.length > 0) {
    const count = messages.length;
    throw new ApiError(
      'ValidationException',
      `${count} validation error${count === 1 ? '' : 's'} detected: ${messages.join('; ')}`,
    );
  }
  return out as Infer<S>;
}
