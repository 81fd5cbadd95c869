/**
 * What `npm start` runs (loaded by main.ts): reads the environment once into a typed Config (a bad
 * value stops start-up with a message naming the variable), starts the gateway, and shuts down
 * gracefully on SIGTERM/SIGINT.
 */
import { collectDefaultMetrics } from 'prom-client';
import { ConfigError } from '../../kit/config.ts';
import { createLogger } from '../../kit/logger.ts';
import { loadConfig } from './config.ts';
import { reportReachability } from './reachability.ts';
import { createGatewayApp } from './server.ts';
import { setupTelemetry, type Telemetry } from './telemetry.ts';

export async function main() {
  let config: ReturnType<typeof loadConfig>;
  let logger: ReturnType<typeof createLogger>;
  let app: Awaited<ReturnType<typeof createGatewayApp>>;
  let url: string;
  let telemetry: Telemetry | undefined;
  try {
    // `--offline` (npm run demo): offline mode whatever UPSTREAM_MODE says, on every platform's shell.
    const offline = process.argv.includes('--offline') ? { UPSTREAM_MODE: 'offline' } : {};
    config = loadConfig({ ...process.env, ...offline });
    logger = createLogger(config.gateway.LOG_LEVEL);
    // Before the gateway exists, so that its first spans already reach the exporter.
    telemetry = setupTelemetry({
      endpoint: config.gateway.OTEL_EXPORTER_OTLP_ENDPOINT,
      serviceName: config.gateway.OTEL_SERVICE_NAME,
      logger,
    });
    app = await createGatewayApp({ config, logger, telemetry });
    // The process's own figures next to the gateway's in /metrics: resident memory, heap by space,
    // event-loop delay, garbage collection, open handles (prom-client's standard Node metrics). Here
    // and not in createGatewayApp: each call starts an event-loop monitor for the life of the
    // process, so only the one gateway a process serves gets them (tests start many).
    collectDefaultMetrics({ register: app.usage.registry });
    url = await app.listen();
  } catch (err) {
    // A bad variable, list, supergraph or port: the message names it and what is allowed.
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  logger.info(
    {
      url: `${url}/graphql`,
      explorer: `${url}/`,
      usage: `${url}/usage`,
      metrics: `${url}/metrics`,
      mode: config.gateway.UPSTREAM_MODE,
      subgraphs: app.subgraphs.map((s) => (s.url ? `${s.name}@${s.url}` : s.name)),
    },
    `gateway ready at ${url}/graphql`,
  );
  if (config.gateway.OTEL_EXPORTER_OTLP_ENDPOINT) {
    logger.info(
      { endpoint: config.gateway.OTEL_EXPORTER_OTLP_ENDPOINT, service: config.gateway.OTEL_SERVICE_NAME },
      'tracing: sending OpenTelemetry spans over OTLP/HTTP',
    );
  }
  if (config.gateway.UPSTREAM_MODE === 'offline') {
    logger.info(
      { faults: config.gateway.OFFLINE_FAULTS ?? {} },
      'offline mode: no agency is called; agency simulators answer every request (values marked in extensions.offline)',
    );
  }

  if (config.gateway.UPSTREAM_MODE === 'live' || config.gateway.UPSTREAM_MODE === 'record') {
    // In the background: the gateway serves meanwhile; a machine without internet hears it in seconds.
    void reportReachability(config.subgraphs, logger);
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests');
    // The drain plugin gives open requests 10 s; force the exit only well after that.
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    // The last spans are exported after the drain (a no-op without tracing).
    app
      .stop()
      .then(() => telemetry?.shutdown())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // An upstream failure must never take the process down; log what slipped through.
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
}
