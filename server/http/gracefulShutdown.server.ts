// Stops an HTTP server without losing answers: accept the connections the kernel has queued (briefly), stop
// accepting, answer every request already received (the last answer on each connection says `Connection: close`),
// let idle keep-alive connections close as they always do (keepAliveTimeout after their last answer), and cut only
// what is still running when the grace period ends.
import type { Server, ServerResponse } from "node:http";
import net from "node:net";

/**
 * A connection that has not sent a request yet when shutdown begins gets this long for its first one (answered
 * with `Connection: close`) before it is closed.
 */
const UNUSED_LINGER_MS = 1_000;

export type DrainResult = { answeredDuringDrain: number; cutConnections: number };

export class GracefulShutdown {
  private readonly active = new Map<net.Socket, number>();
  /** Connections that have carried a request: Node closes them keepAliveTimeout after their last answer. */
  private readonly used = new WeakSet<net.Socket>();
  private readonly answering = new Set<ServerResponse>();
  private draining = false;
  /** Set when drain() is called, before the accept window: what is answered from then on counts as answered while stopping. */
  private stopping = false;
  private answeredDuringDrain = 0;
  /** Connections accepted so far. */
  private connections = 0;

  constructor(private readonly server: Server) {
    server.on("connection", (socket: net.Socket) => {
      this.connections++;
      this.active.set(socket, 0);
      socket.once("close", () => this.active.delete(socket));
      if (this.draining) this.lingerThenClose(socket);
    });
    // prepended: runs before the app, which may answer synchronously (health probes)
    server.prependListener("request", (req, res) => {
      const socket = req.socket;
      this.used.add(socket);
      this.active.set(socket, (this.active.get(socket) ?? 0) + 1);
      if (this.draining) res.setHeader("Connection", "close");
      this.answering.add(res);
      res.once("close", () => {
        this.answering.delete(res);
        const left = (this.active.get(socket) ?? 1) - 1;
        if (this.active.has(socket)) this.active.set(socket, left);
        if (this.stopping) this.answeredDuringDrain++;
      });
    });
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** Resolves once every connection is closed, or after `deadlineMs` with the connections still open cut. */
  async drain(deadlineMs: number): Promise<DrainResult> {
    const startedAt = Date.now();
    this.stopping = true;
    // At most half the time there is (under load the queue can be long, and each connection takes a turn of the
    // loop), and never so long that an answer sent meanwhile on a keep-alive connection would still hold it open
    // (keepAliveTimeout) past the deadline: that connection would be cut under a client about to reuse it.
    const acceptWindowMs = Math.min(deadlineMs / 2, deadlineMs - this.server.keepAliveTimeout - UNUSED_LINGER_MS);
    if (acceptWindowMs > 0) await this.acceptQueued(startedAt + acceptWindowMs);
    this.draining = true;
    // net.Server's close stops listening only; http.Server's would also drop idle keep-alive connections at
    // once, racing requests their clients are sending at this moment.
    const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(this.server, () => resolve()));
    // An idle keep-alive connection is left to Node's keep-alive timer, as at any other time. Closing it early
    // raced clients that reuse it: under load a client can take a second to send its next request, and a request
    // written to a connection the server has just closed is answered with a reset, not a refusal it could retry.
    // Sent in time, that request is answered with Connection: close, as is every answer still to be sent.
    for (const res of this.answering) if (!res.headersSent) res.setHeader("Connection", "close");
    for (const [socket, requests] of this.active) {
      if (requests === 0 && !this.used.has(socket)) this.lingerThenClose(socket);
    }
    let cutConnections = 0;
    const deadline = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        cutConnections = this.active.size;
        for (const socket of this.active.keys()) socket.destroy();
        resolve();
      }, Math.max(0, startedAt + deadlineMs - Date.now()));
      timer.unref();
      void closed.then(() => clearTimeout(timer));
    });
    await Promise.race([closed, deadline]);
    await closed;
    return { answeredDuringDrain: this.answeredDuringDrain, cutConnections };
  }

  /**
   * Connections the kernel has completed but this process has not accepted yet (the event loop was busy when the
   * signal came) would be reset by closing the listening socket, and a client cannot tell whether a reset request
   * ran. So the loop turns (Node accepts one waiting connection per poll) until a turn accepts none, or until
   * `until`; a connection that arrives meanwhile is accepted too. Answers meanwhile keep their connections open,
   * so that no client reconnects into the queue.
   */
  private async acceptQueued(until: number): Promise<void> {
    let accepted: number;
    do {
      accepted = this.connections;
      // an immediate set from the check phase runs after the next poll, which accepts what is waiting
      for (let phase = 0; phase < 2; phase++) await new Promise<void>((resolve) => setImmediate(resolve));
    } while (this.connections !== accepted && Date.now() < until);
  }

  private lingerThenClose(socket: net.Socket): void {
    // checked again after the event loop's next poll: a request already in the socket's buffer when a busy loop
    // reaches this timer is read (and counted) first
    const timer = setTimeout(() => {
      setImmediate(() => {
        if ((this.active.get(socket) ?? 0) === 0) socket.destroy();
      });
    }, UNUSED_LINGER_MS);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
  }
}
