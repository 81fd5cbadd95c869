# {{agency}} subgraph (`{{name}}`)

Made by `npm run new-subgraph -- {{name}}`. Everything marked EXAMPLE or PLACEHOLDER is scaffolding:
replace it with {{agency}}'s real API and data. See `docs/agency-guide.md`.

## What it wraps

PLACEHOLDER: the example client calls `GET {{ENV}}_API_URL/municipalities/{code}` and reads
`{ "summary": "…" }`. Replace the path and `parseSummary` in `client.ts` with what your API documents.

| Field | Source | Cache |
|---|---|---|
| `Municipality.{{ident}}Summary` | `GET /municipalities/{code}` (EXAMPLE) | 1 h (`@cacheControl(maxAge: 3600)`, upstream TTL 1 h) |

## Files

- `schema.graphql` — the subgraph schema (Federation 2.7); extends `Municipality @key(fields: "code")`.
- `codegen.json` — context type and mappers for `npm run codegen` (writes `generated/resolvers-types.ts`).
- `context.ts`, `client.ts`, `loaders.ts`, `resolvers.ts`, `index.ts` — the same shape as every subgraph.
- `test/{{name}}/{{name}}.test.ts` — unit tests with an undici `MockAgent` (network off).

## Limits, caching, errors

- One upstream per origin, at most 4 connections; responses cached 1 h (or the API's `Cache-Control`).
- Unknown or malformed municipality codes are `BAD_USER_INPUT` before any call; a 404 is `null`;
  upstream failures are `UPSTREAM_*` with `extensions.agency: "{{name}}"` and null only this field.

## Licence

Källa: {{agency}} (state the licence here).

## Environment

| Variable | Default | Meaning |
|---|---|---|
| `{{ENV}}_API_URL` | `https://api.example.invalid/{{name}}` | {{agency}} API base URL (placeholder) |

## Checks

```sh
npx vitest run test/{{name}} test/contract.test.ts   # own tests + the contract every subgraph passes
npm run check                                         # what your change means for clients
```
If you add an entity of your own (`type X @key(fields: "id")`), add `contract-samples.json` here with
a key the offline snapshot can resolve, e.g. `{ "X": [{ "id": "42" }] }`.
