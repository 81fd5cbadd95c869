/**
 * Runs the example agency subgraph as its own HTTP service:
 *   npx tsx examples/agency-subgraph/server.ts [--port 4010]     (or PORT=4010; 0 = any free port)
 * It prints `protected-areas subgraph ready at http://127.0.0.1:<port>/graphql` once it listens.
 * Then list it in the gateway's subgraph list with that url and `"sdlFile": "…/schema.graphql"`
 * (see docs/agency-guide.md).
 */
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { AGENCY, createSchema } from './subgraph.ts';

const portAt = process.argv.indexOf('--port');
const rawPort = portAt >= 0 ? process.argv[portAt + 1] : (process.env['PORT'] ?? '4010');
const port = Number(rawPort);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Port "${rawPort}" is not allowed: use an integer from 0 to 65535.`);
  process.exit(2);
}
const host = process.env['HOST'] ?? '127.0.0.1';

const server = new ApolloServer({
  schema: createSchema(),
  includeStacktraceInErrorResponses: false,
  // Federated tracing is for Apollo's hosted studio; this graph does not report there.
  plugins: [ApolloServerPluginInlineTraceDisabled()],
});
const { url } = await startStandaloneServer(server, { listen: { port, host } });
const graphqlUrl = `${url.replace(/\/$/, '').replace('localhost', host)}/graphql`;
console.log(`${AGENCY} subgraph ready at ${graphqlUrl}`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
