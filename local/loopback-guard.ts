/**
 * What every local server checks before it serves a request: the local stack listens on 127.0.0.1
 * only, but a web page the developer has open could still reach it.
 * - DNS rebinding: a page on `evil.example` whose name resolves to 127.0.0.1 sends `Host:
 *   evil.example`. Only `127.0.0.1:<port>` and `localhost:<port>` are served.
 * - Cross-site requests: a page may POST to 127.0.0.1 without rebinding (a "simple" request needs no
 *   preflight). State-changing local endpoints (the clock, the mailbox) refuse a request a browser
 *   marks as coming from another site (`Sec-Fetch-Site`, or an `Origin` that is not this server).
 */
import type { IncomingHttpHeaders } from 'node:http';

export function hostAllowed(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

export function crossSite(headers: IncomingHttpHeaders, port: number): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = headers.origin;
  return (
    origin !== undefined && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`
  );
}
