/** Free loopback TCP ports, for processes that must be told their port before they start (Mosquitto, split services). */
import net from 'node:net';

/** Asks the kernel for a free port on 127.0.0.1 (released at once; another process could take it, rarely). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') reject(new Error('no port'));
        else resolve(address.port);
      });
    });
  });
}

/** `count` distinct free ports (held together until all are known, so they differ). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** One free port per name, e.g. `namedFreePorts(['mqtt', 'http'])` → `{ mqtt: 40123, http: 40124 }`. */
export async function namedFreePorts<K extends string>(names: readonly K[]): Promise<Record<K, number>> {
  const ports = await freePorts(names.length);
  const entries = names.map((name, i) => {
    const port = ports[i];
    if (port === undefined) throw new Error('not enough free ports');
    return [name, port] as const;
  });
  return Object.fromEntries(entries) as Record<K, number>;
}
