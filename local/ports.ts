/** Ports of the local stack: the documented defaults, overrides, and checks before anything starts. */
import { createServer, type Server } from 'node:net';
import { LaunchError, portInUseMessage } from './processes.ts';

export type ServiceName = 'api' | 'ses' | 'dynamodb' | 's3' | 'sfn';

/**
 * Defaults: one block of five, away from the ports other local tools usually take (3000, 8000, 8080,
 * 4566 LocalStack, 4568 s3rver's own default, 8005 aws-ses-v2-local's own default), so the stack
 * runs next to them.
 */
export const DEFAULT_PORTS: Readonly<Record<ServiceName, number>> = {
  api: 4310,
  ses: 4311,
  dynamodb: 4312,
  s3: 4313,
  sfn: 4314,
};

export const SERVICE_LABELS: Readonly<Record<ServiceName, string>> = {
  api: 'HTTP API',
  ses: 'SES and mailbox',
  dynamodb: 'DynamoDB Local',
  s3: 'S3 (s3rver)',
  sfn: 'Step Functions',
};

/** The command-line flag and environment variable that override each port. */
export const PORT_OVERRIDES: Readonly<Record<ServiceName, { flag: string; envVar: string }>> = {
  api: { flag: 'api-port', envVar: 'SATUPINTU_API_PORT' },
  ses: { flag: 'mailbox-port', envVar: 'SATUPINTU_MAILBOX_PORT' },
  dynamodb: { flag: 'dynamodb-port', envVar: 'SATUPINTU_DYNAMODB_PORT' },
  s3: { flag: 's3-port', envVar: 'SATUPINTU_S3_PORT' },
  sfn: { flag: 'sfn-port', envVar: 'SATUPINTU_SFN_PORT' },
};

export const SERVICES = Object.keys(DEFAULT_PORTS) as ServiceName[];

export function portHint(service: ServiceName): string {
  const { flag, envVar } = PORT_OVERRIDES[service];
  return `--${flag} <n> or ${envVar}=<n>`;
}

/** Reads a port given as text; 0 is refused because the launcher must know ports before it starts children. */
export function parsePort(text: string, where: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new LaunchError(`${where}: '${text}' is not a port number (1-65535).`);
  }
  return port;
}

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Fails with the one-line message for the first port that is taken. */
export async function assertPortsFree(
  ports: Readonly<Record<ServiceName, number>>,
  only: ServiceName[],
): Promise<void> {
  const seen = new Map<number, ServiceName>();
  for (const service of only) {
    const port = ports[service];
    const other = seen.get(port);
    if (other !== undefined) {
      throw new LaunchError(
        `${SERVICE_LABELS[service]} and ${SERVICE_LABELS[other]} are both given port ${port}.`,
      );
    }
    seen.set(port, service);
    try {
      await close(await listen(port));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new LaunchError(portInUseMessage(SERVICE_LABELS[service], port, portHint(service)));
      }
      throw new LaunchError(
        `Cannot use port ${port} on 127.0.0.1 for ${SERVICE_LABELS[service]}: ${String(error)}`,
      );
    }
  }
}

/**
 * Distinct free ports chosen by the kernel, for tests and benchmarks. All are held open together so
 * that they differ; another program could still take one before the child binds it, which the child
 * then reports as a taken port.
 */
export async function pickFreePorts(): Promise<Record<ServiceName, number>> {
  const servers = await Promise.all(SERVICES.map(() => listen(0)));
  const ports = servers.map((server) => {
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('no address for a listening socket');
    return address.port;
  });
  await Promise.all(servers.map(close));
  return Object.fromEntries(SERVICES.map((service, i) => [service, ports[i] as number])) as Record<
    ServiceName,
    number
  >;
}
