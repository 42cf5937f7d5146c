import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of the gateway, so a test can drop a browser's connections the way a
 * train tunnel does: `cut()` destroys every open connection, `down()` refuses new ones
 * until `up()`.
 */
export class TcpProxy {
  private readonly open = new Set<Socket>();
  private refusing = false;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** Starts a proxy on a loopback port to `target` (`http://host:port`). */
  static async start(target: string): Promise<TcpProxy> {
    const { hostname, port } = new URL(target);
    let proxy: TcpProxy | undefined;
    const server = createServer((client) => {
      if (!proxy || proxy.refusing) return client.destroy();
      const upstream = connect(Number(port), hostname);
      for (const s of [client, upstream]) {
        proxy.open.add(s);
        s.on('close', () => proxy?.open.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as { port: number };
    proxy = new TcpProxy(server, `http://127.0.0.1:${address.port}`);
    return proxy;
  }

  /** Refuses new connections. */
  down(): void {
    this.refusing = true;
  }

  /** Accepts connections again. */
  up(): void {
    this.refusing = false;
  }

  /** Destroys every open connection, without a closing handshake. */
  cut(): void {
    for (const s of this.open) s.destroy();
  }

  /** Stops the proxy. */
  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
