// Stops an HTTP server without losing answers: stop accepting connections, answer every request already
// received (the last answer on each connection says `Connection: close`), close keep-alive connections once
// they are idle, and cut only what is still running when the grace period ends.
import type { Server } from "node:http";
import net from "node:net";

/**
 * A connection idle when shutdown begins may carry a request the client is sending right now; it gets this long
 * to arrive (and be answered with `Connection: close`) before the connection is closed.
 */
const IDLE_LINGER_MS = 1_000;

export type DrainResult = { answeredDuringDrain: number; cutConnections: number };

export class GracefulShutdown {
  private readonly active = new Map<net.Socket, number>();
  private draining = false;
  private answeredDuringDrain = 0;

  constructor(private readonly server: Server) {
    server.on("connection", (socket: net.Socket) => {
      this.active.set(socket, 0);
      socket.once("close", () => this.active.delete(socket));
      if (this.draining) this.lingerThenClose(socket);
    });
    // prepended: runs before the app, which may answer synchronously (health probes)
    server.prependListener("request", (req, res) => {
      const socket = req.socket;
      this.active.set(socket, (this.active.get(socket) ?? 0) + 1);
      if (this.draining) res.setHeader("Connection", "close");
      res.once("close", () => {
        const left = (this.active.get(socket) ?? 1) - 1;
        if (this.active.has(socket)) this.active.set(socket, left);
        if (this.draining) {
          this.answeredDuringDrain++;
          if (left === 0) this.lingerThenClose(socket);
        }
      });
    });
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** Resolves once every connection is closed, or after `deadlineMs` with the connections still open cut. */
  async drain(deadlineMs: number): Promise<DrainResult> {
    this.draining = true;
    // net.Server's close stops listening only; http.Server's would also drop idle keep-alive connections at
    // once, racing requests their clients are sending at this moment.
    const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(this.server, () => resolve()));
    for (const [socket, requests] of this.active) {
      if (requests > 0) continue; // its answers will carry Connection: close
      this.lingerThenClose(socket);
    }
    let cutConnections = 0;
    const deadline = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        cutConnections = this.active.size;
        for (const socket of this.active.keys()) socket.destroy();
        resolve();
      }, deadlineMs);
      timer.unref();
      void closed.then(() => clearTimeout(timer));
    });
    await Promise.race([closed, deadline]);
    await closed;
    return { answeredDuringDrain: this.answeredDuringDrain, cutConnections };
  }

  private lingerThenClose(socket: net.Socket): void {
    const timer = setTimeout(() => {
      if ((this.active.get(socket) ?? 0) === 0) socket.destroy();
    }, IDLE_LINGER_MS);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
  }
}
