import net from 'node:net';

/** A TCP relay in front of a server, that a test can take down and bring back: an outage or restart, seen from the client. */
export interface TcpProxy {
  /** The port it listens on (on 127.0.0.1), the same after `start` again. */
  readonly port: number;
  /** Stops listening and cuts every relayed connection: the server looks down. */
  stop(): Promise<void>;
  /** Listens again on the same port: the server is back. */
  start(): Promise<void>;
}

/** Starts relaying 127.0.0.1:<free port> to `target` (default: the test PostgreSQL). */
export async function startTcpProxy(target: { readonly host: string; readonly port: number } = { host: '127.0.0.1', port: 5432 }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  const port = await listen(0);
  return {
    port,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
        for (const socket of sockets) socket.destroy();
      }),
    start: async () => {
      await listen(port);
    },
  };
}
