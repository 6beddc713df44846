/** Schemas of the verification routes (GET/POST /verify, the JWKS), for the contract and OpenAPI. */
import { z } from 'zod';

export const verifyParams = z.strictObject({
  ref: z
    .string()
    .min(1)
    .max(200)
    .meta({
      description:
        'The permit id (from the QR code) or its number, e.g. 503/0001/SIKOT/DPMPTSP/2026 (slashes may be sent as they are or as %2F).',
      examples: ['0b7f3c8e-5d2a-4f7e-9a41-3c2d1e0f9a8b'],
    }),
});

export const verificationSchema = z
  .object({
    verdict: z.enum(['genuine', 'revoked', 'superseded']).meta({
      description:
        'genuine: issued by this office and in force (see expired); revoked; superseded by a renewal.',
    }),
    permit: z.object({
      id: z.string(),
      number: z.string(),
      type: z.object({ code: z.string(), name: z.string() }),
      holderName: z.string().meta({ description: 'Masked: first letter of each word, e.g. S*** R********.' }),
      issuedAt: z.string(),
      validFrom: z.string().meta({ description: 'Local date YYYY-MM-DD.' }),
      validUntil: z
        .string()
        .optional()
        .meta({ description: "Last valid day (local); absent: valid as long as the holder's STR." }),
      expired: z.boolean(),
      deemedGranted: z.boolean(),
      document: z.object({
        sha256: z.string().meta({ description: 'SHA-256 of the issued PDF, hex.' }),
        keyId: z.string().meta({ description: 'kid of the signing key in /.well-known/jwks.json.' }),
        algorithm: z.literal('ES256'),
        signature: z
          .string()
          .meta({ description: "ES256 signature of the PDF's SHA-256 (r||s, base64url)." }),
      }),
      supersedes: z
        .object({ id: z.string(), number: z.string() })
        .optional()
        .meta({ description: 'A renewal: the permit it replaced.' }),
    }),
    revoked: z.object({ at: z.string(), reason: z.string() }).optional(),
    superseded: z
      .object({ at: z.string(), byId: z.string(), byNumber: z.string() })
      .optional()
      .meta({ description: 'When a renewal replaced this permit, and the permit that replaced it.' }),
    issuer: z.object({ regency: z.string(), office: z.string() }),
  })
  .meta({ id: 'PermitVerification' });

export const byteCheckResponse = z
  .object({
    identical: z
      .boolean()
      .meta({ description: 'Whether the bytes are exactly a document this office issued.' }),
    sha256: z.string(),
    document: z.enum(['permit', 'rejection-letter']).optional(),
    issuedAt: z.string().optional(),
    verification: verificationSchema.optional(),
  })
  .meta({ id: 'ByteCheck' });

export const jwksResponse = z
  .object({
    keys: z.array(
      z.object({
        kty: z.literal('EC'),
        crv: z.literal('P-256'),
        x: z.string(),
        y: z.string(),
        kid: z.string(),
        alg: z.literal('ES256'),
        use: z.literal('sig'),
      }),
    ),
  })
  .meta({ id: 'Jwks' });
