/**
 * What every local server checks before it serves a request: the local stack listens on 127.0.0.1
 * only, but a web page the developer has open could still reach it.
 * - DNS rebinding: a page on `evil.example` whose name resolves to 127.0.0.1 sends `Host:
 *   evil.example`. Only `127.0.0.1:<port>` and `localhost:<port>` are served.
 * - Cross-site requests: a page may POST to 127.0.0.1 without rebinding (a "simple" request needs no
 *   preflight). State-changing local endpoints (the clock, the mailbox) refuse a request a browser
 *   marks as coming from another site (`Sec-Fetch-Site`, or an `Origin` that is not this server).
 */
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';

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

/**
 * Puts the guard in front of a third-party server (aws-ses-v2-local's mailbox): its request listeners
 * run only for a request with this server's Host, and a state-changing one (POST `/clear-store`, which
 * empties the mailbox) only when it does not come from another site. The SES API calls of the SDK
 * send neither Origin nor Sec-Fetch-Site, so they pass.
 */
export function guardMailbox(server: Server, port: number): void {
  const listeners = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const refuse = (status: number, message: string) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${message}\n`);
    };
    if (!hostAllowed(req.headers.host, port))
      return refuse(421, `this mailbox answers only at 127.0.0.1:${port} or localhost:${port}`);
    const reads = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS';
    if (!reads && crossSite(req.headers, port))
      return refuse(403, 'cross-site requests may not change the mailbox');
    for (const listener of listeners) listener.call(server, req, res);
  });
}
