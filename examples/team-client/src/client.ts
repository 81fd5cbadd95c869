import type { TypedDocumentString } from '../generated/graphql';

/** A GraphQL error as the gateway sends it: `extensions.code` from a fixed set, plus the agency. */
export interface GraphError {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; agency?: string };
}

export class GraphRequestError extends Error {
  constructor(readonly errors: GraphError[]) {
    super(errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; '));
  }
}

/**
 * Sends a typed document to the gateway; the result and variables types come from the document.
 * Partial answers (an agency failed, its fields are null) are returned with their errors.
 */
export async function request<TResult, TVariables>(
  endpoint: string,
  document: TypedDocumentString<TResult, TVariables>,
  ...[variables]: TVariables extends Record<string, never> ? [] : [TVariables]
): Promise<{ data: TResult; errors: GraphError[] }> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: document.toString(), variables }),
  });
  const body = (await res.json()) as { data?: TResult | null; errors?: GraphError[] };
  if (body.data === undefined || body.data === null) throw new GraphRequestError(body.errors ?? []);
  return { data: body.data, errors: body.errors ?? [] };
}
