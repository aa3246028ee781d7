import net from 'node:net';
import { WebSocketServer } from 'ws';

/**
 * A WebSocket-to-TCP pipe like Neon's, so that the production Neon driver can be exercised
 * against the local Postgres. It only forwards to loopback.
 */
export async function startWsProxy(): Promise<{ port: number; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  wss.on('connection', (ws, req) => {
    const address = new URL(req.url ?? '/', 'http://proxy').searchParams.get('address') ?? '';
    const [host, port] = address.split(':');
    if (host !== '127.0.0.1' && host !== 'localhost') return ws.close(1008, 'host not allowed');
    const socket = net.connect(Number(port), host);
    socket.setNoDelay(true);
    const pending: Buffer[] = [];
    socket.on('connect', () => {
      for (const chunk of pending.splice(0)) socket.write(chunk);
    });
    ws.on('message', (data: Buffer) => (socket.connecting ? pending.push(data) : socket.write(data)));
    socket.on('data', (data) => ws.readyState === ws.OPEN && ws.send(data));
    const close = () => {
      socket.destroy();
      if (ws.readyState <= ws.OPEN) ws.close();
    };
    socket.on('error', close);
    socket.on('close', close);
    ws.on('close', close);
    ws.on('error', close);
  });
  await new Promise<void>((resolve) => wss.on('listening', resolve));
  const { port } = wss.address() as net.AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}
