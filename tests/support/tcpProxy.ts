// A TCP proxy in front of PostgreSQL that a test closes and reopens, or makes hang (nothing forwarded, nothing
// closed: a stalled network or host): a real outage for the server behind it.
import net from "node:net";

/** Forwards a local port to PostgreSQL until `down()`; `up()` listens on the same port again. */
export class TcpProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private hanging = false;
  private readonly held: (() => void)[] = [];
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}

  async up(): Promise<void> {
    this.server = net.createServer((client) => {
      this.sockets.add(client);
      client.on("close", () => this.sockets.delete(client));
      client.on("error", () => undefined);
      const connect = () => {
        const upstream = net.connect(this.target);
        this.sockets.add(upstream);
        upstream.on("close", () => this.sockets.delete(upstream));
        upstream.on("error", () => undefined);
        client.pipe(upstream).pipe(client);
      };
      if (this.hanging) {
        client.pause();
        this.held.push(connect);
      } else connect();
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** Stops forwarding in both directions and holds new connections, closing nothing. */
  hang(): void {
    this.hanging = true;
    for (const s of this.sockets) s.pause();
  }

  /** Forwards again what `hang` held. */
  resume(): void {
    this.hanging = false;
    for (const s of this.sockets) s.resume();
    for (const connect of this.held.splice(0)) connect();
  }

  async down(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server?.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

/** A proxy started in front of a PostgreSQL database, and the database's URL through it. */
export async function proxiedDatabase(databaseUrl: string): Promise<{ proxy: TcpProxy; url: string }> {
  const url = new URL(databaseUrl);
  const proxy = new TcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  await proxy.up();
  url.host = `127.0.0.1:${proxy.port}`;
  return { proxy, url: url.toString() };
}
