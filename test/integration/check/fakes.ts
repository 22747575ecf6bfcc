/** Servers that misbehave on purpose, on 127.0.0.1: silent over TCP and UDP, or answering unsigned. */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import dnsPacket from 'dns-packet';

export interface FakeServer {
  port: number;
  close(): Promise<void>;
}

function listen(server: Server, sockets: Set<Socket>): Promise<FakeServer> {
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as { port: number }).port,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Accepts TCP connections, reads the query, never answers. */
export function blackHoleTcp(): Promise<FakeServer> {
  return listen(createServer(), new Set());
}

/** A UDP socket that receives queries and never answers. */
export function blackHoleUdp(): Promise<FakeServer> {
  const socket: UdpSocket = createSocket('udp4');
  return new Promise((resolve) => {
    socket.bind(0, '127.0.0.1', () => {
      resolve({ port: socket.address().port, close: () => new Promise<void>((done) => socket.close(() => done())) });
    });
  });
}

/** Answers every SOA query over TCP authoritatively, with serial `serial`, and no TSIG at all. */
export function unsignedTcp(serial: number): Promise<FakeServer> {
  const server = createServer((socket) => {
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      if (pending.length < 2 || pending.length < 2 + pending.readUInt16BE(0)) return;
      const query = dnsPacket.decode(pending.subarray(2, 2 + pending.readUInt16BE(0)));
      const zone = query.questions![0]!.name;
      const answer = dnsPacket.encode({
        type: 'response',
        id: query.id,
        flags: dnsPacket.AUTHORITATIVE_ANSWER,
        questions: query.questions,
        answers: [{ type: 'SOA', name: zone, ttl: 3600, data: { mname: `ns1.${zone}`, rname: `hostmaster.${zone}`, serial, refresh: 3600, retry: 600, expire: 604800, minimum: 300 } }],
      });
      socket.write(Buffer.concat([Buffer.from([answer.length >> 8, answer.length & 0xff]), answer]));
    });
  });
  return listen(server, new Set());
}
