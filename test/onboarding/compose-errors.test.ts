import { describe, expect, it } from 'vitest';
import { composeSupergraph } from '../../gateway/src/compose.ts';

const header = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\n';

describe('npm run compose: composition errors are readable', () => {
  it('names the code, the message and where: each subgraph and the line of its SDL', () => {
    const result = composeSupergraph([
      {
        name: 'first',
        url: 'http://127.0.0.1:1/graphql',
        module: undefined,
        sdl: `${header}type Query {\n  hello: String\n}\n`,
      },
      {
        name: 'second',
        url: 'http://127.0.0.1:2/graphql',
        module: undefined,
        sdl: `${header}\n"A clash."\ntype Query {\n  other: Int\n  hello: Int\n}\n`,
      },
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toContain(
      '[FIELD_TYPE_MISMATCH] Type of field "Query.hello" is incompatible across subgraphs: it has type "String" in subgraph "first" but type "Int" in subgraph "second" (in subgraph "first", line 3; subgraph "second", line 6)',
    );
    // No placeholder source names ("GraphQL request") reach the reader.
    for (const error of result.errors) expect(error).not.toContain('GraphQL request');
  });
});
