/**
 * The local mailbox (aws-ses-v2-local, third-party) behind the loopback guard: a web page the developer
 * has open can neither read it through DNS rebinding nor empty it with a cross-site POST.
 */
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { mailbox, stackEndpoints } from '../harness/index.ts';

function call(
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string }> {
  const url = new URL(path, stackEndpoints().mailbox.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: url.port,
        path: url.pathname,
        method: options.method ?? 'GET',
        headers: options.headers,
      },
      (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the local mailbox', () => {
  it('answers only to its own host name (no DNS rebinding)', async () => {
    const port = new URL(stackEndpoints().mailbox.url).port;

    expect((await call('/store', { headers: { host: `evil.example:${port}` } })).status).toBe(421);
    expect((await call('/store', { headers: { host: `127.0.0.1:${port}` } })).status).toBe(200);
  });

  it('refuses a cross-site request to empty it, and keeps every mail', async () => {
    const before = (await mailbox().list()).length;

    const fromOrigin = await call('/clear-store', {
      method: 'POST',
      headers: { origin: 'http://evil.example' },
    });
    const fromSite = await call('/clear-store', {
      method: 'POST',
      headers: { 'sec-fetch-site': 'cross-site' },
    });

    expect([fromOrigin.status, fromSite.status]).toEqual([403, 403]);
    expect((await mailbox().list()).length).toBeGreaterThanOrEqual(before);
  });
});
