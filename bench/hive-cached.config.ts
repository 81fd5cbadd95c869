/**
 * Hive Gateway's configuration for the `hive_cached` target of `npm run bench:compare` (loaded by its
 * CLI with `--config-path`): its response-cache plugin on, everything else at Hive's defaults.
 *
 * `session: () => null` makes the cache shared by all clients, as this gateway's whole-response cache
 * is for public data. The supergraph carries no `@cacheControl` hints, so without `ttl` Hive would keep
 * an answer forever; 60 s (in ms) is longer than any run and keeps its answers as fresh as ours.
 *
 * A plain object rather than Hive's `defineConfig` (an identity function): importing
 * `@graphql-hive/gateway` here would bring graphql-yoga's global augmentation of `GraphQLError`'s
 * extensions into this project's type-check and break gateway/src/server.ts's `http.headers`.
 */
export const gatewayConfig = {
  responseCaching: { session: () => null, ttl: 60_000 },
};
