/** DNS over TCP (2-byte length framing, several answer messages) and UDP (one datagram). */
import { createSocket } from 'node:dgram';
import { isIPv6, Socket } from 'node:net';

export type NetworkFailure = 'timeout' | 'refused' | 'closed' | 'network';

/** No (complete) answer came back. The message never holds a secret. */
export class ProbeNetworkError extends Error {
  constructor(
    readonly reason: NetworkFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface ExchangeOptions {
  /** Longest wait for the connection or for the next bytes of an answer. */
  timeoutMs: number;
}

/**
 * Sends `query` over TCP and hands each answer message to `onMessage` until it returns true
 * ("that was the last one"). Rejects with ProbeNetworkError on refusal, timeout or early close.
 */
export function tcpExchange(host: string, port: number, query: Buffer, options: ExchangeOptions, onMessage: (message: Buffer) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let pending = Buffer.alloc(0);
    let settled = false;
    const finish = (err?: ProbeNetworkError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    let timer = setTimeout(() => finish(timeoutError(options.timeoutMs)), options.timeoutMs);
    socket.on('error', (err: NodeJS.ErrnoException) => finish(socketError(err)));
    socket.on('close', () => finish(new ProbeNetworkError('closed', 'the server closed the connection before the answer was complete')));
    socket.on('data', (chunk: Buffer) => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(timeoutError(options.timeoutMs)), options.timeoutMs);
      pending = Buffer.concat([pending, chunk]);
      while (!settled && pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const length = pending.readUInt16BE(0);
        const message = pending.subarray(2, 2 + length);
        pending = pending.subarray(2 + length);
        let done: boolean;
        try {
          done = onMessage(Buffer.from(message));
        } catch (err) {
          finish(new ProbeNetworkError('network', `unreadable answer: ${(err as Error).message}`));
          return;
        }
        if (done) finish();
      }
    });
    socket.connect({ host, port }, () => {
      const frame = Buffer.alloc(2 + query.length);
      frame.writeUInt16BE(query.length, 0);
      query.copy(frame, 2);
      socket.write(frame);
    });
  });
}

/** Sends `query` in one UDP datagram and resolves with the first answer carrying its ID. */
export function udpExchange(host: string, port: number, query: Buffer, options: ExchangeOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    const id = query.readUInt16BE(0);
    let settled = false;
    const finish = (err: ProbeNetworkError | null, answer?: Buffer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(answer!);
    };
    const timer = setTimeout(() => finish(timeoutError(options.timeoutMs)), options.timeoutMs);
    socket.on('error', (err: NodeJS.ErrnoException) => finish(socketError(err)));
    socket.on('message', (message: Buffer) => {
      if (message.length >= 2 && message.readUInt16BE(0) === id) finish(null, message);
    });
    // A connected socket hears the ICMP "port unreachable" as ECONNREFUSED.
    socket.connect(port, host, () => socket.send(query));
  });
}

function timeoutError(ms: number): ProbeNetworkError {
  return new ProbeNetworkError('timeout', `no answer within ${formatSeconds(ms)}`);
}

function socketError(err: NodeJS.ErrnoException): ProbeNetworkError {
  if (err.code === 'ECONNREFUSED') return new ProbeNetworkError('refused', 'connection refused');
  if (err.code === 'ETIMEDOUT') return new ProbeNetworkError('timeout', 'connection timed out');
  return new ProbeNetworkError('network', err.code ? `${err.code}` : err.message);
}

export function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
