import { connect } from 'node:net';

/**
 * A minimal HTTP/1.1 client over a raw TCP socket, for fuzzing. fetch() and node:http
 * refuse to send header values with non-Latin-1 or control characters; a hostile client
 * does not care, so this sends exactly the bytes it is given (strings as UTF-8) and
 * reports exactly what came back, including answers Node's HTTP parser gives on its own.
 */

export interface RawRequest {
  method?: string;
  path: string;
  /** Header name and value; the value is sent as its UTF-8 bytes, unvalidated. */
  headers?: [string, string | Buffer][];
  body?: string | Buffer;
}

export interface RawResponse {
  status: number;
  /** Lower-case header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  text: string;
  /**
   * True when Keygate's handler never saw the request: Node's HTTP parser refused it
   * itself (400/431 with no body). Keygate sets x-request-id on every answer it gives.
   */
  fromNodeParser: boolean;
}

const CRLF = '\r\n';

function decodeChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < body.length) {
    const lineEnd = body.indexOf(CRLF, offset);
    if (lineEnd < 0) break;
    const size = Number.parseInt(body.subarray(offset, lineEnd).toString('latin1').split(';')[0], 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function parseResponse(raw: Buffer): RawResponse {
  const headEnd = raw.indexOf(CRLF + CRLF);
  const head = (headEnd < 0 ? raw : raw.subarray(0, headEnd)).toString('latin1');
  let body = headEnd < 0 ? Buffer.alloc(0) : raw.subarray(headEnd + 4);
  const [statusLine, ...lines] = head.split(CRLF);
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) body = decodeChunked(body);
  else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  return { status, headers, text: body.toString('utf8'), fromNodeParser: headers['x-request-id'] === undefined };
}

/** Sends one request on a fresh connection (Connection: close) and reads the whole answer. */
export function rawHttp(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
  const lines: Buffer[] = [Buffer.from(`${request.method ?? 'GET'} ${request.path} HTTP/1.1${CRLF}Host: ${url.host}${CRLF}Connection: close${CRLF}`, 'latin1')];
  for (const [name, value] of request.headers ?? []) {
    lines.push(Buffer.from(`${name}: `, 'latin1'), Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8'), Buffer.from(CRLF, 'latin1'));
  }
  if (body) lines.push(Buffer.from(`Content-Length: ${body.length}${CRLF}`, 'latin1'));
  lines.push(Buffer.from(CRLF, 'latin1'));
  if (body) lines.push(body);

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      const raw = Buffer.concat(chunks);
      // The server may answer and close before it has read all we sent (431, 413): the
      // reset that follows is part of a normal refusal, as long as an answer came first.
      if (raw.length > 0) resolve(parseResponse(raw));
      else reject(error ?? new Error('connection closed without an answer'));
    };
    const socket = connect({ host: url.hostname, port: Number(url.port) }, () => socket.write(Buffer.concat(lines)));
    socket.setTimeout(20_000, () => socket.destroy(new Error('no answer within 20 s')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish());
  });
}
