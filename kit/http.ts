import type { IncomingMessage } from 'node:http';

/**
 * Reads the request body; `undefined` when it is larger than `limit` bytes. An oversized body is
 * read to its end and discarded, not cut off: a socket destroyed mid-upload reaches the client as a
 * connection reset instead of our 413. Past 10 × `limit` the client is cut off after all.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > 10 * limit) req.destroy();
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks).toString('utf8')));
    // Cut off or aborted before the end: nobody waits for an answer, but the handler must finish.
    req.on('close', () => resolve(undefined));
    req.on('error', reject);
  });
}
