// A network link between the bench's client and the app, as a user has one: a TCP proxy whose two
// directions each carry at most `mbps` (shared by every connection, like one uplink) and hold each
// byte for half the round-trip time. On loopback a byte costs nothing to move, so without a link the
// comparison of two upload paths measures only their per-request CPU on a machine that also runs the
// client, the fake provider and the database.
import net from 'node:net';

export interface LinkOptions {
  /** Bandwidth of each direction, in megabits per second. */
  mbps: number;
  /** Round-trip time, in milliseconds. */
  rttMs: number;
}

/** Bytes a connection may have queued before its sender is paused. */
const QUEUED_BYTES = 256 * 1024;
/** Bytes sent in one go; small enough that parallel connections interleave fairly. */
const SLICE_BYTES = 16 * 1024;

/** Starts the link on `listenPort`, forwarding to `targetPort`; it lasts as long as the bench. */
export function startLink(listenPort: number, targetPort: number, options: LinkOptions): Promise<void> {
  const bytesPerMs = (options.mbps * 1e6) / 8 / 1000;
  const up = direction(bytesPerMs, options.rttMs / 2);
  const down = direction(bytesPerMs, options.rttMs / 2);
  const server = net.createServer((client) => {
    const app = net.connect(targetPort, '127.0.0.1');
    client.setNoDelay(true);
    app.setNoDelay(true);
    up.carry(client, app);
    down.carry(app, client);
    const close = () => {
      client.destroy();
      app.destroy();
    };
    client.on('error', close);
    app.on('error', close);
  });
  return new Promise((resolve) => {
    server.listen(listenPort, '127.0.0.1', () => resolve());
  });
}

/** One direction of the link: a shared clock of when the wire is next free, plus the fixed delay. */
function direction(bytesPerMs: number, delayMs: number) {
  let wireFreeAt = 0;
  return {
    carry(from: net.Socket, to: net.Socket) {
      const queue: { at: number; bytes: Buffer }[] = [];
      let queued = 0;
      let timer: NodeJS.Timeout | undefined;
      let ended = false;
      const drain = () => {
        timer = undefined;
        const now = performance.now();
        while (queue.length > 0 && (queue[0] as { at: number }).at <= now) {
          const { bytes } = queue.shift() as { bytes: Buffer };
          queued -= bytes.length;
          to.write(bytes);
        }
        if (queued < QUEUED_BYTES) from.resume();
        if (queue.length > 0) schedule();
        else if (ended) to.end();
      };
      const schedule = () => {
        if (timer || queue.length === 0) return;
        timer = setTimeout(drain, Math.max(0, (queue[0] as { at: number }).at - performance.now()));
      };
      from.on('data', (chunk: Buffer) => {
        for (let offset = 0; offset < chunk.length; offset += SLICE_BYTES) {
          const bytes = chunk.subarray(offset, offset + SLICE_BYTES);
          wireFreeAt = Math.max(wireFreeAt, performance.now()) + bytes.length / bytesPerMs;
          queue.push({ at: wireFreeAt + delayMs, bytes });
          queued += bytes.length;
        }
        if (queued >= QUEUED_BYTES) from.pause();
        schedule();
      });
      from.on('end', () => {
        ended = true;
        if (queue.length === 0) to.end();
      });
    },
  };
}
