/**
 * Hive Gateway's configuration for the `hive_cached` target of `npm run bench:compare` (loaded by its
 * CLI with `-c`): its response-cache plugin on, everything else at Hive's defaults.
 *
 * `session: () => null` makes the cache shared by all clients, as this gateway's whole-response cache
 * is for public data. The supergraph carries no `@cacheControl` hints, so without `ttl` Hive would keep
 * an answer forever; 60 s is longer than any run and keeps its answers as fresh as ours.
 */
import { defineConfig } from '@graphql-hive/gateway';

export const gatewayConfig = defineConfig({
  responseCaching: { session: () => null, ttl: 60_000 },
});
