// Socket.IO listeners in one process: node client.mjs <url> <count> <room>. Each joins the
// room; the benchmark reads the counts and latencies through stdin/stdout, one command a line:
// "count" -> "count <received> <epoch µs of the last>", "latencies" -> "latencies <µs,...>"
// (both since the last "reset"), "reset", "close". Exits when stdin closes.
import { createInterface } from 'node:readline';
import { io } from 'socket.io-client';

const [url, countArgument, room] = process.argv.slice(2);
const count = Number(countArgument);
const sockets = [];
let received = 0;
let last = 0;
let latencies = [];

function nowMicros() {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

// "2026-01-01T00:00:00.123456Z" to epoch microseconds.
function micros(iso) {
  return Date.parse(`${iso.slice(0, 23)}Z`) * 1000 + Number(iso.slice(23, 26) || 0);
}

function open() {
  return new Promise((resolve, reject) => {
    // WebSocket only, no reconnection: a lost listener shows as missing deliveries.
    const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: 60000 });
    sockets.push(socket);
    socket.on('changed', (message) => {
      const now = nowMicros();
      received++;
      last = now;
      latencies.push(now - micros(message.changedAt));
    });
    socket.once('connect_error', reject);
    socket.once('connect', () => socket.emit('listen', room, resolve));
  });
}

// At most 50 handshakes in flight, so that opening does not look like a flood.
let next = 0;
let failed = 0;
async function opener() {
  while (next < count) {
    next++;
    await open().catch(() => failed++);
  }
}
await Promise.all(Array.from({ length: 50 }, opener));
console.log(`ready ${count - failed}`);

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'count') {
    console.log(`count ${received} ${last}`);
  } else if (line === 'latencies') {
    console.log(`latencies ${latencies.join(',')}`);
  } else if (line === 'reset') {
    received = 0;
    last = 0;
    latencies = [];
    console.log('reset');
  } else if (line === 'close') {
    sockets.forEach((socket) => socket.disconnect());
    setTimeout(() => process.exit(0), 200);
  }
}).on('close', () => process.exit(0));
