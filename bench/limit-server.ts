/**
 * The machine's limit for `npm run bench:compare`: a bare node:http server that answers every
 * request with one fixed JSON body and does nothing else. The harness sets that body (`PUT /body`)
 * to the default gateway's answer before each run, so every query is measured with an answer of its
 * real size.
 *
 *   node bench/limit-server.ts <port>
 *
 * Plain Node (its TypeScript type stripping), no dependencies, nothing to transpile at start.
 */
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`Usage: node bench/limit-server.ts <port 1–65535>; got "${process.argv[2]}"`);
  process.exit(2);
}

// Until the harness sets a body: what a GraphQL server answers to `{ __typename }`, so that the
// harness's readiness check treats this server like every other target.
let body = Buffer.from('{"data":{"__typename":"Query"}}');

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    if (req.method === 'PUT' && req.url === '/body') {
      body = Buffer.concat(chunks);
      res.writeHead(204).end();
      return;
    }
    // The request body is read (as any server must, to keep the connection alive) and ignored.
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    res.end(body);
  });
});
server.listen(port, '127.0.0.1');
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.on(signal, () => server.close(() => process.exit(0)));
