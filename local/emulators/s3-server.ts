/**
 * Child process: s3rver on 127.0.0.1, objects on disk under `--directory`.
 * Usage: node --import tsx local/emulators/s3-server.ts --port <n> --directory <dir>
 *
 * s3rver's own `run()` would crash with a stack trace on a taken port; serving its request handler
 * from our own HTTP server gives the launcher's one-line message instead.
 */
import { createServer } from 'node:http';
import S3rver from 's3rver';
import { announceReady, listenOnLoopback, requiredFlag, stopWithParent } from './lifeline.ts';

const port = Number(requiredFlag('port'));
const directory = requiredFlag('directory');

// silent: per-request logs would drown the API's; vhostBuckets off: clients must use path-style URLs,
// because `<bucket>.127.0.0.1` does not resolve.
const s3rver = new S3rver({ directory, silent: true, vhostBuckets: false });
const server = createServer(s3rver.callback());
stopWithParent(() => new Promise((resolve) => server.close(() => resolve())));
announceReady(await listenOnLoopback(server, port, 's3rver'));
