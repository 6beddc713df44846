/**
 * The protocol between the launcher and the Node children it starts (emulators, API server):
 * - the child prints exactly one line `{"ready":true,"url":"http://127.0.0.1:<port>"}` on stdout once
 *   it listens (the local Step Functions service speaks the same protocol);
 * - it exits with {@link EXIT_PORT_IN_USE} when its port is taken, so the launcher can say so in one line;
 * - it stops when its stdin reaches end of file: the launcher holds the other end of that pipe, and the
 *   kernel closes it even when the launcher is SIGKILLed, so no child outlives it.
 */
import type { Server } from 'node:http';

/** Like EADDRINUSE's errno on Linux; any distinctive value would do. */
export const EXIT_PORT_IN_USE = 98;

const STOP_GRACE_MS = 2000;

export function announceReady(url: string): void {
  process.stdout.write(`${JSON.stringify({ ready: true, url })}\n`);
}

/**
 * Runs `stop` (then exits) when the launcher goes away or asks this process to stop. A stop that hangs
 * (a request that never ends) is cut short after a grace period.
 */
export function stopWithParent(stop: () => Promise<void>): void {
  let stopping = false;
  const run = (): void => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), STOP_GRACE_MS).unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`error while stopping: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, run);
  process.stdin.on('end', run);
  process.stdin.on('close', run);
  process.stdin.on('error', run);
  process.stdin.resume();
}

/** Listens on 127.0.0.1 only; a taken port ends the process with {@link EXIT_PORT_IN_USE} and one line. */
export function listenOnLoopback(server: Server, port: number, what: string): Promise<string> {
  return new Promise((resolve) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        process.stderr.write(`${what}: port ${port} on 127.0.0.1 is already in use\n`);
        process.exit(EXIT_PORT_IN_USE);
      }
      process.stderr.write(`${what}: cannot listen on 127.0.0.1:${port}: ${error.message}\n`);
      process.exit(1);
    });
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const actual = typeof address === 'object' && address !== null ? address.port : port;
      resolve(`http://127.0.0.1:${actual}`);
    });
  });
}

/** Parses `--name value` pairs; the children take few, simple flags. */
export function flag(name: string, argv: readonly string[] = process.argv.slice(2)): string | undefined {
  const at = argv.indexOf(`--${name}`);
  return at === -1 ? undefined : argv[at + 1];
}

export function requiredFlag(name: string, argv: readonly string[] = process.argv.slice(2)): string {
  const value = flag(name, argv);
  if (value === undefined) {
    process.stderr.write(`missing --${name}\n`);
    process.exit(2);
  }
  return value;
}
