import DataLoader from 'dataloader';
import type { RequestTrace } from '../../kit/upstream.ts';
import type { {{Pascal}}Client } from './client.ts';
import type { {{Pascal}}Context } from './context.ts';

/** Per-request loaders: identical keys in one request share one upstream call. */
export function createLoaders(client: {{Pascal}}Client, trace: RequestTrace): {{Pascal}}Context['loaders'] {
  return {
    // The example API has no batch endpoint, so each code is one call; if yours takes many codes at
    // once, make this one request for all `codes`.
    summary: new DataLoader<string, string | null>(async (codes) =>
      Promise.all(
        codes.map(async (code) => {
          try {
            return await client.summary(code, trace);
          } catch (err) {
            return err as Error;
          }
        }),
      ),
    ),
  };
}
