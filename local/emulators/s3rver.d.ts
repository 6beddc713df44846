/** The part of s3rver 3.7 (untyped, CommonJS) that the local stack uses. */
declare module 's3rver' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface S3rverOptions {
    directory: string;
    silent?: boolean;
    vhostBuckets?: boolean;
  }

  export default class S3rver {
    constructor(options: S3rverOptions);
    /** The Koa request handler. */
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
  }
}
