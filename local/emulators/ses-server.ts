/**
 * Child process: aws-ses-v2-local on 127.0.0.1. It keeps sent mail in memory (lost when it stops),
 * serves the web mailbox at `/` and the mail as JSON at `/store`.
 * Usage: node --import tsx local/emulators/ses-server.ts --port <n>
 */
import { createServer } from 'node:net';
import sesModule from 'aws-ses-v2-local';
import { announceReady, EXIT_PORT_IN_USE, requiredFlag, stopWithParent } from './lifeline.ts';

const port = Number(requiredFlag('port'));

// aws-ses-v2-local calls express's listen() without an error handler, so a taken port would surface as
// an unhandled 'error' event with a stack trace: probe the port first (a race remains, only if another
// program grabs the port within these milliseconds).
await new Promise<void>((resolve) => {
  const probe = createServer();
  probe.once('error', () => {
    process.stderr.write(`aws-ses-v2-local: port ${port} on 127.0.0.1 is already in use\n`);
    process.exit(EXIT_PORT_IN_USE);
  });
  probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
});

// A CommonJS module with `exports.default`: Node's ESM import gives the whole `module.exports`.
const start = sesModule.default;
const server = await start({ host: '127.0.0.1', port });
stopWithParent(
  () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);
const address = server.address();
announceReady(`http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : port}`);
