// Socket.IO's own server, shaped as the benchmark's notify-listen server: listeners join the
// room of one object, and POST /bench/notify emits to that room. Usage: node server.mjs <port>
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.argv[2]);
let subscriptions = 0;

const http = createServer((request, response) => {
  const url = new URL(request.url, 'http://127.0.0.1');
  let body;
  if (url.pathname === '/bench/stats') {
    const memory = process.memoryUsage();
    body = { connections: io.engine.clientsCount, subscriptions, heapUsed: memory.heapUsed, rss: memory.rss };
  } else if (url.pathname === '/bench/notify' && request.method === 'POST') {
    const q = url.searchParams;
    notify(q.get('entity'), q.get('id'), q.get('action'), Number(q.get('count') ?? 1), Number(q.get('bytes') ?? 0));
    body = {};
  } else {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
});

// WebSocket only, as notify-listen's listeners: no long-polling handshake and upgrade.
// Compression is off, Socket.IO's default, as notify-listen's.
const io = new Server(http, { transports: ['websocket'], serveClient: false, perMessageDeflate: false });

io.on('connection', (socket) => {
  socket.on('listen', (room, ack) => {
    if (typeof room === 'string' && !socket.rooms.has(room)) {
      socket.join(room);
      subscriptions++;
    }
    if (typeof ack === 'function') {
      ack();
    }
  });
  socket.on('disconnecting', () => {
    subscriptions -= socket.rooms.size > 1 ? socket.rooms.size - 1 : 0;
  });
});

// Each message carries the fields of notify-listen's, changedAt with microseconds as the JDK
// writes it, and is padded so that its frame on the wire is as long as notify-listen's
// MESSAGE frame (bytes).
function notify(entity, id, action, count, bytes) {
  const room = `${entity}/${id}/${action}`;
  for (let i = 0; i < count; i++) {
    const message = { entity, id, action, changedAt: nowIso(), notifiedBy: 'system', payload: {} };
    const frame = `42${JSON.stringify(['changed', message])}`.length;
    if (bytes > frame + 10) {
      message.payload = { pad: 'x'.repeat(bytes - frame - 10) };
    }
    io.to(room).emit('changed', message);
  }
}

function nowIso() {
  const micros = Math.round((performance.timeOrigin + performance.now()) * 1000);
  const iso = new Date(Math.floor(micros / 1000)).toISOString();
  return `${iso.slice(0, 23)}${String(micros % 1000).padStart(3, '0')}Z`;
}

http.listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
process.on('SIGTERM', () => process.exit(0));
