import { request as httpRequest } from 'node:http';
import { type Socket, connect } from 'node:net';

/**
 * HTTP/1.1 helpers for shutdown and crash tests: requests that are provably "in flight"
 * at a given moment (the request line and part of the headers or body are written
 * first, so the server has begun reading the message; the rest when the test says so),
 * and single requests on their own connection.
 */

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface SlowRequest {
  socket: Socket;
  /** Sends the rest of the request and resolves with the complete response. */
  finish(): Promise<HttpAnswer>;
}

/** Parses one complete response from the start of `buffer`, or null if more bytes are needed. */
function parseAnswer(buffer: Buffer, ended: boolean): HttpAnswer | null {
  const end = buffer.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine, ...lines] = buffer.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const rest = buffer.subarray(end + 4);
  if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    return rest.length >= length ? { status, headers, body: rest.subarray(0, length).toString('utf8') } : null;
  }
  if ((headers['transfer-encoding'] ?? '').toLowerCase().includes('chunked')) {
    const chunks: Buffer[] = [];
    let at = 0;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n', at);
      if (lineEnd < 0) return null;
      const size = Number.parseInt(rest.subarray(at, lineEnd).toString('latin1'), 16);
      if (size === 0) return rest.length >= lineEnd + 4 ? { status, headers, body: Buffer.concat(chunks).toString('utf8') } : null;
      if (rest.length < lineEnd + 2 + size + 2) return null;
      chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
  return ended ? { status, headers, body: rest.toString('utf8') } : null;
}

/**
 * Connects, writes `first`, and resolves once the bytes are written. `finish()` writes
 * `rest` and reads the response; it rejects if the connection ends without a complete one.
 */
export function openSlowRequest(port: number, first: string, rest: string): Promise<SlowRequest> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let received = Buffer.alloc(0);
    let ended = false;
    let waiter: ((ended: boolean) => void) | null = null;
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      waiter?.(false);
    });
    socket.on('close', () => {
      ended = true;
      waiter?.(true);
    });
    socket.on('error', (error) => {
      if (!waiter) reject(error);
    });
    socket.once('connect', () => {
      socket.write(first, () =>
        resolve({
          socket,
          finish: () =>
            new Promise<HttpAnswer>((done, fail) => {
              const check = (isEnded: boolean) => {
                const parsed = parseAnswer(received, isEnded);
                if (parsed) {
                  waiter = null;
                  received = Buffer.alloc(0);
                  done(parsed);
                } else if (isEnded) {
                  waiter = null;
                  fail(new Error(`connection ended without a complete response; got ${JSON.stringify(received.toString('utf8'))}`));
                }
              };
              waiter = check;
              if (rest && !ended) socket.write(rest);
              check(ended);
            }),
        }),
      );
    });
  });
}

/** A POST whose headers and first half of the body are sent now, the second half on finish(). */
export function slowPost(port: number, path: string, key: string, body: string, contentType = 'application/json'): Promise<SlowRequest> {
  const half = Math.floor(body.length / 2);
  const head =
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${key}\r\n` +
    `Content-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  return openSlowRequest(port, head + body.slice(0, half), body.slice(half));
}

/** A GET whose request line and first headers are sent now, the end of the headers on finish(). */
export function slowGet(port: number, path: string, key: string): Promise<SlowRequest> {
  return openSlowRequest(port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${key}\r\n`, 'Accept: application/json\r\n\r\n');
}

/** Resolves with the error code of a plain TCP connection attempt, or 'connected'. */
export function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/**
 * One request on its own connection (`agent: false`, so the connection closes after the
 * response and nothing is pooled). Resolves with the complete response; rejects with the
 * socket error (ECONNREFUSED, ECONNRESET, 'socket hang up') when there is none.
 */
export function requestOnce(url: string, options: { method?: string; key?: string; body?: string; headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const body = options.body;
    const req = httpRequest(
      url,
      {
        method: options.method ?? (body === undefined ? 'GET' : 'POST'),
        agent: false,
        headers: {
          ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}),
          ...options.headers,
        },
        timeout: 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('aborted', () => reject(Object.assign(new Error('response aborted'), { code: 'ABORTED' })));
        res.on('end', () => {
          if (!res.complete) return reject(Object.assign(new Error('incomplete response'), { code: 'INCOMPLETE' }));
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}
